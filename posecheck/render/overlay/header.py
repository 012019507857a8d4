"""Annotators of the frame's top: the title and side (or a routine's step band) with the note
line on the left, the hold timer (or the rest countdown) on the right.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from posecheck.judge.status import Status
from posecheck.render.overlay.info import side_label
from posecheck.render.overlay.layout import Box
from posecheck.render.overlay.scene import OverlayData
from posecheck.render.overlay.style import CAMERA_BGR, NOTE_BGR, STATUS_BGR, WHITE, px
from posecheck.render.overlay.text import put_text, shade, text_size


class HeaderAnnotator:
    """The title and the side assessed, or a routine's step on a band across the top; the note under it.

    Args:
        size: the title's font size at 720p (the note is three quarters of it).
        pad: the margin at 720p.
        band_keep: how much of the picture shows through the step band.
    """

    def __init__(self, size: float = 26, pad: float = 12, band_keep: float = 0.35) -> None:
        self.size, self.pad, self.band_keep = size, pad, band_keep

    def annotate(self, scene: np.ndarray, data: OverlayData) -> np.ndarray:
        info, unit = data.info, data.unit
        w = scene.shape[1]
        hs, pad = px(self.size, unit, least=16), px(self.pad, unit)
        note_y = pad + round(hs * 1.4)
        if info.step:
            # A band, so the step reads over any background from across the room.
            band_h = 2 * pad + round(hs * 1.2) + px(14, unit)
            shade(scene, 0, 0, w, band_h, self.band_keep)
            data.layout.claim("header", Box(0, 0, w, band_h))
            header = info.step
            note_y = band_h + px(6, unit)
        else:
            header = info.title
            if data.verdict is not None and data.verdict.side:
                header += f" — {side_label(data.verdict.side)}"
            tw, th = text_size(header, hs, True)
            if tw:
                data.layout.claim("header", Box.at(pad, pad, tw, th))
        put_text(scene, header, (pad, pad), hs, WHITE, bold=True)
        if info.note:
            ns = round(hs * 0.75)
            tw, th = text_size(info.note, ns)
            put_text(scene, info.note, (pad, note_y), ns, NOTE_BGR)
            data.layout.claim("header:note", Box.at(pad, note_y, tw, th))
        return scene


class TimerAnnotator:
    """Top right: the time in good form toward the hold target, with a bar, and the time in the
    pose under it; or, while resting, the seconds of rest left.

    The timer means one thing in every mode: seconds in good form toward the target (what
    ``summary.json`` calls ``time_in_good_form_s``). Time in the pose, good form or not, is a
    smaller line, so a hold that is long but badly formed shows why the timer does not move.

    Args:
        size: the font size at 720p.
        pad: the margin at 720p.
    """

    def __init__(self, size: float = 26, pad: float = 12) -> None:
        self.size, self.pad = size, pad

    @staticmethod
    def label(hold_s: float, target_s: float | None) -> str:
        """``good form 3 s / 30 s``; whole seconds done, so it reads the target only once reached."""
        done = math.floor(hold_s + 1e-6)
        return f"good form {done} s" + (f" / {target_s:g} s" if target_s else "")

    @staticmethod
    def pose_label(pose_s: float) -> str:
        """``in the pose 12 s``: the smaller line under the timer (good form or not)."""
        return f"in the pose {math.floor(pose_s + 1e-6)} s"

    def annotate(self, scene: np.ndarray, data: OverlayData) -> np.ndarray:
        info, unit = data.info, data.unit
        w = scene.shape[1]
        hs, pad = px(self.size, unit, least=16), px(self.pad, unit)
        if info.rest_s is not None:
            label = f"rest {math.ceil(info.rest_s):.0f} s"
            tw, th = text_size(label, hs, True)
            put_text(scene, label, (w - pad - tw, pad), hs, CAMERA_BGR, bold=True)
            data.layout.claim("timer", Box.at(w - pad - tw, pad, tw, th))
            return scene
        if info.hold_s is None:
            return scene
        target = info.hold_target_s
        label = self.label(info.hold_s, target)
        tw, th = text_size(label, hs, True)
        x = w - pad - tw
        put_text(scene, label, (x, pad), hs, WHITE, bold=True)
        bottom = pad + th
        if target:
            bar_h = px(8, unit, least=4)
            y = pad + th + px(6, unit)
            cv2.rectangle(scene, (x, y), (x + tw, y + bar_h), (90, 90, 90), -1)
            fill = int(tw * min(info.hold_s / target, 1.0))
            colour = STATUS_BGR[Status.OK] if info.hold_s >= target - 1e-6 else WHITE
            cv2.rectangle(scene, (x, y), (x + fill, y + bar_h), colour, -1)
            bottom = y + bar_h
        if info.pose_s is not None:
            ps = round(hs * 0.75)
            sub = self.pose_label(info.pose_s)
            sw, sh = text_size(sub, ps)
            y = bottom + px(6, unit)
            put_text(scene, sub, (w - pad - sw, y), ps, NOTE_BGR)
            bottom = y + sh
            x = min(x, w - pad - sw)
        data.layout.claim("timer", Box(x, pad, w - pad, bottom))
        return scene


__all__ = ["HeaderAnnotator", "TimerAnnotator"]
