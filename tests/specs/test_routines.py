"""Routine files: the two bundled routines, validation errors naming file and field, the CLI."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
import zipfile

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from posecheck.errors import SpecError, UnknownRoutineError
from posecheck.specs import SpecLibrary, bundled_specs_dir, validate_data
from posecheck.specs.routines import Routine, RoutineLibrary, bundled_routines_dir, load_routine

from ..cli_helpers import ROOT, assert_clean_error, posecheck

BUNDLED = bundled_routines_dir()


def _release() -> dict:
    return yaml.safe_load((BUNDLED / "psoas_release.yaml").read_text())


def test_bundled_routines_follow_the_sources():
    lib = RoutineLibrary()
    release = lib.get("psoas_release")
    assert [s.pose for s in release.steps] == ["knees_to_chest", "kneeling_lunge", "happy_baby", "pigeon", "frog"]
    asanas = lib.get("Psoas asanas")
    assert [s.pose for s in asanas.steps] == ["pigeon", "low_lunge", "camel", "childs_pose"]


def test_plan_expands_sides_and_repetitions():
    lib = RoutineLibrary()
    plan = lib.plan(lib.get("psoas_release"))
    lunges = [h for h in plan if h.pose == "kneeling_lunge"]
    # "three to five repetitions with each leg": 3 per side, alternating sides.
    assert [(h.side, h.repetition) for h in lunges] == [
        ("left", 1), ("right", 1), ("left", 2), ("right", 2), ("left", 3), ("right", 3)]
    assert all(h.hold_s == 30 for h in lunges)
    assert [h.pose for h in plan].count("knees_to_chest") == 5
    assert plan[-1].pose == "frog" and plan[-1].side is None


@pytest.mark.parametrize("path,value,field,expected", [
    (["steps", 1, "pose"], "kneling_lunge", "steps[1].pose", "did you mean kneeling_lunge"),
    (["steps", 0, "repetitions"], 0, "steps[0].repetitions", "greater than or equal to 1"),
    (["steps", 1, "sides"], "sideways", "steps[1].sides", "'both', 'left', 'right' or 'none'"),
    (["steps", 2, "hold"], {"breaths": -2}, "steps[2].hold", "'breaths' must be positive"),
    (["rest_s"], -1, "rest_s", "greater than or equal to 0"),
    (["steps", 0, "holdd"], 3, "steps[0].holdd", "unknown field 'holdd'"),
    (["steps"], [], "steps", "at least 1"),
])
def test_bad_routines_name_file_and_field(tmp_path, path, value, field, expected):
    data = _release()
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    f = tmp_path / "mine.yaml"
    f.write_text(yaml.safe_dump(data))
    with pytest.raises(SpecError) as exc:
        load_routine(f)
    assert any(f"{f}: {field}" in line and expected in line for line in exc.value.lines()), exc.value.lines()


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 4), st.sampled_from(["pose", "hold", "sides", "repetitions", "rest_s"]),
                          st.one_of(st.none(), st.integers(-5, 5), st.text(max_size=8),
                                    st.dictionaries(st.text(max_size=6), st.integers(), max_size=2))),
                min_size=1, max_size=3))
def test_mutated_routines_raise_only_spec_error(mutations):
    data = _release()
    for index, key, value in mutations:
        data["steps"][index][key] = copy.deepcopy(value)
    try:
        validate_data(data, Routine, "fuzz.yaml")
    except SpecError as exc:
        assert all(line.startswith("fuzz.yaml: ") for line in exc.lines())


def test_unknown_routine_suggests():
    with pytest.raises(UnknownRoutineError) as exc:
        RoutineLibrary().get("psoas_relese")
    assert "psoas_release?" in exc.value.one_line() and "did you mean" in exc.value.one_line()


def test_cli_list_show_validate(tmp_path):
    run = posecheck("routines", "list")
    assert run.code == 0 and "psoas_release" in run.out and "psoas_asanas" in run.out
    run = posecheck("routines", "show", "psoas_asanas")
    assert run.code == 0 and "Child" in run.out
    assert posecheck("routines", "validate", str(ROOT / "routines")).code == 0
    bad = tmp_path / "bad.yaml"
    data = _release()
    data["steps"][0]["pose"] = "knees_to_chestt"
    bad.write_text(yaml.safe_dump(data))
    run = posecheck("routines", "validate", str(bad))
    assert run.code == 2 and "Traceback" not in run.err
    assert run.err.splitlines()[0].startswith(f"{bad}: steps[0].pose: Unknown pose 'knees_to_chestt'")
    assert_clean_error(posecheck("routines", "show", "nope"), 2, "Unknown routine 'nope'")


def test_wheel_carries_the_routines(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                           str(tmp_path), str(ROOT)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    names = zipfile.ZipFile(next(tmp_path.glob("posecheck-*.whl"))).namelist()
    assert {"posecheck/routines/psoas_release.yaml", "posecheck/routines/psoas_asanas.yaml"} <= set(names)


# -- the format documented, every problem at once, your own poses, duplicate ids ----------------


def test_schema_command_describes_the_routine_format():
    run = posecheck("routines", "schema")
    assert run.code == 0, run.err
    schema = json.loads(run.out)
    assert schema["title"] == "posecheck routine"
    assert set(schema["required"]) == {"id", "title", "source", "steps"}
    step = schema["$defs"]["RoutineStep"]["properties"]
    assert {"pose", "hold", "sides", "repetitions", "rest_s", "note"} == set(step)
    # Every field the schema knows is in docs/routines.md, and its example is a valid routine.
    doc = (ROOT / "docs" / "routines.md").read_text()
    for name in [*schema["properties"], *step]:
        assert f"`{name}`" in doc, name


def test_the_documented_example_is_valid(tmp_path):
    doc = (ROOT / "docs" / "routines.md").read_text()
    example = re.search(r"```yaml\n(.*?)```", doc, re.S).group(1)
    (tmp_path / "evening_hips.yaml").write_text(example)
    run = posecheck("routines", "validate", str(tmp_path))
    assert run.code == 0, run.err
    plan = RoutineLibrary(extra=[tmp_path]).plan(load_routine(tmp_path / "evening_hips.yaml"))
    assert len(plan) == 8 and [h.side for h in plan[2:4]] == ["left", "right"]


def test_every_problem_at_once_unknown_poses_too(tmp_path):
    data = _release()
    data["steps"][0]["repetitions"] = 0          # a field problem...
    data["steps"][1]["pose"] = "kneeling_lunj"    # ...and an unknown pose, reported together
    data["steps"][2]["sides"] = "sideways"
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data))
    run = posecheck("routines", "validate", str(bad))
    assert run.code == 2 and "Traceback" not in run.err
    lines = run.err.splitlines()
    assert lines[-1] == "posecheck: error: 3 problems in the routine files checked"
    assert any(line.startswith(f"{bad}: steps[0].repetitions: ") for line in lines)
    assert any(line.startswith(f"{bad}: steps[2].sides: ") for line in lines)
    assert any(line.startswith(f"{bad}: steps[1].pose: Unknown pose 'kneeling_lunj': did you mean kneeling_lunge")
               for line in lines)


def test_a_pose_of_your_own_needs_specs(tmp_path):
    specs = tmp_path / "specs"
    specs.mkdir()
    data = yaml.safe_load((bundled_specs_dir() / "frog.yaml").read_text())
    data.update(id="wide_frog", title="Wide frog", aliases=[])
    (specs / "wide_frog.yaml").write_text(yaml.safe_dump(data))
    routines = tmp_path / "routines"
    routines.mkdir()
    mine = _release()
    mine.update(id="my_flow", title="My flow")
    mine["steps"][4]["pose"] = "wide_frog"
    (routines / "my_flow.yaml").write_text(yaml.safe_dump(mine))
    run = posecheck("routines", "validate", str(routines))
    assert run.code == 2
    assert "steps[4].pose: Unknown pose 'wide_frog'" in run.err and "add --specs DIR" in run.err
    assert posecheck("routines", "validate", str(routines), "--specs", str(specs)).code == 0
    run = posecheck("routines", "show", "my_flow", "--routines", str(routines), "--specs", str(specs))
    assert run.code == 0 and "Wide frog" in run.out
    # With --specs given but the pose still unknown, it says where it looked.
    other = tmp_path / "other"
    other.mkdir()
    run = posecheck("routines", "validate", str(routines), "--specs", str(other))
    assert run.code == 2 and f"not a bundled pose, nor one in {other}" in run.err


def test_show_says_short_routines_and_half_seconds_as_they_are(tmp_path):
    data = {"id": "quick", "title": "Quick", "source": ["000"], "rest_s": 0,
            "steps": [{"pose": "frog", "hold": {"seconds": 1.5}}, {"pose": "frog", "hold": {"seconds": 20}}]}
    (tmp_path / "quick.yaml").write_text(yaml.safe_dump(data))
    run = posecheck("routines", "show", "quick", "--routines", str(tmp_path))
    assert run.code == 0, run.err
    assert re.search(r"^1\s+Frog\s+—\s+1\s+1\.5 s\s+0 s\s*$", run.out, re.M), run.out  # was "2 s"
    assert "2 holds, about 22 s with the rests" in run.out  # was "about 0 minutes"


@pytest.mark.parametrize("what", ["spec", "routine"])
def test_two_files_with_one_id_in_a_folder_are_an_error(tmp_path, what):
    if what == "spec":
        data = yaml.safe_load((bundled_specs_dir() / "frog.yaml").read_text())
        data.update(id="wide_frog", title="Wide frog", aliases=[])
    else:
        data = _release()
        data.update(id="my_flow", title="My flow")
    (tmp_path / "a.yaml").write_text(yaml.safe_dump(data))
    (tmp_path / "b.yaml").write_text(yaml.safe_dump({**data, "title": data["title"] + " again"}))
    expected = f"{tmp_path / 'b.yaml'}: id: '{data['id']}' is also the id of a.yaml in the same folder"
    group = "specs" if what == "spec" else "routines"
    run = posecheck(group, "validate", str(tmp_path))
    assert run.code == 2 and expected in run.err, run.err
    # Loading the folder (to list, show or use it) refuses it the same way, in one line.
    assert_clean_error(posecheck(group, "list", f"--{group}", str(tmp_path)), 2, expected)
    with pytest.raises(SpecError) as exc:
        if what == "spec":
            SpecLibrary(extra=[tmp_path])
        else:
            RoutineLibrary(extra=[tmp_path])
    assert any(expected in line for line in exc.value.lines())
