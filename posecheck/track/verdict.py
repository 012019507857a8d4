"""What the tracker decides about one frame: each check's steadied state, and the frame's verdict.

These are the typed records every later stage reads (the hold counter, the session, the
overlay, ``frames.csv``); nothing rebuilds them from dicts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from posecheck.core.landmarks import Landmark
from posecheck.judge.status import Reason, Status

#: The frame score from which a frame in the pose counts as good form (with no check off).
GOOD_SCORE = 75.0


@dataclass(frozen=True)
class CheckState:
    """One check in one frame, after smoothing.

    Attributes:
        id: the check id.
        value: the smoothed value (NaN when unknown).
        raw: this frame's own measurement on the model's own landmarks, with the same leg
            and geometry and no smoothing or filtering (NaN when it cannot be measured);
            it may exist where ``value`` is unknown (e.g. the view is still settling).
        status: the steadied status.
        deviation: smoothed signed distance from the target (NaN when unknown).
        cue: a correction (near/off) or a camera/visibility instruction (unknown).
        reason: why it is unknown, if it is.
        anchor: where to draw the value.
        landmarks: the landmarks it used.
        weight: the check's weight in the spec.
        target: the target as text (``90``), for display.
        unit: ``deg`` or ``ratio``.
        reading: the value as a person reads it (``92°``, ``knee ⅓ shin behind ankle``; empty when
            unknown), for the overlay; the exact value stays in ``value``.
        uncertainty: the check's measured ± (:mod:`posecheck.specs.accuracy`), NaN when it
            was never measured; a value within it of the near band's edge is never ``off``.
    """

    id: str
    value: float
    raw: float
    status: Status
    deviation: float
    cue: str | None
    reason: Reason | None
    anchor: Landmark | None
    landmarks: tuple[Landmark, ...]
    weight: float
    target: str
    unit: str
    reading: str = ""
    uncertainty: float = math.nan


@dataclass(frozen=True)
class FrameVerdict:
    """Everything decided about one frame.

    Attributes:
        index: the frame's index in the input.
        t: its time in seconds.
        detected: whether a person was found.
        side: the leg in front (``front_back`` specs) or None.
        view: the camera view seen (side / oblique / front / back / unknown).
        checks: one :class:`CheckState` per check, in spec order.
        camera_cue: the camera or visibility instruction, if any.
        in_pose: whether the person is in the pose (debounced: for display and cues).
        pose_raw: whether this frame alone looks like the pose (for exact hold times).
        good_form: in the pose with no check off and a frame score of at least the good-form
            score (75 unless the tracker was told otherwise).
        score: 0–100 over the measured checks (NaN when none is measured).
        form_ok: no check off and the score at least the good-form score, in the pose or not
            (what the hold counter counts within the pose); worked out from ``checks`` and
            ``score`` with :data:`GOOD_SCORE` when not given.
    """

    index: int
    t: float
    detected: bool
    side: str | None
    view: str
    checks: tuple[CheckState, ...]
    camera_cue: str | None
    in_pose: bool
    pose_raw: bool
    good_form: bool
    score: float
    form_ok: bool | None = None

    def __post_init__(self) -> None:
        if self.form_ok is None:
            object.__setattr__(self, "form_ok", is_good_form(self.checks, self.score))

    @property
    def judged(self) -> bool:
        """Whether any check was measured in this frame."""
        return any(c.status is not Status.UNKNOWN for c in self.checks)

    def check(self, check_id: str) -> CheckState:
        """The state of the check ``check_id``."""
        for c in self.checks:
            if c.id == check_id:
                return c
        raise KeyError(check_id)


def is_good_form(states: tuple[CheckState, ...], score: float, good_score: float = GOOD_SCORE) -> bool:
    """No check off and a frame score of at least ``good_score`` (unknown checks don't count)."""
    return (not math.isnan(score) and score >= good_score
            and not any(s.status is Status.OFF for s in states))


__all__ = ["GOOD_SCORE", "CheckState", "FrameVerdict", "is_good_form"]
