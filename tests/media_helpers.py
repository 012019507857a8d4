"""Test helpers that look at written media: a video's stream facts, a colour in a picture."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import av
import numpy as np

from posecheck.judge.status import Status
from posecheck.render.overlay import STATUS_BGR


def _top_level_boxes(path: Path) -> list[str]:
    """The types of the top-level boxes of an MP4/MOV file, in file order."""
    boxes: list[str] = []
    size_total = path.stat().st_size
    with path.open("rb") as f:
        offset = 0
        while offset + 8 <= size_total and len(boxes) < 64:
            f.seek(offset)
            header = f.read(16)
            size = int.from_bytes(header[:4], "big")
            kind = header[4:8].decode("latin-1")
            if size == 1 and len(header) == 16:
                size = int.from_bytes(header[8:16], "big")
            elif size == 0:
                size = size_total - offset
            if size < 8:
                break
            boxes.append(kind)
            offset += size
    return boxes


def probe(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Describe the first video stream of a file, counting frames by demuxing (no decoding).

    Returns:
        ``codec`` (e.g. ``"h264"``), ``pix_fmt``, ``frames`` (video packets), ``width``,
        ``height``, ``fps`` and, for MP4/MOV, ``faststart`` (the index precedes the media data).
    """
    from posecheck.errors import InputError

    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p} does not exist", "check the path")
    with av.open(str(p)) as container:
        streams = [s for s in container.streams.video
                   if not (s.disposition & av.stream.Disposition.attached_pic)]
        if not streams:
            raise InputError(f"{p} has no video stream", "pass a video file")
        stream = streams[0]
        ctx = stream.codec_context
        frames = sum(1 for packet in container.demux(stream) if packet.size > 0)
        info: dict[str, Any] = {
            "codec": ctx.name, "pix_fmt": ctx.pix_fmt, "frames": frames, "width": ctx.width,
            "height": ctx.height, "fps": float(stream.average_rate) if stream.average_rate else None,
        }
    if p.suffix.lower() in (".mp4", ".m4v", ".mov"):
        boxes = _top_level_boxes(p)
        info["faststart"] = "moov" in boxes and "mdat" in boxes and boxes.index("moov") < boxes.index("mdat")
    return info


def status_colour_present(image: np.ndarray, status: Status, tolerance: int = 12, min_pixels: int = 20) -> bool:
    """Whether ``image`` holds at least ``min_pixels`` pixels of a status colour."""
    target = np.array(STATUS_BGR[status], dtype=np.int16)
    diff = np.abs(image.astype(np.int16) - target).max(axis=2)
    return int((diff <= tolerance).sum()) >= min_pixels
