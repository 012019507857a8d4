"""Drawing what posecheck sees onto a frame, one small annotator per concern.

Used for the annotated video of ``score`` and for the ``live`` window, so both show the
same thing. Each annotator keeps its style (sizes at 720p, colours) from ``__init__`` and
draws with one ``annotate(scene, data) -> scene``, in the style of supervision's
annotators; :func:`draw_overlay` runs them in order over one frame's :class:`OverlayData`.
Panels claim their rectangles in the frame's layout as they are drawn, so the value
labels, placed last among the body's marks, go where no panel, joint or other label is.
"""

from __future__ import annotations

import cv2
import numpy as np

from posecheck.core.frame import PoseFrame
from posecheck.render.overlay.body import (
    JointAnnotator,
    PlacedLabel,
    SkeletonAnnotator,
    ValueLabelAnnotator,
    value_text,
)
from posecheck.render.overlay.cue import CueAnnotator
from posecheck.render.overlay.header import HeaderAnnotator, TimerAnnotator
from posecheck.render.overlay.info import OverlayInfo, side_label
from posecheck.render.overlay.layout import Box, Layout
from posecheck.render.overlay.panels import FpsAnnotator, HelpAnnotator, help_columns
from posecheck.render.overlay.scene import OverlayData
from posecheck.render.overlay.style import STATUS_BGR
from posecheck.render.overlay.text import put_text, text_size
from posecheck.track.verdict import FrameVerdict

#: The annotators :func:`draw_overlay` runs, in order: the body, then the panels (which claim
#: their places), then the labels (which avoid them), then the help panel over everything.
ANNOTATORS = (SkeletonAnnotator(), JointAnnotator(), HeaderAnnotator(), TimerAnnotator(), FpsAnnotator(),
              CueAnnotator(), ValueLabelAnnotator(), HelpAnnotator())


def overlay_data(image: np.ndarray, frame: PoseFrame, verdict: FrameVerdict | None, info: OverlayInfo,
                 mirror: bool = False) -> OverlayData:
    """What the annotators read for ``image`` (the landmarks mirrored when the picture is)."""
    return OverlayData.of(image.shape, frame.mirrored() if mirror else frame, verdict, info)


def compose(image: np.ndarray, frame: PoseFrame, verdict: FrameVerdict | None, info: OverlayInfo,
            mirror: bool = False) -> tuple[np.ndarray, OverlayData]:
    """:func:`draw_overlay`, also giving the frame's data, whose layout says where each thing went."""
    scene = cv2.flip(image, 1) if mirror else image.copy()
    data = overlay_data(image, frame, verdict, info, mirror)
    for annotator in ANNOTATORS:
        scene = annotator.annotate(scene, data)
    return scene, data


def draw_overlay(image: np.ndarray, frame: PoseFrame, verdict: FrameVerdict | None,
                 info: OverlayInfo, mirror: bool = False) -> np.ndarray:
    """Draw the skeleton, statuses, values, cue and timer onto a copy of ``image``.

    Args:
        image: the camera or video frame, BGR.
        frame: the landmarks found in it.
        verdict: the tracker's verdict for the frame (None draws the bare skeleton).
        info: the texts to show.
        mirror: flip the picture like a mirror; labels keep naming the person's own sides.
    """
    return compose(image, frame, verdict, info, mirror)[0]


__all__ = ["ANNOTATORS", "Box", "CueAnnotator", "FpsAnnotator", "HeaderAnnotator", "HelpAnnotator",
           "JointAnnotator", "Layout", "OverlayData", "OverlayInfo", "PlacedLabel", "STATUS_BGR",
           "SkeletonAnnotator", "TimerAnnotator", "ValueLabelAnnotator", "compose", "draw_overlay", "help_columns",
           "overlay_data", "put_text", "side_label", "text_size", "value_text"]
