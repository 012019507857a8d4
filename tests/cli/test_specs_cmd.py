"""The ``posecheck specs`` commands, run as a user runs them."""

from __future__ import annotations

import json

import yaml

from posecheck.specs import bundled_specs_dir

from ..cli_helpers import ROOT, assert_clean_error, posecheck


def test_specs_list_shows_the_bundled_poses():
    run = posecheck("specs", "list")
    assert run.code == 0, run.err
    for pose in ("kneeling_lunge", "low_lunge", "frog"):
        assert pose in run.out


def test_specs_validate_bundled_folder_exits_0():
    run = posecheck("specs", "validate", str(ROOT / "pose_specs"))
    assert run.code == 0, run.err
    assert " spec files valid" in run.out


def test_misspelt_landmark_exits_2_with_one_line_per_error(tmp_path):
    data = yaml.safe_load((bundled_specs_dir() / "kneeling_lunge.yaml").read_text())
    data["checks"][0]["points"][1] = "front_kne"
    data["checks"][3]["points"][0] = "mid_hipp"
    bad = tmp_path / "bad lunge.yaml"
    bad.write_text(yaml.safe_dump(data))
    run = posecheck("specs", "validate", str(bad))
    assert run.code == 2
    assert "Traceback" not in run.err
    lines = run.err.strip().splitlines()
    assert lines[0] == f"{bad}: checks[0].points[1]: 'front_kne' is not a landmark (did you mean 'front_knee'?)"
    assert lines[1] == f"{bad}: checks[3].points[0]: 'mid_hipp' is not a landmark (did you mean 'mid_hip'?)"
    assert lines[2] == "posecheck: error: 2 problems in the spec files checked"


def test_show_unknown_pose_suggests_closest():
    assert_clean_error(posecheck("specs", "show", "kneling_lunge"), 2, "Unknown pose 'kneling_lunge'",
                       "did you mean kneeling_lunge")


def test_show_prints_checks_and_cues():
    run = posecheck("specs", "show", "frog")
    assert run.code == 0, run.err
    assert "left_shin_thigh_angle" in run.out and "back-high" in run.out


def test_user_spec_folder_adds_and_overrides(tmp_path):
    data = yaml.safe_load((bundled_specs_dir() / "frog.yaml").read_text())
    data["id"] = "wide_frog"
    data["title"] = "Wide frog"
    data["aliases"] = []
    (tmp_path / "wide_frog.yaml").write_text(yaml.safe_dump(data))
    run = posecheck("specs", "list", "--specs", str(tmp_path))
    assert run.code == 0 and "wide_frog" in run.out


def test_bad_user_spec_folder_is_one_line(tmp_path):
    (tmp_path / "x.yaml").write_text("id: [\n")
    run = posecheck("specs", "list", "--specs", str(tmp_path))
    assert_clean_error(run, 2, "x.yaml", "invalid YAML")


def test_schema_is_json_with_kinds():
    run = posecheck("specs", "schema")
    assert run.code == 0
    schema = json.loads(run.out)
    kinds = schema["$defs"]["CheckSpec"]["properties"]["kind"]["enum"]
    assert kinds == ["distance_ratio", "joint_angle", "relative_height", "segment_orientation", "vertical_stack"]


def test_unknown_command_and_missing_argument_are_one_line():
    assert_clean_error(posecheck("specs", "bogus"), 2, "No such command 'bogus'")
    assert_clean_error(posecheck("specs", "validate"), 2, "Missing argument")


def test_show_prints_each_checks_measured_uncertainty():
    run = posecheck("specs", "show", "kneeling_lunge")
    assert run.code == 0, run.err
    from posecheck.specs import SpecLibrary
    from posecheck.specs.accuracy import accuracy_of

    knee = accuracy_of(SpecLibrary().get("kneeling_lunge"), "front_knee_angle")
    assert knee is not None
    assert "measured ±" in run.out and f"± {knee.uncertainty:g}°" in run.out
    # A check never measured on a labelled clip says so instead of inventing a figure.
    run = posecheck("specs", "show", "reclined_cobbler")
    assert run.code == 0 and "not measured" in run.out
