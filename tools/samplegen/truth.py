"""Ground truth per frame: 3D joints, their projection with the render camera,
occlusion against the rendered depth buffer, and true 3D joint angles."""
from __future__ import annotations

import numpy as np

from .geometry import angle_deg
from .rig import BONE_LANDMARKS, LANDMARK_NAMES

# how far inside the body surface each joint lies (m): a joint is occluded when
# the rendered surface at its pixel is nearer than its depth minus this
_DEPTH_TOL = {"hip": 0.15, "shoulder": 0.10, "knee": 0.08, "elbow": 0.06, "ankle": 0.06,
              "wrist": 0.05, "pinky": 0.04, "index": 0.04, "thumb": 0.04}
_SURFACE_TOL = 0.025


def _tol(name):
    for k, v in _DEPTH_TOL.items():
        if name.endswith(k) and name in BONE_LANDMARKS:
            return v
    return _SURFACE_TOL


def angles(lm: dict) -> dict:
    out = {}
    for s in ("left", "right"):
        out[f"{s}_knee"] = round(angle_deg(lm[f"{s}_hip"], lm[f"{s}_knee"], lm[f"{s}_ankle"]), 3)
        out[f"{s}_hip"] = round(angle_deg(lm[f"{s}_shoulder"], lm[f"{s}_hip"], lm[f"{s}_knee"]), 3)
    return out


def frame_truth(i, fps, lm: dict, camera, depth, in_pose, front_side) -> dict:
    names = LANDMARK_NAMES
    P = np.array([lm[n] for n in names])
    px, z = camera.project(P)
    H, W = depth.shape
    occl = {}
    for n, (x, y), zz in zip(names, px, z):
        xi, yi = int(np.floor(x)), int(np.floor(y))
        if zz <= 0 or not (0 <= xi < W and 0 <= yi < H):
            occl[n] = True
            continue
        win = depth[max(0, yi - 1):yi + 2, max(0, xi - 1):xi + 2]
        win = win[win > 0]
        d = float(np.median(win)) if win.size else np.inf
        occl[n] = bool(d < zz - _tol(n))
    return {
        "frame": i, "t": round(i / fps, 4), "in_pose": bool(in_pose), "front_side": front_side,
        "joints_3d": {n: [round(float(c), 5) for c in lm[n]] for n in names},
        "joints_2d": {n: [round(float(px[k, 0]), 3), round(float(px[k, 1]), 3)] for k, n in enumerate(names)},
        "occluded": occl,
        "angles_3d": angles(lm),
        "checks": {},
    }
