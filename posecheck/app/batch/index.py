"""The batch index: ``DIR/batch.json`` and ``DIR/batch.csv``, one row per input.

Written again each time an input is done (under a temporary name, renamed when whole), so
a batch stopped in any way leaves an index of what it had done. A re-run reads it back to
give each input the folder it had before.

Statuses: ``scored``; ``failed`` (with the one-line reason); ``skipped`` (complete results
were already there; their figures are read back); ``interrupted`` (Ctrl-C: a partial result
marked incomplete, or nothing, and a re-run scores it again); ``pending`` (not done yet: only
in the index of a batch still running, or of one that was killed).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Literal

from posecheck.io.atomic import AtomicCsv, write_json_atomic

FORMAT_NAME = "posecheck-batch"
FORMAT_VERSION = 1

Status = Literal["scored", "failed", "skipped", "interrupted", "pending"]


@dataclass(frozen=True, kw_only=True)
class BatchRow:
    """One input of a batch.

    Attributes:
        input: the input as the user gave it.
        path: its absolute path.
        pose: what it was judged as (a pose id, ``auto`` or a routine id).
        status: see the module's description.
        reason: why it failed or was interrupted (one line), else None.
        out: its results folder, relative to the batch's folder (which can be moved whole).
        score: its score (None: not judged, or no result).
        time_in_pose_s: seconds in the pose (in a pose, for ``auto`` and routines).
        time_in_good_form_s: seconds in good form.
        duration_s: the input's length in seconds.
        frames: frames judged.
        complete: the result covers the whole input.
        chunks: the time chunks it was scored in (1: in one pass).
        seconds: how long scoring it took (None: skipped or not done).
    """

    input: str
    path: str
    pose: str
    status: Status
    reason: str | None = None
    out: str = ""
    score: float | None = None
    time_in_pose_s: float | None = None
    time_in_good_form_s: float | None = None
    duration_s: float | None = None
    frames: int | None = None
    complete: bool | None = None
    chunks: int = 1
    seconds: float | None = None


@dataclass(frozen=True, kw_only=True)
class BatchIndex:
    """``batch.json``: how the batch was run, and its rows in the order of the inputs.

    Attributes:
        format, version: the file format.
        executor: where the work ran (``local, 2 worker processes``, ``ray ADDRESS``).
        jobs: ``--jobs``.
        started, finished: local times (``finished`` None while it runs).
        counts: inputs per status.
        inputs: the rows.
    """

    format: str = FORMAT_NAME
    version: int = FORMAT_VERSION
    executor: str = ""
    jobs: int = 1
    started: str = ""
    finished: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    inputs: list[BatchRow] = field(default_factory=list)


CSV_COLUMNS = [f.name for f in fields(BatchRow)]


def write_index(folder: Path, index: BatchIndex) -> tuple[Path, Path]:
    """Write ``batch.json`` and ``batch.csv`` into ``folder``; their paths."""
    data = asdict(index)
    json_path, csv_path = folder / "batch.json", folder / "batch.csv"
    write_json_atomic(json_path, data)
    table = AtomicCsv(csv_path, CSV_COLUMNS)
    try:
        for row in data["inputs"]:
            table.write(["" if row[c] is None else row[c] for c in CSV_COLUMNS])
    except BaseException:
        table.abort()
        raise
    table.close()
    return json_path, csv_path


def read_index(folder: Path) -> BatchIndex | None:
    """The index an earlier run left in ``folder``, or None (none, or not one: it is rewritten)."""
    try:
        data = json.loads((folder / "batch.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME or not isinstance(data.get("inputs"), list):
        return None
    names = {f.name for f in fields(BatchRow)}
    rows = []
    for row in data["inputs"]:
        if isinstance(row, dict) and isinstance(row.get("path"), str) and isinstance(row.get("out"), str):
            try:
                rows.append(BatchRow(**{k: v for k, v in row.items() if k in names}))
            except TypeError:
                continue
    return BatchIndex(executor=str(data.get("executor", "")), inputs=rows)


def earlier_folders(index: BatchIndex | None, folder: Path) -> dict[tuple[Path, str], Path]:
    """(input path, pose) -> the results folder an earlier run of the batch in ``folder`` gave it."""
    if index is None:
        return {}
    return {(Path(r.path), r.pose): (folder / r.out).resolve() for r in index.inputs
            if r.out and not Path(r.out).is_absolute() and ".." not in Path(r.out).parts}


__all__ = ["BatchIndex", "BatchRow", "CSV_COLUMNS", "Status", "earlier_folders", "read_index", "write_index"]
