"""What the server tells a browser page about each frame and about the session, as typed records.

The page draws what these say and decides nothing itself: the statuses, the cue, what to
say, the hold timer and the routine's step all come from the session
(:class:`~posecheck.session.records.SessionFrame`), the same records ``live`` draws
(:class:`~posecheck.render.overlay.OverlayInfo`). Each record becomes one JSON message
with :func:`to_message`; NaN (unknown) becomes ``null``, never 0.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

from posecheck.core.frame import PoseFrame
from posecheck.core.landmarks import CONNECTIONS, Landmark
from posecheck.judge.status import Status
from posecheck.session.records import SessionFrame

#: Landmarks the skeleton starts from: the face points are not drawn (as in ``live``).
FIRST_DRAWN = int(Landmark.LEFT_SHOULDER)


@dataclass(frozen=True)
class CheckShown:
    """One check as the page draws it beside its joint.

    Attributes:
        id: the check id.
        status: ``ok``, ``near``, ``off`` or ``unknown``.
        value: the smoothed value (None: unknown).
        target: the target as text (``90``).
        unit: ``deg`` or ``ratio``.
        anchor: the landmark the value is drawn at (None: none).
        landmarks: the landmarks the check uses (coloured by its status).
        label: what is written at the joint, as ``live`` writes it (``116° → 90°``, ``knee ½
            shin behind ankle``, ``?``).
    """

    id: str
    status: str
    value: float | None
    target: str
    unit: str
    anchor: int | None
    landmarks: tuple[int, ...]
    label: str = ""


@dataclass(frozen=True)
class FrameAnswer:
    """The answer to one frame the page sent.

    Attributes:
        index: the frame's index in the session.
        t: its time in seconds (the page's clock).
        detected: a person was found.
        points: per landmark ``[x, y]`` in 0..1 of the picture (not mirrored), or None
            where it is not visible.
        checks: the checks to draw.
        title: the pose's title (or "No pose recognised"); empty during a routine.
        side: the leg in front (``left``/``right``) or None.
        step: a routine's step line, drawn on a band in place of the title (empty: none).
        note: the small line under the title.
        cue: the one cue on screen (None: none).
        cue_kind: ``camera``, ``correction``, ``praise`` or ``guide``.
        say: what to say now (None: nothing).
        announcement: ``say`` is a routine's announcement, which a cue must not cut short.
        hold_s: seconds in good form toward the target (None: no timer).
        timer_text: the timer as ``live`` writes it (``good form 3 s / 30 s``; empty: no timer).
        pose_text: the line under it (``in the pose 12 s``; empty: none).
        hold_target_s: the hold's target.
        rest_s: seconds of rest left (None: not resting).
        in_pose: the person is in the pose.
        model_ms: time in the landmark model.
        server_ms: time on the server from the frame's arrival to this answer.
        pending: the session has not answered this frame yet (a stage holds it back).
        finished: the session has nothing more to do (a routine is complete).
    """

    index: int
    t: float
    detected: bool = False
    points: list[list[float] | None] = field(default_factory=list)
    checks: list[CheckShown] = field(default_factory=list)
    title: str = ""
    side: str | None = None
    step: str = ""
    note: str = ""
    cue: str | None = None
    cue_kind: str | None = None
    say: str | None = None
    announcement: bool = False
    hold_s: float | None = None
    hold_target_s: float | None = None
    timer_text: str = ""
    pose_text: str = ""
    rest_s: float | None = None
    in_pose: bool = False
    model_ms: float = 0.0
    server_ms: float = 0.0
    pending: bool = False
    finished: bool = False
    type: str = "frame"


@dataclass(frozen=True)
class Ready:
    """A session has started: what the page needs to draw it.

    Attributes:
        session: the session folder's name.
        mode: ``pose``, ``auto`` or ``routine``.
        title: what is practised (a pose's or a routine's title, or "Any pose").
        keys: help lines for the keys the mode adds (``s``, ``n``).
        has_sides: the pose has a leg in front (``s`` switches it).
    """

    session: str
    mode: str
    title: str
    keys: tuple[str, ...] = ()
    has_sides: bool = False
    type: str = "ready"


@dataclass(frozen=True)
class Ended:
    """A session has ended and is saved.

    Attributes:
        session: the session folder's name.
        folder: where it is saved.
        ended_by: why it ended (``ended on the page``, ``page closed``, ``routine finished``...).
        complete: it ran to an end the person chose (not cut short by a failure).
        frames: frames judged.
        score: the score (one pose; None: not judged).
        time_in_pose_s, time_in_good_form_s: over the session.
        holds_done, holds_planned: a routine's.
        poses: the titles of the poses seen (``auto`` and routines).
        report: the report page's address (None: no report).
        warnings: what could not be done after saving (report, history), one line each.
    """

    session: str
    folder: str
    ended_by: str
    complete: bool
    frames: int
    score: float | None = None
    time_in_pose_s: float = 0.0
    time_in_good_form_s: float = 0.0
    holds_done: int | None = None
    holds_planned: int | None = None
    poses: tuple[str, ...] = ()
    report: str | None = None
    warnings: tuple[str, ...] = ()
    type: str = "ended"


@dataclass(frozen=True)
class Notice:
    """Something the page should show (and the session goes on unless ``fatal``).

    Attributes:
        message: one line saying what was wrong and what to do.
        kind: ``error``, ``busy`` (another page is practising) or ``info``.
        fatal: the connection is closed after it.
    """

    message: str
    kind: str = "error"
    fatal: bool = False
    type: str = "notice"


@dataclass(frozen=True)
class Said:
    """What to say after a key (``s`` or ``n``), as an announcement."""

    text: str | None
    type: str = "said"


def _clean(value: Any) -> Any:
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def to_message(record: Any) -> dict[str, Any]:
    """The JSON object of one record (NaN and infinities as ``null``)."""
    return _clean(dataclasses.asdict(record))


def _finite(x: float | None, digits: int) -> float | None:
    return None if x is None or not math.isfinite(x) else round(float(x), digits)


def frame_answer(f: SessionFrame | None, frame: PoseFrame, index: int, model_ms: float, server_ms: float,
                 finished: bool) -> FrameAnswer:
    """The answer to a frame: its landmarks and the last of the session's records for it.

    Args:
        f: the session's record to show (None: the session holds the frame back).
        frame: the landmarks found in the frame the page sent.
        index: the frame's index in the session.
        model_ms: time in the model.
        server_ms: time on the server.
        finished: the session has nothing more to do.
    """
    from posecheck.render.overlay import OverlayInfo, TimerAnnotator, value_text

    ok = frame.visible(0.0)
    w, h = frame.image_size
    points = [[round(float(x), 5), round(float(y), 5)] if ok[i] and i >= FIRST_DRAWN else None
              for i, (x, y) in enumerate(frame.xy)]
    timing = {"model_ms": round(model_ms, 2), "server_ms": round(server_ms, 2), "finished": finished}
    if f is None:
        return FrameAnswer(index=index, t=frame.timestamp, detected=frame.detected, points=points,
                           pending=True, **timing)
    info = OverlayInfo.of(f)
    v = f.verdict
    checks = [CheckShown(id=c.id, status=Status(c.status).value, value=_finite(c.value, 3), target=c.target,
                         unit=c.unit, anchor=int(c.anchor) if c.anchor is not None else None,
                         landmarks=tuple(int(lm) for lm in c.landmarks), label=value_text(c))
              for c in (v.checks if v is not None else ())]
    timer = TimerAnnotator.label(info.hold_s, info.hold_target_s) if info.hold_s is not None else ""
    pose = TimerAnnotator.pose_label(info.pose_s) if info.hold_s is not None and info.pose_s is not None else ""
    return FrameAnswer(
        index=index, t=f.t, detected=f.detected, points=points, checks=checks, title=info.title,
        side=v.side if v is not None else None, step=info.step, note=info.note, cue=info.cue,
        cue_kind=f.cue.kind if f.cue is not None else None, say=f.say, announcement=f.announcement,
        hold_s=_finite(info.hold_s, 2), hold_target_s=info.hold_target_s, timer_text=timer, pose_text=pose,
        rest_s=_finite(info.rest_s, 2),
        in_pose=bool(v.in_pose) if v is not None else False, **timing)


def drawing_rules() -> dict[str, Any]:
    """What the page draws with, from the same definitions as ``live``'s overlay.

    The status colours and a camera cue's (RGB), the bones between landmarks, and the
    first landmark drawn.
    """
    from posecheck.render.overlay.style import CAMERA_BGR, STATUS_BGR

    return {"colours": {s.value: list(bgr[::-1]) for s, bgr in STATUS_BGR.items()},
            "camera_cue": list(CAMERA_BGR[::-1]),
            "bones": [[int(a), int(b)] for a, b in CONNECTIONS if a >= FIRST_DRAWN and b >= FIRST_DRAWN],
            "first_drawn": FIRST_DRAWN}


__all__ = ["CheckShown", "Ended", "FrameAnswer", "Notice", "Ready", "Said", "drawing_rules", "frame_answer",
           "to_message"]
