"""Stick figures built from joint angles: landmark sets with exactly known values.

Side-view figures are laid out in body coordinates (x forward, y up, metres) and
mapped to pixels for a person facing image-right (``facing=1``) or image-left.
Segment lengths follow :data:`posecheck.core.body.SEGMENT_RATIOS`, so the body scale
and foreshortening guard see a well-proportioned body.
"""

from __future__ import annotations

import math

import numpy as np

from posecheck.core.frame import PoseFrame
from posecheck.core.landmarks import Landmark as L

TORSO = 0.52
THIGH = 0.80 * TORSO
SHIN = 0.76 * TORSO
HIP_HALF_WIDTH = 0.44 * THIGH / 2  # average proportions (posecheck.core.body.HIP_WIDTH_PER_THIGH)
SIZE = (1280, 720)
PPM = 400.0  # pixels per metre


def _rot(v: np.ndarray, deg: float) -> np.ndarray:
    a = math.radians(deg)
    c, s = math.cos(a), math.sin(a)
    return np.array([v[0] * c - v[1] * s, v[0] * s + v[1] * c])


def _unit(deg_from_vertical: float) -> np.ndarray:
    a = math.radians(deg_from_vertical)
    return np.array([math.sin(a), math.cos(a)])


def _finish(body: dict[L, np.ndarray], facing: int, hide, off, size, origin_x: float,
            visibility: float = 0.99, timestamp: float = 0.0) -> PoseFrame:
    w, h = size
    px = np.full((33, 2), np.nan)
    for lm, (x, y) in body.items():
        px[lm] = (origin_x + facing * x * PPM, h - 60 - y * PPM)
    for lm in off:
        px[lm] = (px[lm][0], h + 100.0)
    vis = np.full(33, visibility)
    for lm in hide:
        vis[lm] = 0.05
    return PoseFrame.from_pixels(px, size, timestamp=timestamp, visibility=vis)


def lunge(front: str = "left", knee_angle: float = 90.0, shin_tilt: float = 0.0,
          torso_tilt: float = 0.0, back_knee_lift: float = 0.0, foot_tilt: float = 0.0,
          facing: int = 1, hide: tuple[L, ...] = (), off: tuple[L, ...] = (),
          size: tuple[int, int] = SIZE, timestamp: float = 0.0) -> PoseFrame:
    """A kneeling lunge seen from the side.

    Args:
        front: the leg in front.
        knee_angle: hip–knee–ankle angle of the front leg.
        shin_tilt: degrees the front shin leans forward from vertical; the knee is
            ``sin(shin_tilt)`` shin lengths ahead of the ankle.
        torso_tilt: degrees the torso leans forward of vertical.
        back_knee_lift: back knee height above the front ankle, in back-thigh lengths.
        foot_tilt: degrees the front toes are raised above the heel.
        facing: +1 faces image-right, -1 image-left.
        hide: landmarks given visibility 0.05.
        off: landmarks placed below the image.
    """
    back = "right" if front == "left" else "left"
    ankle = np.array([0.0, 0.08])
    knee = ankle + SHIN * _unit(shin_tilt)
    to_ankle = (ankle - knee) / SHIN
    hip = knee + THIGH * _rot(to_ankle, -knee_angle)
    bk_y = ankle[1] + back_knee_lift * THIGH
    dy = hip[1] - bk_y
    bk = np.array([hip[0] - math.sqrt(max(THIGH**2 - dy**2, 0.0)), bk_y])
    ba = bk + np.array([-SHIN, 0.02])
    shoulder = hip + TORSO * _unit(torso_tilt)
    up = _unit(torso_tilt)
    ear = shoulder + 0.25 * up
    heel = ankle + np.array([-0.06, -0.05])
    toe = heel + 0.2 * np.array([math.cos(math.radians(foot_tilt)), math.sin(math.radians(foot_tilt))])
    body: dict[L, np.ndarray] = {}
    for side, dx in (("left", -0.01), ("right", 0.01)):
        d = np.array([dx, 0.0])
        body[L.of(side, "shoulder")] = shoulder + d
        body[L.of(side, "hip")] = hip  # both hips on one point: the back thigh's length stays exact
        body[L.of(side, "ear")] = ear + d
        body[L.of(side, "elbow")] = shoulder + np.array([0.05, -0.28]) + d
        body[L.of(side, "wrist")] = shoulder + np.array([0.15, -0.50]) + d
        for part in ("pinky", "index", "thumb"):
            body[L.of(side, part)] = shoulder + np.array([0.18, -0.56]) + d
        for part in ("eye_inner", "eye", "eye_outer"):
            body[L.of(side, part)] = ear + np.array([0.07, 0.01]) + d
    body[L.NOSE] = ear + np.array([0.11, -0.03])
    body[L.MOUTH_LEFT] = body[L.MOUTH_RIGHT] = ear + np.array([0.08, -0.07])
    body[L.of(front, "knee")] = knee
    body[L.of(front, "ankle")] = ankle
    body[L.of(front, "heel")] = heel
    body[L.of(front, "foot_index")] = toe
    body[L.of(back, "knee")] = bk
    body[L.of(back, "ankle")] = ba
    body[L.of(back, "heel")] = ba + np.array([0.02, 0.06])
    body[L.of(back, "foot_index")] = ba + np.array([-0.14, -0.03])
    return _finish(body, facing, hide, off, size, origin_x=size[0] / 2 + facing * 0.1 * PPM,
                   timestamp=timestamp)


def lunge_from_front(front: str = "left", size: tuple[int, int] = SIZE) -> PoseFrame:
    """A 90° lunge filmed from the front: the front thigh points at the camera."""
    w, h = size
    px = np.full((33, 2), np.nan)
    cx = w / 2
    s = PPM

    def put(lm: L, x: float, y: float) -> None:
        px[lm] = (cx + x * s, h - 60 - y * s)

    sign = {"left": 1.0, "right": -1.0}  # facing the camera: the person's left is image-right
    for side in ("left", "right"):
        k = sign[side]
        put(L.of(side, "shoulder"), 0.19 * k, 1.05)
        put(L.of(side, "hip"), 0.12 * k, 0.53)
        put(L.of(side, "elbow"), 0.24 * k, 0.78)
        put(L.of(side, "wrist"), 0.26 * k, 0.55)
        for part in ("pinky", "index", "thumb"):
            put(L.of(side, part), 0.27 * k, 0.50)
        put(L.of(side, "ear"), 0.07 * k, 1.30)
        for part in ("eye_inner", "eye", "eye_outer"):
            put(L.of(side, part), 0.03 * k, 1.34)
    put(L.NOSE, 0.0, 1.31)
    put(L.MOUTH_LEFT, 0.02, 1.26)
    put(L.MOUTH_RIGHT, -0.02, 1.26)
    back = "right" if front == "left" else "left"
    kf = sign[front]
    put(L.of(front, "knee"), 0.14 * kf, 0.47)  # thigh toward the camera: nearly no length
    put(L.of(front, "ankle"), 0.14 * kf, 0.08)
    put(L.of(front, "heel"), 0.14 * kf, 0.04)
    put(L.of(front, "foot_index"), 0.15 * kf, 0.02)
    kb = sign[back]
    put(L.of(back, "knee"), 0.11 * kb, 0.12)
    put(L.of(back, "ankle"), 0.10 * kb, 0.10)
    put(L.of(back, "heel"), 0.10 * kb, 0.14)
    put(L.of(back, "foot_index"), 0.10 * kb, 0.06)
    return PoseFrame.from_pixels(px, size, visibility=0.99)


def frog(left_angle: float = 90.0, right_angle: float = 90.0, spread: float = 0.0,
         pitch: float = 45.0, size: tuple[int, int] = SIZE, hide: tuple[L, ...] = (),
         hip_lift: float = 0.0) -> PoseFrame:
    """A frog seen from behind and above, the camera pitched ``pitch`` degrees down.

    Thighs lie nearly flat, going out sideways from the hips and ``spread`` degrees
    forward; each shin lies on the floor at the given angle to its thigh, pointing
    back toward the camera. Projection is orthographic: x lateral, the floor's depth
    squashed by ``sin(pitch)``, height by ``cos(pitch)``.
    """
    sp, cp = math.sin(math.radians(pitch)), math.cos(math.radians(pitch))
    pts3: dict[L, tuple[float, float, float]] = {}
    sign = {"left": -1.0, "right": 1.0}  # from behind, the person's left is image-left
    for side, angle in (("left", left_angle), ("right", right_angle)):
        k = sign[side]
        hip = np.array([HIP_HALF_WIDTH * k, 0.06 + hip_lift, 0.0])
        drop = hip[1] - 0.06
        flat = math.sqrt(THIGH**2 - drop**2)
        g = math.radians(spread)
        knee = hip + np.array([k * flat * math.cos(g), -drop, flat * math.sin(g)])
        to_hip = np.array([hip[0] - knee[0], hip[2] - knee[2]])
        to_hip /= np.linalg.norm(to_hip)
        cands = [_rot(to_hip, angle), _rot(to_hip, -angle)]
        shin = min(cands, key=lambda v: v[1])  # the shin points back (toward the camera)
        ankle = np.array([knee[0] + SHIN * shin[0], 0.06, knee[2] + SHIN * shin[1]])
        pts3[L.of(side, "hip")] = tuple(hip)
        pts3[L.of(side, "knee")] = tuple(knee)
        pts3[L.of(side, "ankle")] = tuple(ankle)
        pts3[L.of(side, "heel")] = tuple(ankle + np.array([0.0, 0.03, -0.05]))
        pts3[L.of(side, "foot_index")] = tuple(ankle + np.array([0.02 * k, -0.04, -0.12]))
        pts3[L.of(side, "shoulder")] = (0.18 * k, 0.35, 0.52)
        pts3[L.of(side, "elbow")] = (0.20 * k, 0.05, 0.50)
        pts3[L.of(side, "wrist")] = (0.15 * k, 0.04, 0.75)
        for part in ("pinky", "index", "thumb"):
            pts3[L.of(side, part)] = (0.14 * k, 0.03, 0.82)
        pts3[L.of(side, "ear")] = (0.07 * k, 0.35, 0.72)
        for part in ("eye_inner", "eye", "eye_outer"):
            pts3[L.of(side, part)] = (0.03 * k, 0.33, 0.78)
    pts3[L.NOSE] = (0.0, 0.30, 0.80)
    pts3[L.MOUTH_LEFT] = (-0.02, 0.27, 0.79)
    pts3[L.MOUTH_RIGHT] = (0.02, 0.27, 0.79)
    w, h = size
    px = np.full((33, 2), np.nan)
    scale = 500.0
    for lm, (x, y, z) in pts3.items():
        px[lm] = (w / 2 + x * scale, h * 0.6 - (z * sp + y * cp) * scale)
    vis = np.full(33, 0.99)
    for lm in hide:
        vis[lm] = 0.05
    return PoseFrame.from_pixels(px, size, visibility=vis)
