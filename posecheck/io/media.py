"""The media edge: read videos, images and folders of images; write H.264 videos.

Only this module (and drawing code) imports ``cv2`` and ``av``. Everything it
hands out is plain numpy: ``HxWx3`` ``uint8`` images in **BGR** order, already
upright (phone rotation metadata applied) and all the size of the first frame.

Reading is streamed one frame at a time, so memory does not grow with the length
of a clip. Bad input raises :class:`~posecheck.errors.InputError` with a one-line
message and a hint; damage inside an otherwise readable stream is skipped,
counted (``lost_frames``) and logged, because one bad packet should not cost a
whole practice session.
"""

from __future__ import annotations

import abc
import contextlib
import logging
import os
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

import av
import cv2
import numpy as np

from posecheck.errors import InputError, OutputError
from posecheck.io.atomic import commit, partial_path, write_error

log = logging.getLogger(__name__)

VIDEO_EXTENSIONS: frozenset[str] = frozenset({".mp4", ".m4v", ".mov", ".avi", ".webm", ".mkv"})
IMAGE_EXTENSIONS: frozenset[str] = frozenset({".jpg", ".jpeg", ".png", ".webp", ".bmp"})

MediaKind = Literal["video", "image", "folder"]

#: Used when a video says nothing usable about its frame rate.
FALLBACK_FPS = 30.0
#: Stop after this many damaged packets in a row: that is no longer damage in
#: the middle of a stream but garbage to the end of it.
_MAX_CONSECUTIVE_ERRORS = 50


def _supported_types() -> str:
    vids = ", ".join(sorted(VIDEO_EXTENSIONS))
    imgs = ", ".join(sorted(IMAGE_EXTENSIONS))
    return f"use a video ({vids}), an image ({imgs}) or a folder of images"


@dataclass(frozen=True)
class MediaInfo:
    """What is known about an input before reading it all.

    Attributes:
        path: the file or folder.
        kind: ``"video"``, ``"image"`` or ``"folder"``.
        width: frame width in pixels, after rotation (what iteration yields).
        height: frame height in pixels, after rotation.
        fps: frames per second (for images and folders the rate given to
            :func:`open_media`, 1.0 by default).
        frame_count: best estimate of the number of frames, or ``None`` when the
            container does not say.
        duration_s: length in seconds, or ``None`` when unknown.
        rotation: clockwise degrees (0, 90, 180, 270) the stored pictures are
            turned to make them upright, the convention of a phone's ``rotate`` tag.
    """

    path: Path
    kind: MediaKind
    width: int
    height: int
    fps: float
    frame_count: int | None
    duration_s: float | None
    rotation: int = 0

    @property
    def size(self) -> tuple[int, int]:
        """``(width, height)``."""
        return (self.width, self.height)


@dataclass(frozen=True)
class VideoFrame:
    """One upright picture from a :class:`MediaSource`.

    Attributes:
        index: 0-based position among the frames the source yields (skipped,
            undecodable frames are not counted).
        t: seconds from the start of the input; strictly increasing.
        image: ``(height, width, 3)`` ``uint8`` BGR.
        name: the photo's file name, when it is one of a folder of photos (or a photo); None for video.
    """

    index: int
    t: float
    image: np.ndarray
    name: str | None = None


class MediaSource(abc.ABC):
    """An opened input: ``info`` up front, frames by iteration, a context manager.

    A source can be iterated once. Make one with :func:`open_media`.

    Attributes:
        info: the :class:`MediaInfo` of the input.
        lost_frames: frames skipped because they could not be decoded.
        resized_frames: frames rescaled to the first frame's size.
        frames_read: frames yielded so far.
    """

    info: MediaInfo
    lost_frames: int = 0
    resized_frames: int = 0
    frames_read: int = 0
    _started: bool = False

    def __iter__(self) -> Iterator[VideoFrame]:
        if self._started:
            raise RuntimeError(f"{self.info.path} is already being read; open it again to restart")
        self._started = True
        for frame in self._frames():
            self.frames_read += 1
            yield frame

    @abc.abstractmethod
    def _frames(self) -> Iterator[VideoFrame]:
        """Yield the input's frames in order (the subclass's reading loop)."""

    def _fit(self, image: np.ndarray) -> np.ndarray:
        """Rescale a frame whose size changed mid-stream to the first frame's size."""
        w, h = self.info.width, self.info.height
        if image.shape[1] == w and image.shape[0] == h:
            return image
        if self.resized_frames == 0:
            log.warning(
                "%s: frame size changed from %dx%d to %dx%d; rescaling to the first size",
                self.info.path,
                w,
                h,
                image.shape[1],
                image.shape[0],
            )
        self.resized_frames += 1
        return cv2.resize(image, (w, h), interpolation=cv2.INTER_AREA)

    def seek(self, t: float) -> None:
        """Start reading near ``t`` seconds (videos only; see the video source's ``seek``)."""
        raise RuntimeError(f"{self.info.path} is not a video: it cannot be read from a point in time")

    def close(self) -> None:
        """Release the input. Safe to call more than once."""

    def __enter__(self) -> MediaSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# -- videos -----------------------------------------------------------------------


def bgr_to_rgb(image: np.ndarray) -> np.ndarray:
    """A contiguous RGB copy of a BGR image, as the landmark model wants it.

    OpenCV's conversion takes about 0.5 ms at 720p; numpy's ``ascontiguousarray(image[..., ::-1])``
    took 8.5 ms, more than a third of the model's own time.
    """
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def _is_real_video(stream: Any) -> bool:
    # An mp3's cover art is a one-picture "video" stream flagged attached_pic.
    return not (stream.disposition & av.stream.Disposition.attached_pic)


def _upright(image: np.ndarray, quarter_turns_ccw: int) -> np.ndarray:
    """Turn a decoded picture upright; ``np.rot90`` turns counter-clockwise for k > 0."""
    if quarter_turns_ccw % 4 == 0:
        return image
    return np.ascontiguousarray(np.rot90(image, k=quarter_turns_ccw))


def _ccw_degrees(picture: av.VideoFrame, stream: Any) -> int:
    """The counter-clockwise angle that makes ``picture`` upright."""
    # FFmpeg >= 7 copies the container's display matrix into every decoded
    # frame's side data, which PyAV reads as frame.rotation (counter-clockwise).
    ccw = int(getattr(picture, "rotation", 0))  # PyAV < 14 has no frame.rotation
    if ccw == 0:
        # Some writers only set the old, clockwise 'rotate' tag.
        tag = stream.metadata.get("rotate")
        try:
            ccw = -int(float(tag)) if tag is not None else 0
        except ValueError:
            ccw = 0
    if ccw % 90:
        warnings.warn(
            f"{stream.container.name}: rotation of {ccw} degrees is not a quarter turn;"
            " rounding to the nearest",
            stacklevel=4,
        )
    return ccw


def _fps_of(stream: Any) -> float:
    for rate in (stream.average_rate, stream.guessed_rate, stream.base_rate):
        if rate and 0 < float(rate) < 1000:
            return float(rate)
    log.warning("%s: no frame rate in the file; assuming %.0f fps", stream.container.name, FALLBACK_FPS)
    return FALLBACK_FPS


def _open_container(path: Path) -> Any:
    """An opened PyAV input container, or an InputError saying why not."""
    try:
        # Read one byte: /proc files and some mounts say 0 bytes yet hold data,
        # and an I/O error is worth naming as such rather than as corruption.
        with open(path, "rb") as fh:
            head = fh.read(1)
    except OSError as err:
        raise InputError(
            f"{path} cannot be read ({err.strerror or err})",
            "check the file's permissions, or copy it to a local folder",
        ) from None
    if not head:
        raise InputError(f"{path} is empty (0 bytes)", "re-copy the file; the copy may have failed")
    try:
        return av.open(str(path), "r")
    except PermissionError as err:  # PyAV's own PermissionError is also an FFmpegError
        raise InputError(
            f"{path} cannot be read (permission denied)", "check the file's permissions"
        ) from err
    except av.FFmpegError as err:
        raise InputError(
            f"{path} is not a readable video file (corrupt, truncated or not a video)",
            "check that it plays in a video player; re-copy or re-export it",
        ) from err


class _VideoFileSource(MediaSource):
    """Frames of a video file, decoded by PyAV one packet at a time."""

    def __init__(self, path: Path) -> None:
        self._container = _open_container(path)
        try:
            streams = [s for s in self._container.streams.video if _is_real_video(s)]
            if not streams:
                raise InputError(
                    f"{path} has no video stream",
                    "pass a video file; audio-only and other files cannot be checked",
                )
            self._stream = streams[0]
            self._stream.thread_type = "AUTO"
            self._pictures = self._decode()
            first = next(self._pictures, None)
            if first is None:
                raise InputError(
                    f"{path} has no decodable video frames",
                    "the file may be truncated or use an unsupported codec; re-export it as H.264 MP4",
                )
        except BaseException:
            self._container.close()
            raise
        self._first: av.VideoFrame | None = first
        self._from_start = True
        self.info = self._describe(path, first)

    def _describe(self, path: Path, first: av.VideoFrame) -> MediaInfo:
        stream = self._stream
        self._turns = round(_ccw_degrees(first, stream) / 90) % 4
        rotation = (-self._turns * 90) % 360
        w, h = (first.height, first.width) if self._turns % 2 else (first.width, first.height)
        fps = _fps_of(stream)
        duration: float | None = None
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        elif self._container.duration is not None:
            duration = self._container.duration / av.time_base
        count: int | None = stream.frames or None
        if count is None and duration is not None:
            count = max(1, round(duration * fps))
        # Timestamps count from the stream's start, so the first frame is at 0
        # even when an edit list or a cut shifts its pts.
        origin = stream.start_time if stream.start_time is not None else first.pts
        self._origin = float(origin * stream.time_base) if origin is not None and stream.time_base else None
        return MediaInfo(path, "video", w, h, fps, count, duration, rotation)

    def _demux(self) -> Iterator[av.Packet]:
        """Packets of the video stream; a damaged one is counted and skipped."""
        errors = 0
        while True:
            try:
                for packet in self._container.demux(self._stream):
                    errors = 0
                    yield packet
                return
            except av.FFmpegError as err:
                # Asking the demuxer again resumes after the damage.
                errors += 1
                self.lost_frames += 1
                log.debug("%s: demux error: %s", self._container.name, err)
                if errors >= _MAX_CONSECUTIVE_ERRORS:
                    log.warning(
                        "%s: giving up after %d damaged packets in a row", self._container.name, errors
                    )
                    return

    def _decode(self) -> Iterator[av.VideoFrame]:
        """Decoded pictures in display order; undecodable ones are counted and skipped."""
        for packet in self._demux():
            try:
                # The demuxer ends with an empty packet: decoding it flushes the
                # pictures held back for B-frame reordering.
                pictures = self._stream.decode(packet)
            except av.FFmpegError as err:
                self.lost_frames += 1
                log.debug("%s: undecodable packet: %s", self._container.name, err)
                continue
            for picture in pictures:
                if picture.is_corrupt:
                    self.lost_frames += 1
                    continue
                yield picture

    def seek(self, t: float) -> None:
        """Start reading at the last keyframe at or before ``t`` seconds (before iterating).

        Frames then come from that keyframe on, with their true times (``VideoFrame.t``);
        ``VideoFrame.index`` counts from 0 again, so a reader of a time range goes by ``t``.
        Decoding from a keyframe gives the very pictures of a read from the start.
        """
        if self._started:
            raise RuntimeError(f"{self.info.path}: seek before reading")
        if t <= 0:
            return
        stream = self._stream
        origin = self._origin or 0.0
        try:
            self._container.seek(int((origin + t) / stream.time_base), stream=stream, backward=True)
        except av.FFmpegError as err:
            raise InputError(f"{self.info.path} cannot be read from {t:.2f} s ({err})",
                             "re-export it as H.264 MP4, or score it with --jobs 1") from err
        self._first = None
        self._pictures = self._decode()
        self._from_start = False

    def _frames(self) -> Iterator[VideoFrame]:
        step = 1.0 / self.info.fps
        last_t = -np.inf
        picture, self._first = self._first, None
        if picture is None:
            picture = next(self._pictures, None)  # after a seek
        index = 0
        while picture is not None:
            image = self._fit(_upright(picture.to_ndarray(format="bgr24"), self._turns))
            t = self._time_of(picture, index, step)
            if t <= last_t:
                # Tracking needs strictly increasing times; a duplicate or
                # missing pts must not stop the session.
                t = last_t + step
            last_t = t
            yield VideoFrame(index, t, image)
            index += 1
            picture = next(self._pictures, None)
        if self._from_start:  # a read from a seek point ends where its reader stops
            self._report_end()

    def _time_of(self, picture: av.VideoFrame, index: int, step: float) -> float:
        if picture.pts is None or picture.time_base is None or self._origin is None:
            return index * step
        return max(0.0, float(picture.pts * picture.time_base) - self._origin)

    def _report_end(self) -> None:
        path = self.info.path
        if self.lost_frames:
            log.warning("%s: skipped %d undecodable frame(s)", path, self.lost_frames)
        expected = self.info.frame_count
        if expected and self.frames_read + self.lost_frames < 0.9 * expected:
            log.warning(
                "%s: stream ended after %d of %d frames; the file may be truncated",
                path,
                self.frames_read,
                expected,
            )

    def close(self) -> None:
        self._container.close()


# -- images and folders -----------------------------------------------------------


def _natural_key(path: Path) -> list[object]:
    """Sort key putting ``img2`` before ``img10``."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", path.name)]


#: Photos larger than this on their long side are scaled down on reading: the
#: model looks at 256 pixels anyway, and a 12000-pixel photo would otherwise cost
#: gigabytes in drawing and encoding the annotated output.
MAX_IMAGE_SIDE = 4096


def _read_image(path: Path) -> np.ndarray | None:
    """A BGR picture, or ``None`` when the file cannot be decoded.

    Raises:
        InputError: the picture is larger than the decoder accepts.
    """
    try:
        data = np.fromfile(str(path), dtype=np.uint8)
    except OSError:
        return None
    if data.size == 0:
        return None
    # imdecode (unlike imread) copes with any path encoding and does not log to
    # stderr; IMREAD_COLOR gives 3 channels and applies EXIF orientation.
    try:
        image = cv2.imdecode(data, cv2.IMREAD_COLOR)
    except cv2.error as err:
        # OpenCV refuses pictures over CV_IO_MAX_IMAGE_PIXELS (a decompression
        # bomb guard) with an assertion rather than a None.
        if "CV_IO_MAX_IMAGE" in str(err):
            raise InputError(
                f"{path} is too large to read (over {_max_decode_megapixels()} megapixels)",
                f"scale it down to at most {MAX_IMAGE_SIDE} pixels on its long side",
            ) from None
        return None
    if image is not None and max(image.shape[:2]) > MAX_IMAGE_SIDE:
        h, w = image.shape[:2]
        scale = MAX_IMAGE_SIDE / max(h, w)
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        log.warning("%s: %dx%d image scaled down to %dx%d", path, w, h, *size)
        image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    return image


def _max_decode_megapixels() -> int:
    return int(os.environ.get("OPENCV_IO_MAX_IMAGE_PIXELS", 1 << 30)) // 1_000_000


class _ImageSource(MediaSource):
    """One still image, or a naturally sorted folder of them, at ``fps``."""

    def __init__(self, path: Path, files: list[Path], kind: MediaKind, fps: float) -> None:
        self._files = files
        # The first readable picture sets the size; unreadable ones before it are skipped.
        first: np.ndarray | None = None
        self._start = 0
        for file in files:
            first = _read_image(file)
            if first is not None:
                break
            self._start += 1
            self.lost_frames += 1
            if kind == "folder":  # a single image fails below, with one message
                log.warning("%s: not a readable image; skipped", file)
        if first is None:
            what = "is not a readable image" if kind == "image" else "has no readable images"
            raise InputError(
                f"{path} {what} (corrupt or truncated)",
                "check that it opens in an image viewer; re-copy or re-export it",
            )
        self._first: np.ndarray | None = first
        h, w = first.shape[:2]
        n = len(files)
        self.info = MediaInfo(path, kind, w, h, fps, n, n / fps, 0)

    def _frames(self) -> Iterator[VideoFrame]:
        index = 0
        image, self._first = self._first, None
        for position in range(self._start, len(self._files)):
            if image is None:
                image = _read_image(self._files[position])
                if image is None:
                    self.lost_frames += 1
                    log.warning("%s: not a readable image; skipped", self._files[position])
                    continue
            # t follows the file's place in the folder, so a skipped file leaves
            # a gap in time instead of shifting every later picture.
            yield VideoFrame(index, position / self.info.fps, self._fit(image), self._files[position].name)
            index += 1
            image = None


def open_media(path: str | os.PathLike[str], image_fps: float = 1.0) -> MediaSource:
    """Open a video file, a still image or a folder of images for reading.

    Args:
        path: a video (.mp4, .mov, .avi, .webm, .mkv), an image (.jpg, .jpeg,
            .png, .webp, .bmp) or a folder of such images (read in natural order).
        image_fps: the rate at which images of a folder are taken to follow each
            other, giving ``t = index / image_fps``.

    Returns:
        A :class:`MediaSource`; use it as a context manager and iterate it for
        :class:`VideoFrame` s.

    Raises:
        InputError: the path is missing, of an unsupported type, empty, corrupt,
            has no video stream or no decodable frame.
    """
    p = Path(path)
    if image_fps <= 0:
        raise ValueError(f"image_fps must be positive, got {image_fps}")
    if not p.exists():
        raise InputError(f"{p} does not exist", "check the path; " + _supported_types())
    if p.is_dir():
        files = sorted(
            (
                f
                for f in p.iterdir()
                if f.suffix.lower() in IMAGE_EXTENSIONS and f.is_file() and not f.name.startswith(".")
            ),
            key=_natural_key,
        )
        if not files:
            imgs = ", ".join(sorted(IMAGE_EXTENSIONS))
            raise InputError(f"{p} contains no images", f"put {imgs} files in it, or pass a video file")
        return _ImageSource(p, files, "folder", image_fps)
    suffix = p.suffix.lower()
    if suffix in VIDEO_EXTENSIONS:
        return _VideoFileSource(p)
    if suffix in IMAGE_EXTENSIONS:
        return _ImageSource(p, [p], "image", image_fps)
    kind = f"'{p.suffix}'" if p.suffix else "without an extension"
    raise InputError(f"{p}: unsupported file type {kind}", _supported_types())


# -- writing ----------------------------------------------------------------------

#: Output containers by file suffix; all of them carry H.264.
_OUTPUT_FORMATS: dict[str, str] = {".mp4": "mp4", ".m4v": "mp4", ".mov": "mov", ".mkv": "matroska"}

#: The file name extensions a video can be written to (``live --record``).
WRITABLE_EXTENSIONS: tuple[str, ...] = tuple(_OUTPUT_FORMATS)
#: H.264 encoders to try, best first; "h264" lets FFmpeg pick any it has.
_H264_ENCODERS: tuple[str, ...] = ("libx264", "h264", "libopenh264")


def _write_error(path: Path, err: Exception, verb: str) -> OutputError:
    from posecheck.io.atomic import write_error

    if getattr(err, "errno", None) is not None:  # OSError, and PyAV errors that carry one
        return write_error(path, err, "check free disk space and permissions", verb)
    return OutputError(f"cannot {verb} {path}: {err}", "check free disk space and permissions")


class VideoWriter:
    """A context-managed H.264 (yuv420p) video sink that browsers can play.

    Frames go to a hidden temporary file beside ``path``, renamed to ``path``
    only when the writer is closed: an exception inside the ``with`` block leaves
    nothing under ``path``, while an explicit ``close(complete=False)`` (e.g.
    after Ctrl-C) keeps what was written so far. Odd sizes are padded by one
    pixel, because yuv420p needs even dimensions. ``threads`` caps the encoder's
    threads (default: libx264's own choice); one is best when the writer already
    runs on a thread of its own beside the landmark model, which uses every core.
    ``timed`` is for frames that come at an uneven pace, each written with its time
    (``write(image, t)``): the video then lasts as long as they did.

    Attributes:
        path: where the finished video goes.
        size: ``(width, height)`` of the images passed to :meth:`write`.
        encoded_size: ``(width, height)`` in the file (``size`` rounded up to even).
        frames_written: frames encoded so far.
        codec: name of the encoder in use.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        fps: float,
        size: tuple[int, int],
        *,
        crf: int = 23,
        preset: str = "veryfast",
        threads: int | None = None,
        timed: bool = False,
    ) -> None:
        self.path = Path(path)
        w, h = int(size[0]), int(size[1])
        if w <= 0 or h <= 0:
            raise ValueError(f"size must be positive, got {size}")
        if not fps > 0:
            raise ValueError(f"fps must be positive, got {fps}")
        self.size = (w, h)
        self.encoded_size = (w + w % 2, h + h % 2)
        self.frames_written = 0
        self._resized = 0
        self._next_pts = 0
        fmt = self._check_target()
        # A unique hidden name in the same folder, so the final rename is atomic.
        self._tmp = partial_path(self.path, keep_suffix=True)
        options = {"movflags": "+faststart"} if fmt in ("mp4", "mov") else {}
        try:
            self._container = av.open(str(self._tmp), "w", format=fmt, container_options=options)
        except (av.FFmpegError, OSError) as err:
            raise OutputError(
                f"cannot write to {self.path.parent}: {err}", "choose a writable folder"
            ) from err
        try:
            self._stream = self._add_stream(fps, crf, preset, threads)
            if timed:
                # B-frames make the muxer's decode times lag uneven presentation times, and
                # the file's duration comes out short; without them both follow ``t``.
                self._stream.codec_context.max_b_frames = 0
        except BaseException:
            self._discard()
            raise
        self.codec = self._stream.codec_context.name
        self._closed = False

    def _check_target(self) -> str:
        fmt = _OUTPUT_FORMATS.get(self.path.suffix.lower())
        if fmt is None:
            kinds = ", ".join(sorted(_OUTPUT_FORMATS))
            raise OutputError(
                f"{self.path}: cannot write video as '{self.path.suffix}'", f"use one of {kinds}"
            )
        if self.path.is_dir():
            raise OutputError(f"{self.path} is a folder", "give a file name for the video")
        if not self.path.parent.is_dir():
            raise OutputError(
                f"folder {self.path.parent} does not exist", "create it or choose another output path"
            )
        return fmt

    def _add_stream(self, fps: float, crf: int, preset: str, threads: int | None) -> Any:
        # Rates like 29.97 are really 30000/1001; encoders want an exact fraction.
        rate = Fraction(fps).limit_denominator(1001)
        last_error: Exception | None = None
        for name in _H264_ENCODERS:
            options = {"crf": str(crf), "preset": preset} if name == "libx264" else {}
            if threads:
                options["threads"] = str(threads)
            try:
                stream = self._container.add_stream(name, rate=rate, options=options)
            except (av.FFmpegError, ValueError) as err:
                last_error = err
                continue
            stream.width, stream.height = self.encoded_size
            stream.pix_fmt = "yuv420p"
            return stream
        raise OutputError(
            f"no H.264 encoder is available to write {self.path} ({last_error})",
            "install PyAV from its official wheels, which include libx264",
        )

    def write(self, image: np.ndarray, t: float | None = None) -> None:
        """Encode one BGR picture of :attr:`size` (other sizes are rescaled).

        Args:
            image: the picture, BGR.
            t: when it is shown, in seconds from the start (None: one frame after the
                last); for a writer made with ``timed``.
        """
        if self._closed:
            raise RuntimeError(f"the writer for {self.path} is closed")
        if not (
            isinstance(image, np.ndarray)
            and image.dtype == np.uint8
            and image.ndim == 3
            and image.shape[2] == 3
        ):
            got = f"{image.dtype} {image.shape}" if isinstance(image, np.ndarray) else type(image).__name__
            raise ValueError(f"VideoWriter.write needs an HxWx3 uint8 BGR image, got {got}")
        w, h = self.size
        if image.shape[:2] != (h, w):
            if self._resized == 0:
                log.warning(
                    "%s: rescaling %dx%d frames to %dx%d", self.path, image.shape[1], image.shape[0], w, h
                )
            self._resized += 1
            image = cv2.resize(image, (w, h), interpolation=cv2.INTER_AREA)
        ew, eh = self.encoded_size
        if (ew, eh) != (w, h):
            image = cv2.copyMakeBorder(image, 0, eh - h, 0, ew - w, cv2.BORDER_REPLICATE)
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format="bgr24")
        pts = self._next_pts if t is None else max(self._next_pts, round(t * self._stream.codec_context.framerate))
        frame.pts = pts
        self._next_pts = pts + 1
        try:
            for packet in self._stream.encode(frame):
                self._container.mux(packet)
        except (av.FFmpegError, OSError) as err:
            raise _write_error(self.path, err, "write") from err
        self.frames_written += 1

    def close(self, complete: bool = True) -> None:
        """Finish the file and move it to :attr:`path`.

        Args:
            complete: ``False`` marks the output as cut short (e.g. Ctrl-C); it
                is still finished and kept, only logged as partial.
        """
        if self._closed:
            return
        self._closed = True
        if self.frames_written == 0:
            log.warning("%s: no frames were written; no file created", self.path)
            self._discard()
            return
        try:
            for packet in self._stream.encode(None):
                self._container.mux(packet)
            self._container.close()
            commit(self._tmp, self.path)
        except (av.FFmpegError, OSError) as err:
            self._discard()
            raise _write_error(self.path, err, "finish") from err
        if not complete:
            log.info("%s: kept partial output (%d frames)", self.path, self.frames_written)

    def abort(self) -> None:
        """Stop and delete the temporary file; nothing appears under :attr:`path`."""
        if not self._closed:
            self._closed = True
            self._discard()

    def _discard(self) -> None:
        # The file is deleted next, so a failing close changes nothing.
        with contextlib.suppress(av.FFmpegError, OSError, AttributeError):
            self._container.close()
        # On a read-only disk even removing a file that was never made fails.
        with contextlib.suppress(OSError):
            self._tmp.unlink(missing_ok=True)

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def write_png(path: Path, image: np.ndarray) -> Path:
    """Write a BGR picture as a PNG, under a hidden name first and renamed when whole.

    Raises:
        OutputError: the picture cannot be encoded or the file cannot be written.
    """
    ok, data = cv2.imencode(".png", image)
    if not ok:
        raise OutputError(f"cannot encode {path} as PNG", "report this as a bug, with the photo")
    tmp = partial_path(path)
    try:
        tmp.write_bytes(data.tobytes())
        os.replace(tmp, path)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise write_error(path, err) from None
    return path


def is_still_input(name: str | None) -> bool:
    """Whether an input named ``name`` (as a landmarks file records it) was a photo or a folder of photos."""
    if not name:
        return False
    p = Path(name)
    return p.suffix.lower() in IMAGE_EXTENSIONS or p.is_dir()


def join_videos(parts: list[Path], path: str | os.PathLike[str]) -> int:
    """Join H.264 videos written by :class:`VideoWriter` with the same settings into one, without re-encoding.

    The parts of one annotated video, drawn and encoded in parallel time chunks, follow each
    other frame for frame: their packets are copied in order, each part's times shifted by the
    frames before it. The result is written under a temporary name and renamed when whole.

    Returns:
        The number of frames in the joined video.

    Raises:
        OutputError: a part cannot be read or the result cannot be written.
    """
    target = Path(path)
    fmt = _OUTPUT_FORMATS.get(target.suffix.lower(), "mp4")
    tmp = partial_path(target, keep_suffix=True)
    options = {"movflags": "+faststart"} if fmt in ("mp4", "mov") else {}
    frames = 0
    try:
        with av.open(str(tmp), "w", format=fmt, container_options=options) as out:
            stream = None
            offset = 0  # in the output stream's time base
            for part in parts:
                with av.open(str(part)) as src:
                    inp = src.streams.video[0]
                    if stream is None:
                        stream = out.add_stream_from_template(inp)
                    step = _frame_ticks(inp)
                    count = 0
                    for packet in src.demux(inp):
                        if packet.dts is None:  # the demuxer's closing empty packet
                            continue
                        packet.pts = None if packet.pts is None else packet.pts + offset
                        packet.dts += offset
                        packet.stream = stream
                        out.mux(packet)
                        count += 1
                    offset += count * step
                    frames += count
        commit(tmp, target)
    except (av.FFmpegError, OSError) as err:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise _write_error(target, err, "write") from err
    return frames


def _frame_ticks(stream: Any) -> int:
    """One frame's duration in ``stream``'s time base (the parts are constant-rate)."""
    rate = stream.average_rate or stream.guessed_rate or stream.base_rate
    return max(1, round(1 / (float(rate) * float(stream.time_base))))
