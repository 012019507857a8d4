"""Following one body through the frames before anything is judged.

:class:`BodyFollower` puts the tests of :mod:`~posecheck.track.identity`,
:mod:`~posecheck.track.plausibility` and :mod:`~posecheck.track.motion` together, in the
order they need each other: the body's scale first (every test is in torso lengths), then
whether this is still the same person (if not, everything else starts over), left and
right (a swap looks like every leg joint jumping, so it is undone before continuity is
tested), which joints cannot be trusted, and how long the body has held still. The
session runs it as a stage (:mod:`posecheck.session.stages`), so every pose's tracker,
the recogniser and every front end see the same corrected frame.
"""

from __future__ import annotations

import math
import statistics
from collections import deque
from dataclasses import dataclass

import numpy as np

from posecheck.core.body import analyse_body, body_scale
from posecheck.core.frame import PointFlag, PoseFrame
from posecheck.core.landmarks import Landmark
from posecheck.judge.seen import SeenFrame
from posecheck.track.identity import CHANGED, ODD, LeftRight, PersonContinuity
from posecheck.track.motion import Stillness
from posecheck.track.plausibility import JOINTS, JointContinuity, LimbProportions, OwnLengths

#: The visibility from which a landmark counts as seen by these tests.
SEEN_VISIBILITY = 0.5


@dataclass(frozen=True)
class Followed:
    """One frame as followed.

    Attributes:
        frame: the landmarks, left and right made consistent, implausible joints flagged
            (:attr:`~posecheck.core.frame.PointFlag.IMPLAUSIBLE`).
        person_changed: the landmarks belong to someone else from this frame on.
        swapped: the parts of the body whose left and right were swapped back (``legs``...).
        implausible: the joints flagged in this frame.
        sides_named: whether a side may be named to the person (see
            :attr:`~posecheck.track.identity.LeftRight.sides_named`).
        still_s: seconds the body has held still, up to this frame.
        moving: the body moves faster than a held pose does, in this frame.
    """

    frame: PoseFrame
    person_changed: bool = False
    swapped: tuple[str, ...] = ()
    implausible: frozenset[Landmark] = frozenset()
    sides_named: bool = True
    still_s: float = math.inf
    moving: bool = False

    def seen(self) -> SeenFrame:
        """The frame as the judges see it (with what following it found)."""
        return SeenFrame(self.frame, sides_named=self.sides_named, still_s=self.still_s, moving=self.moving)


class RunningScale:
    """The body's torso length in pixels, as the median over the last ``window_s`` (one odd frame moves it little)."""

    def __init__(self, window_s: float = 2.0) -> None:
        self.window_s = window_s
        self._seen: deque[tuple[float, float]] = deque()
        self.last = math.nan

    def reset(self) -> None:
        self._seen.clear()
        self.last = math.nan

    def __call__(self, t: float, scale: float) -> float:
        seen = self._seen
        while seen and seen[0][0] < t - self.window_s:
            seen.popleft()
        if math.isfinite(scale) and scale > 0:
            seen.append((t, scale))
        self.last = statistics.median(s for _, s in seen) if seen else math.nan
        return self.last


def _index_mask(landmarks: set[Landmark]) -> np.ndarray:
    mask = np.zeros(33, dtype=bool)
    mask[[int(lm) for lm in landmarks]] = True
    return mask


class BodyFollower:
    """Follows one body from frame to frame; see the module's docstring."""

    def __init__(self) -> None:
        self.person = PersonContinuity()
        self.sides = LeftRight()
        self.joints = JointContinuity()
        self.proportions = LimbProportions()
        self.lengths = OwnLengths()
        self.motion = Stillness()
        self.scale = RunningScale()
        self._last_seen = -math.inf  # when anyone was last in view

    def restart(self) -> None:
        """Start over with a new person: nothing learned about the last one applies."""
        self.sides.reset()
        self.joints.reset()
        self.lengths.reset()
        self.motion.reset()
        self.scale.reset()

    def __call__(self, frame: PoseFrame) -> Followed:
        """Follow the next frame."""
        if not frame.detected:
            self.motion.lost()
            return Followed(frame, sides_named=self.sides.sides_named, still_s=0.0)
        t = frame.timestamp
        if t - self._last_seen > self.person.max_gap_s:
            # Nobody in view for longer than a change of person is noticed across: whoever comes
            # is followed from scratch, their legs measured against their own lengths (the
            # lengths keep 10 s, and someone else's would make theirs look folded).
            self.lengths.reset()
        self._last_seen = t
        seen = frame.visible(SEEN_VISIBILITY)
        own = body_scale(frame.pixels, seen)
        who = self.person(frame.pixels, seen, t, self.scale.last if math.isfinite(self.scale.last) else own)
        changed = who == CHANGED
        if changed:
            self.restart()
        scale = self.scale(t, own)
        body = analyse_body(frame, SEEN_VISIBILITY)
        frame, swapped = self.sides.update(frame, body, scale)
        px, seen = frame.pixels, frame.visible(SEEN_VISIBILITY)
        odd = self.joints(px, seen, t, scale) | self.proportions(px, seen, scale)
        if who == ODD:
            odd |= set(JOINTS)  # a body of another size: no joint of it is this body's
        odd |= self.lengths(px, seen & ~_index_mask(odd), t, scale, body.view == "side")
        if odd:
            frame = frame.flagged(odd, PointFlag.IMPLAUSIBLE)
            seen = frame.visible(SEEN_VISIBILITY)
        still = self.motion(frame.pixels, seen, t, scale)
        return Followed(frame, changed, swapped, frozenset(odd), self.sides.sides_named, still, self.motion.moving)


__all__ = ["BodyFollower", "Followed", "RunningScale", "SEEN_VISIBILITY"]
