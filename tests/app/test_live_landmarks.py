"""A live session keeps its landmarks compressed, and a replay of them gives exactly the live numbers."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from posecheck.io.landmarks_file import read_raw

from ..cli_helpers import posecheck
from ..conftest import sample

pytestmark = pytest.mark.model

FIGURES = ("score", "frames", "time_in_pose_s", "time_in_good_form_s", "time_not_judged_s", "holds", "sides",
           "checks", "checks_over", "most_common_camera_cue")


def _version_1_size(path: Path) -> int:
    """The size the same frames took as version 1 wrote them: plain JSON, every value with ``repr``."""
    header, frames = read_raw(path)
    size = len(json.dumps({**header.to_json(), "version": 1}, separators=(",", ":"))) + 1

    def table(a) -> list:  # noqa: ANN001
        return [[float(v) if math.isfinite(v) else None for v in row] for row in a.tolist()]

    for index, raw in frames:
        line = {"frame": index, "t": raw.timestamp, "landmarks": None, "world": None}
        if raw.xyz is not None:
            import numpy as np

            presence = raw.presence if raw.presence is not None else np.full(33, np.nan)
            line["landmarks"] = table(np.column_stack([raw.xyz, raw.visibility, presence]))
            line["world"] = None if raw.world is None else table(raw.world)
        size += len(json.dumps(line, separators=(",", ":"))) + 1
    return size


def test_live_landmarks_are_compact_and_replay_bit_for_bit(tmp_path):
    sessions = tmp_path / "sessions"
    run = posecheck("live", "--pose", "kneeling_lunge", "--source", str(sample("lunge_side_90_left.mp4")),
                    "--headless", "--record", str(tmp_path / "rec.mp4"), "--sessions", str(sessions),
                    "--no-history", env={"POSECHECK_HOME": str(tmp_path / "home")})
    assert run.code == 0, run.err
    (session,) = list(sessions.iterdir())
    names = sorted(p.name for p in session.iterdir())
    assert "landmarks.jsonl.gz" in names and "landmarks.jsonl" not in names
    gz = session / "landmarks.jsonl.gz"
    assert gz.read_bytes()[:2] == b"\x1f\x8b"
    live = json.loads((session / "summary.json").read_text())
    _, frames = read_raw(gz)
    # Live drops frames to keep real time, so on a loaded machine it judges as few as 10 of the
    # clip's 72 (seen at load 19 on 2 cores); the figures below hold for any number of frames.
    assert len(list(frames)) == live["frames"] >= 5

    # Compact: float32 numbers written shortest, then gzip. Measured 3.8x smaller than the plain
    # version-1 text on the real model's landmarks of this clip; 3x leaves room for other bodies.
    ratio = _version_1_size(gz) / gz.stat().st_size
    assert ratio > 3.0, ratio

    # `score --replay` reads the compressed file and gives exactly the live session's figures.
    again = posecheck("score", "--replay", str(gz), "--pose", "kneeling_lunge", "--out", str(tmp_path / "again"), "-q")
    assert again.code == 0, again.err
    replayed = json.loads((tmp_path / "again" / "summary.json").read_text())
    for key in FIGURES:
        assert replayed[key] == live[key], key
