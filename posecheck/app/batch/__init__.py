"""Scoring many inputs, and long recordings in time chunks, on every core or on a Ray cluster.

``units`` holds the work units and the one function that does any of them; ``local`` and
``ray_cluster`` are the two executors (``executor`` their interface); ``plan`` decides the
inputs, folders and chunks; ``stitch`` puts a chunked recording together; ``engine`` runs
a batch; ``index`` writes ``batch.json`` and ``batch.csv``.
"""

from __future__ import annotations

from posecheck.app.batch.engine import BatchReport, BatchSettings, InputOutcome, Listener, run_batch
from posecheck.app.batch.executor import Executor, Inline, choose_executor, cores
from posecheck.app.batch.plan import SPLIT_FROM_CORES, BatchInput, expand, result_folders

__all__ = ["SPLIT_FROM_CORES", "BatchInput", "BatchReport", "BatchSettings", "Executor", "Inline", "InputOutcome",
           "Listener", "choose_executor", "cores", "expand", "result_folders", "run_batch"]
