"""Geometry properties: ranges, invariances and NaN handling, checked with hypothesis."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from posecheck.core import geometry as g

coord = st.floats(-2000, 2000, allow_nan=False, allow_infinity=False)
point = st.tuples(coord, coord).map(np.array)


def _far(p, q, d=1.0):
    return float(np.hypot(*(np.asarray(p) - np.asarray(q)))) > d


@given(point, point, point)
def test_joint_angle_is_within_0_and_180(a, b, c):
    assume(_far(a, b) and _far(c, b))
    angle = float(g.joint_angle(a, b, c))
    assert 0.0 <= angle <= 180.0


@settings(max_examples=200)
@given(point, point, point, st.floats(-math.pi, math.pi), st.floats(0.1, 10), point)
def test_joint_angle_invariant_to_rotation_scale_translation(a, b, c, theta, scale, shift):
    assume(_far(a, b, 5) and _far(c, b, 5))
    rot = np.array([[math.cos(theta), -math.sin(theta)], [math.sin(theta), math.cos(theta)]])

    def t(p):
        return rot @ p * scale + shift

    before = float(g.joint_angle(a, b, c))
    after = float(g.joint_angle(t(a), t(b), t(c)))
    # 1e-6° is far below anything a camera can resolve; float rounding stays inside it.
    assert after == pytest.approx(before, abs=1e-6)


@given(st.sampled_from([0, 1, 2]), st.sampled_from([0, 1]), point, point, point)
def test_nan_in_gives_nan_out(which, axis, a, b, c):
    pts = [a.copy(), b.copy(), c.copy()]
    pts[which][axis] = np.nan
    assert math.isnan(float(g.joint_angle(*pts)))
    assert math.isnan(float(g.forward_offset(pts[0], pts[1], 1, g.length(pts[1], pts[2]))))
    assert math.isnan(float(g.distance_ratio(pts[0], pts[1], pts[1], pts[2])))


def test_joint_angle_known_values():
    b = np.array([0.0, 0.0])
    assert float(g.joint_angle([1, 0], b, [0, 1])) == pytest.approx(90.0)
    assert float(g.joint_angle([1, 0], b, [-1, 0])) == pytest.approx(180.0)
    assert float(g.joint_angle([1, 0], b, [1, 0])) == pytest.approx(0.0)
    assert float(g.joint_angle([1, 0], b, [1, 1])) == pytest.approx(45.0)


def test_zero_length_segment_is_nan_not_zero():
    assert math.isnan(float(g.joint_angle([0, 0], [0, 0], [1, 1])))
    assert math.isnan(float(g.tilt_from_vertical([3, 3], [3, 3])))


def test_vectorised_over_frames():
    a = np.array([[1.0, 0.0], [0.0, -1.0], [np.nan, 0.0]])
    b = np.zeros((3, 2))
    c = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 0.0]])
    out = g.joint_angle(a, b, c)
    assert out.shape == (3,)
    assert out[:2] == pytest.approx([90.0, 90.0])
    assert math.isnan(out[2])


@pytest.mark.parametrize("facing", [1, -1])
def test_tilt_and_offset_follow_facing(facing):
    hip = np.array([100.0, 100.0])
    shoulder = hip + np.array([facing * 10.0, -10.0])  # leaning toward the way they face
    assert float(g.tilt_from_vertical(hip, shoulder, facing)) == pytest.approx(45.0)
    knee, ankle = np.array([100.0 + facing * 20, 0.0]), np.array([100.0, 100.0])
    assert float(g.forward_offset(knee, ankle, facing, 100.0)) == pytest.approx(0.2)


def test_tilt_from_horizontal_ignores_direction():
    assert float(g.tilt_from_horizontal([0, 0], [10, 0])) == pytest.approx(0.0)
    assert float(g.tilt_from_horizontal([0, 0], [-10, -10])) == pytest.approx(45.0)


def test_height_and_ratio():
    assert float(g.height_above([0, 50], [0, 100], 25)) == pytest.approx(2.0)
    assert float(g.distance_ratio([0, 0], [30, 40], [0, 0], [0, 10])) == pytest.approx(5.0)
    assert math.isnan(float(g.distance_ratio([0, 0], [1, 1], [2, 2], [2, 2])))


@settings(max_examples=200)
@given(st.floats(60, 150), st.floats(0.35, 1.0), st.floats(-25, 25))
def test_floor_leg_angle_is_exact_for_a_leg_flat_on_the_floor(true_angle, sin_pitch, turn):
    # Thigh and shin both on the floor, seen orthographically by a camera looking down:
    # x across, image-up = depth * sin(pitch).
    thigh, shin = 0.42, 0.40
    a = math.radians(turn)
    t_floor = np.array([math.cos(a), math.sin(a)])  # knee -> hip, across and slightly ahead
    b = math.radians(turn - true_angle)
    s_floor = np.array([math.cos(b), math.sin(b)])  # knee -> ankle, true_angle from the thigh
    knee = np.array([640.0, 400.0])

    def image(v, length):
        return np.array([v[0], -v[1] * sin_pitch]) * length * 500

    got = g.floor_leg_angle(knee + image(t_floor, thigh), knee, knee + image(s_floor, shin),
                            sin_pitch, thigh * 500)
    # Exact up to rounding: with the thigh almost square to the camera (turn near 0) its
    # depth comes from sqrt(thigh² - across²), where the pixel coordinates' rounding
    # (~1e-13 px) leaves only half the digits, a few 1e-6 degrees at worst.
    assert got == pytest.approx(true_angle, abs=1e-4)


def test_floor_leg_angle_missing_point_or_bad_view_is_nan():
    assert math.isnan(g.floor_leg_angle([np.nan, 0], [0, 0], [0, 10], 0.7, 100))
    assert math.isnan(g.floor_leg_angle([100, 0], [0, 0], [0, 10], 0.0, 100))
