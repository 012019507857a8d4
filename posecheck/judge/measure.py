"""Measuring one frame against one spec: a value per check, or the reason there is none.

Measuring is separate from judging: this module says *what the landmarks show* (a knee
angle of 116°, or "the left knee is not visible"); :mod:`posecheck.judge.assess` says
*what that means* for the pose (off, with a correction). Recognition measures every
spec's checks and posture checks but never needs a sentence, so it stops here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from posecheck.core.body import FORESHORTENED_BELOW, BodyView, FloorView, analyse_body, estimate_floor_view
from posecheck.core.frame import PointFlag, PoseFrame
from posecheck.core.landmarks import Landmark
from posecheck.judge.status import Reason
from posecheck.judge.wording import LEGS
from posecheck.specs.compiled import CompiledMeasurement

#: Views of the body each spec view accepts. A side view filmed up to ~25° off square
#: still measures knee angles within a few degrees (POSES.md), which ``side`` covers.
ACCEPTED_VIEWS = {
    "side": ("side",),
    "front": ("front",),
    "back-high": ("back",),
    "any": ("side", "oblique", "front", "back", "unknown"),
}


@dataclass(frozen=True)
class Measured:
    """One measurement in one frame.

    Attributes:
        id: the check's id.
        value: the value (degrees or ratio); NaN when it could not be measured.
        reason: why not (None when measured).
        anchor: the landmark where the value belongs on a drawing (None if unresolved).
        landmarks: the landmarks the measurement used.
        hidden: for ``NOT_VISIBLE``, the first landmark the model could not see.
        off_parts: for ``OFF_FRAME``, the body parts outside the picture.
        about_side: the side a camera instruction should name (a foreshortened
            segment's side, or the leg in front), if any. For ``NOT_VISIBLE``, only a side
            the person can usefully turn to the camera (see :func:`measure`).
        near_side: for ``NOT_VISIBLE``, the side of the body facing the camera, when the
            view shows it.
        role: for ``NOT_VISIBLE`` in a pose with sides, whether the hidden point is on the
            ``front`` or the ``back`` leg.
    """

    id: str
    value: float
    reason: Reason | None = None
    anchor: Landmark | None = None
    landmarks: tuple[Landmark, ...] = ()
    hidden: Landmark | None = None
    off_parts: frozenset[str] = frozenset()
    about_side: str | None = None
    near_side: str | None = None
    role: str | None = None

    @property
    def measured(self) -> bool:
        """Whether there is a value."""
        return self.reason is None


@dataclass(frozen=True)
class Context:
    """What a check kind may know about the frame besides its own points."""

    facing: int
    scale: float
    floor: FloorView | None


@dataclass(frozen=True)
class FrameMeasurement:
    """Every check (and, if asked, posture check) of a spec measured in one frame.

    Attributes:
        pose: the spec's id.
        timestamp: the frame's time.
        side: the leg taken to be in front (``front_back`` specs), else None.
        body: the body analysis the measurements used.
        checks: one :class:`Measured` per check, in spec order.
        posture: one per posture check (empty unless asked for).
        detected: whether a person was found.
    """

    pose: str
    timestamp: float
    side: str | None
    body: BodyView
    checks: tuple[Measured, ...]
    posture: tuple[Measured, ...] = ()
    detected: bool = True


def _unknown(c: CompiledMeasurement, reason: Reason, lms: tuple[Landmark, ...] = (), **kw) -> Measured:
    anchor = lms[c.kind.anchor] if len(lms) > c.kind.anchor else None
    return Measured(c.id, math.nan, reason, anchor, lms, **kw)


def _point(px: np.ndarray, group: tuple[Landmark, ...]) -> np.ndarray:
    if len(group) == 1:
        return px[group[0]]
    return (px[group[0]] + px[group[1]]) * 0.5


def measure_one(c: CompiledMeasurement, frame: PoseFrame, px: np.ndarray, visible: np.ndarray,
                body: BodyView, ctx: Context, front: str | None) -> Measured:
    """Measure one compiled check in one frame (the person was found and the view accepted)."""
    res = c.by_front[front]
    if res is None:
        return _unknown(c, Reason.SIDE_UNKNOWN)
    anchors = res.anchors
    if c.own_visibility:
        visible = frame.visible(c.min_visibility)
    if not all(visible[lm] for lm in res.used):
        hidden = [lm for lm in res.used if not visible[lm]]
        off = [lm for lm in hidden if frame.flags[lm] == PointFlag.OFF_IMAGE]
        if off:
            return _unknown(c, Reason.OFF_FRAME, anchors, off_parts=frozenset(lm.part for lm in off))
        odd = [lm for lm in hidden if frame.flags[lm] == PointFlag.IMPLAUSIBLE]
        if odd:
            return _unknown(c, Reason.IMPLAUSIBLE, anchors, hidden=odd[0])
        return _unknown(c, Reason.NOT_VISIBLE, anchors, hidden=hidden[0], about_side=hidden[0].side)
    if c.kind.needs_facing and ctx.facing == 0:
        return _unknown(c, Reason.WRONG_VIEW, anchors, about_side=front)
    pts = np.array([_point(px, g) for g in res.groups])
    rel = np.array([_point(px, g) for g in res.rel_groups]) if res.rel_groups else None
    # A limb pointing at the camera: its angle cannot be judged from this view.
    if res.guarded and math.isfinite(body.scale):
        for i, j, share in res.guarded:
            d = pts[i] - pts[j]
            if math.hypot(d[0], d[1]) < FORESHORTENED_BELOW * share * body.scale:
                return _unknown(c, Reason.FORESHORTENED, anchors, about_side=res.groups[i][0].side or front)
    value = c.kind.measure(pts, rel, ctx, c.options)
    if not math.isfinite(value):
        if c.floor:
            # The legs do not look like legs lying on a floor seen from above.
            return _unknown(c, Reason.FORESHORTENED, anchors)
        return _unknown(c, Reason.NOT_VISIBLE, anchors)
    return Measured(c.id, float(value), None, anchors[c.kind.anchor], anchors)


def measure(frame: PoseFrame, spec, side: str | None = None, floor: FloorView | None = None,  # noqa: ANN001
            body: BodyView | None = None, posture: bool = False) -> FrameMeasurement:
    """Measure every check of ``spec`` in ``frame``.

    Args:
        frame: the landmarks of one image.
        spec: the pose (a :class:`~posecheck.specs.models.PoseSpec`).
        side: for ``front_back`` specs, force which leg is in front instead of finding it.
        floor: how the camera sees the floor, for ``plane: floor`` angles; estimated from
            this frame when not given.
        body: the frame's :func:`~posecheck.core.body.analyse_body` result, if the caller has it.
        posture: also measure the posture checks (recognition).
    """
    compiled = spec.compiled
    visible = frame.visible(spec.min_visibility)
    if body is None:
        body = analyse_body(frame, spec.min_visibility, visible)
    groups = (compiled.checks, compiled.posture) if posture else (compiled.checks,)
    if not frame.detected:
        out = [tuple(_unknown(c, Reason.NO_PERSON) for c in g) for g in groups]
        return FrameMeasurement(spec.id, frame.timestamp, None, body, out[0], out[1] if posture else (),
                                detected=False)
    front = None
    if spec.sides == "front_back":
        front = side if side in ("left", "right") else body.front_side
    if body.view not in ACCEPTED_VIEWS[spec.view]:
        out = [tuple(_unknown(c, Reason.WRONG_VIEW, about_side=front) for c in g) for g in groups]
        return FrameMeasurement(spec.id, frame.timestamp, front, body, out[0], out[1] if posture else ())
    if floor is None and compiled.needs_floor:
        floor = estimate_floor_view(frame, spec.min_visibility)
    ctx = Context(facing=body.facing, scale=body.scale, floor=floor)
    px = frame.pixels
    odd_leg = next((lm for lm in _FRONT_FINDERS if frame.flags[lm] == PointFlag.IMPLAUSIBLE), None)
    out = [tuple(_honest(measure_one(c, frame, px, visible, body, ctx, front), spec, body, front, odd_leg)
                 for c in g) for g in groups]
    return FrameMeasurement(spec.id, frame.timestamp, front, body, out[0], out[1] if posture else ())


#: The points the leg in front is found from (see :func:`~posecheck.core.body.analyse_body`).
_FRONT_FINDERS = tuple(Landmark.of(side, part) for part in ("knee", "ankle") for side in ("left", "right"))


def _honest(m: Measured, spec, body: BodyView, front: str | None,  # noqa: ANN001
            odd_leg: Landmark | None = None) -> Measured:
    """Why a check is unknown, said so that any instruction is one the person can follow.

    * Which leg is in front is not known because a knee or ankle is not plausible: that
      is the reason, not the camera (turning sideways would not help a person already so).
    * A leg that looks foreshortened while the body is seen in profile, in a pose judged
      in profile: the legs of these poses move in the plane the camera sees, so a leg
      that looks shorter than half its length is one the model has lost (or one turned
      out of the pose). No turn of the person's would help: it is not plausible.
    * A point the model cannot see: turning a side to the camera helps only when it is
      on the far side of a pose judged on one side (the left leg of happy baby, filmed
      from the right). A point on the side already facing the camera is the model
      failing; in a pose with a front and a back leg one leg is always the far one, so
      turning would only hide the other.
    """
    if m.reason is Reason.SIDE_UNKNOWN and odd_leg is not None:
        return replace(m, reason=Reason.IMPLAUSIBLE, hidden=odd_leg)
    if m.reason is Reason.FORESHORTENED and spec.view == "side" and body.view == "side" and \
            m.anchor is not None and m.anchor.part in LEGS:
        return replace(m, reason=Reason.IMPLAUSIBLE, hidden=m.anchor, about_side=None)
    if m.reason is not Reason.NOT_VISIBLE or m.hidden is None:
        return m
    side = m.hidden.side
    turn = side if (spec.compiled.one_sided and body.near_side is not None and side is not None
                    and side != body.near_side) else None
    role = None
    if spec.sides == "front_back" and front in ("left", "right") and side is not None:
        role = "front" if side == front else "back"
    return replace(m, about_side=turn, near_side=body.near_side, role=role)


__all__ = ["ACCEPTED_VIEWS", "Context", "FrameMeasurement", "Measured", "measure", "measure_one"]
