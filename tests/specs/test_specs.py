"""Spec validation: every bad spec gives a SpecError naming the file and the field."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from posecheck.errors import SpecError, UnknownPoseError
from posecheck.specs import SpecLibrary, bundled_specs_dir, load_spec, validate_data
from posecheck.specs.models import PoseSpec

BUNDLED = bundled_specs_dir()


def _lunge() -> dict:
    return yaml.safe_load((BUNDLED / "kneeling_lunge.yaml").read_text())


def _write(tmp_path: Path, data: object, name: str = "spec.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True) if not isinstance(data, str) else data)
    return path


def test_bundled_specs_load_with_the_three_named_checks():
    lib = SpecLibrary()
    assert {s.id for s in lib} >= {"kneeling_lunge", "low_lunge", "frog"}
    lunge = lib.get("kneeling_lunge")
    assert lunge.check("front_knee_angle").points == ["front_hip", "front_knee", "front_ankle"]
    assert lunge.check("front_knee_angle").target.value == 90
    assert lunge.check("knee_over_ankle").kind == "vertical_stack"
    frog = lib.get("frog")
    for side in ("left", "right"):
        c = frog.check(f"{side}_shin_thigh_angle")
        assert c.points == [f"{side}_hip", f"{side}_knee", f"{side}_ankle"]
        assert c.target.value == 90


def test_names_aliases_and_suggestions():
    lib = SpecLibrary()
    assert lib.get("Anjaneyasana").id == "low_lunge"
    assert lib.get("Kneeling-Lunge").id == "kneeling_lunge"
    with pytest.raises(UnknownPoseError) as exc:
        lib.get("frgo")
    assert "did you mean frog" in exc.value.one_line()


def _mutate(path: list, value: object) -> dict:
    data = _lunge()
    node = data
    for key in path[:-1]:
        node = node[key]
    if value is KeyError:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return data


BAD = [
    (["checks", 0, "points", 1], "front_kne", "checks[0].points[1]", "did you mean 'front_knee'"),
    (["checks", 0, "target", "ok"], -5, "checks[0].target.ok", "greater than or equal to 0"),
    (["checks", 0, "kind"], "joint_angel", "checks[0].kind", "unknown check kind 'joint_angel'"),
    (["checks", 0, "cues", "above"], KeyError, "checks[0]", "missing cue 'above'"),
    (["checks", 1, "target", "near"], 0.01, "checks[1].target", "'near' (0.01) must be at least 'ok'"),
    (["view"], "sideways", "view", "'side', 'front', 'back-high' or 'any'"),
    (["sides"], "none", "checks[0].points[0]", "needs 'sides: front_back'"),
    (["checks", 0, "tolerance"], 5, "checks[0].tolerance", "unknown field 'tolerance'"),
    (["checks", 0, "points"], ["front_hip", "front_knee"], "checks[0]", "must list 3 points"),
    (["checks", 0, "cues", "below"], "Bend {__class__} deeper", "checks[0].cues.below", "unknown placeholder"),
    (["checks", 1, "id"], "front_knee_angle", "checks[1].id", "duplicate check id"),
    (["hold"], {"seconds": -3}, "hold", "'seconds' must be positive"),
    (["id"], KeyError, "id", "required field is missing"),
    (["checks", 2, "relative_to"], None, "checks[2]", "'relative_to' must list 2 points"),
    (["checks", 3, "options"], {"reference": "diagonal"}, "checks[3]", "option 'reference' must be one of"),
]


@pytest.mark.parametrize("path,value,field,expected", BAD, ids=[b[2] + ":" + b[3][:20] for b in BAD])
def test_each_kind_of_bad_spec_names_file_and_field(tmp_path, path, value, field, expected):
    spec_file = _write(tmp_path, _mutate(path, value))
    with pytest.raises(SpecError) as exc:
        load_spec(spec_file)
    lines = exc.value.lines()
    match = [line for line in lines if f"{spec_file}: {field}" in line and expected in line]
    assert match, lines


def test_all_problems_are_reported_at_once(tmp_path):
    data = _lunge()
    data["checks"][0]["points"][1] = "front_kne"
    data["checks"][2]["kind"] = "relative_heigth"
    data["view"] = "top"
    with pytest.raises(SpecError) as exc:
        load_spec(_write(tmp_path, data))
    assert len(exc.value.lines()) == 3


@pytest.mark.parametrize("text,expected", [
    ("", "the file is empty"),
    ("- a\n- b\n", "expected a mapping"),
    ("id: [unclosed\n", "line 2, column 1: invalid YAML"),
    ("!!python/object:os.system {}\n", "invalid YAML"),
])
def test_unparseable_files(tmp_path, text, expected):
    with pytest.raises(SpecError) as exc:
        load_spec(_write(tmp_path, text))
    assert str(tmp_path / "spec.yaml") in exc.value.lines()[0]
    assert expected in exc.value.lines()[0]


def test_missing_and_binary_files(tmp_path):
    with pytest.raises(SpecError, match="no such file"):
        load_spec(tmp_path / "nope.yaml")
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\xff\xfe\x00\x01")
    with pytest.raises(SpecError, match="not a text file"):
        load_spec(binary)


yaml_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                         st.text(max_size=20))
yaml_values = st.recursive(
    yaml_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=12), inner, max_size=5)),
    max_leaves=25,
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(yaml_values)
def test_arbitrary_yaml_raises_only_spec_error(data):
    try:
        validate_data(data, PoseSpec, "fuzz.yaml")
    except SpecError as exc:
        assert all(line.startswith("fuzz.yaml: ") for line in exc.lines())


spec_keys = st.sampled_from(["id", "title", "view", "sides", "checks", "hold", "source", "aliases"])


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 4), st.sampled_from(["points", "target", "kind", "cues", "weight", "id"]),
                          yaml_values), min_size=1, max_size=3))
def test_valid_spec_mutated_field_by_field_raises_only_spec_error(mutations):
    data = _lunge()
    for index, key, value in mutations:
        data["checks"][index][key] = copy.deepcopy(value)
    try:
        validate_data(data, PoseSpec, "mutated.yaml")
    except SpecError as exc:
        assert all(line.startswith("mutated.yaml: ") for line in exc.lines())


def test_reference_page_documents_every_kind():
    from posecheck.checks import kind_names

    page = (BUNDLED.parent / "docs" / "specs.md").read_text()
    for kind in kind_names():
        assert f"`{kind}`" in page, kind
