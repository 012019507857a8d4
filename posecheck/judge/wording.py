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


# -- a measured value as a person reads it ------------------------------------------------------

#: How a body part is named beside a value (the rest by their own names).
_PART_WORDS = {"foot_index": "toes", "wrist": "hand", "index": "hand", "pinky": "hand", "thumb": "hand"}
_PLURAL = {"toes": "toes", "hand": "hands", "foot": "feet"}

#: A length in a ratio, by the two parts it runs between.
_SEGMENT_WORDS = {
    frozenset(("hip", "knee")): "thigh", frozenset(("knee", "ankle")): "shin",
    frozenset(("shoulder", "hip")): "torso", frozenset(("shoulder", "elbow")): "upper arm",
    frozenset(("elbow", "wrist")): "forearm", frozenset(("heel", "foot_index")): "foot",
    frozenset(("ankle", "foot_index")): "foot",
}

#: Fractions a person reads at a glance; amounts of a length below 0.85 are shown as the nearest.
_FRACTIONS = ((0.1, "⅒"), (0.2, "⅕"), (0.25, "¼"), (1 / 3, "⅓"), (0.4, "⅖"), (0.5, "½"), (0.6, "⅗"),
              (2 / 3, "⅔"), (0.75, "¾"), (0.8, "⅘"))

#: Below this share of a length two points count as level (stacked, together).
LEVEL_SHARE = 0.05


def _split(name: str) -> tuple[str | None, str]:
    head, _, tail = name.strip().lower().partition("_")
    if head in ("left", "right", "mid", "front", "back") and tail:
        return head, tail
    return None, name.strip().lower()


def _part(name: str) -> str:
    """``front_knee`` -> ``knee``, ``mid_hip`` -> ``hips``, ``left_foot_index`` -> ``toes``."""
    side, part = _split(name)
    word = _PART_WORDS.get(part, part.replace("_", " "))
    return _PLURAL.get(word, word + "s") if side == "mid" else word


def _segment(a: str, b: str) -> str:
    """The name of the length between two points: ``shin``, ``hip width``..."""
    (sa, pa), (sb, pb) = _split(a), _split(b)
    if pa == pb and {sa, sb} in ({"left", "right"}, {"front", "back"}):
        return f"{_PART_WORDS.get(pa, pa.replace('_', ' '))} width"
    return _SEGMENT_WORDS.get(frozenset((pa, pb)), f"{_part(a)}–{_part(b)} length")


def amount(share: float, length: str) -> str:
    """``⅓ shin``, ``1.8 hip widths``: a share of a body length, as a person reads it."""
    share = abs(share)
    if share < 0.85:
        glyph = min(_FRACTIONS, key=lambda f: abs(f[0] - share))[1]
        return f"{glyph} {length}"
    shown = f"{share:.1f}".rstrip("0").rstrip(".")
    return f"{shown} {length}" + ("" if shown == "1" else ("es" if length.endswith("ch") else "s"))


def value_words(check, value: float) -> str:  # noqa: ANN001 - a CheckSpec
    """A measured value as a person reads it beside the joint.

    Angles stay numbers (``92°``); a ratio becomes a direction and an amount in a body
    length, e.g. ``knee ⅓ shin behind ankle``, ``back knee level with ankle``, ``knees
    1.8 hip widths apart``. The exact ratio is what ``frames.csv`` and the report keep.

    Args:
        check: the spec's check (its kind, points and ``relative_to``).
        value: the measured value (NaN: ``?``).
    """
    if not math.isfinite(value):
        return "?"
    kind, pts, rel = check.kind, list(check.points), list(check.relative_to or [])
    if kind in ("joint_angle", "segment_orientation"):
        return f"{value:.0f}°"
    if len(pts) < 2:
        return f"{value:+.2f}"
    a, b = _part(pts[0]), _part(pts[1])
    level = abs(value) < LEVEL_SHARE
    if kind == "vertical_stack":
        if level:
            return f"{a} over {b}"
        return f"{a} {amount(value, _segment(pts[0], pts[1]))} {'ahead of' if value > 0 else 'behind'} {b}"
    if len(rel) < 2:
        return f"{value:+.2f}"
    length = _segment(rel[0], rel[1])
    if kind == "relative_height":
        if level:
            return f"{a} level with {b}"
        return f"{a} {amount(value, length)} {'above' if value > 0 else 'below'} {b}"
    if kind == "distance_ratio":
        if _split(pts[0])[1] == _split(pts[1])[1]:
            both = _PLURAL.get(a, a + "s")
            return f"{both} together" if level else f"{both} {amount(value, length)} apart"
        return f"{a} at {b}" if level else f"{a} {amount(value, length)} from {b}"
    return f"{value:+.2f}"


__all__ = ["ARMS", "FEET", "HANDS", "LEGS", "LEVEL_SHARE", "NO_PERSON_CUE", "PERSON_CHANGED_CUE", "amount",
           "camera_instruction", "correction", "format_cue", "not_visible_cue", "off_frame_cue", "other_pose_cue",
           "unclear_cue", "unknown_cue", "value_words"]
