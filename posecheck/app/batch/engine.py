"""The batch engine: plan the work units of many inputs, run them through an executor, and
put every input's results together.

One input is one :class:`~posecheck.app.batch.units.WholeInput` unit, or, for a long
recording with workers to spare, one :class:`~posecheck.app.batch.units.LandmarkChunk` per
time chunk, put together here (:func:`~posecheck.app.batch.stitch.assemble`, on a thread of
its own per input) with its video's chunks drawn by workers too. The engine keeps the
executor's slots full, a video chunk (which finishes an input) before anything new.

What never happens: one input's fault costing another's results. Each input's outcome is
its own; the batch index is rewritten as each input is done; Ctrl-C (or SIGTERM) stops
the units running between two frames (a whole input keeps its partial result, marked
incomplete; a chunked one keeps nothing), marks what had not started, and a re-run scores
exactly those again.
"""

from __future__ import annotations

import itertools
import os
import queue
import shutil
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future
from concurrent.futures import wait as wait_futures
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from posecheck.app.batch.executor import Executor, choose_executor
from posecheck.app.batch.index import BatchIndex, BatchRow, Status, write_index
from posecheck.app.batch.plan import (
    OVERLAP_S,
    BatchInput,
    chunk_target_s,
    complete_result,
    holds_results,
    plan_chunks,
)
from posecheck.app.batch.stitch import ChunkedInput, assemble, parts_folder
from posecheck.app.batch.units import Failure, Unit, UnitResult, WholeInput
from posecheck.app.score import ScoreOptions, ScoreResult
from posecheck.errors import Interrupted, OutputError, PosecheckError
from posecheck.io.atomic import prepare_output_dir
from posecheck.io.signals import StopOnSignal

#: After a stop, how long units still running get to end by themselves (seconds).
STOP_GRACE_S = 60.0


@dataclass(frozen=True)
class BatchSettings:
    """How a batch runs.

    Attributes:
        out: the ``--out`` folder.
        jobs: worker processes on this machine (``--jobs``).
        cluster: a Ray cluster's address (``--cluster``), or None.
        index: a batch of several inputs: write ``out/batch.json`` and ``out/batch.csv``, and
            skip inputs whose complete results are already there (unless ``force``).
        split: whether a long recording may be scored in time chunks when workers are spare.
    """

    out: Path
    jobs: int = 1
    cluster: str | None = None
    index: bool = True
    split: bool = True


@dataclass(frozen=True)
class InputOutcome:
    """What became of one input.

    Attributes:
        input: the input.
        status: ``scored``, ``failed``, ``skipped`` or ``interrupted``.
        result: its result (scored; skipped: the summary read back; interrupted: a partial one, if kept).
        failure: why it failed or was interrupted.
        seconds: how long it took.
        chunks: the time chunks it was scored in.
    """

    input: BatchInput
    status: Status
    result: ScoreResult | None = None
    failure: Failure | None = None
    seconds: float | None = None
    chunks: int = 1


@dataclass
class BatchReport:
    """What a batch did.

    Attributes:
        outcomes: one per input, in the inputs' order.
        executor: where it ran.
        index_files: ``batch.json`` and ``batch.csv`` (None: not a batch of several).
        interrupted: it was stopped (Ctrl-C, SIGTERM).
        seconds: wall time.
        frames: frames through the model.
        peak_rss_mb: the largest peak memory of a worker (this process for ``--jobs 1``).
    """

    outcomes: list[InputOutcome]
    executor: str = ""
    index_files: tuple[Path, Path] | None = None
    interrupted: bool = False
    seconds: float = 0.0
    frames: int = 0
    peak_rss_mb: float = 0.0

    def count(self, status: Status) -> int:
        """How many inputs ended with ``status``."""
        return sum(1 for o in self.outcomes if o.status == status)


class Listener(Protocol):
    """Follows a batch (the CLI's progress display); every call comes from the calling thread."""

    def start(self, inputs: int, frames: int | None) -> None:
        """The batch is planned: inputs to score and their frames (None: unknown)."""

    def progress(self, frames: int) -> None:
        """Frames through the model so far, all inputs together."""

    def done(self, outcome: InputOutcome) -> None:
        """One input is done (also skipped ones, first)."""


@dataclass
class _Ticket:
    """A unit on its way through the executor."""

    id: int
    unit: Unit
    future: Future = field(default_factory=Future)
    counts: bool = True  # its frames count in the progress (the model's frames)


@dataclass
class _Chunked:
    """A chunked input's state."""

    slot: int
    job: ChunkedInput
    started: float
    results: dict[int, UnitResult] = field(default_factory=dict)
    failed: bool = False


def run_batch(inputs: list[BatchInput], options: ScoreOptions, settings: BatchSettings,
              listener: Listener | None = None,
              executor_factory: Callable[[int], Executor] | None = None) -> BatchReport:
    """Score every input; never raises for one input's fault (see :class:`InputOutcome`).

    Args:
        inputs: the inputs, each with its folder and mode.
        options: how to score them (``force`` replaces results already there).
        settings: where and how the batch runs.
        listener: follows the batch.
        executor_factory: makes the executor for a number of units (default: by ``settings``).

    Raises:
        ClusterError: ``--cluster`` cannot be used (before anything is scored).
    """
    factory = executor_factory or (lambda units: choose_executor(settings.jobs, settings.cluster, units))
    return _Engine(inputs, options, settings, listener, factory).run()


class _Engine:
    def __init__(self, inputs: list[BatchInput], options: ScoreOptions, settings: BatchSettings,
                 listener: Listener | None, factory: Callable[[int], Executor]) -> None:
        self.inputs, self.options, self.settings = inputs, options, settings
        self.listener = listener
        self.factory = factory
        self.outcomes: dict[int, InputOutcome] = {}
        self.todo: deque[_Ticket] = deque()
        self.urgent: deque[_Ticket] = deque()
        self.lock = threading.Lock()
        self.inflight: dict[Future, _Ticket] = {}
        self.frames: dict[int, int] = {}
        self.frames_lock = threading.Lock()
        self.handlers: dict[int, Callable[[UnitResult], None]] = {}
        self.assembled: queue.Queue = queue.Queue()
        self.assembling = 0
        self.chunked: list[_Chunked] = []
        self.stop = threading.Event()
        self.interrupted = False
        self.peak_rss_mb = 0.0
        self.ids = itertools.count()
        self.started = time.strftime("%Y-%m-%dT%H:%M:%S")
        self.executor: Executor | None = None
        self.index_files: tuple[Path, Path] | None = None

    # -- planning -------------------------------------------------------------------------------

    def _plan(self, workers: int) -> int | None:
        """Queue every input's units; the frames to score (None: unknown)."""
        infos = [self._probe(inp) for inp in self.inputs]
        videos = [i.duration_s if i is not None and i.kind == "video" else None for i in infos]
        target = chunk_target_s(videos, workers)
        frames: int | None = 0
        for slot, (inp, info) in enumerate(zip(self.inputs, infos)):
            if self._skip(slot, inp):
                continue
            # In a batch, the folder is this input's own (plan.result_folders): what it holds is
            # an unfinished run of the same input, replaced. A single input's --out is the user's.
            force = self.options.force or (self.settings.index and holds_results(inp.out))
            options = replace(self.options, force=force)
            chunks = plan_chunks(videos[slot] if options.stride == 1 and self.settings.split else None, target,
                                 workers)
            if frames is not None:
                frames = frames + info.frame_count if info is not None and info.frame_count else None
            if len(chunks) == 1:
                unit = WholeInput(inp.path, inp.name, inp.out, inp.mode, options, clean=self.settings.index)
                self._queue(unit, lambda r, slot=slot: self._whole_done(slot, r))
                continue
            try:
                prepare_output_dir(inp.out, options.force)  # a single input's refusal comes before any work
                job = ChunkedInput(inp.path, inp.name, inp.out, inp.mode, options, chunks, OVERLAP_S,
                                   parts_folder(inp.out))
            except PosecheckError as exc:
                self._finish(slot, InputOutcome(inp, "failed", failure=Failure.of(exc)))
                continue
            state = _Chunked(slot, job, time.perf_counter())
            self.chunked.append(state)
            for unit in job.landmark_units():
                self._queue(unit, lambda r, state=state, k=unit.chunk.number: self._chunk_done(state, k, r))
        return frames

    @staticmethod
    def _probe(inp: BatchInput):  # noqa: ANN205 - MediaInfo | None
        """What the input is, or None when it cannot be opened here (its unit then says why)."""
        from posecheck.io.media import open_media

        try:
            with open_media(inp.path) as source:
                return source.info
        except (PosecheckError, OSError, ValueError):
            return None

    def _skip(self, slot: int, inp: BatchInput) -> bool:
        if not self.settings.index or self.options.force:
            return False
        summary = complete_result(inp.out, (inp.path.resolve(), inp.mode.name), self.options.video)
        if summary is None:
            return False
        files = {name: inp.out / f for name, f in (("summary", "summary.json"), ("frames", "frames.csv"),
                                                      ("landmarks", "landmarks.jsonl"))}
        self._finish(slot, InputOutcome(inp, "skipped", ScoreResult(summary, inp.out, files),
                                        chunks=summary.chunks or 1))
        return True

    # -- the queue ------------------------------------------------------------------------------

    def _queue(self, unit: Unit, handler: Callable[[UnitResult], None] | None = None, urgent: bool = False,
               counts: bool = True) -> Future:
        """Put a unit in line (thread-safe); the future of its result."""
        ticket = _Ticket(next(self.ids), unit, counts=counts)
        with self.lock:
            if handler is not None:
                self.handlers[ticket.id] = handler
            if self.stop.is_set():
                ticket.future.set_result(_not_started())
            else:
                (self.urgent if urgent else self.todo).append(ticket)
        return ticket.future

    def _submit_video(self, unit: Unit) -> Future:
        return self._queue(unit, urgent=True, counts=False)

    def _dispatch(self) -> None:
        assert self.executor is not None
        while len(self.inflight) < self.executor.slots:
            with self.lock:
                if self.stop.is_set() or not (self.urgent or self.todo):
                    return
                ticket = (self.urgent or self.todo).popleft()
            progress = (lambda done, tid=ticket.id: self._progressed(tid, done)) if ticket.counts else None
            future = self.executor.submit(ticket.unit, progress)
            self.inflight[future] = ticket

    def _progressed(self, tid: int, done: int) -> None:
        """A unit's frames so far (from the executor's thread, or from this one for ``--jobs 1``)."""
        with self.frames_lock:
            self.frames[tid] = done
        if self.listener is not None and threading.current_thread() is threading.main_thread():
            self.listener.progress(self._frames_done())

    def _frames_done(self) -> int:
        with self.frames_lock:
            return sum(self.frames.values())

    def _resolve(self, ticket: _Ticket, result: UnitResult) -> None:
        if ticket.counts:
            with self.frames_lock:
                self.frames[ticket.id] = result.frames
        self.peak_rss_mb = max(self.peak_rss_mb, result.peak_rss_mb)
        if result.status == "interrupted":
            self.interrupted = True
        ticket.future.set_result(result)
        handler = self.handlers.pop(ticket.id, None)
        if handler is not None:
            handler(result)

    # -- outcomes -------------------------------------------------------------------------------

    def _whole_done(self, slot: int, r: UnitResult) -> None:
        inp = self.inputs[slot]
        status: Status = {"done": "scored", "failed": "failed", "interrupted": "interrupted"}[r.status]
        self._finish(slot, InputOutcome(inp, status, r.score, r.failure, r.seconds))

    def _chunk_done(self, state: _Chunked, k: int, r: UnitResult) -> None:
        if state.failed:
            return
        if r.status != "done":
            state.failed = True
            status: Status = "interrupted" if r.status == "interrupted" else "failed"
            failure = r.failure or Failure("failed")
            if status == "failed":
                failure = Failure(f"chunk {k + 1} of {len(state.job.chunks)}: {failure.message}", failure.exit_code)
            else:
                failure = _nothing_kept(self.inputs[state.slot], len(state.job.chunks))
            self._finish(state.slot, InputOutcome(self.inputs[state.slot], status, failure=failure,
                                                  chunks=len(state.job.chunks)))
            return
        state.results[k] = r
        if len(state.results) == len(state.job.chunks):
            self.assembling += 1
            threading.Thread(target=self._assemble, args=(state,), name="posecheck-assemble", daemon=True).start()

    def _assemble(self, state: _Chunked) -> None:
        """On its own thread: judge the stitched chunks and write the input's results."""
        results = [state.results[k] for k in range(len(state.job.chunks))]
        try:
            outcome: object = assemble(state.job, results, self._submit_video, self.stop)
        except BaseException as exc:  # noqa: BLE001 - the input's failure, handed to the engine
            outcome = exc
        self.assembled.put((state, outcome))

    def _assembled(self, state: _Chunked, outcome: object) -> None:
        self.assembling -= 1
        inp, n = self.inputs[state.slot], len(state.job.chunks)
        seconds = time.perf_counter() - state.started
        if isinstance(outcome, ScoreResult):
            self._finish(state.slot, InputOutcome(inp, "scored", outcome, seconds=seconds, chunks=n))
        elif isinstance(outcome, Interrupted):
            self.interrupted = True
            self._finish(state.slot, InputOutcome(inp, "interrupted", failure=_nothing_kept(inp, n), seconds=seconds,
                                                  chunks=n))
        else:
            self._finish(state.slot, InputOutcome(inp, "failed", failure=Failure.of(outcome), seconds=seconds,
                                                  chunks=n))
        shutil.rmtree(state.job.parts, ignore_errors=True)

    def _finish(self, slot: int, outcome: InputOutcome) -> None:
        self.outcomes[slot] = outcome
        if self.listener is not None:
            self.listener.done(outcome)
        self._write_index(final=False)

    # -- the loop -------------------------------------------------------------------------------

    def run(self) -> BatchReport:
        t0 = time.perf_counter()
        if self.settings.cluster:
            self.executor = self.factory(len(self.inputs))  # its CPUs decide the chunks
            workers = self.executor.slots
        else:
            workers = self.settings.jobs
        try:
            frames = self._plan(workers)
            if self.listener is not None:
                self.listener.start(len(self.inputs) - sum(o.status == "skipped" for o in self.outcomes.values()),
                                    frames)
            if self.executor is None and (self.todo or self.urgent):
                self.executor = self.factory(len(self.todo))
            self._loop()
        finally:
            if self.executor is not None:
                self.executor.close()
            for state in self.chunked:
                shutil.rmtree(state.job.parts, ignore_errors=True)
        for slot, inp in enumerate(self.inputs):
            if slot not in self.outcomes:
                self.outcomes[slot] = InputOutcome(inp, "interrupted", failure=_not_started().failure)
        self._write_index(final=True)
        return BatchReport([self.outcomes[i] for i in range(len(self.inputs))],
                           self.executor.name if self.executor is not None else "", self.index_files,
                           self.interrupted or self.stop.is_set(), time.perf_counter() - t0,
                           self._frames_done(), self.peak_rss_mb)

    def _loop(self) -> None:
        deadline = None
        with StopOnSignal() as signals:
            while True:
                if (signals.stopped or self.interrupted) and not self.stop.is_set():
                    self._stop()
                    deadline = time.monotonic() + STOP_GRACE_S
                if self.executor is not None:
                    self._dispatch()
                with self.lock:
                    waiting = bool(self.urgent or self.todo)
                if not (self.inflight or waiting or self.assembling):
                    return
                if deadline is not None and time.monotonic() > deadline:
                    return  # closing the executor ends what is left
                if self.inflight:
                    done, _ = wait_futures(list(self.inflight), timeout=0.1, return_when=FIRST_COMPLETED)
                else:
                    done = set()
                    time.sleep(0.05)
                for future in done:
                    ticket = self.inflight.pop(future)
                    try:
                        result = future.result()
                    except Exception as exc:  # noqa: BLE001 - an executor's own failure is the unit's
                        result = UnitResult("failed", failure=Failure.of(exc))
                    self._resolve(ticket, result)
                while True:
                    try:
                        state, outcome = self.assembled.get_nowait()
                    except queue.Empty:
                        break
                    self._assembled(state, outcome)
                if self.listener is not None:
                    self.listener.progress(self._frames_done())

    def _stop(self) -> None:
        """Ctrl-C: nothing new starts, what runs is asked to stop, what waits is not started."""
        self.stop.set()
        if self.executor is not None:
            self.executor.stop()
        with self.lock:
            waiting = list(self.urgent) + list(self.todo)
            self.urgent.clear()
            self.todo.clear()
        for ticket in waiting:
            self._resolve(ticket, _not_started())

    # -- the index ------------------------------------------------------------------------------

    def _write_index(self, final: bool) -> None:
        if not self.settings.index:
            return
        rows = [_row(inp, self.outcomes.get(slot), self.settings.out) for slot, inp in enumerate(self.inputs)]
        counts: dict[str, int] = {}
        for row in rows:
            counts[row.status] = counts.get(row.status, 0) + 1
        index = BatchIndex(executor=self.executor.name if self.executor is not None else "",
                           jobs=self.settings.jobs, started=self.started,
                           finished=time.strftime("%Y-%m-%dT%H:%M:%S") if final else None, counts=counts,
                           inputs=rows)
        try:
            self.settings.out.mkdir(parents=True, exist_ok=True)
            self.index_files = write_index(self.settings.out, index)
        except (OutputError, OSError) as exc:
            if final:
                raise OutputError(f"cannot write the batch index in {self.settings.out} ({exc})",
                                  "every input's own results are in its folder") from None


def _nothing_kept(inp: BatchInput, chunks: int) -> Failure:
    return Failure(f"interrupted: nothing was kept of {inp.name} (it was being scored in {chunks} chunks); "
                   "run the same command again to score it", Interrupted.exit_code)


def _not_started() -> UnitResult:
    return UnitResult("interrupted", failure=Failure("not scored: the batch was interrupted before it started; "
                                                     "run the same command again to score it", Interrupted.exit_code))


def _row(inp: BatchInput, outcome: InputOutcome | None, folder: Path) -> BatchRow:
    # The resolved path: an input's identity, what a re-run matches its earlier folder by.
    base = {"input": inp.name, "path": str(inp.path.resolve()), "pose": inp.mode.name,
            "out": os.path.relpath(inp.out, folder.resolve())}
    if outcome is None:
        return BatchRow(status="pending", **base)
    s = outcome.result.summary if outcome.result is not None else None
    return BatchRow(status=outcome.status, reason=outcome.failure.message if outcome.failure else None,
                    score=None if s is None or s.score is None else round(s.score, 1),
                    time_in_pose_s=None if s is None else s.time_in_pose_s,
                    time_in_good_form_s=None if s is None else s.time_in_good_form_s,
                    duration_s=None if s is None else s.duration_s, frames=None if s is None else s.frames,
                    complete=None if s is None else s.complete, chunks=outcome.chunks,
                    seconds=None if outcome.seconds is None or outcome.status == "skipped"
                    else round(outcome.seconds, 2), **base)


__all__ = ["BatchReport", "BatchSettings", "InputOutcome", "Listener", "STOP_GRACE_S", "run_batch"]
