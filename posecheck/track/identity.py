"""Who the landmarks belong to, frame after frame: the same person, and which limb is which.

The landmark model follows one person but does not say which; with two people in view
it may jump from one to the other, and it sometimes names a person's legs (or all of
their left and right) the wrong way round for a few frames. Two things follow here:

* :class:`PersonContinuity` notices a change of person: the body's centre moving further,
  or its size changing more, between two frames than a body moves or grows in that time.
* :class:`LeftRight` keeps left and right the same over time. When the model's left and
  right limbs trade places from one frame to the next (each is where the other was), it
  swaps them back, per part of the body (face, arms, legs); a new naming that lasts is
  the model's considered answer and is taken. It also says whether the legs' names can be
  trusted enough to name a side to the person (:attr:`LeftRight.sides_named`): not for a
  while after a swap, and from the side only once the perspective shows it (below).

From the side, the model's left and right legs can be swapped for a whole clip without a
single swap to notice (the geometry is the same either way). What tells them apart is
perspective: the leg nearer the camera looks longer, by 6-15% at 2.7-3.4 m (the distance
between the hips over the camera's distance), and which side is nearer is known from the
way the face points and the torso runs (:func:`~posecheck.core.body.near_side`). The legs'
names are trusted from the side once the leg named as the near one has looked longer, on
average over the last seconds, by more than twice the standard error of that average;
once trusted they stay trusted while the legs are followed without a swap or a gap, until
the evidence is clearly against them (a second of the model misfitting a leg is not).
On the samples the named-near leg is longer by 0.3-19% (log ratio 0.003-0.19) on every clip
where the model names the legs right, and shorter (-0.016) on the one where it names them
the wrong way round in 95 of 96 frames: there no side is named.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np

from posecheck.core.body import SEGMENT_RATIOS, BodyView, near_side
from posecheck.core.frame import PoseFrame
from posecheck.core.landmarks import Landmark as L

#: Left/right pairs per part of the body, swapped together (the model swaps whole parts).
GROUPS: dict[str, tuple[tuple[L, L], ...]] = {
    "face": ((L.LEFT_EYE_INNER, L.RIGHT_EYE_INNER), (L.LEFT_EYE, L.RIGHT_EYE),
             (L.LEFT_EYE_OUTER, L.RIGHT_EYE_OUTER), (L.LEFT_EAR, L.RIGHT_EAR), (L.MOUTH_LEFT, L.MOUTH_RIGHT)),
    "arms": tuple((L.of("left", p), L.of("right", p))
                  for p in ("shoulder", "elbow", "wrist", "pinky", "index", "thumb")),
    "legs": tuple((L.of("left", p), L.of("right", p)) for p in ("hip", "knee", "ankle", "heel", "foot_index")),
}

#: A log length ratio this close to 0 is no evidence either way: well under any real
#: camera's perspective (3% at 5 m), and under the -1.6% of the clip named the wrong way round.
NEUTRAL = 0.005

_TORSO = (L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP)


def centre(px: np.ndarray, seen: np.ndarray) -> np.ndarray | None:
    """Where the body is: the mean of the shoulders and hips seen (else of every point seen)."""
    torso = [int(lm) for lm in _TORSO if seen[lm]]
    pts = px[torso] if torso else px[seen]
    pts = pts[np.isfinite(pts).all(axis=1)]
    return pts.mean(axis=0) if len(pts) else None


_SIZED = tuple((L.of(side, a), L.of(side, b), ratio) for (a, b), ratio in SEGMENT_RATIOS.items()
               for side in ("left", "right"))


def body_size(px: np.ndarray, seen: np.ndarray) -> float:
    """The body's size to compare between frames: the median of what each segment says the torso is.

    The torso and every limb segment seen, each divided by its typical share of the torso.
    A median, unlike the body's scale (its least foreshortened segment), barely moves when
    the model loses one limb for a frame or one segment points at the camera (measured: a
    misfitted somersault on the Sports2D demo puts the torso at a quarter of its length).
    """
    def mid(a: L, b: L) -> np.ndarray | None:
        pts = [px[lm] for lm in (a, b) if seen[lm]]
        return np.mean(pts, axis=0) if pts else None
    sizes = []
    sh, hp = mid(L.LEFT_SHOULDER, L.RIGHT_SHOULDER), mid(L.LEFT_HIP, L.RIGHT_HIP)
    if sh is not None and hp is not None:
        sizes.append(float(np.linalg.norm(sh - hp)))
    sizes += [float(np.linalg.norm(px[a] - px[b])) / ratio for a, b, ratio in _SIZED if seen[a] and seen[b]]
    sizes = [s for s in sizes if math.isfinite(s)]
    return float(np.median(sizes)) if len(sizes) >= 3 else math.nan


class PersonContinuity:
    """Notices when the landmarks start to belong to someone else.

    A body's centre moves at most a few torso lengths a second: walking about three (the
    passer-by of the Sports2D demo), the demo's man running off about four; between the
    frames before and after a switch to another person it moved five torso lengths in a
    fifteenth of a second (and 0.5 at most between two frames otherwise). A live session
    that drops frames sees the same switch across half a second or more, so the move
    allowed grows with the time between the frames, at a jog's pace: a move of more than
    ``max_jump + per_second * dt`` torso lengths, ``dt`` seconds after the person was last
    seen, is someone else (:data:`CHANGED`).

    A body that changes size by more than ``max_scale`` times (:func:`body_size`) from one
    moment to the next is not one body either, but a misfit does that too (the model draws
    the demo's man twice his size as he lands from a somersault): the frame is not plausible
    (:data:`ODD`) until the new size has held for ``settle_s``, and only then someone else
    (someone nearer the camera, in front of the person).

    After ``max_gap_s`` without anyone nothing is claimed: whoever comes is followed from
    scratch (the trackers forget by then anyway).

    Args:
        max_jump: the move allowed between two frames, in torso lengths.
        per_second: how much more per second between them.
        max_scale: the change of size allowed (as a ratio, either way).
        settle_s: how long a new size must hold to be another person's.
        max_gap_s: the longest gap across which a change is noticed.
    """

    def __init__(self, max_jump: float = 1.5, per_second: float = 4.0, max_scale: float = 1.8,
                 settle_s: float = 0.3, max_gap_s: float = 1.0) -> None:
        self.max_jump, self.per_second, self.max_scale = max_jump, per_second, max_scale
        self.settle_s, self.max_gap_s = settle_s, max_gap_s
        self.reset()

    def reset(self) -> None:
        """Forget the person."""
        self._at: np.ndarray | None = None
        self._scale = math.nan
        self._size = math.nan
        self._t = -math.inf
        self._resized_since: float | None = None

    def __call__(self, px: np.ndarray, seen: np.ndarray, t: float, scale: float) -> str | None:
        """:data:`CHANGED` when this frame's person is not the one before, :data:`ODD` when its
        size is not the body's, else None.

        Args:
            px: ``(33, 2)`` pixel positions.
            seen: ``(33,)`` which landmarks can be used.
            t: the frame's time.
            scale: the body's torso length in pixels (see :func:`~posecheck.core.body.body_scale`).
        """
        c = centre(px, seen)
        if c is None or not np.isfinite(scale) or scale <= 0:
            return None
        size = body_size(px, seen)
        dt = t - self._t
        known = self._at is not None and dt <= self.max_gap_s
        answer = None
        if known and float(np.linalg.norm(c - self._at)) / self._scale > self.max_jump + self.per_second * dt:
            answer = CHANGED
        elif known and size > 0 and self._size > 0 and max(size / self._size, self._size / size) > self.max_scale:
            if self._resized_since is None:
                self._resized_since = t
            if t - self._resized_since < self.settle_s:
                self._at, self._t = c, t
                return ODD  # the body's size stays the one it had
            answer = CHANGED
        self._resized_since = None
        self._at, self._scale, self._t = c, scale, t
        if size > 0:
            self._size = size
        return answer


#: :class:`PersonContinuity`'s answer for a frame whose landmarks belong to someone else.
CHANGED = "changed"
#: Its answer for a frame whose body is not the size the body has.
ODD = "odd"


def swap_group(frame: PoseFrame, group: str) -> PoseFrame:
    """``frame`` with the left and right landmarks of one part of the body traded."""
    order = np.arange(len(frame.xy))
    for a, b in GROUPS[group]:
        order[int(a)], order[int(b)] = int(b), int(a)
    return PoseFrame(xy=frame.xy[order], z=frame.z[order], visibility=frame.visibility[order],
                     image_size=frame.image_size, timestamp=frame.timestamp,
                     presence=None if frame.presence is None else frame.presence[order],
                     world=None if frame.world is None else frame.world[order], flags=frame.flags[order])


class LeftRight:
    """Keeps the person's left and right the same over time, and says when they can be named.

    Per part of the body, the model's left and right are compared with the frame before
    (as corrected): when each is much nearer where the other was (``swap_share`` of the
    cost of the model's own naming) and the two were well apart (``min_apart`` torso
    lengths, so limbs crossing each other are not taken for a swap), they are swapped
    back. A naming that the model keeps for ``keep_s`` is its considered answer and is
    taken (the swap was the earlier frames', or the person turned quickly).

    Args:
        swap_share: how much cheaper the swapped naming must be.
        min_apart: how far apart left and right must be, in torso lengths.
        keep_s: how long the model must keep a new naming before it is taken.
        doubt_s: how long no side is named after the legs' names changed.
        evidence_s: how far back the perspective evidence from the side reaches.
        min_evidence_s: how long the side-view evidence must span before it confirms anything
            (and at least five frames of it).
    """

    def __init__(self, swap_share: float = 0.5, min_apart: float = 0.3, keep_s: float = 0.5,
                 doubt_s: float = 1.0, evidence_s: float = 4.0, min_evidence_s: float = 0.5) -> None:
        self.swap_share, self.min_apart, self.keep_s = swap_share, min_apart, keep_s
        self.doubt_s, self.evidence_s, self.min_evidence_s = doubt_s, evidence_s, min_evidence_s
        self.reset()

    def reset(self) -> None:
        """Forget the person's sides."""
        self._last: np.ndarray | None = None  # the last frame's pixels, as corrected
        self._t = -math.inf
        self._swapping: dict[str, float] = {}  # part -> since when it is swapped back
        self._doubt_until = -math.inf
        self._near: deque[tuple[float, float]] = deque()  # (t, log length ratio near/far)
        self._held = False  # the side view's evidence confirmed the names, and nothing changed since
        self.sides_named = False

    def update(self, frame: PoseFrame, body: BodyView | None, scale: float) -> tuple[PoseFrame, tuple[str, ...]]:
        """The frame with left and right as they were before, and the parts swapped back.

        Args:
            frame: the model's landmarks.
            body: the body as seen in ``frame`` (for the view), if known.
            scale: the body's torso length in pixels.
        """
        t = frame.timestamp
        if self._last is not None and t - self._t > self.keep_s:
            self._last = None  # too long ago to compare with
            self._swapping.clear()
            self._held = False  # a swap in the gap would not have been seen: confirm them again
        fixed: list[str] = []
        if self._last is not None and np.isfinite(scale) and scale > 0:
            for group in GROUPS:
                since = self._swapping.get(group)
                swapped = self._swapped(frame, group, scale, ongoing=since is not None)
                if swapped:
                    if since is None:
                        self._swapping[group] = since = t
                        if group == "legs":
                            self._doubt_until = t + self.doubt_s
                            self._held = False
                    if t - since < self.keep_s:
                        frame = swap_group(frame, group)
                        fixed.append(group)
                    else:
                        # The model keeps its new naming: take it, and start the evidence over.
                        del self._swapping[group]
                        if group == "legs":
                            self._near.clear()
                            self._held = False
                elif since is not None:
                    del self._swapping[group]
        self._last, self._t = frame.pixels.copy(), t
        self._weigh(frame, body, t)
        return frame, tuple(fixed)

    def _swapped(self, frame: PoseFrame, group: str, scale: float, ongoing: bool = False) -> bool:
        """Whether each of the part's left and right is now where the other was.

        ``min_apart`` keeps limbs crossing each other from being taken for the start of a swap;
        a swap already being undone (``ongoing``) goes on while the traded naming is cheaper,
        however near the two come (legs closing at the end of a jump are still swapped while
        they meet: on the real demo, the model's raw legs stayed swapped into frame 72 with
        the knees under 0.3 torso lengths apart).
        """
        px, last = frame.pixels, self._last
        a = np.array([int(x) for x, _ in GROUPS[group]])
        b = np.array([int(y) for _, y in GROUPS[group]])
        ok = np.isfinite(px[a]).all(axis=1) & np.isfinite(px[b]).all(axis=1) & \
            np.isfinite(last[a]).all(axis=1) & np.isfinite(last[b]).all(axis=1)
        if ok.sum() < 2:
            return False
        a, b = a[ok], b[ok]
        same = np.linalg.norm(px[a] - last[a], axis=1) + np.linalg.norm(px[b] - last[b], axis=1)
        traded = np.linalg.norm(px[a] - last[b], axis=1) + np.linalg.norm(px[b] - last[a], axis=1)
        apart = np.linalg.norm(last[a] - last[b], axis=1).mean() / scale
        return bool((ongoing or apart >= self.min_apart) and traded.sum() < self.swap_share * same.sum())

    def _weigh(self, frame: PoseFrame, body: BodyView | None, t: float) -> None:
        """Add this frame's perspective evidence (side views) and decide whether sides can be named."""
        while self._near and self._near[0][0] < t - self.evidence_s:
            self._near.popleft()
        if body is not None and body.view in ("side", "oblique") and frame.detected:
            px, ok = frame.pixels, frame.visible(0.5)
            near = near_side(px, ok)
            if near is not None:
                far = "left" if near == "right" else "right"
                ln, lf = _leg_length(px, ok, near), _leg_length(px, ok, far)
                if ln > 0 and lf > 0:
                    self._near.append((t, math.log(ln / lf)))
        if t < self._doubt_until:
            self.sides_named = False
        elif body is None or body.view not in ("side", "oblique"):
            # Facing the camera (or away), the model's left and right are seen across the
            # picture and a swap shows as one; they stand unless it swapped just now.
            self.sides_named = True
        else:
            # Once confirmed, the names hold while the legs are followed without a swap: the
            # evidence is the model's leg lengths, and when it misfits a leg for a second (on
            # the samples, live with its smoothing on, a still lunge's front leg read 20% short
            # for a second in three) the evidence swings without the names having changed. Only
            # evidence clearly against them (most frames, see _contradicted), a swap, or a gap
            # in the frames takes them back.
            if self._held:
                self._held = not self._contradicted()
            else:
                self._held = self._confirmed()
            self.sides_named = self._held

    def _enough(self) -> np.ndarray | None:
        near = self._near
        if len(near) < 5 or near[-1][0] - near[0][0] < self.min_evidence_s:
            return None
        return np.array([x for _, x in near])

    def _confirmed(self) -> bool:
        """Whether the perspective says the legs are named right: the named-near leg looks longer.

        Longer by more than twice the standard error of the mean, less :data:`NEUTRAL`: a
        figure drawn without perspective or noise (both legs as long, as in a test's stick
        figure) contradicts nothing and passes.
        """
        r = self._enough()
        if r is None:
            return False
        se = float(r.std(ddof=1)) / math.sqrt(len(r))
        return float(r.mean()) - 2.0 * se > -NEUTRAL

    def _contradicted(self) -> bool:
        """Whether the perspective says names once confirmed are wrong: over the evidence's
        seconds, the named-near leg looks shorter in three frames of four, and on average by
        more than twice the standard error."""
        r = self._enough()
        if r is None:
            return False
        se = float(r.std(ddof=1)) / math.sqrt(len(r))
        return float((r < -NEUTRAL).mean()) >= 0.75 and float(r.mean()) + 2.0 * se < -NEUTRAL


def _leg_length(px: np.ndarray, ok: np.ndarray, side: str) -> float:
    """Thigh plus shin in pixels (0 when not all three points are seen)."""
    h, k, a = L.of(side, "hip"), L.of(side, "knee"), L.of(side, "ankle")
    if not (ok[h] and ok[k] and ok[a]):
        return 0.0
    return float(np.linalg.norm(px[h] - px[k]) + np.linalg.norm(px[k] - px[a]))


__all__ = ["CHANGED", "GROUPS", "LeftRight", "ODD", "PersonContinuity", "body_size", "centre", "swap_group"]
