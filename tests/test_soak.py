"""Long runs: a clip looped to 10 minutes scores with flat memory and an exact frame count.

Marked ``slow``: ``make test`` (plain ``pytest``) runs it, as CI does; developers
can skip it with ``pytest -m "not slow"``.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import av
import cv2
import pytest

from posecheck.video import probe

from .cli_helpers import ROOT
from .conftest import sample

pytestmark = [pytest.mark.slow, pytest.mark.model]

FPS = 24
SIZE = (480, 270)
#: Peak memory of the 10-minute run may exceed the 10-second run's by at most this.
FLAT_KB = 50 * 1024


def _looped_clip(path: Path, seconds: int) -> Path:
    with av.open(str(sample("lunge_side_90_left.mp4"))) as c:
        frames = [cv2.resize(f.to_ndarray(format="bgr24"), SIZE, interpolation=cv2.INTER_AREA)
                  for f in c.decode(video=0)]
    with av.open(str(path), "w") as c:
        s = c.add_stream("libx264", rate=FPS, options={"preset": "ultrafast", "crf": "28"})
        s.width, s.height = SIZE
        s.pix_fmt = "yuv420p"
        for i in range(seconds * FPS):
            for p in s.encode(av.VideoFrame.from_ndarray(frames[i % len(frames)], format="bgr24")):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    return path


def _score_with_peak_rss(clip: Path, out: Path) -> tuple[dict, int]:
    """Score ``clip`` in a child process; the summary and the child's peak RSS in kB."""
    code = ("import resource, subprocess, sys\n"
            "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
            "sys.stderr.write(p.stderr)\n"
            "print(p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
    proc = subprocess.run([sys.executable, "-c", code, sys.executable, "-m", "posecheck", "score", str(clip),
                           "--pose", "kneeling_lunge", "--out", str(out), "-q"],
                          cwd=ROOT, capture_output=True, text=True, timeout=3600,
                          env={**os.environ, "COLUMNS": "160"})
    rc, peak = (int(x) for x in proc.stdout.split())
    assert rc == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return json.loads((out / "summary.json").read_text()), peak


def _check_exact(out: Path, summary: dict, n: int) -> None:
    assert summary["frames"] == n and summary["frames_lost"] == 0 and summary["complete"] is True
    with (out / "frames.csv").open() as f:
        assert sum(1 for _ in csv.reader(f)) == n + 1
    with (out / "landmarks.jsonl").open() as f:
        assert sum(1 for _ in f) == n + 1
    assert probe(out / "annotated.mp4")["frames"] == n
    assert summary["duration_s"] == pytest.approx(n / FPS, abs=0.1)


def test_ten_minutes_scores_with_flat_memory_and_exact_frames(tmp_path):
    short_n, long_n = 10 * FPS, 10 * 60 * FPS
    short, peak_short = _score_with_peak_rss(_looped_clip(tmp_path / "ten seconds.mp4", 10), tmp_path / "short")
    _check_exact(tmp_path / "short", short, short_n)
    long, peak_long = _score_with_peak_rss(_looped_clip(tmp_path / "ten minutes.mp4", 600), tmp_path / "long")
    _check_exact(tmp_path / "long", long, long_n)
    print(f"peak RSS: 10 s {peak_short / 1024:.0f} MB, 10 min {peak_long / 1024:.0f} MB; "
          f"frames {short['frames']} and {long['frames']}")
    assert peak_long - peak_short < FLAT_KB, (peak_short, peak_long)
    # The loop repeats one held lunge: the long run judges it as the short one does.
    assert long["checks"]["front_knee_angle"]["median"] == pytest.approx(
        short["checks"]["front_knee_angle"]["median"], abs=2)
