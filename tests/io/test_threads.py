"""The pipeline threads as pure logic: order, bounded queues, errors handed to the caller."""

from __future__ import annotations

import threading
import time

import pytest

from posecheck.io.threads import Prefetch, Worker


def test_prefetch_keeps_order_and_stays_bounded():
    produced = []

    def items():
        for i in range(50):
            produced.append(i)
            yield i

    p = Prefetch(items(), depth=3)
    time.sleep(0.1)
    assert len(produced) <= 3 + 2  # the queue plus the item in hand: it never runs far ahead
    assert list(p) == list(range(50))
    p.close()


def test_prefetch_hands_the_producers_error_to_the_consumer():
    def items():
        yield 1
        raise ValueError("bad frame")

    p = Prefetch(items())
    got = []
    with pytest.raises(ValueError, match="bad frame"):
        for x in p:
            got.append(x)
    assert got == [1]


def test_prefetch_close_stops_a_producer_that_is_blocked():
    p = Prefetch(iter(range(10_000)), depth=2)
    next(iter(p))
    p.close()
    assert not p._thread.is_alive()


def test_worker_runs_in_order_on_its_thread_and_reraises():
    seen, names = [], set()

    def job(x):
        seen.append(x)
        names.add(threading.current_thread().name)

    w = Worker(job, depth=2, name="t-worker")
    for i in range(20):
        w.submit(i)
    w.close()
    assert seen == list(range(20)) and names == {"t-worker"}

    def fail(x):
        if x == 3:
            raise OSError("disk full")

    w = Worker(fail)
    with pytest.raises(OSError, match="disk full"):
        for i in range(10):
            w.submit(i)
            time.sleep(0.01)
        w.close()
