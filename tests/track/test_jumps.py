"""The jump guard as pure logic, on stick figures: a limb that suddenly changes length is distrusted."""

from __future__ import annotations

import dataclasses

import numpy as np

from posecheck.core.landmarks import Landmark as L
from posecheck.track.jumps import JumpGuard, distrust

from .. import factories as f


def _frame(t: float, shin_scale: float = 1.0):
    frame = f.lunge(knee_angle=90, timestamp=t)
    if shin_scale == 1.0:
        return frame
    xy = frame.xy.copy()
    k, a = L.LEFT_KNEE, L.LEFT_ANKLE
    xy[a] = xy[k] + (xy[a] - xy[k]) * shin_scale
    return dataclasses.replace(frame, xy=xy)


def test_a_sudden_change_of_length_is_distrusted_then_accepted_once_it_lasts():
    guard = JumpGuard(settle_s=1.0)
    fps = 20
    for i in range(20):
        assert guard(_frame(i / fps)) == set()
    lost = guard(_frame(20 / fps, shin_scale=1.6))  # the shin grows 60% in one frame
    assert {L.LEFT_KNEE, L.LEFT_ANKLE} <= lost
    # It lasts: after settle_s the new length is accepted and nothing is distrusted.
    later = [guard(_frame((21 + i) / fps, shin_scale=1.6)) for i in range(30)]
    assert later[0] and not later[-1]


def test_a_one_frame_spike_is_distrusted_and_forgotten():
    guard = JumpGuard()
    for i in range(20):
        guard(_frame(i / 20))
    assert guard(_frame(1.0, shin_scale=0.5))
    assert guard(_frame(1.05)) == set()


def test_distrust_sets_visibility_to_zero_only_for_those_joints():
    frame = _frame(0.0)
    out = distrust(frame, {L.LEFT_KNEE})
    assert out.visibility[L.LEFT_KNEE] == 0.0
    keep = np.ones(33, dtype=bool)
    keep[L.LEFT_KNEE] = False
    assert np.array_equal(out.visibility[keep], frame.visibility[keep])
    assert np.array_equal(out.xy, frame.xy, equal_nan=True)
