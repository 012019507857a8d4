"""Pictures that arrive as bytes (a browser page's camera frames): checked, then decoded to BGR.

A page sends JPEG; PNG and WebP are accepted too. Anything else, a damaged picture, or
one larger than :data:`MAX_PIXELS` (a small file can decode to gigabytes) is refused with
an :class:`~posecheck.errors.InputError` that says what arrived. Nothing is written to disk.
"""

from __future__ import annotations

import io

import cv2
import numpy as np

from posecheck.errors import InputError

#: The largest picture decoded, in pixels (4096 x 4096; a camera frame is far smaller).
MAX_PIXELS = 4096 * 4096

_SIGNATURES = ((b"\xff\xd8\xff", "JPEG"), (b"\x89PNG\r\n\x1a\n", "PNG"))


def picture_kind(data: bytes) -> str | None:
    """``JPEG``, ``PNG`` or ``WEBP`` from the first bytes of ``data``; None for anything else."""
    for magic, name in _SIGNATURES:
        if data.startswith(magic):
            return name
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def decode_picture(data: bytes, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """The ``HxWx3`` BGR picture in ``data``.

    Raises:
        InputError: ``data`` is not a JPEG, PNG or WebP picture, is damaged, or is larger
            than ``max_pixels``.
    """
    kind = picture_kind(data)
    if kind is None:
        head = data[:8].hex(" ") if data else "nothing"
        raise InputError(f"a frame of {len(data)} bytes is not a picture (it starts with {head})",
                         "send JPEG, PNG or WebP frames")
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as im:  # reads the header only
            width, height = im.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise InputError(f"a {kind} frame of {len(data)} bytes is damaged ({exc})",
                         "send whole pictures, one per message") from None
    if width * height > max_pixels:
        raise InputError(f"a {width}x{height} frame is too large to judge", "send frames of at most "
                         f"{max_pixels // 1_000_000} megapixels (a camera's own size is plenty)")
    image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    if image is None or image.size == 0:
        raise InputError(f"a {kind} frame of {len(data)} bytes is damaged (it does not decode)",
                         "send whole pictures, one per message")
    return image


__all__ = ["MAX_PIXELS", "decode_picture", "picture_kind"]
