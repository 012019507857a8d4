"""The pose library (issue 6, part A): twelve specs, and the real model on each new pose's
labelled clips, compared with the truth as in ``test_accuracy.py``.

Thresholds are the measured figures (MediaPipe 0.10.21, ``model_complexity=1``, on the
clips of ``samples/``; numbers in the comments) with a margin for run-to-run and
platform jitter, not promises beyond them. Where the landmark model cannot judge a
pose (a limb hidden behind the body, a view it misreads), what is tested is the honest
answer: ``unknown`` with a camera instruction, never an ``off`` verdict where the truth
expects ``unknown``.
"""

from __future__ import annotations

import pytest

from posecheck.specs import SpecLibrary
from tools.evaluation import evaluate_clip

from ..cli_helpers import posecheck
from ..conftest import sample, truth

POSES = ("kneeling_lunge", "low_lunge", "frog", "knees_to_chest", "happy_baby", "pigeon", "camel",
         "childs_pose", "constructive_rest", "garland", "reclined_cobbler", "tree")
VIEWS = {"side", "front", "back-high", "any"}


def test_twelve_specs_load_each_with_source_view_and_checks():
    lib = SpecLibrary()
    assert {s.id for s in lib} == set(POSES)
    for pose in POSES:
        spec = lib.get(pose)
        assert spec.source and spec.view in VIEWS and spec.checks, pose


def test_specs_list_shows_twelve():
    run = posecheck("specs", "list")
    assert run.code == 0, run.err
    assert "12 poses" in run.out


# clip -> check -> (largest median absolute error, measured median error).
# Degrees for joint angles, segment lengths for ratios and heights.
ACCURACY = {
    "knees_to_chest_side.mp4": {
        "lying_flat": (0.12, 0.076),
        "knees_to_chest": (4.0, 0.83),
        "knees_bent": (11.0, 7.7),          # the model bends the knee ~8° less than the rig
        "hands_round_legs": (0.25, 0.165),
    },
    "happy_baby_side_left.mp4": {        # 70 of 72 frames judged on the legs
        "lying_flat": (0.06, 0.021),
        "knees_to_armpits": (6.0, 3.96),
        "knees_bent": (11.0, 8.0),
        "hands_on_feet": (0.12, 0.055),
    },
    "constructive_rest_side.mp4": {
        "lying_flat": (0.18, 0.131),
        "knees_bent": (10.0, 6.1),
        "feet_down": (0.16, 0.109),
    },
    "camel_side.mp4": {
        # Measured away from the hip, whose landmark the model puts on the front of the pelvis
        # (angles at the hip read 13° and 20° off: see pose_specs/camel.yaml).
        "hips_over_knees": (0.02, 0.005),
        "chest_arched_back": (4.0, 2.0),
        "hands_to_heels": (0.06, 0.019),
    },
    "childs_pose_side_left.mp4": {
        "sit_on_heels": (6.0, 3.44),
        "torso_folded": (7.0, 4.9),         # on the ear: the model slides its shoulder along the arms
        "forehead_down": (0.1, 0.060),      # on the ear: with the face on the mat the nose is guessed
    },
    "garland_front.mp4": {
        # Ratios over the shoulder width: over the (short) hip width the model's hip landmarks'
        # error was magnified to 0.64 and 0.18 (pose_specs/garland.yaml).
        "knees_wide": (0.25, 0.140),
        "deep_squat": (0.15, 0.103),
    },
    "tree_front.mp4": {
        "knee_turned_out": (0.45, 0.334),
        "foot_lifted": (0.45, 0.351),
    },
    "pigeon_side_left.mp4": {
        # judged only in the 36 of 72 frames the model shows the body in profile (below)
        "back_leg_straight": (5.0, 2.75),
        "hips_lowered": (0.06, 0.039),
    },
}

# Clips of the new poses where the truth expects no verdict at all: the pose filmed from
# the side whose limbs it measures are hidden, or from a view its spec does not accept.
# Measured: every such check unknown in 72 of 72 frames, each with the camera instruction
# ("I can't see your left knee clearly: turn your left side to the camera." /
# "Turn sideways to the camera.").
UNJUDGEABLE = {
    "happy_baby_side.mp4": "filmed from the right; the spec measures the left leg, hidden behind the right",
    "childs_pose_side.mp4": "filmed from the right; the spec measures the left leg, hidden behind the right",
    "pigeon_front_left.mp4": "pigeon filmed from the front: the spec needs a side view",
}

# Clips where the landmark model itself cannot make out the pose, so the tool mostly says
# it cannot see although the truth has verdicts: the reclined cobbler from the feet end
# (the model reads the view as oblique, side, back and front in turn, 70 of 72 frames
# unknown with "Face the camera.") and the pigeon from the side (the first 36 frames read
# as not in profile: "Turn sideways to the camera.").
MOSTLY_UNSEEN = {"reclined_cobbler_front.mp4": 0.0, "pigeon_side_left.mp4": 0.4}  # least share judged

NEW_CLIPS = sorted(set(ACCURACY) | set(UNJUDGEABLE) | set(MOSTLY_UNSEEN))


@pytest.fixture(scope="module")
def results(model_landmarks):
    lib = SpecLibrary()
    made = model_landmarks.many([sample(name) for name in NEW_CLIPS])
    return {name: evaluate_clip(sample(name), lib, made[sample(name).resolve()]) for name in NEW_CLIPS}


@pytest.mark.model
@pytest.mark.parametrize("clip,check", [(c, k) for c, checks in ACCURACY.items() for k in checks])
def test_median_error_and_status_agreement(results, clip, check):
    a = results[clip][check]
    limit, _measured = ACCURACY[clip][check]
    share = MOSTLY_UNSEEN.get(clip, 0.9)
    assert a.judged >= share * a.frames, (a.judged, a.frames)
    assert a.median_error <= limit, (a.median_error, limit)
    # Every verdict given agrees with the truth's status (or its neighbour at a band edge).
    assert a.status_agree >= 0.95 * a.judged, (a.status_agree, a.judged)


@pytest.mark.model
@pytest.mark.parametrize("clip", sorted(UNJUDGEABLE))
def test_hidden_or_wrong_view_gives_camera_instruction_never_a_verdict(results, clip):
    # The limb checks; a check on the shoulders and hips alone (lying_flat) is still judged
    # from the wrong side, as it should be.
    hidden = {check: a for check, a in results[clip].items() if a.unknown_expected}
    assert len(hidden) >= 2, clip
    for check, a in hidden.items():
        assert a.unknown_expected == a.frames, (clip, check, "the truth should expect unknown throughout")
        assert a.off_when_unknown_expected == 0, (clip, check)
        assert a.judged == 0, (clip, check, a.judged)
        assert a.unknown_with_camera_cue >= 0.9 * a.frames, (clip, check, a.unknown_with_camera_cue)


@pytest.mark.model
@pytest.mark.parametrize("clip", NEW_CLIPS)
def test_never_off_where_unknown_is_expected_and_few_wrong_verdicts(results, clip):
    for check, a in results[clip].items():
        assert a.off_when_unknown_expected == 0, (clip, check)
        # Verdicts that disagree with the truth (judged frames whose status is not right):
        # measured 0 on every clip but the reclined cobbler (2 frames of 72, the two
        # frames the model briefly reads the view as front).
        wrong = a.judged - a.status_agree
        assert wrong <= max(2, 0.05 * a.frames), (clip, check, wrong, a.frames)


def test_truth_files_of_the_new_clips_have_checks_for_every_spec_check():
    lib = SpecLibrary()
    for clip in NEW_CLIPS:
        t = truth(clip)
        spec = lib.get(t["pose"])
        ids = {c.id for c in spec.checks}
        assert all(set(f["checks"]) == ids for f in t["per_frame"]), clip
