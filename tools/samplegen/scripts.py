"""Pose scripts: what the body does over a clip's time line.

A script is a list of steps, each `Hold(pose, seconds, **params)` (in pose, with
sway) or `Move(seconds)` (a transition from the previous step's pose to the next
one's, in_pose = False). `Script.frame(t)` -> PoseFrame. Routines with several
poses in a row are just longer step lists.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .geometry import smoothstep
from .poses import POSES, Sway
from .posing import PoseFrame, blend_targets


@dataclass
class Hold:
    pose: str
    seconds: float
    params: dict = field(default_factory=dict)
    in_pose: bool | None = None   # default: True except for "standing"
    ramp: dict | None = None      # param -> end value, linearly over the step (e.g. drifting knee)
    ease: bool = False            # ramp with smoothstep (starts and stops at rest, like a person)


@dataclass
class Move:
    seconds: float


class Script:
    def __init__(self, steps, seed: int, sway_amp: float = 1.0):
        self.steps = list(steps)
        self.sway = Sway(seed, sway_amp)
        self.duration = sum(s.seconds for s in self.steps)
        self._solved = {}

    def _hold_frame(self, step: Hold, t: float, t0: float, body) -> PoseFrame:
        params = dict(step.params)
        if step.ramp:
            s = (t - t0) / max(step.seconds, 1e-6)
            s = min(1.0, max(0.0, s))
            if step.ease:
                s = smoothstep(s)
            for k, end in step.ramp.items():
                params[k] = (1 - s) * params[k] + s * end
        pf = POSES[step.pose](t, body, sway=self.sway, **params)
        pf.in_pose = step.in_pose if step.in_pose is not None else step.pose != "standing"
        return pf

    def frame(self, t: float, body, solver) -> PoseFrame:
        t0 = 0.0
        for i, step in enumerate(self.steps):
            if t < t0 + step.seconds or i == len(self.steps) - 1:
                break
            t0 += step.seconds
        if isinstance(step, Hold):
            return self._hold_frame(step, t, t0, body)
        # a move: blend the solved targets of the neighbouring holds
        prev, nxt = self.steps[i - 1], self.steps[i + 1]
        a = self._endpoint(i - 1, t0, body, solver, end=True)
        b = self._endpoint(i + 1, t0 + step.seconds, body, solver, end=False)
        s = smoothstep((t - t0) / step.seconds)
        tg = blend_targets(a[0], b[0], s)
        front = (a[1] if s < 0.5 else b[1]) or (b[1] or a[1])
        return PoseFrame(build=lambda _a: tg, in_pose=False, front_side=front, primary=None)

    def _endpoint(self, j, t, body, solver, end):
        key = (j, end)
        if key not in self._solved:
            pf = self._hold_frame(self.steps[j], t, self._t0(j), body)
            placed = solver.place(pf)
            self._solved[key] = (placed.targets, pf.front_side)
        return self._solved[key]

    def _t0(self, j):
        return sum(s.seconds for s in self.steps[:j])
