"""Vectorised, NaN-aware measurements on pixel coordinates.

Every function takes points as arrays whose last axis is ``(x, y)`` in pixels
(x right, y down) and broadcasts over any leading axes, so one call can measure
one frame or a whole clip. A NaN anywhere in the inputs gives NaN out: a joint
the model cannot see is never measured as 0.
"""

from __future__ import annotations

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


def midpoint(p: ArrayLike, q: ArrayLike) -> np.ndarray:
    """The point halfway between ``p`` and ``q``."""
    return (np.asarray(p, dtype=np.float64) + np.asarray(q, dtype=np.float64)) / 2.0


def floor_plane_angle(a: ArrayLike, b: ArrayLike, c: ArrayLike, squash: ArrayLike) -> np.ndarray:
    """Angle at ``b`` after undoing a vertical squash of the image (floor-plane foreshortening).

    A camera looking down at limbs lying on the floor shortens their depth
    direction, which appears along the image's vertical axis, by a factor
    ``squash`` in (0, 1]. Stretching y by ``1/squash`` before measuring gives the
    angle the limbs make on the floor.
    """
    s = np.asarray(squash, dtype=np.float64)[..., None]
    stretch = np.concatenate([np.ones_like(s), _safe_div(np.ones_like(s), s)], axis=-1)
    pa, pb, pc = (np.asarray(x, dtype=np.float64) * stretch for x in (a, b, c))
    return joint_angle(pa, pb, pc)
