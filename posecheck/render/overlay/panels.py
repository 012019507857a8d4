"""Annotators of the live window's own state: the frames per second and the help panel."""

from __future__ import annotations

import re

import numpy as np

from posecheck.render.overlay.layout import Box
from posecheck.render.overlay.scene import OverlayData
from posecheck.render.overlay.style import WHITE, px
from posecheck.render.overlay.text import put_text, shade, text_size, wrap

#: A help line's key and its text are parted by two spaces or more (``"q / Esc   quit"``).
_COLUMNS = re.compile(r"\s{2,}")


class FpsAnnotator:
    """The frames per second, bottom right (when the info carries a figure).

    Args:
        size: the font size at 720p.
        pad: the margin at 720p.
    """

    def __init__(self, size: float = 22, pad: float = 12, colour: tuple[int, int, int] = (200, 200, 200)) -> None:
        self.size, self.pad, self.colour = size, pad, colour

    def annotate(self, scene: np.ndarray, data: OverlayData) -> np.ndarray:
        if data.info.fps is None:
            return scene
        h, w = scene.shape[:2]
        fs, pad = px(self.size, data.unit, least=14), px(self.pad, data.unit)
        widest, th = text_size("000 fps", fs)
        x, y = w - pad - widest, h - pad - fs - 4
        put_text(scene, f"{data.info.fps:.0f} fps", (x, y), fs, self.colour)
        data.layout.claim("fps", Box.at(x, y, widest, th))
        return scene


def help_columns(line: str) -> tuple[str, str]:
    """A help line as its key and what the key does."""
    parts = _COLUMNS.split(line.strip(), maxsplit=1)
    return (parts[0], parts[1]) if len(parts) == 2 else ("", parts[0])


class HelpAnnotator:
    """The keys and what they do, in two aligned columns on a dark panel over the picture (also
    the session's summary at the end of a live session: a name and its figure per line).

    Args:
        size: the font size at 720p.
        pad: the margin at 720p.
        keep: how much of the picture shows through the panel.
    """

    def __init__(self, size: float = 26, pad: float = 12, keep: float = 0.2) -> None:
        self.size, self.pad, self.keep = size, pad, keep

    def annotate(self, scene: np.ndarray, data: OverlayData) -> np.ndarray:
        lines = data.info.help_lines
        if not lines:
            return scene
        h, w = scene.shape[:2]
        ls, pad = px(self.size, data.unit, least=16), px(self.pad, data.unit)
        pairs = [help_columns(line) for line in lines]
        key_w = max(text_size(k, ls, True)[0] for k, _ in pairs)
        gap = 2 * pad
        # A text too long for the frame wraps within its column, under its first line.
        room = max(w - 4 * pad - key_w - gap, 4 * ls)
        rows = [(key if i == 0 else "", part) for key, text in pairs
                for i, part in enumerate(wrap(text, ls, room, False) or [""])]
        text_w = max(text_size(t, ls)[0] for _, t in rows)
        line_h = round(ls * 1.4)
        box_w, box_h = key_w + gap + text_w + 2 * pad, len(rows) * line_h + 2 * pad
        x0, y0 = max((w - box_w) // 2, 0), max((h - box_h) // 3, 0)
        shade(scene, x0, y0, x0 + box_w, y0 + box_h, self.keep)
        data.layout.claim("help", Box(x0, y0, x0 + box_w, y0 + box_h))
        for k, (key, text) in enumerate(rows):
            y = y0 + pad + k * line_h
            put_text(scene, key, (x0 + pad, y), ls, WHITE, bold=True)
            put_text(scene, text, (x0 + pad + key_w + gap, y), ls, WHITE)
        return scene


__all__ = ["FpsAnnotator", "HelpAnnotator", "help_columns"]
