"""The registry of check kinds.

A check kind turns a few resolved pixel points into one number. Kinds register
themselves by name; specs name the kind, and the validator refuses names that are
not registered. Adding a kind is one function and one :func:`register` call.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Callable, Protocol

import numpy as np


class MeasureContext(Protocol):
    """What a kind may know about the frame besides its own points."""

    facing: int  #: +1 person faces image-right, -1 image-left, 0 unknown
    scale: float  #: body scale (torso length in pixels)
    floor: object | None  #: a :class:`~posecheck.core.body.FloorView`, or None when not known


Measure = Callable[[np.ndarray, np.ndarray | None, MeasureContext, dict], float]


@dataclass(frozen=True)
class CheckKind:
    """One kind of check.

    Attributes:
        name: the name specs use (``joint_angle``).
        points: how many points the check's ``points`` list holds.
        relative_to: how many points ``relative_to`` must hold (0 = not allowed).
        needs_facing: whether the value depends on which way the person faces
            (side views only).
        unit: ``"deg"`` or ``"ratio"``, for display.
        measure: ``(points (n, 2), relative_to (m, 2) or None, context, options) -> value``.
        segments: index pairs into ``points`` whose foreshortening must be guarded.
        options: option name -> allowed values (tuple) or a type.
        anchor: index of the point where the value is drawn.
        doc: one sentence for the reference page.
    """

    name: str
    points: int
    relative_to: int
    needs_facing: bool
    unit: str
    measure: Measure
    segments: tuple[tuple[int, int], ...] = ()
    options: dict[str, tuple | type] = field(default_factory=dict)
    anchor: int = 0
    doc: str = ""


_KINDS: dict[str, CheckKind] = {}


def register(kind: CheckKind) -> CheckKind:
    """Add ``kind`` to the registry (a later registration of the same name replaces it)."""
    _KINDS[kind.name] = kind
    return kind


def get_kind(name: str) -> CheckKind:
    """The kind called ``name``; ``ValueError`` naming the valid kinds if there is none."""
    try:
        return _KINDS[name]
    except KeyError:
        close = difflib.get_close_matches(str(name), list(_KINDS), n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        raise ValueError(
            f"unknown check kind '{name}' ({hint}expected one of: {', '.join(sorted(_KINDS))})"
        ) from None


def kind_names() -> list[str]:
    """The names of every registered kind, sorted."""
    return sorted(_KINDS)


def all_kinds() -> list[CheckKind]:
    """Every registered kind, sorted by name."""
    return [_KINDS[n] for n in sorted(_KINDS)]
