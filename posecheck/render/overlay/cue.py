"""The one cue, large enough to read from three metres, on a band where it hides no judged joint."""

from __future__ import annotations

import numpy as np

from posecheck.render.overlay.body import FIRST_BODY_POINT
from posecheck.render.overlay.layout import Box
from posecheck.render.overlay.scene import OverlayData
from posecheck.render.overlay.style import CAMERA_BGR, WHITE, px
from posecheck.render.overlay.text import put_text, shade, text_size, wrap


class CueAnnotator:
    """The cue on a shaded band across the frame: at the bottom, like subtitles, unless the body is
    there and not at the top (the knees and feet of a frog filmed from behind, say): a joint a
    check measures counts first, any other point of the body next.

    Args:
        size: the font size at 720p.
        pad: the margin at 720p.
        max_lines: the most lines a cue may take.
        keep: how much of the picture shows through the band.
        fps_room: space left under a bottom band for the fps figure, at 720p.
    """

    def __init__(self, size: float = 42, pad: float = 12, max_lines: int = 3, keep: float = 0.35,
                 fps_room: float = 40) -> None:
        self.size, self.pad, self.max_lines, self.keep, self.fps_room = size, pad, max_lines, keep, fps_room

    def bands(self, data: OverlayData, box_h: int) -> dict[str, Box]:
        """The two places the band may go, by name (``bottom``, ``top``)."""
        W, H = data.layout.width, data.layout.height
        below = px(self.fps_room, data.unit) if data.info.fps is not None else 0
        top = max((b.y1 for b in data.layout.boxes("header") + data.layout.boxes("timer")), default=0)
        top += px(self.pad / 2, data.unit) if top else 0
        return {"bottom": Box(0, H - box_h - below, W, H - below), "top": Box(0, top, W, top + box_h)}

    def choose(self, data: OverlayData, box_h: int) -> Box:
        """The band that covers fewest judged joints, then fewest other points of the body; the
        bottom when both cover as many."""
        r = px(9, data.unit, least=6)  # a joint's dot, which should stay whole
        bands = self.bands(data, box_h)
        body = [i for i in range(FIRST_BODY_POINT, len(data.visible)) if data.visible[i]]

        def covered(band: Box) -> tuple[int, int]:
            grown = Box(band.x0, band.y0 - r, band.x1, band.y1 + r)
            return (sum(1 for i in data.judged if grown.contains(*data.px[i])),
                    sum(1 for i in body if grown.contains(*data.px[i])))

        return bands["top"] if covered(bands["top"]) < covered(bands["bottom"]) else bands["bottom"]

    def annotate(self, scene: np.ndarray, data: OverlayData) -> np.ndarray:
        info = data.info
        if not info.cue:
            return scene
        w = scene.shape[1]
        cs, pad = px(self.size, data.unit, least=22), px(self.pad, data.unit)
        lines = wrap(info.cue, cs, w - 4 * pad, True)[:self.max_lines]
        line_h = round(cs * 1.25)
        band = self.choose(data, line_h * len(lines) + 2 * pad)
        shade(scene, band.x0, band.y0, band.x1, band.y1, self.keep)
        data.layout.claim("cue", band)
        colour = CAMERA_BGR if info.cue_is_camera else WHITE
        for k, line in enumerate(lines):
            tw, _ = text_size(line, cs, True)
            put_text(scene, line, ((w - tw) // 2, band.y0 + pad + k * line_h), cs, colour, bold=True)
        return scene


__all__ = ["CueAnnotator"]
