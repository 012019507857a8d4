"""Where things are on one frame's overlay, so nothing drawn later covers what is drawn before.

Each annotator that puts a panel or a label on the frame claims its rectangle in the
frame's :class:`Layout`; the value labels are then placed where no claimed rectangle is.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Box:
    """A rectangle in pixels: ``x0 <= x < x1``, ``y0 <= y < y1``.

    Attributes:
        x0, y0: the top-left corner.
        x1, y1: the bottom-right corner (exclusive).
    """

    x0: int
    y0: int
    x1: int
    y1: int

    @classmethod
    def at(cls, x: float, y: float, w: int, h: int) -> Box:
        """The box of size ``w`` x ``h`` with its top-left corner at ``(x, y)``."""
        return cls(int(x), int(y), int(x) + w, int(y) + h)

    @property
    def width(self) -> int:
        return self.x1 - self.x0

    @property
    def height(self) -> int:
        return self.y1 - self.y0

    def overlap(self, other: Box) -> int:
        """The area the two boxes share (0 when they only touch)."""
        w = min(self.x1, other.x1) - max(self.x0, other.x0)
        h = min(self.y1, other.y1) - max(self.y0, other.y0)
        return w * h if w > 0 and h > 0 else 0

    def contains(self, x: float, y: float) -> bool:
        return self.x0 <= x < self.x1 and self.y0 <= y < self.y1

    def inside(self, width: int, height: int) -> bool:
        """Whether the box lies wholly within an image of that size."""
        return self.x0 >= 0 and self.y0 >= 0 and self.x1 <= width and self.y1 <= height

    def distance_to(self, x: float, y: float) -> float:
        """How far the point is from the box (0 inside it)."""
        dx = max(self.x0 - x, 0.0, x - self.x1)
        dy = max(self.y0 - y, 0.0, y - self.y1)
        return (dx * dx + dy * dy) ** 0.5


class Layout:
    """The rectangles claimed on one frame so far, by what claimed them.

    Args:
        width, height: the frame's size.
    """

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.claimed: list[tuple[str, Box]] = []

    def claim(self, what: str, box: Box) -> Box:
        """Reserve ``box`` for ``what`` (``header``, ``cue``, ``label:knee_angle``...); returns it."""
        self.claimed.append((what, box))
        return box

    def boxes(self, prefix: str = "") -> list[Box]:
        """The claimed boxes whose owner starts with ``prefix`` (all by default)."""
        return [b for what, b in self.claimed if what.startswith(prefix)]

    def free(self, box: Box) -> bool:
        """Whether ``box`` is inside the frame and overlaps nothing claimed."""
        return box.inside(self.width, self.height) and not any(box.overlap(b) for _, b in self.claimed)


__all__ = ["Box", "Layout"]
