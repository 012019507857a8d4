"""The work units of a batch and :func:`run_unit`, the one function that does any of them.

A unit is plain data (it is pickled to a worker process or a Ray task) and its result is
too. There are three kinds:

* :class:`WholeInput`: score one input start to end (:func:`~posecheck.app.score.score_file`)
  into its own folder; a worker writes the results itself, each file under a temporary
  name renamed when whole.
* :class:`LandmarkChunk`: one time chunk of a long recording through the decoder and the
  model only. The worker seeks to the chunk, runs the model over ``overlap_s`` seconds
  before it (so tracking has settled; those frames are dropped) and writes the chunk's own
  frames to a part of ``landmarks.jsonl``. The parent stitches the parts and judges the
  stitched stream once (:mod:`~posecheck.app.batch.stitch`).
* :class:`VideoChunk`: the same time chunk of ``annotated.mp4``: decode, draw what the
  parent's session decided for each frame, encode; the parent joins the parts.

Executors (:mod:`~posecheck.app.batch.local`, :mod:`~posecheck.app.batch.ray_cluster`)
only move units to :func:`run_unit` and results back.
"""

from __future__ import annotations

import bisect
import math
import os
import resource
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal, Union

from posecheck.app.score import MEDIAPIPE_SMOOTHING, ScoreOptions, ScoreResult, annotate, score_file
from posecheck.errors import InputError, Interrupted, PosecheckError
from posecheck.io.atomic import remove_partials
from posecheck.io.landmarks_file import RawPose, read_raw
from posecheck.io.memory import return_large_buffers
from posecheck.io.signals import StopOnSignal
from posecheck.session.session import Mode

#: How often a worker says how far it is (seconds).
PROGRESS_EVERY_S = 0.5


@dataclass(frozen=True)
class Chunk:
    """A time range of one recording: the frames with ``start_s <= t < end_s``.

    Attributes:
        number: 0-based place among the recording's chunks.
        count: how many chunks the recording is split into.
        start_s: the first frame counted is the first at or after this time.
        end_s: frames from this time on belong to the next chunk (None: the last chunk).
    """

    number: int
    count: int
    start_s: float
    end_s: float | None

    def holds(self, t: float) -> bool:
        """Whether a frame at ``t`` seconds belongs to this chunk."""
        return t >= self.start_s and (self.end_s is None or t < self.end_s)


@dataclass(frozen=True)
class WholeInput:
    """Score one input, start to end, into ``out``.

    Attributes:
        path: the input, absolute (a worker may run in another folder or on another machine).
        name: the input as the user gave it (the summary names it so).
        out: the input's own results folder.
        mode: what to judge.
        options: how to score it (``force``: replace what the folder holds).
        clean: delete unfinished files a killed earlier run left in ``out`` first (a batch
            folder, whose one writer is this unit).
    """

    path: Path
    name: str
    out: Path
    mode: Mode
    options: ScoreOptions
    clean: bool = False


@dataclass(frozen=True)
class LandmarkChunk:
    """The landmarks of one time chunk of a recording, written to ``part``.

    Attributes:
        path: the recording, absolute.
        name: the recording as the user gave it (the part's header names it so).
        chunk: the time range.
        overlap_s: seconds before the chunk run through the model and dropped, so its first
            frame is tracked as in a run from the start.
        part: where the chunk's ``landmarks.jsonl`` part goes (renamed there when whole).
        model: a ``.task`` model file instead of the bundled model.
    """

    path: Path
    name: str
    chunk: Chunk
    overlap_s: float
    part: Path
    model: Path | None = None


@dataclass(frozen=True)
class VideoChunk:
    """One time chunk of ``annotated.mp4``, written to ``part``.

    The worker judges the recording's landmark parts, stitched, again with the same session
    as the parent (bit for bit the same decisions: a replay), up to the chunk's last frame,
    and draws the chunk's frames: no other record of what was decided is needed, and it
    runs beside the parent's own judging.

    Attributes:
        path: the recording, absolute.
        chunk: the time range.
        parts: the recording's landmark parts, in order (the stream the parent judges).
        first, end: the chunk's frames in it (indexes ``first`` to ``end - 1``).
        mode: what was judged.
        options: how (``stride``...).
        part: where the chunk's video goes (renamed there when whole).
        fps: the video's frame rate.
    """

    path: Path
    chunk: Chunk
    parts: tuple[Path, ...]
    first: int
    end: int
    mode: Mode
    options: ScoreOptions
    part: Path
    fps: float


Unit = Union[WholeInput, LandmarkChunk, VideoChunk]


@dataclass(frozen=True)
class Failure:
    """Why a unit failed, as the CLI says it: one line, and the exit code of that error."""

    message: str
    exit_code: int = 1

    @classmethod
    def of(cls, exc: BaseException) -> Failure:
        """The failure of an exception raised by a unit."""
        if isinstance(exc, PosecheckError):
            return cls(exc.one_line(), exc.exit_code)
        # A defect, not bad input: still one line, with what to report.
        text = str(exc).splitlines()[0] if str(exc) else ""
        return cls(f"posecheck failed on it ({type(exc).__name__}: {text}); please report this", 1)


@dataclass(frozen=True)
class UnitResult:
    """What a unit did.

    Attributes:
        status: ``done``, ``failed`` or ``interrupted`` (Ctrl-C or a stop asked for).
        frames: frames through the model (whole input, landmark chunk) or drawn (video chunk).
        lost_frames: frames the decoder could not read.
        score: the run's result (a whole input; also when interrupted: its partial result).
        failure: why it failed (failed, interrupted).
        seconds: wall time of the unit.
        peak_rss_mb: the worker process's peak memory so far.
        worker: ``host:pid`` of the process that ran it.
    """

    status: Literal["done", "failed", "interrupted"]
    frames: int = 0
    lost_frames: int = 0
    score: ScoreResult | None = None
    failure: Failure | None = None
    seconds: float = 0.0
    peak_rss_mb: float = 0.0
    worker: str = ""


class UnitFailed(PosecheckError):
    """A unit that an input's result needs failed (a chunk of it): the input fails with its reason."""

    def __init__(self, failure: Failure, where: str = "") -> None:
        super().__init__(f"{where}{failure.message}")
        self.exit_code = failure.exit_code


Progress = Callable[[int], None]


def run_unit(unit: Unit, progress: Progress | None = None) -> UnitResult:
    """Do one unit of work and say what came of it; every error becomes a failed result.

    This is the one function both executors call (in a local worker process, in a Ray task,
    or inline for ``--jobs 1``).

    Args:
        unit: what to do.
        progress: called now and then with the unit's frames done so far.
    """
    t0 = time.perf_counter()
    status: Literal["done", "failed", "interrupted"] = "done"
    frames, lost, score, failure = 0, 0, None, None
    try:
        if isinstance(unit, WholeInput):
            score = _whole(unit, progress)
            frames, lost = score.summary.frames, score.lost_frames
        elif isinstance(unit, LandmarkChunk):
            frames, lost = _landmarks(unit, progress)
        elif isinstance(unit, VideoChunk):
            frames = _video(unit)
        else:
            raise TypeError(f"not a work unit: {type(unit).__name__}")
    except Interrupted as exc:
        status, failure = "interrupted", Failure.of(exc)
        score = exc.result if isinstance(exc.result, ScoreResult) else None
    except KeyboardInterrupt:
        # A Ray task that is cancelled gets a KeyboardInterrupt; its writers already cleaned up.
        status, failure = "interrupted", Failure("interrupted", Interrupted.exit_code)
    except Exception as exc:  # noqa: BLE001 - every failure is reported as this unit's, never lost
        status, failure = "failed", Failure.of(exc)
    if failure is not None:
        failure = _as_given(failure, unit)
    return UnitResult(status, frames, lost, score, failure, time.perf_counter() - t0, _peak_rss_mb(),
                      f"{socket.gethostname()}:{os.getpid()}")


def _as_given(failure: Failure, unit: Unit) -> Failure:
    """``failure`` naming the input as the user gave it, not the absolute path the worker read.

    A unit reads ``path`` (absolute, for a worker elsewhere); the user typed ``name``: an
    error line says ``clip.mp4 does not exist``, as a run of that one input always did.
    """
    name = getattr(unit, "name", None)
    path = str(unit.path)
    if not name or name == path or path not in failure.message:
        return failure
    return replace(failure, message=failure.message.replace(path, name))


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _Throttle:
    """Calls ``progress`` at most every :data:`PROGRESS_EVERY_S` seconds (and with the last count)."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress, self.last = progress, 0.0

    def __call__(self, done: int, final: bool = False) -> None:
        now = time.monotonic()
        if self.progress is not None and (final or now - self.last >= PROGRESS_EVERY_S):
            self.last = now
            self.progress(done)


def _whole(unit: WholeInput, progress: Progress | None) -> ScoreResult:
    if unit.clean:
        remove_partials(unit.out)
    tick = _Throttle(progress)
    return score_file(unit.path, unit.mode, unit.out, unit.options, on_frame=tick, name=unit.name)


def _frames_of(path: Path, chunk: Chunk, lead_s: float):  # noqa: ANN202 - (source, frames of the range)
    """The video ``path`` opened at ``lead_s`` seconds before ``chunk``, and its frames up to the chunk's end."""
    from posecheck.io.media import open_media
    from posecheck.io.threads import Prefetch

    source = open_media(path)  # raises InputError: a worker that cannot read it says so
    first = max(0.0, chunk.start_s - lead_s)
    try:
        source.seek(first)
    except BaseException:
        source.close()
        raise

    def frames() -> Iterator:
        for vf in source:
            if vf.t < first:
                continue  # from the keyframe before the chunk: decoded, not needed
            if chunk.end_s is not None and vf.t >= chunk.end_s:
                return
            yield vf

    # Decoding runs ahead on its own thread, beside the model (or the drawing and encoding).
    return source, Prefetch(frames(), depth=4, name="posecheck-decode")


def _landmarks(unit: LandmarkChunk, progress: Progress | None) -> tuple[int, int]:
    from posecheck.estimators import create_estimator
    from posecheck.io.landmarks_file import LandmarksHeader, LandmarksWriter

    source, frames = _frames_of(unit.path, unit.chunk, unit.overlap_s)
    tick = _Throttle(progress)
    written, lost_before = 0, None
    info = source.info
    with source:
        try:
            # As a whole recording is scored (MediaPipe's smoothing off: the session filters
            # without lag), so the chunks' landmarks are those of a --jobs 1 run.
            with create_estimator("task" if unit.model else "bundled", unit.model, mode="video",
                                  smooth=MEDIAPIPE_SMOOTHING) as estimator:
                header = LandmarksHeader(input=unit.name, width=info.width, height=info.height, fps=info.fps,
                                         estimator=estimator.name)
                writer = LandmarksWriter(unit.part, header)
                try:
                    with StopOnSignal() as stop:
                        for vf in frames:
                            if stop.stopped:
                                raise Interrupted(f"interrupted in chunk {unit.chunk.number + 1}")
                            raw = estimator.detect(vf.image, vf.t)  # the overlap's frames warm tracking up
                            if unit.chunk.holds(vf.t):
                                if lost_before is None:
                                    lost_before = source.lost_frames
                                writer.write(written, raw)
                                written += 1
                                tick(written)
                    writer.close()
                except BaseException:
                    writer.abort()  # a part is whole or absent: never stitched from a partial one
                    raise
        finally:
            frames.close()  # before the source closes: its thread may be decoding
    tick(written, final=True)
    return written, source.lost_frames - (lost_before if lost_before is not None else source.lost_frames)


# -- a chunk of the annotated video ------------------------------------------------------

class Seams:
    """Where each chunk's frames begin in the stitched stream, learnt as the stitcher reaches them."""

    def __init__(self) -> None:
        self.starts: list[int] = []

    def chunk_of(self, index: int) -> int:
        """The chunk a stitched frame came from (its place in :attr:`starts`)."""
        return bisect.bisect_right(self.starts, index) - 1


def stitched(parts: Sequence[Path], seams: Seams | None = None,
             stop: threading.Event | None = None) -> Iterator[tuple[int, RawPose, None]]:
    """The frames of every part in order, numbered from 0; a stop raises :class:`Interrupted`.

    Raises:
        InputError: a part is not valid, or two chunks' times overlap (their decoding differed).
    """
    index, last_t = 0, -math.inf
    for k, part in enumerate(parts):
        _, raws = read_raw(part)
        if seams is not None:
            seams.starts.append(index)
        try:
            for _, raw in raws:
                if stop is not None and stop.is_set():
                    raise Interrupted("interrupted while its chunks were being put together")
                if raw.timestamp <= last_t:
                    raise InputError(f"chunk {k + 1} of the recording starts at {raw.timestamp:.3f} s, before the "
                                     f"chunk before it ended ({last_t:.3f} s)", "score it with --jobs 1")
                last_t = raw.timestamp
                yield index, raw, None
                index += 1
        finally:
            raws.close()



def _judged(unit: VideoChunk) -> Iterator[tuple[object, object]]:
    """``(PoseFrame, SessionFrame)`` of the chunk's frames, in order, as the parent's session judged them."""
    from posecheck.app.score import recording_session

    session = recording_session(unit.mode, unit.fps, unit.options, still=False)
    frames: dict[int, object] = {}
    raws = stitched(unit.parts)
    try:
        for index, raw, _ in raws:
            frame = raw.to_frame()
            if unit.first <= index < unit.end:
                frames[index] = frame
            for f in session.push(frame, index):
                if unit.first <= f.index < unit.end:
                    yield frames.pop(f.index), f
                if f.index >= unit.end - 1:
                    return
        for f in session.flush():
            if unit.first <= f.index < unit.end:
                yield frames.pop(f.index), f
    finally:
        raws.close()


def _video(unit: VideoChunk) -> int:
    from posecheck.io.media import VideoWriter

    # Drawing and encoding on three threads grew a worker by 150 MB over a 1-minute chunk
    # with nothing kept; frame buffers that go back to the system keep it flat (io/memory.py).
    # Not for a whole input: there it measured 9% slower and no growth (1 MB a minute).
    return_large_buffers()

    source, frames = _frames_of(unit.path, unit.chunk, 0.0)
    judged = _judged(unit)
    writer = None
    drawn = 0
    with source:
        try:
            with StopOnSignal() as stop:
                for vf in frames:
                    if stop.stopped:
                        raise Interrupted(f"interrupted in chunk {unit.chunk.number + 1} of the video")
                    record = next(judged, None)
                    if record is None or abs(record[1].t - vf.t) > 1e-6:
                        raise _mismatch(unit, vf.t)
                    if writer is None:
                        h, w = vf.image.shape[:2]
                        # One encoder thread: the other chunks' workers have the other cores.
                        writer = VideoWriter(unit.part, unit.fps, (w, h), threads=1)
                    writer.write(annotate(vf.image, *record))
                    drawn += 1
            if drawn != unit.end - unit.first:
                raise _mismatch(unit, None)
            if writer is not None:
                writer.close()
        except BaseException:
            if writer is not None:
                writer.abort()
            raise
        finally:
            frames.close()  # before the source closes: its thread may be decoding
            judged.close()
    return drawn


def _mismatch(unit: VideoChunk, t: float | None) -> PosecheckError:
    where = f"at {t:.3f} s" if t is not None else "at its end"
    return InputError(f"{unit.path} decodes differently in chunk {unit.chunk.number + 1} of the video ({where})",
                      "score it with --jobs 1")


def with_force(unit: WholeInput) -> WholeInput:
    """The unit, replacing what its folder holds (an earlier, unfinished run of the same input)."""
    return replace(unit, options=replace(unit.options, force=True))


__all__ = ["Seams", "stitched", "Chunk", "Failure", "LandmarkChunk", "Unit", "UnitResult", "VideoChunk", "WholeInput",
           "UnitFailed", "run_unit", "with_force"]
