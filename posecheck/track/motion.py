"""How long the body has held still, in seconds: a pose is recognised and coached only when held.

A person doing star jumps passes through shapes that look like a pose for a frame or two;
one holding a pose barely moves. The speed of the main joints (shoulders, elbows, wrists,
hips, knees, ankles) is measured over a fixed stretch of time (``lag_s``), not from one
frame to the next: landmark noise of a few pixels between two frames is a large speed at
30 frames a second and a small one at 9, while over a quarter of a second it is small at
any frame rate, so dropping frames does not change the answer.

The body's speed is the median over those joints, so one joint the model loses for a
frame does not make a held pose move. Measured on the samples and the Sports2D demo
(torso lengths per second): held poses at most 0.25 (breathing, sway), the moving lunges,
the frog's feet moving out and the knee raised into tree at most 0.45; star jumps 1-6,
dipping below 0.8 for three or four frames (0.1 s) at the top and bottom of each jump,
standing up out of a lunge 1-3.4. Below :data:`STILL_SPEED` the body is still.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np

from posecheck.core.landmarks import Landmark as L

#: Torso lengths per second below which the body counts as still.
STILL_SPEED = 0.8

_JOINTS = np.array([int(L.of(side, part)) for side in ("left", "right")
                    for part in ("shoulder", "elbow", "wrist", "hip", "knee", "ankle")])


class Stillness:
    """How long the body has been still, from its joints' speed over the last ``lag_s``.

    Args:
        max_speed: the speed (torso lengths per second) below which the body is still.
        lag_s: the stretch of time the speed is measured over.
        max_gap_s: with no frame for this long, nothing is known about the motion between,
            and stillness starts again.
    """

    def __init__(self, max_speed: float = STILL_SPEED, lag_s: float = 0.25, max_gap_s: float = 0.5) -> None:
        self.max_speed, self.lag_s, self.max_gap_s = max_speed, lag_s, max_gap_s
        self.reset()

    def reset(self) -> None:
        """Forget the motion (a new person)."""
        self._past: deque[tuple[float, np.ndarray]] = deque()
        self._still_since: float | None = None
        self.speed = math.nan

    @property
    def moving(self) -> bool:
        """Whether the body moved faster than :attr:`max_speed` at the last frame."""
        return math.isfinite(self.speed) and self.speed > self.max_speed

    def __call__(self, px: np.ndarray, seen: np.ndarray, t: float, scale: float) -> float:
        """Seconds the body has been still up to this frame (0 while it moves or is not seen).

        Args:
            px: ``(33, 2)`` pixel positions (NaN where not seen).
            seen: ``(33,)`` which landmarks can be used.
            t: the frame's time.
            scale: the body's torso length in pixels.
        """
        past = self._past
        if past and t - past[-1][0] > self.max_gap_s:
            past.clear()
            self._still_since = None
        while past and past[0][0] < t - 2 * self.lag_s:
            past.popleft()
        p = np.where(seen[_JOINTS, None], px[_JOINTS], np.nan)
        back = [(t0, p0) for t0, p0 in past if t - t0 >= 0.6 * self.lag_s]
        self.speed = math.nan
        if back and np.isfinite(scale) and scale > 0:
            t0, p0 = min(back, key=lambda item: abs(t - self.lag_s - item[0]))
            d = np.linalg.norm(p - p0, axis=1)
            d = d[np.isfinite(d)]
            if len(d):
                self.speed = float(np.median(d)) / (t - t0) / scale
        past.append((t, p))
        if math.isfinite(self.speed) and self.speed > self.max_speed:
            self._still_since = None
            return 0.0
        # Still, or not known yet (the first frames): the clock runs from the first such frame.
        if self._still_since is None:
            self._still_since = t
        return t - self._still_since

    def lost(self) -> None:
        """No body in this frame: whatever comes next starts still from scratch."""
        self._past.clear()
        self._still_since = None
        self.speed = math.nan


__all__ = ["STILL_SPEED", "Stillness"]
