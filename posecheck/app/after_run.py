"""What follows a saved run, the same for ``score`` and ``live``: the report and the history entry.

The results are saved by the time these run, so a report or history that cannot be
written is a warning that says why, never a failed run and never a lost session.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from posecheck.errors import PosecheckError
from posecheck.session.records import AutoSummary, PoseSummary, Summary, segment_as_summary


def _warn(message: str) -> None:
    warnings.warn(message, stacklevel=3)


def write_report(results_dir: Path, summary: Summary, specs=None, video: Path | None = None,  # noqa: ANN001
                 on_warning: Callable[[str], None] = _warn) -> Path | None:
    """Write ``report.html`` beside ``summary.json``, for any run (one pose, ``--pose auto``, a routine).

    Args:
        results_dir: the run's folder.
        summary: its summary (already saved there).
        specs: the run's specs (its poses are looked up there first).
        video: a live session's recording (its pictures are the rows of ``frames.csv``).
        on_warning: gets the one-line warning (default: :func:`warnings.warn`; a server
            passes its own, since catching warnings is not safe beside other threads).

    Returns:
        The report's path, or None (with a warning saying why) if it could not be written.
    """
    from posecheck.render.report import write_session_report

    try:
        return write_session_report(results_dir, specs=specs, video=video, force=True)
    except PosecheckError as exc:
        on_warning(f"no report.html: {exc.one_line()}")
        return None


#: The history's note of having said where it is kept (said once per data folder).
TOLD_KEY = "told where the history is"


@dataclass(frozen=True)
class HistoryAdded:
    """What adding a run to the history did.

    Attributes:
        added: how many sessions were added (0 when the history could not be written: a warning says why).
        path: the history database.
        first: this is the first time a run was added in this data folder (and ``announce`` was on):
            the front end says, once, where the history is and how to leave runs out.
    """

    added: int
    path: Path
    first: bool = False


def add_to_history(summary: Summary, mode: str, results_dir: Path, specs: list,  # noqa: ANN001
                   announce: bool = True, on_warning: Callable[[str], None] = _warn) -> HistoryAdded:
    """Add a run to the history: a one-pose run as one session, a ``--pose auto`` run as one per segment.

    Args:
        summary: the run's summary.
        mode: ``score`` or ``live``.
        results_dir: the folder of the run's files.
        specs: the specs the run was judged with (their versions are recorded).
        announce: the front end will tell the user; a quiet run leaves the telling to a later one.
        on_warning: gets the one-line warning when the history cannot be written.
    """
    from posecheck.io.history import history_path, open_history

    by_id = {s.id: s for s in specs}
    entries: list[PoseSummary] = ([segment_as_summary(seg, summary) for seg in summary.segments]
                                  if isinstance(summary, AutoSummary) else [summary])
    path = history_path()
    added, first = 0, False
    try:
        with open_history(path) as h:
            for entry in entries:
                h.append(entry, mode=mode, results_dir=Path(results_dir).resolve(), spec=by_id.get(entry.pose))
                added += 1
            first = announce and added > 0 and h.first_time(TOLD_KEY)
    except PosecheckError as exc:
        on_warning(f"not added to the history: {exc.one_line()}")
    return HistoryAdded(added, path, first)


__all__ = ["HistoryAdded", "TOLD_KEY", "add_to_history", "write_report"]
