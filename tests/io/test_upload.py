"""Pictures that arrive as bytes (a browser's camera frames): decoded, or refused with a clear message."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from posecheck.errors import InputError
from posecheck.io.upload import decode_picture, picture_kind


def _picture() -> np.ndarray:
    img = np.zeros((90, 160, 3), np.uint8)
    img[20:70, 40:120] = (30, 140, 220)
    return img


@pytest.mark.parametrize("ext,kind", [(".jpg", "JPEG"), (".png", "PNG"), (".webp", "WEBP")])
def test_pictures_decode_to_bgr(ext, kind):
    ok, data = cv2.imencode(ext, _picture())
    assert ok
    assert picture_kind(data.tobytes()) == kind
    image = decode_picture(data.tobytes())
    assert image.shape == (90, 160, 3) and image.dtype == np.uint8
    # JPEG and WebP lose a little; the box is still where it was, in its colour.
    assert np.abs(image[45, 80].astype(int) - (30, 140, 220)).max() < 12


@pytest.mark.parametrize("data,fragment", [
    (b"", "a frame of 0 bytes is not a picture (it starts with nothing)"),
    (b"GIF89a" + bytes(50), "a frame of 56 bytes is not a picture (it starts with 47 49 46 38 39 61 00 00)"),
    (b"\xff\xd8\xff" + bytes(40), "a JPEG frame of 43 bytes is damaged"),
])
def test_what_is_not_a_picture_is_refused_saying_what_arrived(data, fragment):
    with pytest.raises(InputError) as err:
        decode_picture(data)
    assert fragment in err.value.one_line()


def test_a_picture_that_would_decode_to_gigabytes_is_refused_before_decoding():
    ok, data = cv2.imencode(".png", np.zeros((3000, 6000, 3), np.uint8))  # compresses to a few kB
    assert ok and len(data) < 200_000
    with pytest.raises(InputError) as err:
        decode_picture(data.tobytes())
    assert "a 6000x3000 frame is too large to judge" in err.value.one_line()
    assert decode_picture(data.tobytes(), max_pixels=6000 * 3000).shape == (3000, 6000, 3)
