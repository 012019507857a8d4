"""Small things a person reads: counts, the camera message, help texts, where a model file comes from."""

from __future__ import annotations

import os

import pytest

from posecheck.estimators.bundled import MODEL_PAGE
from posecheck.session.records import AutoSummary, Segment

from ..cli_helpers import ROOT, posecheck


def test_one_segment_is_not_segments(capsys, monkeypatch):
    from posecheck.cli.score_cmd import print_auto_summary

    monkeypatch.setenv("COLUMNS", "80")
    one = Segment(pose="frog", pose_title="Frog", start_s=0.0, end_s=5.0, time_in_pose_s=4.0,
                  time_in_good_form_s=3.0, score=80.0)
    print_auto_summary(AutoSummary(input="x.mp4", segments=[one], score=80.0, time_in_pose_s=4.0,
                                   time_in_good_form_s=3.0, duration_s=6.0), {})
    out = capsys.readouterr().out
    assert "x.mp4: 1 segment · score 80/100" in out and "segment(s)" not in out
    print_auto_summary(AutoSummary(input="x.mp4", segments=[one, one], score=80.0, duration_s=6.0), {})
    assert "x.mp4: 2 segments" in capsys.readouterr().out
    print_auto_summary(AutoSummary(input="x.mp4", segments=[], score=None, duration_s=6.0), {})
    assert "x.mp4: 0 segments · not judged: never in the pose" in capsys.readouterr().out


@pytest.mark.skipif(not os.path.exists("/dev"), reason="needs a /dev to find no camera in")
def test_no_camera_is_one_sentence_with_what_to_do():
    from posecheck.errors import CameraError
    from posecheck.io.camera import CameraSource, working_cameras

    if working_cameras():
        pytest.skip("this machine has a camera")
    with pytest.raises(CameraError) as caught:
        CameraSource(7)
    line = caught.value.one_line()
    assert line == ("no camera at index 7, and no other camera answers on this machine: connect one, or practise "
                    "with a video file: --source FILE.")
    assert ": or" not in line  # was "no camera answers on this machine: or practise…"


def test_every_live_option_is_described():
    run = posecheck("live", "--help", env={"COLUMNS": "200"})
    assert run.code == 0
    side = next(line for line in run.out.splitlines() if line.strip().startswith("--side"))
    assert "Which leg is forward" in side
    options = [line.strip() for line in run.out.splitlines() if line.strip().startswith("--")]
    assert all(len(o.split("  ", 1)) == 2 and o.split("  ", 1)[1].strip() for o in options), options


def test_where_a_model_file_comes_from_is_said(tmp_path):
    readme = (ROOT / "README.md").read_text()
    assert "pose_landmarker_heavy.task" in readme and MODEL_PAGE.split("#")[0] in readme
    run = posecheck("score", "--help", env={"COLUMNS": "200"})
    assert "download it once from the MediaPipe pose landmarker page" in " ".join(run.out.split())
    run = posecheck("score", str(ROOT / "samples" / "lunge_side_90_left.mp4"), "--pose", "frog", "--out", str(tmp_path / "x"),
                    "--model", "pose_landmarker_heavy.task")
    assert run.code != 0 and MODEL_PAGE in run.err


def test_sources_are_named_where_they_are_cited():
    run = posecheck("routines", "show", "psoas_asanas", env={"COLUMNS": "120"})
    assert "source 001: “How To Release Your Psoas and Iliacus: The Key to Emotional Well-Being” by Adry" in run.out


def test_validation_counts_are_words_not_s_in_brackets(tmp_path):
    (tmp_path / "r.yaml").write_text("id: r\ntitle: R\nsource: ['000']\nsteps:\n  - pose: kneeling_lunj\n")
    run = posecheck("routines", "validate", str(tmp_path / "r.yaml"))
    assert run.code == 2
    assert run.err.strip().splitlines()[-1] == "posecheck: error: 1 problem in the routine files checked"
    run = posecheck("routines", "validate", str(ROOT / "routines"))
    assert run.code == 0 and run.out.strip() == "2 routine files valid" and "(s)" not in run.out
