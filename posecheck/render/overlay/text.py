"""Text and shaded bands on a frame: a TrueType font (cv2's built-in fonts have no ° sign),
each distinct string rendered once and cached, so drawing it again is one masked copy.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

#: The banners' colour; a grey, so :func:`shade` blends with one scale-and-offset.
BAND_BGR = (30, 30, 30)


def _font_path(bold: bool) -> Path | None:
    # matplotlib (a mediapipe dependency) ships DejaVu; find it without importing matplotlib.
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        return None
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    path = Path(spec.submodule_search_locations[0]) / "mpl-data" / "fonts" / "ttf" / name
    return path if path.exists() else None


@functools.lru_cache(maxsize=16)
def _font(size: int, bold: bool) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = _font_path(bold)
    if path is not None:
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


@functools.lru_cache(maxsize=1024)
def _text_patch(text: str, size: int, bgr: tuple[int, int, int], bold: bool) -> tuple[np.ndarray, np.ndarray]:
    """(BGR patch, mask) of ``text`` rendered with a dark outline for contrast."""
    font = _font(size, bold)
    stroke = max(1, size // 14)
    left, top, right, bottom = font.getbbox(text, stroke_width=stroke)
    w, h = max(1, right - left), max(1, bottom - top)
    img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    ImageDraw.Draw(img).text((-left, -top), text, font=font, fill=(bgr[2], bgr[1], bgr[0], 255),
                            stroke_width=stroke, stroke_fill=(0, 0, 0, 255))
    arr = np.asarray(img)
    patch = np.ascontiguousarray(arr[:, :, 2::-1])
    # A hard mask keeps blitting to one copy per frame; the dark outline hides the
    # lost anti-aliasing at any size worth reading.
    mask = np.ascontiguousarray(np.repeat(arr[:, :, 3:4] >= 128, 3, axis=2))
    return patch, mask


def text_size(text: str, size: int, bold: bool = False) -> tuple[int, int]:
    """Width and height in pixels of ``text`` drawn with :func:`put_text`."""
    if not text:
        return 0, 0
    patch, _ = _text_patch(text, size, (255, 255, 255), bold)
    return patch.shape[1], patch.shape[0]


def put_text(img: np.ndarray, text: str, org: tuple[int, int], size: int,
             bgr: tuple[int, int, int] = (255, 255, 255), bold: bool = False) -> None:
    """Draw ``text`` with its top-left corner at ``org`` (clipped to the image)."""
    if not text:
        return
    patch, alpha = _text_patch(text, size, bgr, bold)
    x, y = int(org[0]), int(org[1])
    h, w = patch.shape[:2]
    H, W = img.shape[:2]
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + w, W), min(y + h, H)
    if x0 >= x1 or y0 >= y1:
        return
    np.copyto(img[y0:y1, x0:x1], patch[y0 - y:y1 - y, x0 - x:x1 - x],
              where=alpha[y0 - y:y1 - y, x0 - x:x1 - x])


def shade(img: np.ndarray, x0: int, y0: int, x1: int, y1: int, keep: float) -> None:
    """Darken a rectangle toward :data:`BAND_BGR`, keeping ``keep`` of the picture."""
    H, W = img.shape[:2]
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, W), min(y1, H)
    if x0 >= x1 or y0 >= y1:
        return
    roi = img[y0:y1, x0:x1]
    roi[:] = cv2.convertScaleAbs(roi, alpha=keep, beta=(1.0 - keep) * BAND_BGR[0])


def wrap(text: str, size: int, max_width: int, bold: bool) -> list[str]:
    """``text`` broken into lines no wider than ``max_width`` (a longer word stands alone)."""
    lines, cur = [], ""
    for word in text.split():
        trial = f"{cur} {word}".strip()
        if cur and text_size(trial, size, bold)[0] > max_width:
            lines.append(cur)
            cur = word
        else:
            cur = trial
    if cur:
        lines.append(cur)
    return lines


__all__ = ["BAND_BGR", "put_text", "shade", "text_size", "wrap"]
