"""Pose library. Each pose is `name(t, body, **params) -> PoseFrame`; scripts
(scripts.py) string them together over time. Angles in degrees; pose frame:
y up, person faces +z, person's left = +x. Add a pose by writing a function
here and registering it in POSES.
"""
from __future__ import annotations

import numpy as np

from .geometry import FWD, LEFT, UP, dir_pitch, unit
from .posing import SIDES, PoseFrame, arm, hanging_arms, lateral, leg, torso

OTHER = {"left": "right", "right": "left"}


class Sway:
    """Small living motion for holds: breathing (torso pitch), weight shift (knee),
    head. Amplitudes in degrees; deterministic from the seed."""

    def __init__(self, seed: int, amp=1.0):
        rng = np.random.default_rng(seed + 1000)
        self.ph = rng.uniform(0, 2 * np.pi, 6)
        self.fr = np.array([0.22, 0.13, 0.31, 0.17, 0.09, 0.27]) * rng.uniform(0.85, 1.15, 6)
        self.amp = amp

    def __call__(self, t, k, scale=1.0):
        return self.amp * scale * np.sin(2 * np.pi * self.fr[k] * t + self.ph[k])


def _foot_flat(body, side):
    """The foot direction the body has when standing with the foot flat."""
    s, _ = SIDES[side]
    return body.seg_rest[f"foot.{s}"][:, 0]


def standing(t, body, sway=None, **_):
    sw = sway or (lambda t, k, scale=1.0: 0.0)
    tg = torso(pelvis=90 + sw(t, 0, 0.5), lower=90, upper=90 + sw(t, 1), neck=92, head=90 + sw(t, 2))
    for side in ("left", "right"):
        d = lateral(side, dir_pitch(-90), 1.5)
        tg.update(leg(side, d, d, _foot_flat(body, side)))
    tg.update(hanging_arms(out_deg=9, fwd_deg=3 + sw(t, 3), elbow_deg=10))
    return PoseFrame(build=lambda a: tg, in_pose=False, front_side=None, primary=None)


def kneeling_lunge(t, body, front="left", knee=90.0, shin_tilt=0.0, back_thigh=8.0,
                   torso_lean=0.0, arms="hang", span=None, sway=None, **_):
    """Front knee angle `knee`; front shin tilted forward (knee ahead of ankle) by
    `shin_tilt`; back knee on the mat. The contact solver first swings the back thigh
    (angle behind vertical, >= back_thigh) until the back knee touches; if the hips are
    too high for that it tilts the front shin back (lowering the hips, same knee angle).

    `span` (metres, for moving clips): the front foot and the back knee stay planted
    this far apart along the mat, as when a person sinks into the lunge or lets the
    knee drift: the shin tilt then follows from the back thigh's swing (`shin_tilt` is
    ignored) and the solver swings the back thigh until the back knee touches."""
    sw = sway or (lambda t, k, scale=1.0: 0.0)
    knee_t = knee + sw(t, 4, 1.0)
    lean = torso_lean + sw(t, 0, 1.2)
    back = OTHER[front]

    def make(phi, alpha):
        tg = torso(pelvis=90 - lean * 0.6, lower=90 - lean, upper=90 - lean + sw(t, 1),
                   neck=88 - lean, head=90 + sw(t, 2))
        d_shin = dir_pitch(-90 - alpha)
        d_thigh = dir_pitch(90 - alpha - knee_t)
        tg.update(leg(front, lateral(front, d_thigh, 2.0), lateral(front, d_shin, 2.0), _foot_flat(body, front)))
        b_thigh = dir_pitch(-90 - phi)
        b_shin = dir_pitch(181.0)
        b_foot = dir_pitch(180 + 6)
        tg.update(leg(back, lateral(back, b_thigh, 2.0), lateral(back, b_shin, 2.0), lateral(back, b_foot, 2.0)))
        if arms == "hips":
            for side in ("left", "right"):
                tg.update(arm(side, lateral(side, dir_pitch(-110), 40), lateral(side, dir_pitch(-10), -55)))
        else:
            tg.update(hanging_arms(out_deg=10, fwd_deg=4 + sw(t, 3), elbow_deg=14))
        return tg

    fs, _ = SIDES[front]
    bs, _ = SIDES[back]
    primary = (f"foot.{fs}",) + tuple(f"toe{i}-{j}.{fs}" for i in range(1, 6) for j in (1, 2, 3))
    knee_region = (f"lowerleg01.{bs}", f"upperleg02.{bs}")
    if span is not None:
        ls, lt, lb = body.seg_len(f"shin.{fs}"), body.seg_len(f"thigh.{fs}"), body.seg_len(f"thigh.{bs}")

        def tilt_for(phi):
            # back knee - front ankle along the mat (sagittal plane) = -span:
            # ls sin(a) - lt sin(a + knee) - lb sin(phi) = -span, solved for the tilt a
            k = np.radians(knee_t)
            a_, b_ = ls - lt * np.cos(k), -lt * np.sin(k)
            r = np.clip((lb * np.sin(np.radians(phi)) - span) / np.hypot(a_, b_), -1.0, 1.0)
            return float(np.degrees(np.arcsin(r) - np.arctan2(b_, a_)))

        return PoseFrame(build=lambda p: make(p, tilt_for(p)), front_side=front, primary=primary,
                         secondary=knee_region, adjust_range=(-10.0, 70.0), adjust_default=back_thigh + 10,
                         info={"knee": knee_t, "span": span})
    fallback = PoseFrame(build=lambda a: make(back_thigh, a), front_side=front,
                         primary=primary, secondary=knee_region,
                         adjust_range=(shin_tilt - 45.0, shin_tilt), adjust_default=shin_tilt)
    return PoseFrame(build=lambda p: make(p, shin_tilt), front_side=front, primary=primary,
                     secondary=knee_region, adjust_range=(back_thigh, 70.0),
                     adjust_default=back_thigh + 10, fallback=fallback,
                     info={"knee": knee_t, "shin_tilt": shin_tilt})


def low_lunge(t, body, front="left", knee=90.0, shin_tilt=0.0, back_thigh=38.0,
              arms="hips", sway=None, **_):
    """Back knee hovering: back thigh `back_thigh` behind vertical, toes tucked; the
    solver pitches the back shin until the back toes reach the mat."""
    sw = sway or (lambda t, k, scale=1.0: 0.0)
    knee_t = knee + sw(t, 4)
    back = OTHER[front]

    def make(psi):
        tg = torso(pelvis=88 + sw(t, 0), lower=90, upper=92 + sw(t, 1), neck=90, head=88 + sw(t, 2))
        d_shin = dir_pitch(-90 - shin_tilt)
        d_thigh = dir_pitch(90 - shin_tilt - knee_t)
        tg.update(leg(front, lateral(front, d_thigh, 2.0), lateral(front, d_shin, 2.0), _foot_flat(body, front)))
        b_thigh = dir_pitch(-90 - back_thigh)
        b_shin = dir_pitch(180 + psi)
        b_foot = dir_pitch(180 + psi + 70)
        tg.update(leg(back, lateral(back, b_thigh, 2.0), lateral(back, b_shin, 2.0), lateral(back, b_foot, 2.0)))
        if arms == "hips":
            for side in ("left", "right"):
                tg.update(arm(side, lateral(side, dir_pitch(-110), 40), lateral(side, dir_pitch(-10), -55)))
        else:
            tg.update(hanging_arms(out_deg=10, fwd_deg=5, elbow_deg=14))
        return tg

    fs, _ = SIDES[front]
    bs, _ = SIDES[back]
    primary = (f"foot.{fs}",) + tuple(f"toe{i}-{j}.{fs}" for i in range(1, 6) for j in (1, 2, 3))
    toes = (f"foot.{bs}",) + tuple(f"toe{i}-{j}.{bs}" for i in range(1, 6) for j in (1, 2, 3))
    return PoseFrame(build=make, front_side=front, primary=primary, secondary=toes,
                     adjust_range=(-15.0, 50.0), adjust_default=10.0,
                     info={"knee": knee_t})


def frog(t, body, knee=90.0, sway=None, **_):
    """On forearms and knees, thighs straight out sideways, shins back (knee 90) or
    rotated out (knee > 90). The solver dips the thighs until the knees reach the mat
    with the forearms on it."""
    sw = sway or (lambda t, k, scale=1.0: 0.0)
    k = {"left": knee + sw(t, 4), "right": knee + sw(t, 5)}

    def make(dip):
        tg = torso(pelvis=8 + sw(t, 0), lower=10, upper=12 + sw(t, 1), neck=20, head=-10 + sw(t, 2))
        for side in ("left", "right"):
            _, sx = SIDES[side]
            d_thigh = unit(np.cos(np.radians(dip)) * sx * LEFT - np.sin(np.radians(dip)) * UP)
            open_ = np.radians(k[side] - 90.0)
            d_shin = unit(np.sin(open_) * sx * LEFT - np.cos(open_) * FWD - 0.03 * UP)
            d_foot = unit(sx * LEFT * 0.55 - UP * 0.55 - FWD * 0.3)
            tg.update(leg(side, d_thigh, d_shin, d_foot, h_default=UP))
            up = lateral(side, dir_pitch(-84), 4)
            fo = lateral(side, dir_pitch(-2), -6)
            tg.update(arm(side, up, fo, dir_pitch(-6)))
        return tg

    forearms = ("lowerarm", "wrist", "finger", "metacarpal")
    knees = ("lowerleg01", "upperleg02")
    return PoseFrame(build=make, front_side=None, primary=forearms, secondary=knees,
                     adjust_range=(-10.0, 45.0), adjust_default=10.0, info={"knee": dict(k)})


def pigeon(t, body, front="left", sway=None, **_):
    """Front shin across in front of the pelvis, back leg straight behind, torso up
    on the hands (arms reach the mat)."""
    sw = sway or (lambda t, k, scale=1.0: 0.0)
    back = OTHER[front]
    _, fx = SIDES[front]

    def make(dip):
        tg = torso(pelvis=80 + sw(t, 0), lower=86, upper=92 + sw(t, 1), neck=90, head=88 + sw(t, 2))
        d_thigh = unit(FWD * 0.9 + fx * LEFT * 0.42 - UP * 0.28)
        d_shin = unit(-fx * LEFT * 0.93 - FWD * 0.28 - UP * 0.02)
        d_foot = unit(-fx * LEFT * 0.8 - FWD * 0.2 - UP * 0.4)
        tg.update(leg(front, d_thigh, d_shin, d_foot, h_default=UP))
        d = dir_pitch(180 + dip)
        tg.update(leg(back, lateral(back, d, 3), lateral(back, dir_pitch(180 + 2), 3),
                      lateral(back, dir_pitch(180 + 40), 3), h_default=LEFT))
        tg.update(hanging_arms(out_deg=14, fwd_deg=8, elbow_deg=4))
        return tg

    fs, _ = SIDES[front]
    bs, _ = SIDES[back]
    primary = (f"lowerleg01.{fs}", f"lowerleg02.{fs}", f"upperleg02.{fs}")
    secondary = (f"upperleg02.{bs}", f"lowerleg01.{bs}")
    return PoseFrame(build=make, front_side=front, primary=primary, secondary=secondary,
                     adjust_range=(0.0, 40.0), adjust_default=12.0,
                     reach=_hands_to_mat(forward=0.12, out=0.10))


def _hands_to_mat(forward=0.1, out=0.1):
    def reach(lm, mat_y):
        res = {}
        for side in ("left", "right"):
            _, sx = SIDES[side]
            sh = lm[f"{side}_shoulder"]
            hip = lm[f"{side}_hip"]
            res[side] = np.array([hip[0] + sx * out, mat_y + 0.035, hip[2] + forward])
        return res
    return reach


def camel(t, body, arch=1.0, sway=None, **_):
    """Kneeling, thighs near vertical, back arched, hands reaching for the heels."""
    sw = sway or (lambda t, k, scale=1.0: 0.0)

    def make(_a):
        a = arch
        tg = torso(pelvis=100 * 1 + 4 * a + sw(t, 0), lower=90 + 35 * a, upper=90 + 62 * a + sw(t, 1),
                   neck=90 + 78 * a, head=90 + 105 * a + sw(t, 2))
        for side in ("left", "right"):
            tg.update(leg(side, lateral(side, dir_pitch(-84), 1.5), lateral(side, dir_pitch(181), 1.5),
                          lateral(side, dir_pitch(180 + 62), 1.5)))
        tg.update(hanging_arms(out_deg=12, fwd_deg=-20, elbow_deg=0))
        return tg

    def reach(lm, mat_y):
        return {s: lm[f"{s}_heel"] + np.array([0, 0.06, 0.0]) for s in ("left", "right")}

    return PoseFrame(build=make, front_side=None, primary=None, reach=reach,
                     info={"bend_hint": -FWD})


def childs_pose(t, body, sway=None, **_):
    """Sitting back on the heels, torso folded over the thighs, forehead to the mat,
    arms reaching forward. The solver tips the torso until the head reaches the mat."""
    sw = sway or (lambda t, k, scale=1.0: 0.0)

    def make(fold):
        tg = torso(pelvis=40 - fold * 0.5 + sw(t, 0, 0.6), lower=25 - fold, upper=5 - fold + sw(t, 1, 0.6),
                   neck=-5 - fold, head=-70)
        for side in ("left", "right"):
            tg.update(leg(side, lateral(side, dir_pitch(-12), 6), lateral(side, dir_pitch(181), 3),
                          lateral(side, dir_pitch(180 + 18), 3)))
        tg.update(hanging_arms(out_deg=10, fwd_deg=80, elbow_deg=4))
        return tg

    def reach(lm, mat_y):
        res = {}
        for side in ("left", "right"):
            _, sx = SIDES[side]
            sh = lm[f"{side}_shoulder"]
            res[side] = np.array([sh[0] + sx * 0.06, mat_y + 0.03, sh[2] + 0.42])
        return res

    shins = ("lowerleg", "foot", "toe")
    head = ("head", "neck03", "eye", "jaw", "special", "oris", "levator", "temporalis",
            "orbicularis", "risorius", "tongue")
    return PoseFrame(build=make, front_side=None, primary=shins, secondary=head,
                     adjust_range=(-10.0, 40.0), adjust_default=10.0, reach=reach,
                     info={"bend_hint": UP})


# --- lying on the back (supine): the torso pitched to 180 (head toward -z, chest
# facing up). Thigh pitch 0 = along the mat toward the feet, 90 = straight up,
# 180 = toward the head; a knee of angle k puts the shin at thigh pitch - 180 + k.

_SUPINE_TORSO = ("spine", "pelvis", "root", "clavicle", "shoulder", "neck", "head")


def _supine(sw, t, head=178.0):
    return torso(pelvis=180 + sw(t, 0, 0.3), lower=180, upper=180 + sw(t, 1, 0.5), neck=178,
                 head=head + sw(t, 2, 0.5))


def _arms_alongside():
    tg = {}
    for side in ("left", "right"):
        tg.update(arm(side, lateral(side, dir_pitch(-4), 12), lateral(side, dir_pitch(-3), 8)))
    return tg


def knees_to_chest(t, body, hip=50.0, knee=55.0, sway=None, **_):
    """On the back, both knees drawn to the chest (shoulder-hip-knee `hip`), knees
    bent to `knee`, hands clasped round the shins just below the knees."""
    sw = sway or (lambda t, k, scale=1.0: 0.0)

    def make(_a):
        tg = _supine(sw, t, head=172)
        th = 180 - hip + sw(t, 4)
        for side in ("left", "right"):
            d_thigh = lateral(side, dir_pitch(th), 6)
            d_shin = lateral(side, dir_pitch(th - 180 + knee), 6)
            tg.update(leg(side, d_thigh, d_shin, lateral(side, dir_pitch(th - 180 + knee - 60), 6)))
        tg.update(hanging_arms())
        return tg

    def reach(lm, mat_y):
        res = {}
        for side in ("left", "right"):
            _, sx = SIDES[side]
            k, a = lm[f"{side}_knee"], lm[f"{side}_ankle"]
            res[side] = k + 0.35 * (a - k) + sx * np.array([0.09, 0, 0])
        return res

    return PoseFrame(build=make, front_side=None, primary=_SUPINE_TORSO, reach=reach,
                     info={"bend_hint": UP, "hip": hip, "knee": knee})


def happy_baby(t, body, thigh=162.0, out=35.0, sway=None, **_):
    """On the back, thighs drawn toward the armpits (pitch `thigh`, opened `out`
    degrees), shins up toward the ceiling, hands holding the outer edges of the feet."""
    sw = sway or (lambda t, k, scale=1.0: 0.0)

    def make(_a):
        tg = _supine(sw, t)
        for side in ("left", "right"):
            d_thigh = lateral(side, dir_pitch(thigh + sw(t, 4)), out)
            d_shin = lateral(side, dir_pitch(92), 10)
            d_foot = lateral(side, dir_pitch(170), 10)
            tg.update(leg(side, d_thigh, d_shin, d_foot))
        tg.update(hanging_arms())
        return tg

    def reach(lm, mat_y):
        res = {}
        for side in ("left", "right"):
            _, sx = SIDES[side]
            a = lm[f"{side}_ankle"]
            res[side] = a + np.array([sx * 0.06, 0.02, -0.06])
        return res

    return PoseFrame(build=make, front_side=None, primary=_SUPINE_TORSO, reach=reach, info={"bend_hint": -UP})


def constructive_rest(t, body, knee=95.0, sway=None, **_):
    """On the back, knees bent to `knee`, feet flat on the mat hip-width apart, arms
    alongside. The solver raises the thighs until the feet rest on the mat."""
    sw = sway or (lambda t, k, scale=1.0: 0.0)
    k = knee + sw(t, 4)

    def make(th):
        tg = _supine(sw, t)
        for side in ("left", "right"):
            tg.update(leg(side, lateral(side, dir_pitch(th), 5), lateral(side, dir_pitch(th - 180 + k), 5),
                          _foot_flat(body, side)))
        tg.update(_arms_alongside())
        return tg

    feet = ("foot", "toe")
    return PoseFrame(build=make, front_side=None, primary=_SUPINE_TORSO, secondary=feet,
                     adjust_range=(15.0, 85.0), adjust_default=45.0, info={"knee": k})


def reclined_cobbler(t, body, out=55.0, sway=None, **_):
    """On the back, soles together near the pelvis, knees fallen open to the sides
    (thighs `out` degrees from the body's midline plane). The solver tips the thighs
    until the feet rest on the mat."""
    sw = sway or (lambda t, k, scale=1.0: 0.0)

    def make(th):
        tg = _supine(sw, t)
        for side in ("left", "right"):
            _, sx = SIDES[side]
            d_thigh = lateral(side, dir_pitch(th), out + sw(t, 4 if side == "left" else 5))
            d_shin = unit(-sx * 0.96 * LEFT - 0.15 * UP + 0.25 * FWD)
            d_foot = unit(FWD * 0.85 - sx * LEFT * 0.3 - UP * 0.1)
            tg.update(leg(side, d_thigh, d_shin, d_foot, h_default=UP))
        tg.update(_arms_alongside())
        return tg

    feet = ("foot", "toe")
    return PoseFrame(build=make, front_side=None, primary=_SUPINE_TORSO, secondary=feet,
                     adjust_range=(-15.0, 45.0), adjust_default=15.0)


def garland(t, body, thigh_pitch=8.0, knee=58.0, out=38.0, sway=None, **_):
    """Deep squat: heels down, feet turned out, knees wide (thighs `out` degrees
    from straight ahead), torso leaning forward, hands together at the chest."""
    sw = sway or (lambda t, k, scale=1.0: 0.0)

    def make(_a):
        tg = torso(pelvis=55 + sw(t, 0), lower=68, upper=78 + sw(t, 1), neck=84, head=90 + sw(t, 2))
        th = thigh_pitch + sw(t, 4, 0.5)
        for side in ("left", "right"):
            d_thigh = lateral(side, dir_pitch(th), out)
            d_shin = lateral(side, dir_pitch(th - 180 + knee), out * 0.6)
            d_foot = lateral(side, _foot_flat(body, side), out * 0.6)
            tg.update(leg(side, d_thigh, d_shin, d_foot))
        tg.update(hanging_arms())
        return tg

    def reach(lm, mat_y):
        c = (lm["left_shoulder"] + lm["right_shoulder"]) / 2
        res = {}
        for side in ("left", "right"):
            _, sx = SIDES[side]
            res[side] = c + np.array([sx * 0.03, -0.22, 0.22])
        return res

    feet = tuple(f"foot.{s}" for s in "LR")
    return PoseFrame(build=make, front_side=None, primary=feet, reach=reach, info={"bend_hint": -UP})


def tree(t, body, standing="right", lift="tree", sway=None, **_):
    """Standing on one leg; the other thigh turned out, knee to the side, its sole
    against the inner thigh of the standing leg; hands on the hips.

    `lift="knee"` is the way in (and out): the raised knee lifted straight forward
    (thigh a little below horizontal, toward a front camera), shin hanging, foot
    relaxed. A script moves standing -> knee -> tree so the thigh swings toward the
    camera (foreshortened in a front view) before it opens to the side."""
    sw = sway or (lambda t, k, scale=1.0: 0.0)
    raised = OTHER[standing]
    _, rx = SIDES[raised]

    def make(_a):
        tg = torso(pelvis=90 + sw(t, 0, 0.5), lower=90, upper=90 + sw(t, 1), neck=92, head=90 + sw(t, 2))
        d = lateral(standing, dir_pitch(-90), 1.0)
        tg.update(leg(standing, d, d, _foot_flat(body, standing)))
        if lift == "knee":
            d_thigh = lateral(raised, dir_pitch(-12 + sw(t, 4)), 6)
            d_shin = lateral(raised, dir_pitch(-100), 3)
            d_foot = lateral(raised, dir_pitch(-55), 3)
            tg.update(leg(raised, d_thigh, d_shin, d_foot))
        else:
            d_thigh = unit(0.75 * rx * LEFT - 0.45 * UP + 0.30 * FWD + 0.02 * sw(t, 4) * UP)
            d_shin = unit(-0.95 * rx * LEFT - 0.25 * UP - 0.15 * FWD)
            d_foot = unit(-0.25 * rx * LEFT - 0.95 * UP + 0.1 * FWD)
            tg.update(leg(raised, d_thigh, d_shin, d_foot, h_default=UP))
        for side in ("left", "right"):
            tg.update(arm(side, lateral(side, dir_pitch(-110), 40), lateral(side, dir_pitch(-10), -55)))
        return tg

    s, _ = SIDES[standing]
    primary = (f"foot.{s}",) + tuple(f"toe{i}-{j}.{s}" for i in range(1, 6) for j in (1, 2, 3))
    return PoseFrame(build=make, front_side=None, primary=primary, info={"standing": standing})


POSES = {
    "standing": standing, "kneeling_lunge": kneeling_lunge, "low_lunge": low_lunge,
    "frog": frog, "pigeon": pigeon, "camel": camel, "childs_pose": childs_pose,
    "knees_to_chest": knees_to_chest, "happy_baby": happy_baby, "constructive_rest": constructive_rest,
    "reclined_cobbler": reclined_cobbler, "garland": garland, "tree": tree,
}
