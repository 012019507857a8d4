"""Floor contact: place a posed body on the mat.

The primary region's lowest vertex rests on the mat top; if the frame names a
secondary region (e.g. the back knee of a kneeling lunge) its free parameter is
solved by bisection so that region touches the mat too (the pose itself decides
how: swing the back thigh, tilt the shin, dip the thighs...). Arms that must reach
a point (hands on the mat, on the heels) are solved afterwards with a two-bone
reach from the placed shoulders.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .geometry import FWD
from .posing import SIDES, PoseFrame, two_bone


@dataclass
class Placed:
    posed: object          # rig.Posed, already on the mat
    targets: dict
    adjust: float | None
    gap: float             # secondary - primary lowest height after solving (m)


class ContactSolver:
    def __init__(self, body, mat_y: float):
        self.body = body
        self.mat_y = mat_y
        self._regions = {}

    def region(self, prefixes):
        if prefixes is None:
            return None
        key = tuple(prefixes)
        if key not in self._regions:
            self._regions[key] = self.body.region(*key)
        return self._regions[key]

    def _min_y(self, posed, prefixes):
        ids = self.region(prefixes)
        v = posed.vertices if ids is None else posed.vertices[ids]
        return float(v[:, 1].min())

    def _eval(self, pf: PoseFrame, a):
        tg = pf.build(a)
        p = self.body.pose(tg)
        prim = self._min_y(p, pf.primary)
        g = self._min_y(p, pf.secondary) - prim if pf.secondary is not None else 0.0
        return tg, p, prim, g

    def place(self, pf: PoseFrame, iters: int = 11) -> Placed:
        if pf.secondary is None:
            tg, p, prim, g = self._eval(pf, pf.adjust_default)
            a = None
        else:
            lo, hi = pf.adjust_range
            _, _, _, glo = self._eval(pf, lo)
            _, _, _, ghi = self._eval(pf, hi)
            if glo * ghi > 0:
                if pf.fallback is not None:
                    return self.place(pf.fallback, iters)
                a = lo if abs(glo) < abs(ghi) else hi
            else:
                for _ in range(iters):
                    mid = 0.5 * (lo + hi)
                    _, _, _, gm = self._eval(pf, mid)
                    if (gm > 0) == (glo > 0):
                        lo, glo = mid, gm
                    else:
                        hi, ghi = mid, gm
                a = 0.5 * (lo + hi)
            tg, p, prim, g = self._eval(pf, a)
        # rest the lower of the contact regions on the mat (nothing sinks in)
        low = prim + min(0.0, g)
        p = p.translated([0.0, self.mat_y - low, 0.0])
        if pf.reach is not None:
            tg = dict(tg)
            lm = self.body.landmarks(p)
            hint = pf.info.get("bend_hint", -FWD)
            for side, target in pf.reach(lm, self.mat_y).items():
                s, _ = SIDES[side]
                d1, d2 = two_bone(lm[f"{side}_shoulder"], target, self.body.lengths["upperarm"],
                                  self.body.lengths["forearm"], hint)
                h = tg[f"upperarm.{s}"][1]
                c = -np.cross(d1, d2)
                if np.linalg.norm(c) > 0.05:
                    h = c / np.linalg.norm(c)
                tg[f"upperarm.{s}"] = (d1, h)
                tg[f"forearm.{s}"] = (d2, h)
                tg[f"hand.{s}"] = (d2, h)
            shift = p.heads[0] - self.body.pose(tg).heads[0]
            p = self.body.pose(tg).translated(shift)
        return Placed(p, tg, a, g)
