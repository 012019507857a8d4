"""Annotators of the body: the skeleton, a status dot on each judged joint, and the values beside them."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from posecheck.core.landmarks import CONNECTIONS, Landmark
from posecheck.judge.status import Status
from posecheck.render.overlay.layout import Box
from posecheck.render.overlay.scene import OverlayData
from posecheck.render.overlay.style import BONE_BGR, STATUS_BGR, px
from posecheck.render.overlay.text import put_text, text_size
from posecheck.track.verdict import CheckState

#: The face is not drawn: its points crowd the head and no check is about them.
FIRST_BODY_POINT = int(Landmark.LEFT_SHOULDER)


class SkeletonAnnotator:
    """The bones between visible landmarks.

    Args:
        colour: BGR of the bones.
        thickness: line width at 720p.
    """

    def __init__(self, colour: tuple[int, int, int] = BONE_BGR, thickness: float = 3) -> None:
        self.colour, self.thickness = colour, thickness

    def annotate(self, scene: np.ndarray, data: OverlayData) -> np.ndarray:
        lw = px(self.thickness, data.unit, least=2)
        p, ok = data.px, data.visible
        for a, b in CONNECTIONS:
            if ok[a] and ok[b] and a >= FIRST_BODY_POINT:
                cv2.line(scene, (int(p[a][0]), int(p[a][1])), (int(p[b][0]), int(p[b][1])), self.colour, lw,
                         cv2.LINE_AA)
        return scene


class JointAnnotator:
    """A dot on every visible landmark: large and in its status colour on the joint a check is
    about (its anchor), small and plain elsewhere, so a knee-angle fault colours the knee only.

    Args:
        small, big: dot radii at 720p.
        plain: BGR of the plain dots.
    """

    def __init__(self, small: float = 4, big: float = 9, plain: tuple[int, int, int] = BONE_BGR) -> None:
        self.small, self.big, self.plain = small, big, plain

    def radius(self, unit: float) -> int:
        """The judged joints' dot radius at this scale."""
        return px(self.big, unit, least=6)

    def annotate(self, scene: np.ndarray, data: OverlayData) -> np.ndarray:
        r_small, r_big = px(self.small, data.unit, least=3), self.radius(data.unit)
        for i in range(FIRST_BODY_POINT, len(data.px)):
            if not data.visible[i]:
                continue
            p = (int(data.px[i][0]), int(data.px[i][1]))
            status = data.joints.get(i)
            if status is None:
                cv2.circle(scene, p, r_small, self.plain, -1, cv2.LINE_AA)
            else:
                cv2.circle(scene, p, r_big, STATUS_BGR[status], -1, cv2.LINE_AA)
                cv2.circle(scene, p, r_big, (20, 20, 20), 1, cv2.LINE_AA)
        return scene


def value_text(c: CheckState) -> str:
    """What is written beside a check's joint: ``92° → 90°``, ``knee ⅓ shin behind ankle``, ``?``."""
    if c.status is Status.UNKNOWN:
        return "?"
    if c.unit == "deg":
        return f"{c.reading or f'{c.value:.0f}°'} → {c.target}°"
    return c.reading or f"{c.value:+.2f} → {c.target}"


@dataclass(frozen=True)
class PlacedLabel:
    """A value label and where it went.

    Attributes:
        check: the check's id.
        text: what it says.
        box: where it is drawn.
        anchor: the joint it belongs to, in pixels.
        status: the check's status (its colour).
    """

    check: str
    text: str
    box: Box
    anchor: tuple[float, float]
    status: Status


class ValueLabelAnnotator:
    """Each check's value beside its joint, placed where it covers no other label, panel or joint.

    Candidate places are tried nearest first: right and left of the joint, above and below it,
    then further up and down each side. A label that had to move away from its joint gets a
    thin line back to it. When no free place is left (a crowded small frame), the label is
    left out rather than drawn over another.

    Args:
        size: the font size at 720p.
        gap: space between a joint's dot and its label, at 720p, beyond the dot's radius.
        dot: the judged joints' dot radius at 720p (the same as :class:`JointAnnotator`'s).
        rows: how many rows up and down each side to try.
    """

    def __init__(self, size: float = 22, gap: float = 5, dot: float = 9, rows: int = 4) -> None:
        self.size, self.gap, self.dot, self.rows = size, gap, dot, rows

    def place(self, data: OverlayData) -> list[PlacedLabel]:
        """Where each label goes (claiming its box in ``data.layout``), in the spec's order of checks."""
        v = data.verdict
        if v is None:
            return []
        fs = px(self.size, data.unit, least=14)
        r = px(self.dot, data.unit, least=6)
        g = r + px(self.gap, data.unit)
        # Dots a label should not cover: every drawn landmark's, as (x0, y0, x1, y1).
        dots = [(x - r, y - r, x + r, y + r)
                for (x, y), seen in zip(data.px[FIRST_BODY_POINT:].tolist(), data.visible[FIRST_BODY_POINT:]) if seen]
        placed = []
        for c in v.checks:
            if c.anchor is None or not data.visible[c.anchor]:
                continue
            text = value_text(c)
            tw, th = text_size(text, fs, True)
            ax, ay = float(data.px[c.anchor][0]), float(data.px[c.anchor][1])
            box = self._choose(data, ax, ay, tw, th, g, dots)
            if box is None:
                continue
            data.layout.claim(f"label:{c.id}", box)
            placed.append(PlacedLabel(c.id, text, box, (ax, ay), c.status))
        return placed

    def _candidates(self, ax: float, ay: float, tw: int, th: int, g: int) -> list[tuple[float, float]]:
        """Top-left corners to try, nearest first."""
        step = th + max(2, th // 5)
        right, left, mid_y = ax + g, ax - g - tw, ay - th / 2
        out = [(right, mid_y), (left, mid_y), (ax - tw / 2, ay - g - th), (ax - tw / 2, ay + g)]
        for k in range(1, self.rows + 1):
            for dy in (-k * step, k * step):
                out += [(right, mid_y + dy), (left, mid_y + dy)]
        return out

    def _choose(self, data: OverlayData, ax: float, ay: float, tw: int, th: int, g: int,
                dots: list[tuple[float, float, float, float]]) -> Box | None:
        W, H = data.layout.width, data.layout.height
        if tw > W or th > H:
            return None
        claimed = [(b.x0, b.y0, b.x1, b.y1) for b in data.layout.boxes()]
        free = []
        # Plain comparisons: a few dozen boxes, and the first candidate is usually clear.
        for x, y in self._candidates(ax, ay, tw, th, g):
            # Slide a place that would leave the frame back inside it.
            x0, y0 = int(min(max(x, 0), W - tw)), int(min(max(y, 0), H - th))
            x1, y1 = x0 + tw, y0 + th
            if any(a < x1 and x0 < c and b < y1 and y0 < d for a, b, c, d in claimed):
                continue
            if not any(a < x1 and x0 < c and b < y1 and y0 < d for a, b, c, d in dots):
                return Box(x0, y0, x1, y1)
            free.append((x0, y0, x1, y1))
        if not free:
            return None

        def covered(box: tuple[int, int, int, int]) -> float:
            x0, y0, x1, y1 = box
            return sum(max(min(x1, c) - max(x0, a), 0) * max(min(y1, d) - max(y0, b), 0) for a, b, c, d in dots)

        return Box(*min(free, key=covered))  # the least covered, the nearest of equals

    def annotate(self, scene: np.ndarray, data: OverlayData) -> np.ndarray:
        fs = px(self.size, data.unit, least=14)
        near = px(self.dot, data.unit, least=6) + px(self.gap, data.unit) + 2
        for label in self.place(data):
            colour = STATUS_BGR[label.status]
            ax, ay = label.anchor
            if label.box.distance_to(ax, ay) > near:
                # Moved away from its joint: a thin line says whose value it is.
                tx = min(max(ax, label.box.x0), label.box.x1)
                ty = min(max(ay, label.box.y0), label.box.y1)
                cv2.line(scene, (int(ax), int(ay)), (int(tx), int(ty)), colour, 1, cv2.LINE_AA)
            put_text(scene, label.text, (label.box.x0, label.box.y0), fs, colour, bold=True)
        return scene


__all__ = ["FIRST_BODY_POINT", "JointAnnotator", "PlacedLabel", "SkeletonAnnotator", "ValueLabelAnnotator",
           "value_text"]
