"""Drawing what posecheck sees onto a frame: the skeleton, joints coloured by how
well they match, the measured angles with their targets, one large cue, the hold
timer and the side being assessed.

Used for the annotated video of ``score`` and for the ``live`` window, so both
show the same thing. Text is rendered once per distinct string with a TrueType
font (cv2's built-in fonts have no ° sign) and cached, so a frame costs a few
line and circle calls plus cached blits.
"""

from __future__ import annotations

import functools
import importlib.util
import math
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from posecheck.core.frame import PoseFrame
from posecheck.core.landmarks import CONNECTIONS, Landmark
from posecheck.judge.status import Status
from posecheck.track.verdict import FrameVerdict

#: BGR colours by status: green ok, amber near, red off, grey unknown.
STATUS_BGR: dict[Status, tuple[int, int, int]] = {
    Status.OK: (80, 200, 60),
    Status.NEAR: (0, 190, 255),
    Status.OFF: (40, 40, 230),
    Status.UNKNOWN: (160, 160, 160),
}
_RANK = {Status.OK: 0, Status.UNKNOWN: 1, Status.NEAR: 2, Status.OFF: 3}
BONE_BGR = (235, 235, 235)
CUE_BG = (30, 30, 30)  # a grey: _shade relies on equal channels
CAMERA_CUE_BGR = (255, 200, 90)  # light blue: about the camera, not the body


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


@functools.lru_cache(maxsize=512)
def _text_patch(text: str, size: int, bgr: tuple[int, int, int], bold: bool) -> tuple[np.ndarray, np.ndarray]:
    """(BGR patch, alpha 0..1) of ``text`` rendered with an outline for contrast."""
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


def _shade(img: np.ndarray, x0: int, y0: int, x1: int, y1: int, keep: float) -> None:
    """Darken a rectangle toward the banner colour, keeping ``keep`` of the picture."""
    H, W = img.shape[:2]
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, W), min(y1, H)
    if x0 >= x1 or y0 >= y1:
        return
    roi = img[y0:y1, x0:x1]
    # CUE_BG is a grey, so one scale-and-offset does the blend without a second image.
    roi[:] = cv2.convertScaleAbs(roi, alpha=keep, beta=(1.0 - keep) * CUE_BG[0])


def _wrap(text: str, size: int, max_width: int, bold: bool) -> list[str]:
    words, lines, cur = text.split(), [], ""
    for word in words:
        trial = f"{cur} {word}".strip()
        if cur and text_size(trial, size, bold)[0] > max_width:
            lines.append(cur)
            cur = word
        else:
            cur = trial
    if cur:
        lines.append(cur)
    return lines


@dataclass(frozen=True)
class OverlayInfo:
    """What the overlay shows besides the skeleton.

    Attributes:
        title: the pose's title.
        cue: the one cue to show (None for none).
        cue_is_camera: the cue is about the camera or visibility (drawn in another colour).
        hold_s: seconds held so far (None hides the timer).
        hold_target_s: the spec's hold target.
        fps: frames per second to show (None hides it).
        note: a small line under the title (e.g. "paused", "voice off").
        help_lines: the help overlay's lines (empty hides it).
        step: a routine's step line (``Step 2 of 21: Kneeling lunge, left``), drawn on a
            band across the top in place of the title (empty: none).
        rest_s: seconds of rest left, shown in place of the hold timer (None: not resting).
    """

    title: str = ""
    cue: str | None = None
    cue_is_camera: bool = False
    hold_s: float | None = None
    hold_target_s: float | None = None
    fps: float | None = None
    note: str = ""
    help_lines: tuple[str, ...] = ()
    step: str = ""
    rest_s: float | None = None


    @classmethod
    def of(cls, f) -> OverlayInfo:  # noqa: ANN001 - a SessionFrame
        """What the overlay shows for one of the session's frames."""
        r = f.routine
        cue = f.cue
        return cls(title=f.title if r is None else "", cue=cue.text if cue is not None else None,
                   cue_is_camera=cue is not None and cue.kind == "camera",
                   hold_s=f.hold_s if r is None or r.rest_s is None else None,
                   hold_target_s=f.hold_target_s, note=f.note, step=r.banner if r is not None else "",
                   rest_s=r.rest_s if r is not None else None)


def side_label(side: str | None) -> str:
    """``left leg forward`` for a side, empty for none."""
    return f"{side} leg forward" if side else ""


def draw_overlay(image: np.ndarray, frame: PoseFrame, verdict: FrameVerdict | None,
                 info: OverlayInfo, mirror: bool = False) -> np.ndarray:
    """Draw the skeleton, statuses, values, cue and timer onto a copy of ``image``.

    Args:
        image: the camera or video frame, BGR.
        frame: the landmarks found in it.
        verdict: the tracker's verdict for the frame (None draws the bare skeleton).
        info: the texts to show.
        mirror: flip the picture like a mirror; labels keep naming the person's own sides.
    """
    out = cv2.flip(image, 1) if mirror else image.copy()
    shown = frame.mirrored() if mirror else frame
    h, w = out.shape[:2]
    unit = max(h, 360) / 720.0
    px = shown.pixels
    ok = shown.visible(0.0)

    # Status of each joint: the worst status among the checks that use it.
    joint: dict[int, Status] = {}
    if verdict is not None:
        for c in verdict.checks:
            for lm in c.landmarks:
                prev = joint.get(int(lm))
                if prev is None or _RANK[c.status] > _RANK[prev]:
                    joint[int(lm)] = c.status

    lw = max(2, round(3 * unit))
    for a, b in CONNECTIONS:
        if ok[a] and ok[b] and a >= Landmark.LEFT_SHOULDER:
            pa, pb = px[a], px[b]
            cv2.line(out, (int(pa[0]), int(pa[1])), (int(pb[0]), int(pb[1])), BONE_BGR, lw, cv2.LINE_AA)
    r_small, r_big = max(3, round(4 * unit)), max(6, round(9 * unit))
    for i in range(Landmark.LEFT_SHOULDER, len(px)):
        if not ok[i]:
            continue
        p = (int(px[i][0]), int(px[i][1]))
        status = joint.get(i)
        if status is None:
            cv2.circle(out, p, r_small, BONE_BGR, -1, cv2.LINE_AA)
        else:
            cv2.circle(out, p, r_big, STATUS_BGR[status], -1, cv2.LINE_AA)
            cv2.circle(out, p, r_big, (20, 20, 20), 1, cv2.LINE_AA)

    # Values beside the joints they measure.
    fs = max(14, round(22 * unit))
    if verdict is not None:
        stacked: dict[int, int] = {}
        for c in verdict.checks:
            if c.anchor is None or not ok[c.anchor]:
                continue
            ax, ay = px[c.anchor]
            if c.status is Status.UNKNOWN:
                text = "?"
            elif c.unit == "deg":
                text = f"{c.value:.0f}° → {c.target}°"
            else:
                text = f"{c.value:+.2f} → {c.target}"
            tw, th = text_size(text, fs, True)
            k = stacked.get(int(c.anchor), 0)
            stacked[int(c.anchor)] = k + 1
            x = int(ax + r_big + 4) if ax + r_big + 4 + tw < w else int(ax - r_big - 4 - tw)
            y = int(ay - th / 2 + k * round(fs * 1.3))
            put_text(out, text, (x, y), fs, STATUS_BGR[c.status], bold=True)

    # Header: title and side (or a routine's step) on the left, hold timer or rest on the right.
    hs = max(16, round(26 * unit))
    pad = round(12 * unit)
    note_y = pad + round(hs * 1.4)
    if info.step:
        # A band, so the step reads over any background from across the room.
        band_h = 2 * pad + round(hs * 1.2) + round(14 * unit)
        _shade(out, 0, 0, w, band_h, 0.35)
        header = info.step
        note_y = band_h + round(6 * unit)
    else:
        header = info.title
        if verdict is not None and verdict.side:
            header += f" — {side_label(verdict.side)}"
    put_text(out, header, (pad, pad), hs, (255, 255, 255), bold=True)
    if info.note:
        put_text(out, info.note, (pad, note_y), round(hs * 0.75), (220, 220, 220))
    if info.rest_s is not None:
        label = f"rest {math.ceil(info.rest_s):.0f} s"
        tw, _ = text_size(label, hs, True)
        put_text(out, label, (w - pad - tw, pad), hs, CAMERA_CUE_BGR, bold=True)
    elif info.hold_s is not None:
        target = info.hold_target_s
        label = f"hold {info.hold_s:.0f} s" + (f" / {target:g} s" if target else "")
        tw, th = text_size(label, hs, True)
        x = w - pad - tw
        put_text(out, label, (x, pad), hs, (255, 255, 255), bold=True)
        if target:
            bar_w, bar_h = tw, max(4, round(8 * unit))
            y = pad + th + round(6 * unit)
            cv2.rectangle(out, (x, y), (x + bar_w, y + bar_h), (90, 90, 90), -1)
            fill = int(bar_w * min(info.hold_s / target, 1.0))
            colour = STATUS_BGR[Status.OK] if info.hold_s >= target else (255, 255, 255)
            cv2.rectangle(out, (x, y), (x + fill, y + bar_h), colour, -1)
    if info.fps is not None:
        put_text(out, f"{info.fps:.0f} fps", (w - pad - text_size("000 fps", fs)[0], h - pad - fs - 4),
                 fs, (200, 200, 200))

    # The one cue, large enough to read from three metres.
    if info.cue:
        cs = max(22, round(44 * unit))
        lines = _wrap(info.cue, cs, w - 4 * pad, True)[:3]
        line_h = round(cs * 1.25)
        box_h = line_h * len(lines) + 2 * pad
        y0 = h - box_h - (round(40 * unit) if info.fps is not None else 0)
        _shade(out, 0, y0, w, y0 + box_h, 0.35)
        colour = CAMERA_CUE_BGR if info.cue_is_camera else (255, 255, 255)
        for k, line in enumerate(lines):
            tw, _ = text_size(line, cs, True)
            put_text(out, line, ((w - tw) // 2, y0 + pad + k * line_h), cs, colour, bold=True)

    if info.help_lines:
        ls = max(16, round(26 * unit))
        box_w = max(text_size(t, ls)[0] for t in info.help_lines) + 2 * pad
        box_h = len(info.help_lines) * round(ls * 1.4) + 2 * pad
        x0, y0 = (w - box_w) // 2, (h - box_h) // 3
        _shade(out, x0, y0, x0 + box_w, y0 + box_h, 0.2)
        for k, line in enumerate(info.help_lines):
            put_text(out, line, (x0 + pad, y0 + pad + k * round(ls * 1.4)), ls, (255, 255, 255))
    return out


__all__ = ["OverlayInfo", "STATUS_BGR", "draw_overlay", "put_text", "side_label",
           "text_size"]
