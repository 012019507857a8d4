"""Ctrl-C and SIGTERM as a flag checked between frames, so every output file stops at the same frame."""

from __future__ import annotations

import signal
import threading


class StopOnSignal:
    """Turns SIGINT and SIGTERM into a clean stop between two frames (a context manager).

    A KeyboardInterrupt raised in the middle of a frame could leave the landmarks file one
    frame ahead of the CSV; a flag checked between frames keeps every output file at the
    same frame count. Outside the main thread signals cannot be caught, and nothing changes.

    Attributes:
        signal: the signal received (None: none yet).
    """

    def __init__(self) -> None:
        self.signal: int | None = None
        self._old: dict[int, object] = {}

    @property
    def stopped(self) -> bool:
        """Whether a stop was asked for."""
        return self.signal is not None

    def __enter__(self) -> StopOnSignal:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._old[sig] = signal.signal(sig, self._handle)
        return self

    def _handle(self, signum: int, frame: object) -> None:
        self.signal = signum

    def __exit__(self, *exc: object) -> None:
        for sig, old in self._old.items():
            signal.signal(sig, old)  # type: ignore[arg-type]  # what signal() returned before


__all__ = ["StopOnSignal"]
