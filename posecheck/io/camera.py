"""Frame sources for the live loop: a camera, or a video file played in real time.

Capture runs on its own thread and keeps only the newest frame: when the model is
slower than the camera, old frames are dropped, never queued, so what the person
sees is as fresh as the model allows.
"""

from __future__ import annotations

import abc
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from posecheck.errors import CameraError

log = logging.getLogger(__name__)


def _quiet_opencv() -> None:
    # Probing camera indexes makes OpenCV print a warning per missing device; the
    # user gets one clear line from us instead.
    set_level = getattr(cv2, "setLogLevel", None)
    if set_level is not None:
        set_level(0)  # LOG_LEVEL_SILENT


@dataclass(frozen=True)
class Captured:
    """One captured frame.

    Attributes:
        seq: the capture sequence number (gaps are dropped frames).
        t: the frame's time in seconds (camera: since capture started; file: its timestamp).
        captured_at: ``time.perf_counter()`` when the frame became available.
        image: ``HxWx3`` ``uint8`` BGR.
    """

    seq: int
    t: float
    captured_at: float
    image: np.ndarray


class LatestFrame:
    """A one-slot mailbox: the producer overwrites, the consumer takes the newest."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._item: Captured | None = None
        self._taken_seq = -1
        self.ended = False
        self.error: str | None = None
        self.dropped = 0

    def put(self, item: Captured) -> None:
        with self._cond:
            if self._item is not None and self._item.seq > self._taken_seq:
                self.dropped += 1
            self._item = item
            self._cond.notify_all()

    def end(self, error: str | None = None) -> None:
        with self._cond:
            self.ended = True
            self.error = error
            self._cond.notify_all()

    def take(self, timeout: float) -> Captured | None:
        """The newest frame not yet taken; None at the end or after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                item = self._item
                if item is not None and item.seq > self._taken_seq:
                    self._taken_seq = item.seq
                    return item
                if self.ended:
                    return None
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._cond.wait(left)


class FrameSource(abc.ABC):
    """A capture thread feeding a :class:`LatestFrame`. Use as a context manager.

    Subclasses implement :meth:`_run`, which puts frames into ``self.slot`` until
    ``self._stop`` is set or the source ends, then calls ``self.slot.end()``.
    """

    def __init__(self) -> None:
        self.slot = LatestFrame()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run_guarded, name="posecheck-capture", daemon=True)
        self.size: tuple[int, int] = (0, 0)
        self.fps: float = 30.0
        self.is_camera = False
        self.captured = 0

    def start(self) -> FrameSource:
        self._thread.start()
        return self

    def _run_guarded(self) -> None:
        try:
            self._run()
        except Exception as exc:  # the loop must hear of it, not die silently
            log.exception("capture failed")
            self.slot.end(f"capture failed: {exc}")

    @abc.abstractmethod
    def _run(self) -> None:
        """Capture frames into ``self.slot`` (runs on the capture thread)."""

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def __enter__(self) -> FrameSource:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


def _open_capture(index: int) -> cv2.VideoCapture | None:
    _quiet_opencv()
    cap = cv2.VideoCapture(index)
    if cap is not None and cap.isOpened():
        ok, _ = cap.read()
        if ok:
            return cap
    if cap is not None:
        cap.release()
    return None


def working_cameras(max_index: int = 5) -> list[int]:
    """Indexes of the cameras that open and deliver a frame."""
    found = []
    for i in range(max_index + 1):
        cap = _open_capture(i)
        if cap is not None:
            found.append(i)
            cap.release()
    return found


class CameraSource(FrameSource):
    """The camera at ``index``, read as fast as it delivers."""

    def __init__(self, index: int) -> None:
        super().__init__()
        self.is_camera = True
        self.index = index
        cap = _open_capture(index)
        if cap is None:
            others = [i for i in working_cameras() if i != index]
            if others:
                raise CameraError(f"no camera at index {index} (cameras that answer: {', '.join(map(str, others))})",
                                  f"use --camera {others[0]}, or practise with a video file: --source FILE")
            raise CameraError(f"no camera at index {index}, and no other camera answers on this machine",
                              "connect one, or practise with a video file: --source FILE")
        self._cap = cap
        self.size = (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
        self.fps = float(cap.get(cv2.CAP_PROP_FPS) or 30.0)

    def _run(self) -> None:
        t0 = time.perf_counter()
        seq = 0
        failures = 0
        while not self._stop.is_set():
            ok, image = self._cap.read()
            now = time.perf_counter()
            if not ok or image is None:
                failures += 1
                if failures >= 30:  # about a second of nothing: the camera is gone
                    self.slot.end(f"camera {self.index} stopped delivering frames")
                    break
                time.sleep(0.03)
                continue
            failures = 0
            self.captured += 1
            self.slot.put(Captured(seq, now - t0, now, image))
            seq += 1
        self._cap.release()
        self.slot.end(self.slot.error)


class FileSource(FrameSource):
    """A video file played like a camera: frames appear at their own times.

    Args:
        path: the video.
        realtime: pace frames by their timestamps (like a camera); when False,
            each frame waits until the previous one was taken (every frame is seen).
    """

    def __init__(self, path: Path, realtime: bool = True) -> None:
        super().__init__()
        from posecheck.io.media import open_media

        self.path = path
        self.realtime = realtime
        self._media = open_media(path)
        self.size = self._media.info.size
        self.fps = self._media.info.fps

    def _run(self) -> None:
        start = time.perf_counter()
        with self._media as media:
            for vf in media:
                if self._stop.is_set():
                    break
                if self.realtime:
                    delay = start + vf.t - time.perf_counter()
                    if delay > 0:
                        time.sleep(delay)
                else:
                    while not self._stop.is_set() and self.slot._taken_seq < vf.index - 1:
                        time.sleep(0.001)
                self.captured += 1
                self.slot.put(Captured(vf.index, vf.t, time.perf_counter(), vf.image))
        self.slot.end()
