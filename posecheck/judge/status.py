"""How a measured value compares with its target, and why a check could not be measured.

:class:`Status` is the one encoding of a verdict: its string value is what ``frames.csv``,
``summary.json`` and the report write, and :attr:`Status.code` is the small integer the
per-frame logs keep in numpy arrays. Nothing else encodes a status.
"""

from __future__ import annotations

from enum import Enum


class Status(str, Enum):
    """How a measured value compares with its target."""

    OK = "ok"
    NEAR = "near"
    OFF = "off"
    UNKNOWN = "unknown"

    @property
    def code(self) -> int:
        """A small integer for per-frame arrays: ok 0, near 1, off 2, unknown 3."""
        return _CODES[self]

    @classmethod
    def from_code(cls, code: int) -> Status:
        """The status stored as ``code``."""
        return _BY_CODE[int(code)]

    @property
    def credit(self) -> float | None:
        """What the status earns in the score: ok fully, near half, off nothing (unknown: not judged)."""
        return CREDIT.get(self)


_BY_CODE = (Status.OK, Status.NEAR, Status.OFF, Status.UNKNOWN)
_CODES = {s: i for i, s in enumerate(_BY_CODE)}

#: Credit a status earns in the score: ok counts fully, near half, off nothing.
CREDIT = {Status.OK: 1.0, Status.NEAR: 0.5, Status.OFF: 0.0}


class Reason(str, Enum):
    """Why a check is unknown."""

    NO_PERSON = "no person"
    OFF_FRAME = "off-frame"
    NOT_VISIBLE = "not visible"
    FORESHORTENED = "too foreshortened to judge from this view"
    WRONG_VIEW = "wrong view"
    SIDE_UNKNOWN = "cannot tell which leg is in front"
    IMPLAUSIBLE = "the landmarks are not plausible for one body"

    @property
    def about_camera(self) -> bool:
        """Whether the person can fix it by moving or turning (framing, view, side)."""
        return self in (Reason.OFF_FRAME, Reason.FORESHORTENED, Reason.WRONG_VIEW, Reason.SIDE_UNKNOWN)


__all__ = ["CREDIT", "Reason", "Status"]
