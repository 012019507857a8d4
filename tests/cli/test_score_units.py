"""Units in ``score``'s summary table: degrees carry their sign, ratios stay plain shares."""

from __future__ import annotations

import json
import re

import pytest

from ..cli_helpers import posecheck
from ..conftest import sample


@pytest.mark.model
def test_the_medians_and_targets_of_angles_carry_degrees(tmp_path, model_landmarks):
    landmarks = model_landmarks(sample("lunge_side_120_left.mp4"))
    run = posecheck("score", "--replay", str(landmarks), "--pose", "kneeling_lunge", "--out", str(tmp_path / "o"),
                    "--no-history")
    assert run.code == 0, run.err
    s = json.loads((tmp_path / "o" / "summary.json").read_text())
    knee = s["checks"]["front_knee_angle"]
    assert knee["unit"] == "deg" and s["checks"]["knee_over_ankle"]["unit"] == "ratio"
    row = next(line for line in run.out.splitlines() if "front_knee_angle" in line)
    assert re.search(rf"\b90°\s.*\b{round(knee['median'])}°", row), row
    ratio = next(line for line in run.out.splitlines() if "knee_over_ankle" in line)
    assert "°" not in ratio
