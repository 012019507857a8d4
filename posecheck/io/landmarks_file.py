"""The ``landmarks.jsonl`` format: a model's raw output, saved to be scored again.

The first line is a header object::

    {"format": "posecheck-landmarks", "version": 2, "input": "clip.mp4",
     "width": 960, "height": 540, "fps": 30.0, "estimator": "...", "frames": null}

and every further line one frame::

    {"frame": 0, "t": 0.0, "f32": true, "landmarks": [[x, y, z, visibility, presence], ... x33]
     or null when no person was found, "world": [[x, y, z], ... x33] or null}

with ``"file": "IMG_0042.jpg"`` too when the frame is one photo of a folder.

Values are the model's own, before posecheck turns off-image points into NaN, and they
read back bit for bit, so scoring a replay gives exactly the numbers of the live run. A
landmark model gives 32-bit floats; a frame whose values all are (``"f32": true``) has
each written as the shortest decimal that reads back as that float32 (``0.45558968``,
not ``0.4555896818637848``), and the reader turns them back into those float32 values.
Any other frame has its values written with ``repr`` (what :mod:`json` does). A value
the model did not give (NaN) is written as ``null``. Version 1 files (every value
written with ``repr``) read as before.

A file whose name ends in ``.gz`` (what live sessions keep: ``landmarks.jsonl.gz``) is
the same text, gzip-compressed; the reader knows it by its first bytes, whatever its
name. The float32 numbers and the compression make a live session's landmarks about
four times smaller than version 1's plain text.

The writer flushes every line (a gzip file: every line's compressed block), so a run
stopped by Ctrl-C (or killed) leaves a valid prefix; the reader rejects anything else
with an :class:`~posecheck.errors.InputError` that names the file and the line.
"""

from __future__ import annotations

import gzip
import json
import logging
import math
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from posecheck.core.frame import PoseFrame
from posecheck.core.landmarks import NUM_LANDMARKS
from posecheck.errors import InputError, OutputError
from posecheck.io.atomic import PartialFile, write_error

log = logging.getLogger(__name__)

FORMAT_NAME = "posecheck-landmarks"
FORMAT_VERSION = 2

#: The first bytes of a gzip stream.
GZIP_MAGIC = b"\x1f\x8b"

_REWRITE_HINT = "it is not a posecheck landmarks file or it is damaged; record it again with posecheck score"
_READ_HINT = "check the file can be opened, or copy it to a local folder"


@dataclass(frozen=True)
class RawPose:
    """A landmark model's raw answer for one image, before any cleaning.

    Estimators return this; :meth:`to_frame` turns it into the
    :class:`~posecheck.core.frame.PoseFrame` the rest of posecheck measures.

    Attributes:
        image_size: ``(width, height)`` of the image in pixels.
        timestamp: seconds from the start of the input.
        xyz: ``(33, 3)`` normalised x, y and relative depth, or ``None`` when no
            person was found.
        visibility: ``(33,)`` visibility scores, or ``None`` with ``xyz``.
        presence: ``(33,)`` presence scores where the model gives them, else ``None``.
        world: ``(33, 3)`` hip-centred coordinates in metres, or ``None``.
    """

    image_size: tuple[int, int]
    timestamp: float
    xyz: np.ndarray | None = None
    visibility: np.ndarray | None = None
    presence: np.ndarray | None = None
    world: np.ndarray | None = None

    def __post_init__(self) -> None:
        n = NUM_LANDMARKS
        shapes = {"xyz": (n, 3), "visibility": (n,), "presence": (n,), "world": (n, 3)}
        for name, shape in shapes.items():
            value = getattr(self, name)
            if value is None:
                continue
            arr = np.array(value, dtype=np.float64)
            if arr.shape != shape:
                raise ValueError(f"RawPose.{name} must have shape {shape}, got {arr.shape}")
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)
        if (self.xyz is None) != (self.visibility is None):
            raise ValueError("RawPose.xyz and RawPose.visibility must both be given or both be None")
        if self.xyz is None and (self.presence is not None or self.world is not None):
            raise ValueError("RawPose without xyz (no person) cannot have presence or world values")
        w, h = self.image_size
        object.__setattr__(self, "image_size", (int(w), int(h)))

    @classmethod
    def empty(cls, image_size: tuple[int, int], timestamp: float) -> RawPose:
        """The answer when no person was found."""
        return cls(image_size, timestamp)

    @property
    def detected(self) -> bool:
        """Whether the model found a person."""
        return self.xyz is not None

    def to_frame(self) -> PoseFrame:
        """The :class:`PoseFrame` of this answer (off-image points become NaN there)."""
        if self.xyz is None or self.visibility is None:
            return PoseFrame.empty(self.image_size, self.timestamp)
        return PoseFrame.from_normalized(
            self.xyz,
            self.visibility,
            self.image_size,
            self.timestamp,
            presence=self.presence,
            world=self.world,
        )


@dataclass(frozen=True)
class LandmarksHeader:
    """The first line of a ``landmarks.jsonl`` file.

    Attributes:
        input: the video, image or folder the landmarks came from (or ``None``).
        width: frame width in pixels.
        height: frame height in pixels.
        fps: the input's frame rate, or ``None`` when it has none.
        estimator: name of the estimator that produced the landmarks.
        frames: number of frames, or ``None`` (unknown while writing).
        version: format version.
        live: the landmarks come from a live session (``posecheck live``), judged as they came:
            filtered causally, with no zero-lag filter. A replay judges them the same way, so it
            gives the live session's figures; a recording's are filtered without lag.
    """

    input: str | None
    width: int
    height: int
    fps: float | None
    estimator: str
    frames: int | None = None
    version: int = FORMAT_VERSION
    live: bool = False

    def to_json(self) -> dict[str, Any]:
        """The header as the JSON object written on line 1 (``"live"`` only when true)."""
        return {
            "format": FORMAT_NAME,
            "version": self.version,
            "input": self.input,
            "width": self.width,
            "height": self.height,
            "fps": self.fps,
            "estimator": self.estimator,
            "frames": self.frames,
        } | ({"live": True} if self.live else {})


# -- writing ----------------------------------------------------------------------


def _finite_or_none(values: np.ndarray) -> list[Any]:
    """Nested lists of floats, NaN as ``None`` (strict JSON has no NaN)."""
    return [[float(v) if math.isfinite(v) else None for v in row] for row in values.tolist()]


def _float32_text(values: np.ndarray) -> str | None:
    """``values`` (2-D) as a JSON array of their shortest float32 decimals, or None when any is not a float32.

    Each decimal is checked to read back (via float64, as the reader reads it) as the very
    float32 it stands for, so the round trip is exact by construction.
    """
    with np.errstate(over="ignore"):  # a value beyond float32's range is simply not a float32
        f32 = values.astype(np.float32)
    if not np.array_equal(f32.astype(np.float64), values, equal_nan=True):
        return None
    flat = f32.ravel()
    cells = [str(v) for v in flat]  # numpy's shortest round-trip decimal of each float32
    back = np.array([float(c) for c in cells]).astype(np.float32)
    if not np.array_equal(back, flat, equal_nan=True):
        return None
    finite = np.isfinite(flat)
    if not finite.all():
        for i in np.flatnonzero(~finite):
            cells[i] = "null"  # strict JSON has no NaN (nor infinity)
    w = values.shape[1]
    return "[[" + "],[".join(",".join(cells[i:i + w]) for i in range(0, len(cells), w)) + "]]"


def _frame_line(index: int, raw: RawPose, file: str | None = None) -> str:
    """One frame's line (without the newline)."""
    head = {"frame": index, "t": float(raw.timestamp)}
    if file is not None:
        head["file"] = file
    if raw.xyz is None or raw.visibility is None:
        return json.dumps({**head, "landmarks": None, "world": None}, separators=(",", ":"))
    presence = raw.presence if raw.presence is not None else np.full(NUM_LANDMARKS, np.nan)
    table = np.column_stack([raw.xyz, raw.visibility, presence])
    landmarks = _float32_text(table)
    world = "null" if raw.world is None else _float32_text(raw.world)
    if landmarks is not None and world is not None:
        lead = json.dumps({**head, "f32": True}, separators=(",", ":"))[:-1]
        return f'{lead},"landmarks":{landmarks},"world":{world}}}'
    full = {**head, "landmarks": _finite_or_none(table),
            "world": None if raw.world is None else _finite_or_none(raw.world)}
    return json.dumps(full, allow_nan=False, separators=(",", ":"))


class LandmarksWriter:
    """Append frames to a ``landmarks.jsonl`` (or gzip-compressed ``landmarks.jsonl.gz``) file as they come.

    Lines go to a hidden temporary file beside ``path``, flushed one by one; on
    close (also when the ``with`` block ends in an exception, e.g. Ctrl-C) the
    file is renamed to ``path``. Every line written is whole, so what is kept is
    always a valid prefix of the run.

    Args:
        path: where the file goes.
        header: the header written on line 1.
        compress: gzip the file (default: when ``path`` ends in ``.gz``).

    Attributes:
        path: where the file goes.
        header: the header written on line 1.
        frames_written: frame lines written so far.
    """

    #: zlib level 1: with a flush per line it keeps about 90% of level 6's saving at a third
    #: of its cost, which runs in the live loop once a frame.
    COMPRESS_LEVEL = 1

    def __init__(self, path: str | os.PathLike[str], header: LandmarksHeader, compress: bool | None = None) -> None:
        self.path = Path(path)
        self.header = header
        self.frames_written = 0
        self._last_index = -1
        self.compress = self.path.suffix == ".gz" if compress is None else compress
        if self.path.is_dir():
            raise OutputError(f"{self.path} is a folder", "give a file name for the landmarks")
        if not self.path.parent.is_dir():
            raise OutputError(
                f"folder {self.path.parent} does not exist", "create it or choose another output path"
            )
        self._out = PartialFile(self.path, newline="\n", hint="choose a writable folder", binary=self.compress)
        self._gz = (gzip.GzipFile(fileobj=self._out.fh, mode="wb", compresslevel=self.COMPRESS_LEVEL, mtime=0)
                    if self.compress else None)
        try:
            self._write_line(json.dumps(header.to_json(), allow_nan=False, separators=(",", ":")))
        except OSError as err:
            self._out.abort()
            raise write_error(self.path, err, "choose a writable folder") from None
        self._closed = False

    def _write_line(self, text: str) -> None:
        if self._gz is not None:
            self._gz.write(text.encode("utf-8") + b"\n")
            # A sync flush ends the line's deflate block: what is on disk decompresses up to here.
            self._gz.flush()
        else:
            self._out.fh.write(text + "\n")
        # Flushed per line so that an interrupted run leaves every finished frame.
        self._out.fh.flush()

    def write(self, index: int, raw: RawPose, file: str | None = None) -> None:
        """Append the raw answer for frame ``index`` (indices must increase).

        Args:
            index: the frame's index in the input.
            raw: the model's answer.
            file: the photo's file name, for a folder of photos.
        """
        if self._closed:
            raise RuntimeError(f"the landmarks writer for {self.path} is closed")
        if index <= self._last_index:
            raise ValueError(f"frame indices must increase: {index} after {self._last_index}")
        try:
            self._write_line(_frame_line(index, raw, file))
        except OSError as err:
            raise write_error(self.path, err, "check free disk space") from None
        self._last_index = index
        self.frames_written += 1

    def close(self) -> None:
        """Close the file and move it to :attr:`path`. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        try:
            if self._gz is not None:
                self._gz.close()  # the gzip trailer; the file itself is closed by the commit
            self._out.commit(fsync=False)
        except OSError as err:
            self._out.abort()
            raise write_error(self.path, err, "check free disk space and permissions", "finish") from None
        except OutputError as err:
            raise write_error(self.path, OSError(err.message), "check free disk space and permissions",
                              "finish") from None

    def abort(self) -> None:
        """Close and delete the temporary file; nothing appears under :attr:`path`."""
        if not self._closed:
            self._closed = True
            self._out.abort()

    def __enter__(self) -> LandmarksWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# -- reading ----------------------------------------------------------------------


class _LineError(Exception):
    """A problem with one line; turned into an InputError naming file and line."""


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _number(value: object, what: str, *, allow_null: bool = False) -> float:
    if value is None and allow_null:
        return math.nan
    if not _is_number(value):
        raise _LineError(
            f"{what} must be a number{' or null' if allow_null else ''}, got {json.dumps(value)[:40]}"
        )
    try:
        out = float(value)  # type: ignore[arg-type]
    except OverflowError:  # a JSON integer too large for a float
        out = math.inf
    if not math.isfinite(out):
        raise _LineError(f"{what} must be finite, got {value}")
    return out


def _table(value: object, width: int, what: str, nullable_columns: int) -> np.ndarray:
    """A ``(33, width)`` array from nested lists; the first ``nullable_columns`` may hold null."""
    if not isinstance(value, list) or len(value) != NUM_LANDMARKS:
        n = len(value) if isinstance(value, list) else type(value).__name__
        raise _LineError(f"'{what}' must be a list of {NUM_LANDMARKS} points, got {n}")
    out = np.empty((NUM_LANDMARKS, width), dtype=np.float64)
    for i, row in enumerate(value):
        if not isinstance(row, list) or len(row) != width:
            raise _LineError(f"'{what}'[{i}] must be a list of {width} numbers")
        for j, v in enumerate(row):
            out[i, j] = _number(v, f"'{what}'[{i}][{j}]", allow_null=j < nullable_columns)
    return out


def _parse_header(obj: object) -> LandmarksHeader:
    if not isinstance(obj, dict) or obj.get("format") != FORMAT_NAME:
        raise _LineError(f'not a posecheck landmarks header (expected "format": "{FORMAT_NAME}")')
    version = obj.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _LineError(f"'version' must be a positive integer, got {json.dumps(version)}")
    if version > FORMAT_VERSION:
        raise _LineError(f"format version {version} is newer than this posecheck reads ({FORMAT_VERSION})")
    size = []
    for key in ("width", "height"):
        v = obj.get(key)
        if not isinstance(v, int) or isinstance(v, bool) or v <= 0:
            raise _LineError(f"'{key}' must be a positive integer, got {json.dumps(v)}")
        size.append(v)
    fps = obj.get("fps")
    if fps is not None and _number(fps, "'fps'") <= 0:
        raise _LineError(f"'fps' must be a positive number or null, got {json.dumps(fps)}")
    estimator = obj.get("estimator")
    if not isinstance(estimator, str):
        raise _LineError(f"'estimator' must be a string, got {json.dumps(estimator)}")
    source = obj.get("input")
    if source is not None and not isinstance(source, str):
        raise _LineError(f"'input' must be a string or null, got {json.dumps(source)}")
    frames = obj.get("frames")
    if frames is not None and (not isinstance(frames, int) or isinstance(frames, bool) or frames < 0):
        raise _LineError(f"'frames' must be a non-negative integer or null, got {json.dumps(frames)}")
    live = obj.get("live", False)
    if not isinstance(live, bool):
        raise _LineError(f"'live' must be true or false, got {json.dumps(live)}")
    return LandmarksHeader(
        source, size[0], size[1], None if fps is None else float(fps), estimator, frames, version, live
    )


def _parse_frame(obj: object, header: LandmarksHeader, last: tuple[int, float]) -> tuple[int, RawPose]:
    if not isinstance(obj, dict):
        raise _LineError("expected a JSON object for a frame")
    index = obj.get("frame")
    if not isinstance(index, int) or isinstance(index, bool) or index <= last[0]:
        raise _LineError(f"'frame' must be an integer greater than {last[0]}, got {json.dumps(index)}")
    t = _number(obj.get("t"), "'t'")
    if t <= last[1]:
        raise _LineError(f"'t' must increase: {t} after {last[1]}")
    size = (header.width, header.height)
    landmarks, world = obj.get("landmarks"), obj.get("world")
    if landmarks is None:
        if world is not None:
            raise _LineError("'world' is given but 'landmarks' is null")
        return index, RawPose.empty(size, t)
    f32 = obj.get("f32", False)
    if not isinstance(f32, bool):
        raise _LineError(f"'f32' must be true or false, got {json.dumps(f32)[:40]}")
    table = _table(landmarks, 5, "landmarks", nullable_columns=5)
    world_arr = None if world is None else _table(world, 3, "world", nullable_columns=3)
    if f32:
        # Written as the shortest decimals of float32 values: these are those values.
        table = table.astype(np.float32).astype(np.float64)
        if world_arr is not None:
            world_arr = world_arr.astype(np.float32).astype(np.float64)
    presence = None if np.isnan(table[:, 4]).all() else table[:, 4]
    return index, RawPose(size, t, table[:, :3], table[:, 3], presence, world_arr)


def _loads(text: str) -> object:
    """``json.loads``, with absurd nesting reported as bad JSON instead of crashing."""
    try:
        return json.loads(text)
    except RecursionError:
        raise json.JSONDecodeError("nested too deeply", text, 0) from None


def _open(path: Path):  # noqa: ANN202 - a binary file object
    """The file for reading: its bytes, or (a gzip file, known by its first bytes) the bytes it holds."""
    try:
        f = path.open("rb")
        magic = f.read(2)
        f.seek(0)
    except OSError as err:
        raise InputError(f"{path} cannot be read ({err.strerror or err})", _READ_HINT) from None
    return gzip.GzipFile(fileobj=f, mode="rb") if magic == GZIP_MAGIC else f


def _lines(path: Path) -> Iterator[tuple[int, str, bool]]:
    """``(line number, text, ended by a newline)`` of each line."""
    f = _open(path)
    with f:
        number = 0
        while True:
            try:
                data = f.readline()
            except EOFError:
                # A compressed file cut short (a run killed mid-write): every whole line before is good.
                log.warning("%s, line %d: the compressed file ends early; ignoring the rest", path, number + 1)
                return
            except (gzip.BadGzipFile, zlib.error) as err:
                raise InputError(f"{path}, line {number + 1}: damaged compressed data ({err})",
                                 _REWRITE_HINT) from None
            except OSError as err:
                # e.g. /proc/self/mem, a vanished network share, a bad disk sector
                raise InputError(
                    f"{path}, line {number + 1}: cannot be read ({err.strerror or err})", _READ_HINT
                ) from None
            if not data:
                return
            number += 1
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as err:
                raise InputError(
                    f"{path}, line {number}: not UTF-8 text ({err.reason})", _REWRITE_HINT
                ) from None
            yield number, text, text.endswith("\n")


def _frames(
    path: Path, lines: Iterator[tuple[int, str, bool]], header: LandmarksHeader, files: dict[int, str] | None
) -> Iterator[tuple[int, RawPose]]:
    last = (-1, -math.inf)
    for number, text, whole in lines:
        if not text.strip():
            continue
        try:
            obj = _loads(text)
        except json.JSONDecodeError as err:
            if not whole:
                # A run killed mid-write leaves half a last line; the rest is good.
                log.warning("%s, line %d: ignoring the incomplete last line", path, number)
                return
            raise InputError(f"{path}, line {number}: not valid JSON ({err.msg})", _REWRITE_HINT) from None
        try:
            index, raw = _parse_frame(obj, header, last)
            file = obj.get("file")
            if file is not None and not isinstance(file, str):
                raise _LineError(f"'file' must be a string, got {json.dumps(file)[:40]}")
        except (_LineError, ValueError) as err:
            raise InputError(f"{path}, line {number}: {err}", _REWRITE_HINT) from None
        last = (index, raw.timestamp)
        if files is not None and file is not None:
            files[index] = file
        yield index, raw


def read_raw(path: str | os.PathLike[str],
             files: dict[int, str] | None = None) -> tuple[LandmarksHeader, Iterator[tuple[int, RawPose]]]:
    """Open a ``landmarks.jsonl`` (or ``landmarks.jsonl.gz``) file: its header now, its frames lazily.

    Args:
        path: the file.
        files: filled, as the frames are read, with the photo file of each frame that names one.

    Returns:
        The header, and an iterator of ``(frame index, RawPose)``.

    Raises:
        InputError: the file is missing, empty or not valid (also raised while
            iterating, naming the line).
    """
    p = Path(path)
    if not p.is_file():
        what = "is a folder, not a landmarks file" if p.is_dir() else "does not exist"
        raise InputError(f"{p} {what}", "pass the landmarks.jsonl written by posecheck score "
                                        "(or a live session's landmarks.jsonl.gz)")
    lines = _lines(p)
    first = next(lines, None)
    if first is None or not first[1].strip():
        lines.close()
        raise InputError(f"{p}, line 1: the file is empty", _REWRITE_HINT)
    try:
        header = _parse_header(_loads(first[1]))
    except json.JSONDecodeError as err:
        lines.close()
        raise InputError(f"{p}, line 1: not valid JSON ({err.msg})", _REWRITE_HINT) from None
    except _LineError as err:
        lines.close()
        raise InputError(f"{p}, line 1: {err}", _REWRITE_HINT) from None
    return header, _frames(p, lines, header, files)


def read_landmarks(path: str | os.PathLike[str]) -> tuple[LandmarksHeader, Iterator[tuple[int, PoseFrame]]]:
    """Open a ``landmarks.jsonl`` file as :class:`PoseFrame` s, built exactly as live.

    Returns:
        The header, and an iterator of ``(frame index, PoseFrame)``.

    Raises:
        InputError: as :func:`read_raw`.
    """
    header, raws = read_raw(path)
    return header, ((index, raw.to_frame()) for index, raw in raws)
