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


def not_visible_cue(spec, hidden: Landmark | None) -> str:  # noqa: ANN001 - a PoseSpec
    """What to say when the model cannot see ``hidden`` (None: a value that could not be computed)."""
    if hidden is None:
        return "Move so your whole body is in view."
    where = (camera_instruction(spec, hidden.side).rstrip(".").lower() if spec.view == "side"
             else "check that the camera sees your whole body")
    return f"I can't see your {hidden.label.replace('_', ' ')} clearly: {where}."


def unknown_cue(spec, reason: Reason, *, side: str | None = None, hidden: Landmark | None = None,  # noqa: ANN001
                off_parts: frozenset[str] = frozenset()) -> str:
    """The instruction that goes with a check being unknown for ``reason``.

    Args:
        spec: the pose spec.
        reason: why it is unknown.
        side: the side the instruction is about (the leg in front, or the side of a
            foreshortened segment), if known.
        hidden: the landmark the model could not see (``NOT_VISIBLE``).
        off_parts: the body parts outside the picture (``OFF_FRAME``).
    """
    if reason is Reason.NO_PERSON:
        return NO_PERSON_CUE
    if reason is Reason.OFF_FRAME:
        return off_frame_cue(off_parts)
    if reason is Reason.NOT_VISIBLE:
        return not_visible_cue(spec, hidden)
    if reason is Reason.IMPLAUSIBLE:
        return "I can't see your legs clearly."
    return camera_instruction(spec, side)


__all__ = ["FEET", "HANDS", "NO_PERSON_CUE", "camera_instruction", "correction", "format_cue", "not_visible_cue",
           "off_frame_cue", "unknown_cue"]
