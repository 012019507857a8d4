"""Where results go: an output folder that never loses what a user had.

Every file is written under a hidden temporary name in the output folder and
renamed into place when it is finished, so an interrupted run leaves either the
old file or a complete new one, never half a file. A folder that already holds
results is refused unless the user says ``--force``.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import json
import os
from pathlib import Path
from typing import Any

from posecheck.errors import OutputError

#: The files a run writes; a folder holding any of them holds results.
RESULT_FILES = ("summary.json", "frames.csv", "landmarks.jsonl", "landmarks.jsonl.gz", "annotated.mp4",
                "annotated.png", "annotated", "report.html")


_DISK_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


def write_error(path: Path, err: OSError, hint: str = "choose a writable --out folder",
                verb: str = "write") -> OutputError:
    """The :class:`OutputError` for an OS error while writing ``path``.

    A full disk gets its own message: it is the one write error users can fix by
    freeing space, and they need to know that what they had is untouched (every
    result file is written under a temporary name and renamed only when whole).
    """
    if err.errno in _DISK_FULL:
        return OutputError(f"the disk is full: cannot {verb} {path}",
                           "free some space and run again; nothing you already had was changed")
    return OutputError(f"cannot {verb} {path} ({err.strerror or err})", hint)


def prepare_output_dir(out: Path, force: bool) -> Path:
    """Check ``out`` can take new results and create it.

    Raises:
        OutputError: ``out`` is a file, holds results and ``force`` is off, or
            cannot be created or written.
    """
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} is a file, not a folder", "give --out a folder name")
    if out.is_dir() and not force:
        held = [name for name in RESULT_FILES if (out / name).exists()]
        if held:
            raise OutputError(f"{out} already holds results ({', '.join(held)})",
                              "use --force to replace them or choose another --out folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create {out} ({exc.strerror or exc})", "choose a writable --out folder") from None
    probe = out / f".posecheck-write-test-{os.getpid()}"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise OutputError(f"cannot write to {out} ({exc.strerror or exc})", "choose a writable --out folder") from None
    return out


def partial_path(path: Path, keep_suffix: bool = False) -> Path:
    """The hidden name a file is written under before it is renamed to ``path``.

    Unique (process id and a random part), in the same folder so the rename is atomic;
    ``keep_suffix`` keeps the extension last (a video muxer picks its format from it).
    """
    tag = f"{os.getpid()}-{os.urandom(3).hex()}"
    if keep_suffix:
        return path.with_name(f".{path.stem}.{tag}.partial{path.suffix}")
    return path.with_name(f".{path.name}.{tag}.partial")


def remove_partials(folder: Path) -> int:
    """Delete the unfinished result files (see :func:`partial_path`) a killed run left in ``folder``.

    Only for a folder whose one writer is the caller (a batch gives each input's folder to one
    work unit at a time): a file another live run is writing would go too.

    Returns:
        How many files were deleted.
    """
    gone = 0
    stems = {Path(name).stem for name in RESULT_FILES} | set(RESULT_FILES)
    try:
        entries = list(Path(folder).iterdir())
    except OSError:
        return 0
    for entry in entries:
        # ".frames.csv.<pid>-<hex>.partial" or ".annotated.<pid>-<hex>.partial.mp4"
        parts = entry.name.split(".")
        if (entry.name.startswith(".") and ".partial" in entry.name and len(parts) > 2
                and (parts[1] in stems or ".".join(parts[1:3]) in stems) and entry.is_file()):
            with contextlib.suppress(OSError):
                entry.unlink()
                gone += 1
    return gone


def commit(tmp: Path, path: Path) -> None:
    """Move a finished temporary file into place (atomic: a reader sees the old file or the new one)."""
    os.replace(tmp, path)


class PartialFile:
    """A file written under a hidden name and moved into place only when whole.

    Attributes:
        path: where the finished file goes.
        fh: the open file to write to (text, or bytes with ``binary``).
    """

    def __init__(self, path: Path, newline: str | None = None, hint: str = "choose a writable --out folder",
                 binary: bool = False) -> None:
        self.path = Path(path)
        self._hint = hint
        self._tmp = partial_path(self.path)
        try:
            self.fh = (open(self._tmp, "wb") if binary  # noqa: SIM115 - closed by commit/abort
                       else open(self._tmp, "w", encoding="utf-8", newline=newline))
        except OSError as exc:
            raise write_error(self.path, exc, hint) from None

    @property
    def closed(self) -> bool:
        """Whether it was committed or aborted."""
        return self.fh.closed

    def commit(self, fsync: bool = True) -> None:
        """Finish the file and move it into place (no-op once closed)."""
        if self.fh.closed:
            return
        try:
            self.fh.flush()
            if fsync:
                os.fsync(self.fh.fileno())
            self.fh.close()
            commit(self._tmp, self.path)
        except OSError as exc:
            self.abort()
            raise write_error(self.path, exc, self._hint, "finish") from None

    def abort(self) -> None:
        """Drop the unfinished file; nothing appears under :attr:`path`."""
        if not self.fh.closed:
            # Closing flushes the buffer, which fails again on a full disk; the
            # file is deleted next, so that error changes nothing.
            with contextlib.suppress(OSError):
                self.fh.close()
        with contextlib.suppress(OSError):
            self._tmp.unlink(missing_ok=True)


def write_text_atomic(path: Path, text: str, hint: str = "choose a writable --out folder") -> None:
    """Write ``text`` to ``path`` via a temporary file and a rename."""
    f = PartialFile(path, hint=hint)
    try:
        f.fh.write(text)
    except OSError as exc:
        f.abort()
        raise write_error(path, exc, hint) from None
    f.commit()


def write_json_atomic(path: Path, data: Any, hint: str = "choose a writable --out folder") -> None:
    """Write ``data`` as pretty JSON to ``path`` via a temporary file and a rename."""
    write_text_atomic(path, json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n", hint)


class AtomicCsv:
    """A CSV file written row by row under a temporary name, renamed on close."""

    def __init__(self, path: Path, header: list[str]) -> None:
        self.path = path
        self._file = PartialFile(path, newline="")
        self._w = csv.writer(self._file.fh)
        self._w.writerow(header)
        self.rows = 0

    def write(self, row: list[Any]) -> None:
        """Append one row."""
        try:
            self._w.writerow(row)
        except OSError as exc:
            raise write_error(self.path, exc) from None
        self.rows += 1

    def close(self) -> None:
        """Finish the file and move it into place."""
        self._file.commit()

    def abort(self) -> None:
        """Drop the unfinished file."""
        self._file.abort()
