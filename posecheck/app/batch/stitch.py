"""One long recording scored in time chunks: the parent's side.

The chunk workers found the landmarks (:class:`~posecheck.app.batch.units.LandmarkChunk`,
one ``landmarks.jsonl`` part each, renamed into place only when whole). Here the parts are
read in order as one stream, numbered frame by frame from 0 (one row per decoded frame, in
order), and judged by one session, exactly as a replay of saved landmarks is
(:func:`~posecheck.app.score.score_stream`): a hold that crosses a seam is one hold, and
every stage of the session (a filter that looks ahead) sees one stream without seams.

The annotated video is drawn in the same chunks, in parallel, beside the parent's own
judging: each chunk's worker decodes its pictures again, replays the judging of the
stitched parts up to its last frame (bit for bit the parent's decisions), draws and
encodes; the parts are joined without re-encoding.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import wait as wait_futures
from dataclasses import dataclass, replace
from itertools import accumulate
from pathlib import Path

from posecheck.app.batch.units import (
    Chunk,
    LandmarkChunk,
    Seams,
    Unit,
    UnitFailed,
    UnitResult,
    VideoChunk,
    stitched,
)
from posecheck.app.score import ScoreOptions, ScoreResult, score_stream
from posecheck.errors import InputError, Interrupted
from posecheck.io.landmarks_file import LandmarksHeader, read_raw
from posecheck.session.session import Mode

Submit = Callable[[Unit], Future]


@dataclass(frozen=True)
class ChunkedInput:
    """A recording split into time chunks, and where its parts go.

    Attributes:
        path: the recording, absolute.
        name: as the user gave it.
        out: its results folder (prepared).
        mode: what to judge.
        options: how to score it.
        chunks: the time chunks, in order.
        overlap_s: the model's warm-up before each chunk.
        parts: a hidden folder inside ``out`` for the parts (removed at the end).
    """

    path: Path
    name: str
    out: Path
    mode: Mode
    options: ScoreOptions
    chunks: tuple[Chunk, ...]
    overlap_s: float
    parts: Path

    def landmark_units(self) -> list[LandmarkChunk]:
        """One unit per chunk: its landmarks."""
        return [LandmarkChunk(self.path, self.name, c, self.overlap_s, self.landmarks_part(c), self.options.model)
                for c in self.chunks]

    def landmarks_part(self, chunk: Chunk) -> Path:
        return self.parts / f"landmarks-{chunk.number:03d}.jsonl"


class ChunkedVideo:
    """Stands in for the annotated video in :func:`score_stream`: workers draw its chunks.

    When the judging starts (:meth:`start`), each chunk's video is given to a
    :class:`~posecheck.app.batch.units.VideoChunk`, to be drawn in parallel; when the session
    has judged every frame, the parts are joined.

    Args:
        job: the recording.
        counts: each chunk's frames (its landmark chunk's count).
        fps: the video's frame rate.
        submit: starts a unit (the batch engine's queue) and gives its future.
        stop: set when the batch is stopped.
    """

    def __init__(self, job: ChunkedInput, counts: list[int], fps: float, submit: Submit,
                 stop: threading.Event) -> None:
        self.job, self.fps, self.submit, self.stop = job, fps, submit, stop
        self.path = job.out / "annotated.mp4"
        self.frames = 0
        # Each chunk's frames in the stitched stream, from the landmark chunks' counts.
        self.ends = list(accumulate(counts))
        self.starts = [0, *self.ends[:-1]]
        self.todo: list[tuple[VideoChunk, Future]] = []

    def start(self) -> None:
        """Start drawing every chunk's video now, beside the parent's judging: each worker
        judges the same parts again (a replay: bit for bit the parent's decisions)."""
        parts = tuple(self.job.landmarks_part(c) for c in self.job.chunks)
        for chunk, first, end in zip(self.job.chunks, self.starts, self.ends):
            if end > first:
                unit = VideoChunk(self.job.path, chunk, parts, first, end, self.job.mode, self.job.options,
                                  self.job.parts / f"annotated-{chunk.number:03d}.mp4", self.fps)
                self.todo.append((unit, self.submit(unit)))

    @property
    def written(self) -> Path | None:
        """The video, once a frame was judged (it is drawn when the stream ends)."""
        return self.path if self.frames > 0 else None

    def keep(self, index: int, image, frame) -> None:  # noqa: ANN001
        """Nothing to hold: the workers decode the pictures again."""

    def write(self, f) -> None:  # noqa: ANN001 - a SessionFrame
        self.frames += 1

    def close(self) -> None:
        """Wait for every chunk's video and join them into ``annotated.mp4``."""
        from posecheck.io.media import join_videos

        if not self.frames:
            return
        if self.frames != self.ends[-1]:
            raise InputError(f"{self.job.name}: {self.frames} frames judged, its chunks hold {self.ends[-1]}",
                             "score it with --jobs 1")
        todo = self.todo
        futures = [f for _, f in todo]
        while not all(f.done() for f in futures):
            if self.stop.is_set():
                raise Interrupted("interrupted while its video was being drawn")
            wait_futures(futures, timeout=0.2)
        for unit, future in todo:
            result: UnitResult = future.result()
            if result.status == "interrupted":
                raise Interrupted("interrupted while its video was being drawn")
            if result.status != "done":
                raise UnitFailed(result.failure, f"chunk {unit.chunk.number + 1} of its video: ")
        join_videos([unit.part for unit, _ in todo], self.path)

    def abort(self) -> None:
        """Nothing to undo: the parts go with the parts folder."""


def assemble(job: ChunkedInput, results: list[UnitResult], submit: Submit, stop: threading.Event) -> ScoreResult:
    """Judge a chunked recording whose landmark chunks are all done, and write its results.

    Args:
        job: the recording.
        results: its landmark chunks' results, in order (all ``done``).
        submit: starts a unit (for the video's chunks).
        stop: set when the batch is stopped: nothing is kept of this input then.
    """
    parts = [job.landmarks_part(c) for c in job.chunks]
    header: LandmarksHeader
    header, first = read_raw(parts[0])
    first.close()
    fps = header.fps or 1.0
    video = ChunkedVideo(job, [r.frames for r in results], fps, submit, stop) if job.options.video else None
    if video is not None:
        video.start()
    lost = sum(r.lost_frames for r in results)
    return score_stream(stitched(parts, stop=stop), job.mode, job.out, header,
                        options=replace(job.options, model=None), still=False, video=video,
                        lost_frames=lambda: lost,
                        run={"chunks": len(job.chunks), "chunk_overlap_s": job.overlap_s})


def parts_folder(out: Path) -> Path:
    """A new hidden folder for one run's parts inside ``out``; older ones (an earlier run that
    was killed) are removed first: the batch gives each input's folder to one run at a time."""
    for old in out.glob(".posecheck-parts-*"):
        shutil.rmtree(old, ignore_errors=True)
    folder = out / f".posecheck-parts-{os.getpid()}-{os.urandom(3).hex()}"
    folder.mkdir(parents=True)
    return folder


__all__ = ["ChunkedInput", "ChunkedVideo", "Seams", "assemble", "parts_folder", "stitched"]
