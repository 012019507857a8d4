"""Posing vocabulary: a pose is a function of time returning a PoseFrame, whose
`build(adjust)` gives per-segment target directions (see rig.Body.pose).

Helpers here turn joint angles into segment directions (sagittal pitch: 0 =
forward, 90 = up, -90 = down, 180 = back, in the pose frame: y up, person faces
+z, person's left = +x), and solve two-bone reaches (arms to the floor/heels).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

from .geometry import LEFT, dir_pitch, slerp_dir, unit

SIDES = {"left": ("L", 1.0), "right": ("R", -1.0)}


@dataclass
class PoseFrame:
    """One frame of a pose script.

    build(adjust) -> {segment: (d, h)}; `adjust` is the free parameter the floor
    contact solver varies (in `adjust_range`) so that the `secondary` region
    touches the mat while the `primary` region rests on it. primary None = the
    lowest vertex of the body rests on the mat.
    """
    build: Callable[[float], dict]
    in_pose: bool = True
    front_side: Optional[str] = None
    primary: Optional[tuple] = None
    secondary: Optional[tuple] = None
    adjust_range: Optional[tuple] = None
    adjust_default: float = 0.0
    fallback: Optional["PoseFrame"] = None   # tried when secondary cannot be reached
    reach: Optional[Callable] = None        # (landmarks, mat_y) -> {side: wrist target}
    anchor: Optional[tuple] = None          # (landmark, [x, z]) kept fixed horizontally
    info: dict = field(default_factory=dict)


def leg(side: str, d_thigh, d_shin, d_foot, h_default=LEFT) -> dict:
    s, _ = SIDES[side]
    c = np.cross(d_thigh, d_shin)
    h = unit(c) if np.linalg.norm(c) > 0.05 else np.asarray(h_default, float)
    return {f"thigh.{s}": (d_thigh, h), f"shin.{s}": (d_shin, h), f"foot.{s}": (d_foot, h)}


def arm(side: str, d_upper, d_fore, d_hand=None, h_default=None) -> dict:
    s, sx = SIDES[side]
    if h_default is None:
        h_default = LEFT
    c = -np.cross(d_upper, d_fore)
    h = unit(c) if np.linalg.norm(c) > 0.05 else np.asarray(h_default, float)
    d_hand = d_fore if d_hand is None else d_hand
    return {f"upperarm.{s}": (d_upper, h), f"forearm.{s}": (d_fore, h), f"hand.{s}": (d_hand, h)}


def torso(pelvis=90.0, lower=90.0, upper=90.0, neck=90.0, head=90.0, h=LEFT) -> dict:
    """Sagittal pitches (degrees) of the torso segments; 90 = upright."""
    return {
        "pelvis": (dir_pitch(pelvis), h), "spine_lower": (dir_pitch(lower), h),
        "spine_upper": (dir_pitch(upper), h), "neck": (dir_pitch(neck), h),
        "head": (dir_pitch(head), h),
    }


def lateral(side: str, v_sagittal, out_deg: float) -> np.ndarray:
    """Tilt a direction outward (toward the side's own side) by out_deg."""
    _, sx = SIDES[side]
    t = np.radians(out_deg)
    return unit(np.cos(t) * np.asarray(v_sagittal, float) + np.sin(t) * sx * LEFT)


def hanging_arms(out_deg=8.0, fwd_deg=6.0, elbow_deg=12.0) -> dict:
    tg = {}
    for side in ("left", "right"):
        up = lateral(side, dir_pitch(-90 + fwd_deg), out_deg)
        fo = lateral(side, dir_pitch(-90 + fwd_deg + elbow_deg), out_deg)
        tg.update(arm(side, up, fo))
    return tg


def two_bone(p0, target, l1, l2, bend_hint) -> tuple:
    """Directions of a two-bone chain from p0 reaching `target` (straight toward it
    if out of reach); the middle joint bends toward `bend_hint`."""
    v = np.asarray(target, float) - np.asarray(p0, float)
    dist = np.linalg.norm(v)
    u = v / dist
    if dist >= l1 + l2 - 1e-4:
        return u, u
    dist = max(dist, abs(l1 - l2) + 1e-3)
    a = (l1 * l1 + dist * dist - l2 * l2) / (2 * l1 * dist)
    ang = np.arccos(np.clip(a, -1, 1))
    b = np.asarray(bend_hint, float) - np.dot(bend_hint, u) * u
    b = unit(b)
    d1 = unit(np.cos(ang) * u + np.sin(ang) * b)
    mid = np.asarray(p0) + l1 * d1
    d2 = unit(np.asarray(target) - mid)
    return d1, d2


def blend_targets(a: dict, b: dict, s: float) -> dict:
    out = {}
    for k in a:
        if k not in b:
            out[k] = a[k]
            continue
        d = slerp_dir(a[k][0], b[k][0], s)
        ha, hb = np.asarray(a[k][1], float), np.asarray(b[k][1], float)
        h = (1 - s) * ha + s * hb
        if np.linalg.norm(h - np.dot(h, d) * d) < 1e-3:
            h = ha
        out[k] = (d, unit(h))
    return out
