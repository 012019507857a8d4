"""One moment of one person: the landmarks the model found in one image.

A :class:`PoseFrame` keeps the model's normalised coordinates together with the
image size, so every measurement can be made in pixel space. Missing and
off-image landmarks are NaN and flagged, never 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from functools import cached_property

import numpy as np

from posecheck.core.landmarks import NUM_LANDMARKS, Landmark

#: How far outside [0, 1] a normalised coordinate may be and still count as on the image.
#: The model places joints at the very border a little outside; a few pixels is noise.
OFF_IMAGE_MARGIN = 0.01


class PointFlag(IntEnum):
    """Why a landmark can or cannot be used."""

    OK = 0
    MISSING = 1  #: the model gave no value (no person, or NaN)
    OFF_IMAGE = 2  #: the model placed it outside the image
    IMPLAUSIBLE = 3  #: the model gave it, but no body moving as bodies move puts it there


def _as_array(value: object, shape: tuple[int, ...], name: str) -> np.ndarray:
    arr = np.asarray(value, dtype=np.float64)
    if arr.shape != shape:
        raise ValueError(f"PoseFrame.{name} must have shape {shape}, got {arr.shape}")
    return arr


@dataclass(frozen=True)
class PoseFrame:
    """The landmarks of one person in one image.

    Attributes:
        xy: ``(33, 2)`` normalised image coordinates (x right, y down, 0..1);
            NaN where the landmark is missing or off the image.
        z: ``(33,)`` the model's relative depth (same scale as ``x``; smaller is
            nearer the camera); NaN where missing.
        visibility: ``(33,)`` the model's probability that the landmark is visible
            (not occluded), 0..1; NaN where missing.
        presence: ``(33,)`` the probability that the landmark is in the image at
            all, where the model reports it (Tasks API), else ``None``.
        image_size: ``(width, height)`` of the image in pixels.
        timestamp: seconds from the start of the input.
        world: ``(33, 3)`` metric coordinates centred on the hips, or ``None``.
        flags: ``(33,)`` :class:`PointFlag` values saying why a point is NaN.
    """

    xy: np.ndarray
    z: np.ndarray
    visibility: np.ndarray
    image_size: tuple[int, int]
    timestamp: float = 0.0
    presence: np.ndarray | None = None
    world: np.ndarray | None = None
    flags: np.ndarray = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        n = NUM_LANDMARKS
        object.__setattr__(self, "xy", _as_array(self.xy, (n, 2), "xy"))
        object.__setattr__(self, "z", _as_array(self.z, (n,), "z"))
        object.__setattr__(self, "visibility", _as_array(self.visibility, (n,), "visibility"))
        if self.presence is not None:
            object.__setattr__(self, "presence", _as_array(self.presence, (n,), "presence"))
        if self.world is not None:
            object.__setattr__(self, "world", _as_array(self.world, (n, 3), "world"))
        w, h = self.image_size
        if w <= 0 or h <= 0:
            raise ValueError(f"PoseFrame.image_size must be positive, got {self.image_size}")
        object.__setattr__(self, "image_size", (int(w), int(h)))
        if self.flags is None:
            flags = np.where(np.isnan(self.xy).any(axis=1), PointFlag.MISSING, PointFlag.OK)
            object.__setattr__(self, "flags", flags.astype(np.int8))
        for arr in (self.xy, self.z, self.visibility, self.flags):
            arr.setflags(write=False)

    # -- constructors -------------------------------------------------------------

    @classmethod
    def from_normalized(
        cls,
        xyz: np.ndarray,
        visibility: np.ndarray,
        image_size: tuple[int, int],
        timestamp: float = 0.0,
        presence: np.ndarray | None = None,
        world: np.ndarray | None = None,
    ) -> PoseFrame:
        """Build a frame from a model's raw output, flagging off-image points.

        Args:
            xyz: ``(33, 3)`` normalised x, y and relative depth as the model gives them.
            visibility: ``(33,)`` visibility scores.
            image_size: ``(width, height)`` in pixels.
            timestamp: seconds from the start of the input.
            presence: optional ``(33,)`` presence scores.
            world: optional ``(33, 3)`` world coordinates in metres.
        """
        xyz = np.array(xyz, dtype=np.float64).reshape(NUM_LANDMARKS, 3)
        vis = np.array(visibility, dtype=np.float64).reshape(NUM_LANDMARKS)
        xy = xyz[:, :2].copy()
        flags = np.full(NUM_LANDMARKS, PointFlag.OK, dtype=np.int8)
        missing = np.isnan(xyz).any(axis=1)
        lo, hi = -OFF_IMAGE_MARGIN, 1.0 + OFF_IMAGE_MARGIN
        off = ~missing & ((xy < lo) | (xy > hi)).any(axis=1)
        flags[missing] = PointFlag.MISSING
        flags[off] = PointFlag.OFF_IMAGE
        xy[missing | off] = np.nan
        z = xyz[:, 2].copy()
        z[missing] = np.nan
        vis = vis.copy()
        vis[missing] = np.nan
        return cls(
            xy=xy,
            z=z,
            visibility=vis,
            image_size=image_size,
            timestamp=timestamp,
            presence=presence,
            world=world,
            flags=flags,
        )

    @classmethod
    def from_pixels(
        cls,
        points: dict[Landmark, tuple[float, float]] | np.ndarray,
        image_size: tuple[int, int],
        timestamp: float = 0.0,
        visibility: float | np.ndarray = 1.0,
    ) -> PoseFrame:
        """Build a frame from pixel coordinates (used by tests and ground truth).

        Args:
            points: a ``(33, 2)`` array of pixels, or a mapping of some landmarks to
                pixels (the others are missing).
            image_size: ``(width, height)``.
            timestamp: seconds.
            visibility: one score for all points, or ``(33,)``.
        """
        w, h = image_size
        px = np.full((NUM_LANDMARKS, 2), np.nan)
        if isinstance(points, dict):
            for lm, (x, y) in points.items():
                px[int(lm)] = (x, y)
        else:
            px = np.asarray(points, dtype=np.float64).reshape(NUM_LANDMARKS, 2)
        xyz = np.zeros((NUM_LANDMARKS, 3))
        xyz[:, 0] = px[:, 0] / w
        xyz[:, 1] = px[:, 1] / h
        xyz[np.isnan(px).any(axis=1)] = np.nan
        vis = np.broadcast_to(np.asarray(visibility, dtype=np.float64), (NUM_LANDMARKS,))
        return cls.from_normalized(xyz, vis, image_size, timestamp)

    @classmethod
    def empty(cls, image_size: tuple[int, int], timestamp: float = 0.0) -> PoseFrame:
        """A frame in which no person was found: every landmark missing."""
        nan = np.full((NUM_LANDMARKS, 3), np.nan)
        return cls.from_normalized(nan, np.full(NUM_LANDMARKS, np.nan), image_size, timestamp)

    # -- views --------------------------------------------------------------------

    @cached_property
    def detected(self) -> bool:
        """Whether the model found a person (any landmark present)."""
        return bool((self.flags != PointFlag.MISSING).any())

    @cached_property
    def pixels(self) -> np.ndarray:
        """``(33, 2)`` pixel coordinates: normalised coordinates scaled by the image size."""
        w, h = self.image_size
        px = self.xy * np.array([w, h], dtype=np.float64)
        px.setflags(write=False)
        return px

    def visible(self, threshold: float) -> np.ndarray:
        """``(33,)`` bool: present, on the image and at least ``threshold`` visible."""
        vis = self.visibility
        return (self.flags == PointFlag.OK) & (vis >= threshold)  # NaN compares False

    def flagged(self, landmarks: object, flag: PointFlag) -> PoseFrame:
        """The same frame with ``landmarks`` (indexes or :class:`Landmark` values) flagged ``flag``.

        The coordinates are kept (they can still be drawn and followed), but a flagged
        point is no longer :meth:`visible`, so nothing is measured from it.
        """
        idx = np.asarray([int(lm) for lm in landmarks], dtype=np.int64)  # type: ignore[union-attr]
        if idx.size == 0:
            return self
        flags = self.flags.copy()
        flags[idx[flags[idx] == PointFlag.OK]] = flag
        return PoseFrame(xy=self.xy, z=self.z, visibility=self.visibility, image_size=self.image_size,
                         timestamp=self.timestamp, presence=self.presence, world=self.world, flags=flags)

    def mirrored(self) -> PoseFrame:
        """The frame as seen in a mirror: x flipped, identities kept.

        The person's left knee is still ``LEFT_KNEE`` in the flipped image, so cues
        keep naming the right side when the view is mirrored.
        """
        xy = self.xy.copy()
        xy[:, 0] = 1.0 - xy[:, 0]
        return PoseFrame(
            xy=xy,
            z=self.z,
            visibility=self.visibility,
            image_size=self.image_size,
            timestamp=self.timestamp,
            presence=self.presence,
            world=self.world,
            flags=self.flags,
        )
