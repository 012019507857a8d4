"""The live coaches on stick figures (no model): what a routine and --pose auto show, say and save."""

from __future__ import annotations

import dataclasses

import pytest

from posecheck.core.frame import PoseFrame
from posecheck.judge.assess import NO_PERSON_CUE
from posecheck.session.coach import NO_POSE_CUE, AutoCoach, RoutineCoach, SingleCoach
from posecheck.specs import SpecLibrary
from posecheck.specs.routines import Routine, RoutineLibrary, match_plan

from . import factories as f

LIB = SpecLibrary()
FPS = 10.0


def _at(frame: PoseFrame, t: float) -> PoseFrame:
    return dataclasses.replace(frame, timestamp=t)


def _clip(*parts: tuple[float, object]) -> list[PoseFrame]:
    """Frames at FPS: each part is (seconds, a frame or a function of the time)."""
    out, t = [], 0.0
    for seconds, make in parts:
        for _ in range(round(seconds * FPS)):
            out.append(_at(make(t) if callable(make) else make, round(t, 3)))
            t += 1 / FPS
    return out


NOBODY = PoseFrame.empty((1280, 720))
UP = f.lunge(knee_angle=170)  # a person, up out of the lunge: in no known pose
LUNGE = f.lunge(knee_angle=92)
FROG = f.frog(left_angle=90, right_angle=90)


def _routine(rest_s: float = 1.0) -> tuple[Routine, list[dict]]:
    routine = Routine.model_validate({
        "id": "lunge_then_frog", "title": "Lunge then frog", "source": ["000"], "rest_s": rest_s,
        "steps": [{"pose": "kneeling_lunge", "hold": {"seconds": 1.0}, "sides": "left"},
                  {"pose": "frog", "hold": {"seconds": 1.0}}]})
    return routine, RoutineLibrary().plan(routine)


def _run(coach, frames):  # noqa: ANN001, ANN202
    coach.begin(FPS)
    outs = []
    for i, frame in enumerate(frames):
        outs.append(coach.judge(frame, i))
        if coach.finished:
            break
    return outs


def test_routine_coach_announces_holds_rests_and_finishes():
    routine, plan = _routine(rest_s=1.0)
    coach = RoutineCoach(routine, plan, [LIB.get("kneeling_lunge"), LIB.get("frog")])
    frames = _clip((0.5, UP), (2.5, LUNGE), (1.0, NOBODY), (3.0, FROG))
    outs = _run(coach, frames)
    assert coach.finished
    said = [(o.row[1], o.say) for o in outs if o.say]
    assert said[0] == ("0.0000", "Next: Kneeling lunge, left leg forward")
    assert all(o.announcement for o in outs if o.say and o.say.startswith(("Next", "That's")))
    texts = [s for _, s in said]
    assert "That's 1 second. Well done. Rest for 1 second." in texts
    assert texts[-1] == "That's 1 second. Well done. Routine complete."
    assert texts.index("Next: Frog") > texts.index("That's 1 second. Well done. Rest for 1 second.")
    # The screen: the step, the hold timer against its target, then the rest countdown.
    assert outs[0].info.step == "Step 1 of 2: Kneeling lunge, left" and outs[0].info.hold_target_s == 1.0
    assert outs[0].info.cue == "Next: Kneeling lunge, left leg forward" and outs[0].info.note == "seeing: no pose"
    assert outs[12].info.note == "seeing: Kneeling lunge, left"  # recognised once it held 0.6 s
    # Nobody in view: the camera comes first.
    assert NO_PERSON_CUE in [o.info.cue for o in outs if o.info.step == "Step 2 of 2: Frog"]
    resting = [o.info for o in outs if o.info.rest_s is not None]
    assert 8 <= len(resting) <= 11
    assert resting[0].step == "Step 2 of 2: Frog" and resting[0].cue == "Rest 1 s. Next: Frog"
    assert [i.rest_s for i in resting] == sorted((i.rest_s for i in resting), reverse=True)
    assert outs[-1].info.cue == "Routine complete. Well done."
    # Every frame has a full frames.csv row: the recogniser's columns and the guide's.
    header = coach.csv_header
    assert header[-3:] == ["step", "phase", "held_s"] and all(len(o.row) == len(header) for o in outs)
    phases = [o.row[-2] for o in outs]
    assert phases.index("holding") < phases.index("resting") < len(phases) - 1 - phases[::-1].index("holding")
    s = coach.summary("clip", FPS, True, {"mode": "live"})
    assert s["pose"] == "auto" and s["mode"] == "live"
    r = s["routine"]
    assert (r["id"], r["title"]) == ("lunge_then_frog", "Lunge then frog")
    assert (r["holds_planned"], r["holds_done"], r["holds_skipped"], r["holds_long_enough"]) == (2, 2, 0, 2)
    assert [(st["pose"], st["side"]) for st in r["steps"]] == [("kneeling_lunge", "left"), ("frog", None)]
    assert all(st["time_in_good_form_s"] >= 1.0 for st in r["steps"])
    # The same report shape as score --routine's, made from the recognised segments.
    scored = match_plan(plan, s["segments"])
    assert scored["steps"][0]["done"] and set(scored["steps"][0]) == set(r["steps"][0])
    assert set(scored) | {"id", "title"} == set(r)


def test_routine_coach_n_key_skips_and_the_end_skips_the_rest():
    routine, plan = _routine()
    coach = RoutineCoach(routine, plan, [LIB.get("kneeling_lunge"), LIB.get("frog")])
    outs = _run(coach, _clip((1.0, UP)))
    assert outs[-1].info.step == "Step 1 of 2: Kneeling lunge, left"
    assert coach.key("n") == "Next: Frog"
    assert coach.key("s") is None  # the plan says the side: nothing to switch
    more = [coach.judge(fr, 100 + i) for i, fr in enumerate(_clip((0.5, UP)))]
    assert more[-1].info.step == "Step 2 of 2: Frog"
    # A person seen from the side can't be judged in a frog: the camera comes first.
    assert more[-1].info.cue.startswith("Put the camera behind you") and more[-1].info.cue_is_camera
    r = coach.summary("clip", FPS, True, {})["routine"]
    assert [st["done"] for st in r["steps"]] == [False, False] and r["holds_skipped"] == 2


def test_auto_coach_names_the_pose_or_asks_for_one():
    coach = AutoCoach(list(LIB))
    outs = _run(coach, _clip((2.0, LUNGE), (1.5, NOBODY), (2.0, FROG)))
    titles = [o.info.title for o in outs]
    assert titles[5] == "Kneeling lunge" and titles[-1] == "Frog"
    assert "No pose recognised" in titles and NO_PERSON_CUE in [o.info.cue for o in outs]
    s = coach.summary("clip", FPS, True, {"mode": "live"})
    assert [(seg["pose"], seg["side"]) for seg in s["segments"]] == [("kneeling_lunge", "left"), ("frog", None)]
    assert s["frames"] == len(outs)
    coach = AutoCoach(list(LIB))
    outs = _run(coach, _clip((1.0, UP)))
    assert outs[-1].info.title == "No pose recognised" and outs[-1].info.cue == NO_POSE_CUE


def test_single_coach_s_key_switches_the_side():
    coach = SingleCoach(LIB.get("kneeling_lunge"))
    outs = _run(coach, _clip((1.0, LUNGE)))
    assert outs[-1].verdict.side == "left" and outs[-1].info.title == "Kneeling lunge"
    coach.key("s")
    assert coach.tracker.fixed_side == "right"
    assert coach.summary("x", FPS, True, {})["frames"] == 10
    assert SingleCoach(LIB.get("frog")).summary("x", FPS, False, {"ended_by": "quit"}) == {
        "pose": "frog", "input": "x", "complete": False, "frames": 0, "ended_by": "quit"}


@pytest.mark.parametrize("side", ["left", "right"])
def test_routine_coach_does_not_count_the_other_side(side):
    routine, plan = _routine()
    coach = RoutineCoach(routine, plan, [LIB.get("kneeling_lunge"), LIB.get("frog")])
    outs = _run(coach, _clip((3.0, f.lunge(front=side, knee_angle=92))))
    if side == "left":
        assert coach.guide.index == 1
    else:
        assert coach.guide.index == 0 and outs[-1].info.hold_s == 0.0
        assert outs[-1].info.cue == "Switch legs: left leg forward"
