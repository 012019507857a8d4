"""One frame as every judge of it sees it: body analyses and measurements made once and shared.

The recogniser measures each known pose in a frame; the tracker of the pose it settles on
needs the same measurement. :class:`SeenFrame` keeps what was computed for the frame (the
body analysis per visibility threshold, each spec's measurement per front leg) so nothing
is measured twice, and the side-swapped reading the recogniser sometimes needs.
"""

from __future__ import annotations

import math

import numpy as np

from posecheck.core.body import BodyView, FloorView, analyse_body
from posecheck.core.frame import PoseFrame
from posecheck.core.landmarks import Landmark
from posecheck.judge.measure import FrameMeasurement, measure

#: Row order that swaps every left landmark with its right twin (the nose stays).
_SWAP = np.array([Landmark[lm.name.replace("LEFT", "@").replace("RIGHT", "LEFT").replace("@", "RIGHT")]
                  for lm in Landmark])


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


class SeenFrame:
    """A frame and what has been worked out about it so far (computed on first use).

    Args:
        frame: the landmarks to judge.
        raw: the model's own landmarks when ``frame`` is a filtered version of them (a
            recording), so the unfiltered values can be shown beside the filtered ones.
        sides_named: whether the model's left and right can be trusted enough to name a
            side to the person (see :mod:`posecheck.track.identity`); when not, the legs are
            still measured by their roles (front, back) but no cue names a side.
        still_s: how long the body has held still before this frame, in seconds (see
            :mod:`posecheck.track.motion`); infinite when nothing is known about motion
            (a photo, or frames judged on their own).
        moving: the body moves faster than a held pose does, in this frame.
    """

    def __init__(self, frame: PoseFrame, raw: PoseFrame | None = None, sides_named: bool = True,
                 still_s: float = math.inf, moving: bool = False) -> None:
        self.frame = frame
        self.raw_frame = raw if raw is not None and raw is not frame else None
        self._raw_seen: SeenFrame | None = None
        self.sides_named = sides_named
        self.still_s = still_s
        self.moving = moving
        self._swapped: PoseFrame | None = None
        self._bodies: dict[tuple[bool, float], BodyView] = {}
        self._measured: dict[tuple, FrameMeasurement] = {}

    @property
    def unfiltered(self) -> SeenFrame:
        """The frame as the model gave it (this one when nothing was filtered)."""
        if self.raw_frame is None:
            return self
        if self._raw_seen is None:
            self._raw_seen = SeenFrame(self.raw_frame)
        return self._raw_seen

    @property
    def t(self) -> float:
        """The frame's time."""
        return self.frame.timestamp

    def get(self, swapped: bool = False) -> PoseFrame:
        """The frame, or its side-swapped reading."""
        if not swapped:
            return self.frame
        if self._swapped is None:
            self._swapped = swap_sides(self.frame)
        return self._swapped

    def body(self, swapped: bool, min_visibility: float) -> BodyView:
        """The body analysis of one reading at one visibility threshold."""
        key = (swapped, min_visibility)
        if key not in self._bodies:
            frame = self.get(swapped)
            self._bodies[key] = analyse_body(frame, min_visibility, frame.visible(min_visibility))
        return self._bodies[key]

    def measure(self, spec, side: str | None = None, floor: FloorView | None = None,  # noqa: ANN001
                swapped: bool = False, posture: bool = False) -> FrameMeasurement:
        """``spec`` measured in this frame (with the given front leg and floor view), once.

        A measurement with its posture checks also answers a request without them.
        """
        body = self.body(swapped, spec.min_visibility)
        # The same front leg however it was asked for: None means the one the body shows.
        side = (side if side in ("left", "right") else body.front_side) if spec.sides == "front_back" else None
        base = (spec.id, id(spec), side, floor, swapped)
        hit = self._measured.get((*base, True)) or (None if posture else self._measured.get((*base, False)))
        if hit is None:
            hit = measure(self.get(swapped), spec, side=side, floor=floor, body=body, posture=posture)
            self._measured[(*base, posture)] = hit
        return hit


__all__ = ["SeenFrame", "swap_sides"]
