"""What every annotator of one frame reads: the landmarks as drawn, the verdict, the texts, the layout."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from posecheck.core.frame import PoseFrame
from posecheck.core.landmarks import Landmark
from posecheck.judge.status import Status
from posecheck.render.overlay.info import OverlayInfo
from posecheck.render.overlay.layout import Layout
from posecheck.render.overlay.style import STATUS_RANK, scale_of
from posecheck.track.verdict import FrameVerdict


@dataclass(frozen=True)
class OverlayData:
    """One frame as the annotators draw it.

    Attributes:
        frame: the landmarks, already mirrored when the picture is.
        verdict: the tracker's verdict (None: the bare skeleton).
        info: the texts and timers.
        px: ``(33, 2)`` landmark pixels of ``frame``.
        visible: ``(33,)`` which landmarks to draw.
        unit: the size scale (1.0 at 720p).
        joints: the status of each joint a check is about (its anchor), the worst where
            several checks share one.
        judged: every visible landmark a check measures (what the cue must not cover).
        layout: the rectangles claimed so far on this frame (annotators add theirs).
    """

    frame: PoseFrame
    verdict: FrameVerdict | None
    info: OverlayInfo
    px: np.ndarray
    visible: np.ndarray
    unit: float
    joints: dict[int, Status]
    judged: tuple[int, ...]
    layout: Layout

    @classmethod
    def of(cls, shape: tuple[int, ...], frame: PoseFrame, verdict: FrameVerdict | None,
           info: OverlayInfo) -> OverlayData:
        """The data for a frame of ``shape`` (height, width, ...)."""
        h, w = shape[:2]
        visible = frame.visible(0.0)
        joints: dict[int, Status] = {}
        used: set[int] = set()
        if verdict is not None:
            for c in verdict.checks:
                used.update(int(lm) for lm in c.landmarks)
                if c.anchor is None:
                    continue
                prev = joints.get(int(c.anchor))
                if prev is None or STATUS_RANK[c.status] > STATUS_RANK[prev]:
                    joints[int(c.anchor)] = c.status
        body = range(Landmark.LEFT_SHOULDER, len(visible))
        judged = tuple(i for i in (sorted(used) if used else body) if visible[i])
        return cls(frame, verdict, info, frame.pixels, visible, scale_of(h), joints, judged, Layout(w, h))


__all__ = ["OverlayData"]
