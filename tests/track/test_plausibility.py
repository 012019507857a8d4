"""Plausibility as pure logic, on stick figures: a joint is where a moving body could put it."""

from __future__ import annotations

import numpy as np

from posecheck.core.frame import PointFlag, PoseFrame
from posecheck.core.landmarks import Landmark as L
from posecheck.judge.assess import assess
from posecheck.judge.status import Reason
from posecheck.specs import SpecLibrary
from posecheck.track.follow import BodyFollower
from posecheck.track.plausibility import JointContinuity, LimbProportions, OwnLengths

from .. import factories as f

LUNGE = f.lunge(knee_angle=92)
SCALE = 208.0  # the lunge figure's torso in pixels
FPS = 24.0


def _seen(frame: PoseFrame) -> np.ndarray:
    return frame.visible(0.5)


def _moved(frame: PoseFrame, landmark: L, by: tuple[float, float]) -> np.ndarray:
    px = frame.pixels.copy()
    px[landmark] = px[landmark] + np.asarray(by)
    return px


def test_a_knee_that_jumps_for_one_frame_is_in_doubt_and_trusted_again_when_it_returns():
    test = JointContinuity()
    px, seen = LUNGE.pixels, _seen(LUNGE)
    for i in range(5):
        assert test(px, seen, i / FPS, SCALE) == set()
    # A knee a torso length away from where it was a frame before: no body moves like that.
    assert test(_moved(LUNGE, L.LEFT_KNEE, (0.0, SCALE)), seen, 5 / FPS, SCALE) == {L.LEFT_KNEE}
    assert test(px, seen, 6 / FPS, SCALE) == set()


def test_a_new_place_that_holds_is_trusted_after_settle_s():
    test = JointContinuity(settle_s=0.3)
    px, seen = LUNGE.pixels, _seen(LUNGE)
    for i in range(5):
        test(px, seen, i / FPS, SCALE)
    away = _moved(LUNGE, L.LEFT_ANKLE, (SCALE, 0.0))
    doubted = [bool(test(away, seen, i / FPS, SCALE)) for i in range(5, 20)]
    # In doubt from the jump until the new place has held 0.3 s (frame 5 + 7.2 frames).
    assert doubted == [True] * 8 + [False] * 7


def test_a_knee_raised_toward_the_camera_is_real_movement():
    # The front view of tree_front_leg_lift: the knee rises toward the camera, its thigh's
    # projected length falling from 99 to 39 px in 0.25 s. The jump guard took that for a
    # glitch and hid the knee; the knee's position moves smoothly, so it is trusted.
    test = JointContinuity()
    seen = np.ones(33, dtype=bool)
    hip, ankle = np.array([500.0, 300.0]), np.array([500.0, 500.0])
    for i in range(24):
        share = min(max((i - 6) / 6, 0.0), 1.0)  # over 6 frames (0.25 s)
        px = np.full((33, 2), 300.0)
        px[L.RIGHT_HIP], px[L.RIGHT_ANKLE] = hip, ankle
        px[L.RIGHT_KNEE] = hip + np.array([0.0, 99.0 - 60.0 * share])
        assert test(px, seen, i / FPS, 130.0) == set(), i


def test_a_limb_too_long_for_the_body_is_two_people_or_a_lost_joint():
    test = LimbProportions()
    assert test(LUNGE.pixels, _seen(LUNGE), SCALE) == set()
    px = _moved(LUNGE, L.RIGHT_WRIST, (2.0 * SCALE, 0.0))  # a forearm two torsos long
    assert test(px, _seen(LUNGE), SCALE) == {L.RIGHT_ELBOW, L.RIGHT_WRIST}


def test_a_shin_folded_onto_the_other_leg_in_profile_is_in_doubt_only_from_the_side():
    test = OwnLengths()
    px, seen = LUNGE.pixels, _seen(LUNGE)
    for i in range(10):
        assert test(px, seen, i / FPS, SCALE, side_view=True) == set()
    folded = LUNGE.pixels.copy()
    folded[L.LEFT_ANKLE] = folded[L.LEFT_KNEE] + 0.3 * (folded[L.LEFT_ANKLE] - folded[L.LEFT_KNEE])
    assert test(folded, seen, 10 / FPS, SCALE, side_view=True) == {L.LEFT_KNEE, L.LEFT_ANKLE}
    # From the front a shin really can point at the camera.
    assert test(folded, seen, 11 / FPS, SCALE, side_view=False) == set()


def test_implausible_joints_are_unknown_with_the_honest_answer_never_a_correction():
    follow = BodyFollower()
    for i in range(6):
        follow(PoseFrame.from_pixels(LUNGE.pixels, LUNGE.image_size, i / FPS, visibility=0.99))
    jumped = PoseFrame.from_pixels(_moved(LUNGE, L.LEFT_KNEE, (0.0, -SCALE)), LUNGE.image_size, 6 / FPS,
                                   visibility=0.99)
    out = follow(jumped)
    assert L.LEFT_KNEE in out.implausible and out.frame.flags[L.LEFT_KNEE] == PointFlag.IMPLAUSIBLE
    a = assess(out.frame, SpecLibrary().get("kneeling_lunge"))
    r = a["front_knee_angle"]
    assert r.reason is Reason.IMPLAUSIBLE and r.cue == "I can't see your legs clearly."
    assert a.camera_cue == "I can't see your legs clearly."


def test_a_joint_in_doubt_is_not_carried_on_at_its_speed_onto_the_glitch():
    # lunge_side_drift_back_right 74-91: the front foot's tip flickered 45 px left just before
    # the model folded the legs (79-82); carried on at that speed, the prediction met the
    # glitch's own place at 82, trusted it there, and doubted the real place for 0.3 s after.
    test = JointContinuity()
    seen = _seen(LUNGE)
    tip = L.RIGHT_FOOT_INDEX
    for i in range(5):
        test(LUNGE.pixels, seen, i / FPS, SCALE)
    step = -0.3 * SCALE  # a fast move, within one frame's allowance
    test(_moved(LUNGE, tip, (step, 0.0)), seen, 5 / FPS, SCALE)
    # Lost: far away, then drifting back along where the old speed would have carried it.
    for i, dx in ((6, -2.5), (7, -2.0), (8, -1.0)):
        assert tip in test(_moved(LUNGE, tip, (dx * SCALE, 0.0)), seen, i / FPS, SCALE), i
    # Where the last speed (about 0.3 torso lengths a frame, halved in its average) puts it
    # after 4 frames, but 0.75 from its last trusted place (allowed: 0.5 + 4/24): in doubt.
    assert tip in test(_moved(LUNGE, tip, (step - 0.75 * SCALE, 0.0)), seen, 9 / FPS, SCALE)
    # Back where it was before the flicker: trusted at once.
    assert tip not in test(LUNGE.pixels, seen, 10 / FPS, SCALE)
