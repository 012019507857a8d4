"""Small vector / rotation helpers (numpy, world frame: y up, metres)."""
from __future__ import annotations

import numpy as np

UP = np.array([0.0, 1.0, 0.0])
FWD = np.array([0.0, 0.0, 1.0])   # the body's forward in its own pose frame
LEFT = np.array([1.0, 0.0, 0.0])  # the person's own left in the pose frame


def unit(v) -> np.ndarray:
    v = np.asarray(v, dtype=float)
    n = np.linalg.norm(v)
    if n < 1e-12:
        raise ValueError("zero vector")
    return v / n


def rot_axis(axis, deg: float) -> np.ndarray:
    """Rotation matrix about `axis` by `deg` degrees (right hand)."""
    a = unit(axis)
    t = np.radians(deg)
    K = np.array([[0, -a[2], a[1]], [a[2], 0, -a[0]], [-a[1], a[0], 0]])
    return np.eye(3) + np.sin(t) * K + (1 - np.cos(t)) * (K @ K)


def rotate(v, axis, deg):
    return rot_axis(axis, deg) @ np.asarray(v, float)


def frame(d, h) -> np.ndarray:
    """Orthonormal frame with columns (d, h', d x h'), h' = h made orthogonal to d."""
    d = unit(d)
    h = np.asarray(h, float) - np.dot(h, d) * d
    h = unit(h)
    return np.stack([d, h, np.cross(d, h)], axis=1)


def angle_deg(a, b, c) -> float:
    """Angle at b between b->a and b->c, degrees."""
    u = unit(np.asarray(a) - np.asarray(b))
    w = unit(np.asarray(c) - np.asarray(b))
    return float(np.degrees(np.arccos(np.clip(np.dot(u, w), -1.0, 1.0))))


def dir_pitch(forward_deg: float, yaw_axis_fwd=FWD) -> np.ndarray:
    """Direction in the sagittal plane: 0 = forward, 90 = up, -90 = down, 180 = back."""
    t = np.radians(forward_deg)
    return np.cos(t) * FWD + np.sin(t) * UP


def slerp_dir(a, b, s: float) -> np.ndarray:
    a, b = unit(a), unit(b)
    dot = np.clip(np.dot(a, b), -1, 1)
    th = np.arccos(dot)
    if th < 1e-6:
        return a
    return unit((np.sin((1 - s) * th) * a + np.sin(s * th) * b) / np.sin(th))


def smoothstep(x: float) -> float:
    x = min(1.0, max(0.0, x))
    return x * x * (3 - 2 * x)
