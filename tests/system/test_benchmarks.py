"""The benchmarks run and print what docs/performance.md quotes.

Timing targets live in the benchmarks themselves, never here: on a shared two-core
machine a test that asserts a speed fails for reasons that have nothing to do with the
code. These tests only check that each benchmark runs on a short input and reports
every figure, so docs/performance.md can always be regenerated.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from ..cli_helpers import ROOT

NUMBER = r"(\d+(?:\.\d+)?)"


def _run(*args: str) -> str:
    proc = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return proc.stdout


@pytest.mark.model
def test_throughput_benchmark_reports_every_run_and_ratio(tmp_path):
    md = tmp_path / "performance.md"
    out = _run("benchmarks/throughput.py", "--seconds", "1", "--rounds", "1", "--markdown", str(md))
    rows = {}
    for name in ("(a) bare MediaPipe loop", "(b) score, no video", "(c) score with annotated H.264",
                 "(d) live loop, headless, every frame"):
        m = re.search(rf"^\| {re.escape(name)} \| {NUMBER} \| {NUMBER} \|$", out, re.M)
        assert m, (name, out)
        rows[name[:3]] = (float(m[1]), float(m[2]))
    assert rows["(a)"][1] == 1.0
    # Each ratio is its run's rate over (a)'s, as printed (rounded to 0.1 fps and 0.01): no bound on
    # the rates themselves, which a loaded machine moves (0 < ratio < 5 failed once beside 3 workers).
    fps_a = rows["(a)"][0]
    for fps, ratio in rows.values():
        assert fps > 0 and ratio == pytest.approx(fps / fps_a, abs=0.01 + 0.1 / fps_a), rows
    for figure in ("own work per frame", "drawing the overlay at 1280x720", "frame-to-display latency median",
                   "peak memory"):
        assert figure in out, (figure, out)
    # Every target of issue 8 is listed with its measured value and a verdict.
    targets = re.findall(r"^\| (.+?) \| (.+?) \| (yes|NO) \|$", out, re.M)
    assert [t[0].split()[0] for t in targets] == ["(b)/(a)", "(c)/(a)", "own", "drawing", "live"], targets
    assert md.read_text().startswith("# Performance") and "(a) bare MediaPipe loop" in md.read_text()


@pytest.mark.model
def test_live_latency_benchmark_reports_latency_and_drops():
    out = _run("benchmarks/live_latency.py", "--loops", "1")
    latency = re.search(rf"frame-to-display latency ms\s+median\s+{NUMBER}", out)
    model = re.search(rf"model ms per frame\s+median\s+{NUMBER}", out)
    dropped = re.search(r"camera frames dropped\s+(\d+) of (\d+)", out)
    assert latency and model and dropped, out
    assert float(latency[1]) >= float(model[1]) > 0
    assert int(dropped[2]) == 72


def test_assess_speed_benchmark_times_the_three_specs():
    out = _run("benchmarks/assess_speed.py")
    for spec in ("kneeling_lunge", "low_lunge", "frog"):
        m = re.search(rf"^{spec}\s+(\d+)\s+{NUMBER}\s+{NUMBER}", out, re.M)
        assert m and int(m[1]) > 0 and float(m[2]) > 0, (spec, out)


@pytest.mark.model
@pytest.mark.browser
def test_serve_latency_benchmark_reports_round_trip_against_model_time():
    from ..browser import chromium

    pytest.importorskip("playwright.sync_api", reason="Playwright's Python package (the test extras)")
    if chromium() is None:
        pytest.skip("Chromium is not installed (apt-get install chromium); .ci/run installs it")
    out = _run("benchmarks/serve_latency.py", "--seconds", "4")
    rtt = re.search(rf"round trip ms \(page send -> answer\)\s+median\s+{NUMBER}\s+p95\s+{NUMBER}", out)
    model = re.search(rf"model ms per frame \(same frames\)\s+median\s+{NUMBER}\s+p95\s+{NUMBER}", out)
    assert rtt and model, out
    # The round trip holds the model's run for the same frame, so it cannot be shorter.
    assert float(rtt[1]) >= float(model[1]) > 0 and float(rtt[2]) >= float(rtt[1])
    assert re.search(r"target: round trip median at most model median \+ 15 ms: model \+ -?\d+\.\d ms: (yes|NO)$",
                     out, re.M), out
