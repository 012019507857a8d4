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

from dataclasses import dataclass

from posecheck.core.frame import PoseFrame
from posecheck.judge.assess import band_status
from posecheck.judge.measure import ACCEPTED_VIEWS
from posecheck.judge.seen import SeenFrame, swap_sides
from posecheck.judge.status import Status
from posecheck.specs.models import PoseSpec

#: Credit per status when ranking the poses that fit a frame.
_FIT = {Status.OK: 1.0, Status.NEAR: 0.6, Status.OFF: 0.2}

#: Share of a pose's check weight that must be measurable for the pose to fit at all.
MIN_MEASURED = 0.6

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


def one_sided(spec: PoseSpec) -> bool:
    """Whether ``spec`` judges one side of the body standing for both, seen from that side.

    True for a side-view spec without front/back roles whose checks name landmarks of
    one side only (and midpoints or the nose): the other side does the same out of
    sight, so the pose seen from the other side is the same pose.
    """
    return spec.compiled.one_sided


def _fit_reading(seen: SeenFrame, swapped: bool, spec: PoseSpec, front: str | None,
                 min_measured: float) -> tuple[float, float, str | None]:
    """(fit, measured share, side) of one reading of the frame."""
    m = seen.measure(spec, side=front, swapped=swapped, posture=True)
    total = sum(c.weight for c in spec.checks)
    measured = [(c, r) for c, r in zip(spec.checks, m.checks) if r.measured]
    mw = sum(c.weight for c, _ in measured)
    share = mw / total if total else 0.0
    ranged = [(c, r) for c, r in measured if c.in_pose is not None]
    if share < min_measured or not ranged:
        return 0.0, share, m.side
    if any(not c.in_pose.contains(r.value) for c, r in ranged):
        return 0.0, share, m.side
    if any(not r.measured or not p.in_pose.contains(r.value) for p, r in zip(spec.posture, m.posture)):
        return 0.0, share, m.side
    quality = sum(c.weight * _FIT[band_status(c.target, r.value)[0]] for c, r in measured) / mw
    # Within the pose's ranges it is that pose, however well or badly done: the fit
    # starts at 0.5. Poses whose ranges say more (more ranged and posture checks met)
    # are more specific and win ties; the form's quality breaks the rest.
    n = len(ranged) + len(spec.posture)
    return 0.5 + 0.3 * quality * share + 0.05 * min(n, 4), share, m.side


def fit_seen(seen: SeenFrame, spec: PoseSpec, min_measured: float) -> PoseFit:
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
    if best.fit == 0 and spec.compiled.one_sided:
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
    return fit_seen(SeenFrame(frame), spec, min_measured)


__all__ = ["MIN_MEASURED", "PoseFit", "fit_pose", "fit_seen", "one_sided", "swap_sides"]
