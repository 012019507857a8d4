"""A recording's session filters its landmarks without lag; a live one smooths as it goes (stick figures)."""

from __future__ import annotations

import dataclasses

import numpy as np

from posecheck.core.frame import PoseFrame
from posecheck.judge.measure import measure
from posecheck.session.session import Arrived, Mode
from posecheck.session.smoothing import ZeroLagStage
from posecheck.specs import SpecLibrary
from posecheck.track.zerolag import RECORDING, ZeroLagFilter

from .. import factories as f

LIB = SpecLibrary()
SPEC = LIB.get("kneeling_lunge")
FPS = 24.0


def _noisy(frame: PoseFrame, rng: np.random.Generator, px: float = 1.5) -> PoseFrame:
    """The frame with the model's frame-to-frame noise (``px`` pixels)."""
    xy = frame.xy + rng.normal(0, px, frame.xy.shape) / np.array(frame.image_size)
    return dataclasses.replace(frame, xy=xy)


def _sinking(n: int = 96, seed: int = 5) -> list[PoseFrame]:
    """Sinking into the lunge at ~30°/s (knee 120° to 90°) and holding, with pixel noise."""
    rng = np.random.default_rng(seed)
    return [_noisy(f.lunge(knee_angle=max(90.0, 120.0 - 30.0 * i / FPS), timestamp=i / FPS), rng) for i in range(n)]


def _run(session, frames):  # noqa: ANN001, ANN202
    out, late = [], []
    for i, fr in enumerate(frames):
        got = session.push(fr, i)
        late.append(i - (got[-1].index if got else -1))
        out += got
    return out + session.flush(), late


def test_a_recording_answers_every_frame_in_order_at_most_the_filter_reach_late():
    frames = _sinking()
    out, late = _run(Mode.pose(SPEC).session(fps=FPS), frames)
    reach = ZeroLagFilter(RECORDING, FPS).reach
    assert [o.index for o in out] == list(range(len(frames)))
    assert max(late) == reach  # half a second at 24 fps: the pictures a front end holds stay few
    live, late_live = _run(Mode.pose(SPEC).session(fps=FPS, live=True), frames)
    assert max(late_live) == 0 and [o.index for o in live] == list(range(len(frames)))


def test_recorded_values_are_filtered_and_raw_ones_are_the_models_own():
    frames = _sinking()
    out, _ = _run(Mode.pose(SPEC).session(fps=FPS), frames)
    knee = np.array([o.verdict.check("front_knee_angle").value for o in out])
    raw = np.array([o.verdict.check("front_knee_angle").raw for o in out])
    own = np.array([measure(fr, SPEC).checks[0].value for fr in frames])
    assert np.array_equal(raw, own)  # the unfiltered column is the model's landmarks measured as they are
    true = np.array([max(90.0, 120.0 - 30.0 * i / FPS) for i in range(len(frames))])
    hold = slice(40, 90)
    # Filtering removes most of the noise (what is left is at most 60% of it: a third of white
    # noise's power lies below 4 Hz) and adds no lag while sinking (frames 5-20 move at 30°/s).
    assert np.std(knee[hold] - true[hold]) < 0.6 * np.std(raw[hold] - true[hold])
    moving = slice(5, 20)
    assert abs(np.mean(knee[moving] - true[moving])) < 0.5  # a causal filter would trail by ~1.5° here
    live, _ = _run(Mode.pose(SPEC).session(fps=FPS, live=True), frames)
    trail = np.array([o.verdict.check("front_knee_angle").value for o in live])
    assert np.mean(trail[moving] - true[moving]) > 1.0  # live smoothing trails a sinking knee (it is higher)


def test_a_new_person_starts_a_new_run_and_nothing_after_reaches_back():
    class Marks:
        """An earlier stage that notes a new person at frame 40."""

        def push(self, item: Arrived) -> list[Arrived]:
            return [dataclasses.replace(item, events=("person changed",))] if item.index == 40 else [item]

        def flush(self) -> list[Arrived]:
            return []

    frames = _sinking()
    moved = frames[:40] + [dataclasses.replace(fr, xy=fr.xy + 0.05) for fr in frames[40:]]
    a, _ = _run(Mode.pose(SPEC).session(fps=FPS, stages=(Marks(),)), frames)
    b, _ = _run(Mode.pose(SPEC).session(fps=FPS, stages=(Marks(),)), moved)
    before = [o.verdict.check("front_knee_angle").value for o in a[:40]]
    assert before == [o.verdict.check("front_knee_angle").value for o in b[:40]]
    assert b[40].events == ("person changed",)


def _stage_run(frames: list[PoseFrame]) -> list[Arrived]:
    stage = ZeroLagStage(FPS)
    return [o for i, fr in enumerate(frames) for o in stage.push(Arrived(i, fr, fr))] + stage.flush()


def test_a_distrusted_landmark_is_left_out_and_passes_as_it_came():
    knee = 25  # LEFT_KNEE
    frames = _sinking(40)
    vis = frames[20].visibility.copy()
    vis[knee] = 0.0  # what a plausibility stage does to a knee thrown 0.2 of the image away
    thrown = frames[20].xy.copy()
    thrown[knee] += 0.2
    frames[20] = dataclasses.replace(frames[20], xy=thrown, visibility=vis)
    out = _stage_run(frames)
    assert np.array_equal(out[20].frame.xy[knee], thrown[knee]) and out[20].frame.visibility[knee] == 0.0
    # Its neighbours are exactly those of a run where the model had not given that knee at all.
    gone = list(frames)
    missing = thrown.copy()
    missing[knee] = np.nan
    gone[20] = dataclasses.replace(frames[20], xy=missing)
    ref = _stage_run(gone)
    for k in range(8, 33):
        if k != 20:
            assert np.array_equal(out[k].frame.xy[knee], ref[k].frame.xy[knee])
