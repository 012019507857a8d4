"""Small threading helpers: overlap decoding and encoding with the model on two cores.

The landmark model holds the main thread; decoding the next frames and encoding the
annotated ones happen beside it. Both queues are bounded, so memory stays flat
however long the input is, and an error in a helper thread is raised in the caller.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")

_END = object()


class Prefetch(Generic[T]):
    """Iterate ``items`` on a background thread, ``depth`` items ahead of the consumer."""

    def __init__(self, items: Iterable[T], depth: int = 4, name: str = "posecheck-prefetch") -> None:
        self._q: queue.Queue = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(items,), name=name, daemon=True)
        self._thread.start()

    def _run(self, items: Iterable[T]) -> None:
        try:
            for item in items:
                while not self._stop.is_set():
                    try:
                        self._q.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if self._stop.is_set():
                    return
        except BaseException as exc:  # handed to the consumer
            self._error = exc
        finally:
            while not self._stop.is_set():
                try:
                    self._q.put(_END, timeout=0.1)
                    break
                except queue.Full:
                    continue

    def __iter__(self) -> Iterator[T]:
        while True:
            item = self._q.get()
            if item is _END:
                if self._error is not None:
                    raise self._error
                return
            yield item

    def close(self) -> None:
        """Stop the producer (it finishes the item it is on) and wait for it."""
        self._stop.set()
        self._thread.join(timeout=5)


class Worker(Generic[T]):
    """Run ``fn(item)`` for each submitted item on one background thread, in order."""

    def __init__(self, fn: Callable[[T], None], depth: int = 4, name: str = "posecheck-worker") -> None:
        self._fn = fn
        self._q: queue.Queue = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._q.get()
            if item is _END:
                return
            if self._error is None:
                try:
                    self._fn(item)
                except BaseException as exc:  # raised in the caller at the next submit/close
                    self._error = exc

    def submit(self, item: T) -> None:
        """Queue one item (blocks while the queue is full); re-raises a worker error."""
        if self._error is not None:
            raise self._error
        self._q.put(item)

    def close(self) -> None:
        """Finish every queued item, stop the thread, and re-raise a worker error."""
        self._q.put(_END)
        self._thread.join()
        if self._error is not None:
            raise self._error
