"""Vectorised, NaN-aware measurements on pixel coordinates.

Every function takes points as arrays whose last axis is ``(x, y)`` in pixels
(x right, y down) and broadcasts over any leading axes, so one call can measure
one frame or a whole clip. A NaN anywhere in the inputs gives NaN out: a joint
the model cannot see is never measured as 0.
"""

from __future__ import annotations

import math

import numpy as np

ArrayLike = np.ndarray


def _vec(p: ArrayLike, q: ArrayLike) -> np.ndarray:
    return np.asarray(q, dtype=np.float64) - np.asarray(p, dtype=np.float64)


def length(p: ArrayLike, q: ArrayLike) -> np.ndarray:
    """Distance from ``p`` to ``q``."""
    d = _vec(p, q)
    return np.hypot(d[..., 0], d[..., 1])


def joint_angle(a: ArrayLike, b: ArrayLike, c: ArrayLike) -> np.ndarray:
    """The angle at ``b`` between ``b->a`` and ``b->c``, in degrees within [0, 180].

    Computed with ``atan2(|cross|, dot)``, which stays accurate near 0° and 180°
    where ``acos`` loses precision. Zero-length segments give NaN.
    """
    u = _vec(b, a)
    v = _vec(b, c)
    cross = u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]
    dot = u[..., 0] * v[..., 0] + u[..., 1] * v[..., 1]
    degenerate = ((u[..., 0] == 0) & (u[..., 1] == 0)) | ((v[..., 0] == 0) & (v[..., 1] == 0))
    angle = np.degrees(np.arctan2(np.abs(cross), dot))
    return np.where(degenerate, np.nan, angle)


def tilt_from_vertical(p: ArrayLike, q: ArrayLike, facing: ArrayLike | float = 1.0) -> np.ndarray:
    """Signed angle of the segment ``p->q`` from straight up, in degrees (-180, 180].

    0 means ``q`` is straight above ``p``; positive means ``q`` leans toward the
    direction the person faces (``facing`` = +1 for image-right, -1 for image-left).
    """
    d = _vec(p, q)
    up = -d[..., 1]
    ahead = d[..., 0] * np.asarray(facing, dtype=np.float64)
    angle = np.degrees(np.arctan2(ahead, up))
    zero = (d[..., 0] == 0) & (d[..., 1] == 0)
    return np.where(zero, np.nan, angle)


def tilt_from_horizontal(p: ArrayLike, q: ArrayLike, facing: ArrayLike | float = 1.0) -> np.ndarray:
    """Signed angle of ``p->q`` above the horizontal, in degrees within [-90, 90].

    0 means level; positive means ``q`` is higher in the image than ``p``. The
    segment's direction along x does not matter (a level line is 0 either way);
    ``facing`` is accepted for symmetry with :func:`tilt_from_vertical`.
    """
    d = _vec(p, q)
    up = -d[..., 1]
    across = np.abs(d[..., 0])
    angle = np.degrees(np.arctan2(up, across))
    zero = (d[..., 0] == 0) & (d[..., 1] == 0)
    return np.where(zero, np.nan, angle)


def _safe_div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den`` where ``den > 0``, NaN elsewhere, without floating-point warnings."""
    num, den = np.broadcast_arrays(np.asarray(num, dtype=np.float64), np.asarray(den, dtype=np.float64))
    out = np.full(num.shape, np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out if out.ndim else out[()]


def _missing(*points: ArrayLike) -> np.ndarray:
    """True where any of the points has a NaN coordinate (a missing point)."""
    out = False
    for p in points:
        out = out | np.isnan(np.asarray(p, dtype=np.float64)).any(axis=-1)
    return np.asarray(out)


def forward_offset(p: ArrayLike, q: ArrayLike, facing: ArrayLike | float, scale: ArrayLike) -> np.ndarray:
    """How far ``p`` is ahead of ``q`` along the facing direction, in units of ``scale``.

    ``facing`` is +1 when the person faces image-right, -1 when image-left.
    Positive means ``p`` is ahead of ``q`` (e.g. a knee past its ankle).
    """
    dx = np.asarray(p, dtype=np.float64)[..., 0] - np.asarray(q, dtype=np.float64)[..., 0]
    out = _safe_div(dx * np.asarray(facing, dtype=np.float64), scale)
    return np.where(_missing(p, q), np.nan, out)


def height_above(p: ArrayLike, q: ArrayLike, scale: ArrayLike) -> np.ndarray:
    """How far ``p`` is above ``q`` in the image, in units of ``scale`` (positive = higher)."""
    dy = np.asarray(q, dtype=np.float64)[..., 1] - np.asarray(p, dtype=np.float64)[..., 1]
    out = _safe_div(dy, scale)
    return np.where(_missing(p, q), np.nan, out)


def distance_ratio(a: ArrayLike, b: ArrayLike, c: ArrayLike, d: ArrayLike) -> np.ndarray:
    """``|a-b| / |c-d|``, e.g. knee spread over hip width. NaN when ``|c-d|`` is 0."""
    return _safe_div(length(a, b), length(c, d))


def floor_leg_angle(hip: ArrayLike, knee: ArrayLike, ankle: ArrayLike, sin_pitch: float,
                    thigh_px: float) -> float:
    """The true (3D) hip–knee–ankle angle of one leg whose knee and shin rest on the floor.

    For a camera looking down at the floor (``sin_pitch`` = sine of its downward look,
    1 = straight down) from behind or in front, with the legs at about one distance:
    the image's x runs across the floor, its y mixes the floor's depth (squashed by
    ``sin_pitch``) with height (by the cosine). The shin lies on the floor, so its 3D
    direction follows from the image at once; the thigh, of known length ``thigh_px``,
    rises from the knee to the hip: of the two 3D thighs that fit the picture, the one
    with the hip nearest the knee's height is taken. Scalar (one leg); NaN when a point
    is missing or nothing fits.
    """
    pts = [np.asarray(x, dtype=np.float64) for x in (hip, knee, ankle)]
    if any(np.isnan(p).any() for p in pts) or not (0 < sin_pitch <= 1) or not thigh_px > 0:
        return math.nan
    (hx, hy), (kx, ky), (ax, ay) = pts
    tu, tv = hx - kx, ky - hy  # image-up is positive
    su, sv = ax - kx, ky - ay
    sp = float(sin_pitch)
    p = math.asin(sp)
    shin = np.array([su, 0.0, sv / sp])
    b2 = (thigh_px - tu) * (thigh_px + tu)  # fewer digits lost than T² - u² when u ≈ T
    b = math.sqrt(b2) if b2 > 0 else 0.0
    best: np.ndarray | None = None
    if b == 0.0:
        best = np.array([tu, 0.0, 0.0])
    else:
        r = max(-1.0, min(1.0, tv / b))
        for f in (math.asin(r) - p, math.pi - math.asin(r) - p):
            ty, tz = b * math.sin(f), b * math.cos(f)
            if ty < -0.05 * thigh_px:  # the hip is not below the knee on the floor
                continue
            cand = np.array([tu, ty, tz])
            if best is None or abs(ty) < abs(best[1]):
                best = cand
    if best is None or not np.linalg.norm(shin) > 0:
        return math.nan
    c = float(best @ shin) / (float(np.linalg.norm(best)) * float(np.linalg.norm(shin)))
    return math.degrees(math.acos(max(-1.0, min(1.0, c))))
