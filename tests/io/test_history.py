"""The progress history: appending, querying, trends, concurrent writers, damaged files, the CLI."""

from __future__ import annotations

import csv
import json
import re
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest
import yaml

from posecheck.io.history import (
    SCHEMA_VERSION,
    History,
    HistoryError,
    balance,
    history_path,
    open_history,
    trends,
)
from posecheck.session.records import PoseSummary, summary_from_json, summary_to_json  # noqa: E402
from posecheck.specs import SpecLibrary, bundled_specs_dir

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
    assert "front knee median (target 90°)" in run.out and "better" in run.out

    run = posecheck("history", "--since", "2024-02-01", "--csv", str(tmp_path / "h.csv"),
                    "--report", str(tmp_path / "h.html"), env=env)
    assert run.code == 0, run.err
    assert re.search(r"^1 session of 1 pose\s*$", run.out, re.M)
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


# -- schema 2: spec versions, runs not judged, left against right, said once -------------------


SCHEMA_1_ROW = ("2024-01-05T09:00:00+00:00", "2024-01-05", "kneeling_lunge", "Kneeling lunge", "left", "score",
                "old.mp4", "/r", 1, 40.0, 55.0, 30.0, 12.0, 1.0, 30.0, 25.0)


def _schema_1_file(path) -> None:  # noqa: ANN001
    """A history as posecheck wrote it before schema 2, with one session."""
    from posecheck.io import history

    with sqlite3.connect(path) as con:
        for statement in history._SCHEMA.split(";"):
            if statement.strip():
                con.execute(statement)
        con.execute("INSERT INTO sessions (started_at, day, pose, pose_title, side, mode, input, results_dir, "
                    "complete, duration_s, score, time_in_pose_s, time_in_good_form_s, time_not_judged_s, "
                    "hold_target_s, longest_hold_s) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    SCHEMA_1_ROW)
        con.execute("INSERT INTO session_checks VALUES (1, 'front_knee_angle', 'front knee', '90', 100.0, 10.0, 50.0)")
        con.execute("PRAGMA user_version = 1")


def test_a_schema_1_file_is_migrated_keeping_every_session(tmp_path):
    path = tmp_path / "history.sqlite"
    _schema_1_file(path)
    with open_history(path) as h:
        [old] = h.sessions()
        h.append(make_summary(score=70), mode="score", results_dir="/new", spec=SpecLibrary().get("kneeling_lunge"))
        rows = h.sessions()
    assert SCHEMA_VERSION == 2
    assert (old.pose, old.score, old.input, old.spec_hash, old.sides) == ("kneeling_lunge", 55.0, "old.mp4", None, {})
    assert old.checks["front_knee_angle"].median == 100.0 and old.checks["front_knee_angle"].weight is None
    # A one-sided session of schema 1 still has its side's figures, from the session's own.
    assert old.side_figures()["left"].checks["front_knee_angle"].median == 100.0
    assert len(rows) == 2 and rows[1].spec_hash == SpecLibrary().get("kneeling_lunge").content_hash
    with sqlite3.connect(path) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == 2
        assert con.execute("PRAGMA quick_check").fetchone()[0] == "ok"


def test_a_spec_of_the_same_id_with_other_targets_is_a_trend_of_its_own(tmp_path, spec):
    stricter = spec.model_copy(update={"checks": [
        {**c.model_dump(), "target": {**c.target.model_dump(), "ok": 5.0}} if c.id == "front_knee_angle"
        else c.model_dump() for c in spec.checks]})
    reworded = spec.model_copy(update={"title": "Half kneeling lunge", "checks": [
        {**c.model_dump(), "cues": {"below": "Slide the foot forward.", "above": "Bend deeper."}}
        if c.id == "front_knee_angle" else c.model_dump() for c in spec.checks]})
    assert stricter.content_hash != spec.content_hash
    assert reworded.content_hash == spec.content_hash  # wording alone is not another version
    with open_history(tmp_path / "h.sqlite") as h:
        for day, (s, sc) in enumerate([(spec, 40), (stricter, 20), (reworded, 60), (stricter, 30)]):
            h.append(make_summary(score=sc), mode="score", results_dir="/r", spec=s, when=T0 + timedelta(days=day))
        rows = h.sessions()
    by_version = {t.spec_hash: t for t in trends(rows)}
    assert set(by_version) == {spec.content_hash, stricter.content_hash}
    bundled, mine = by_version[spec.content_hash], by_version[stricter.content_hash]
    assert [p[1] for p in bundled.score.points] == [40, 60] and bundled.versions == 2
    assert [p[1] for p in mine.score.points] == [20, 30]  # not "+20 better" across versions


def test_runs_never_in_the_pose_stay_out_of_the_trends(tmp_path, spec):
    never = make_summary(score=None, good=0.0, knee=150.0)
    never = replace(never, time_in_pose_s=0.0)
    with open_history(tmp_path / "h.sqlite") as h:
        h.append(make_summary(score=40, good=5, knee=120), mode="score", results_dir="/a", spec=spec, when=T0)
        h.append(never, mode="score", results_dir="/b", spec=spec, when=T0 + timedelta(days=1))
        h.append(make_summary(score=60, good=9, knee=100), mode="score", results_dir="/c", spec=spec,
                 when=T0 + timedelta(days=2))
        rows = h.sessions()
    # A run recorded before scores were withheld: a 0 with no time in the pose is not judged either.
    legacy = replace(rows[1], score=0.0)
    for sessions in (rows, [rows[0], legacy, rows[2]]):
        [t] = trends(sessions)
        assert t.sessions == 2 and t.not_judged == 1
        assert [p[1] for p in t.score.points] == [40, 60]
        assert [p[1] for p in t.good_form.points] == [5, 9]
        assert [p[1] for p in t.checks["front_knee_angle"].points] == [120, 100]
    assert not rows[1].judged and not legacy.judged and rows[0].judged


def test_left_against_right_by_day(tmp_path, spec):
    with open_history(tmp_path / "h.sqlite") as h:
        for day, left, right in [(0, (6, 120), (10, 104)), (7, (9, 110), (11, 102)), (14, (12, 98), (12, 96))]:
            for side, (good, knee) in (("left", left), ("right", right)):
                h.append(make_summary(good=good, knee=knee, side=side), mode="live", results_dir="/r", spec=spec,
                         when=T0 + timedelta(days=day, hours=1 if side == "right" else 0))
        # A run on both sides at once records each side's figures: it is a day of its own.
        both = make_summary(side="left")
        lk = {"median": 91.0, "pct_ok": 100.0, "target": "90", "label": "front knee"}
        rk = {"median": 95.0, "pct_ok": 90.0, "target": "90", "label": "front knee"}
        both = summary_from_json({**summary_to_json(both), "sides": {
            "left": {"holds": 1, "time_in_pose_s": 15.0, "time_in_good_form_s": 14.0,
                     "checks": {"front_knee_angle": lk}},
            "right": {"holds": 1, "time_in_pose_s": 15.0, "time_in_good_form_s": 13.0,
                      "checks": {"front_knee_angle": rk}}}})
        h.append(both, mode="score", results_dir="/r", spec=spec, when=T0 + timedelta(days=21))
        [b] = balance(h.sessions())
    good, knee = b.figures  # time in good form, then the key checks (weight 3: front knee, knee over ankle)
    assert (good.name, knee.check_id, knee.unit) == ("good form", "front_knee_angle", "deg")
    assert [(d.left, d.right) for d in knee.days] == [(120, 104), (110, 102), (98, 96), (91, 95)]
    assert [d.difference for d in good.days] == [-4, -2, 0, 1]
    assert knee.gap.first == 16 and knee.gap.last == 4 and knee.gap.improving is True


def test_first_time_is_said_once_per_file(tmp_path):
    with open_history(tmp_path / "h.sqlite") as h:
        assert h.first_time("x") is True
        assert h.first_time("x") is False
    with open_history(tmp_path / "h.sqlite") as h:
        assert h.first_time("x") is False and h.first_time("y") is True


def test_history_of_an_unknown_pose_is_an_error(tmp_path):
    home = {"POSECHECK_HOME": str(tmp_path)}
    assert_clean_error(posecheck("history", "--pose", "nosuch", env=home), 2, "Unknown pose 'nosuch'")
    with open_history(tmp_path / "history.sqlite") as h:  # a pose whose spec was removed keeps its history
        h.append(make_summary("gone_pose", score=50), mode="score", results_dir="/r", when=T0)
    run = posecheck("history", "--pose", "gone_pose", env=home)
    assert run.code == 0 and "gone_pose" in run.out and "1 session" in run.out
    assert_clean_error(posecheck("history", "--pose", "kneling_lunge", env=home), 2, "did you mean kneeling_lunge")


def test_history_cli_names_spec_versions_and_sides(tmp_path, spec):
    own = tmp_path / "specs"
    own.mkdir()
    data = yaml.safe_load((bundled_specs_dir() / "kneeling_lunge.yaml").read_text())
    data["checks"][0]["target"]["ok"] = 5
    (own / "kneeling_lunge.yaml").write_text(yaml.safe_dump(data))
    mine = SpecLibrary(extra=[own]).get("kneeling_lunge")
    with open_history(tmp_path / "history.sqlite") as h:
        for day, s in enumerate([spec, spec, mine, mine]):
            for side in ("left", "right"):
                h.append(make_summary(score=50 + day, side=side), mode="score", results_dir="/r", spec=s,
                         when=T0 + timedelta(days=day, hours=side == "right"))
    run = posecheck("history", "--specs", str(own), env={"POSECHECK_HOME": str(tmp_path), "COLUMNS": "100"})
    assert run.code == 0, run.err
    text = " ".join(run.out.split())
    assert f"spec version {mine.content_hash}, the one in use now ({own / 'kneeling_lunge.yaml'})" in text
    assert f"spec version {spec.content_hash}, another version than the one in use now" in text
    assert text.count("left against right (days with both sides done)") == 2
    data = json.loads(posecheck("history", "--json", env={"POSECHECK_HOME": str(tmp_path)}).out)
    assert {t["spec_hash"] for t in data["trends"]} == {spec.content_hash, mine.content_hash}
    assert data["sessions"][0]["spec_hash"] == spec.content_hash and data["sessions"][0]["judged"] is True
    assert len(data["left_right"]) == 2 and data["left_right"][0]["figures"][0]["days"][0]["left"] == 10.0


@pytest.mark.model
def test_the_first_run_says_once_where_the_history_is(tmp_path):
    home = tmp_path / "home"
    env = {"POSECHECK_HOME": str(home)}
    clip = str(sample("lunge_side_90_left.mp4"))
    quiet = posecheck("score", clip, "--pose", "kneeling_lunge", "--out", str(tmp_path / "q"), "--no-video", "-q",
                      env=env)
    assert quiet.code == 0 and quiet.out == ""  # --quiet says nothing, and leaves the telling to a later run
    first = posecheck("score", clip, "--pose", "kneeling_lunge", "--out", str(tmp_path / "a"), "--no-video", env=env)
    assert first.code == 0, first.err
    assert f"history    {home / 'history.sqlite'}" in first.out
    assert "--no-history" in first.out and "POSECHECK_HOME" in first.out
    again = posecheck("score", clip, "--pose", "kneeling_lunge", "--out", str(tmp_path / "b"), "--no-video", env=env)
    assert again.code == 0 and "history    " not in again.out and "--no-history" not in again.out
    with open_history(home / "history.sqlite") as h:
        assert len(h.sessions()) == 3
