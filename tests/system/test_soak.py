"""Long runs: a clip looped to 2 minutes scores with flat memory and an exact frame count.

The run is twelve times as long as the 10-second one it is compared with, and must not
need more memory (nothing is kept per frame beyond a few numbers). The same comparison
over 10 minutes, with every figure, is ``benchmarks/throughput.py --memory`` (about five
minutes of the model alone, too long for the suite). Marked ``slow``: ``make test`` runs
it, as CI does; ``make test-fast`` leaves it out.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from benchmarks.throughput import MEMORY_SIZE, make_clip, peak_rss_of_score

from ..media_helpers import probe

pytestmark = [pytest.mark.slow, pytest.mark.model]

FPS = 24
#: Peak memory of the 2-minute run may exceed the 10-second run's by at most this.
FLAT_KB = 50 * 1024


def _check_exact(out: Path, summary: dict, n: int) -> None:
    assert summary["frames"] == n and summary["frames_lost"] == 0 and summary["complete"] is True
    with (out / "frames.csv").open() as f:
        assert sum(1 for _ in csv.reader(f)) == n + 1
    with (out / "landmarks.jsonl").open() as f:
        assert sum(1 for _ in f) == n + 1
    assert probe(out / "annotated.mp4")["frames"] == n
    assert summary["duration_s"] == pytest.approx(n / FPS, abs=0.1)


def test_two_minutes_scores_with_flat_memory_and_exact_frames(tmp_path):
    short_n, long_n = 10 * FPS, 2 * 60 * FPS
    fast = {"preset": "ultrafast", "crf": "28"}
    assert make_clip(tmp_path / "ten seconds.mp4", 10, MEMORY_SIZE, fast) == short_n
    assert make_clip(tmp_path / "two minutes.mp4", 120, MEMORY_SIZE, fast) == long_n
    short, peak_short = peak_rss_of_score(tmp_path / "ten seconds.mp4", tmp_path / "short")
    _check_exact(tmp_path / "short", short, short_n)
    long, peak_long = peak_rss_of_score(tmp_path / "two minutes.mp4", tmp_path / "long")
    _check_exact(tmp_path / "long", long, long_n)
    print(f"peak RSS: 10 s {peak_short / 1024:.0f} MB, 2 min {peak_long / 1024:.0f} MB; "
          f"frames {short['frames']} and {long['frames']}")
    assert peak_long - peak_short < FLAT_KB, (peak_short, peak_long)
    # The loop repeats one held lunge: the long run judges it as the short one does.
    assert long["checks"]["front_knee_angle"]["median"] == pytest.approx(
        short["checks"]["front_knee_angle"]["median"], abs=2)
