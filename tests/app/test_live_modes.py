"""``posecheck live --routine NAME`` and ``--pose auto`` end to end: real model, real decoding, real voice.

The clip is the two poses of ``score``'s routine tests, each held 6 s rather than 3:
live plays it in real time, dropping what the model cannot keep up with, and on a
busy two-core machine (measured: 4-7 fps) the frog of the 3-second version is
sometimes found too late to be held 1.5 s before the clip ends.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import wave
from pathlib import Path

import av
import numpy as np
import pytest

from ..cli_helpers import ROOT, assert_clean_error, posecheck
from ..conftest import empty_clip, sample

#: The routine the two-pose clip does, with no rest between (the clip goes straight on).
TWO_POSES = (
    "id: lunge_then_frog\ntitle: Lunge then frog\nsource: ['000']\nrest_s: 0\nsteps:\n"
    "  - {pose: kneeling_lunge, hold: {seconds: 1.5}, sides: left}\n"
    "  - {pose: frog, hold: {seconds: 1.5}}\n")


def _frames(path: Path) -> int:
    with av.open(str(path)) as c:
        return sum(1 for _ in c.decode(video=0))


def _session(root: Path) -> Path:
    sessions = list(root.iterdir())
    assert len(sessions) == 1, sessions
    return sessions[0]


@pytest.mark.model
@pytest.mark.speech
def test_live_routine_guides_through_its_plan(tmp_path, long_two_pose_clip):
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng); .ci/run installs it")
    clip, n = long_two_pose_clip
    mine = tmp_path / "routines"
    mine.mkdir()
    (mine / "two.yaml").write_text(TWO_POSES)
    record, sessions, voice = tmp_path / "shown.mp4", tmp_path / "sessions", tmp_path / "voice"
    run = posecheck("live", "--routine", "lunge_then_frog", "--routines", str(mine), "--source", str(clip),
                    "--headless", "--record", str(record), "--sessions", str(sessions), "--voice-to", str(voice),
                    "--no-history")
    assert run.code == 0, run.err
    session = _session(sessions)
    assert session.name.endswith("-lunge_then_frog")
    s = json.loads((session / "summary.json").read_text())
    assert s["mode"] == "live" and s["ended_by"] == "routine finished" and s["complete"] is True
    r = s["routine"]
    assert (r["id"], r["holds_planned"], r["holds_done"], r["holds_skipped"], r["holds_long_enough"]) == (
        "lunge_then_frog", 2, 2, 0, 2)
    lunge, frog = r["steps"]
    assert (lunge["pose"], lunge["side"], frog["pose"], frog["side"]) == ("kneeling_lunge", "left", "frog", None)
    # In order: the lunge in the clip's first half, then the frog, which only begins at 6 s.
    assert lunge["start_s"] < 1.0 and lunge["end_s"] <= 6.0 < frog["start_s"] < frog["end_s"] <= 12.0
    for st in (lunge, frog):
        assert st["held_long_enough"] and 1.5 <= st["time_in_good_form_s"] <= st["time_in_pose_s"] + 1e-6
        assert st["score"] > 75
    # The session stops when the plan is done; every frame shown was judged and recorded.
    assert 0 < s["frames"] < n
    assert _frames(record) == s["frames"]
    rows = (session / "frames.csv").read_text().splitlines()
    # The last column is the frame's events (a change of person, legs swapped back: issue 18),
    # added on purpose by the honesty branch after this expectation was written.
    assert len(rows) == s["frames"] + 1 and rows[0].endswith(",step,phase,held_s,cue,events")
    # What was said: the announcements, in order, each a real WAV file.
    spoken = [line.split("\t") for line in (voice / "spoken.txt").read_text().splitlines()]
    texts = [text for _, text in spoken]
    assert texts[0] == "Next: Kneeling lunge, left leg forward"
    assert texts[-1] == "That's 1.5 seconds. Well done. Routine complete."
    assert "That's 1.5 seconds. Well done. Next: Frog" in texts
    for name, _ in spoken:
        with wave.open(str(voice / name)) as w:
            seconds = w.getnframes() / w.getframerate()
            samples = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
        assert seconds > 0.5 and np.sqrt(np.mean(samples.astype(float) ** 2)) > 300
    # The printed summary: per hold, its target, the time in good form, done.
    assert "Lunge then frog: 2 of 2 holds done, 2 held long enough in good form, 0 skipped" in run.out
    assert "1.5 s" in run.out and "routine finished" in run.out
    # The report: the plan against what was done, a section per segment, stills from the recording.
    html = (session / "report.html").read_text()
    assert f"report: {session / 'report.html'}" in run.out
    assert "The plan against what was done" in html and "2 of 2 holds done" in html
    assert html.count('<section class="segment"') == len(s["segments"]) > 0
    if os.environ.get("POSECHECK_UPDATE_DOCS"):
        # The README's picture of a routine: the frame a second into the first hold. The recording holds
        # what the window shows (test_live.py compares the two).
        import csv

        import cv2

        with (session / "frames.csv").open() as fh:
            at = next(k for k, row in enumerate(csv.DictReader(fh)) if row["step"] and float(row["held_s"]) >= 1.0)
        with av.open(str(record)) as c:
            shown = next(itertools.islice(c.decode(video=0), at, None)).to_ndarray(format="bgr24")
        cv2.imwrite(str(ROOT / "docs" / "live_routine_screenshot.png"), shown)


@pytest.mark.model
def test_live_routine_on_a_clip_nobody_is_in_reports_every_hold_skipped(tmp_path):
    clip = tmp_path / "empty.mp4"
    empty_clip(clip)
    run = posecheck("live", "--routine", "psoas release", "--source", str(clip), "--headless", "--record",
                    str(tmp_path / "r.mp4"), "--sessions", str(tmp_path / "s"), "--no-history")
    assert run.code == 0, run.err
    s = json.loads((_session(tmp_path / "s") / "summary.json").read_text())
    r = s["routine"]
    assert s["ended_by"] == "source ended"
    assert (r["holds_planned"], r["holds_done"], r["holds_skipped"]) == (21, 0, 21)
    assert not any(st["done"] for st in r["steps"])
    assert "0 of 21 holds done" in run.out


@pytest.mark.model
def test_live_pose_auto_names_each_pose_it_sees(tmp_path, long_two_pose_clip):
    clip, n = long_two_pose_clip
    record = tmp_path / "shown.mp4"
    run = posecheck("live", "--pose", "auto", "--source", str(clip), "--headless", "--record", str(record),
                    "--sessions", str(tmp_path / "s"), "--no-history")
    assert run.code == 0, run.err
    session = _session(tmp_path / "s")
    assert session.name.endswith("-auto")
    s = json.loads((session / "summary.json").read_text())
    assert s["pose"] == "auto" and s["mode"] == "live" and s["ended_by"] == "source ended"
    # Live frames can be dropped, so a moment between the poses (or at the seam where a
    # clip starts again) may be named differently from one run to the next; where the
    # person was in a pose, it is the lunge, then the frog.
    held = [(seg["pose"], seg["side"]) for seg in s["segments"] if seg["time_in_pose_s"] > 0]
    assert [key for key, _ in itertools.groupby(held)] == [("kneeling_lunge", "left"), ("frog", None)]
    lunge = next(seg for seg in s["segments"] if seg["pose"] == "kneeling_lunge")
    frog = next(seg for seg in s["segments"] if seg["pose"] == "frog")
    assert lunge["start_s"] < 0.5 and 6.0 < frog["start_s"] and frog["end_s"] == pytest.approx(12.0, abs=0.1)
    assert lunge["checks"]["front_knee_angle"]["median"] == pytest.approx(90, abs=8)
    assert frog["time_in_good_form_s"] > 1.0
    assert {"kneeling_lunge", "frog"} <= set(s["poses"])
    assert _frames(record) == s["frames"] <= n
    assert "Kneeling lunge" in run.out and "Frog" in run.out
    html = (session / "report.html").read_text()
    assert html.count('<section class="segment"') == len(s["segments"])
    assert "Kneeling lunge, left leg forward" in html and "Frog" in html
    assert "what to work on:" in run.out


def test_unknown_routine_suggests_close_names(tmp_path):
    run = posecheck("live", "--routine", "psoas_relese", "--source", str(sample("frog_backhigh_90.mp4")),
                    "--headless", "--record", str(tmp_path / "r.mp4"))
    assert_clean_error(run, 2, "Unknown routine 'psoas_relese'", "did you mean", "psoas_release?")
    assert not (tmp_path / "r.mp4").exists()


@pytest.mark.parametrize("args,fragment", [
    (["--routine", "psoas_release", "--pose", "frog"], "either --pose or --routine"),
    ([], "give --pose NAME (or --pose auto), or --routine NAME"),
    (["--routine", "psoas_release", "--side", "left"], "--side does not go with --routine"),
])
def test_conflicting_live_options_are_usage_errors(tmp_path, args, fragment):
    run = posecheck("live", *args, "--source", str(sample("frog_backhigh_90.mp4")), "--headless", "--record",
                    str(tmp_path / "r.mp4"))
    assert_clean_error(run, 2, fragment)
