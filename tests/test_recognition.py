"""Pose recognition on the labelled samples: which of the known poses a person is in."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from posecheck.frame import PoseFrame
from posecheck.recognition import PoseRecognizer, fit_pose
from posecheck.specs import SpecLibrary

from . import factories as f
from .conftest import SAMPLES

LIB = SpecLibrary()


def test_stick_figures_are_recognised():
    rec = PoseRecognizer(list(LIB), hold_s=0.0)
    assert rec.update(f.lunge(knee_angle=95)).pose == "kneeling_lunge"
    assert rec.update(f.lunge(knee_angle=95, front="right")).side == "right"
    assert PoseRecognizer(list(LIB), hold_s=0.0).update(f.frog(left_angle=110)).pose == "frog"
    assert PoseRecognizer(list(LIB), hold_s=0.0).update(PoseFrame.empty((640, 480))).pose is None


def test_a_badly_done_pose_is_still_that_pose():
    # A lunge with the knee at 125 degrees is a lunge done badly, not "no pose".
    fit = fit_pose(f.lunge(knee_angle=125), LIB.get("kneeling_lunge"))
    assert fit.fit >= 0.5


def test_label_changes_only_after_it_holds():
    rec = PoseRecognizer(list(LIB), hold_s=0.5)
    labels = [rec.update(f.lunge(knee_angle=92, timestamp=i / 10)).pose for i in range(5)]
    assert labels == ["kneeling_lunge"] * 5
    # One odd frame (nobody there) does not flip the label; half a second of it does.
    assert rec.update(PoseFrame.empty((1280, 720), 0.5)).pose == "kneeling_lunge"
    labels = [rec.update(PoseFrame.empty((1280, 720), 0.6 + i / 10)).pose for i in range(7)]
    assert labels[-1] is None


RECOGNISED = ["lunge_side_90_left", "lunge_side_90_right", "lunge_side_120_left", "lunge_side_drift_right",
              "lunge_side_in_hold_out_left", "low_lunge_side_left", "frog_backhigh_90", "frog_backhigh_90_b",
              "frog_backhigh_120", "camel_side"]


@pytest.mark.model
def test_recognised_on_the_samples(tmp_path):
    """Right in at least 90% of the in-pose frames of these clips (measured: 99-100%).

    Lying-down poses, child's pose and reclined cobbler are not yet told apart
    reliably (docs/accuracy.md); they are not in this list.
    """
    from posecheck.landmarks_io import read_landmarks
    from posecheck.scoring import ScoreOptions, score_file

    right = total = 0
    for name in RECOGNISED:
        truth = json.loads((SAMPLES / f"{name}.truth.json").read_text())
        out = tmp_path / name
        score_file(SAMPLES / f"{name}.mp4", LIB.get(truth["pose"]), out, ScoreOptions(video=False))
        _, frames = read_landmarks(out / "landmarks.jsonl")
        rec = PoseRecognizer(list(LIB))
        got = Counter()
        for (_, frame), t in zip(frames, truth["per_frame"]):
            r = rec.update(frame)
            if t["in_pose"]:
                got[r.pose == truth["pose"]] += 1
                if t.get("front_side") and r.pose == truth["pose"] and r.side:
                    assert r.side == t["front_side"], (name, r.t)
        right += got[True]
        total += got[True] + got[False]
        assert got[True] / (got[True] + got[False]) >= 0.8, (name, got)
    assert right / total >= 0.90, right / total


@pytest.fixture(scope="module")
def two_pose_clip(tmp_path_factory):
    """Two sample clips back to back: a kneeling lunge (left leg forward), then a frog."""
    import av

    clip = tmp_path_factory.mktemp("routine") / "two poses.mp4"
    frames = []
    for name in ("lunge_side_90_left", "frog_backhigh_90"):
        with av.open(str(SAMPLES / f"{name}.mp4")) as c:
            frames += [fr.to_ndarray(format="bgr24") for fr in c.decode(video=0)]
    with av.open(str(clip), "w") as c:
        s = c.add_stream("libx264", rate=24)
        s.width, s.height, s.pix_fmt = 960, 540, "yuv420p"
        for fr in frames:
            for p in s.encode(av.VideoFrame.from_ndarray(fr, format="bgr24")):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    return clip, len(frames)


@pytest.mark.model
def test_score_pose_auto_splits_a_routine_into_segments(tmp_path, two_pose_clip):
    from .cli_helpers import posecheck

    clip, n = two_pose_clip
    out = tmp_path / "out"
    run = posecheck("score", str(clip), "--pose", "auto", "--out", str(out), "--no-video")
    assert run.code == 0, run.err
    s = json.loads((out / "summary.json").read_text())
    assert s["pose"] == "auto" and s["frames"] == n
    assert [(seg["pose"], seg["side"]) for seg in s["segments"]] == [("kneeling_lunge", "left"), ("frog", None)]
    lunge, frog = s["segments"]
    assert lunge["start_s"] < 0.5 and 2.0 < lunge["end_s"] <= 3.1
    assert 3.0 <= frog["start_s"] < 4.0 and frog["end_s"] == pytest.approx(6.0, abs=0.05)
    assert lunge["checks"]["front_knee_angle"]["median"] == pytest.approx(90, abs=8)
    assert frog["checks"]["left_shin_thigh_angle"]["median"] == pytest.approx(90, abs=12)
    assert set(s["poses"]) == {"kneeling_lunge", "frog"}
    assert "Kneeling lunge" in run.out and "Frog" in run.out


@pytest.mark.model
def test_score_routine_against_its_plan(tmp_path, two_pose_clip):
    from .cli_helpers import posecheck

    clip, _ = two_pose_clip
    mine = tmp_path / "routines"
    mine.mkdir()
    (mine / "two.yaml").write_text(
        "id: lunge_then_frog\ntitle: Lunge then frog\nsource: ['000']\nsteps:\n"
        "  - {pose: kneeling_lunge, hold: {seconds: 1.5}, sides: left}\n"
        "  - {pose: frog, hold: {seconds: 1.5}}\n")
    run = posecheck("score", str(clip), "--routine", "lunge_then_frog", "--routines", str(mine),
                    "--out", str(tmp_path / "a"), "--no-video", "--no-history")
    assert run.code == 0, run.err
    r = json.loads((tmp_path / "a" / "summary.json").read_text())["routine"]
    assert (r["holds_planned"], r["holds_done"], r["holds_skipped"], r["holds_long_enough"]) == (2, 2, 0, 2)
    # The bundled psoas release: the lunge (left, first round) and the frog were done,
    # everything else skipped, and nothing held its 30 s / 5-breath target.
    run = posecheck("score", str(clip), "--routine", "psoas_release", "--out", str(tmp_path / "b"),
                    "--no-video", "--no-history")
    assert run.code == 0, run.err
    r = json.loads((tmp_path / "b" / "summary.json").read_text())["routine"]
    done = [(st["pose"], st["side"], st["repetition"]) for st in r["steps"] if st["done"]]
    assert done == [("kneeling_lunge", "left", 1), ("frog", None, 1)]
    assert r["holds_planned"] == 21 and r["holds_skipped"] == 19 and r["holds_long_enough"] == 0
    assert "2 of 21 holds done" in run.out


def test_routine_and_pose_together_is_a_usage_error(tmp_path):
    from .cli_helpers import assert_clean_error, posecheck

    run = posecheck("score", str(SAMPLES / "frog_backhigh_90.mp4"), "--pose", "frog", "--routine", "psoas_release",
                    "--out", str(tmp_path / "o"))
    assert_clean_error(run, 2, "either --pose or --routine")
