"""What every landmark estimator offers, whatever model (or file) is behind it."""

from __future__ import annotations

import abc
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

import numpy as np

from posecheck.core.frame import PoseFrame
from posecheck.errors import EstimatorError
from posecheck.io.landmarks_file import RawPose

Mode = Literal["video", "image"]
#: ``"video"`` tracks one person across frames (timestamps must increase);
#: ``"image"`` treats every image on its own.
MODES: tuple[str, ...] = ("video", "image")


def _flush_c_streams() -> None:
    try:
        import ctypes

        ctypes.CDLL(None).fflush(None)
    except (OSError, AttributeError):
        pass


@contextmanager
def quiet_native_stderr() -> Iterator[None]:
    """Mute what the model's C++ code prints on stderr while inside the block.

    TensorFlow Lite and absl write INFO/WARNING lines ("Created TensorFlow Lite
    XNNPACK delegate", "Feedback manager requires ...") straight to file
    descriptor 2, around the user's one-line messages. Set ``POSECHECK_NATIVE_LOGS=1``
    to see them when debugging the model.
    """
    if os.environ.get("POSECHECK_NATIVE_LOGS"):
        yield
        return
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        _flush_c_streams()  # what C buffered while muted must go to /dev/null too
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def check_mode(mode: str) -> Mode:
    """``mode`` if it is one of :data:`MODES`, else an :class:`EstimatorError`."""
    if mode not in MODES:
        raise EstimatorError(f"unknown estimator mode {mode!r}", f"use one of {', '.join(MODES)}")
    return mode  # type: ignore[return-value]


def check_image(image_bgr: object) -> np.ndarray:
    """The image if it is ``HxWx3`` ``uint8`` (BGR), else a ``ValueError`` saying what it is."""
    if not isinstance(image_bgr, np.ndarray):
        raise ValueError(f"expected an HxWx3 uint8 BGR image, got {type(image_bgr).__name__}")
    if image_bgr.dtype != np.uint8 or image_bgr.ndim != 3 or image_bgr.shape[2] != 3 or 0 in image_bgr.shape:
        raise ValueError(f"expected an HxWx3 uint8 BGR image, got {image_bgr.dtype} {image_bgr.shape}")
    return image_bgr


class Estimator(abc.ABC):
    """Finds the 33 landmarks of one person in an image.

    Use as a context manager (or call :meth:`close`) so the model's resources
    are freed. Subclasses implement :meth:`_detect`.

    Attributes:
        name: identifies the model, stored in ``landmarks.jsonl`` headers.
        mode: ``"video"`` or ``"image"`` (see :data:`MODES`).
    """

    name: str = "estimator"

    def __init__(self, mode: str = "video") -> None:
        self.mode: Mode = check_mode(mode)
        self._last_t = -np.inf
        self._closed = False

    def detect(self, image_bgr: np.ndarray, timestamp: float) -> RawPose:
        """The model's raw answer for one image (what ``landmarks.jsonl`` stores).

        Args:
            image_bgr: ``HxWx3`` ``uint8`` image in BGR order.
            timestamp: seconds from the start of the input; in ``"video"`` mode
                strictly greater than the previous call's.
        """
        if self._closed:
            raise RuntimeError(f"estimator {self.name} is closed")
        image = check_image(image_bgr)
        t = float(timestamp)
        if self.mode == "video" and not t > self._last_t:
            # Tracking would silently reuse stale state; this is a caller bug.
            raise ValueError(f"timestamps must increase in video mode: {t} after {self._last_t}")
        self._last_t = t
        # Not muted per frame: the redirect is process-wide and would swallow other
        # threads' messages; the CLI mutes native logs once for the whole run.
        return self._detect(image, t)

    def process(self, image_bgr: np.ndarray, timestamp: float) -> PoseFrame:
        """The landmarks of the person in one image, as a :class:`PoseFrame`.

        ``PoseFrame.detected`` is ``False`` when no person was found.
        """
        return self.detect(image_bgr, timestamp).to_frame()

    @abc.abstractmethod
    def _detect(self, image_bgr: np.ndarray, timestamp: float) -> RawPose:
        """Run the model on a checked image."""

    def close(self) -> None:
        """Free the model. Safe to call twice."""
        if not self._closed:
            self._closed = True
            with quiet_native_stderr():
                self._release()

    def _release(self) -> None:  # noqa: B027 - optional hook, most estimators hold something
        """Free what the subclass holds."""

    def __enter__(self) -> Estimator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, mode={self.mode!r})"
