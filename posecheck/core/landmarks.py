"""Our own names for the 33 BlazePose landmarks, and the skeleton drawn between them.

The numbering is the model's (MediaPipe Pose / BlazePose full body), so arrays of
shape ``(33, ...)`` can be indexed with :class:`Landmark` directly.
"""

from __future__ import annotations

from enum import IntEnum


class Landmark(IntEnum):
    """The 33 BlazePose landmarks. ``LEFT``/``RIGHT`` are the person's own sides."""

    NOSE = 0
    LEFT_EYE_INNER = 1
    LEFT_EYE = 2
    LEFT_EYE_OUTER = 3
    RIGHT_EYE_INNER = 4
    RIGHT_EYE = 5
    RIGHT_EYE_OUTER = 6
    LEFT_EAR = 7
    RIGHT_EAR = 8
    MOUTH_LEFT = 9
    MOUTH_RIGHT = 10
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_PINKY = 17
    RIGHT_PINKY = 18
    LEFT_INDEX = 19
    RIGHT_INDEX = 20
    LEFT_THUMB = 21
    RIGHT_THUMB = 22
    LEFT_HIP = 23
    RIGHT_HIP = 24
    LEFT_KNEE = 25
    RIGHT_KNEE = 26
    LEFT_ANKLE = 27
    RIGHT_ANKLE = 28
    LEFT_HEEL = 29
    RIGHT_HEEL = 30
    LEFT_FOOT_INDEX = 31
    RIGHT_FOOT_INDEX = 32

    @property
    def label(self) -> str:
        """The lowercase name used in spec files and exports, e.g. ``left_knee``."""
        return self.name.lower()

    @property
    def side(self) -> str | None:
        """``"left"``, ``"right"`` or ``None`` for the nose."""
        if self.name.startswith("LEFT_") or self.name == "MOUTH_LEFT":
            return "left"
        if self.name.startswith("RIGHT_") or self.name == "MOUTH_RIGHT":
            return "right"
        return None

    @property
    def part(self) -> str:
        """The name without its side, e.g. ``knee`` for ``LEFT_KNEE``."""
        return self.name.lower().removeprefix("left_").removeprefix("right_")

    @classmethod
    def from_label(cls, label: str) -> Landmark:
        """The landmark called ``label`` (``left_knee``); ``KeyError`` if none is."""
        return cls[label.upper()]

    @classmethod
    def of(cls, side: str, part: str) -> Landmark:
        """The landmark of ``part`` (``knee``) on ``side`` (``left``/``right``)."""
        return cls[f"{side}_{part}".upper()]


NUM_LANDMARKS = 33

#: Body parts that exist on both sides, e.g. ``knee`` -> LEFT_KNEE / RIGHT_KNEE.
SIDED_PARTS: tuple[str, ...] = tuple(
    lm.part for lm in Landmark if lm.side == "left" and lm.name.startswith("LEFT_")
)

#: The skeleton: pairs of landmarks joined by a bone when drawn.
CONNECTIONS: tuple[tuple[Landmark, Landmark], ...] = tuple(
    (Landmark(a), Landmark(b))
    for a, b in (
        (11, 12), (11, 13), (13, 15), (12, 14), (14, 16),
        (15, 17), (15, 19), (15, 21), (17, 19), (16, 18), (16, 20), (16, 22), (18, 20),
        (11, 23), (12, 24), (23, 24),
        (23, 25), (25, 27), (27, 29), (29, 31), (27, 31),
        (24, 26), (26, 28), (28, 30), (30, 32), (28, 32),
        (0, 1), (1, 2), (2, 3), (3, 7), (0, 4), (4, 5), (5, 6), (6, 8), (9, 10),
    )
)


def other_side(side: str) -> str:
    """``"right"`` for ``"left"`` and the reverse."""
    return {"left": "right", "right": "left"}[side]
