"""The built-in check kinds. Each is a thin wrapper over :mod:`posecheck.core.geometry`."""

from __future__ import annotations

import numpy as np

from posecheck.checks.registry import CheckKind, register
from posecheck.core import geometry as g


def _joint_angle(p: np.ndarray, rel: np.ndarray | None, ctx, opts: dict) -> float:
    if opts.get("plane", "image") == "floor":
        floor = ctx.floor
        if floor is None:
            return float("nan")
        return g.floor_leg_angle(p[0], p[1], p[2], floor.sin_pitch, floor.thigh_px)
    return float(g.joint_angle(p[0], p[1], p[2]))


def _vertical_stack(p: np.ndarray, rel: np.ndarray | None, ctx, opts: dict) -> float:
    return float(g.forward_offset(p[0], p[1], ctx.facing, g.length(p[0], p[1])))


def _segment_orientation(p: np.ndarray, rel: np.ndarray | None, ctx, opts: dict) -> float:
    if opts.get("reference", "vertical") == "horizontal":
        return float(g.tilt_from_horizontal(p[0], p[1]))
    return float(g.tilt_from_vertical(p[0], p[1], ctx.facing))


def _distance_ratio(p: np.ndarray, rel: np.ndarray | None, ctx, opts: dict) -> float:
    assert rel is not None
    return float(g.distance_ratio(p[0], p[1], rel[0], rel[1]))


def _relative_height(p: np.ndarray, rel: np.ndarray | None, ctx, opts: dict) -> float:
    assert rel is not None
    return float(g.height_above(p[0], p[1], g.length(rel[0], rel[1])))


register(CheckKind(
    name="joint_angle", points=3, relative_to=0, needs_facing=False, unit="deg",
    measure=_joint_angle, segments=((0, 1), (1, 2)), options={"plane": ("image", "floor")}, anchor=1,
    doc="The angle at the middle point between the two segments, 0–180°. With "
        "`plane: floor` (points hip, knee, ankle of a leg whose knee and shin rest on the "
        "floor) the true 3D angle is rebuilt from a camera looking down from behind or in front.",
))
register(CheckKind(
    name="vertical_stack", points=2, relative_to=0, needs_facing=True, unit="ratio",
    measure=_vertical_stack, segments=((0, 1),), anchor=0,
    doc="How far the first point is ahead of the second along the way the person faces, "
        "in lengths of the segment between them: 0 = stacked, +0.2 = a fifth of a segment ahead.",
))
register(CheckKind(
    name="segment_orientation", points=2, relative_to=0, needs_facing=True, unit="deg",
    measure=_segment_orientation, segments=((0, 1),), options={"reference": ("vertical", "horizontal")},
    anchor=1,
    doc="The signed angle of the segment from the vertical (positive = leaning toward the "
        "way the person faces) or from the horizontal (positive = second point higher).",
))
register(CheckKind(
    name="distance_ratio", points=2, relative_to=2, needs_facing=False, unit="ratio",
    measure=_distance_ratio, anchor=0,
    doc="The distance between the two points over the distance between the two "
        "`relative_to` points, e.g. knee spread over hip width.",
))
register(CheckKind(
    name="relative_height", points=2, relative_to=2, needs_facing=False, unit="ratio",
    measure=_relative_height, anchor=0,
    doc="How far the first point is above the second in the image, in lengths of the "
        "`relative_to` segment (negative = below).",
))
