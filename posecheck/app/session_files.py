"""A live session's folder and files, the same for every front end that practises live.

``posecheck live`` (a camera or a file in a window) and ``posecheck serve`` (a camera in
a browser page) both save a session as: a new folder under the sessions root, the model's
landmarks (``landmarks.jsonl.gz``) and the session's frames (``frames.csv``) written as the
frames come, optionally a recording, and at the end ``summary.json``. The report and the
history entry follow (:mod:`posecheck.app.after_run`).
"""

from __future__ import annotations

from pathlib import Path

from posecheck.io.sessions import new_session_dir
from posecheck.session.records import SessionFrame, Summary, summary_to_json
from posecheck.session.session import Session


class SessionFiles:
    """The session's files, written as the frames come: landmarks, frames.csv, the recording.

    Args:
        session_dir: the session's folder (from :func:`new_session_dir`).
        session: the session whose frames are written (its layout decides the columns).
        header: the ``landmarks.jsonl`` header.
        record: a video to record into (None: no recording).
        fps: the recording's frame rate.
        size: the recording's ``(width, height)``.
        timed: the recording's frames are written with their times (frames that come at an
            uneven pace; see :class:`~posecheck.io.media.VideoWriter`).
    """

    def __init__(self, session_dir: Path, session: Session, header, record: Path | None,  # noqa: ANN001
                 fps: float, size: tuple[int, int], timed: bool = False) -> None:
        from posecheck.io import frames_file
        from posecheck.io.atomic import AtomicCsv
        from posecheck.io.landmarks_file import LandmarksWriter

        self.layout = session.layout
        spec = session.judge.spec if self.layout == "pose" else None
        # Compressed: a live session runs for minutes; replays read it as they read landmarks.jsonl.
        self.landmarks = LandmarksWriter(session_dir / "landmarks.jsonl.gz", header)
        self.table = AtomicCsv(session_dir / "frames.csv", frames_file.header(self.layout, spec))
        self.recording = None
        if record is not None:
            from posecheck.io.media import VideoWriter

            self.recording = VideoWriter(record, fps, size, timed=timed)

    def frame(self, f: SessionFrame) -> None:
        """Write one of the session's frames to ``frames.csv``."""
        from posecheck.io import frames_file

        self.table.write(frames_file.row(self.layout, f))

    def close(self) -> None:
        """Finish every file (the recording first: it is the one that can fail on a full disk)."""
        try:
            if self.recording is not None:
                self.recording.close(complete=True)
            self.landmarks.close()
            self.table.close()
        except BaseException:
            # e.g. a full disk while finishing the recording: leave no hidden partial files.
            self.abort()
            raise

    def abort(self) -> None:
        """Leave no partial file behind (the run failed before its end)."""
        self.landmarks.abort()
        self.table.abort()
        if self.recording is not None:
            self.recording.abort()


def save_summary(session: Session, session_dir: Path, input_name: str, estimator: str, *, complete: bool,
                 ended_by: str, captured: int | None, dropped: int | None,
                 region: str | None = None) -> Summary:
    """Write the session's ``summary.json`` (a live session's run fields) and return the summary."""
    from posecheck.io.atomic import write_json_atomic
    from posecheck.version import __version__

    summary = session.summary(input_name, complete, {
        "estimator": estimator, "posecheck_version": __version__, "mode": "live",
        "stride": session.stride if session.stride > 1 else None,
        "ended_by": ended_by, "frames_captured": captured, "frames_dropped": dropped, "region": region})
    # A live session has no --out: its folder is under the sessions folder.
    write_json_atomic(session_dir / "summary.json", summary_to_json(summary),
                      hint="free some space or choose a writable --sessions folder")
    return summary


__all__ = ["SessionFiles", "new_session_dir", "save_summary"]  # new_session_dir: from posecheck.io.sessions
