"""A run whose person was never in the pose is "not judged": no score, and no correction as its cue.

Real model landmarks of the sample clips (run once per clip by the ``model_landmarks``
fixture), re-scored against poses the person never got into.
"""

from __future__ import annotations

import json
import re

import pytest

from posecheck.app.score import ScoreOptions, score_replay
from posecheck.session.session import Mode
from posecheck.session.summary import OVER_ALL, OVER_POSE
from posecheck.specs import SpecLibrary

from ..cli_helpers import posecheck
from ..conftest import sample

pytestmark = pytest.mark.model

# Known gap (issues 17.4/18, open): since following the body and the zero-lag filter landed, the
# model's legs on lunge_side_behind_left are trusted again in its last 0.75 s (frames 54-71), where
# they are within 10-20 px of the truth, so those frames are judged as a lunge; but the back knee
# reads 0.19 against a true 0.07 and "Lower your back knee" comes back. Marked to fail until the
# clip is either judged right or set aside as a whole.
BEHIND_LEFT_GAP = pytest.mark.xfail(strict=True, reason="issue 17.4: late frames of lunge_side_behind_left judged, "
                                    "back knee misread")

NEVER = [
    # (clip, pose, side): the person is never in that pose
    pytest.param("lunge_side_behind_left", "kneeling_lunge", "auto",  # the model loses the legs
                 marks=BEHIND_LEFT_GAP),
    ("lunge_side_90_left", "kneeling_lunge", "right"),     # --side right on a left-leg lunge
    ("lunge_side_90_left", "frog", "auto"),                # a spec of another pose
    ("lunge_side_90_left", "pigeon", "auto"),
]


def _replay(model_landmarks, tmp_path, clip: str, pose: str, side: str):  # noqa: ANN001, ANN202
    spec = SpecLibrary().get(pose)
    out = tmp_path / f"{clip}-{pose}-{side}"
    result = score_replay(model_landmarks(sample(f"{clip}.mp4")), Mode.pose(spec, side), out,
                          ScoreOptions(video=False))
    return spec, out, result.summary


@pytest.mark.parametrize("clip,pose,side", NEVER)
def test_never_in_the_pose_is_not_judged_and_not_corrected(model_landmarks, tmp_path, clip, pose, side):
    spec, out, s = _replay(model_landmarks, tmp_path, clip, pose, side)
    assert s.time_in_pose_s == 0.0
    assert s.score is None  # was 0.0: "judged, all wrong"
    assert json.loads((out / "summary.json").read_text())["score"] is None
    assert s.checks_over == OVER_ALL
    # Corrections as the spec words them; a placeholder ({side}, {value}...) matches anything.
    corrections = [re.compile(re.sub(r"\\\{\w+\\\}", ".*", re.escape(t)) + "$")
                   for ch in spec.checks for t in (ch.cues.below, ch.cues.above) if t]
    for cid, c in s.checks.items():
        # The most common cue, if any, is a camera or visibility instruction: never a correction
        # of a pose the person never entered.
        if c.most_common_cue is not None:
            assert not any(p.match(c.most_common_cue) for p in corrections), (cid, c.most_common_cue)


def test_in_the_pose_it_is_judged_and_corrected_as_before(model_landmarks, tmp_path):
    _, _, s = _replay(model_landmarks, tmp_path, "lunge_side_90_left", "low_lunge", "auto")
    assert s.checks_over == OVER_POSE and s.time_in_pose_s > 2.0
    assert s.score is not None and s.score > 80
    assert s.checks["back_knee_hover"].most_common_cue == "Lift your back knee so it hovers just above the mat."


@BEHIND_LEFT_GAP
def test_the_terminal_says_not_judged(model_landmarks, tmp_path):
    landmarks = model_landmarks(sample("lunge_side_behind_left.mp4"))
    run = posecheck("score", "--replay", str(landmarks), "--pose", "kneeling_lunge", "--out", str(tmp_path / "o"),
                    env={"COLUMNS": "80"})
    assert run.code == 0, run.err
    headline = run.out.splitlines()[1]
    assert headline.startswith("not judged: never in the pose · in the pose 0.0 s")
    assert "0/100" not in run.out
    assert "checks, over all frames, never in the pose" in run.out
    assert "Lower your back knee onto the mat." not in run.out  # the correction it used to give (36% near)
