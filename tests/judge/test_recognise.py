"""Pose recognition on the labelled samples: which of the known poses a person is in."""

from __future__ import annotations

import json
import math
from collections import Counter

import numpy as np
import pytest
import yaml

from posecheck.core.frame import PoseFrame
from posecheck.core.landmarks import Landmark
from posecheck.errors import SpecError
from posecheck.judge.assess import assess
from posecheck.judge.recognise import fit_pose, one_sided, swap_sides
from posecheck.specs import SpecLibrary, bundled_specs_dir, load_spec
from posecheck.track.recogniser import PoseRecognizer

from .. import factories as f
from ..conftest import SAMPLES

LIB = SpecLibrary()


def test_stick_figures_are_recognised():
    rec = PoseRecognizer(list(LIB), hold_s=0.0)
    assert rec.update(f.lunge(knee_angle=95)).pose == "kneeling_lunge"
    assert rec.update(f.lunge(knee_angle=95, front="right")).side == "right"
    assert PoseRecognizer(list(LIB), hold_s=0.0).update(f.frog(left_angle=110)).pose == "frog"
    assert PoseRecognizer(list(LIB), hold_s=0.0).update(PoseFrame.empty((640, 480))).pose is None


def test_a_badly_done_pose_is_still_that_pose():
    # A lunge with the knee at 125 degrees is a lunge done badly, not "no pose".
    fit = fit_pose(f.lunge(knee_angle=125), LIB.get("kneeling_lunge"))
    assert fit.fit >= 0.5


def test_label_changes_only_after_it_holds():
    rec = PoseRecognizer(list(LIB), hold_s=0.5)
    labels = [rec.update(f.lunge(knee_angle=92, timestamp=i / 10)).pose for i in range(5)]
    assert labels == ["kneeling_lunge"] * 5
    # One odd frame (nobody there) does not flip the label; half a second of it does.
    assert rec.update(PoseFrame.empty((1280, 720), 0.5)).pose == "kneeling_lunge"
    labels = [rec.update(PoseFrame.empty((1280, 720), 0.6 + i / 10)).pose for i in range(7)]
    assert labels[-1] is None


# -- poses that bend the same joints the same way: told apart by their posture ------------

def _figure(joints: dict[str, tuple[float, float]], hide: str | None = None,
            size: tuple[int, int] = (1280, 720)) -> PoseFrame:
    """A side-view figure from points in metres (x toward the head's side, y up).

    Parts named without a side are put on both sides, a centimetre apart (the far one
    straight behind the near one, as a camera square to the side sees them); ``hide``
    gives one side's limbs visibility 0.05, as when that side is turned away.
    """
    px = np.full((33, 2), np.nan)
    vis = np.full(33, 0.99)
    for name, (x, y) in joints.items():
        for side, dx in (("left", -0.005), ("right", 0.005)):
            try:
                lm = Landmark.of(side, name)
            except KeyError:
                lm = Landmark.from_label(name)
            px[lm] = (300 + (x + dx) * 400, size[1] - 80 - y * 400)
            if side == hide and name not in ("shoulder", "hip", "ear", "eye", "nose"):
                vis[lm] = 0.05
    return PoseFrame.from_pixels(px, size, visibility=vis)


def _ray(p: tuple[float, float], length: float, deg: float) -> tuple[float, float]:
    a = math.radians(deg)
    return (p[0] + length * math.cos(a), p[1] + length * math.sin(a))


def _limbs(shoulder, hip, knee, ankle, wrist, ear, nose) -> dict[str, tuple[float, float]]:  # noqa: ANN001
    elbow = ((shoulder[0] + wrist[0]) / 2, (shoulder[1] + wrist[1]) / 2)
    return {"shoulder": shoulder, "hip": hip, "knee": knee, "ankle": ankle,
            "heel": (ankle[0] - 0.03, ankle[1] - 0.02), "foot_index": (ankle[0] - 0.12, ankle[1] + 0.02),
            "elbow": elbow, "wrist": wrist, "pinky": wrist, "index": wrist, "thumb": wrist,
            "ear": ear, "eye": (nose[0] - 0.01, nose[1] + 0.01), "eye_inner": nose, "eye_outer": ear,
            "nose": nose, "mouth_left": nose, "mouth_right": nose}


def childs_pose(knee: float = 45.0, hip: float = 40.0, hide: str | None = None) -> PoseFrame:
    """Kneeling, shins on the mat behind the knees, torso folded forward over the thighs."""
    k = (0.0, 0.05)
    ankle = _ray(k, f.SHIN, 180.0)
    h = _ray(k, f.THIGH, 180.0 - knee)
    shoulder = _ray(h, f.TORSO, -knee + hip)
    ear = _ray(shoulder, 0.2, -20.0)
    wrist, nose = _ray(shoulder, 0.5, -15.0), _ray(ear, 0.1, -60.0)
    return _figure(_limbs(shoulder, h, k, ankle, wrist, ear, nose), hide)


def knees_to_chest(knee: float = 45.0, hip: float = 40.0, hide: str | None = None) -> PoseFrame:
    """Lying on the back, thighs drawn up toward the chest, shins folded back over them."""
    h, shoulder = (0.0, 0.1), (f.TORSO, 0.1)
    k = _ray(h, f.THIGH, hip)
    ankle = _ray(k, f.SHIN, 180.0 + hip - knee)
    ear = (shoulder[0] + 0.2, 0.12)
    return _figure(_limbs(shoulder, h, k, ankle, _ray(k, 0.08, -120.0), ear, (ear[0] + 0.03, 0.2)), hide)


def happy_baby(hip: float = 35.0, hide: str | None = None) -> PoseFrame:
    """Lying on the back, knees drawn toward the armpits, shins straight up, hands at the feet."""
    h, shoulder = (0.0, 0.1), (f.TORSO, 0.1)
    k = _ray(h, f.THIGH, hip)
    ankle = _ray(k, f.SHIN, 90.0)
    ear = (shoulder[0] + 0.2, 0.12)
    wrist, nose = (ankle[0] + 0.03, ankle[1] - 0.03), (ear[0] + 0.03, 0.2)
    return _figure(_limbs(shoulder, h, k, ankle, wrist, ear, nose), hide)


def _recognised(frame: PoseFrame) -> str | None:
    return PoseRecognizer(list(LIB), hold_s=0.0).update(frame).pose


def test_same_joint_angles_kneeling_face_down_or_lying_on_the_back():
    # Hip and knee bent the same in both: what tells them apart is the posture check
    # (knees below the hips when kneeling, above them when lying on the back).
    kneel, lie = childs_pose(knee=45, hip=40), knees_to_chest(knee=45, hip=40)
    assert _recognised(kneel) == "childs_pose"
    assert _recognised(lie) == "knees_to_chest"
    for frame, other in ((kneel, "knees_to_chest"), (kneel, "happy_baby"), (kneel, "constructive_rest"),
                         (lie, "childs_pose"), (lie, "happy_baby"), (lie, "constructive_rest")):
        assert fit_pose(frame, LIB.get(other)).fit == 0, other
    assert _recognised(happy_baby()) == "happy_baby"
    assert fit_pose(happy_baby(), LIB.get("knees_to_chest")).fit == 0


def test_without_its_posture_knees_to_chest_would_pass_for_childs_pose():
    spec = LIB.get("knees_to_chest")
    bare = spec.model_copy(update={"posture": []})
    assert fit_pose(childs_pose(), bare).fit > 0
    assert fit_pose(childs_pose(), spec).fit == 0


def test_filmed_from_the_other_side_the_pose_is_still_recognised():
    # The spec judges the left leg from the left side. From the right that leg is hidden:
    # the person is still in the pose, so it is recognised (read on the leg the camera
    # sees), and judging it asks them to turn rather than give a verdict.
    for build, pose in ((childs_pose, "childs_pose"), (knees_to_chest, "knees_to_chest"),
                        (happy_baby, "happy_baby")):
        seen = fit_pose(build(hide="right"), LIB.get(pose))
        assert seen.fit >= 0.5 and not seen.other_side
        turned = fit_pose(build(hide="left"), LIB.get(pose))
        assert turned.fit >= 0.5 and turned.other_side, pose
        assert _recognised(build(hide="left")) == pose
    a = assess(childs_pose(hide="left"), LIB.get("childs_pose"))
    assert not any(r.measured for r in a.results)
    assert "turn your left side to the camera" in a.camera_cue


def test_only_one_sided_side_view_specs_are_read_the_other_way():
    assert {s.id for s in LIB if one_sided(s)} == {"camel", "childs_pose", "constructive_rest", "happy_baby",
                                                     "knees_to_chest"}
    frame = childs_pose(hide="left")
    swapped = swap_sides(frame)
    assert np.array_equal(swapped.pixels[Landmark.LEFT_KNEE], frame.pixels[Landmark.RIGHT_KNEE])
    assert swapped.visibility[Landmark.LEFT_KNEE] == frame.visibility[Landmark.RIGHT_KNEE]
    assert np.array_equal(swapped.pixels[Landmark.NOSE], frame.pixels[Landmark.NOSE])
    assert np.array_equal(swap_sides(swapped).xy, frame.xy, equal_nan=True)


def test_a_hidden_front_shin_leaves_the_side_unknown_but_the_pose_recognised():
    # Pigeon from the side: the front shin is hidden, so the body cannot show which leg
    # is in front; the back leg and the hips fit only with the left leg in front, and
    # the recogniser says pigeon without claiming a side.
    joints = _limbs((0.55, 0.72), (0.5, 0.2), (0.85, 0.05), (0.6, 0.04), (0.8, 0.3), (0.6, 0.95), (0.7, 0.93))
    frame = _figure(joints)
    px = frame.pixels.copy()
    vis = frame.visibility.copy()
    # The back (right) leg stretched straight behind on the mat.
    for part, (x, y) in (("knee", (0.1, 0.06)), ("ankle", (-0.3, 0.04)), ("heel", (-0.32, 0.08)),
                         ("foot_index", (-0.4, 0.02))):
        px[Landmark.of("right", part)] = (300 + x * 400, 720 - 80 - y * 400)
    for part in ("knee", "ankle", "heel", "foot_index"):
        vis[Landmark.of("left", part)] = 0.05
    frame = PoseFrame.from_pixels(px, (1280, 720), visibility=vis)
    fit = fit_pose(frame, LIB.get("pigeon"))
    assert fit.fit >= 0.5 and fit.side is None
    r = PoseRecognizer(list(LIB), hold_s=0.0).update(frame)
    assert (r.pose, r.side) == ("pigeon", None)


def test_look_alikes_from_the_front_are_not_a_garland():
    # A lunge filmed from the front spreads the knees like a squat, but kneels on its
    # back knee and stands upright: not a garland, a tree or a reclined cobbler.
    frame = f.lunge_from_front()
    for pose in ("garland", "tree", "reclined_cobbler"):
        assert fit_pose(frame, LIB.get(pose)).fit == 0, pose


def _spec_with(tmp_path, name: str, mutate) -> list[str]:  # noqa: ANN001
    data = yaml.safe_load((bundled_specs_dir() / f"{name}.yaml").read_text())
    mutate(data)
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    with pytest.raises(SpecError) as exc:
        load_spec(path)
    return exc.value.lines()


def _first(**changes):  # noqa: ANN202
    """A mutation of the spec's first posture entry: set fields, or drop those given as None."""
    def mutate(data: dict) -> None:
        entry = data["posture"][0]
        for key, value in changes.items():
            if value is None:
                entry.pop(key)
            else:
                entry[key] = value
    return mutate


POSTURE_ERRORS = [
    ("childs_pose", _first(kind="relative_heigth"), "posture[0].kind", "unknown check kind"),
    ("childs_pose", _first(in_pose=None), "posture[0].in_pose", "required field is missing"),
    ("childs_pose", _first(in_pose={}), "posture[0].in_pose", "give 'min' and/or 'max'"),
    ("childs_pose", _first(points=["left_hip"]), "posture[0]", "must list 2 points"),
    ("childs_pose", _first(id="sit_on_heels"), "posture[0].id", "duplicate check id"),
    ("childs_pose", _first(points=["front_hip", "left_knee"]), "posture[0].points[0]",
     "needs 'sides: front_back'"),
    ("childs_pose", _first(target={"max": 1, "near": 1}), "posture[0].target", "unknown field 'target'"),
    ("garland", _first(kind="segment_orientation", relative_to=None), "posture[0].kind", "needs view 'side'"),
]


@pytest.mark.parametrize("name,mutate,field,expected", POSTURE_ERRORS,
                         ids=[e[2] + ":" + e[3][:16] for e in POSTURE_ERRORS])
def test_posture_checks_are_validated_like_checks(tmp_path, name, mutate, field, expected):
    lines = _spec_with(tmp_path, name, mutate)
    assert any(f": {field}: " in line and expected in line for line in lines), lines


# -- the real model on every labelled clip ----------------------------------------------

#: Clips where the landmark model itself loses the body, so no recogniser can be right
#: there; what they must get instead is no other pose's name. The two of
#: samples/model_failures.json lose the legs; in reclined_cobbler_front the model puts
#: both knees 85-160 px (about a thigh's length) from the true ones from frame 8 on.
MODEL_LOSES_THE_POSE = {c.removesuffix(".mp4")
                        for c in json.loads((SAMPLES / "model_failures.json").read_text())}
MODEL_LOSES_THE_POSE |= {"reclined_cobbler_front"}


@pytest.fixture(scope="module")
def recognised(model_landmarks) -> dict[str, tuple[dict, Counter]]:
    """Per labelled clip: its truth, and over its in-pose frames how often each answer was given.

    The answers are ``"right"``, ``"none"`` or ``"other"`` (another pose), counted as
    ``benchmarks/accuracy.py`` counts them: all twelve poses known, frames outside the
    pose (transitions) left out. The frames are followed as every session follows them
    (same person, left and right, plausibility, stillness) before they are recognised.
    The model runs once per clip.
    """
    from posecheck.io.landmarks_file import read_landmarks
    from posecheck.track.follow import BodyFollower

    out: dict[str, tuple[dict, Counter]] = {}
    truths = sorted(SAMPLES.glob("*.truth.json"))
    made = model_landmarks.many([SAMPLES / f"{p.name.removesuffix('.truth.json')}.mp4" for p in truths])
    for path in truths:
        truth = json.loads(path.read_text())
        name = path.name.removesuffix(".truth.json")
        _, frames = read_landmarks(made[(SAMPLES / f"{name}.mp4").resolve()])
        by_frame = {t["frame"]: t for t in truth["per_frame"]}
        rec, follow = PoseRecognizer(list(LIB)), BodyFollower()
        got: Counter = Counter()
        for index, frame in frames:
            r = rec.update(follow(frame).seen())
            t = by_frame.get(index, {})
            if not t.get("in_pose"):
                continue
            got["right" if r.pose == truth["pose"] else "none" if r.pose is None else "other"] += 1
            if r.pose == truth["pose"] and r.side and t.get("front_side"):
                got["side right" if r.side == t["front_side"] else "side wrong"] += 1
        out[name] = (truth, got)
    assert len(out) >= 24, "the labelled sample set is missing (see samples/README.md)"
    return out




@pytest.mark.model
def test_recognised_on_the_samples(recognised):
    """Every clip filmed from a view its pose's spec accepts: right in 90% of in-pose frames.

    Per clip at least 60%: a three-second clip whose first frames the model cannot yet
    read loses those and then 0.6 s more while the new answer steadies (measured: 67%
    for the pigeon, 76% for one happy baby, 100% for most). Where the model loses the
    body (MODEL_LOSES_THE_POSE) nothing can be right, but no clip may name another
    pose in more than 5% of its frames, and the side, when given, is the truth's.
    """
    right = total = other = 0
    for name, (truth, got) in recognised.items():
        if not truth.get("view_ok", True):
            continue
        n = got["right"] + got["none"] + got["other"]
        right, total, other = right + got["right"], total + n, other + got["other"]
        if name not in MODEL_LOSES_THE_POSE:
            assert got["right"] >= 0.6 * n, (name, got)
        assert got["other"] <= 0.05 * n, (name, got)
        # The side, when one is named, is the truth's: on lunge_side_step_in_left, which the
        # model names the wrong way round in 95 of 96 frames, none is named (issue 18.2).
        assert got["side wrong"] == 0, (name, got)
    assert total > 1400
    assert right / total >= 0.90, right / total
    assert other <= 0.01 * total, other


@pytest.mark.model
def test_a_view_the_spec_cannot_judge_is_never_another_pose(recognised):
    # A frog filmed at floor level in front, a lunge and a pigeon from the front: their
    # checks cannot be judged, and their spread knees must not pass for a garland or a tree.
    wrong_view = {name: got for name, (truth, got) in recognised.items() if not truth.get("view_ok", True)}
    assert len(wrong_view) >= 3
    for name, got in wrong_view.items():
        assert got["other"] <= 0.05 * sum(got[k] for k in ("right", "none", "other")), (name, got)


@pytest.mark.model
def test_score_pose_auto_splits_a_routine_into_segments(tmp_path, two_pose_clip):
    from ..cli_helpers import posecheck

    clip, n = two_pose_clip
    out = tmp_path / "out"
    run = posecheck("score", str(clip), "--pose", "auto", "--out", str(out), "--no-video")
    assert run.code == 0, run.err
    s = json.loads((out / "summary.json").read_text())
    assert s["pose"] == "auto" and s["frames"] == n
    assert [(seg["pose"], seg["side"]) for seg in s["segments"]] == [("kneeling_lunge", "left"), ("frog", None)]
    lunge, frog = s["segments"]
    assert lunge["start_s"] < 0.5 and 2.0 < lunge["end_s"] <= 3.1
    assert 3.0 <= frog["start_s"] < 4.0 and frog["end_s"] == pytest.approx(6.0, abs=0.05)
    assert lunge["checks"]["front_knee_angle"]["median"] == pytest.approx(90, abs=8)
    assert frog["checks"]["left_shin_thigh_angle"]["median"] == pytest.approx(90, abs=12)
    assert set(s["poses"]) == {"kneeling_lunge", "frog"}
    assert "Kneeling lunge" in run.out and "Frog" in run.out


@pytest.mark.model
def test_score_routine_against_its_plan(tmp_path, two_pose_clip):
    from ..cli_helpers import posecheck

    clip, _ = two_pose_clip
    mine = tmp_path / "routines"
    mine.mkdir()
    (mine / "two.yaml").write_text(
        "id: lunge_then_frog\ntitle: Lunge then frog\nsource: ['000']\nsteps:\n"
        "  - {pose: kneeling_lunge, hold: {seconds: 1.5}, sides: left}\n"
        "  - {pose: frog, hold: {seconds: 1.5}}\n")
    run = posecheck("score", str(clip), "--routine", "lunge_then_frog", "--routines", str(mine),
                    "--out", str(tmp_path / "a"), "--no-video", "--no-history")
    assert run.code == 0, run.err
    r = json.loads((tmp_path / "a" / "summary.json").read_text())["routine"]
    assert (r["holds_planned"], r["holds_done"], r["holds_skipped"], r["holds_long_enough"]) == (2, 2, 0, 2)
    # The bundled psoas release: the lunge (left, first round) and the frog were done,
    # everything else skipped, and nothing held its 30 s / 5-breath target.
    run = posecheck("score", str(clip), "--routine", "psoas_release", "--out", str(tmp_path / "b"),
                    "--no-video", "--no-history")
    assert run.code == 0, run.err
    r = json.loads((tmp_path / "b" / "summary.json").read_text())["routine"]
    done = [(st["pose"], st["side"], st["repetition"]) for st in r["steps"] if st["done"]]
    assert done == [("kneeling_lunge", "left", 1), ("frog", None, 1)]
    assert r["holds_planned"] == 21 and r["holds_skipped"] == 19 and r["holds_long_enough"] == 0
    assert "2 of 21 holds done" in run.out


def test_routine_and_pose_together_is_a_usage_error(tmp_path):
    from ..cli_helpers import assert_clean_error, posecheck

    run = posecheck("score", str(SAMPLES / "frog_backhigh_90.mp4"), "--pose", "frog", "--routine", "psoas_release",
                    "--out", str(tmp_path / "o"))
    assert_clean_error(run, 2, "either --pose or --routine")
