"""Fill each truth file's per-frame ``checks`` with the ground-truth value and the
status a correct tool should give, for every check of the clip's pose spec.

Runs in the main environment (it needs posecheck, not the renderer):

    .venv/bin/python -m tools.samplegen.truth_checks samples/

The values use posecheck's own check definitions on the rig's exact joints:

* checks measured in the image (every kind but ``plane: floor`` angles) are
  computed from ``joints_2d``, the rig joints projected with the render camera;
* ``plane: floor`` joint angles are the true 3D angles of the same joints from
  ``joints_3d``: the number the person's body really makes, which the tool's floor
  correction is meant to recover.

The expected status is the truth value against the spec's bands, by posecheck's own
rule (:func:`posecheck.judge.assess.band_status` with the check's measured uncertainty
from ``pose_specs/accuracy.json``: a value within it of the near band's edge is
``near``, never ``off``, whoever measures it), with ``also``, the other status that is
right too: the plain band's status where the rule changed it, or the neighbouring status
when the value lies within :data:`EDGE_TOLERANCE` of a band edge (either is right within
the landmark model's accuracy). It is ``unknown`` when the clip's view is one the spec
does not accept (``view_ok: false``) or when a joint the check needs is hidden behind
the body (``occluded``): there a correct tool says it cannot see, never a verdict.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np

from posecheck.core.body import analyse_body
from posecheck.core.frame import PoseFrame
from posecheck.core.landmarks import Landmark
from posecheck.errors import UnknownPoseError
from posecheck.judge.assess import band_status
from posecheck.specs import PoseSpec, SpecLibrary
from posecheck.specs.accuracy import uncertainty_of


def _angle3(a, b, c) -> float:
    u, v = np.asarray(a) - np.asarray(b), np.asarray(c) - np.asarray(b)
    return math.degrees(math.atan2(np.linalg.norm(np.cross(u, v)), float(np.dot(u, v))))


#: How close to a band edge a true value may be for the neighbouring status to be
#: right too: the landmark model places joints within about this much (POSES.md,
#: docs/accuracy.md), so no tool can tell the two sides of an edge apart closer in.
EDGE_TOLERANCE = {"deg": 5.0, "ratio": 0.04}


def _status(target, value: float, uncertainty: float = 0.0) -> str:
    return band_status(target, value, uncertainty)[0].value


def _also(target, value: float, unit: str, uncertainty: float = 0.0) -> str | None:
    """The other status that is right too: the plain band's where the uncertainty rule changed
    it, else the neighbouring one when ``value`` lies within the edge tolerance of a band edge."""
    here = _status(target, value, uncertainty)
    plain = _status(target, value)
    if plain != here:
        return plain
    tol = EDGE_TOLERANCE.get(unit, 0.0)
    for shifted in (value - tol, value + tol):
        other = _status(target, shifted, uncertainty)
        if other != here:
            return other
    return None


#: Joints whose occlusion makes a check unjudgeable. Hips and shoulders come in
#: near-coincident pairs in a side view, so the far one hidden behind the body is
#: still placed well; a hidden limb (the pigeon's front shin) is guessed, badly.
LIMB_PARTS = {"elbow", "wrist", "knee", "ankle", "heel", "foot_index"}


def _hidden(occluded: dict, lm: Landmark) -> bool:
    """Hidden behind another body part (not merely inside its own foot or hand)."""
    if lm.part not in LIMB_PARTS or not occluded.get(lm.label, False):
        return False
    if lm.part == "ankle":  # the ankle joint sits inside the foot: hidden only with the heel
        return bool(occluded.get(f"{lm.side}_heel", False))
    return True


class _Ctx:
    def __init__(self, facing: int) -> None:
        self.facing = facing
        self.scale = float("nan")
        self.floor = None


def frame_checks(spec: PoseSpec, frame: dict, size: tuple[int, int], view_ok: bool) -> dict:
    """``{check_id: {"value", "status"}}`` for one truth frame."""
    px = np.array([frame["joints_2d"][lm.label] for lm in Landmark], dtype=float)
    pose = PoseFrame.from_pixels(px, size, timestamp=frame["t"], visibility=1.0)
    side = frame.get("front_side")
    # The exact joints: measure with each kind directly, with none of the guards a
    # tool needs against a model's guesses. Facing comes from the exact head.
    ctx = _Ctx(analyse_body(pose).facing)
    out = {}
    for check, c in zip(spec.checks, spec.compiled.checks):
        res = c.by_front[side if spec.sides == "front_back" else None]
        if res is None:
            out[check.id] = {"value": None, "status": "unknown"}
            continue
        pts = np.array([px[list(g)].mean(axis=0) for g in res.groups])
        rel = np.array([px[list(g)].mean(axis=0) for g in res.rel_groups]) if res.rel_groups else None
        if c.floor:
            j3 = frame["joints_3d"]
            value = _angle3(*(j3[g[0].label] for g in res.groups))
        elif c.kind.needs_facing and ctx.facing == 0:
            value = float("nan")
        else:
            value = c.kind.measure(pts, rel, ctx, check.options)
        if value is None or not math.isfinite(value):
            out[check.id] = {"value": None, "status": "unknown"}
            continue
        hidden = any(_hidden(frame["occluded"], lm) for lm in res.used)
        if not view_ok or hidden:
            out[check.id] = {"value": round(float(value), 4), "status": "unknown"}
            continue
        u = uncertainty_of(spec, check.id)
        entry = {"value": round(float(value), 4), "status": _status(check.target, value, u)}
        also = _also(check.target, value, c.kind.unit, u)
        if also:
            entry["also"] = also
        out[check.id] = entry
    return out


def annotate(path: Path, library: SpecLibrary) -> bool:
    """Fill one truth file; False when its pose has no spec yet (left as it is)."""
    data = json.loads(path.read_text())
    try:
        spec = library.get(data["pose"])
    except UnknownPoseError:
        return False
    size = (data["width"], data["height"])
    for frame in data["per_frame"]:
        frame["checks"] = frame_checks(spec, frame, size, data.get("view_ok", True))
    data["checks_spec"] = spec.id
    path.write_text(json.dumps(data, separators=(",", ":")) + "\n")
    return True


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else Path("samples")
    library = SpecLibrary()
    for path in sorted(folder.glob("*.truth.json")):
        done = annotate(path, library)
        print(f"{path.name}: {'checks filled' if done else 'no spec for this pose yet; left as is'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
