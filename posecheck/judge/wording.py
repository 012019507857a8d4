"""Every sentence posecheck derives from a measurement: corrections from a spec's cues, and
the camera and visibility instructions. One home, so the screen, the voice, ``frames.csv``
and the report say the same thing for the same frame.
"""

from __future__ import annotations

import math

from posecheck.core.landmarks import Landmark, other_side
from posecheck.judge.status import Reason

#: The camera cue when nobody is in the picture.
NO_PERSON_CUE = "I can't see you: step into the camera's view."

FEET = {"ankle", "heel", "foot_index"}
HANDS = {"wrist", "pinky", "index", "thumb"}
LEGS = FEET | {"hip", "knee"}
ARMS = HANDS | {"shoulder", "elbow"}

#: What to say when the person the landmarks follow changed (someone walked in, or the
#: model jumped to another person).
PERSON_CHANGED_CUE = "Someone else is in view: I'm following the person nearest the camera."


def unclear_cue(landmark: Landmark | None) -> str:
    """The honest answer when the model's landmarks for this part cannot be trusted.

    Said instead of a correction (the values would be wrong) and instead of a camera
    instruction (no move of the person's would fix what the model got wrong).
    """
    part = landmark.part if landmark is not None else ""
    if part in LEGS:
        return "I can't see your legs clearly."
    if part in ARMS:
        return "I can't see your arms clearly."
    return "I can't see you clearly."


def other_pose_cue(seen_title: str, next_title: str) -> str:
    """In a routine: the person is in another pose than the step asks for, said plainly."""
    article = "an" if seen_title[:1].lower() in "aeiou" else "a"
    return f"This is {article} {seen_title.lower()}; the next step is {next_title.lower()}."


def format_cue(text: str, side: str | None, value: float, target: str) -> str:
    """Fill a spec's cue sentence with the side, value and target."""
    other = other_side(side) if side in ("left", "right") else "other"
    shown = f"{value:.0f}" if math.isfinite(value) else "?"
    return text.format(side=side or "", other_side=other, value=shown, target=target)


def correction(cues, deviation: float, side: str | None, value: float, target: str) -> str:  # noqa: ANN001
    """The correction for a value ``deviation`` away from its target (below or above)."""
    text = cues.below if deviation < 0 else cues.above
    return format_cue(text or "", side, value, target)


def camera_instruction(spec, side: str | None) -> str:  # noqa: ANN001 - a PoseSpec
    """What to change about the camera so ``spec`` can be judged."""
    if spec.view == "side":
        return f"Turn your {side} side to the camera." if side else "Turn sideways to the camera."
    if spec.view == "back-high":
        return "Put the camera behind you, higher than your hips, looking down at the mat."
    if spec.view == "front":
        return "Face the camera."
    return "Move so the camera sees your whole body."


def off_frame_cue(parts: set[str] | frozenset[str]) -> str:
    """What to say when these body parts are outside the picture."""
    if parts & FEET or "knee" in parts:
        return "Step back so I can see your feet."
    if parts & {"nose", "eye", "ear", "shoulder"}:
        return "Step back so I can see your head and shoulders."
    if parts & HANDS:
        return "Step back so I can see your hands."
    return "Move so your whole body is in view."


def not_visible_cue(spec, hidden: Landmark | None, side: str | None = None,  # noqa: ANN001 - a PoseSpec
                    near_side: str | None = None, role: str | None = None) -> str:
    """What to say when the model cannot see ``hidden`` (None: a value that could not be computed).

    From the side, the instruction to turn names a side only when turning that side to the
    camera would help (``side``, given by the measurement: the hidden point is on the far
    side of a pose judged on that side). A point on the side already facing the camera
    (``near_side``) is the model failing, not the camera: no turn would help. Otherwise the
    point is named by its role in the pose (``role``: the back knee) without an instruction.
    """
    if hidden is None:
        return "Move so your whole body is in view."
    if spec.view != "side":
        return f"I can't see your {hidden.label.replace('_', ' ')} clearly: check that the camera sees your whole body."
    if side is not None:
        where = camera_instruction(spec, side).rstrip(".").lower()
        return f"I can't see your {hidden.label.replace('_', ' ')} clearly: {where}."
    if near_side is not None and hidden.side == near_side:
        return unclear_cue(hidden)
    name = f"{role} {hidden.part.replace('_', ' ')}" if role else hidden.label.replace("_", " ")
    return f"I can't see your {name} clearly."


def unknown_cue(spec, reason: Reason, *, side: str | None = None, hidden: Landmark | None = None,  # noqa: ANN001
                off_parts: frozenset[str] = frozenset(), near_side: str | None = None,
                role: str | None = None) -> str:
    """The instruction that goes with a check being unknown for ``reason``.

    Args:
        spec: the pose spec.
        reason: why it is unknown.
        side: the side the instruction is about (the leg in front, or the side of a
            foreshortened segment), if it is known with confidence.
        hidden: the landmark the model could not see (``NOT_VISIBLE``) or that is not
            plausible (``IMPLAUSIBLE``).
        off_parts: the body parts outside the picture (``OFF_FRAME``).
        near_side: the side of the body facing the camera, when the view shows it.
        role: the hidden point's role in the pose (``front``/``back``), for poses with sides.
    """
    if reason is Reason.NO_PERSON:
        return NO_PERSON_CUE
    if reason is Reason.OFF_FRAME:
        return off_frame_cue(off_parts)
    if reason is Reason.NOT_VISIBLE:
        return not_visible_cue(spec, hidden, side, near_side, role)
    if reason is Reason.IMPLAUSIBLE:
        return unclear_cue(hidden)
    return camera_instruction(spec, side)


__all__ = ["ARMS", "FEET", "HANDS", "LEGS", "NO_PERSON_CUE", "PERSON_CHANGED_CUE", "camera_instruction", "correction",
           "format_cue", "not_visible_cue", "off_frame_cue", "other_pose_cue", "unclear_cue", "unknown_cue"]
