"""The real model on real footage and on the clips where what posecheck said contradicted the frame.

* ``samples/real/sports2d_demo.mp4`` (issue 12, "Real footage"; issue 18): a real man doing
  star jumps, walking and flipping off a box while a woman walks past; no yoga at all.
  What is known about it is in ``samples/real/sports2d_demo.facts.json``.
* The rendered clips of issue 18 (a knee raised toward the camera, legs the model names the
  wrong way round) and of issue 17.4 (corrections and camera cues that contradict the frame).

The model runs once per clip (the ``model_landmarks`` fixture); every run here is a replay
of those landmarks through ``posecheck score``, which gives the numbers of a run with the
model (``--replay`` reproduces ``summary.json`` exactly).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from posecheck.specs import SpecLibrary

from ..cli_helpers import posecheck
from ..conftest import SAMPLES, sample

pytestmark = pytest.mark.model

DEMO = SAMPLES / "real" / "sports2d_demo.mp4"
FACTS = json.loads((SAMPLES / "real" / "sports2d_demo.facts.json").read_text())
LIB = SpecLibrary()
#: Every correction any pose's spec can give.
CORRECTIONS = {t for spec in LIB for c in spec.checks for t in (c.cues.below, c.cues.above) if t}


def _score(tmp_path: Path, landmarks: Path, *args: str, name: str = "out") -> tuple[dict, list[dict]]:
    out = tmp_path / name
    run = posecheck("score", "--replay", str(landmarks), "--out", str(out), "--no-history", *args)
    assert run.code == 0, run.err
    with open(out / "frames.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return json.loads((out / "summary.json").read_text()), rows


# -- the real demo ----------------------------------------------------------------------------


def test_the_real_demo_decodes_and_is_never_taken_for_yoga(tmp_path, model_landmarks):
    # Issue 12: the person found in most frames, no pose recognised, no "off" verdict and
    # no correction for a pose the person is not in, nothing crashing on the VP9 codec.
    s, rows = _score(tmp_path, model_landmarks(DEMO), "--pose", "auto")
    assert FACTS["codec"] == "vp9" and s["frames"] == FACTS["frames"] == len(rows) == 230
    found = sum(int(r["person"]) for r in rows)
    assert found >= 0.9 * 230, found  # measured 221: nobody in 0-2, 4, 170, 201, 227-229
    assert s["segments"] == [] and s["poses"] == {} and s["score"] is None
    assert all(r["pose"] == "" and r["checks"] == "" for r in rows)  # never a pose, so never a verdict
    assert not [r["cue"] for r in rows if r["cue"] in CORRECTIONS]


def test_the_real_demo_person_changes_are_found_where_the_model_jumps(tmp_path, model_landmarks):
    # The model follows the man, jumps to the passer-by across a frame without anyone
    # (169 -> 171) and back (200 -> 202): a person change at 171 and 202, in frames.csv
    # and summary.json; nothing else is taken for one (star jumps, a somersault, running).
    s, rows = _score(tmp_path, model_landmarks(DEMO), "--pose", "auto")
    switches = FACTS["mediapipe_bundled_video_mode"]["switches"]
    assert [c["frame"] for c in s["person_changes"]] == [sw["to_frame"] for sw in switches] == [171, 202]
    assert [c["t_s"] for c in s["person_changes"]] == [round(171 / 30, 3), round(202 / 30, 3)]
    marked = [int(r["frame"]) for r in rows if "person changed" in r["events"]]
    assert marked == [171, 202]
    said = {r["frame"]: r["cue"] for r in rows}
    assert said["171"] == "Someone else is in view: I'm following the person nearest the camera."


def test_the_real_demo_legs_swapped_by_the_model_are_put_back(tmp_path, model_landmarks):
    # Facing the camera, the model's left leg is on the picture's left in 68-72 (it should be
    # on the right). They are swapped back, and "Face the camera." is never said while he
    # faces it (frames 6-75: it was said in 20 of them, from a view read off the swapped
    # shoulders or from a frame of a flickering width).
    s, rows = _score(tmp_path, model_landmarks(DEMO), "--pose", "tree", name="tree")
    by = {int(r["frame"]): r for r in rows}
    legs, shoulders = FACTS["mediapipe_bundled_video_mode"]["left_right_swapped_on_main_facing_camera"].values()
    for i in range(legs[0], legs[1] + 1):
        assert "left and right swapped back" in by[i]["events"] and "legs" in by[i]["events"], i
    assert not [i for i in range(6, 76) if by[i]["camera_cue"] == "Face the camera."]


def test_the_real_demo_with_a_region_follows_only_the_man(tmp_path, model_landmarks):
    # --region: the model sees only the top middle of the picture, where the man is on the
    # box; the passer-by walks below it. She is never followed: no change of person.
    from posecheck.app.score import ScoreOptions, score_file
    from posecheck.core.landmarks import Landmark as L
    from posecheck.estimators.region import Region
    from posecheck.io.landmarks_file import read_landmarks
    from posecheck.session.session import Mode

    region = Region.parse("0.3,0,0.45,0.5")
    out = tmp_path / "region"
    result = score_file(DEMO, Mode.auto(list(LIB)), out, ScoreOptions(video=False, region=region))
    s = result.summary
    assert s.region == "0.3,0,0.45,0.5" and s.person_changes == []
    _, frames = read_landmarks(out / "landmarks.jsonl")
    hips = {i: (f.pixels[L.LEFT_HIP] + f.pixels[L.RIGHT_HIP]) / 2 for i, f in frames if f.detected}
    # The man on the box (0-161) is found in nearly every frame, in whole-picture coordinates.
    on_box = [i for i in range(162) if i in hips]
    assert len(on_box) >= 155, len(on_box)
    x0, y0, w, h = region.pixels(1768, 994)
    assert all(x0 <= hips[i][0] <= x0 + w and y0 <= hips[i][1] <= y0 + h for i in on_box)
    # Where the whole-picture run followed her (171-200, hips near the bottom), nobody or him.
    assert all(hips[i][1] < 700 for i in range(171, 201) if i in hips)


# -- rendered clips: real movement, swapped legs -------------------------------------------------


def test_a_knee_raised_toward_the_camera_is_measured_not_hidden(tmp_path, model_landmarks):
    # Issue 18.3: tree_front_leg_lift raises the right knee straight toward the camera (the
    # thigh's projected length 99 -> 39 px in 0.25 s). The jump guard hid that knee for
    # frames 24-32 ("I can't see your right knee clearly") while the model rated it 0.98
    # visible; and the tree hold after it stayed "near" in all 39 frames although its values
    # are ok (a range target that was near once could not return to ok).
    truth = json.loads((SAMPLES / "tree_front_leg_lift.truth.json").read_text())
    s, rows = _score(tmp_path, model_landmarks(sample("tree_front_leg_lift.mp4")), "--pose", "tree")
    lift = [r for r in rows if 18 <= int(r["frame"]) <= 36]
    assert all(r["knee_turned_out.status"] != "unknown" for r in lift)
    assert not any("I can't see" in r["camera_cue"] for r in rows)
    held = {f["frame"]: f for f in truth["per_frame"] if f["in_pose"]}
    assert len(held) == 39
    for check in ("knee_turned_out", "foot_lifted"):
        agree = sum(rows[i][f"{check}.status"] == held[i]["checks"][check]["status"] for i in held)
        assert agree >= 0.9 * len(held), (check, agree)


def test_legs_the_model_names_the_wrong_way_round_are_never_named(tmp_path, model_landmarks):
    # Issue 18.2: on lunge_side_step_in_left the model names the legs the wrong way round in
    # 95 of 96 frames: no side may be named (in the summary, a hold or a cue), and the legs
    # are still measured by their roles (front, back).
    s, rows = _score(tmp_path, model_landmarks(sample("lunge_side_step_in_left.mp4")), "--pose", "kneeling_lunge")
    assert all(r["side"] in ("", "left") for r in rows)
    assert sum(r["side"] == "left" for r in rows) <= 2  # the one frame the model has right, at most
    assert all(h["side"] in (None, "left") for h in s["holds"])
    assert sum(r["front_knee_angle.status"] != "unknown" for r in rows) >= 80
    assert not any("right" in r["cue"] for r in rows)


# -- issue 17.4: corrections and camera cues that contradict the frame ----------------------------


def test_no_camera_instruction_the_person_cannot_follow(tmp_path, model_landmarks):
    # "I can't see your left knee clearly: turn your left side to the camera." was shown on
    # lunge_side_behind_left at frame 40 (the left side already faces the camera) and on the
    # right-leg lunge lunge_side_drift_right at frame 24.
    for clip, frame in (("lunge_side_behind_left", 40), ("lunge_side_drift_right", 24)):
        _, rows = _score(tmp_path, model_landmarks(sample(f"{clip}.mp4")), "--pose", "kneeling_lunge", name=clip)
        assert "turn your" not in rows[frame]["camera_cue"].lower(), (clip, rows[frame]["camera_cue"])
        assert not [r["frame"] for r in rows if "side to the camera" in r["cue"]], clip


def test_when_the_model_loses_the_legs_it_says_so_and_never_corrects_them(tmp_path, model_landmarks):
    # lunge_side_behind_left: the model folds both legs together for most of the clip; it
    # corrected "Lower your back knee onto the mat" (36% near, 14% off) with the knee on the mat.
    _, rows = _score(tmp_path, model_landmarks(sample("lunge_side_behind_left.mp4")), "--pose", "kneeling_lunge")
    cues = [r["cue"] for r in rows]
    assert "Lower your back knee onto the mat." not in cues
    assert cues.count("I can't see your legs clearly.") >= 0.4 * len(rows)


def test_a_still_with_the_toes_folded_under_the_heel_is_not_corrected(tmp_path):
    # A still of lunge_side_drift_right (frame 89, the model in image mode) puts the front
    # toes 13 px from the heel: "-74°", "Press your front heel down", while the foot is flat.
    import av

    still = tmp_path / "still.png"
    with av.open(str(sample("lunge_side_drift_right.mp4"))) as c:
        for i, fr in enumerate(c.decode(video=0)):
            if i == 89:
                fr.to_image().save(still)
                break
    out = tmp_path / "still"
    run = posecheck("score", str(still), "--pose", "kneeling_lunge", "--out", str(out), "--no-history",
                    "--no-video")
    assert run.code == 0, run.err
    row = next(csv.DictReader(open(out / "frames.csv", newline="")))
    assert row["front_foot_flat.status"] == "unknown" and row["front_foot_flat"] == ""
    assert "heel" not in row["cue"] and row["camera_cue"] == "I can't see your legs clearly."


def test_a_routine_says_plainly_when_the_person_is_in_another_pose(model_landmarks):
    # A kneeling lunge during the step "Knees to chest" got "turn your right side to the
    # camera" as the big cue; that the person was in another pose was only in small text.
    # Live, the routine waits for its step (a recording would move on to the lunge's).
    from posecheck.io.landmarks_file import read_landmarks
    from posecheck.session.session import Mode
    from posecheck.specs.routines import Routine, RoutineLibrary

    routine = Routine.model_validate({"id": "knees_first", "title": "Knees first", "source": ["000"], "steps": [
        {"pose": "knees_to_chest", "hold": {"seconds": 5}},
        {"pose": "kneeling_lunge", "hold": {"seconds": 5}, "sides": "right"}]})
    plan = RoutineLibrary().plan(routine)
    session = Mode.routine(routine, plan, [LIB.get("knees_to_chest"), LIB.get("kneeling_lunge")]).session(
        fps=24.0, live=True)
    _, frames = read_landmarks(model_landmarks(sample("lunge_side_90_right.mp4")))
    outs = [o for i, frame in frames for o in session.push(frame, i)]
    waiting = [o for o in outs if o.routine.step == 1 and o.routine.phase == "waiting"]
    assert len(waiting) == len(outs)  # never in knees to chest
    in_lunge = [o for o in waiting if o.note.startswith("seeing: Kneeling lunge")]
    assert len(in_lunge) >= 0.5 * len(outs)
    plain = "This is a kneeling lunge; the next step is knees to chest."
    # Once the lunge is recognised, that is the cue (after the announcement's display time).
    shown = [o.cue.text for o in in_lunge[len(in_lunge) // 2:]]
    assert shown and all(c == plain for c in shown), set(shown)
    assert not any("side to the camera" in (o.cue.text if o.cue else "") for o in outs)
