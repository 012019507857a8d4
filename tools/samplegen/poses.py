"""Pose library. Each pose is `name(t, body, **params) -> PoseFrame`; scripts
(scripts.py) string them together over time. Angles in degrees; pose frame:
y up, person faces +z, person's left = +x. Add a pose by writing a function
here and registering it in POSES.
"""
from __future__ import annotations

import numpy as np

from .geometry import LEFT, UP, FWD, dir_pitch, unit
from .posing import PoseFrame, arm, hanging_arms, lateral, leg, torso, two_bone, SIDES

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
                   torso_lean=0.0, arms="hang", sway=None, **_):
    """Front knee angle `knee`; front shin tilted forward (knee ahead of ankle) by
    `shin_tilt`; back knee on the mat. The contact solver first swings the back thigh
    (angle behind vertical, >= back_thigh) until the back knee touches; if the hips are
    too high for that it tilts the front shin back (lowering the hips, same knee angle)."""
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


POSES = {
    "standing": standing, "kneeling_lunge": kneeling_lunge, "low_lunge": low_lunge,
    "frog": frog, "pigeon": pigeon, "camel": camel, "childs_pose": childs_pose,
}
