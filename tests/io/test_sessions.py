"""Saved live sessions: listing them, and pruning old ones without touching anything else."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from posecheck.io.sessions import list_sessions, new_session_dir, parse_age, prune_sessions

from ..cli_helpers import assert_clean_error, posecheck

NOW = datetime(2026, 12, 1, 12, 0, 0)


def _session(root: Path, stamp: str, name: str = "kneeling_lunge", summary: dict | None = None) -> Path:
    folder = root / f"{stamp}-{name}"
    folder.mkdir(parents=True)
    (folder / "summary.json").write_text(json.dumps(summary or {"pose": name, "score": 70.0, "duration_s": 60.0}))
    (folder / "frames.csv").write_text("frame,t\n0,0.0\n")
    (folder / "landmarks.jsonl.gz").write_bytes(b"\x1f\x8b" + b"\x00" * 998)
    return folder


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "sessions"
    _session(root, "20261001-080000")                      # two months old
    _session(root, "20261001-080000", "kneeling_lunge-2")  # the same second: "-2"
    _session(root, "20261125-080000", "auto")              # six days old
    _session(root, "20261201-110000", "psoas_release")     # an hour old
    return root


def test_sessions_are_listed_oldest_first_with_their_figures(root):
    found = list_sessions(root)
    assert [s.path.name for s in found] == ["20261001-080000-kneeling_lunge", "20261001-080000-kneeling_lunge-2",
                                           "20261125-080000-auto", "20261201-110000-psoas_release"]
    assert found[0].name == "kneeling_lunge" and found[1].name == "kneeling_lunge" and found[2].name == "auto"
    assert found[0].started == datetime(2026, 10, 1, 8, 0, 0)
    assert found[0].summary.score == 70.0 and found[0].size_bytes == 1000 + len("frame,t\n0,0.0\n") + len(
        json.dumps({"pose": "kneeling_lunge", "score": 70.0, "duration_s": 60.0}))


def test_a_dry_run_removes_nothing(root):
    before = sorted(p for p in root.rglob("*"))
    done = prune_sessions(root, timedelta(days=30), dry_run=True, now=NOW)
    assert [s.path.name for s in done.sessions] == ["20261001-080000-kneeling_lunge",
                                                    "20261001-080000-kneeling_lunge-2"]
    assert done.dry_run and done.freed_bytes > 2000
    assert sorted(p for p in root.rglob("*")) == before


def test_prune_removes_only_old_sessions_and_only_posecheck_files(root, tmp_path):
    outside = tmp_path / "precious"
    outside.mkdir()
    (outside / "summary.json").write_text("{}")  # looks like ours, but is not in the sessions folder
    old = root / "20261001-080000-kneeling_lunge"
    (old / "my notes.txt").write_text("keep me")  # the user's own file in a session folder
    (old / "link").symlink_to(outside)  # a link out of the folder: never followed
    (old / ".frames.csv.123-abcdef.partial").write_text("half")  # a file being written when a run was killed
    linked = root / "20261002-080000-frog"
    linked.symlink_to(outside)  # a session-like name that is a link: never touched
    (root / "notes").mkdir()  # a folder not named like a session
    (root / "notes" / "summary.json").write_text("{}")

    done = prune_sessions(root, timedelta(days=30), dry_run=False, now=NOW)
    assert {s.path.name for s in done.sessions} == {"20261001-080000-kneeling_lunge",
                                                   "20261001-080000-kneeling_lunge-2"}
    assert not (root / "20261001-080000-kneeling_lunge-2").exists()
    # The folder that holds the user's file stays, with that file and the link; posecheck's files are gone.
    assert sorted(p.name for p in old.iterdir()) == ["link", "my notes.txt"]
    assert set(done.kept) == {old / "my notes.txt", old / "link"}
    assert (outside / "summary.json").read_text() == "{}" and linked.is_symlink()
    assert (root / "notes" / "summary.json").exists()
    assert (root / "20261125-080000-auto").is_dir() and (root / "20261201-110000-psoas_release").is_dir()


def test_ages(root):
    assert parse_age("30d") == parse_age("30") == timedelta(days=30)
    assert parse_age("2w") == timedelta(weeks=2) and parse_age("12h") == timedelta(hours=12)
    with pytest.raises(ValueError, match="not an age"):
        parse_age("soon")
    assert len(prune_sessions(root, parse_age("12h"), dry_run=True, now=NOW).sessions) == 3


def test_new_session_folders_never_collide(tmp_path):
    a = new_session_dir(tmp_path, "frog", explicit=True)
    b = new_session_dir(tmp_path, "frog", explicit=True)
    assert a != b and a.is_dir() and b.is_dir()
    assert [s.path for s in list_sessions(tmp_path)] == sorted([a, b], key=lambda p: (p.name.split("-frog")[0], p.name))


def test_the_cli_lists_and_prunes(root, tmp_path):
    env = {"COLUMNS": "80"}
    run = posecheck("sessions", "list", "--sessions", str(root), env=env)
    assert run.code == 0, run.err
    assert "4 sessions" in run.out and str(root) in run.out.splitlines()
    assert "20261001-080000-kneeling_lunge-2" in run.out and "60.0 s" in run.out and "70" in run.out
    data = json.loads(posecheck("sessions", "list", "--sessions", str(root), "--json").out)
    assert [s["name"] for s in data["sessions"]] == ["kneeling_lunge", "kneeling_lunge", "auto", "psoas_release"]
    # Every session folder here is from 2026; "older than 1 hour" of today takes them all, dry run first.
    run = posecheck("sessions", "prune", "--older-than", "1h", "--dry-run", "--sessions", str(root), env=env)
    assert run.code == 0 and "would remove 4 sessions" in run.out and len(list_sessions(root)) == 4
    run = posecheck("sessions", "prune", "--older-than", "1h", "--sessions", str(root), env=env)
    assert run.code == 0 and "removed 4 sessions" in run.out and list_sessions(root) == []
    assert root.is_dir()  # the sessions folder itself stays
    assert_clean_error(posecheck("sessions", "prune", "--older-than", "soon", "--sessions", str(root)), 2,
                       "not an age")
    run = posecheck("sessions", "list", env={"POSECHECK_HOME": str(tmp_path / "empty")})
    assert run.code == 0 and "no saved sessions in" in run.out
    assert not os.path.exists(tmp_path / "empty")  # listing creates nothing
