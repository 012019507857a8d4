"""The person followed and their left and right, as pure logic on stick figures."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from posecheck.core.body import analyse_body
from posecheck.core.frame import PoseFrame
from posecheck.core.landmarks import Landmark as L
from posecheck.track.identity import CHANGED, ODD, LeftRight, PersonContinuity, swap_group

from .. import factories as f

FPS = 30.0


def _shifted(frame: PoseFrame, dx: float, t: float, grow: float = 1.0) -> PoseFrame:
    px = frame.pixels.copy()
    centre = np.nanmean(px, axis=0)
    px = centre + (px - centre) * grow + np.array([dx, 0.0])
    return PoseFrame.from_pixels(px, frame.image_size, t, visibility=0.99)


def test_a_body_five_torsos_away_two_frames_later_is_someone_else():
    # The Sports2D demo's switch: the hip midpoint moves 679 px, about five torso lengths,
    # across one frame without a person (169 -> 171).
    person, lunge = PersonContinuity(), f.lunge(size=(4000, 720))
    scale = 208.0
    walked = [person(_shifted(lunge, 8.0 * i, i / FPS).pixels, np.ones(33, bool), i / FPS, scale)
              for i in range(10)]
    assert walked == [None] * 10  # 8 px a frame: walking
    jumped = _shifted(lunge, 72.0 + 5 * scale, 11 / FPS)
    assert person(jumped.pixels, np.ones(33, bool), 11 / FPS, scale) == CHANGED


def test_a_body_twice_the_size_is_not_plausible_and_someone_else_once_it_lasts():
    person, lunge = PersonContinuity(settle_s=0.3), f.lunge(size=(2000, 1400))
    seen = np.ones(33, bool)
    assert person(lunge.pixels, seen, 0.0, 208.0) is None
    big = _shifted(lunge, 0.0, 0.0, grow=2.0).pixels
    # A misfit for a frame or two: not this body, not yet someone else.
    answers = [person(big, seen, i / FPS, 208.0) for i in range(1, 12)]
    assert answers[:9] == [ODD] * 9 and answers[9] == CHANGED and answers[10] is None
    # Nobody for two seconds: whoever comes is followed from scratch, nothing is claimed.
    assert person(_shifted(lunge, 600.0, 3.0).pixels, seen, 3.0, 208.0) is None


def _front(t: float, legs_swapped: bool = False) -> PoseFrame:
    frame = dataclasses.replace(f.lunge_from_front(), timestamp=t)
    return swap_group(frame, "legs") if legs_swapped else frame


def test_legs_the_model_swaps_for_a_few_frames_are_swapped_back_and_not_named_for_a_while():
    lr = LeftRight(doubt_s=1.0)
    truth = f.lunge_from_front()
    for i in range(10):
        frame, fixed = lr.update(_front(i / FPS), analyse_body(_front(i / FPS)), 208.0)
        assert fixed == () and lr.sides_named
    for i in range(10, 15):  # the demo's 68-72: five frames with the legs the wrong way round
        frame, fixed = lr.update(_front(i / FPS, legs_swapped=True), None, 208.0)
        assert fixed == ("legs",)
        assert np.allclose(frame.pixels[L.LEFT_KNEE], truth.pixels[L.LEFT_KNEE])
        assert not lr.sides_named
    frame, fixed = lr.update(_front(15 / FPS), analyse_body(_front(15 / FPS)), 208.0)
    assert fixed == () and not lr.sides_named  # a second of doubt after a swap
    lr.update(_front(1.6), analyse_body(_front(1.6)), 208.0)
    assert lr.sides_named


def test_a_new_naming_the_model_keeps_is_taken():
    lr = LeftRight(keep_s=0.5)
    for i in range(5):
        lr.update(_front(i / FPS), None, 208.0)
    fixed = [lr.update(_front(i / FPS, legs_swapped=True), None, 208.0)[1] for i in range(5, 40)]
    # Swapped back for half a second (15 frames), then the model's naming is taken.
    assert fixed[:15] == [("legs",)] * 15 and fixed[16:] == [()] * 19


@pytest.mark.parametrize("near_longer,named", [(1.08, True), (1 / 1.08, False)])
def test_from_the_side_sides_are_named_once_perspective_confirms_them(near_longer, named):
    # Facing image-right, the person's right side faces the camera: its leg is nearer and
    # looks longer (by 6-15% in the samples). Legs named the other way round look shorter.
    lr = LeftRight()
    base = f.lunge(front="left")
    assert analyse_body(base).near_side == "right"
    rng = np.random.default_rng(1)
    for i in range(24):
        px = base.pixels.copy()
        hip = px[L.RIGHT_HIP]
        for part in ("knee", "ankle", "heel", "foot_index"):
            lm = L.of("right", part)
            px[lm] = hip + (px[lm] - hip) * near_longer
        px += rng.normal(0.0, 1.0, px.shape)  # a little landmark noise
        frame = PoseFrame.from_pixels(px, base.image_size, i / FPS, visibility=0.99)
        lr.update(frame, analyse_body(frame), 208.0)
    assert lr.sides_named is named


def _side_frame(t: float, near_longer: float, rng: np.random.Generator) -> PoseFrame:
    base = f.lunge(front="left")
    px = base.pixels.copy()
    hip = px[L.RIGHT_HIP]
    for part in ("knee", "ankle", "heel", "foot_index"):
        lm = L.of("right", part)
        px[lm] = hip + (px[lm] - hip) * near_longer
    px += rng.normal(0.0, 1.0, px.shape)
    return PoseFrame.from_pixels(px, base.image_size, t, visibility=0.99)


def _named(lr: LeftRight, times, near_longer: float, rng) -> list[bool]:  # noqa: ANN001
    out = []
    for t in times:
        frame = _side_frame(t, near_longer, rng)
        lr.update(frame, analyse_body(frame), 208.0)
        out.append(lr.sides_named)
    return out


def test_names_once_confirmed_hold_through_a_second_of_misfit_but_not_a_gap_or_lasting_contrary_evidence():
    """Live, the model misfit a still lunge's near leg 20% short for a second in three (the
    samples, MediaPipe's smoothing on): the names went unnamed for seconds after each, though
    nothing about the legs had changed (issue 18)."""
    rng = np.random.default_rng(2)
    lr = LeftRight()
    first = _named(lr, [i / FPS for i in range(30)], 1.08, rng)
    assert first[-1] and not first[0]  # confirmed by the evidence, not assumed
    # A second of the near leg read 20% short: still named.
    assert all(_named(lr, [1 + i / FPS for i in range(30)], 0.8, rng))
    assert all(_named(lr, [2 + i / FPS for i in range(15)], 1.08, rng))
    # Near leg shorter for seconds on end: the evidence is clearly against the names.
    assert not _named(lr, [2.5 + i / FPS for i in range(150)], 0.8, rng)[-1]
    # Confirmed, held through a second of misfit, then a gap of 0.7 s (a swap in it would not have
    # been seen): the hold ends, and the evidence of the last seconds, against, decides.
    lr = LeftRight()
    assert _named(lr, [i / FPS for i in range(30)], 1.08, rng)[-1]
    assert all(_named(lr, [1 + i / FPS for i in range(30)], 0.8, rng))
    assert _named(lr, [2.7], 0.8, rng) == [False]
