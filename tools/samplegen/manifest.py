"""The sample set: every clip = pose script + body + camera + room + seed.

Regenerate with `python -m tools.samplegen` (see samples/README.md). Adding a clip
is adding an entry; adding a pose is a function in poses.py.
"""
from __future__ import annotations

from .clip import BodySpec as B
from .clip import CameraSpec as Cam
from .clip import ClipSpec
from .scene import Room
from .scripts import Hold, Move

# which views each pose's spec accepts (the rest are "wrong view" clips)
VIEWS_OK = {
    "kneeling_lunge": {"side"}, "low_lunge": {"side"}, "frog": {"back-high"},
    "pigeon": {"side"}, "camel": {"side"}, "childs_pose": {"side"},
    "knees_to_chest": {"side"}, "happy_baby": {"side"}, "constructive_rest": {"side"},
    "reclined_cobbler": {"front"}, "garland": {"front"}, "tree": {"front"},
}

ROOMS = {
    "studio": Room(floor=(0.58, 0.40, 0.24), wall=(0.86, 0.84, 0.78), mat=(0.45, 0.25, 0.55),
                   yaw_deg=0, light_dir=(-0.5, -1.0, -0.35), seed=1),
    "living": Room(floor=(0.42, 0.27, 0.16), wall=(0.78, 0.82, 0.74), accent=(0.55, 0.40, 0.30),
                   mat=(0.15, 0.45, 0.55), yaw_deg=90, light_dir=(0.6, -1.0, 0.2), light_intensity=3.0, seed=2),
    "bright": Room(floor=(0.72, 0.58, 0.40), wall=(0.92, 0.90, 0.88), accent=(0.30, 0.30, 0.35),
                   mat=(0.20, 0.22, 0.25), yaw_deg=180, light_dir=(0.2, -1.0, -0.6), light_intensity=3.6,
                   ambient=0.4, seed=3),
    "warm": Room(floor=(0.50, 0.33, 0.20), wall=(0.88, 0.78, 0.66), accent=(0.25, 0.35, 0.30),
                 mat=(0.65, 0.20, 0.22), yaw_deg=270, light_dir=(-0.3, -1.0, 0.5), light_intensity=3.0, seed=4),
    "grey": Room(floor=(0.60, 0.45, 0.30), wall=(0.70, 0.72, 0.75), accent=(0.45, 0.30, 0.20),
                 mat=(0.25, 0.50, 0.30), yaw_deg=45, light_dir=(0.5, -1.0, -0.2), seed=5),
    # rooms of the moving clips (so a pose's clips do not all share a background)
    "loft": Room(floor=(0.66, 0.58, 0.48), wall=(0.60, 0.64, 0.70), accent=(0.70, 0.52, 0.32),
                 mat=(0.85, 0.42, 0.18), yaw_deg=135, light_dir=(0.4, -1.0, 0.5), light_intensity=3.4,
                 ambient=0.38, seed=6),
    "dim": Room(floor=(0.36, 0.23, 0.14), wall=(0.72, 0.63, 0.55), accent=(0.20, 0.26, 0.42),
                mat=(0.32, 0.38, 0.62), yaw_deg=225, light_dir=(-0.6, -1.0, -0.1), light_intensity=2.7,
                ambient=0.30, seed=7),
    "white": Room(floor=(0.80, 0.70, 0.56), wall=(0.94, 0.94, 0.93), accent=(0.55, 0.45, 0.40),
                  mat=(0.50, 0.62, 0.28), yaw_deg=315, light_dir=(0.3, -1.0, -0.5), light_intensity=3.4,
                  ambient=0.40, seed=8),
}

LUNGE = "kneeling_lunge"


def _clip(name, pose, steps, body, cam, room, seed, **kw):
    view_ok = kw.pop("view_ok", cam.view in VIEWS_OK[pose])
    return ClipSpec(name=name, pose=pose, steps=steps, body=body, camera=cam, room=ROOMS[room],
                    view_ok=view_ok, seed=seed, **kw)


CLIPS = [
    # --- kneeling lunge, side view ---
    _clip("lunge_side_90_left", LUNGE, [Hold(LUNGE, 3.0, {"front": "left", "knee": 90})],
          B("female", "average", "medium", "teal", "black", "brown", seed=1),
          Cam("side", side="left", height=0.8, distance=3.0), "studio", seed=1,
          anchor=("left_ankle",), notes="good: front knee 90 held"),
    _clip("lunge_side_90_right", LUNGE, [Hold(LUNGE, 3.0, {"front": "right", "knee": 90, "arms": "hips"})],
          B("male", "athletic", "dark", "red", "charcoal", "black", seed=2),
          Cam("side", side="right", height=0.5, distance=2.7, yaw=6), "living", seed=2,
          anchor=("right_ankle",), notes="good: front knee 90 held, right leg forward"),
    _clip("lunge_side_120_left", LUNGE, [Hold(LUNGE, 3.0, {"front": "left", "knee": 120, "shin_tilt": -10})],
          B("male", "heavy", "light", "grey", "navy", "blond", seed=3),
          Cam("side", side="right", height=1.0, distance=3.4), "bright", seed=3,
          anchor=("left_ankle",), notes="too open: front knee ~120 held"),
    _clip("lunge_side_drift_right", LUNGE,
          [Hold(LUNGE, 0.8, {"front": "right", "knee": 90, "shin_tilt": 0}),
           Hold(LUNGE, 2.4, {"front": "right", "knee": 90, "shin_tilt": 0}, ramp={"knee": 70, "shin_tilt": 20}),
           Hold(LUNGE, 0.8, {"front": "right", "knee": 70, "shin_tilt": 20})],
          B("female", "slim", "brown", "mustard", "black", "black", seed=4),
          Cam("side", side="left", height=0.6, distance=3.2, yaw=-5), "warm", seed=4,
          anchor=("right_ankle",), notes="front knee drifts forward past the ankle, 90 -> 70"),
    _clip("lunge_side_behind_left", LUNGE,
          [Hold(LUNGE, 3.0, {"front": "left", "knee": 115, "shin_tilt": -22})],
          B("female", "tall", "tan", "lilac", "charcoal", "auburn", seed=5),
          Cam("side", side="left", height=0.9, distance=2.8), "grey", seed=5,
          anchor=("left_ankle",), notes="front knee behind the ankle (shin tilted back), knee ~115"),
    _clip("lunge_side_in_hold_out_left", LUNGE,
          [Hold("standing", 0.6), Move(1.3), Hold(LUNGE, 1.8, {"front": "left", "knee": 90}),
           Move(1.0), Hold("standing", 0.3)],
          B("male", "short", "medium", "sky", "black", "brown", seed=6),
          Cam("side", side="right", height=0.7, distance=3.3), "studio", seed=6,
          anchor=("right_foot_index",), notes="standing -> lunge -> hold -> standing (hold detection)"),
    _clip("lunge_front_90_left", LUNGE, [Hold(LUNGE, 3.0, {"front": "left", "knee": 90})],
          B("female", "average", "dark", "coral", "navy", "black", seed=7),
          Cam("front", height=0.9, distance=3.0), "living", seed=7,
          anchor=("left_ankle",), notes="wrong view: filmed from the front, thighs point at the camera"),
    # --- low lunge, back knee hovering ---
    _clip("low_lunge_side_left", "low_lunge", [Hold("low_lunge", 3.0, {"front": "left", "knee": 90})],
          B("female", "athletic", "light", "forest", "black", "blond", seed=8),
          Cam("side", side="left", height=0.7, distance=3.0), "bright", seed=8,
          anchor=("left_ankle",), notes="back knee hovering above the mat"),
    # The one above loses its legs in the model (both in black leggings): this one, legs in
    # light and dark, right leg forward, gives the low lunge's figures where the model tracks them.
    _clip("low_lunge_side_right", "low_lunge", [Hold("low_lunge", 3.0, {"front": "right", "knee": 90})],
          B("male", "athletic", "brown", "mustard", "sky", "black", seed=29),
          Cam("side", side="right", height=0.8, distance=3.1, yaw=3), "loft", seed=29,
          anchor=("right_ankle",), notes="back knee hovering above the mat, right leg forward"),
    # --- frog ---
    _clip("frog_backhigh_90", "frog", [Hold("frog", 3.0, {"knee": 90})],
          B("female", "average", "medium", "burgundy", "black", "brown", seed=9),
          Cam("back-high", height=1.9, pitch=45), "studio", seed=9,
          anchor=("left_knee", "right_knee"), notes="good: shins and thighs at 90"),
    _clip("frog_backhigh_90_b", "frog", [Hold("frog", 3.0, {"knee": 90})],
          B("male", "heavy", "brown", "white", "charcoal", "black", seed=10),
          Cam("back-high", height=2.2, pitch=52, yaw=8), "warm", seed=10,
          anchor=("left_knee", "right_knee"), notes="good: shins and thighs at 90, higher camera"),
    _clip("frog_backhigh_120", "frog", [Hold("frog", 3.0, {"knee": 120})],
          B("male", "athletic", "tan", "navy", "grey", "black", seed=11),
          Cam("back-high", height=1.7, pitch=38), "grey", seed=11,
          anchor=("left_knee", "right_knee"), notes="feet too far out: knees at ~120"),
    _clip("frog_frontfloor_90", "frog", [Hold("frog", 3.0, {"knee": 90})],
          B("female", "heavy", "tan", "olive", "black", "brown", seed=12),
          Cam("front-floor", height=0.3, distance=2.6, target_y=0.3), "living", seed=12,
          anchor=("left_knee", "right_knee"), notes="wrong view: front, floor level (shins point at the camera)"),
    # --- pigeon, camel, child's pose ---
    _clip("pigeon_side_left", "pigeon", [Hold("pigeon", 3.0, {"front": "left"})],
          B("female", "slim", "light", "black", "sky", "blond", seed=13),
          Cam("side", side="right", height=0.6, distance=3.0), "bright", seed=13,
          anchor=("left_knee",), notes="front (left) shin hidden behind the body"),
    _clip("camel_side", "camel", [Hold("camel", 3.0)],
          B("male", "average", "dark", "mustard", "charcoal", "black", seed=14),
          Cam("side", side="left", height=0.8, distance=3.0), "warm", seed=14,
          anchor=("left_knee", "right_knee"), notes="camel, hands on heels"),
    _clip("childs_pose_side", "childs_pose", [Hold("childs_pose", 3.0)],
          B("female", "tall", "brown", "teal", "grey", "black", seed=15),
          Cam("side", side="right", height=0.5, distance=2.8), "grey", seed=15,
          anchor=("left_knee", "right_knee"), notes="child's pose, forehead on the mat"),
    # --- the rest of the pose library (issue 6) ---
    _clip("knees_to_chest_side", "knees_to_chest", [Hold("knees_to_chest", 3.0)],
          B("male", "average", "light", "red", "black", "brown", seed=16),
          Cam("side", side="left", height=0.7, distance=2.8), "studio", seed=16,
          anchor=("left_hip", "right_hip"), notes="knees to chest, hands round the shins"),
    _clip("happy_baby_side", "happy_baby", [Hold("happy_baby", 3.0)],
          B("female", "average", "tan", "sky", "charcoal", "black", seed=17),
          Cam("side", side="right", height=0.8, distance=2.9), "bright", seed=17,
          anchor=("left_hip", "right_hip"), notes="happy baby filmed from the right: the left leg the spec measures is hidden (camera instruction)"),
    _clip("constructive_rest_side", "constructive_rest", [Hold("constructive_rest", 3.0)],
          B("male", "heavy", "medium", "forest", "navy", "black", seed=18),
          Cam("side", side="left", height=0.6, distance=2.8), "living", seed=18,
          anchor=("left_hip", "right_hip"), notes="constructive rest, knees bent, feet flat"),
    _clip("reclined_cobbler_front", "reclined_cobbler", [Hold("reclined_cobbler", 3.0)],
          B("female", "slim", "dark", "coral", "black", "black", seed=19),
          Cam("front", height=1.5, distance=2.4), "warm", seed=19,
          anchor=("left_hip", "right_hip"), notes="reclined cobbler filmed from the feet, soles together"),
    _clip("garland_front", "garland", [Hold("garland", 3.0)],
          B("male", "athletic", "brown", "white", "grey", "black", seed=20),
          Cam("front", height=0.8, distance=2.8), "grey", seed=20,
          anchor=("left_ankle", "right_ankle"), notes="deep squat, knees wide"),
    _clip("tree_front", "tree", [Hold("tree", 3.0, {"standing": "right"})],
          B("female", "athletic", "medium", "teal", "black", "auburn", seed=21),
          Cam("front", height=1.1, distance=3.3), "studio", seed=21,
          anchor=("right_ankle",), notes="tree on the right leg, left foot on the inner thigh"),
    _clip("pigeon_front_left", "pigeon", [Hold("pigeon", 3.0, {"front": "left"})],
          B("male", "average", "brown", "mustard", "grey", "black", seed=22),
          Cam("front", height=0.9, distance=2.8), "living", seed=22,
          anchor=("left_knee",), notes="pigeon from the front: front (left) shin across, back leg hidden"),
    _clip("happy_baby_side_left", "happy_baby", [Hold("happy_baby", 3.0, {"thigh": 150})],
          B("male", "slim", "dark", "burgundy", "black", "black", seed=23),
          Cam("side", side="left", height=0.7, distance=2.9, yaw=5), "grey", seed=23,
          anchor=("left_hip", "right_hip"), notes="happy baby filmed from the left, knees a little higher"),
    _clip("childs_pose_side_left", "childs_pose", [Hold("childs_pose", 3.0)],
          B("male", "average", "light", "navy", "grey", "brown", seed=24),
          Cam("side", side="left", height=0.6, distance=2.8), "studio", seed=24,
          anchor=("left_knee", "right_knee"), notes="child's pose filmed from the left"),
    # --- moving clips: the joint angles change at a person's speed (20-60 deg/s) ---
    # (the lunges keep the front foot and the back knee planted `span` apart, so the
    # shin tilt and the back thigh follow the front knee as in a real body)
    _clip("lunge_side_step_in_left", LUNGE,
          [Hold(LUNGE, 0.3, {"front": "left", "knee": 130, "span": 0.88}),
           Hold(LUNGE, 1.5, {"front": "left", "knee": 130, "span": 0.88}, ramp={"knee": 85}, ease=True),
           Hold(LUNGE, 0.7, {"front": "left", "knee": 85, "span": 0.88}, ramp={"knee": 95}, ease=True),
           Hold(LUNGE, 1.5, {"front": "left", "knee": 95, "span": 0.88})],
          B("male", "tall", "brown", "olive", "grey", "black", sleeves="long", seed=25),
          Cam("side", side="left", height=1.15, distance=3.4, yaw=4), "loft", seed=25,
          anchor=("left_ankle",), notes="sinks into the lunge: front knee 130 -> 85, settles at 95"),
    _clip("lunge_side_drift_back_right", LUNGE,
          [Hold(LUNGE, 0.6, {"front": "right", "knee": 90, "span": 0.60, "arms": "hips"}),
           Hold(LUNGE, 1.2, {"front": "right", "knee": 90, "span": 0.60, "arms": "hips"}, ramp={"knee": 67}, ease=True),
           Hold(LUNGE, 0.4, {"front": "right", "knee": 67, "span": 0.60, "arms": "hips"}),
           Hold(LUNGE, 1.2, {"front": "right", "knee": 67, "span": 0.60, "arms": "hips"}, ramp={"knee": 90}, ease=True),
           Hold(LUNGE, 0.6, {"front": "right", "knee": 90, "span": 0.60, "arms": "hips"})],
          B("female", "athletic", "tan", "white", "navy", "black", seed=26),
          Cam("side", side="right", height=0.95, distance=3.1, yaw=-6), "dim", seed=26,
          anchor=("right_ankle",), notes="front knee drifts past the ankle and back: 90 -> 67 -> 90, shin 0 -> 20 -> 0, hands on hips"),
    _clip("frog_backhigh_move", "frog",
          [Hold("frog", 0.7, {"knee": 90}),
           Hold("frog", 1.0, {"knee": 90}, ramp={"knee": 120}, ease=True),
           Hold("frog", 0.6, {"knee": 120}),
           Hold("frog", 1.0, {"knee": 120}, ramp={"knee": 90}, ease=True),
           Hold("frog", 0.7, {"knee": 90})],
          B("female", "slim", "dark", "coral", "charcoal", "black", seed=27),
          Cam("back-high", height=2.0, pitch=47, yaw=-10), "white", seed=27,
          anchor=("left_knee", "right_knee"), notes="feet move out and back in: knees 90 -> ~117 -> 90"),
    _clip("tree_front_leg_lift", "tree",
          [Hold("standing", 0.6), Move(0.5),
           Hold("tree", 0.1, {"standing": "left", "lift": "knee"}, in_pose=False), Move(0.4),
           Hold("tree", 1.65, {"standing": "left"}), Move(0.75), Hold("standing", 0.5)],
          B("female", "average", "dark", "lilac", "navy", "black", sleeves="long", seed=28),
          Cam("front", height=0.95, distance=2.8, yaw=6), "living", seed=28,
          anchor=("left_ankle",), notes="standing -> right knee lifted toward the camera -> tree on the left leg -> down"),
]

BY_NAME = {c.name: c for c in CLIPS}
