"""An "estimator" that plays back landmarks saved in a ``landmarks.jsonl`` file.

Scoring a replay runs the same code on the same numbers as the live run, so it
gives bit-identical results without a model, a camera or the video.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from posecheck.core.frame import PoseFrame
from posecheck.errors import InputError
from posecheck.estimators.base import Estimator
from posecheck.io.landmarks_file import LandmarksHeader, RawPose, read_raw

_RECORD_HINT = "record the landmarks again from this input with posecheck score"


class ReplayEstimator(Estimator):
    """Stored landmarks, one frame per :meth:`process` call or by iteration.

    Args:
        path: a ``landmarks.jsonl`` file.

    Attributes:
        header: the file's :class:`~posecheck.io.landmarks_file.LandmarksHeader`.

    Raises:
        InputError: the file is missing or invalid (names the file and line);
            also raised by :meth:`process` and iteration when a later line is bad.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        # Stored frames are already in order; "image" mode skips the timestamp
        # check that :meth:`process` does not need.
        super().__init__("image")
        self.path = Path(path)
        self.header: LandmarksHeader
        #: the photo file of each frame read so far, for landmarks of a folder of photos
        self.files: dict[int, str] = {}
        self.header, raws = read_raw(self.path, self.files)
        # The first frame is read now: whether the frames name photos must be known before any
        # output is begun (and a bad first line is reported before anything is written).
        self._reader = raws
        first = next(raws, None)
        self._raws = itertools.chain([first], raws) if first is not None else raws
        self.name = f"replay:{self.header.estimator}"
        self.frames_read = 0

    @property
    def names_files(self) -> bool:
        """Whether the frames are photos of a folder, each naming its file."""
        return bool(self.files)

    def raw_frames(self) -> Iterator[tuple[int, RawPose]]:
        """``(frame index, RawPose)`` for every stored frame not yet read."""
        for index, raw in self._raws:
            self.frames_read += 1
            yield index, raw
        if self.frames_read == 0:
            # Otherwise the caller would blame the recorded video, not this file.
            raise InputError(f"{self.path} holds no frames, only its header line", _RECORD_HINT)

    def __iter__(self) -> Iterator[tuple[int, PoseFrame]]:
        """``(frame index, PoseFrame)`` for every stored frame not yet read."""
        for index, raw in self.raw_frames():
            yield index, raw.to_frame()

    def _detect(self, image_bgr: np.ndarray, timestamp: float) -> RawPose:
        h, w = image_bgr.shape[:2]
        if (w, h) != (self.header.width, self.header.height):
            raise InputError(
                f"{self.path} was recorded on {self.header.width}x{self.header.height} frames,"
                f" but this input is {w}x{h}",
                _RECORD_HINT,
            )
        item = next(self._raws, None)
        if item is None:
            raise InputError(
                f"{self.path} ends after {self.frames_read} frames; the input has more", _RECORD_HINT
            )
        self.frames_read += 1
        # The stored timestamp is returned as recorded, not ``timestamp``, so a
        # replay reproduces the live run exactly.
        return item[1]

    def _release(self) -> None:
        close = getattr(self._reader, "close", None)
        if close is not None:
            close()
