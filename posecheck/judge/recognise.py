"""Which known pose, if any, a person is in: frame by frame, steadied over time.

Every spec says what counts as being in the pose at all: its checks' ``in_pose``
ranges (a knee bent 55–145° is a lunge, good or bad), and its ``posture`` checks,
which are there only to tell the pose from others that bend the same joints the same
way (child's pose and knees to chest both fold the hips and knees; one kneels face
down with the knees below the hips, the other lies on the back with the knees above
them). A frame fits a pose when enough of that pose's checks can be measured, every
measured ranged check lies within its range, and every posture check is measured and
within its range; among the poses that fit, the most specific (more ranges met) wins,
then the one whose checks match their targets best. "none" while nothing fits
(moving between poses, or a view no spec can judge).

Recognising is not judging, so a frame that does not fit a pose as seen is read again
in two ways, both only ever adding the pose the person is in:

* The symmetric side-view poses (knees to chest, happy baby, constructive rest,
  camel, child's pose) are judged on the left leg from the person's left side, the
  left leg standing for both. Filmed from the right, that leg is hidden and every
  check is unknown, yet the person *is* in the pose: a spec that names one side only
  (:func:`one_sided`) is also read with left and right swapped, i.e. on the leg the
  camera sees. The pose is recognised (``PoseFit.other_side``), and judging it then
  says "turn your left side to the camera" instead of a correction, which tells the
  person far more than "no pose" would. It costs nothing in telling poses apart: the
  swapped frame must meet every range and posture check of the same spec, and a pose
  that fits as seen is never read swapped.
* For a pose with a front and a back leg, a frame in which the body does not show
  which leg is in front (the front shin hidden behind the body) is tried with each leg
  in front; the pose fits if either does, with its side left unknown (``side`` None),
  so a side is only reported when the landmarks show it.

The label changes only after the new answer has held for ``hold_s`` without a break,
so a routine splits into clean segments. That is strict on purpose: letting a frame
or two of "none" pass unnoticed recovers a few frames where a landmark flickers, but
on the samples it also let a clip whose legs the model loses (a kneeling lunge it sees
with the back knee up) settle on "low lunge", and naming the wrong pose is worse than
naming none. Where the model loses the body, the answer should be "none", never the
nearest pose.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from posecheck.core.body import BodyView, analyse_body
from posecheck.core.frame import PoseFrame
from posecheck.core.landmarks import Landmark
from posecheck.judge.assess import ACCEPTED_VIEWS, Status, assess
from posecheck.specs.models import CheckSpec, Cues, PoseSpec, Target
from posecheck.specs.points import parse_point
from posecheck.track.filters import Debounce

#: Credit per status when ranking the poses that fit a frame.
_FIT = {Status.OK: 1.0, Status.NEAR: 0.6, Status.OFF: 0.2}

#: Share of a pose's check weight that must be measurable for the pose to fit at all.
MIN_MEASURED = 0.6

#: Row order that swaps every left landmark with its right twin (the nose stays).
_SWAP = np.array([Landmark[lm.name.replace("LEFT", "@").replace("RIGHT", "LEFT").replace("@", "RIGHT")]
                  for lm in Landmark])


@dataclass(frozen=True)
class PoseFit:
    """How well one pose explains one frame (0 = not at all).

    Attributes:
        pose: the pose id.
        side: the leg in front, for poses with sides, when the landmarks show it.
        fit: 0 when the frame is not this pose; otherwise at least 0.5, higher for a
            more specific and better-done match.
        measured: share of the pose's check weight that could be measured.
        other_side: the pose fits only as seen from the side its spec does not judge
            (a one-sided spec read with left and right swapped): the person is in the
            pose, but its checks need the camera on their other side.
    """

    pose: str
    side: str | None
    fit: float
    measured: float
    other_side: bool = False


@dataclass(frozen=True)
class Recognition:
    """The recognised pose in one frame.

    Attributes:
        t: the frame's time.
        pose: the steadied pose id, or None ("none").
        side: the leg in front for that pose (when it has sides).
        raw_pose: this frame's own best fit, before steadying.
        fits: every pose's fit, best first.
    """

    t: float
    pose: str | None
    side: str | None
    raw_pose: str | None
    fits: tuple[PoseFit, ...]


def swap_sides(frame: PoseFrame) -> PoseFrame:
    """The same landmarks with every left one named right and the reverse.

    Unlike :meth:`PoseFrame.mirrored` nothing moves in the image: the person's
    right knee is read as their left one, as if the camera stood on their other side.
    """
    return PoseFrame(
        xy=frame.xy[_SWAP],
        z=frame.z[_SWAP],
        visibility=frame.visibility[_SWAP],
        image_size=frame.image_size,
        timestamp=frame.timestamp,
        presence=None if frame.presence is None else frame.presence[_SWAP],
        world=None if frame.world is None else frame.world[_SWAP],
        flags=frame.flags[_SWAP],
    )


def one_sided(spec: PoseSpec) -> bool:
    """Whether ``spec`` judges one side of the body standing for both, seen from that side.

    True for a side-view spec without front/back roles whose checks name landmarks of
    one side only (and midpoints or the nose): the other side does the same out of
    sight, so the pose seen from the other side is the same pose.
    """
    if spec.view != "side" or spec.sides != "none":
        return False
    sides = {parse_point(p, roles=False).side
             for c in (*spec.checks, *spec.posture) for p in (*c.points, *(c.relative_to or []))}
    return len(sides & {"left", "right"}) == 1


_WITH_POSTURE: dict[int, tuple[PoseSpec, PoseSpec, int, bool]] = {}


def _prepared(spec: PoseSpec) -> tuple[PoseSpec, int, bool]:
    """The spec with its posture appended as checks, how many checks are its own, and :func:`one_sided`."""
    hit = _WITH_POSTURE.get(id(spec))
    if hit is None or hit[0] is not spec:
        extra = [CheckSpec(id=p.id, kind=p.kind, label=p.label, points=p.points, relative_to=p.relative_to,
                           options=p.options, min_visibility=p.min_visibility, in_pose=p.in_pose,
                           target=Target(min=p.in_pose.min, max=p.in_pose.max, near=0.0),
                           cues=Cues(below="-", above="-"))
                 for p in spec.posture]
        full = spec.model_copy(update={"checks": [*spec.checks, *extra], "posture": []}) if extra else spec
        hit = (spec, full, len(spec.checks), one_sided(spec))
        if len(_WITH_POSTURE) >= 256:  # a long-lived process that loads specs again and again
            _WITH_POSTURE.clear()
        _WITH_POSTURE[id(spec)] = hit
    return hit[1], hit[2], hit[3]


class _Frame:
    """One frame and its side-swapped reading, with each one's body analysis, computed once."""

    def __init__(self, frame: PoseFrame) -> None:
        self.frame = frame
        self._swapped: PoseFrame | None = None
        self._bodies: dict[tuple[bool, float], BodyView] = {}

    def get(self, swapped: bool) -> PoseFrame:
        if not swapped:
            return self.frame
        if self._swapped is None:
            self._swapped = swap_sides(self.frame)
        return self._swapped

    def body(self, swapped: bool, min_visibility: float) -> BodyView:
        key = (swapped, min_visibility)
        if key not in self._bodies:
            self._bodies[key] = analyse_body(self.get(swapped), min_visibility)
        return self._bodies[key]


def _fit_reading(seen: _Frame, swapped: bool, spec: PoseSpec, front: str | None,
                 min_measured: float) -> tuple[float, float, str | None]:
    """(fit, measured share, side) of one reading of the frame."""
    full, own, _ = _prepared(spec)
    a = assess(seen.get(swapped), full, side=front, body=seen.body(swapped, spec.min_visibility))
    results, posture = a.results[:own], a.results[own:]
    total = sum(c.weight for c in spec.checks)
    measured = [(c, r) for c, r in zip(spec.checks, results) if r.measured]
    mw = sum(c.weight for c, _ in measured)
    share = mw / total if total else 0.0
    ranged = [(c, r) for c, r in measured if c.in_pose is not None]
    if share < min_measured or not ranged:
        return 0.0, share, a.side
    if any(not c.in_pose.contains(r.value) for c, r in ranged):
        return 0.0, share, a.side
    if any(not r.measured or not p.in_pose.contains(r.value) for p, r in zip(spec.posture, posture)):
        return 0.0, share, a.side
    quality = sum(c.weight * _FIT[r.status] for c, r in measured) / mw
    # Within the pose's ranges it is that pose, however well or badly done: the fit
    # starts at 0.5. Poses whose ranges say more (more ranged and posture checks met)
    # are more specific and win ties; the form's quality breaks the rest.
    n = len(ranged) + len(spec.posture)
    return 0.5 + 0.3 * quality * share + 0.05 * min(n, 4), share, a.side


def _fit(seen: _Frame, spec: PoseSpec, min_measured: float) -> PoseFit:
    fit, share, side = _fit_reading(seen, False, spec, None, min_measured)
    best = PoseFit(spec.id, side, fit, share)
    # Other readings only where the direct one fails for want of a leg, not of the view.
    if fit > 0 or not seen.frame.detected or \
            seen.body(False, spec.min_visibility).view not in ACCEPTED_VIEWS[spec.view]:
        return best
    if spec.sides == "front_back" and side is None:
        for front in ("left", "right"):
            f, s, _ = _fit_reading(seen, False, spec, front, min_measured)
            if f > best.fit:
                best = PoseFit(spec.id, None, f, s)
    if best.fit == 0 and _prepared(spec)[2]:
        f, s, _ = _fit_reading(seen, True, spec, None, min_measured)
        if f > 0:
            best = PoseFit(spec.id, None, f, s, other_side=True)
    return best


def fit_pose(frame: PoseFrame, spec: PoseSpec, min_measured: float = MIN_MEASURED) -> PoseFit:
    """How well ``spec`` explains ``frame``: 0 unless measurable and within its ranges and posture.

    The frame is read as seen; only if that reading does not fit (see the module's
    docstring), with each leg in front when the body does not show which one is, then
    with left and right swapped for a one-sided spec.
    """
    return _fit(_Frame(frame), spec, min_measured)


class PoseRecognizer:
    """Recognises the pose in a stream of frames.

    Args:
        specs: the poses to choose from.
        hold_s: how long a new answer must hold before the label changes.
        min_fit: below this, no pose fits ("none").
    """

    def __init__(self, specs: list[PoseSpec], hold_s: float = 0.6, min_fit: float = 0.5) -> None:
        self.specs = list(specs)
        self.min_fit = min_fit
        self._label = Debounce(hold_s)
        self._side: dict[str, Debounce] = {s.id: Debounce(hold_s) for s in self.specs}

    def update(self, frame: PoseFrame) -> Recognition:
        """The pose in ``frame``, steadied over the frames before it."""
        t = frame.timestamp
        if not frame.detected:
            fits: tuple[PoseFit, ...] = ()
            raw = None
        else:
            seen = _Frame(frame)
            fits = tuple(sorted((_fit(seen, s, MIN_MEASURED) for s in self.specs), key=lambda f: -f.fit))
            raw = fits[0].pose if fits and fits[0].fit >= self.min_fit else None
        label = self._label(t, raw if raw is not None else "none")
        pose = None if label in (None, "none") else str(label)
        side = None
        if pose is not None:
            best = next((f for f in fits if f.pose == pose), None)
            side_raw = best.side if best is not None else None
            side = self._side[pose](t, side_raw) if side_raw else self._side[pose].value
        return Recognition(t, pose, side, raw, fits)


def best_guess(fits: tuple[PoseFit, ...]) -> str | None:
    """The best-fitting pose of a frame, if any fits at all."""
    return fits[0].pose if fits and fits[0].fit > 0 and not math.isnan(fits[0].fit) else None
