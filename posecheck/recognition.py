"""Which known pose, if any, a person is in: frame by frame, steadied over time.

Every spec says, through its checks' ``in_pose`` ranges, what counts as being in the
pose at all. A frame fits a pose when enough of that pose's checks can be measured
and every measured ranged check lies within its range; among the poses that fit,
the one whose checks match their targets best wins. "none" while nothing fits
(moving between poses, or a view no spec can judge). The label changes only after
the new answer has held for a moment, so a routine splits into clean segments.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .assessment import Status, assess
from .body import analyse_body
from .frame import PoseFrame
from .smoothing import Debounce
from .specs.models import PoseSpec

#: Credit per status when ranking the poses that fit a frame.
_FIT = {Status.OK: 1.0, Status.NEAR: 0.6, Status.OFF: 0.2}


@dataclass(frozen=True)
class PoseFit:
    """How well one pose explains one frame (0 = not at all)."""

    pose: str
    side: str | None
    fit: float
    measured: float


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


def fit_pose(frame: PoseFrame, spec: PoseSpec, min_measured: float = 0.6) -> PoseFit:
    """How well ``spec`` explains ``frame``: 0 unless measurable and within its ``in_pose`` ranges."""
    a = assess(frame, spec, body=analyse_body(frame, spec.min_visibility))
    total = sum(c.weight for c in spec.checks)
    weights = {c.id: c.weight for c in spec.checks}
    ranges = {c.id: c.in_pose for c in spec.checks}
    measured = [r for r in a.results if r.measured]
    share = sum(weights[r.id] for r in measured) / total if total else 0.0
    if share < min_measured or not any(ranges[r.id] for r in measured):
        return PoseFit(spec.id, a.side, 0.0, share)
    if any(ranges[r.id] is not None and not ranges[r.id].contains(r.value) for r in measured):
        return PoseFit(spec.id, a.side, 0.0, share)
    mw = sum(weights[r.id] for r in measured)
    quality = sum(weights[r.id] * _FIT[r.status] for r in measured) / mw
    # Within the pose's ranges it is that pose, however well or badly done: the fit
    # starts at 0.5. Poses whose ranges say more (more ranged checks) are more
    # specific and win ties; the form's quality breaks the rest.
    ranged = sum(1 for r in measured if ranges[r.id] is not None)
    return PoseFit(spec.id, a.side, 0.5 + 0.3 * quality * share + 0.05 * min(ranged, 4), share)


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
            fits = tuple(sorted((fit_pose(frame, s) for s in self.specs), key=lambda f: -f.fit))
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
