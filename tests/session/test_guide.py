"""The routine guide as pure logic: a fake clock (frame times) and made-up observations."""

from __future__ import annotations

import dataclasses
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from posecheck.judge.status import Status
from posecheck.session.guide import Observation, RoutineGuide, announcement, banner
from posecheck.session.summary import frame_durations
from posecheck.specs import SpecLibrary
from posecheck.specs.routines import PlannedHold
from posecheck.track.holds import MIN_HOLD_S, HoldCounter
from posecheck.track.tracker import PoseTracker
from posecheck.track.verdict import CheckState, FrameVerdict, is_good_form

from .. import factories as f

FPS = 10.0
DT = 1 / FPS


def hold(pose: str, side: str | None = None, hold_s: float | None = 2.0, rest_s: float = 0.0, rep: int = 1,
         title: str | None = None, note: str | None = None) -> PlannedHold:
    """One plan entry, as RoutineLibrary.plan makes it."""
    return PlannedHold(pose=pose, title=title or pose.replace("_", " ").capitalize(), side=side, repetition=rep,
                       hold_s=hold_s, rest_s=rest_s, note=note)


def good(t: float, pose: str, side: str | None = None) -> Observation:
    """In the pose, recognised, in good form."""
    return Observation(t, pose, side, in_pose=True, pose_raw=True, form_ok=True, own_side=side, score=100.0)


def bad(t: float, pose: str, side: str | None = None) -> Observation:
    """In the pose, recognised, but a check is off."""
    return Observation(t, pose, side, in_pose=True, pose_raw=True, form_ok=False, own_side=side, score=40.0)


def nobody(t: float) -> Observation:
    return Observation(t)


class Run:
    """Feeds a guide frame by frame at FPS, like the live loop does; keeps what it said."""

    def __init__(self, plan: list[dict]) -> None:
        self.guide = RoutineGuide(plan, frame_s=DT, max_gap_s=4 * DT)
        self.t = 0.0
        self.said: list[tuple[float, str]] = []
        self.states = []

    def frames(self, seconds: float, make) -> None:  # noqa: ANN001
        for _ in range(round(seconds * FPS)):
            state = self.guide.update(make(self.t))
            self.states.append(state)
            if state.say:
                self.said.append((round(self.t, 2), state.say))
            self.t += DT


def test_steps_advance_in_order_and_each_hold_is_announced():
    plan = [hold("kneeling_lunge", "left", title="Kneeling lunge"), hold("frog", title="Frog", hold_s=1.0)]
    run = Run(plan)
    run.frames(0.5, nobody)
    assert run.said == [(0.0, "Next: Kneeling lunge, left leg forward")]
    s = run.states[-1]
    assert (s.phase, s.index, s.banner) == ("waiting", 0, "Step 1 of 2: Kneeling lunge, left")
    assert s.message == "Next: Kneeling lunge, left leg forward"
    run.frames(2.0, lambda t: good(t, "kneeling_lunge", "left"))
    run.frames(0.3, nobody)
    # 2 s of good form from t=0.5: frames 0.5 to 2.4, each counted when the next one arrives.
    assert run.said[1] == (2.5, "That's 2 seconds. Well done. Next: Frog")
    assert run.states[-1].index == 1 and run.states[-1].banner == "Step 2 of 2: Frog"
    assert run.states[-1].phase == "waiting" and run.states[-1].message == "Next: Frog"
    run.frames(1.5, lambda t: good(t, "frog"))
    assert run.said[-1][1] == "That's 1 second. Well done. Routine complete."
    assert run.guide.finished and run.states[-1].phase == "finished"
    r = run.guide.report()
    assert (r.holds_planned, r.holds_done, r.holds_skipped, r.holds_long_enough) == (2, 2, 0, 2)
    lunge, frog = r.steps
    assert lunge.start_s == pytest.approx(0.5) and lunge.end_s == pytest.approx(2.5)
    assert lunge.time_in_good_form_s == pytest.approx(2.0) and lunge.score == 100.0
    assert frog.start_s == pytest.approx(2.8) and frog.time_in_good_form_s == pytest.approx(1.0)
    assert [s.pose for s in r.steps] == ["kneeling_lunge", "frog"]


def test_the_hold_counts_only_good_form_time():
    run = Run([hold("frog", title="Frog", hold_s=2.5)])
    # Alternate a second of good form and a second of a bad frog: 2.5 s of good form take 4.5 s.
    for _ in range(2):
        run.frames(1.0, lambda t: good(t, "frog"))
        held = run.states[-1].held_s
        run.frames(1.0, lambda t: bad(t, "frog"))
        assert run.states[-1].phase == "holding"
        assert run.states[-1].held_s == pytest.approx(held + DT)  # only the last good frame was added
    assert run.states[-1].held_s == pytest.approx(2.0)
    run.frames(0.6, lambda t: good(t, "frog"))
    assert run.guide.finished and run.said[-1] == (4.5, "That's 2.5 seconds. Well done. Routine complete.")
    step = run.guide.report().steps[0]
    assert step.time_in_good_form_s == pytest.approx(2.5)
    assert step.time_in_pose_s == pytest.approx(4.5) and (step.start_s, step.end_s) == (0.0, 4.5)
    assert step.score == pytest.approx((2.5 * 100 + 2.0 * 40) / 4.5, abs=0.1)
    # Not in the pose at all counts nothing either: the hold waits.
    run = Run([hold("frog", hold_s=1.0)])
    run.frames(5.0, nobody)
    assert run.states[-1].phase == "waiting" and run.states[-1].held_s == 0.0


def test_sides_alternate_as_the_plan_says():
    plan = [hold("kneeling_lunge", "left", 1.0, title="Kneeling lunge"),
            hold("kneeling_lunge", "right", 1.0, title="Kneeling lunge"),
            hold("kneeling_lunge", "left", 1.0, rep=2, title="Kneeling lunge")]
    run = Run(plan)
    # The right leg forward counts nothing for the left hold, and the screen says so.
    run.frames(2.0, lambda t: good(t, "kneeling_lunge", "right"))
    s = run.states[-1]
    assert s.index == 0 and s.held_s == 0.0 and s.phase == "waiting"
    assert s.message == "Switch legs: left leg forward"
    run.frames(1.2, lambda t: good(t, "kneeling_lunge", "left"))
    assert run.said[-1][1] == "That's 1 second. Well done. Now the other side: right leg forward"
    assert run.states[-1].banner == "Step 2 of 3: Kneeling lunge, right"
    run.frames(1.2, lambda t: good(t, "kneeling_lunge", "right"))
    assert run.said[-1][1].endswith("Now the other side: left leg forward")
    assert run.states[-1].banner == "Step 3 of 3: Kneeling lunge, left, round 2"
    sides = [st.side for st in run.guide.report().steps[:2]]
    assert sides == ["left", "right"]


def test_the_tracker_alone_is_enough_when_the_recogniser_says_no_pose():
    # Lying-down poses are not always recognised; the pose's own tracker is trusted too.
    run = Run([hold("knees_to_chest", hold_s=1.0)])
    run.frames(1.5, lambda t: Observation(t, None, None, True, True, True, None, 90.0))
    assert run.guide.finished
    # And the recogniser alone shows "holding", but counts nothing without the tracker's good form.
    run = Run([hold("frog", hold_s=1.0)])
    run.frames(2.0, lambda t: Observation(t, "frog"))
    assert run.states[-1].phase == "holding" and run.states[-1].held_s == 0.0


def test_rests_are_honoured():
    plan = [hold("frog", hold_s=1.0, rest_s=3.0, title="Frog"), hold("frog", hold_s=1.0, rep=2, title="Frog")]
    run = Run(plan)
    run.frames(1.1, lambda t: good(t, "frog"))
    assert run.said[-1] == (1.0, "That's 1 second. Well done. Rest for 3 seconds.")
    s = run.states[-1]
    assert s.phase == "resting" and s.rest_left_s == pytest.approx(3.0)
    assert s.message == "Rest 3 s. Next: Frog, round 2" and s.banner == "Step 2 of 2: Frog, round 2"
    # Staying in the pose during the rest does not count towards the next hold.
    run.frames(1.5, lambda t: good(t, "frog"))
    s = run.states[-1]
    assert s.phase == "resting" and s.rest_left_s == pytest.approx(1.5) and s.held_s == 0.0
    assert s.message == "Rest 2 s. Next: Frog, round 2"
    run.frames(1.5, lambda t: good(t, "frog"))
    assert run.said[-1] == (4.0, "Next: Frog, round 2")
    assert run.states[-1].phase == "waiting"
    run.frames(1.2, lambda t: good(t, "frog"))
    assert run.guide.finished


def test_a_pause_neither_fills_a_hold_nor_uses_up_a_rest():
    guide = RoutineGuide([hold("frog", hold_s=5.0, rest_s=10.0), hold("frog", rep=2)], frame_s=DT, max_gap_s=0.5)
    guide.update(good(0.0, "frog"))
    guide.update(good(0.1, "frog"))
    state = guide.update(good(60.0, "frog"))  # a minute paused: the frame before stands for 0.5 s at most
    assert state.held_s == pytest.approx(0.6) and state.phase == "holding"


def test_skipped_steps_are_reported_when_input_ends():
    plan = [hold("kneeling_lunge", "left", 1.0), hold("frog", hold_s=5.0), hold("pigeon", "left"),
            hold("pigeon", "right")]
    run = Run(plan)
    run.frames(1.0, lambda t: good(t, "kneeling_lunge", "left"))
    run.frames(2.0, lambda t: good(t, "frog"))  # the source ends two seconds into a five-second frog
    r = run.guide.finish(run.t - DT)
    assert run.guide.finished
    done = [(s.pose, s.done, s.held_long_enough) for s in r.steps]
    assert done == [("kneeling_lunge", True, True), ("frog", True, False), ("pigeon", False, None),
                    ("pigeon", False, None)]
    assert (r.holds_done, r.holds_skipped, r.holds_long_enough) == (2, 2, 1)
    # Frames 1.1 to 2.9 s (the frame at 1.0 s ended the lunge), the last one counting a frame's length.
    assert r.steps[1].time_in_good_form_s == pytest.approx(1.9)
    assert (r.steps[1].start_s, r.steps[1].end_s) == (1.1, 2.9)
    # Nobody ever came: every hold is skipped, and the report has score --routine's shape.
    run = Run(plan)
    run.frames(3.0, nobody)
    r = run.guide.finish(run.t)
    assert (r.holds_planned, r.holds_done, r.holds_skipped) == (4, 0, 4)
    skipped = r.steps[0]
    assert (skipped.pose, skipped.side, skipped.hold_target_s, skipped.done) == ("kneeling_lunge", "left", 1.0, False)
    assert (skipped.start_s, skipped.time_in_good_form_s, skipped.held_long_enough) == (None, None, None)


def test_the_person_can_skip_a_step_or_a_rest():
    plan = [hold("pigeon", "left", 5.0, rest_s=10.0, title="Pigeon"), hold("pigeon", "right", 1.0, title="Pigeon"),
            hold("frog", hold_s=1.0, title="Frog")]
    guide = RoutineGuide(plan, frame_s=DT)
    guide.update(nobody(0.0))
    state = guide.skip(0.5)
    # Skipped before ever getting into it: no rest, straight on.
    assert state.phase == "waiting" and state.index == 1
    assert state.say == "Now the other side: right leg forward"
    for i in range(11):
        state = guide.update(good(1.0 + i * DT, "pigeon", "right"))
    assert state.phase == "waiting" and state.index == 2  # the right side's 1 s was held; its rest is 0
    r = guide.finish(3.0)
    assert [s.done for s in r.steps] == [False, True, False]
    # A skip during a rest ends the rest.
    guide = RoutineGuide(plan[:2], frame_s=DT)
    for i in range(60):
        state = guide.update(good(i * DT, "pigeon", "left"))
    assert state.phase == "resting"
    state = guide.skip(6.0)
    assert state.phase == "waiting" and state.index == 1 and state.say == "Now the other side: right leg forward"


def test_words():
    lunge = hold("kneeling_lunge", "left", title="Kneeling lunge", note="Tuck the pelvis.")
    assert announcement(lunge, None) == "Next: Kneeling lunge, left leg forward. Tuck the pelvis."
    assert announcement(lunge, None, note=False) == "Next: Kneeling lunge, left leg forward"
    right = dataclasses.replace(lunge, side="right")
    assert announcement(right, lunge) == "Now the other side: right leg forward"
    plan = [hold("knees_to_chest", rep=r, title="Knees to chest") for r in (1, 2)]
    assert announcement(plan[1], plan[0]) == "Next: Knees to chest, round 2"
    assert banner(1, plan) == "Step 2 of 2: Knees to chest, round 2"
    with pytest.raises(ValueError, match="at least one hold"):
        RoutineGuide([])


# -- the hold counter counts what its definition says -------------------------------------------

LIB = SpecLibrary()
FROG = LIB.get("frog")


def _verdict(t: float, in_pose: bool, raw: bool, off: bool, score: float, side: str | None = None) -> FrameVerdict:
    checks = tuple(CheckState(c.id, 90.0, 90.0, Status.OFF if off and k == 0 else Status.OK, 0.0, None, None, None,
                              (), c.weight, "90", "deg") for k, c in enumerate(FROG.checks))
    return FrameVerdict(0, t, True, side, "back", checks, None, in_pose, raw, in_pose and not off, score)


def reference(verdicts: list[FrameVerdict], frame_s: float) -> tuple[float, float, list[tuple]]:
    """The definition, after the fact: (time in the pose, time in good form, holds).

    The frames in the pose are the debounced in-pose stretches, each started back where the
    raw evidence before it began and ended where the raw evidence in it ended; a hold is such
    a stretch (split where a named side changes to another named side) of at least MIN_HOLD_S.
    """
    t = [v.t for v in verdicts]
    dur = frame_durations(t, frame_s)
    deb = [v.in_pose for v in verdicts]
    raw = [v.pose_raw for v in verdicts]
    n = len(verdicts)
    mask = [False] * n
    i = 0
    while i < n:
        if not deb[i]:
            i += 1
            continue
        j = i
        while j < n and deb[j]:
            j += 1
        start, end = i, j
        while start > 0 and raw[start - 1]:
            start -= 1
        while end > start and not raw[end - 1]:
            end -= 1
        for k in range(start, end):
            mask[k] = True
        i = j
    good = [m and is_good_form(v.checks, v.score) for m, v in zip(mask, verdicts)]
    holds, i = [], 0
    while i < n:
        if not mask[i]:
            i += 1
            continue
        j, side = i, verdicts[i].side
        # A side not known (None) splits nothing; the hold takes the first side named in it.
        while j < n and mask[j] and (verdicts[j].side is None or side is None or verdicts[j].side == side):
            side = side or verdicts[j].side
            j += 1
        length = float(dur[i:j].sum())
        if length >= MIN_HOLD_S - 1e-9:
            holds.append((side, round(t[i], 3), round(t[j - 1] + float(dur[j - 1]), 3), round(length, 3)))
        i = j
    return float(dur[mask].sum()), float(dur[good].sum()), holds


def _count(verdicts: list[FrameVerdict]) -> HoldCounter:
    counter = HoldCounter(DT)
    for v in verdicts:
        counter.feed_verdict(v)
    counter.close()
    return counter


@given(st.lists(st.tuples(st.booleans(), st.booleans(), st.booleans(),
                          st.sampled_from([math.nan, 50.0, 80.0, 100.0]),
                          st.sampled_from([0.04, 0.1, 0.1, 0.1, 0.3, 2.0]),
                          st.sampled_from([None, "left", "left", "right"])), min_size=1, max_size=60))
def test_hold_counter_counts_what_the_definition_says(frames):
    t, verdicts = 0.0, []
    for in_pose, raw, off, score, gap, side in frames:
        verdicts.append(_verdict(t, in_pose, raw, off, score, side))
        t += gap
    counter = _count(verdicts)
    pose_s, good_s, holds = reference(verdicts, DT)
    assert counter.pose_s == pytest.approx(pose_s, abs=1e-3)
    assert counter.good_s == pytest.approx(good_s, abs=1e-3)
    assert [(h.side, h.start_s, h.end_s, h.duration_s) for h in counter.holds] == [
        (s, pytest.approx(a, abs=1e-3), pytest.approx(b, abs=1e-3), pytest.approx(d, abs=1e-3))
        for s, a, b, d in holds]


def test_hold_counter_counts_a_tracked_lunge_as_defined():
    """Real tracker verdicts: a lunge entered, held (well, then badly), left, and entered again."""
    spec = LIB.get("kneeling_lunge")
    angles = [150] * 8 + [92] * 20 + [125] * 10 + [92] * 10 + [160] * 15 + [95] * 12
    tracker = PoseTracker(spec)
    verdicts = [tracker.update(f.lunge(knee_angle=a, timestamp=i * DT), i) for i, a in enumerate(angles)]
    counter = _count(verdicts)
    pose_s, good_s, holds = reference(verdicts, DT)
    assert counter.pose_s > 3 and 0 < counter.good_s < counter.pose_s
    assert counter.pose_s == pytest.approx(pose_s, abs=1e-3)
    assert counter.good_s == pytest.approx(good_s, abs=1e-3)
    assert len(counter.holds) == len(holds) == 2
