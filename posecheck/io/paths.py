"""Where posecheck keeps the user's data: ``$POSECHECK_HOME``, or the platform's user data folder."""

from __future__ import annotations

import os
from pathlib import Path


def data_home() -> Path:
    """``$POSECHECK_HOME`` if set, else the user data folder (e.g. ``~/.local/share/posecheck``)."""
    home = os.environ.get("POSECHECK_HOME")
    if home:
        return Path(home)
    import platformdirs

    return Path(platformdirs.user_data_dir("posecheck", appauthor=False))


def sessions_root(explicit: Path | None = None) -> Path:
    """Where live sessions are saved: ``--sessions``, or ``sessions`` in the data folder."""
    return explicit if explicit is not None else data_home() / "sessions"


def history_path() -> Path:
    """The history database: ``history.sqlite`` in the data folder."""
    return data_home() / "history.sqlite"


__all__ = ["data_home", "history_path", "sessions_root"]
