"""Names a spec may use for a point: a landmark, a role, or a midpoint.

* ``left_knee`` — a landmark by its own name;
* ``front_knee`` / ``back_ankle`` — the knee of whichever leg is in front (or
  behind) in this frame, for specs whose sides are ``front_back``;
* ``mid_hip`` — the point halfway between the left and right hips.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from posecheck.core.landmarks import SIDED_PARTS, Landmark

ROLES = ("front", "back")


@dataclass(frozen=True)
class PointRef:
    """A parsed point name.

    Attributes:
        name: the name as written in the spec.
        part: the body part (``knee``) or, for an unsided landmark, its full name (``nose``).
        side: ``left``/``right`` for a landmark of that side, a role (``front``/``back``),
            ``mid`` for a midpoint, or None for the nose.
    """

    name: str
    part: str
    side: str | None

    def landmarks(self, front_side: str | None) -> tuple[Landmark, ...]:
        """The landmark(s) this point stands for, given which leg is in front.

        A midpoint gives two landmarks; anything else gives one. A role with no
        known front side gives an empty tuple (cannot be resolved this frame).
        """
        if self.side is None:
            return (Landmark.from_label(self.part),)
        if self.side == "mid":
            return (Landmark.of("left", self.part), Landmark.of("right", self.part))
        if self.side in ROLES:
            if front_side is None:
                return ()
            side = front_side if self.side == "front" else {"left": "right", "right": "left"}[front_side]
            return (Landmark.of(side, self.part),)
        return (Landmark.of(self.side, self.part),)


def all_point_names(roles: bool) -> list[str]:
    """Every name a spec may use (with role names only if ``roles``)."""
    names = [lm.label for lm in Landmark]
    names += [f"mid_{p}" for p in SIDED_PARTS]
    if roles:
        names += [f"{r}_{p}" for r in ROLES for p in SIDED_PARTS]
    return names


def parse_point(name: str, roles: bool) -> PointRef:
    """Parse ``name``; ``ValueError`` saying what was expected if it names no point.

    Args:
        name: the name from the spec.
        roles: whether role names (``front_knee``) are allowed, i.e. the spec's
            sides are ``front_back``.
    """
    if not isinstance(name, str):
        raise ValueError(f"expected a point name, got {type(name).__name__}")
    key = name.strip().lower()
    head, _, tail = key.partition("_")
    if head in ("left", "right", "mid") and tail in SIDED_PARTS:
        return PointRef(name, tail, head)
    if head in ROLES and tail in SIDED_PARTS:
        if not roles:
            raise ValueError(
                f"'{name}' names a role, which needs 'sides: front_back'; "
                f"use left_{tail} or right_{tail} instead"
            )
        return PointRef(name, tail, head)
    if key in (lm.label for lm in Landmark):
        return PointRef(name, key, None)
    close = difflib.get_close_matches(key, all_point_names(roles), n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else " (expected a landmark such as left_knee, a role such as front_knee, or mid_hip)"
    raise ValueError(f"'{name}' is not a landmark{hint}")
