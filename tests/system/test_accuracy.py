"""End-to-end accuracy: the real model on every labelled sample, compared with its truth.

Thresholds are the project's promises (issue 5); `benchmarks/accuracy.py` prints the
same comparison in full for `docs/accuracy.md`.

Two clips are ones where the landmark model itself loses the legs (both legs in the
same dark leggings): in `lunge_side_behind_left` it puts the front ankle on the back
leg and folds both knees together for most of the clip; in `low_lunge_side_left` both
legs collapse toward the hips in frames 38-44 and 56. No geometry after the model
can recover those frames, so the accuracy figures below are taken on the other clips,
and for those two the test is what a user must get instead: "can't see", not a
confident wrong verdict (`test_when_the_model_loses_the_legs_the_tool_mostly_says_so`).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from posecheck.specs import SpecLibrary
from tools.evaluation import evaluate_clip, labelled_clips

from ..conftest import SAMPLES

pytestmark = pytest.mark.model

#: Clips where the landmark model itself loses the legs, with why (samples/model_failures.json).
MODEL_LOSES_LEGS = set(json.loads((SAMPLES / "model_failures.json").read_text()))
KEY_CHECKS = {
    "kneeling_lunge": ("front_knee_angle", "knee_over_ankle"),
    "low_lunge": ("front_knee_angle", "knee_over_ankle"),
    "frog": ("left_shin_thigh_angle", "right_shin_thigh_angle"),
}


@pytest.fixture(scope="module")
def results(model_landmarks):
    lib = SpecLibrary()
    clips = labelled_clips(SAMPLES, lib)
    assert len(clips) >= 12, "the labelled sample set is missing (see samples/README.md)"
    made = model_landmarks.many(clips)
    return {clip.name: evaluate_clip(clip, lib, made[clip.resolve()]) for clip in clips}


def _tracked(results):
    return {k: v for k, v in results.items() if k not in MODEL_LOSES_LEGS}


def _right_view(acc) -> bool:
    return acc.unknown_expected < acc.frames  # the truth expects verdicts


def test_side_view_lunge_front_knee_error(results):
    errors = [e for r in _tracked(results).values() for cid, a in r.items()
              if cid == "front_knee_angle" and a.view == "side" and _right_view(a) for e in a.errors]
    assert len(errors) > 300
    assert float(np.median(errors)) <= 6.0
    assert float(np.percentile(errors, 95)) <= 10.0


def test_knee_over_ankle_direction(results):
    accs = [r["knee_over_ankle"] for r in _tracked(results).values()
            if "knee_over_ankle" in r and r["knee_over_ankle"].view == "side"]
    agree = sum(a.sign_agree for a in accs)
    frames = sum(a.sign_frames for a in accs)
    assert frames > 300
    assert agree / frames >= 0.95, agree / frames


def test_frog_from_high_behind_shin_thigh_within_10_degrees(results):
    accs = [a for r in results.values() for cid, a in r.items()
            if cid.endswith("shin_thigh_angle") and a.view == "back-high" and _right_view(a)]
    assert len(accs) == 8  # four clips, two legs
    within = sum(round(a.share_within(10.0) * len(a.errors)) for a in accs)
    frames = sum(a.frames for a in accs)
    assert within / frames >= 0.90, within / frames


@pytest.mark.parametrize("pose", [
    # Known gap (issue 12): on lunge_side_drift_back_right the knee-over-ankle status lags the
    # knee drifting forward (near where the truth is off); strict, so it fails once fixed.
    pytest.param("kneeling_lunge", marks=pytest.mark.xfail(strict=True, reason="issue 12: verdicts lag movement")),
    "frog",
])
def test_statuses_match_expected(results, pose):
    for cid in KEY_CHECKS[pose]:
        accs = [r[cid] for r in _tracked(results).values() if cid in r and r[cid].pose == pose and _right_view(r[cid])]
        assert accs
        agree = sum(a.status_agree for a in accs) / sum(a.pose_frames for a in accs)
        assert agree >= 0.90, (pose, cid, agree)


def test_wrong_view_gives_camera_instruction_never_off(results):
    wrong = [a for r in results.values() for a in r.values() if not a.view_ok]
    assert len({a.clip for a in wrong}) >= 2, "expected the front-view lunge and front-floor frog"
    for a in wrong:
        assert a.off_when_unknown_expected == 0, (a.clip, a.check)
    share = sum(a.unknown_with_camera_cue for a in wrong) / sum(a.frames for a in wrong)
    assert share >= 0.90, share


def test_when_the_model_loses_the_legs_the_tool_mostly_says_so(results):
    for clip in MODEL_LOSES_LEGS:
        for cid in ("front_knee_angle", "knee_over_ankle"):
            a = results[clip][cid]
            wrong_verdicts = a.judged - a.status_agree
            assert wrong_verdicts / a.pose_frames <= 0.30, (clip, cid, wrong_verdicts, a.pose_frames)
