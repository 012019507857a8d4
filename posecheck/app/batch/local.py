"""A pool of worker processes on this machine: ``--jobs N``.

Each worker is a process of its own (one landmark model in it at a time, so the model of
one unit never waits for another's), started fresh ("spawn": no threads or model state
inherited from the parent) when there is work for it. The parent's dispatcher thread
hands each worker one unit at a time over a pipe and reads back progress and the result.

Faults: a worker that dies (crashes, is killed, runs out of memory) costs only the unit
it was running, which is tried again on a fresh worker, up to :data:`RETRIES` more times
(as Ray's ``max_retries`` does); every other unit goes on. Ctrl-C reaches the workers
too: a unit stops between two frames and reports ``interrupted``; an idle worker ignores
it, and the parent asks the busy ones again until they have stopped.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait

from posecheck.app.batch.units import Failure, Progress, Unit, UnitResult, run_unit

#: How many more times a unit is tried when the process running it dies.
RETRIES = 2
#: How often a stop is asked again of a unit that has not stopped yet (seconds).
_ASK_AGAIN_S = 0.5


def _worker_main(conn: Connection, fn: Callable[[Unit, Progress], UnitResult]) -> None:
    """A worker process: run the units that come down the pipe until told to stop."""
    # Between units a Ctrl-C means nothing here; during one, the unit's own handler makes it
    # stop between two frames (and restores this one after).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    conn.send(("ready", None))
    while True:
        try:
            unit = conn.recv()
        except (EOFError, OSError):
            return
        if unit is None:
            return
        try:
            result = fn(unit, lambda done: conn.send(("progress", done)))
        except BaseException as exc:  # noqa: BLE001 - reported as the unit's failure, never lost
            result = UnitResult("failed", failure=Failure.of(exc))
        try:
            conn.send(("done", result))
        except (BrokenPipeError, OSError):
            return


@dataclass
class _Task:
    unit: Unit
    progress: Progress | None
    future: Future = field(default_factory=Future)
    attempts: int = 0


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    task: _Task | None = None
    asked_to_stop: float = 0.0
    ready: bool = False  # it ignores Ctrl-C between units: it may be asked to stop


class LocalPool:
    """Worker processes on this machine (see the module's description).

    Args:
        jobs: at most this many worker processes, started as work arrives.
        fn: what a worker runs on each unit (``run_unit``; tests give others).
        retries: more tries of a unit whose worker died.
    """

    def __init__(self, jobs: int, fn: Callable[[Unit, Progress], UnitResult] = run_unit,
                 retries: int = RETRIES) -> None:
        self.slots = max(1, int(jobs))
        self.name = f"local, {self.slots} worker process{'es' if self.slots > 1 else ''}"
        self._fn = fn
        self._retries = retries
        self._ctx = multiprocessing.get_context("spawn")
        self._workers: list[_Worker] = []
        self._queue: deque[_Task] = deque()
        self._lock = threading.Lock()
        self._wake_r, self._wake_w = self._ctx.Pipe(duplex=False)
        self._stopping = False
        self._closed = False
        self._thread = threading.Thread(target=self._dispatch, name="posecheck-pool", daemon=True)
        self._thread.start()

    # -- the interface ------------------------------------------------------------------------

    def submit(self, unit: Unit, progress: Progress | None = None) -> Future[UnitResult]:
        task = _Task(unit, progress)
        with self._lock:
            if self._closed:
                raise RuntimeError("the pool is closed")
            self._queue.append(task)
        self._wake()
        return task.future

    def stop(self) -> None:
        with self._lock:
            self._stopping = True
            queued = list(self._queue)
            self._queue.clear()
        for task in queued:
            task.future.set_result(UnitResult("interrupted", failure=Failure("not started: the batch was stopped", 130)))
        self._wake()

    def close(self, timeout: float = 10.0) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._wake()
        self._thread.join(timeout=timeout + 5)
        for w in list(self._workers):
            self._end(w, timeout)

    @property
    def pids(self) -> list[int]:
        """The worker processes' ids (for tests that kill one)."""
        return [w.process.pid for w in self._workers if w.process.pid is not None]

    # -- the dispatcher thread ----------------------------------------------------------------

    def _wake(self) -> None:
        with contextlib.suppress(OSError):
            self._wake_w.send(None)

    def _start_worker(self) -> _Worker:
        parent, child = self._ctx.Pipe(duplex=True)
        process = self._ctx.Process(target=_worker_main, args=(child, self._fn), name="posecheck-worker",
                                    daemon=True)
        process.start()
        child.close()
        worker = _Worker(process, parent)
        self._workers.append(worker)
        return worker

    def _assign(self) -> None:
        with self._lock:
            while self._queue and not self._stopping:
                idle = next((w for w in self._workers if w.task is None), None)
                if idle is None:
                    if len(self._workers) >= self.slots:
                        return
                    idle = self._start_worker()
                task = self._queue.popleft()
                task.attempts += 1
                idle.task = task
                try:
                    idle.conn.send(task.unit)
                except (BrokenPipeError, OSError):
                    pass  # the worker is gone; its sentinel says so next

    def _dispatch(self) -> None:
        while True:
            with self._lock:
                closed = self._closed
            if closed:
                return
            self._assign()
            self._ask_to_stop()
            waits: list = [self._wake_r]
            for w in self._workers:
                waits.append(w.process.sentinel)
                if w.task is not None or not w.ready:
                    waits.append(w.conn)
            for ready in wait(waits, timeout=_ASK_AGAIN_S):
                if ready is self._wake_r:
                    with contextlib.suppress(EOFError, OSError):
                        while self._wake_r.poll():
                            self._wake_r.recv()
                    continue
                worker = next((w for w in self._workers if ready in (w.conn, w.process.sentinel)), None)
                if worker is None:
                    continue
                if ready is worker.conn:
                    self._read(worker)
                elif not worker.process.is_alive():
                    self._died(worker)

    def _read(self, worker: _Worker) -> None:
        try:
            while worker.conn.poll():
                kind, value = worker.conn.recv()
                if kind == "ready":
                    worker.ready = True
                    continue
                task = worker.task
                if task is None:
                    continue
                if kind == "progress":
                    if task.progress is not None:
                        task.progress(value)
                elif kind == "done":
                    worker.task, worker.asked_to_stop = None, 0.0
                    task.future.set_result(value)
        except (EOFError, OSError):
            self._died(worker)

    def _died(self, worker: _Worker) -> None:
        """A worker process ended: its unit is tried again on a fresh one, or fails."""
        if worker not in self._workers:
            return
        self._workers.remove(worker)
        with contextlib.suppress(EOFError, OSError, ValueError):
            while worker.task is not None and worker.conn.poll():  # what it said before it ended
                kind, value = worker.conn.recv()
                if kind == "done":
                    worker.task.future.set_result(value)
                    worker.task = None
        worker.process.join(timeout=1)
        with contextlib.suppress(OSError):
            worker.conn.close()
        task = worker.task
        if task is None or task.future.done():
            return
        how = _how_it_ended(worker.process.exitcode)
        with self._lock:
            stopping = self._stopping
        if stopping:  # e.g. Ctrl-C reached it while it was starting
            task.future.set_result(UnitResult("interrupted", failure=Failure("stopped before it finished", 130)))
            return
        if task.attempts <= self._retries:
            with self._lock:
                self._queue.appendleft(task)  # first in line: it is the oldest
            return
        tries = f" ({task.attempts} tries)" if task.attempts > 1 else ""
        task.future.set_result(UnitResult("failed", failure=Failure(
            f"the worker process scoring it stopped ({how}){tries}", 1)))

    def _ask_to_stop(self) -> None:
        with self._lock:
            if not self._stopping:
                return
        now = time.monotonic()
        for w in self._workers:
            if w.task is not None and w.ready and now - w.asked_to_stop >= _ASK_AGAIN_S and w.process.pid:
                w.asked_to_stop = now
                with contextlib.suppress(ProcessLookupError):
                    os.kill(w.process.pid, signal.SIGINT)

    def _end(self, worker: _Worker, timeout: float) -> None:
        with contextlib.suppress(OSError, BrokenPipeError):
            worker.conn.send(None)
        worker.process.join(timeout=timeout)
        if worker.process.is_alive():
            worker.process.terminate()
            worker.process.join(timeout=5)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join(timeout=5)
        with contextlib.suppress(OSError):
            worker.conn.close()
        if worker.task is not None and not worker.task.future.done():
            worker.task.future.set_result(UnitResult("interrupted", failure=Failure("stopped before it finished", 130)))


def _how_it_ended(code: int | None) -> str:
    if code is None:
        return "still running"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


__all__ = ["RETRIES", "LocalPool"]
