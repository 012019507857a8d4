"""The cue scheduler: exact cues at exact times on a fake clock, and its timing rules
checked on random sequences."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from posecheck.session.cues import PRAISE, Cue, CueScheduler, choose_cue


class FakeClock:
    """A clock that only moves when the test says so."""

    def __init__(self, now: float = 0.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


FEET = Cue.camera("Step back so I can see your feet.")
SIDE = Cue.camera("Turn your left side to the camera.")
KNEE = Cue.correction("front_knee_angle", "Bend your front knee more.", 2.0)
HIP = Cue.correction("hip_over_knee", "Move your hips forward.", 1.0)
TORSO = Cue.correction("torso_upright", "Lift your chest.", 0.5)
GOOD = Cue.praise()


def at(clock: FakeClock, sched: CueScheduler, t: float, *cands: Cue) -> Cue | None:
    clock.now = t
    return sched.update(list(cands))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sched(clock) -> CueScheduler:
    return CueScheduler(clock=clock)


# -- Cue and choose_cue ---------------------------------------------------------------

@pytest.mark.parametrize("kwargs,expected", [
    ({"text": "x", "kind": "shout", "key": "k"}, "Invalid cue kind 'shout', expecting one of"),
    ({"text": " ", "kind": "praise", "key": "k"}, "empty text"),
    ({"text": "x", "kind": "correction", "key": "k", "urgency": float("nan")}, "a number >= 0"),
    ({"text": "x", "kind": "correction", "key": "k", "urgency": -1.0}, ">= 0"),
])
def test_invalid_cues_are_refused(kwargs, expected):
    with pytest.raises(ValueError, match=expected):
        Cue(**kwargs)


def test_cue_equality_ignores_urgency():
    assert Cue.correction("k", "Bend more.", 1.0) == Cue.correction("k", "Bend more.", 9.0)
    assert Cue.correction("k", "Bend more.") != Cue.correction("j", "Bend more.")
    assert GOOD.text == PRAISE and GOOD.kind == "praise"


@pytest.mark.parametrize("cands,expected", [
    ([], None),
    ([GOOD], GOOD),
    ([GOOD, HIP, TORSO], HIP),
    ([TORSO, HIP, KNEE, GOOD], KNEE),
    ([KNEE, GOOD, FEET], FEET),
    ([SIDE, FEET, KNEE], SIDE),  # two camera cues of equal urgency: the caller's order
    ([HIP, TORSO], HIP),  # no praise offered, none returned
])
def test_choose_cue_priority(cands, expected):
    chosen = choose_cue(cands)
    assert chosen == expected
    if expected is not None:
        assert chosen.text == expected.text


def test_infinite_urgency_is_allowed():
    top = Cue.camera("Face the camera.")
    top = Cue(top.text, top.kind, top.key, float("inf"))
    assert choose_cue([FEET, top]) is top


def test_choose_cue_most_urgent_correction_wins_regardless_of_order():
    a = Cue.correction("a", "A.", 0.3)
    b = Cue.correction("b", "B.", 0.7)
    assert choose_cue([a, b]) is b
    assert choose_cue([b, a]) is b
    assert choose_cue(iter([a, b])) is b


# -- CueScheduler ---------------------------------------------------------------------

def test_first_cue_is_shown_and_spoken_at_once(clock, sched):
    assert at(clock, sched, 0.0, HIP, KNEE) == KNEE
    assert sched.spoken is True and sched.is_new is True
    assert sched.shown == KNEE


def test_nothing_to_say_shows_nothing(clock, sched):
    assert at(clock, sched, 0.0) is None
    assert sched.spoken is False


def test_fixed_cue_stays_its_minimum_display_time_then_disappears(clock, sched):
    assert at(clock, sched, 0.0, KNEE) == KNEE
    assert at(clock, sched, 0.1) == KNEE  # fixed at once: still readable
    assert sched.spoken is False
    assert at(clock, sched, 1.0) == KNEE
    assert at(clock, sched, 1.49) == KNEE
    assert at(clock, sched, 1.5) is None
    assert sched.spoken is False


def test_next_correction_waits_for_the_minimum_display_time(clock, sched):
    assert at(clock, sched, 0.0, KNEE) == KNEE
    assert at(clock, sched, 0.5, HIP) == KNEE
    assert sched.spoken is False
    assert at(clock, sched, 1.49, HIP) == KNEE
    assert at(clock, sched, 1.5, HIP) == HIP
    assert sched.spoken is True


def test_display_changes_at_most_once_per_interval(clock, sched):
    assert at(clock, sched, 0.0, KNEE) == KNEE
    assert at(clock, sched, 1.5) is None  # knee fixed: blank
    assert at(clock, sched, 1.6, HIP) is None  # the blank is a change too
    assert at(clock, sched, 2.49, HIP) is None
    assert at(clock, sched, 2.5, HIP) == HIP
    assert sched.spoken is True


def test_rate_limit_binds_when_it_is_longer_than_the_display_time(clock):
    sched = CueScheduler(min_display_s=0.5, min_change_interval_s=1.0, clock=clock)
    assert at(clock, sched, 0.0, KNEE) == KNEE
    assert at(clock, sched, 0.6, HIP) == KNEE
    assert at(clock, sched, 0.99, HIP) == KNEE
    assert at(clock, sched, 1.0, HIP) == HIP


def test_camera_cue_preempts_a_correction_after_the_change_interval_not_sooner(clock, sched):
    assert at(clock, sched, 0.0, KNEE) == KNEE
    assert at(clock, sched, 0.5, FEET, KNEE) == KNEE
    assert at(clock, sched, 0.99, FEET, KNEE) == KNEE
    assert at(clock, sched, 1.0, FEET, KNEE) == FEET
    assert sched.spoken is True


def test_camera_cue_preempts_praise(clock, sched):
    assert at(clock, sched, 0.0, GOOD) == GOOD
    assert at(clock, sched, 1.0, SIDE, GOOD) == SIDE


def test_correction_does_not_preempt_a_camera_cue(clock, sched):
    assert at(clock, sched, 0.0, FEET) == FEET
    assert at(clock, sched, 1.0, KNEE) == FEET
    assert at(clock, sched, 1.5, KNEE) == KNEE


def test_camera_cue_does_not_preempt_another_camera_cue(clock, sched):
    assert at(clock, sched, 0.0, FEET) == FEET
    other = Cue.camera("Face the camera.", key="view")
    assert at(clock, sched, 1.0, other) == FEET
    assert at(clock, sched, 1.5, other) == other


def test_same_sentence_is_not_spoken_again_within_the_repeat_window(clock, sched):
    assert at(clock, sched, 0.0, KNEE) == KNEE and sched.spoken
    assert at(clock, sched, 1.5) is None
    assert at(clock, sched, 2.5, KNEE) == KNEE  # back on screen...
    assert sched.spoken is False  # ...but said only 2.5 s ago
    assert at(clock, sched, 4.0) is None
    assert at(clock, sched, 4.99, KNEE) is None  # rate limit (blank since 4.0)
    assert at(clock, sched, 5.0, KNEE) == KNEE
    assert sched.spoken is True  # 5 s after it was last said


def test_cue_is_not_spoken_again_while_it_stays_on_screen(clock, sched):
    assert at(clock, sched, 0.0, KNEE) == KNEE and sched.spoken
    for t in (0.5, 5.0, 10.0, 30.0):
        assert at(clock, sched, t, KNEE) == KNEE
        assert sched.spoken is False


def test_urgency_change_is_not_a_change_of_display(clock, sched):
    assert at(clock, sched, 0.0, KNEE) == KNEE
    more = Cue.correction(KNEE.key, KNEE.text, 7.0)
    shown = at(clock, sched, 0.2, more)
    assert shown == KNEE and shown.urgency == 7.0
    assert sched.spoken is False
    # ...so it did not restart the display clock: gone at 1.5, not 1.7
    assert at(clock, sched, 1.5) is None


def test_a_correction_still_needed_is_kept_against_similar_ones(clock, sched):
    assert at(clock, sched, 0.0, HIP) == HIP  # urgency 1.0
    rival = Cue.correction("torso_upright", "Lift your chest.", 1.9)
    assert at(clock, sched, 1.5, HIP, rival) == HIP  # more urgent, but not twice
    assert at(clock, sched, 10.0, HIP, rival) == HIP
    assert at(clock, sched, 11.0, HIP, KNEE) == HIP  # exactly twice: not more than twice
    urgent = Cue.correction(KNEE.key, KNEE.text, 2.1)
    assert at(clock, sched, 11.5, HIP, urgent) == KNEE
    assert sched.spoken is True


def test_much_more_urgent_correction_takes_over_after_the_display_time(clock):
    sched = CueScheduler(clock=clock)
    assert at(clock, sched, 0.0, TORSO) == TORSO  # urgency 0.5
    assert at(clock, sched, 0.5, TORSO, HIP) == TORSO  # 1.0 = 2 x 0.5: kept
    assert at(clock, sched, 1.0, TORSO, KNEE) == TORSO  # 2.0 > 1.0, but too soon
    assert at(clock, sched, 1.5, TORSO, KNEE) == KNEE


def test_new_sentence_for_the_same_condition_follows_the_normal_rules(clock, sched):
    assert at(clock, sched, 0.0, FEET) == FEET
    assert at(clock, sched, 0.5, SIDE) == FEET  # same key "camera", new sentence: not yet
    assert at(clock, sched, 1.5, SIDE) == SIDE
    assert sched.spoken is True
    # While both sentences apply, the one on screen stays.
    assert at(clock, sched, 3.5, FEET, SIDE) == SIDE


def test_praise_only_when_offered_and_after_the_correction_had_its_time(clock, sched):
    assert at(clock, sched, 0.0, KNEE) == KNEE
    assert at(clock, sched, 0.5, GOOD) == KNEE
    assert at(clock, sched, 1.5, GOOD) == GOOD
    assert sched.spoken is True
    assert at(clock, sched, 2.5, KNEE, GOOD) == GOOD  # praise keeps its display time
    assert at(clock, sched, 3.0, KNEE, GOOD) == KNEE
    assert at(clock, sched, 4.5, GOOD) == GOOD
    assert sched.spoken is False  # said at 1.5
    assert at(clock, sched, 6.0) is None  # praise withdrawn by the caller


def test_reset_forgets_what_was_shown_and_said(clock, sched):
    assert at(clock, sched, 0.0, KNEE) == KNEE
    sched.reset()
    assert sched.shown is None and sched.spoken is False
    assert at(clock, sched, 0.1, HIP) == HIP  # no display time or rate limit carried over
    assert sched.spoken is True
    sched.reset()
    assert at(clock, sched, 0.2, KNEE) == KNEE
    assert sched.spoken is True  # the repeat window was forgotten too


@pytest.mark.parametrize("kwargs,expected", [
    ({"min_display_s": -1}, "min_display_s must be finite and >= 0"),
    ({"min_change_interval_s": float("nan")}, "min_change_interval_s"),
    ({"repeat_after_s": float("inf")}, "repeat_after_s"),
    ({"switch_ratio": 0.5}, "switch_ratio must be finite and >= 1"),
])
def test_invalid_settings_are_refused(kwargs, expected):
    with pytest.raises(ValueError, match=expected):
        CueScheduler(**kwargs)


def test_defaults_use_the_monotonic_clock():
    sched = CueScheduler()
    assert (sched.min_display_s, sched.min_change_interval_s, sched.repeat_after_s,
            sched.switch_ratio) == (1.5, 1.0, 5.0, 2.0)
    assert sched.update([KNEE]) == KNEE


# -- the timing rules on random sequences ---------------------------------------------

POOL = [
    FEET, SIDE, Cue.camera("Face the camera.", key="view"),
    Cue.correction("knee", "Bend your front knee more."),
    Cue.correction("knee", "Straighten your front knee a little."),
    Cue.correction("hip", "Move your hips forward."),
    Cue.correction("torso", "Lift your chest."),
    GOOD,
]


@st.composite
def candidate_lists(draw) -> list[Cue]:
    picks = draw(st.lists(st.sampled_from(POOL), max_size=4))
    urgencies = st.sampled_from([0.0, 0.5, 1.0, 2.0, 5.0, float("inf")])
    return [Cue(c.text, c.kind, c.key, draw(urgencies)) for c in picks]


steps = st.one_of(st.sampled_from([0.0, 0.25, 0.5, 1.0, 1.5, 5.0]), st.floats(0.0, 3.0))


@settings(max_examples=300, deadline=None)
@given(
    config=st.sampled_from([(1.5, 1.0, 5.0), (0.5, 1.0, 2.0), (2.0, 2.0, 0.0), (0.0, 0.0, 1.0)]),
    script=st.lists(st.tuples(steps, candidate_lists()), max_size=40),
)
def test_timing_rules_hold_for_any_sequence(config, script):
    min_display, interval, repeat = config
    clock = FakeClock()
    sched = CueScheduler(min_display, interval, repeat, clock=clock)
    shown: Cue | None = None
    shown_at = changed_at = None
    said: dict[str, float] = {}
    for dt, cands in script:
        clock.now += dt
        now = clock.now
        out = sched.update(cands)
        assert out == sched.shown
        # It never invents: what is shown applies now, or was shown before.
        assert out is None or out in cands or out == shown
        if out != shown:
            if changed_at is not None:
                assert now - changed_at >= interval, "display changed twice within the interval"
            if shown is not None:
                preempt = out is not None and out.kind == "camera" and shown.kind != "camera"
                assert now - shown_at >= (interval if preempt else min_display), "left too early"
            shown, shown_at, changed_at = out, now, now
            if sched.spoken:
                assert out is not None
                assert out.text not in said or now - said[out.text] >= repeat
                said[out.text] = now
            else:
                assert out is None or (out.text in said and now - said[out.text] < repeat)
        else:
            assert sched.spoken is False
            if out is not None and out not in cands:
                # A cue whose condition is gone is only kept while the timing rules say so.
                assert now - shown_at < min_display or now - changed_at < interval
