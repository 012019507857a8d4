"""Recognising the pose in a stream of frames: the per-frame fits of
:mod:`posecheck.judge.recognise`, steadied over time.

The label changes only after the new answer has held for ``hold_s`` without a break,
so a routine splits into clean segments (see :mod:`posecheck.judge.recognise` for why
this is strict on purpose). Both are defined in seconds, so that a live session that
drops frames to keep up recognises what a recording of it does: the answer must be seen
at least every ``max_gap_s`` while it holds (frames further apart say nothing about the
time between), and a frame fits no pose while the body moves faster than a held pose
does (:mod:`posecheck.track.motion`): shapes passed through in a star jump are not poses.
"""

from __future__ import annotations

from dataclasses import dataclass

from posecheck.core.frame import PoseFrame
from posecheck.judge.recognise import MIN_MEASURED, PoseFit, fit_seen
from posecheck.judge.seen import SeenFrame
from posecheck.specs.models import PoseSpec
from posecheck.track.filters import Debounce


@dataclass(frozen=True)
class Recognition:
    """The recognised pose in one frame.

    Attributes:
        t: the frame's time.
        pose: the steadied pose id, or None ("none").
        side: the leg in front for that pose (when it has sides).
        fits: every pose's fit, best first.
    """

    t: float
    pose: str | None
    side: str | None
    fits: tuple[PoseFit, ...]


#: The longest gap between two frames across which a recognised answer still holds: a
#: slow computer judging 4-5 frames a second leaves gaps of 0.2-0.3 s (measured: 0.25 s
#: median, 0.29 s p90 with the model slowed by 0.15 s a frame).
MAX_GAP_S = 0.4


class PoseRecognizer:
    """Recognises the pose in a stream of frames.

    Args:
        specs: the poses to choose from.
        hold_s: how long a new answer must hold before the label changes.
        min_fit: below this, no pose fits ("none").
        max_gap_s: the longest gap between frames across which an answer still holds.
        steady_start: the first answer must hold ``hold_s`` too (for someone who came into
            view in the middle of a session, when the model's first frames on them are its
            least sure); otherwise it is taken at once (a session's first frame).
    """

    def __init__(self, specs: list[PoseSpec], hold_s: float = 0.6, min_fit: float = 0.5,
                 max_gap_s: float = MAX_GAP_S, steady_start: bool = False) -> None:
        self.specs = list(specs)
        self.min_fit, self.hold_s = min_fit, hold_s
        self._label = Debounce(hold_s, initial="none" if steady_start else None, max_gap_s=max_gap_s)
        self._side: dict[str, Debounce] = {s.id: Debounce(hold_s, max_gap_s=max_gap_s) for s in self.specs}

    def update(self, frame: PoseFrame | SeenFrame) -> Recognition:
        """The pose in ``frame``, steadied over the frames before it."""
        seen = frame if isinstance(frame, SeenFrame) else SeenFrame(frame)
        t = seen.t
        if not seen.frame.detected or seen.moving:
            # Nobody, or a body moving faster than a held pose does: no pose.
            fits: tuple[PoseFit, ...] = ()
            raw = None
        else:
            fits = tuple(sorted((fit_seen(seen, s, MIN_MEASURED) for s in self.specs), key=lambda f: -f.fit))
            raw = fits[0].pose if fits and fits[0].fit >= self.min_fit else None
        label = self._label(t, raw if raw is not None else "none")
        pose = None if label in (None, "none") else str(label)
        side = None
        if pose is not None:
            best = next((f for f in fits if f.pose == pose), None)
            side_raw = best.side if best is not None else None
            side = self._side[pose](t, side_raw) if side_raw else self._side[pose].value
            if not seen.sides_named:
                side = None  # the model's left and right are in doubt: no side is named
        return Recognition(t, pose, side, fits)


__all__ = ["MAX_GAP_S", "PoseRecognizer", "Recognition"]
