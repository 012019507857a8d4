"""What a batch is made of: its inputs, each input's own results folder, and the time chunks
of a long recording.

Rules (``posecheck score --help`` says them too):

* A folder given as an input that holds any video is expanded: each video and each photo
  in it (not in its sub-folders) is an input of its own. A folder of photos only is one
  input, a set of photos, as before.
* Several inputs (or an expanded folder) are a batch: each input gets its own folder in
  ``--out``, named after the file (``frog``), and ``frog-2``, ``frog-3``... when names
  collide. A folder that holds another input's results is never used; the batch index
  remembers which input went where, so a re-run finds the same folders.
* A recording is split into time chunks only when there are spare workers for it: chunks
  of at least :data:`MIN_CHUNK_S` seconds, about as long as the whole batch's video
  divided by the workers. Unless ``--jobs`` or ``--cluster`` is given, only on a machine of
  :data:`SPLIT_FROM_CORES` cores or more: a chunk's video is decoded twice (for the model,
  then to draw it), which costs more than two chunks gain where one model run already keeps
  two cores busy (measured: docs/performance.md).
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

from posecheck.app.batch.units import Chunk
from posecheck.io.atomic import RESULT_FILES
from posecheck.io.media import IMAGE_EXTENSIONS, VIDEO_EXTENSIONS
from posecheck.session.records import Summary, read_summary
from posecheck.session.session import Mode

#: By default a recording is split into time chunks only on this many cores or more. On the
#: 2-core machine here a 60 s 1280x720 clip took 70.9 s in two chunks and 50.4 s whole.
SPLIT_FROM_CORES = 4
#: A chunk shorter than this is not worth its warm-up and the worker's start.
MIN_CHUNK_S = 10.0
#: Seconds before each chunk run through the model to warm its tracking up (dropped). The
#: model's landmarks at a seam are then within a few pixels of a run from the start
#: (measured: docs/performance.md); a longer warm-up measured no closer.
OVERLAP_S = 1.0


@dataclass(frozen=True)
class BatchInput:
    """One input of a batch and where its results go.

    Attributes:
        path: the file or folder, absolute.
        name: as the user gave it (messages and the summary name it so).
        out: its results folder.
        mode: what to judge.
    """

    path: Path
    name: str
    out: Path
    mode: Mode


def _natural(path: Path) -> list[object]:
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", path.name)]


def expand(paths: list[Path]) -> list[tuple[Path, int]]:
    """The inputs, with folders of videos expanded: ``(input, index of the argument it came from)``."""
    out: list[tuple[Path, int]] = []
    for i, path in enumerate(paths):
        if path.is_dir():
            files = sorted((f for f in path.iterdir() if f.is_file() and not f.name.startswith(".")), key=_natural)
            videos = [f for f in files if f.suffix.lower() in VIDEO_EXTENSIONS]
            if videos:
                out += [(f, i) for f in files if f.suffix.lower() in VIDEO_EXTENSIONS | IMAGE_EXTENSIONS]
                continue
        out.append((path, i))
    return out


Key = tuple[Path, str]


def summary_key(summary: Summary) -> Key | None:
    """``(input, what it was judged as)`` of a result: the pose id, ``auto`` or the routine id."""
    if not summary.input:
        return None
    routine = getattr(summary, "routine", None)
    return Path(summary.input).resolve(), routine.id if routine is not None else summary.pose


def owner_of(folder: Path) -> Key | None:
    """Whose results ``folder`` holds (from its ``summary.json``), or None when it is unknown."""
    try:
        return summary_key(read_summary(folder / "summary.json"))
    except (OSError, ValueError):
        return None


def holds_results(folder: Path) -> bool:
    """Whether ``folder`` holds any result file."""
    return folder.is_dir() and any((folder / name).exists() for name in RESULT_FILES)


def result_folders(inputs: list[Key], out: Path, earlier: dict[Key, Path]) -> list[Path]:
    """Each input's own folder in ``out``: the one an earlier run of the batch gave it, else a free one.

    An input judged as two poses is two inputs, with two folders.

    Args:
        inputs: ``(absolute path, pose id / auto / routine id)``, in order.
        out: the batch's folder.
        earlier: the folders the batch index of an earlier run gave.
    """
    given: set[Path] = set()
    theirs = {folder: key for key, folder in earlier.items()}
    folders = []
    for key in inputs:
        folder = earlier.get(key)
        if folder is None or folder in given:
            path = key[0]
            stem = _safe(path.name if path.is_dir() else path.stem)
            for k in range(1, 100_000):
                folder = out / (stem if k == 1 else f"{stem}-{k}")
                if folder in given or theirs.get(folder, key) != key or (folder.exists() and not folder.is_dir()):
                    continue
                if not holds_results(folder) or owner_of(folder) == key:
                    break
        given.add(folder)
        folders.append(folder)
    return folders


def _safe(name: str) -> str:
    """A folder name from a file name: no path separators, never hidden, never empty."""
    name = name.replace(os.sep, "_").strip().lstrip(".")
    return name or "input"


def complete_result(folder: Path, key: Key, video: bool) -> Summary | None:
    """The summary of complete results of ``key`` in ``folder``, or None.

    Complete: ``summary.json`` says the run read the input to its end, it names this input and
    this pose (or routine), and every file it goes with is there.
    """
    try:
        summary = read_summary(folder / "summary.json")
    except (OSError, ValueError):
        return None
    if not summary.complete or summary_key(summary) != key:
        return None
    if not all((folder / name).is_file() for name in ("frames.csv", "landmarks.jsonl")):
        return None
    if video and not any(folder.glob("annotated.*")):  # the video, or the picture of a photo
        return None
    return summary


def chunk_target_s(durations: list[float | None], jobs: int) -> float:
    """How long a chunk should be: the batch's video shared among the workers, at least :data:`MIN_CHUNK_S`."""
    total = sum(d for d in durations if d)
    return max(MIN_CHUNK_S, total / max(jobs, 1))


def plan_chunks(duration_s: float | None, target_s: float, jobs: int) -> tuple[Chunk, ...]:
    """The time chunks of a recording of ``duration_s`` seconds (one chunk: scored whole).

    Chunks are of equal length, at least ``target_s`` long, at most ``jobs`` of them; the last
    one runs to the end of the recording, however long the container said it was.
    """
    if not duration_s or jobs <= 1:
        return (Chunk(0, 1, 0.0, None),)
    n = max(1, min(jobs, math.floor(duration_s / target_s + 1e-9)))
    step = duration_s / n
    return tuple(Chunk(k, n, round(k * step, 6), None if k == n - 1 else round((k + 1) * step, 6))
                 for k in range(n))


__all__ = ["MIN_CHUNK_S", "OVERLAP_S", "SPLIT_FROM_CORES", "BatchInput", "Key", "chunk_target_s",
           "complete_result", "expand", "holds_results", "owner_of", "plan_chunks", "result_folders", "summary_key"]
