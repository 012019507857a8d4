"""The part of the picture to look in (``--region``): the model sees only that part.

With two people in view the landmark model follows one of them, not necessarily the one
practising. ``--region x,y,w,h`` names the part of the picture where the practising person
is; :class:`RegionEstimator` crops every image to it before the model runs and maps the
landmarks back to the whole picture, so everything after the model (the overlay, the saved
landmarks, a replay) is in the whole picture's coordinates as without a region.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from posecheck.errors import InputError
from posecheck.estimators.base import Estimator, check_image
from posecheck.io.landmarks_file import RawPose

#: The smallest region, in pixels a side, the model is given: smaller finds nobody.
MIN_SIDE_PX = 64

_HINT = ("give --region as x,y,w,h: four fractions of the picture (0.25,0,0.5,1 is the middle half) "
         "or four whole numbers of pixels (480,0,960,1080)")


@dataclass(frozen=True)
class Region:
    """A rectangle of the picture: its left, top, width and height.

    Attributes:
        x, y, w, h: the rectangle, as fractions of the picture's width and height when
            ``fractions``, else in pixels.
        fractions: whether the numbers are fractions (all four within 0..1) or pixels.
    """

    x: float
    y: float
    w: float
    h: float
    fractions: bool

    @classmethod
    def parse(cls, text: str) -> Region:
        """A region from ``x,y,w,h``: four fractions of the picture, or four whole numbers of pixels.

        Raises:
            InputError: not four numbers, negative, empty, or a fraction past the picture's edge.
        """
        parts = [p.strip() for p in str(text).replace(" ", "").split(",")]
        try:
            x, y, w, h = (float(p) for p in parts)
        except ValueError:
            raise InputError(f"--region {text!r} is not four numbers", _HINT) from None
        values = (x, y, w, h)
        if not all(math.isfinite(v) and v >= 0 for v in values) or w <= 0 or h <= 0:
            raise InputError(f"--region {text!r} needs a width and height above 0 and no negative numbers", _HINT)
        if all(v <= 1.0 for v in values):  # no region is one pixel wide: these are fractions
            if x + w > 1.0 + 1e-9 or y + h > 1.0 + 1e-9:
                raise InputError(f"--region {text!r} reaches past the picture's edge", _HINT)
            return cls(x, y, w, h, True)
        if not all(v.is_integer() for v in values):
            raise InputError(f"--region {text!r} mixes fractions and pixels", _HINT)
        return cls(x, y, w, h, False)

    def describe(self) -> str:
        """The region as it was given, e.g. ``0.25,0,0.5,1`` or ``480,0,960,1080``."""
        return ",".join(f"{v:g}" for v in (self.x, self.y, self.w, self.h))

    def pixels(self, width: int, height: int) -> tuple[int, int, int, int]:
        """The rectangle in pixels of a ``width`` x ``height`` picture: ``(x0, y0, w, h)``.

        Raises:
            InputError: the region lies outside the picture, or is too small for the model.
        """
        if self.fractions:
            x0, y0 = round(self.x * width), round(self.y * height)
            x1, y1 = round((self.x + self.w) * width), round((self.y + self.h) * height)
        else:
            x0, y0 = int(self.x), int(self.y)
            x1, y1 = int(self.x + self.w), int(self.y + self.h)
        x1, y1 = min(x1, width), min(y1, height)
        if x0 >= width or y0 >= height:
            raise InputError(f"--region {self.describe()} lies outside the {width}x{height} picture", _HINT)
        if x1 - x0 < MIN_SIDE_PX or y1 - y0 < MIN_SIDE_PX:
            raise InputError(f"--region {self.describe()} is {x1 - x0}x{y1 - y0} pixels of the {width}x{height} "
                             f"picture: too small to find a person in", f"make it at least {MIN_SIDE_PX} pixels a side")
        return x0, y0, x1 - x0, y1 - y0


def from_crop(raw: RawPose, box: tuple[int, int, int, int], size: tuple[int, int]) -> RawPose:
    """The model's answer on a crop, in the coordinates of the whole picture.

    Normalised x and y are mapped back to the whole picture, the depth (on the scale of x)
    is rescaled with it, and points outside the crop are marked not visible: the model did
    not see them, it only guessed where they are.
    """
    if raw.xyz is None or raw.visibility is None:
        return RawPose.empty(size, raw.timestamp)
    x0, y0, cw, ch = box
    w, h = size
    xyz = raw.xyz.copy()
    outside = (xyz[:, 0] < 0) | (xyz[:, 0] > 1) | (xyz[:, 1] < 0) | (xyz[:, 1] > 1)
    xyz[:, 0] = (xyz[:, 0] * cw + x0) / w
    xyz[:, 1] = (xyz[:, 1] * ch + y0) / h
    xyz[:, 2] = xyz[:, 2] * cw / w
    vis = np.where(outside, 0.0, raw.visibility)
    return RawPose(size, raw.timestamp, xyz, vis, raw.presence, raw.world)


class RegionEstimator(Estimator):
    """Runs another estimator on one part of every image only.

    Args:
        inner: the estimator that finds the landmarks (closed with this one).
        region: the part of the picture to look in.
    """

    def __init__(self, inner: Estimator, region: Region) -> None:
        super().__init__(inner.mode)
        self.inner, self.region = inner, region
        self.name = inner.name
        self._box: tuple[int, int, int, int] | None = None

    def _detect(self, image_bgr: np.ndarray, timestamp: float) -> RawPose:
        h, w = image_bgr.shape[:2]
        if self._box is None or self._size != (w, h):
            self._box, self._size = self.region.pixels(w, h), (w, h)
        x0, y0, cw, ch = self._box
        crop = np.ascontiguousarray(check_image(image_bgr)[y0:y0 + ch, x0:x0 + cw])
        return from_crop(self.inner.detect(crop, timestamp), self._box, (w, h))

    def _release(self) -> None:
        self.inner.close()


__all__ = ["MIN_SIDE_PX", "Region", "RegionEstimator", "from_crop"]
