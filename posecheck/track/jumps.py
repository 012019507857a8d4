"""The jump guard: a joint whose limb suddenly changes length has been lost by the model."""

from __future__ import annotations

import numpy as np

from posecheck.core.frame import PoseFrame
from posecheck.core.landmarks import Landmark

#: Limb segments whose pixel length is followed over time: a sudden change means the
#: model lost track of a joint (a knee sliding down the shin), not that the body changed.
_SEGMENTS = tuple(
    (Landmark.of(side, a), Landmark.of(side, b))
    for side in ("left", "right")
    for a, b in (("hip", "knee"), ("knee", "ankle"), ("shoulder", "elbow"), ("elbow", "wrist"))
)


class JumpGuard:
    """Flags joints whose limb segments suddenly change length.

    Each segment's length is compared with the median of its last ``history``
    accepted lengths (about two seconds of video). A change of more than
    ``max_change`` (a share) marks both ends as lost for this frame. A new length
    that persists for ``settle_s`` is accepted (the person turned or moved closer),
    so the guard never locks up. All segments are handled in one numpy pass.
    """

    def __init__(self, history: int = 48, max_change: float = 0.3, settle_s: float = 1.0,
                 min_samples: int = 12) -> None:
        n = len(_SEGMENTS)
        self.max_change, self.settle_s, self.min_samples = max_change, settle_s, min_samples
        self._buf = np.full((n, history), np.nan)
        self._pos = np.zeros(n, dtype=np.int64)
        self._odd_since = np.full(n, np.nan)
        self._a = np.array([int(a) for a, _ in _SEGMENTS])
        self._b = np.array([int(b) for _, b in _SEGMENTS])

    def __call__(self, frame: PoseFrame) -> set[Landmark]:
        """The landmarks to distrust in ``frame``."""
        t = frame.timestamp
        px = frame.pixels
        d = px[self._a] - px[self._b]
        length = np.hypot(d[:, 0], d[:, 1])
        known = ~np.isnan(length)
        ready = self._pos >= self.min_samples
        # Rows start filled with their first length, so a plain median works (no NaNs).
        ref = np.median(self._buf, axis=1)
        with np.errstate(invalid="ignore"):
            odd = known & ready & (np.abs(length - ref) > self.max_change * ref)
        lost: set[Landmark] = set()
        accept = known.copy()
        for i in np.flatnonzero(odd):
            if np.isnan(self._odd_since[i]):
                self._odd_since[i] = t
            if t - self._odd_since[i] < self.settle_s:
                lost.update(_SEGMENTS[i])
                accept[i] = False
            else:
                self._pos[i] = 0  # the new length has lasted: start over from it
        self._odd_since[~odd] = np.nan
        rows = np.flatnonzero(accept)
        fresh = rows[self._pos[rows] == 0]
        self._buf[fresh] = length[fresh, None]
        rest = rows[self._pos[rows] > 0]
        self._buf[rest, self._pos[rest] % self._buf.shape[1]] = length[rest]
        self._pos[rows] += 1
        return lost


def distrust(frame: PoseFrame, lost: set[Landmark]) -> PoseFrame:
    vis = frame.visibility.copy()
    vis[[int(lm) for lm in lost]] = 0.0
    return PoseFrame(xy=frame.xy, z=frame.z, visibility=vis, image_size=frame.image_size,
                     timestamp=frame.timestamp, presence=frame.presence, world=frame.world, flags=frame.flags)


__all__ = ["JumpGuard", "distrust"]
