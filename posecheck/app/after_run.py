"""What follows a saved run, the same for ``score`` and ``live``: the report and the history entry.

The results are saved by the time these run, so a report or history that cannot be
written is a warning that says why, never a failed run and never a lost session.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
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


def add_to_history(summary: Summary, mode: str, results_dir: Path, specs: list,  # noqa: ANN001
                   on_warning: Callable[[str], None] = _warn) -> int:
    """Add a run to the history: a one-pose run as one session, a ``--pose auto`` run as one per segment.

    Returns:
        How many sessions were added (0 when the history could not be written: a warning, given
        to ``on_warning``, says why).
    """
    from posecheck.io.history import record_session

    by_id = {s.id: s for s in specs}
    entries: list[PoseSummary] = ([segment_as_summary(seg, summary) for seg in summary.segments]
                                  if isinstance(summary, AutoSummary) else [summary])
    added = 0
    for entry in entries:
        try:
            record_session(entry, mode=mode, results_dir=Path(results_dir).resolve(), spec=by_id.get(entry.pose))
        except PosecheckError as exc:
            on_warning(f"not added to the history: {exc.one_line()}")
            break
        added += 1
    return added


__all__ = ["add_to_history", "write_report"]
