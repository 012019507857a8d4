"""What the landmarks say about the body as a whole: its size in the image, the
way it faces, the camera view, and which leg is in front.

These are found per frame from the landmarks alone (nose, ears, shoulders, hips,
knees, ankles, heels and toes), so a spec can speak of the *front* leg of a lunge
whichever leg is forward.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from posecheck.core.frame import PoseFrame
from posecheck.core.landmarks import Landmark as L

#: Typical adult segment lengths as a fraction of the torso (shoulder midpoint to
#: hip midpoint, BlazePose hip landmarks). Foreshortening only ever shortens a
#: segment, so the longest segment relative to its typical length gives the best
#: estimate of the body's scale in pixels.
SEGMENT_RATIOS: dict[tuple[str, str], float] = {
    ("hip", "knee"): 0.80,
    ("knee", "ankle"): 0.76,
    ("shoulder", "elbow"): 0.55,
    ("elbow", "wrist"): 0.48,
}
TORSO_RATIO = 1.0

#: The foot (BlazePose heel to the tip of the toes) as a fraction of the torso: 0.44 in
#: the samples' truth, 0.37 as the model places the points. Not used for the body's scale
#: (the model's feet vary too much for that), only to tell a foot seen from the side from
#: one the model has folded under the heel (a still of ``lunge_side_drift_right`` puts the
#: toes 13 px from the heel, "-74°", with the foot flat on the mat).
FOOT_RATIO = 0.4

#: Average adult proportions used to undo a camera looking down at legs on the floor:
#: the distance between the BlazePose hip landmarks is about 0.44 thigh lengths, a
#: shin about 0.95 of a thigh. A person 10% off these averages moves a floor-plane
#: angle by roughly 10-15 degrees (see docs/accuracy.md).
HIP_WIDTH_PER_THIGH = 0.44
SHIN_PER_THIGH = SEGMENT_RATIOS[("knee", "ankle")] / SEGMENT_RATIOS[("hip", "knee")]

#: Below this share of its typical length, a segment points too much toward or away
#: from the camera for an angle at its ends to mean anything (cos 60° = 0.5).
FORESHORTENED_BELOW = 0.5

#: Shoulder and hip widths (BlazePose landmarks) as a fraction of the torso, seen square-on.
SHOULDER_WIDTH_RATIO = 0.75
HIP_WIDTH_RATIO = 0.37

#: "Squareness" is the seen width over the square-on width, about |cos| of the angle
#: between the camera and the person's front. Below SIDE_MAX (more than ~60° round)
#: the camera sees the person from the side; above FRONTAL_MIN (less than ~45°) from
#: the front or back; between, obliquely. A camera 25° off square to the side (which
#: still measures knee angles within a few degrees) gives about 0.42.
SIDE_MAX = 0.5
FRONTAL_MIN = 0.7


@dataclass(frozen=True)
class BodyView:
    """The body as seen in one frame.

    Attributes:
        scale: the torso length in pixels the body would have seen square-on
            (NaN when too little is visible to tell).
        facing: +1 when the person faces image-right, -1 image-left, 0 unknown.
        view: ``"side"``, ``"oblique"``, ``"front"``, ``"back"`` or ``"unknown"``.
        front_side: the leg further forward (``"left"``/``"right"``) in a side view, else None.
        width_ratio: squareness: seen shoulder/hip width over their square-on width
            (0 = exact side view, 1 = square to the front or back).
        near_side: in a side or oblique view, the side of the body that faces the camera
            (``"left"``/``"right"``), found from the way the face points and the way the
            torso runs; None when they do not show it clearly.
    """

    scale: float
    facing: int
    view: str
    front_side: str | None
    width_ratio: float
    near_side: str | None = None


@dataclass(frozen=True)
class FloorView:
    """How a camera looking down sees legs lying on the floor.

    Attributes:
        sin_pitch: sine of the camera's downward look at the floor (1 = straight down).
        thigh_px: a thigh's full length in pixels at the legs' distance.
    """

    sin_pitch: float
    thigh_px: float


def estimate_floor_view(frame: PoseFrame, min_visibility: float = 0.5) -> FloorView | None:
    """The camera's downward look, from shins lying on the floor and the hip width.

    The hip width is seen at full length from behind (it runs across the picture), so
    it gives the thigh's and shin's true pixel lengths through average proportions;
    a shin on the floor then shows how much the floor's depth is squashed. None when
    the hips or both shins are not visible, or the two shins disagree (not both on the
    floor), or a shin looks longer than it can be.
    """
    px = frame.pixels
    ok = frame.visible(min_visibility)
    lh, rh = L.LEFT_HIP, L.RIGHT_HIP
    if not (ok[lh] and ok[rh]):
        return None
    hip_w = math.hypot(*(px[lh] - px[rh]))
    if hip_w <= 0:
        return None
    thigh = hip_w / HIP_WIDTH_PER_THIGH
    shin = SHIN_PER_THIGH * thigh
    sines = []
    for side in ("left", "right"):
        k, a = L.of(side, "knee"), L.of(side, "ankle")
        if ok[k] and ok[a]:
            su, sv = px[a] - px[k]
            depth2 = shin * shin - su * su
            if depth2 > (0.2 * shin) ** 2:
                sines.append(abs(sv) / math.sqrt(depth2))
    if not sines or (len(sines) == 2 and abs(sines[0] - sines[1]) > 0.25):
        return None
    sp = float(np.mean(sines))
    if sp > 1.1 or sp < 0.25:
        return None
    return FloorView(min(sp, 1.0), thigh)


def _pt(px: np.ndarray, ok: np.ndarray, lm: L) -> np.ndarray | None:
    return px[lm] if ok[lm] else None


def _mid(px: np.ndarray, ok: np.ndarray, a: L, b: L) -> np.ndarray | None:
    if ok[a] and ok[b]:
        return (px[a] + px[b]) / 2.0
    return px[a] if ok[a] else (px[b] if ok[b] else None)


_LIMBS = tuple(
    (int(L.of(side, a)), int(L.of(side, b)), ratio)
    for (a, b), ratio in SEGMENT_RATIOS.items()
    for side in ("left", "right")
)


def body_scale(px: np.ndarray, ok: np.ndarray) -> float:
    """The body's torso length in pixels, from whichever segments are least foreshortened."""
    best = np.nan
    sh = _mid(px, ok, L.LEFT_SHOULDER, L.RIGHT_SHOULDER)
    hp = _mid(px, ok, L.LEFT_HIP, L.RIGHT_HIP)
    if sh is not None and hp is not None:
        best = math.hypot(*(sh - hp)) / TORSO_RATIO
    for la, lb, ratio in _LIMBS:
        if ok[la] and ok[lb]:
            d = px[la] - px[lb]
            est = math.hypot(d[0], d[1]) / ratio
            best = est if math.isnan(best) else max(best, est)
    return best


def expected_length(a: L, b: L, scale: float) -> float | None:
    """The square-on pixel length of the segment ``a``-``b``, if it is a known limb segment."""
    if a.side is None or a.side != b.side:
        return None
    ratio = SEGMENT_RATIOS.get((a.part, b.part)) or SEGMENT_RATIOS.get((b.part, a.part))
    if ratio is None and {a.part, b.part} == {"heel", "foot_index"}:
        ratio = FOOT_RATIO
    return None if ratio is None else ratio * scale


def _facing(px: np.ndarray, ok: np.ndarray) -> int:
    # The nose sits well ahead of the ears in profile; it is the steadiest cue.
    ears = _mid(px, ok, L.LEFT_EAR, L.RIGHT_EAR)
    nose = _pt(px, ok, L.NOSE)
    if ears is not None and nose is not None:
        dx = nose[0] - ears[0]
        if abs(dx) > 1e-6:
            return 1 if dx > 0 else -1
    # Otherwise the feet: toes point forward (of a foot standing on its sole).
    votes = 0.0
    for side in ("left", "right"):
        heel, toe = L.of(side, "heel"), L.of(side, "foot_index")
        if ok[heel] and ok[toe]:
            votes += px[toe][0] - px[heel][0]
    if votes:
        return 1 if votes > 0 else -1
    return 0


def _front_side(px: np.ndarray, ok: np.ndarray, facing: int) -> str | None:
    if facing == 0:
        return None
    for part in ("knee", "ankle"):
        a, b = L.of("left", part), L.of("right", part)
        if ok[a] and ok[b]:
            return "left" if (px[a][0] - px[b][0]) * facing > 0 else "right"
    return None


#: The face's direction and the torso's must be at least this far from parallel (as the
#: sine of the angle between them, 0.5 = 30°) for the side facing the camera to be read.
NEAR_SIDE_MIN_SINE = 0.5


def near_side(px: np.ndarray, ok: np.ndarray) -> str | None:
    """The side of the body facing the camera in a side view, from geometry alone.

    The person's right is their forward direction crossed with their up direction (hips
    to shoulders). Both are seen in the image plane in a side view, so the sign of the
    cross product says whether the right side points at the camera or away from it,
    however the body lies (standing, kneeling, lying on the back). The forward direction
    is the nose's from the ears. None when the face or the torso is not seen, or the two
    directions are too close to parallel to tell (a head bent onto the chest).
    """
    ears = _mid(px, ok, L.LEFT_EAR, L.RIGHT_EAR)
    nose = _pt(px, ok, L.NOSE)
    sh = _mid(px, ok, L.LEFT_SHOULDER, L.RIGHT_SHOULDER)
    hp = _mid(px, ok, L.LEFT_HIP, L.RIGHT_HIP)
    if ears is None or nose is None or sh is None or hp is None:
        return None
    fx, fy = nose - ears
    ux, uy = sh - hp
    norm = math.hypot(fx, fy) * math.hypot(ux, uy)
    if norm <= 0:
        return None
    # Image y points down: with y up the cross product's z is fx*(-uy) - (-fy)*ux.
    cross = (fy * ux - fx * uy) / norm
    if abs(cross) < NEAR_SIDE_MIN_SINE:
        return None
    return "right" if cross > 0 else "left"


def analyse_body(frame: PoseFrame, min_visibility: float = 0.5, ok: np.ndarray | None = None) -> BodyView:
    """Scale, facing, camera view and front leg of the person in ``frame``.

    ``ok`` may pass ``frame.visible(min_visibility)`` when the caller has it already.
    """
    px = frame.pixels
    if ok is None:
        ok = frame.visible(min_visibility)
    scale = body_scale(px, ok)
    widths = []
    for a, b, typical in ((L.LEFT_SHOULDER, L.RIGHT_SHOULDER, SHOULDER_WIDTH_RATIO),
                          (L.LEFT_HIP, L.RIGHT_HIP, HIP_WIDTH_RATIO)):
        if ok[a] and ok[b]:
            widths.append(float(np.hypot(*(px[a] - px[b]))) / typical)
    if not widths or not np.isfinite(scale) or scale <= 0:
        return BodyView(scale=scale, facing=0, view="unknown", front_side=None, width_ratio=np.nan)
    ratio = float(np.mean(widths)) / scale
    if ratio < SIDE_MAX:
        view = "side"
    elif ratio < FRONTAL_MIN:
        view = "oblique"
    else:
        # Facing the camera, the person's left shoulder appears on the image's right.
        ls, rs = L.LEFT_SHOULDER, L.RIGHT_SHOULDER
        a, b = (ls, rs) if ok[ls] and ok[rs] else (L.LEFT_HIP, L.RIGHT_HIP)
        view = "front" if px[a][0] > px[b][0] else "back"
    facing = _facing(px, ok) if view in ("side", "oblique") else 0
    front = _front_side(px, ok, facing) if view in ("side", "oblique") else None
    near = near_side(px, ok) if view in ("side", "oblique") else None
    return BodyView(scale=scale, facing=facing, view=view, front_side=front, width_ratio=ratio, near_side=near)
