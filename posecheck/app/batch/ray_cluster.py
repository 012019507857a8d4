"""Work units as Ray tasks on an existing Ray cluster: ``--cluster ADDRESS``.

The only module that imports ``ray`` (the optional extra ``posecheck[cluster]``). Each unit
is one task running :func:`~posecheck.app.batch.units.run_unit` on one CPU of some node;
posecheck must be installed on every node, and the inputs and ``--out`` must be on storage
every node and this machine can read (the usual shared file system): a task writes its
input's results itself, each file under a temporary name renamed when whole, as on one
machine. A task whose worker process dies is tried again by Ray (``max_retries``); a
worker that cannot read its input reports it as that input's failure, in one line.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import socket
from concurrent.futures import Future

from posecheck.app.batch.local import RETRIES
from posecheck.app.batch.units import Failure, Progress, Unit, UnitResult, run_unit
from posecheck.errors import ClusterError

INSTALL_HINT = "install it with: pip install 'posecheck[cluster]'"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _reachable(address: str) -> None:
    """Fail in one line, at once, when nothing answers at ``host:port`` (Ray itself would wait a minute)."""
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit() or address.startswith(("ray://", "auto")):
        return
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=5).close()
    except OSError as err:
        raise ClusterError(f"no Ray cluster answers at {address} ({err.strerror or err})",
                           "start one with 'ray start --head', or check --cluster / POSECHECK_RAY_ADDRESS") from None


class RayCluster:
    """Runs units as Ray tasks on the cluster at ``address``.

    Args:
        address: what ``ray.init(address=...)`` takes: ``host:port`` of the head's GCS, or ``auto``.

    Raises:
        ClusterError: Ray is not installed, or no cluster answers there.
    """

    def __init__(self, address: str) -> None:
        if _is_loopback(address.rpartition(":")[0]):
            # A head started on 127.0.0.1 listens there only; without this, Ray replaces a
            # loopback address by this machine's network address and waits there for ever
            # (Ray's own switch for single-machine clusters). Ray reads it when it is imported.
            os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
        try:
            import ray
        except ImportError:
            raise ClusterError("--cluster needs Ray, which is not installed", INSTALL_HINT) from None
        _reachable(address)
        self._ray = ray
        try:
            ray.init(address=address, logging_level=logging.ERROR, log_to_driver=False)
        except (ConnectionError, RuntimeError, ValueError) as err:
            raise ClusterError(f"cannot join the Ray cluster at {address} ({str(err).splitlines()[0]})",
                               "check the address and that this machine runs the cluster's Ray version") from None
        # One task per CPU: each unit runs one landmark model (and its decoder beside it).
        self.slots = max(1, int(ray.cluster_resources().get("CPU", 1)))
        self.name = f"ray {address}, {self.slots} CPUs"
        self._task = ray.remote(num_cpus=1, max_retries=RETRIES, retry_exceptions=False)(run_unit)
        self._refs: dict[Future, object] = {}

    def submit(self, unit: Unit, progress: Progress | None = None) -> Future[UnitResult]:
        """Start a task (progress is known only when it ends: a task reports once)."""
        ref = self._task.remote(unit)
        inner = ref.future()
        outer: Future[UnitResult] = Future()
        self._refs[outer] = ref

        def done(f: Future) -> None:
            self._refs.pop(outer, None)
            try:
                outer.set_result(f.result())
            except self._ray.exceptions.TaskCancelledError:
                outer.set_result(UnitResult("interrupted", failure=Failure("stopped before it finished", 130)))
            except self._ray.exceptions.RayError as err:
                # Its worker died more often than Ray retries, or its node left the cluster.
                first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
                outer.set_result(UnitResult("failed", failure=Failure(
                    f"the Ray task scoring it failed ({type(err).__name__}: {first})", 1)))

        inner.add_done_callback(done)
        return outer

    def stop(self) -> None:
        """Cancel the tasks: a running one gets a KeyboardInterrupt and leaves no partial files."""
        for ref in list(self._refs.values()):
            try:
                self._ray.cancel(ref)
            except Exception:  # noqa: BLE001, S112 - it may have ended meanwhile
                continue

    def close(self) -> None:
        if self._ray.is_initialized():
            self._ray.shutdown()


__all__ = ["INSTALL_HINT", "RayCluster"]
