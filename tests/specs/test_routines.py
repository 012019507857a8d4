"""Routine files: the two bundled routines, validation errors naming file and field, the CLI."""

from __future__ import annotations

import copy
import subprocess
import sys
import zipfile

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from posecheck.errors import SpecError, UnknownRoutineError
from posecheck.specs import validate_data
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
