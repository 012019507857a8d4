"""The local pool of worker processes: real processes, units that are plain test data.

The units here only sleep, say where they ran and, on purpose, kill their own process:
the scoring inside a unit is tested with the real model in ``tests/app/test_batch.py``.
"""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from posecheck.app.batch.local import LocalPool
from posecheck.app.batch.units import UnitResult

# Each test starts worker processes (spawn: a fresh interpreter importing posecheck): seconds each.
pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Job:
    name: str
    seconds: float = 0.0
    die_until: Path | None = None  # while this file holds fewer than `die_times` marks, the process kills itself
    die_times: int = 0


def work(job: Job, progress) -> UnitResult:  # noqa: ANN001 - runs in a worker process
    if job.die_until is not None:
        marks = job.die_until.read_text() if job.die_until.exists() else ""
        if len(marks) < job.die_times:
            job.die_until.write_text(marks + "x")
            os.kill(os.getpid(), signal.SIGKILL)
    start = time.time()
    time.sleep(job.seconds)
    progress(7)
    return UnitResult("done", frames=7, worker=f"{job.name}:{os.getpid()}:{start}:{time.time()}")


def test_units_run_side_by_side_in_worker_processes():
    pool = LocalPool(2, fn=work)
    try:
        seen = []
        futures = [pool.submit(Job(f"u{i}", 1.0), seen.append) for i in range(4)]
        results = [f.result(timeout=120) for f in futures]
    finally:
        pool.close()
    pids = {r.worker.split(":")[1] for r in results}
    assert [r.worker.split(":")[0] for r in results] == ["u0", "u1", "u2", "u3"]
    assert len(pids) == 2 and str(os.getpid()) not in pids
    assert seen == [7, 7, 7, 7]
    # Side by side: some two units were sleeping at the same time (how fast is for benchmarks/scale.py).
    spans = [tuple(float(x) for x in r.worker.split(":")[2:]) for r in results]
    assert any(a[0] < b[1] and b[0] < a[1] for i, a in enumerate(spans) for b in spans[i + 1:]), spans


def test_a_killed_worker_costs_only_its_unit_which_is_tried_again(tmp_path):
    pool = LocalPool(2, fn=work, retries=2)
    try:
        flaky = pool.submit(Job("flaky", die_until=tmp_path / "flaky", die_times=1))
        steady = [pool.submit(Job(f"s{i}", 0.2)) for i in range(3)]
        doomed = pool.submit(Job("doomed", die_until=tmp_path / "doomed", die_times=99))
        results = [f.result(timeout=180) for f in (flaky, *steady, doomed)]
    finally:
        pool.close()
    assert [r.status for r in results] == ["done", "done", "done", "done", "failed"]
    assert (tmp_path / "flaky").read_text() == "x"  # killed once, then it ran
    # Tried once and twice more, then reported with how its process ended.
    assert (tmp_path / "doomed").read_text() == "xxx"
    assert results[-1].failure.message == "the worker process scoring it stopped (killed by SIGKILL) (3 tries)"


def test_stop_answers_waiting_units_as_not_started():
    pool = LocalPool(1, fn=work)
    try:
        running = pool.submit(Job("long", 2.0))
        waiting = pool.submit(Job("next", 0.0))
        time.sleep(0.5)
        pool.stop()
        assert waiting.result(timeout=5).status == "interrupted"
        # A unit that cannot be interrupted (this one only sleeps) still ends and is reported.
        assert running.result(timeout=60).status == "done"
    finally:
        pool.close()
