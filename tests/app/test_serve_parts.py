"""The pieces of ``posecheck serve`` that need no server: the wire records, frame messages, addresses."""

from __future__ import annotations

import json
import math
import re
import struct

import numpy as np
import pytest

from posecheck.app.server import _host_name, _split_frame, page_url
from posecheck.app.wire import FIRST_DRAWN, drawing_rules, frame_answer, to_message
from posecheck.core.landmarks import Landmark as L
from posecheck.errors import InputError
from posecheck.render.overlay import STATUS_BGR
from posecheck.session.session import Mode
from posecheck.specs import SpecLibrary

from ..factories import lunge


def _frame_message(head: bytes, picture: bytes = b"\xff\xd8\xffpicture") -> bytes:
    return struct.pack("<I", len(head)) + head + picture


def test_a_frame_message_is_split_into_its_time_count_and_picture():
    t, seen, picture = _split_frame(_frame_message(b'{"t": 1.25, "seen": 31}'))
    assert (t, seen, picture) == (1.25, 31, b"\xff\xd8\xffpicture")
    assert _split_frame(_frame_message(b'{"t": 0}'))[1] is None


@pytest.mark.parametrize("data", [
    b"", b"\x01\x00", _frame_message(b'{"seen": 1}'), _frame_message(b'{"t": "soon"}'), _frame_message(b"not json"),
    _frame_message(b'{"t": NaN}'), struct.pack("<I", 2000) + b"{}", struct.pack("<I", 50) + b'{"t": 1}',
])
def test_a_broken_frame_message_is_an_input_error(data):
    with pytest.raises(InputError):
        _split_frame(data)


@pytest.mark.parametrize("header,name", [
    ("127.0.0.1:8765", "127.0.0.1"), ("localhost:8765", "localhost"), ("LOCALHOST", "localhost"),
    ("[::1]:8765", "::1"), ("evil.example:8765", "evil.example"), ("127.0.0.1.evil.example", "127.0.0.1.evil.example"),
])
def test_host_names_are_read_without_their_port(header, name):
    assert _host_name(header) == name


def test_the_address_printed_carries_the_token_only_when_there_is_one():
    assert page_url("127.0.0.1", 8765, None) == "http://127.0.0.1:8765/"
    assert page_url("0.0.0.0", 9000, "a b") == "http://127.0.0.1:9000/?token=a%20b"
    assert page_url("::1", 80, None) == "http://[::1]:80/"


def test_a_frame_answer_carries_the_sessions_verdict_and_unknown_as_null():
    spec = SpecLibrary().get("kneeling_lunge")
    session = Mode.pose(spec).session(fps=10, live=True)
    # The front knee at 120° (off); the back foot off the picture: not drawn, as in live.
    # The side is the session's own: with the back foot off the picture no perspective says
    # which leg is which (posecheck.track.identity), so no side is named, and the page says none.
    frames = [lunge(knee_angle=120, timestamp=i / 10, off=(L.RIGHT_ANKLE, L.RIGHT_HEEL, L.RIGHT_FOOT_INDEX))
              for i in range(30)]
    for i, frame in enumerate(frames):
        (f,) = session.push(frame, i)
    answer = frame_answer(f, frames[-1], 29, model_ms=20.0, server_ms=25.0, finished=False)
    msg = to_message(answer)
    json.dumps(msg, allow_nan=False)  # strict JSON: no NaN anywhere
    assert msg["type"] == "frame" and msg["index"] == 29 and not msg["pending"]
    assert msg["title"] == "Kneeling lunge" and msg["side"] == f.verdict.side and msg["cue"] == f.cue.text
    knee = next(c for c in msg["checks"] if c["id"] == "front_knee_angle")
    assert knee["status"] == "off" and knee["value"] == pytest.approx(120, abs=1) and knee["unit"] == "deg"
    assert knee["anchor"] == int(L.LEFT_KNEE) and int(L.LEFT_KNEE) in knee["landmarks"]
    for c, state in zip(msg["checks"], f.verdict.checks):
        assert (c["value"] is None) == math.isnan(state.value)
        assert c["status"] == state.status.value
    # Written as live's window writes them (issue 16): the angle with its target, a ratio in
    # words, and the timer as good form toward the target with the time in the pose under it.
    assert knee["label"] == "120° → 90°"
    stack = next(c for c in msg["checks"] if c["id"] == "knee_over_ankle")
    assert stack["label"].startswith("knee ") and "ankle" in stack["label"], stack["label"]
    assert re.fullmatch(r"good form 0 s / \d+ s", msg["timer_text"]), msg["timer_text"]
    assert re.fullmatch(r"in the pose \d+ s", msg["pose_text"]), msg["pose_text"]
    # Points: the drawn ones from the shoulders down, None off the picture or for the face.
    assert len(msg["points"]) == 33
    assert msg["points"][int(L.RIGHT_ANKLE)] is None and msg["points"][int(L.NOSE)] is None
    knee_xy = frames[-1].xy[int(L.LEFT_KNEE)]
    assert msg["points"][int(L.LEFT_KNEE)] == pytest.approx(list(knee_xy), abs=1e-4)
    pending = to_message(frame_answer(None, frames[-1], 12, 1.0, 2.0, False))
    assert pending["pending"] and pending["checks"] == [] and pending["cue"] is None


def test_the_page_draws_with_the_overlays_colours_and_bones():
    rules = drawing_rules()
    assert rules["colours"] == {s.value: list(bgr[::-1]) for s, bgr in STATUS_BGR.items()}
    assert rules["first_drawn"] == FIRST_DRAWN == int(L.LEFT_SHOULDER)
    assert [int(L.LEFT_HIP), int(L.LEFT_KNEE)] in rules["bones"]
    assert all(min(b) >= FIRST_DRAWN for b in rules["bones"])
    assert np.array(rules["bones"]).shape[1] == 2
