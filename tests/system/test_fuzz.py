"""Fuzzing the files users hand to posecheck: spec files and ``landmarks.jsonl`` for ``--replay``.

``test_specs.py`` and ``test_landmarks_io.py`` fuzz the validators with Python
values and byte flips. Here the fuzzed data goes through the real path: YAML text
written to a file and read back (so the YAML parser is fuzzed too), every field of
every bundled spec mutated in turn, and mutated landmarks files scored through the
CLI's ``main()``. The only exception ever raised is posecheck's own, and every
message names the file and the field (specs) or the line (landmarks).

Routine files go through the same two fuzzers (field by field, arbitrary YAML).
"""

from __future__ import annotations

import copy
import itertools
import json
import math
import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from posecheck.errors import SpecError
from posecheck.io.landmarks_file import LandmarksHeader, LandmarksWriter, RawPose
from posecheck.specs import SpecLibrary
from posecheck.specs.library import bundled_specs_dir
from posecheck.specs.loader import load_spec

BUNDLED = {p.name: yaml.safe_load(p.read_text()) for p in sorted(bundled_specs_dir().glob("*.yaml"))}

FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

_counter = itertools.count()


def _fresh(tmp_path: Path, name: str) -> Path:
    """A new path per hypothesis example (tmp_path is shared by all examples of a test)."""
    return tmp_path / f"{next(_counter)}-{name}"


# -- spec files -------------------------------------------------------------------------------

def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every field path in a spec's data: ('checks', 2, 'target', 'ok'), ..."""
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, prefix + (i,))
    return out


FIELD_PATHS = [(name, path) for name, data in BUNDLED.items() for path in _paths(data)]

yaml_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30), st.sampled_from(["", "left_knee", "joint_angle", "{side}", "{bogus}", "1e999", "-.inf",
                                           "~", "yes", "0x1F", "2026-01-01", "&a", "*a"]),
)
yaml_values = st.recursive(
    yaml_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)),
    max_leaves=12,
)


def _field_of(path: tuple) -> str:
    """The field path as posecheck's messages write it: checks[2].target.ok."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out


#: Problems with the file as a whole, before any field exists.
FILE_LEVEL = ("the file is empty", "not a text file", "invalid YAML", "no such file", "cannot be read", "is a folder")
LINE = re.compile(r"^(?P<file>.+?\.yaml): (?P<where>.+?): (?P<what>.+)$", re.S)


def _assert_names_file_and_field(exc: SpecError, file: Path) -> list[str]:
    """Every problem line is ``FILE: FIELD-OR-LINE: what``; returns the field parts."""
    wheres = []
    for line in exc.lines():
        assert line.startswith(f"{file}: "), line
        rest = line[len(f"{file}: "):]
        if rest.startswith(FILE_LEVEL):
            wheres.append("(file)")  # the whole file is unusable: there is no field to name
            continue
        m = LINE.match(line)
        assert m and m["file"] == str(file), line
        wheres.append(m["where"])
    one = exc.one_line()
    assert "\n" not in one and str(file) in one
    return wheres


def _set(data: Any, path: tuple, action: str, value: Any) -> tuple:
    """Apply one mutation; returns the path of the field it changed."""
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    key = path[-1]
    if action == "replace":
        parent[key] = value
    elif action == "delete":
        del parent[key]
    elif action == "typo" and isinstance(key, str):
        typo = key[:-1] + key[-1].upper() + "x"
        parent[typo] = parent.pop(key)
        return path[:-1] + (typo,)
    elif action == "extra" and isinstance(parent[key], dict):
        parent[key]["unexpected_field"] = value
    else:
        parent[key] = value
    return path


@settings(FUZZ, max_examples=400)
@given(st.lists(st.tuples(st.sampled_from(FIELD_PATHS), st.sampled_from(["replace", "delete", "typo", "extra"]),
                          yaml_values), min_size=1, max_size=3))
def test_every_field_of_every_bundled_spec_mutated(tmp_path, mutations):
    name = mutations[0][0][0]
    data = copy.deepcopy(BUNDLED[name])
    mutated = []
    for (spec_name, path), action, value in mutations:
        if spec_name != name:
            continue
        try:
            mutated.append(_set(data, path, action, value))
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or replaced this field
    file = _fresh(tmp_path, name)
    file.write_text(yaml.safe_dump(data, allow_unicode=True))
    try:
        load_spec(file)
    except SpecError as exc:
        wheres = _assert_names_file_and_field(exc, file)
        # The problem is reported at the mutated field or at a field holding it.
        if len(mutated) == 1:
            top = _field_of(mutated[0][:1])
            assert any(w.startswith(top) or w == "(top level)" or w.startswith("checks") for w in wheres), (
                mutated, exc.lines())


yaml_tokens = st.sampled_from([
    "id", "title", "checks", "kind", "points", "target", ":", ": ", "- ", "\n", "\n  ", "\n    ", "[", "]", "{", "}",
    ",", "&a ", "*a", "<<: *a", "!!python/object/apply:os.system ['true']", "!!binary aGk=", "!!set {a}",
    "!!omap [a: 1]", "!custom", "'", '"', "|", ">", "#", "? ", "---", "...", "%YAML 1.1\n", "\t", "\ufeff", "é",
    "日本", "1e999", "-.inf", ".nan", "null", "~", "yes", "0o17", "0x1F", "2026-01-01", "joint_angle",
    "left_knee", "{side}", "90", "-5", "  ",
])


@settings(FUZZ, max_examples=400)
@given(st.lists(yaml_tokens, max_size=40).map("".join))
def test_arbitrary_yaml_text_raises_only_spec_error(tmp_path, text):
    file = _fresh(tmp_path, "fuzz.yaml")
    file.write_text(text, encoding="utf-8")
    try:
        load_spec(file)
    except SpecError as exc:
        _assert_names_file_and_field(exc, file)


@settings(FUZZ, max_examples=100)
@given(st.binary(max_size=200))
def test_arbitrary_bytes_raise_only_spec_error(tmp_path, blob):
    file = _fresh(tmp_path, "bytes.yaml")
    file.write_bytes(blob)
    try:
        load_spec(file)
    except SpecError as exc:
        _assert_names_file_and_field(exc, file)


@settings(FUZZ, max_examples=60)
@given(st.sampled_from(FIELD_PATHS), yaml_values)
def test_mutated_spec_in_a_user_folder_fails_the_library_with_one_line(tmp_path, field, value):
    (name, path), folder = field, _fresh(tmp_path, "specs")
    folder.mkdir()
    data = copy.deepcopy(BUNDLED[name])
    _set(data, path, "replace", value)
    (folder / name).write_text(yaml.safe_dump(data, allow_unicode=True))
    try:
        SpecLibrary(extra=[folder])
    except SpecError as exc:
        _assert_names_file_and_field(exc, folder / name)
        assert "posecheck specs validate" in exc.one_line()


# -- through the CLI's main() -----------------------------------------------------------------

@pytest.fixture
def cli(monkeypatch, capsys):
    """Run ``posecheck.cli.app.main`` in-process; returns (exit code, stdout, stderr)."""
    from posecheck.cli.app import main

    monkeypatch.setenv("POSECHECK_NATIVE_LOGS", "1")  # keep fd 2 as it is under pytest
    monkeypatch.setattr(warnings, "showwarning", warnings.showwarning)

    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        try:
            code = main(list(args))
        except SystemExit as exc:
            code = exc.code
        out, err = capsys.readouterr()
        return code, out, err

    return run


@settings(FUZZ, max_examples=60)
@given(st.sampled_from(FIELD_PATHS), st.sampled_from(["replace", "delete", "typo", "extra"]), yaml_values)
def test_specs_validate_cli_on_mutated_specs(tmp_path, cli, field, action, value):
    (name, path) = field
    data = copy.deepcopy(BUNDLED[name])
    try:
        _set(data, path, action, value)
    except (KeyError, IndexError, TypeError):
        return
    file = _fresh(tmp_path, name)
    file.write_text(yaml.safe_dump(data, allow_unicode=True))
    code, out, err = cli("specs", "validate", str(file))
    assert "Traceback" not in err
    if code == 0:
        assert out.strip() == "1 spec file valid" and not err
        return
    lines = err.splitlines()
    assert code == 2 and lines[-1].startswith("posecheck: error: ")
    for line in lines[:-1]:
        assert LINE.match(line) and line.startswith(f"{file}: "), line


# -- landmarks.jsonl for --replay -------------------------------------------------------------

def _pose(rng: np.random.Generator, t: float) -> RawPose:
    xyz = rng.uniform(-0.2, 1.2, (33, 3))
    return RawPose((960, 540), t, xyz, rng.uniform(0, 1, 33), rng.uniform(0, 1, 33), rng.normal(0, 0.5, (33, 3)))


@pytest.fixture(scope="module")
def base_lines(tmp_path_factory) -> list[dict]:
    """A valid landmarks file (header + 12 frames, some without a person), as JSON objects."""
    path = tmp_path_factory.mktemp("replay") / "landmarks.jsonl"
    rng = np.random.default_rng(7)
    header = LandmarksHeader(input="clip.mp4", width=960, height=540, fps=24.0, estimator="fuzz")
    with LandmarksWriter(path, header) as w:
        for i in range(12):
            w.write(i, RawPose.empty((960, 540), i / 24) if i % 5 == 3 else _pose(rng, i / 24))
    return [json.loads(line) for line in path.read_text().splitlines()]


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=True, allow_infinity=True),
              st.text(max_size=8)),
    lambda inner: st.one_of(st.lists(inner, max_size=40), st.dictionaries(st.text(max_size=6), inner, max_size=4)),
    max_leaves=50,
)


def _json_paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for k, v in value.items():
            out += _json_paths(v, prefix + (k,))
    elif isinstance(value, list) and len(value) <= 40:
        # Landmark tables: the table, a row, and one number of the row are enough.
        for i, v in list(enumerate(value))[:2] + list(enumerate(value))[-1:]:
            out += _json_paths(v, prefix + (i,))
    return out


@settings(FUZZ, max_examples=150)
@given(data=st.data())
def test_fuzzed_landmarks_replay_fails_only_with_one_clear_line(tmp_path, cli, base_lines, data):
    lines = copy.deepcopy(base_lines)
    for _ in range(data.draw(st.integers(1, 3), label="edits")):
        if not lines:
            break
        action = data.draw(st.sampled_from(["field", "field", "field", "drop", "swap", "duplicate", "raw"]),
                           label="action")
        i = data.draw(st.integers(0, len(lines) - 1), label="line")
        if action == "field" and isinstance(lines[i], dict) and _json_paths(lines[i]):
            paths = _json_paths(lines[i])
            path = data.draw(st.sampled_from(paths), label="field")
            how = data.draw(st.sampled_from(["replace", "delete"]), label="how")
            try:
                _set(lines[i], path, how, data.draw(json_values, label="value"))
            except (KeyError, IndexError, TypeError):
                pass
        elif action == "drop" and len(lines) > 1:
            del lines[i]
        elif action == "swap":
            j = data.draw(st.integers(0, len(lines) - 1), label="other")
            lines[i], lines[j] = lines[j], lines[i]
        elif action == "duplicate":
            lines.insert(i, copy.deepcopy(lines[i]))
        else:
            lines[i] = data.draw(json_values, label="line value")
    text = "".join(json.dumps(obj) + "\n" for obj in lines)  # NaN/Infinity come out as JSON extensions
    if data.draw(st.booleans(), label="cut"):
        text = text[: data.draw(st.integers(0, len(text)), label="cut at")]
    file = _fresh(tmp_path, "landmarks.jsonl")
    file.write_text(text, encoding="utf-8")
    out = _fresh(tmp_path, "out")
    code, _, err = cli("score", "--replay", str(file), "--pose", "kneeling_lunge", "--out", str(out), "-q")
    assert "Traceback" not in err
    errors = [line for line in err.splitlines() if line.startswith("posecheck: error: ")]
    if code == 0:
        assert not errors
        summary = json.loads((out / "summary.json").read_text())
        assert 1 <= summary["frames"] <= len(lines)
        if summary.get("photos") is not None:
            # A header without an fps (null) is a replay of photos, which are counted, not
            # timed (issue 17, "Stills and photo folders"): no time fields, every frame a photo.
            assert summary["photos"] == summary["frames"]
            assert summary["duration_s"] is None and summary["time_in_pose_s"] is None
            assert 0 <= summary["photos_in_good_form"] <= summary["photos_in_pose"] <= summary["photos"]
        else:
            assert all(math.isfinite(v) for v in (summary["duration_s"], summary["time_in_pose_s"]))
        return
    assert code == 2, err
    assert len(errors) == 1, err
    assert errors[0].startswith(f"posecheck: error: {file}"), err
    assert ", line " in errors[0] or "holds no frames" in errors[0], err
    # Nothing but warnings about the file besides the one error line.
    assert all(line.startswith((str(file), "posecheck: ")) for line in err.splitlines()), err
    assert not out.exists() or not list(out.iterdir())


# -- routine files ------------------------------------------------------------------------------

try:
    from posecheck.specs.routines import bundled_routines_dir, load_routine
except ImportError:  # pragma: no cover - routines arrived after this file
    load_routine = None

ROUTINES = ({p.name: yaml.safe_load(p.read_text()) for p in sorted(bundled_routines_dir().glob("*.yaml"))}
            if load_routine else {})
ROUTINE_PATHS = [(name, path) for name, data in ROUTINES.items() for path in _paths(data)] or [("none", ())]
needs_routines = pytest.mark.skipif(not ROUTINES, reason="no routine loader or no bundled routines")


@pytest.fixture(scope="module")
def library():
    return SpecLibrary()


@needs_routines
@settings(FUZZ, max_examples=200)
@given(st.lists(st.tuples(st.sampled_from(ROUTINE_PATHS), st.sampled_from(["replace", "delete", "typo", "extra"]),
                          yaml_values), min_size=1, max_size=3))
def test_every_field_of_every_bundled_routine_mutated(tmp_path, library, mutations):
    name = mutations[0][0][0]
    data = copy.deepcopy(ROUTINES[name])
    for (routine_name, path), action, value in mutations:
        if routine_name != name:
            continue
        try:
            _set(data, path, action, value)
        except (KeyError, IndexError, TypeError):
            continue
    file = _fresh(tmp_path, name)
    file.write_text(yaml.safe_dump(data, allow_unicode=True))
    try:
        load_routine(file, library)
    except SpecError as exc:
        _assert_names_file_and_field(exc, file)


@needs_routines
@settings(FUZZ, max_examples=200)
@given(st.lists(st.one_of(yaml_tokens, st.sampled_from(["steps", "pose", "hold", "rest_s", "sides", "both",
                                                         "repetitions", "seconds", "breaths"])),
                max_size=40).map("".join))
def test_arbitrary_yaml_routine_raises_only_spec_error(tmp_path, library, text):
    file = _fresh(tmp_path, "routine.yaml")
    file.write_text(text, encoding="utf-8")
    try:
        load_routine(file, library)
    except SpecError as exc:
        _assert_names_file_and_field(exc, file)
