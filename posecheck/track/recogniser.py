"""Recognising the pose in a stream of frames: the per-frame fits of
:mod:`posecheck.judge.recognise`, steadied over time.

The label changes only after the new answer has held for ``hold_s`` without a break,
so a routine splits into clean segments (see :mod:`posecheck.judge.recognise` for why
this is strict on purpose).
"""

from __future__ import annotations

from dataclasses import dataclass

from posecheck.core.frame import PoseFrame
from posecheck.judge.recognise import MIN_MEASURED, PoseFit, fit_seen
from posecheck.judge.seen import SeenFrame
from posecheck.specs.models import PoseSpec
from posecheck.track.filters import Debounce


@dataclass(frozen=True)
class Recognition:
    """The recognised pose in one frame.

    Attributes:
        t: the frame's time.
        pose: the steadied pose id, or None ("none").
        side: the leg in front for that pose (when it has sides).
        fits: every pose's fit, best first.
    """

    t: float
    pose: str | None
    side: str | None
    fits: tuple[PoseFit, ...]


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

    def update(self, frame: PoseFrame | SeenFrame) -> Recognition:
        """The pose in ``frame``, steadied over the frames before it."""
        seen = frame if isinstance(frame, SeenFrame) else SeenFrame(frame)
        t = seen.t
        if not seen.frame.detected:
            fits: tuple[PoseFit, ...] = ()
            raw = None
        else:
            fits = tuple(sorted((fit_seen(seen, s, MIN_MEASURED) for s in self.specs), key=lambda f: -f.fit))
            raw = fits[0].pose if fits and fits[0].fit >= self.min_fit else None
        label = self._label(t, raw if raw is not None else "none")
        pose = None if label in (None, "none") else str(label)
        side = None
        if pose is not None:
            best = next((f for f in fits if f.pose == pose), None)
            side_raw = best.side if best is not None else None
            side = self._side[pose](t, side_raw) if side_raw else self._side[pose].value
        return Recognition(t, pose, side, fits)


__all__ = ["PoseRecognizer", "Recognition"]
