"""Whether the landmarks can be one body moving as bodies move.

Two tests, both on where the joints are, never on a limb's projected length alone:

* **Continuity** (:class:`JointContinuity`): a joint is where it was a moment ago, moved
  on as it was moving. One further from that than a body moves in the time between the
  frames has been lost by the model (a knee sliding down the shin, an ankle jumping to
  the other leg, both legs folding onto each other for a few frames). It stays in doubt
  until it has been steady again for a moment, so a model that flickers between two
  readings is not believed in either.
* **Proportions** (:class:`LimbProportions`): a limb segment longer than the body's own
  scale allows (projection only ever shortens a segment) joins joints of two people, or
  puts a joint far from its body.

This replaces the jump guard, which followed each limb's projected length: a leg swung
toward the camera shortens its thigh by half in a quarter of a second, and the guard took
that real movement for a glitch and hid the knee for up to a second, while the model rated
it 0.98 visible. Moving toward the camera changes a joint's position smoothly, so it
passes the continuity test.

Scales are torso lengths (see :func:`~posecheck.core.body.body_scale`), so the tests mean
the same for a person near the camera and far from it; times are seconds, so they mean
the same at any frame rate.
"""

from __future__ import annotations

import warnings

import numpy as np

from posecheck.core.body import SEGMENT_RATIOS
from posecheck.core.landmarks import Landmark as L

#: The joints followed: the limbs' (the face and fingers are too small to matter here).
JOINTS: tuple[L, ...] = tuple(L.of(side, part) for side in ("left", "right")
                              for part in ("shoulder", "elbow", "wrist", "hip", "knee", "ankle", "heel",
                                           "foot_index"))


class JointContinuity:
    """Finds joints that are not where a moving body could have put them.

    Each joint's position is predicted from its last trusted one, moving on at the speed it
    had (averaged over its last trusted moves, and at most ``max_speed``, so one bad frame
    does not throw the prediction far ahead); a joint that stopped is also where it was. A
    joint further than ``max_jump + per_second * dt`` torso lengths from both (``dt``:
    seconds since it was last trusted) is in doubt; a joint already in doubt must be back near
    its last trusted place (it is not predicted on across the frames it was lost). Measured
    on the samples' frames whose landmarks match the truth within 0.15 torso lengths, the
    prediction misses by less than 0.07 torso lengths in 99% of joint-frames, and by 0.54
    in 99.9%, so 0.6 passes real movement (a knee raised toward the camera misses by 0.04
    at most); a knee that jumps to the other leg misses by 1-4. A joint in doubt is
    trusted again once it returns to its prediction, or once its new place has held,
    moving only as a joint moves, for ``settle_s`` (the model found the joint again
    somewhere else: it lost it before, not now).

    Args:
        max_jump: the prediction's allowed miss between two frames, in torso lengths.
        per_second: how much more it may miss per second between the frames (a body
            moves on in a gap, unseen).
        settle_s: how long a new place must hold before it is trusted.
        max_gap_s: after a gap this long without the joint, it starts afresh.
        max_speed: the fastest a joint is predicted to move on, in torso lengths per second.
    """

    def __init__(self, max_jump: float = 0.5, per_second: float = 1.0, settle_s: float = 0.3,
                 max_gap_s: float = 0.5, max_speed: float = 8.0) -> None:
        self.max_jump, self.per_second, self.max_speed = max_jump, per_second, max_speed
        self.settle_s, self.max_gap_s = settle_s, max_gap_s
        self._idx = np.array([int(j) for j in JOINTS])
        self.reset()

    def reset(self) -> None:
        """Forget every joint (a new person, or a long gap)."""
        n = len(self._idx)
        self._at = np.full((n, 2), np.nan)  # last trusted position
        self._t = np.full(n, np.nan)  # when
        self._v = np.zeros((n, 2))  # its speed then (pixels per second)
        self._new = np.full((n, 2), np.nan)  # where a joint in doubt is now
        self._new_t = np.full(n, np.nan)
        self._new_since = np.full(n, np.nan)  # since when that new place has held

    def __call__(self, px: np.ndarray, seen: np.ndarray, t: float, scale: float) -> set[L]:
        """The joints in doubt in this frame.

        Args:
            px: ``(33, 2)`` pixel positions.
            seen: ``(33,)`` which landmarks the model gave (on the image).
            t: the frame's time in seconds.
            scale: the body's torso length in pixels.
        """
        if not np.isfinite(scale) or scale <= 0:
            return set()
        p = px[self._idx]
        have = seen[self._idx] & np.isfinite(p).all(axis=1)
        dt = t - self._t
        fresh = have & ~(dt <= self.max_gap_s)  # NaN (never seen) compares False
        pred = self._at + self._v * np.nan_to_num(dt)[:, None]
        still = np.linalg.norm(p - self._at, axis=1)
        # A joint in doubt is not carried on at its last speed across the frames it was lost:
        # that speed came from the frames just before a glitch and would carry the prediction
        # onto the glitch's own positions (a foot flickering on lunge_side_drift_back_right
        # 79-82 was trusted at its wrong place, and its real one then doubted for 0.3 s).
        doubted = np.isfinite(self._new_t)
        miss = np.where(doubted, still, np.minimum(np.linalg.norm(p - pred, axis=1), still)) / scale
        allowed = self.max_jump + self.per_second * np.nan_to_num(dt)
        with np.errstate(invalid="ignore"):
            fits = have & ~fresh & (miss <= allowed)
            jumped = have & ~fresh & ~fits
        # A joint in doubt: has its new place held, moving only as a joint moves?
        ndt = t - self._new_t
        with np.errstate(invalid="ignore"):
            steady = jumped & (np.linalg.norm(p - self._new, axis=1) / scale
                               <= self.max_jump + self.per_second * np.nan_to_num(ndt))
        restart = jumped & ~steady
        self._new_since[restart] = t
        self._new[jumped] = p[jumped]
        self._new_t[jumped] = t
        with np.errstate(invalid="ignore"):
            settled = steady & (t - self._new_since >= self.settle_s)
        trust = fits | fresh | settled
        # Speed only from two trusted positions in a row; a joint trusted again after
        # doubt starts from rest (its speed while lost is unknown).
        moving = fits & (dt > 0)
        v = 0.5 * self._v[moving] + 0.5 * (p[moving] - self._at[moving]) / dt[moving, None]
        fast = np.linalg.norm(v, axis=1) / (self.max_speed * scale)
        self._v[moving] = v / np.maximum(fast, 1.0)[:, None]
        self._v[fresh | settled] = 0.0
        self._at[trust] = p[trust]
        self._t[trust] = t
        self._new[trust] = np.nan
        self._new_t[trust] = np.nan
        self._new_since[trust] = np.nan
        doubt = have & ~trust
        return {JOINTS[i] for i in np.flatnonzero(doubt)}


_SEGMENTS = tuple(
    (L.of(side, a), L.of(side, b), ratio)
    for (a, b), ratio in SEGMENT_RATIOS.items()
    for side in ("left", "right")
)


class LimbProportions:
    """Finds limb segments too long for the body they belong to.

    A segment's projected length is at most its true length, about ``ratio`` torso
    lengths (see :data:`~posecheck.core.body.SEGMENT_RATIOS`). One more than
    ``max_share`` times that, at the body's recent scale, cannot be one body's: the model
    joined two people, or put a joint far from its body. People's proportions differ by
    less than a fifth from the typical ones; 1.7 leaves room for that and for a person
    stepping toward the camera between the frames the scale is taken from.

    Args:
        max_share: how much longer than typical a segment may look.
    """

    def __init__(self, max_share: float = 1.7) -> None:
        self.max_share = max_share
        self._a = np.array([int(a) for a, _, _ in _SEGMENTS])
        self._b = np.array([int(b) for _, b, _ in _SEGMENTS])
        self._ratio = np.array([r for _, _, r in _SEGMENTS])

    def __call__(self, px: np.ndarray, seen: np.ndarray, scale: float) -> set[L]:
        """Both ends of every segment too long for a body of torso length ``scale`` pixels."""
        if not np.isfinite(scale) or scale <= 0:
            return set()
        d = px[self._a] - px[self._b]
        length = np.hypot(d[:, 0], d[:, 1])
        with np.errstate(invalid="ignore"):
            odd = seen[self._a] & seen[self._b] & (length > self.max_share * self._ratio * scale)
        out: set[L] = set()
        for i in np.flatnonzero(odd):
            out.update((_SEGMENTS[i][0], _SEGMENTS[i][1]))
        return out


_LEGS = tuple((L.of(side, a), L.of(side, b)) for side in ("left", "right") for a, b in (("hip", "knee"),
                                                                                     ("knee", "ankle")))


class OwnLengths:
    """Finds leg segments far shorter than this body's own, seen in profile.

    Seen from the side, the legs of a side-view pose move in the plane the camera sees,
    so a thigh or shin keeps about the length it had; one shorter than ``min_share`` of
    the longest it has looked lately (its ``quantile`` over ``window_s``, in torso
    lengths, so moving nearer the camera changes nothing) is a leg the model has folded
    onto the other (as on ``lunge_side_behind_left``, where a shin 0.85 torso lengths long
    reads 0.27-0.45 for a second at a time). Only from the side: from the front a knee
    raised toward the camera really does halve the thigh.

    Args:
        min_share: the shortest a segment may look, as a share of its own length.
        window_s: how far back its own length is taken from.
        quantile: which quantile of its recent lengths is its own length (a high one: a
            segment never looks longer than it is).
    """

    def __init__(self, min_share: float = 0.6, window_s: float = 10.0, quantile: float = 90.0) -> None:
        self.min_share, self.window_s, self.quantile = min_share, window_s, quantile
        self._a = np.array([int(a) for a, _ in _LEGS])
        self._b = np.array([int(b) for _, b in _LEGS])
        self.reset()

    def reset(self) -> None:
        """Forget the body's lengths (a new person)."""
        self._seen: list[tuple[float, np.ndarray]] = []

    def __call__(self, px: np.ndarray, seen: np.ndarray, t: float, scale: float, side_view: bool) -> set[L]:
        """Both ends of each leg segment too short for this body, when it is seen in profile."""
        if not np.isfinite(scale) or scale <= 0:
            return set()
        d = px[self._a] - px[self._b]
        share = np.where(seen[self._a] & seen[self._b], np.hypot(d[:, 0], d[:, 1]) / scale, np.nan)
        self._seen = [(t0, s) for t0, s in self._seen if t0 >= t - self.window_s]
        out: set[L] = set()
        if side_view and self._seen:
            with warnings.catch_warnings(), np.errstate(invalid="ignore"):
                warnings.simplefilter("ignore", RuntimeWarning)  # a segment never seen yet: no length
                own = np.nanpercentile(np.array([s for _, s in self._seen]), self.quantile, axis=0)
                short = share < self.min_share * own
            for i in np.flatnonzero(short):
                out.update(_LEGS[i])
        if side_view:
            self._seen.append((t, share))
        return out


__all__ = ["JOINTS", "JointContinuity", "LimbProportions", "OwnLengths"]
