"""The small interface a batch runs its work units through, and the inline executor of ``--jobs 1``.

Two real implementations: a pool of worker processes on this machine
(:class:`~posecheck.app.batch.local.LocalPool`) and Ray tasks on a cluster
(:class:`~posecheck.app.batch.ray_cluster.RayCluster`). Both hand each unit to the same
:func:`~posecheck.app.batch.units.run_unit` and give back its
:class:`~posecheck.app.batch.units.UnitResult`; the batch engine decides what runs when.
"""

from __future__ import annotations

import os
from concurrent.futures import Future
from typing import Protocol

from posecheck.app.batch.units import Progress, Unit, UnitResult, run_unit


class Executor(Protocol):
    """Runs work units somewhere and answers each with a future of its result.

    Attributes:
        name: what it is, for the batch index (``local, 2 workers``, ``ray 10.0.0.5:6379``).
        slots: how many units it runs at once (the engine keeps that many in flight).
    """

    name: str
    slots: int

    def submit(self, unit: Unit, progress: Progress | None = None) -> Future[UnitResult]:
        """Start ``unit`` (or queue it); ``progress`` may be called with its frames done so far."""

    def stop(self) -> None:
        """Ask the units running now to stop soon (Ctrl-C); they end with an ``interrupted`` result."""

    def close(self) -> None:
        """Release the workers (after every future is done, or after :meth:`stop`)."""


class Inline:
    """``--jobs 1``: each unit runs in this process, in the calling thread, one after another.

    That is today's single-process scoring: decoding, the model and the encoding on their
    threads beside each other, and Ctrl-C handled between two frames by the unit itself.
    """

    name = "this process"
    slots = 1

    def submit(self, unit: Unit, progress: Progress | None = None) -> Future[UnitResult]:
        future: Future[UnitResult] = Future()
        future.set_result(run_unit(unit, progress))
        return future

    def stop(self) -> None:
        """Nothing runs between two calls of :meth:`submit`."""

    def close(self) -> None:
        """Nothing to release."""


def cores() -> int:
    """The cores this process may run on (the default of ``--jobs``)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def choose_executor(jobs: int, cluster: str | None, units: int) -> Executor:
    """The executor for a batch of ``units`` work units.

    Args:
        jobs: worker processes on this machine (``--jobs``).
        cluster: a Ray cluster's address (``--cluster``); its CPUs set how many run at once.
        units: how many units there are to start with; one alone runs in this process.

    Raises:
        ClusterError: ``cluster`` is given and Ray is missing or the cluster cannot be reached.
    """
    if cluster:
        from posecheck.app.batch.ray_cluster import RayCluster

        return RayCluster(cluster)
    if jobs <= 1 or units <= 1:
        return Inline()
    from posecheck.app.batch.local import LocalPool

    return LocalPool(min(jobs, units))


__all__ = ["Executor", "Inline", "choose_executor", "cores"]
