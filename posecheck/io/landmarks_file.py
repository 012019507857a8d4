"""The ``landmarks.jsonl`` format: a model's raw output, saved to be scored again.

The first line is a header object::

    {"format": "posecheck-landmarks", "version": 1, "input": "clip.mp4",
     "width": 960, "height": 540, "fps": 30.0, "estimator": "...", "frames": null}

and every further line one frame::

    {"frame": 0, "t": 0.0, "landmarks": [[x, y, z, visibility, presence], ... x33]
     or null when no person was found, "world": [[x, y, z], ... x33] or null}

Values are the model's own, before posecheck turns off-image points into NaN,
and floats are written with ``repr`` (what :mod:`json` does), so they read back
bit for bit: scoring a replay gives exactly the numbers of the live run. A value
the model did not give (NaN) is written as ``null``.

The writer flushes every line, so a run stopped by Ctrl-C (or killed) leaves a
valid prefix; the reader rejects anything else with an
:class:`~posecheck.errors.InputError` that names the file and the line.
"""

from __future__ import annotations

import json
import logging
import math
import os
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
FORMAT_VERSION = 1

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
    """

    input: str | None
    width: int
    height: int
    fps: float | None
    estimator: str
    frames: int | None = None
    version: int = FORMAT_VERSION

    def to_json(self) -> dict[str, Any]:
        """The header as the JSON object written on line 1."""
        return {
            "format": FORMAT_NAME,
            "version": self.version,
            "input": self.input,
            "width": self.width,
            "height": self.height,
            "fps": self.fps,
            "estimator": self.estimator,
            "frames": self.frames,
        }


# -- writing ----------------------------------------------------------------------


def _finite_or_none(values: np.ndarray) -> list[Any]:
    """Nested lists of floats, NaN as ``None`` (strict JSON has no NaN)."""
    return [[float(v) if math.isfinite(v) else None for v in row] for row in values.tolist()]


def _frame_json(index: int, raw: RawPose) -> dict[str, Any]:
    landmarks = None
    world = None
    if raw.xyz is not None and raw.visibility is not None:
        presence = raw.presence if raw.presence is not None else np.full(NUM_LANDMARKS, np.nan)
        table = np.column_stack([raw.xyz, raw.visibility, presence])
        landmarks = _finite_or_none(table)
        if raw.world is not None:
            world = _finite_or_none(raw.world)
    return {"frame": index, "t": float(raw.timestamp), "landmarks": landmarks, "world": world}


class LandmarksWriter:
    """Append frames to a ``landmarks.jsonl`` file as they are measured.

    Lines go to a hidden temporary file beside ``path``, flushed one by one; on
    close (also when the ``with`` block ends in an exception, e.g. Ctrl-C) the
    file is renamed to ``path``. Every line written is whole, so what is kept is
    always a valid prefix of the run.

    Attributes:
        path: where the file goes.
        header: the header written on line 1.
        frames_written: frame lines written so far.
    """

    def __init__(self, path: str | os.PathLike[str], header: LandmarksHeader) -> None:
        self.path = Path(path)
        self.header = header
        self.frames_written = 0
        self._last_index = -1
        if self.path.is_dir():
            raise OutputError(f"{self.path} is a folder", "give a file name for the landmarks")
        if not self.path.parent.is_dir():
            raise OutputError(
                f"folder {self.path.parent} does not exist", "create it or choose another output path"
            )
        self._out = PartialFile(self.path, newline="\n", hint="choose a writable folder")
        self._file = self._out.fh
        try:
            self._write_line(header.to_json())
        except OSError as err:
            self._out.abort()
            raise write_error(self.path, err, "choose a writable folder") from None
        self._closed = False

    def _write_line(self, obj: dict[str, Any]) -> None:
        self._file.write(json.dumps(obj, allow_nan=False, separators=(",", ":")) + "\n")
        # Flushed per line so that an interrupted run leaves every finished frame.
        self._file.flush()

    def write(self, index: int, raw: RawPose) -> None:
        """Append the raw answer for frame ``index`` (indices must increase)."""
        if self._closed:
            raise RuntimeError(f"the landmarks writer for {self.path} is closed")
        if index <= self._last_index:
            raise ValueError(f"frame indices must increase: {index} after {self._last_index}")
        try:
            self._write_line(_frame_json(index, raw))
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
            self._out.commit(fsync=False)
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
    return LandmarksHeader(
        source, size[0], size[1], None if fps is None else float(fps), estimator, frames, version
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
    table = _table(landmarks, 5, "landmarks", nullable_columns=5)
    presence = None if np.isnan(table[:, 4]).all() else table[:, 4]
    world_arr = None if world is None else _table(world, 3, "world", nullable_columns=3)
    return index, RawPose(size, t, table[:, :3], table[:, 3], presence, world_arr)


def _loads(text: str) -> object:
    """``json.loads``, with absurd nesting reported as bad JSON instead of crashing."""
    try:
        return json.loads(text)
    except RecursionError:
        raise json.JSONDecodeError("nested too deeply", text, 0) from None


def _lines(path: Path) -> Iterator[tuple[int, str, bool]]:
    """``(line number, text, ended by a newline)`` of each line."""
    try:
        f = path.open("rb")
    except OSError as err:
        raise InputError(f"{path} cannot be read ({err.strerror or err})", _READ_HINT) from None
    with f:
        number = 0
        while True:
            try:
                data = f.readline()
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
    path: Path, lines: Iterator[tuple[int, str, bool]], header: LandmarksHeader
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
        except (_LineError, ValueError) as err:
            raise InputError(f"{path}, line {number}: {err}", _REWRITE_HINT) from None
        last = (index, raw.timestamp)
        yield index, raw


def read_raw(path: str | os.PathLike[str]) -> tuple[LandmarksHeader, Iterator[tuple[int, RawPose]]]:
    """Open a ``landmarks.jsonl`` file: its header now, its frames lazily.

    Returns:
        The header, and an iterator of ``(frame index, RawPose)``.

    Raises:
        InputError: the file is missing, empty or not valid (also raised while
            iterating, naming the line).
    """
    p = Path(path)
    if not p.is_file():
        what = "is a folder, not a landmarks file" if p.is_dir() else "does not exist"
        raise InputError(f"{p} {what}", "pass the landmarks.jsonl written by posecheck score")
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
    return header, _frames(p, lines, header)


def read_landmarks(path: str | os.PathLike[str]) -> tuple[LandmarksHeader, Iterator[tuple[int, PoseFrame]]]:
    """Open a ``landmarks.jsonl`` file as :class:`PoseFrame` s, built exactly as live.

    Returns:
        The header, and an iterator of ``(frame index, PoseFrame)``.

    Raises:
        InputError: as :func:`read_raw`.
    """
    header, raws = read_raw(path)
    return header, ((index, raw.to_frame()) for index, raw in raws)
