"""What a person reads at a terminal of 60, 80 or 120 columns, and what a pipe gets.

Ids, file names, dates and numbers are printed whole; other columns wrap between words; no
line is wider than the terminal; every list command has ``--json``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml
from rich.cells import cell_len

from posecheck.io.history import open_history
from posecheck.specs import SpecLibrary, bundled_specs_dir
from posecheck.specs.routines import RoutineLibrary

from ..cli_helpers import ROOT
from ..io.test_history import make_summary

WIDTHS = [60, 80, 120, None]  # None: piped with no COLUMNS, as `posecheck specs list | grep lunge` runs

LONG_ID = "my_kneeling_lunge_deeper"  # longer than any bundled id


def run(*args: str, columns: int | None, env: dict | None = None) -> str:
    """``posecheck ARGS`` with stdout captured through a pipe, at ``columns`` (None: no COLUMNS at all)."""
    full = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")} | (env or {})
    if columns is not None:
        full["COLUMNS"] = str(columns)
    proc = subprocess.run([sys.executable, "-m", "posecheck", *args], cwd=ROOT, env=full, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def tokens(text: str) -> set[str]:
    """Every id-like word of ``text``: an id cut or broken across lines is not among them."""
    return set(re.findall(r"[a-z][a-z0-9_]*", text))


def assert_fits(text: str, width: int | None) -> None:
    limit = width or 80  # a pipe without COLUMNS is laid out at 80
    wide = [line for line in text.splitlines() if cell_len(line.rstrip()) > limit]
    assert not wide, wide


@pytest.fixture(scope="module")
def own_specs(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("specs")
    data = yaml.safe_load((bundled_specs_dir() / "kneeling_lunge.yaml").read_text())
    data.update(id=LONG_ID, title="My deeper kneeling lunge", aliases=[])
    (folder / f"{LONG_ID}.yaml").write_text(yaml.safe_dump(data))
    return folder


@pytest.mark.parametrize("width", WIDTHS)
def test_specs_list_prints_every_id_whole(width, own_specs):
    out = run("specs", "list", "--specs", str(own_specs), columns=width)
    ids = [s.id for s in SpecLibrary(extra=[own_specs])]
    assert set(ids) <= tokens(out), set(ids) - tokens(out)
    assert "…" not in out
    assert_fits(out, width)
    # A pipe finds each pose by its id, on the row that has its title.
    row = next(line for line in out.splitlines() if line.startswith("kneeling_lunge "))
    assert "Kneeling" in row
    # The source numbers are explained: the texts are named.
    assert "Psoas Muscle Pain Relief" in out


@pytest.mark.parametrize("width", WIDTHS)
def test_routines_list_prints_every_id_and_pose_whole(width):
    out = run("routines", "list", columns=width)
    lib = RoutineLibrary()
    names = {r.id for r in lib} | {s.pose for r in lib for s in r.steps}
    assert names <= tokens(out), names - tokens(out)
    assert "…" not in out
    assert_fits(out, width)


def test_list_commands_have_json(own_specs, tmp_path):
    specs = json.loads(run("specs", "list", "--json", "--specs", str(own_specs), columns=60))
    mine = next(s for s in specs if s["id"] == LONG_ID)
    assert mine["file"] == str(own_specs / f"{LONG_ID}.yaml") and mine["view"] == "side"
    assert "front_knee_angle" in mine["checks"] and mine["hold_target_s"] == 30.0
    routines = json.loads(run("routines", "list", "--json", columns=60))
    release = next(r for r in routines if r["id"] == "psoas_release")
    assert release["holds"] == 21 and release["poses"][0] == "knees_to_chest"
    assert release["duration_s"] == pytest.approx(21 * 10 - 10 + 5 * 60 + 6 * 30 + 3 * 25 + 6 * 25 + 25)
    home = {"POSECHECK_HOME": str(tmp_path)}
    assert json.loads(run("history", "--json", columns=60, env=home))["sessions"] == []
    assert json.loads(run("sessions", "list", "--json", columns=60, env=home))["sessions"] == []


@pytest.mark.parametrize("width", [60, 80, 120])
def test_specs_show_never_splits_an_id(width):
    out = run("specs", "show", "kneeling_lunge", columns=width)
    spec = SpecLibrary().get("kneeling_lunge")
    names = {c.id for c in spec.checks} | {p for c in spec.checks for p in c.points}
    assert names <= tokens(out), names - tokens(out)
    assert str(SpecLibrary().file_of("kneeling_lunge")) in out.splitlines()[1]  # the path on a line of its own
    assert "source 000 §2: “Psoas Muscle Pain Relief" in " ".join(out.split())
    row = next(line for line in out.splitlines() if line.startswith("front_knee_angle "))
    assert "90°," in row  # the target with its unit
    assert_fits(out, width)


@pytest.mark.parametrize("width", [60, 80, None])
def test_routines_show_keeps_pose_names_on_one_line(width):
    out = run("routines", "show", "psoas_release", columns=width)
    rows = [line for line in out.splitlines() if re.match(r"^\s*\d+  [A-Z]", line)]
    assert len(rows) == 21  # one line per hold: no pose name split over two
    assert sum("Kneeling lunge" in row for row in rows) == 6 and sum("Knees to chest" in row for row in rows) == 5
    assert re.search(r"^21 holds, about 16 minutes with the rests$", out, re.M)
    assert_fits(out, width)


@pytest.fixture(scope="module")
def history_home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("home")
    spec = SpecLibrary().get("kneeling_lunge")
    t0 = datetime(2026, 11, 1, 18, 0).astimezone()
    with open_history(home / "history.sqlite") as h:
        for i in range(12):
            side = ("left", "right")[i % 2]
            h.append(make_summary(score=40 + 3 * i, good=5 + i, knee=125 - 2 * i, side=side), mode="score",
                     results_dir="/tmp/x", spec=spec, when=t0 + timedelta(days=7 * (i // 2), hours=i % 2))
        h.append(make_summary("happy_baby", score=50, side="both"), mode="live", results_dir="/tmp/y", when=t0)
    return home


@pytest.mark.parametrize("width", [60, 80, 120, None])
def test_history_keeps_dates_and_ids_whole(width, history_home):
    out = run("history", columns=width, env={"POSECHECK_HOME": str(history_home)})
    days = re.findall(r"\b\d{4}-\d{2}-\d{2} \d{2}:\d{2}\b", out)
    assert len(days) == 13  # each session's date and time whole, on its row
    assert {"kneeling_lunge", "happy_baby"} <= tokens(out)
    assert_fits(out, width)
    # Compact: a table row per session, plus the trends and the sides (was 246 lines at 80).
    assert len(out.splitlines()) < 75, len(out.splitlines())
    if width is None or width >= 80:
        assert "clip.mp4" in out  # the input's name, whole, where there is room for it
    else:
        assert "not shown at 60 columns: input, via" in " ".join(out.split())
