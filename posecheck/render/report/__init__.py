"""Session reports (``report.html``) and the history page: plots, stills and the video in one file.

Needs jinja2 and matplotlib (dependencies of posecheck).
"""

from __future__ import annotations

from posecheck.render.report.render import (
    VIDEO_EMBED_LIMIT,
    build_history_report,
    build_session_report,
    file_size,
    worst_moments,
    write_history_report,
    write_session_report,
)

__all__ = [
    "VIDEO_EMBED_LIMIT",
    "build_history_report",
    "build_session_report",
    "file_size",
    "worst_moments",
    "write_history_report",
    "write_session_report",
]
