"""Assessing one frame against one spec: a value, a status and a cue per check.

Honest measurement comes first. A check whose points the model cannot see is
``unknown`` with the reason; a camera view the spec cannot be judged from, or a
limb pointing so much at the camera that its angle means nothing, gives a camera
instruction instead of a correction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import Enum

import numpy as np

from posecheck.checks import CheckKind, get_kind
from posecheck.core.body import (
    FORESHORTENED_BELOW,
    BodyView,
    FloorView,
    analyse_body,
    estimate_floor_view,
    expected_length,
)
from posecheck.core.frame import PointFlag, PoseFrame
from posecheck.core.landmarks import Landmark
from posecheck.specs.models import CheckSpec, PoseSpec, points_of
from posecheck.specs.points import PointRef


class Status(str, Enum):
    """How a measured value compares with its target."""

    OK = "ok"
    NEAR = "near"
    OFF = "off"
    UNKNOWN = "unknown"


class Reason(str, Enum):
    """Why a check is unknown."""

    NO_PERSON = "no person"
    OFF_FRAME = "off-frame"
    NOT_VISIBLE = "not visible"
    FORESHORTENED = "too foreshortened to judge from this view"
    WRONG_VIEW = "wrong view"
    SIDE_UNKNOWN = "cannot tell which leg is in front"


#: Views of the body each spec view accepts. A side view filmed up to ~25° off square
#: still measures knee angles within a few degrees (POSES.md), which ``side`` covers.
ACCEPTED_VIEWS = {
    "side": ("side",),
    "front": ("front",),
    "back-high": ("back",),
    "any": ("side", "oblique", "front", "back", "unknown"),
}

#: The camera cue when nobody is in the picture.
NO_PERSON_CUE = "I can't see you: step into the camera's view."

FEET = {"ankle", "heel", "foot_index"}
HANDS = {"wrist", "pinky", "index", "thumb"}


@dataclass(frozen=True)
class CheckResult:
    """The verdict on one check in one frame.

    Attributes:
        id: the check's id.
        value: the measured value (degrees or ratio), NaN when unknown.
        status: ok / near / off / unknown.
        deviation: signed distance from the target (NaN when unknown).
        cue: what to tell the person: a correction for ``off``/``near``, a camera
            or visibility instruction for ``unknown``, None when ``ok``.
        reason: why the check is unknown (None otherwise).
        anchor: the landmark where the value belongs on a drawing (None if unresolved).
        landmarks: the landmarks the check used.
    """

    id: str
    value: float
    status: Status
    deviation: float = float("nan")
    cue: str | None = None
    reason: Reason | None = None
    anchor: Landmark | None = None
    landmarks: tuple[Landmark, ...] = ()

    @property
    def measured(self) -> bool:
        """Whether the check produced a value."""
        return self.status is not Status.UNKNOWN


@dataclass(frozen=True)
class Assessment:
    """Every check of a spec, judged in one frame."""

    pose: str
    timestamp: float
    side: str | None
    body: BodyView
    results: tuple[CheckResult, ...]
    camera_cue: str | None = None
    _by_id: dict[str, CheckResult] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_id.update({r.id: r for r in self.results})

    def __getitem__(self, check_id: str) -> CheckResult:
        return self._by_id[check_id]

    @property
    def measured_share(self) -> float:
        """Share of checks with a value."""
        return sum(r.measured for r in self.results) / max(len(self.results), 1)


@dataclass(frozen=True)
class _Ctx:
    facing: int
    scale: float
    floor: FloorView | None


@dataclass(frozen=True)
class _Resolved:
    """A check's points as landmark groups for one choice of front leg."""

    groups: tuple[tuple[Landmark, ...], ...]
    rel_groups: tuple[tuple[Landmark, ...], ...]
    used: tuple[Landmark, ...]
    anchors: tuple[Landmark, ...]
    #: (i, j, expected length as a share of body scale) of guarded limb segments
    guarded: tuple[tuple[int, int, float], ...]


@dataclass(frozen=True)
class _Compiled:
    check: CheckSpec
    kind: CheckKind
    min_visibility: float
    by_front: dict[str | None, _Resolved | None]


def _resolve(kind: CheckKind, pts: list[PointRef], rel: list[PointRef], front: str | None) -> _Resolved | None:
    groups = tuple(p.landmarks(front) for p in pts)
    rel_groups = tuple(p.landmarks(front) for p in rel)
    if any(len(g) == 0 for g in groups + rel_groups):
        return None
    guarded = []
    for i, j in kind.segments:
        if len(groups[i]) == 1 and len(groups[j]) == 1:
            share = expected_length(groups[i][0], groups[j][0], 1.0)
            if share:
                guarded.append((i, j, share))
    return _Resolved(groups, rel_groups, tuple(lm for g in groups + rel_groups for lm in g),
                     tuple(g[0] for g in groups), tuple(guarded))


def _compile(spec: PoseSpec) -> tuple[_Compiled, ...]:
    out = []
    for check in spec.checks:
        pts, rel = points_of(check, spec.sides)
        kind = get_kind(check.kind)
        vis = check.min_visibility if check.min_visibility is not None else spec.min_visibility
        by_front = {front: _resolve(kind, pts, rel, front) for front in (None, "left", "right")}
        out.append(_Compiled(check, kind, vis, by_front))
    return tuple(out)


_COMPILED: dict[int, tuple[PoseSpec, tuple[_Compiled, ...], bool]] = {}


def _compiled(spec: PoseSpec) -> tuple[tuple[_Compiled, ...], bool]:
    """The spec's checks resolved ahead of time, and whether any needs the floor squash."""
    hit = _COMPILED.get(id(spec))
    if hit is None or hit[0] is not spec:
        checks = _compile(spec)
        floor = any(c.check.options.get("plane") == "floor" for c in checks)
        hit = (spec, checks, floor)
        _COMPILED[id(spec)] = hit
    return hit[1], hit[2]


def format_cue(text: str, side: str | None, value: float, target: str) -> str:
    """Fill a spec's cue sentence with the side, value and target."""
    other = {"left": "right", "right": "left"}.get(side or "", "other")
    return text.format(side=side or "", other_side=other, value=f"{value:.0f}", target=target)


def camera_instruction(spec: PoseSpec, side: str | None) -> str:
    """What to change about the camera so ``spec`` can be judged."""
    if spec.view == "side":
        return f"Turn your {side} side to the camera." if side else "Turn sideways to the camera."
    if spec.view == "back-high":
        return "Put the camera behind you, higher than your hips, looking down at the mat."
    if spec.view == "front":
        return "Face the camera."
    return "Move so the camera sees your whole body."


def _off_frame_cue(parts: set[str]) -> str:
    if parts & FEET or "knee" in parts:
        return "Step back so I can see your feet."
    if parts & {"nose", "eye", "ear", "shoulder"}:
        return "Step back so I can see your head and shoulders."
    if parts & HANDS:
        return "Step back so I can see your hands."
    return "Move so your whole body is in view."


def _status(target, value: float) -> tuple[Status, float]:
    dev = target.deviation(value)
    mag = abs(dev)
    if mag <= target.ok:
        return Status.OK, dev
    if mag <= target.near:
        return Status.NEAR, dev
    return Status.OFF, dev


def _unknown(c: _Compiled, reason: Reason, cue: str | None, lms: tuple[Landmark, ...] = ()) -> CheckResult:
    anchor = lms[c.kind.anchor] if len(lms) > c.kind.anchor else None
    return CheckResult(c.check.id, float("nan"), Status.UNKNOWN, cue=cue, reason=reason,
                       anchor=anchor, landmarks=lms)


def _point(px: np.ndarray, group: tuple[Landmark, ...]) -> np.ndarray:
    if len(group) == 1:
        return px[group[0]]
    return (px[group[0]] + px[group[1]]) * 0.5


def _judge(c: _Compiled, spec: PoseSpec, frame: PoseFrame, px: np.ndarray, visible: np.ndarray,
           body: BodyView, ctx: _Ctx, front: str | None) -> CheckResult:
    res = c.by_front[front]
    if res is None:
        return _unknown(c, Reason.SIDE_UNKNOWN, camera_instruction(spec, None))
    anchors = res.anchors
    if c.min_visibility != spec.min_visibility:
        visible = frame.visible(c.min_visibility)
    if not all(visible[lm] for lm in res.used):
        hidden = [lm for lm in res.used if not visible[lm]]
        off = [lm for lm in hidden if frame.flags[lm] == PointFlag.OFF_IMAGE]
        if off:
            return _unknown(c, Reason.OFF_FRAME, _off_frame_cue({lm.part for lm in off}), anchors)
        lm = hidden[0]
        where = (camera_instruction(spec, lm.side).rstrip(".").lower() if spec.view == "side"
                 else "check that the camera sees your whole body")
        cue = f"I can't see your {lm.label.replace('_', ' ')} clearly: {where}."
        return _unknown(c, Reason.NOT_VISIBLE, cue, anchors)
    if c.kind.needs_facing and ctx.facing == 0:
        return _unknown(c, Reason.WRONG_VIEW, camera_instruction(spec, front), anchors)
    pts = np.array([_point(px, g) for g in res.groups])
    rel = np.array([_point(px, g) for g in res.rel_groups]) if res.rel_groups else None
    # A limb pointing at the camera: its angle cannot be judged from this view.
    if res.guarded and math.isfinite(body.scale):
        for i, j, share in res.guarded:
            d = pts[i] - pts[j]
            if math.hypot(d[0], d[1]) < FORESHORTENED_BELOW * share * body.scale:
                return _unknown(c, Reason.FORESHORTENED,
                                camera_instruction(spec, res.groups[i][0].side or front), anchors)
    value = c.kind.measure(pts, rel, ctx, c.check.options)
    if not math.isfinite(value):
        if c.check.options.get("plane") == "floor":
            # The legs do not look like legs lying on a floor seen from above.
            return _unknown(c, Reason.FORESHORTENED, camera_instruction(spec, None), anchors)
        return _unknown(c, Reason.NOT_VISIBLE, "Move so your whole body is in view.", anchors)
    status, dev = _status(c.check.target, value)
    cue = None
    if status is not Status.OK:
        text = c.check.cues.below if dev < 0 else c.check.cues.above
        cue = format_cue(text or "", front, value, c.check.target.describe())
    return CheckResult(c.check.id, value, status, dev, cue, None, anchors[c.kind.anchor], anchors)


def assess(frame: PoseFrame, spec: PoseSpec, side: str | None = None,
           floor: FloorView | None = None, body: BodyView | None = None) -> Assessment:
    """Judge every check of ``spec`` in ``frame``.

    Args:
        frame: the landmarks of one image.
        spec: the pose to judge against.
        side: for ``front_back`` specs, force which leg is in front (``left``/``right``)
            instead of finding it from the landmarks.
        floor: how the camera sees the floor, for ``plane: floor`` angles; estimated
            from this frame when not given.
        body: the frame's :func:`~posecheck.core.body.analyse_body` result, if the caller has it.

    Returns:
        The :class:`Assessment`, with one :class:`CheckResult` per check in spec order.
    """
    compiled, needs_floor = _compiled(spec)
    visible = frame.visible(spec.min_visibility)
    if body is None:
        body = analyse_body(frame, spec.min_visibility, visible)
    if not frame.detected:
        cue = NO_PERSON_CUE
        results = tuple(_unknown(c, Reason.NO_PERSON, cue) for c in compiled)
        return Assessment(spec.id, frame.timestamp, None, body, results, cue)
    front = None
    if spec.sides == "front_back":
        front = side if side in ("left", "right") else body.front_side
    if body.view not in ACCEPTED_VIEWS[spec.view]:
        cue = camera_instruction(spec, front)
        results = tuple(_unknown(c, Reason.WRONG_VIEW, cue) for c in compiled)
        return Assessment(spec.id, frame.timestamp, front, body, results, cue)
    if floor is None and needs_floor:
        floor = estimate_floor_view(frame, spec.min_visibility)
    ctx = _Ctx(facing=body.facing, scale=body.scale, floor=floor)
    px = frame.pixels
    results = tuple(_judge(c, spec, frame, px, visible, body, ctx, front) for c in compiled)
    # Anything that stops a check being judged is about the camera or visibility: say it
    # first, so the person fixes the view before chasing a correction.
    camera = next((r.cue for r in results if r.reason in (Reason.OFF_FRAME, Reason.FORESHORTENED,
                                                         Reason.WRONG_VIEW, Reason.SIDE_UNKNOWN)), None)
    if camera is None:
        camera = next((r.cue for r in results if r.reason is Reason.NOT_VISIBLE), None)
    return Assessment(spec.id, frame.timestamp, front, body, results, camera)
