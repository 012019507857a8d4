"""The progress history: appending, querying, trends, concurrent writers, damaged files, the CLI."""

from __future__ import annotations

import csv
import re
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import date, datetime, timedelta, timezone

import pytest

from posecheck.io.history import SCHEMA_VERSION, History, HistoryError, history_path, open_history, trends
from posecheck.session.records import PoseSummary, summary_from_json  # noqa: E402
from posecheck.specs import SpecLibrary

from ..cli_helpers import ROOT, assert_clean_error, posecheck
from ..conftest import sample

T0 = datetime(2024, 3, 1, 18, 0, tzinfo=timezone.utc)


def make_summary(pose: str = "kneeling_lunge", score: float | None = 60.0, good: float = 10.0,
                 knee: float = 100.0, side: str = "left") -> PoseSummary:
    """A summary as ``score`` writes it, with the figures the history keeps."""
    return summary_from_json({
        "pose": pose, "pose_title": pose.replace("_", " ").capitalize(), "input": "clip.mp4", "complete": True,
        "duration_s": 40.0, "score": score, "time_in_pose_s": 30.0, "time_in_good_form_s": good,
        "time_not_judged_s": 1.0, "hold_target_s": 30.0,
        "holds": [{"side": side, "start_s": 1.0, "end_s": 31.0, "duration_s": 30.0, "good_form_s": good,
                   "score": score}],
        "sides": {side: {"holds": 1, "time_in_pose_s": 30.0, "time_in_good_form_s": good}},
        "checks": {
            "front_knee_angle": {"median": knee, "p10": knee - 2, "p90": knee + 2, "pct_ok": 50.0, "pct_near": 0.0,
                                 "pct_off": 50.0, "pct_unknown": 0.0, "most_common_cue": None, "target": "90",
                                 "label": "front knee"},
            "torso_upright": {"median": None, "p10": None, "p90": None, "pct_ok": 0.0, "pct_near": 0.0,
                              "pct_off": 0.0, "pct_unknown": 100.0, "most_common_cue": None, "target": "0",
                              "label": "torso"},
        },
    })


@pytest.fixture
def spec():
    return SpecLibrary().get("kneeling_lunge")


def test_append_and_query(tmp_path, spec):
    path = tmp_path / "h.sqlite"
    with open_history(path) as h:
        h.append(make_summary(score=40, knee=120), mode="score", results_dir=tmp_path / "a", spec=spec, when=T0)
        h.append(make_summary("frog", score=None, side="both"), mode="live", results_dir=tmp_path / "b",
                 when=T0 + timedelta(days=3))
        h.append(make_summary(score=80, knee=95), mode="live", results_dir=tmp_path / "c", spec=spec,
                 when=T0 + timedelta(days=10))
    with open_history(path) as h:
        rows = h.sessions()
        assert [(r.pose, r.score, r.mode) for r in rows] == [
            ("kneeling_lunge", 40, "score"), ("frog", None, "live"), ("kneeling_lunge", 80, "live")]
        first = rows[0]
        assert first.side == "left" and first.day == date(2024, 3, 1) and first.longest_hold_s == 30.0
        assert first.results_dir == str(tmp_path / "a")
        knee = first.checks["front_knee_angle"]
        assert (knee.label, knee.target, knee.median, knee.off_by, knee.pct_ok) == ("front knee", "90", 120, 30, 50)
        assert first.checks["torso_upright"].median is None
        assert rows[1].side == "both" and rows[1].checks["front_knee_angle"].off_by is None  # no spec given
        assert [r.score for r in h.sessions(pose="kneeling_lunge")] == [40, 80]
        assert [r.pose for r in h.sessions(since=date(2024, 3, 4))] == ["frog", "kneeling_lunge"]
        assert h.sessions(pose="frog", since=date(2024, 3, 5)) == []
    with sqlite3.connect(path) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_trends_per_pose(tmp_path, spec):
    with open_history(tmp_path / "h.sqlite") as h:
        for week, (score, good, knee) in enumerate([(40, 5, 125), (60, 12, 110), (80, 20, 96)]):
            h.append(make_summary(score=score, good=good, knee=knee), mode="score", results_dir=tmp_path,
                     spec=spec, when=T0 + timedelta(weeks=week))
        h.append(make_summary("frog", score=50), mode="score", results_dir=tmp_path, when=T0)
        [frog, lunge] = trends(h.sessions())
    assert (frog.pose, frog.sessions, frog.score.change, frog.score.per_week) == ("frog", 1, None, None)
    assert lunge.sessions == 3 and lunge.first == T0 and lunge.last == T0 + timedelta(weeks=2)
    assert (lunge.score.first, lunge.score.last, lunge.score.change) == (40, 80, 40)
    assert lunge.score.per_week == pytest.approx(20.0)
    assert lunge.score.improving is True
    assert lunge.good_form.per_week == pytest.approx(7.5)
    knee = lunge.checks["front_knee_angle"]
    assert knee.change == -29 and knee.improving is None  # a lower angle alone is not better or worse...
    assert lunge.check_off_by["front_knee_angle"].improving is True  # ...closer to the 90° target is
    assert lunge.checks["torso_upright"].points == ()  # never measured: no trend, no made-up zero


def test_two_threads_writing_at_once_both_land(tmp_path):
    path = tmp_path / "h.sqlite"
    start = threading.Barrier(2)
    errors = []

    def writer(k: int) -> None:
        try:
            with History(path) as h:
                start.wait()
                for i in range(40):
                    h.append(make_summary(score=float(k * 100 + i)), mode="score", results_dir=f"t{k}")
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(k,)) for k in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    with open_history(path) as h:
        rows = h.sessions()
    assert len(rows) == 80
    assert sorted(r.score for r in rows) == sorted(float(k * 100 + i) for k in (1, 2) for i in range(40))
    assert all(len(r.checks) == 2 for r in rows)


WRITER = """
import sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
from tests.io.test_history import make_summary
from posecheck.io.history import record_session
go = Path({go!r})
while not go.exists():
    time.sleep(0.001)
for i in range({n}):
    record_session(make_summary(score=float({k} * 1000 + i)), mode="live", results_dir="p{k}", path=Path({db!r}))
"""


def test_two_processes_ending_together_lose_nothing(tmp_path):
    """Two posecheck processes each append sessions to a new database at the same moment."""
    db, go, n = tmp_path / "home" / "history.sqlite", tmp_path / "go", 25
    procs = [subprocess.Popen([sys.executable, "-c", WRITER.format(root=str(ROOT), go=str(go), n=n, k=k, db=str(db))],
                              stderr=subprocess.PIPE, text=True) for k in (1, 2)]
    time.sleep(1.0)  # both are waiting
    go.touch()
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    with open_history(db) as h:
        rows = h.sessions()
    assert len(rows) == 2 * n
    assert {r.results_dir for r in rows} == {"p1", "p2"}


def test_a_corrupt_file_is_reported_and_kept(tmp_path):
    path = tmp_path / "history.sqlite"
    junk = b"this is not a database\n" * 200
    path.write_bytes(junk)
    with pytest.raises(HistoryError) as info:
        with open_history(path):
            pass
    text = info.value.one_line()
    assert str(path) in text and "damaged" in text and "move it away" in text
    assert path.read_bytes() == junk  # never recreated or deleted


def test_damaged_pages_are_found(tmp_path):
    path = tmp_path / "history.sqlite"
    with open_history(path) as h:
        for i in range(200):
            h.append(make_summary(score=float(i)), mode="score", results_dir="x" * 200)
    with sqlite3.connect(path) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.execute("PRAGMA journal_mode = DELETE")
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 6 * page
    data[2 * page:5 * page] = b"\xa5" * (3 * page)  # scribble over table pages, keep the header
    path.write_bytes(bytes(data))
    with pytest.raises(HistoryError, match="damaged"):
        with open_history(path) as h:
            h.sessions()


def test_a_newer_database_is_refused(tmp_path):
    path = tmp_path / "history.sqlite"
    with open_history(path) as h:
        h.append(make_summary(), mode="score", results_dir="x")
    with sqlite3.connect(path) as con:
        con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(HistoryError, match="newer posecheck") as info:
        with open_history(path):
            pass
    assert "upgrade posecheck" in info.value.one_line()
    with sqlite3.connect(path) as con:
        assert con.execute("SELECT count(*) FROM sessions").fetchone()[0] == 1


def test_someone_elses_database_is_refused(tmp_path):
    path = tmp_path / "history.sqlite"
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE notes (x)")
    with pytest.raises(HistoryError, match="not a posecheck history"):
        with open_history(path):
            pass


def test_posecheck_home_moves_the_database(tmp_path, monkeypatch):
    monkeypatch.setenv("POSECHECK_HOME", str(tmp_path / "elsewhere"))
    assert history_path() == tmp_path / "elsewhere" / "history.sqlite"
    monkeypatch.delenv("POSECHECK_HOME")
    assert history_path().name == "history.sqlite" and "elsewhere" not in str(history_path())


# -- the CLI ----------------------------------------------------------------------------------


@pytest.mark.model
def test_score_appends_and_history_lists_trends_and_exports(tmp_path):
    home = tmp_path / "home"
    env = {"POSECHECK_HOME": str(home)}
    with open_history(home / "history.sqlite") as h:  # an older session to compare with
        h.append(make_summary(score=10.0, good=0.0, knee=130.0), mode="live", results_dir="old",
                 spec=SpecLibrary().get("kneeling_lunge"), when=datetime(2024, 1, 5, 9, 0).astimezone())
    run = posecheck("score", str(sample("lunge_side_90_left.mp4")), "--pose", "kneeling_lunge", "--out",
                    str(tmp_path / "out"), "--no-video", "-q", env=env)
    assert run.code == 0, run.err
    run = posecheck("score", str(sample("lunge_side_90_left.mp4")), "--pose", "kneeling_lunge", "--out",
                    str(tmp_path / "out2"), "--no-video", "--no-history", "-q", env=env)
    assert run.code == 0, run.err
    with open_history(home / "history.sqlite") as h:
        rows = h.sessions()
    assert len(rows) == 2  # --no-history added nothing
    assert rows[1].mode == "score" and rows[1].results_dir == str((tmp_path / "out").resolve())
    assert rows[1].score > 90 and rows[1].side == "left"

    run = posecheck("history", "--pose", "Kneeling lunge", env=env)
    assert run.code == 0, run.err
    assert "2 sessions" in run.out and "lunge_side_90_left.mp4" in run.out
    assert "front knee median" in run.out and "better" in run.out

    run = posecheck("history", "--since", "2024-02-01", "--csv", str(tmp_path / "h.csv"),
                    "--report", str(tmp_path / "h.html"), env=env)
    assert run.code == 0, run.err
    assert re.search(r"^1 session\s*$", run.out, re.M)
    with open(tmp_path / "h.csv", newline="") as fh:
        table = list(csv.DictReader(fh))
    assert len(table) == 1 and table[0]["pose"] == "kneeling_lunge" and float(table[0]["score"]) > 90
    assert float(table[0]["front_knee_angle.median"]) == pytest.approx(90, abs=10)
    page = (tmp_path / "h.html").read_text()
    assert page.count("<svg") >= 3 and "Kneeling lunge" in page and "<script" not in page

    assert_clean_error(posecheck("history", "--csv", str(tmp_path / "h.csv"), env=env), 3, "already exists")
    run = posecheck("history", "--pose", "frog", env=env)
    assert run.code == 0 and "no matching sessions" in run.out


@pytest.mark.model
def test_history_cli_with_a_corrupt_database(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    db = home / "history.sqlite"
    db.write_bytes(b"\x00garbage" * 500)
    env = {"POSECHECK_HOME": str(home)}
    assert_clean_error(posecheck("history", env=env), 3, str(db), "damaged", "move it away")
    # A score run still saves its results and says why it was not added.
    run = posecheck("score", str(sample("lunge_side_90_left.mp4")), "--pose", "kneeling_lunge", "--out",
                    str(tmp_path / "out"), "--no-video", "-q", env=env)
    assert run.code == 0, run.err
    assert (tmp_path / "out" / "summary.json").exists()
    assert "Traceback" not in run.err
    assert "warning: not added to the history" in run.err and "damaged" in run.err
    assert db.read_bytes() == b"\x00garbage" * 500


def test_history_with_no_database_yet(tmp_path):
    run = posecheck("history", env={"POSECHECK_HOME": str(tmp_path)})
    assert run.code == 0, run.err
    assert "no sessions in the history yet" in run.out
    assert not (tmp_path / "history.sqlite").exists()
