"""Stillness in seconds: the same motion gives the same answer at any frame rate."""

from __future__ import annotations

import math

import numpy as np
import pytest

from posecheck.core.landmarks import Landmark as L
from posecheck.track.motion import Stillness

from .. import factories as f

BASE = f.lunge().pixels
SCALE = 208.0


def _body(t: float) -> np.ndarray:
    """Held still for 1 s, star jumps (limbs swinging 1.5 torso lengths at 1.2 Hz) for 2 s, still again."""
    px = BASE.copy()
    if 1.0 <= t < 3.0:
        swing = 0.75 * SCALE * math.sin(2 * math.pi * 1.2 * (t - 1.0))
        for side, sign in (("left", 1.0), ("right", -1.0)):
            for part in ("wrist", "elbow", "ankle", "knee"):
                px[L.of(side, part)] = px[L.of(side, part)] + np.array([sign * swing, -abs(swing)])
        px += np.array([0.0, -0.3 * SCALE * abs(math.sin(2 * math.pi * 1.2 * (t - 1.0)))])
    return px


def _run(fps: float) -> list[tuple[float, float]]:
    still, seen, out = Stillness(), np.ones(33, bool), []
    n = int(5.0 * fps)
    for i in range(n):
        t = i / fps
        out.append((t, still(_body(t), seen, t, SCALE)))
    return out


@pytest.mark.parametrize("fps", [30.0, 9.0, 5.0])
def test_held_still_then_moving_then_still_again_in_seconds_at_any_frame_rate(fps):
    run = dict(_run(fps))
    # Moving throughout the jumps (the body's speed is measured over 0.25 s, so not one
    # frame of them is still for long), still again once they stop.
    assert all(s < 0.5 for t, s in run.items() if 1.3 <= t < 3.0)
    last = max(t for t in run if t < 4.9)
    # Still from the end of the jumps (within 0.25 s, the stretch the speed is measured over,
    # plus one frame at the slowest rate).
    assert run[last] == pytest.approx(last - 3.0, abs=0.25 + 1 / fps)
