"""The overlay's annotators: labels that never overlap, a cue that hides no judged joint, units,
the joint a check is about in its colour, aligned help, one meaning for the timer.

The pure tests draw on stick figures with exactly known angles; the ``model`` tests draw on
the real model's landmarks of the sample clips the issues name (knees to chest, the lunge,
the frog's feet), frame by frame, and check the rectangles the annotators claimed.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from posecheck.core.landmarks import Landmark as L
from posecheck.judge.status import Status
from posecheck.render.overlay import (
    STATUS_BGR,
    Box,
    CueAnnotator,
    HelpAnnotator,
    OverlayData,
    OverlayInfo,
    TimerAnnotator,
    compose,
    draw_overlay,
    help_columns,
    value_text,
)
from posecheck.render.overlay.style import BONE_BGR
from posecheck.session.session import Mode
from posecheck.specs import SpecLibrary
from posecheck.track.tracker import PoseTracker

from .. import factories as f
from ..conftest import sample

LIB = SpecLibrary()
BLANK = np.full((720, 1280, 3), 110, np.uint8)  # a mid grey: every status colour stands out on it


def _verdict(spec_id: str, frame):  # noqa: ANN001, ANN202
    return PoseTracker.for_stills(LIB.get(spec_id)).update(frame)


def _labels(data: OverlayData) -> list[Box]:
    return data.layout.boxes("label:")


def _assert_apart(data: OverlayData) -> None:
    """Every label inside the frame, clear of every other label and of every panel."""
    labels = [(w, b) for w, b in data.layout.claimed if w.startswith("label:")]
    panels = [(w, b) for w, b in data.layout.claimed if not w.startswith("label:")]
    for what, box in labels:
        assert box.inside(data.layout.width, data.layout.height), (what, box)
        for other, panel in panels:
            assert not box.overlap(panel), (what, box, other, panel)
    for (w1, b1), (w2, b2) in itertools.combinations(labels, 2):
        assert not b1.overlap(b2), (w1, b1, w2, b2)


# -- pure: stick figures ---------------------------------------------------------------------------


def test_a_knee_angle_fault_colours_the_knee_not_the_hip():
    frame = f.lunge(knee_angle=135.0)  # the front knee far too open: off
    v = _verdict("kneeling_lunge", frame)
    assert v.check("front_knee_angle").status is Status.OFF
    out = draw_overlay(BLANK, frame, v, OverlayInfo(title="Kneeling lunge"))
    knee, hip = frame.pixels[L.LEFT_KNEE].astype(int), frame.pixels[L.LEFT_HIP].astype(int)
    assert tuple(out[knee[1], knee[0]]) == STATUS_BGR[Status.OFF]
    # The hip is measured by the knee's angle but is not what the check is about: a plain dot.
    assert np.abs(out[hip[1], hip[0]].astype(int) - BONE_BGR).max() <= 2, out[hip[1], hip[0]]


def test_angle_labels_carry_degrees_and_ratios_read_as_words():
    v = _verdict("kneeling_lunge", f.lunge(knee_angle=90.0, shin_tilt=-20.0))  # knee behind the ankle
    texts = {c.id: value_text(c) for c in v.checks}
    assert texts["front_knee_angle"].endswith("→ 90°") and "°" in texts["front_knee_angle"].split("→")[0]
    assert texts["torso_upright"].endswith("→ 0°")
    # sin(20°) = 0.34 shin lengths behind: the nearest plain fraction is a third.
    assert texts["knee_over_ankle"] == "knee ⅓ shin behind ankle"
    assert v.check("knee_over_ankle").value == pytest.approx(-0.34, abs=0.02)  # the exact ratio stays
    ahead = _verdict("kneeling_lunge", f.lunge(knee_angle=90.0, shin_tilt=15.0))
    assert value_text(ahead.check("knee_over_ankle")) == "knee ¼ shin ahead of ankle"
    lifted = _verdict("kneeling_lunge", f.lunge(back_knee_lift=0.5))
    assert value_text(lifted.check("back_knee_down")) == "knee ½ thigh above ankle"


def test_many_labels_on_one_joint_never_overlap():
    """Every check of a pose drawn at one crowded corner: each label still finds a place of its own."""
    spec = LIB.get("kneeling_lunge")
    frame = f.lunge(size=(640, 360))
    v = _verdict("kneeling_lunge", frame)
    knee = v.check("front_knee_angle").anchor
    from dataclasses import replace

    crowded = replace(v, checks=tuple(replace(c, anchor=knee) for c in v.checks))
    assert len(crowded.checks) == len(spec.checks) == 5
    _, data = compose(BLANK[:360, :640], frame, crowded, OverlayInfo(title=spec.title, cue="Hold it.",
                                                                     hold_s=3, hold_target_s=30))
    assert len(_labels(data)) == 5
    _assert_apart(data)


def test_the_cue_moves_up_when_the_bottom_holds_a_judged_joint():
    frame = f.lunge()  # a side view: the feet low in the frame
    v = _verdict("kneeling_lunge", frame)
    cue = "Your front knee is bent past 90°: slide your front foot a little further forward."
    _, data = compose(BLANK, frame, v, OverlayInfo(title="Kneeling lunge", cue=cue))
    band = data.layout.boxes("cue")[0]
    assert band.y1 < 720 / 2, band  # at the top: the feet are in the bottom band's rows
    judged = [frame.pixels[i] for i in data.judged]
    assert judged and not any(band.contains(x, y) for x, y in judged)
    # A figure high in the frame (feet at mid-height) leaves the bottom free: the cue stays there,
    # like subtitles.
    from posecheck.core.frame import PoseFrame

    tall = f.lunge(size=(1280, 1100))
    shift = np.nanmax(tall.pixels[:, 1]) - 360
    high = PoseFrame.from_pixels(tall.pixels - (0, shift), (1280, 720), visibility=tall.visibility)
    _, data = compose(BLANK, high, _verdict("kneeling_lunge", high), OverlayInfo(cue=cue))
    assert data.layout.boxes("cue")[0].y1 == 720


def test_help_is_two_aligned_columns():
    from posecheck.app.live import HELP_LINES

    lines = (*HELP_LINES, "n         next step (skip this hold, or the rest)")
    assert help_columns(lines[0]) == ("q / Esc", "quit")
    out = HelpAnnotator().annotate(np.zeros((720, 1280, 3), np.uint8),
                                   OverlayData.of((720, 1280), f.lunge(), None, OverlayInfo(help_lines=lines)))
    # Per line, where its second column starts: the first ink after a gap wider than a space.
    panel = (out.max(axis=2) > 200)
    rows = np.flatnonzero(panel.any(axis=1))
    bands = np.split(rows, np.flatnonzero(np.diff(rows) > 3) + 1)
    assert len(bands) == len(lines)
    starts = []
    for band in bands:
        cols = np.flatnonzero(panel[band].any(axis=0))
        gaps = np.flatnonzero(np.diff(cols) > 14)  # a space at 26 px is ~8 px wide; the column gap is 24
        starts.append(int(cols[gaps[0] + 1]))
    # Glyphs start a pixel or two into their box ('q' vs 'f'), no more.
    assert max(starts) - min(starts) <= 3, starts


def test_the_timer_counts_good_form_and_shows_the_time_in_the_pose_apart():
    assert TimerAnnotator.label(0.0, 30) == "good form 0 s / 30 s"
    assert TimerAnnotator.label(29.97, 30) == "good form 29 s / 30 s"  # not "30" before it is reached
    assert TimerAnnotator.label(30.0, 30) == "good form 30 s / 30 s"
    assert TimerAnnotator.label(4.2, None) == "good form 4 s"


def test_the_session_gives_the_timer_good_form_time_and_the_time_in_the_pose():
    """A lunge held with the knee too open: in the pose for seconds, the timer stays at 0."""
    spec = LIB.get("kneeling_lunge")
    session = Mode.pose(spec).session(fps=10.0)
    shown = []
    for i in range(40):
        for sf in session.push(f.lunge(knee_angle=130.0, timestamp=i / 10), i):
            shown.append(OverlayInfo.of(sf))
    assert all(s.hold_s == 0.0 for s in shown)
    assert shown[-1].pose_s > 2.5  # in the pose (a bad lunge is still a lunge), not in good form
    assert session.summary("x").time_in_good_form_s == 0.0


# -- real frames: the model on the named sample clips ---------------------------------------------


def _real(clip: str, pose: str, model_landmarks):  # noqa: ANN001, ANN202
    """(image, frame, session frame) for every frame of a sample clip, judged as ``pose``."""
    import av

    from posecheck.io.landmarks_file import read_raw

    header, raws = read_raw(model_landmarks(sample(clip)))
    with av.open(str(sample(clip))) as c:
        images = [fr.to_ndarray(format="bgr24") for fr in c.decode(video=0)]
    session = Mode.pose(LIB.get(pose)).session(fps=header.fps or 24.0)
    # A recording's session answers a frame about half a second after it gets it (the zero-lag
    # filter looks ahead) and the rest at the flush: each answer is drawn on its own frame's
    # picture and landmarks, as score draws them, never on the frame just pushed.
    frames = {}
    judged = []
    for i, raw in raws:
        frames[i] = raw.to_frame()
        judged += session.push(frames[i], i)
    judged += session.flush()
    return [(images[sf.index], frames[sf.index], sf) for sf in judged]


@pytest.mark.model
@pytest.mark.parametrize("clip,pose", [("knees_to_chest_side.mp4", "knees_to_chest"),
                                       ("lunge_side_drift_right.mp4", "kneeling_lunge"),
                                       ("lunge_side_120_left.mp4", "kneeling_lunge")])
def test_labels_never_overlap_on_real_frames(clip, pose, model_landmarks):
    frames = _real(clip, pose, model_landmarks)
    assert len(frames) > 60
    drawn = 0
    for image, frame, sf in frames:
        for mirror in (False, True):
            _, data = compose(image, frame, sf.verdict, OverlayInfo.of(sf), mirror=mirror)
            _assert_apart(data)
            drawn += len(_labels(data))
            # Every check whose joint is visible gets its label: none was left out for want of room.
            shown = sum(1 for c in sf.verdict.checks if c.anchor is not None and data.visible[c.anchor])
            assert len(_labels(data)) == shown
    assert drawn > 3 * len(frames)


@pytest.mark.model
def test_the_cue_hides_none_of_the_frogs_judged_joints(model_landmarks):
    frames = _real("frog_backhigh_90.mp4", "frog", model_landmarks)
    two_lines = "Spread your knees wider apart, and let your hips sink back toward your heels."
    moved = 0
    for image, frame, sf in frames:
        info = OverlayInfo(title="Frog", cue=two_lines, hold_s=sf.hold_s, hold_target_s=sf.hold_target_s)
        _, data = compose(image, frame, sf.verdict, info)
        band = data.layout.boxes("cue")[0]
        assert band.height > 90  # two lines at 540p
        assert not [i for i in data.judged if band.contains(*data.px[i])], sf.index
        feet = [lm for lm in (L.LEFT_HEEL, L.RIGHT_HEEL, L.LEFT_FOOT_INDEX, L.RIGHT_FOOT_INDEX) if data.visible[lm]]
        assert feet and not [lm for lm in feet if band.contains(*data.px[lm])], sf.index
        moved += band.y0 < image.shape[0] / 2
    # Filmed from behind and above, the feet are at the bottom: the band goes to the top.
    assert moved == len(frames)


def test_a_cue_band_never_covers_the_header_or_timer():
    frame = f.lunge()
    info = OverlayInfo(title="Kneeling lunge", cue="Hold it.", hold_s=3, hold_target_s=30, pose_s=5,
                       note="voice on")
    _, data = compose(BLANK, frame, _verdict("kneeling_lunge", frame), info)
    band = data.layout.boxes("cue")[0]
    for panel in data.layout.boxes("header") + data.layout.boxes("timer"):
        assert not band.overlap(panel)
    assert CueAnnotator().bands(data, band.height)["top"].y0 >= max(b.y1 for b in data.layout.boxes("timer"))


def test_draw_overlay_keeps_the_image_and_draws_a_copy():
    img = BLANK.copy()
    out = draw_overlay(img, f.lunge(), None, OverlayInfo(title="x"))
    assert (img == BLANK).all() and out.shape == img.shape and (out != img).any()
    mirrored = draw_overlay(img, f.lunge(), None, OverlayInfo(), mirror=True)
    assert mirrored.shape == img.shape
