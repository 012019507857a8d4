"""The saved live sessions: a new folder per session, listing them, and pruning old ones.

Each live session is a folder ``YYYYmmdd-HHMMSS-name`` (``-2``, ``-3``... when two start in
the same second) in the sessions folder (:func:`~posecheck.io.paths.sessions_root`),
holding the files posecheck wrote for it. Pruning removes only those files, only from
folders named like a session directly inside the sessions folder, and never follows a
link: anything else (a file the user put there, a sub-folder, a link) stays, and so does
the folder that holds it. The history keeps a pruned session's figures.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from posecheck.errors import InputError, OutputError
from posecheck.session.records import Summary, read_summary

#: A session folder's name: when it started, what it was (a pose id, ``auto`` or a routine id), a counter.
SESSION_NAME = re.compile(r"^(?P<stamp>\d{8}-\d{6})-(?P<name>[a-z0-9_]+?)(?:-(?P<n>\d+))?$")

#: The files a live session writes (and the report written beside them).
SESSION_FILES = ("summary.json", "frames.csv", "landmarks.jsonl.gz", "landmarks.jsonl", "report.html")

#: A file being written when a session was killed: ``.<name>.<pid>-<random>.partial``.
_PARTIAL = re.compile(r"^\.(?:" + "|".join(re.escape(f) for f in SESSION_FILES) + r")\.\d+-[0-9a-f]+\.partial$")

_STAMP = "%Y%m%d-%H%M%S"


def new_session_dir(root: Path, name: str, explicit: bool) -> Path:
    """A new, empty folder for a session: ``YYYYmmdd-HHMMSS-name`` (``-2``, ``-3``... if taken).

    Args:
        root: the sessions folder (made if missing).
        name: what the session is (a pose id, ``auto``, a routine id).
        explicit: the folder was given with ``--sessions`` (for the hint when it cannot be made).
    """
    stamp = datetime.now().strftime(_STAMP)
    session_dir = root / f"{stamp}-{name}"
    n = 1
    while True:
        try:
            session_dir.mkdir(parents=True)
            return session_dir
        except FileExistsError:
            n += 1
            session_dir = root / f"{stamp}-{name}-{n}"
        except OSError as exc:
            where = "--sessions" if explicit else "POSECHECK_HOME"
            raise OutputError(f"cannot create the session folder {session_dir} ({exc.strerror or exc})",
                              f"set {where} to a writable folder") from None


@dataclass(frozen=True)
class SavedSession:
    """One saved session folder.

    Attributes:
        path: the folder.
        started: when the session started (from the folder's name; local time).
        name: the pose id, ``auto`` or the routine id.
        size_bytes: the size of the files in it.
        summary: its ``summary.json`` (None when missing or unreadable: a session cut short).
    """

    path: Path
    started: datetime
    name: str
    size_bytes: int
    summary: Summary | None


def _ours(entry: os.DirEntry) -> bool:
    """Whether a folder entry is a file posecheck writes in a session (never a link or a folder)."""
    if entry.is_symlink() or not entry.is_file(follow_symlinks=False):
        return False
    return entry.name in SESSION_FILES or bool(_PARTIAL.match(entry.name))


def _size(path: Path) -> int:
    total = 0
    with os.scandir(path) as it:
        for e in it:
            if e.is_file(follow_symlinks=False):
                total += e.stat(follow_symlinks=False).st_size
    return total


def list_sessions(root: Path) -> list[SavedSession]:
    """The session folders directly in ``root``, oldest first (none when ``root`` does not exist).

    Raises:
        InputError: ``root`` is a file, or cannot be read.
    """
    if not root.exists():
        return []
    if not root.is_dir():
        raise InputError(f"{root} is not a folder", "give --sessions the folder live sessions are saved in")
    out = []
    try:
        entries = list(os.scandir(root))
    except OSError as exc:
        raise InputError(f"cannot read {root} ({exc.strerror or exc})", "check the folder's permissions") from None
    for e in entries:
        m = SESSION_NAME.match(e.name)
        if m is None or e.is_symlink() or not e.is_dir(follow_symlinks=False):
            continue
        try:
            started = datetime.strptime(m["stamp"], _STAMP)
        except ValueError:
            continue
        path = Path(e.path)
        try:
            summary = read_summary(path / "summary.json")
        except (OSError, ValueError):
            summary = None
        out.append(SavedSession(path, started, m["name"], _size(path), summary))
    out.sort(key=lambda s: (s.started, s.path.name))
    return out


@dataclass(frozen=True)
class Pruned:
    """What pruning did (or, in a dry run, would do).

    Attributes:
        sessions: the sessions old enough to go.
        freed_bytes: the size of the files removed (or to be removed).
        kept: entries that are not posecheck's, left in place with the folder holding them.
        dry_run: nothing was removed.
    """

    sessions: list[SavedSession]
    freed_bytes: int
    kept: list[Path]
    dry_run: bool


def prune_sessions(root: Path, older_than: timedelta, *, dry_run: bool, now: datetime | None = None) -> Pruned:
    """Remove the sessions in ``root`` that started more than ``older_than`` ago.

    Only posecheck's own files go (:data:`SESSION_FILES` and partial files), then the
    folder if that leaves it empty; nothing outside ``root`` is ever touched.

    Raises:
        OutputError: a file could not be removed (what was removed before stays removed).
    """
    cutoff = (now or datetime.now()) - older_than
    old = [s for s in list_sessions(root) if s.started < cutoff]
    kept: list[Path] = []
    freed = 0
    real_root = root.resolve()
    for s in old:
        if s.path.resolve().parent != real_root:  # cannot happen without links; never act outside
            continue
        with os.scandir(s.path) as it:
            entries = list(it)
        for e in entries:
            if not _ours(e):
                kept.append(Path(e.path))
                continue
            freed += e.stat(follow_symlinks=False).st_size
            if not dry_run:
                try:
                    os.unlink(e.path)
                except OSError as exc:
                    raise OutputError(f"cannot remove {e.path} ({exc.strerror or exc})",
                                      "check the folder's permissions") from None
        if not dry_run and not any(p.parent == s.path for p in kept):
            try:
                s.path.rmdir()
            except OSError as exc:
                raise OutputError(f"cannot remove {s.path} ({exc.strerror or exc})",
                                  "check the folder's permissions") from None
    return Pruned(old, freed, kept, dry_run)


_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([dwh]?)\s*$")


def parse_age(text: str) -> timedelta:
    """``30d``, ``2w``, ``12h`` or a number of days, as a duration.

    Raises:
        ValueError: anything else (the message says what is accepted).
    """
    m = _AGE.match(text.lower())
    if m is None:
        raise ValueError(f"'{text}' is not an age: give days (30d or 30), weeks (2w) or hours (12h)")
    n = float(m[1])
    return {"": timedelta(days=n), "d": timedelta(days=n), "w": timedelta(weeks=n), "h": timedelta(hours=n)}[m[2]]


__all__ = ["Pruned", "SESSION_FILES", "SESSION_NAME", "SavedSession", "list_sessions", "new_session_dir",
           "parse_age", "prune_sessions"]
