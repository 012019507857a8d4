"""Tests of the landmarks.jsonl format: exact round trips, interrupted runs, bad files."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from posecheck.core.frame import PointFlag
from posecheck.errors import InputError, OutputError
from posecheck.io.landmarks_file import (
    LandmarksHeader,
    LandmarksWriter,
    RawPose,
    read_landmarks,
    read_raw,
)

HEADER = LandmarksHeader(input="clip.mp4", width=960, height=540, fps=30.0, estimator="test-model")


def model_like_pose(seed: int, t: float, *, presence: bool = True, world: bool = True) -> RawPose:
    """Values as a model gives them: float32 numbers, some points off the image."""
    rng = np.random.default_rng(seed)
    xyz = rng.uniform(-0.3, 1.3, (33, 3)).astype(np.float32).astype(np.float64)
    vis = rng.uniform(0, 1, 33).astype(np.float32).astype(np.float64)
    pres = rng.uniform(0, 1, 33).astype(np.float32).astype(np.float64) if presence else None
    wld = rng.normal(0, 0.5, (33, 3)).astype(np.float32).astype(np.float64) if world else None
    return RawPose((960, 540), t, xyz, vis, pres, wld)


def write_file(path: Path, raws: list[RawPose], header: LandmarksHeader = HEADER) -> Path:
    with LandmarksWriter(path, header) as writer:
        for i, raw in enumerate(raws):
            writer.write(i, raw)
    return path


def same_bits(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return a.shape == b.shape and a.tobytes() == b.tobytes()


# -- round trip -------------------------------------------------------------------


def test_round_trip_is_bit_exact(tmp_path: Path) -> None:
    raws = [
        model_like_pose(0, 0.0),
        RawPose.empty((960, 540), 1 / 30),
        model_like_pose(2, 2 / 30, presence=False),
        model_like_pose(3, 3 / 30, world=False),
    ]
    path = write_file(tmp_path / "landmarks.jsonl", raws)
    header, frames = read_raw(path)
    assert header == HEADER
    got = list(frames)
    assert [i for i, _ in got] == [0, 1, 2, 3]
    for (_, back), raw in zip(got, raws, strict=True):
        assert back.timestamp == raw.timestamp and back.image_size == (960, 540)
        for name in ("xyz", "visibility", "presence", "world"):
            assert same_bits(getattr(back, name), getattr(raw, name)), name


def test_pose_frames_are_built_exactly_as_live(tmp_path: Path) -> None:
    raws = [model_like_pose(i, i / 30) for i in range(5)] + [RawPose.empty((960, 540), 5 / 30)]
    path = write_file(tmp_path / "landmarks.jsonl", raws)
    _, frames = read_landmarks(path)
    for (index, frame), raw in zip(frames, raws, strict=True):
        live = raw.to_frame()
        assert frame.detected == live.detected == raw.detected
        assert same_bits(frame.xy, live.xy) and same_bits(frame.z, live.z)
        assert same_bits(frame.visibility, live.visibility)
        assert same_bits(frame.flags, live.flags)
        assert frame.timestamp == index / 30
    # The raw values were stored, so points off the image are flagged on reading.
    _, frames = read_landmarks(path)
    first = next(frames)[1]
    assert (
        (first.flags == PointFlag.OFF_IMAGE).sum()
        == (raws[0].to_frame().flags == PointFlag.OFF_IMAGE).sum()
        > 0
    )


def test_header_line_is_the_documented_object(tmp_path: Path) -> None:
    path = write_file(tmp_path / "l.jsonl", [RawPose.empty((960, 540), 0.0)])
    lines = path.read_text().splitlines()
    assert json.loads(lines[0]) == {
        "format": "posecheck-landmarks",
        "version": 2,
        "input": "clip.mp4",
        "width": 960,
        "height": 540,
        "fps": 30.0,
        "estimator": "test-model",
        "frames": None,
    }
    assert json.loads(lines[1]) == {"frame": 0, "t": 0.0, "landmarks": None, "world": None}


def test_a_live_sessions_header_says_so_and_reads_back(tmp_path: Path) -> None:
    # A live session's landmarks are judged as live judged them when replayed (no zero-lag filter):
    # the header is what tells a replay where they came from. A recording's header has no "live".
    from dataclasses import replace

    for live in (True, False):
        path = tmp_path / f"{live}.jsonl"
        with LandmarksWriter(path, replace(HEADER, live=live)) as w:
            w.write(0, RawPose.empty((960, 540), 0.0))
        assert ("live" in json.loads(path.read_text().splitlines()[0])) is live
        header, _ = read_raw(path)
        assert header.live is live
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(HEADER.to_json() | {"live": "yes"}) + "\n")
    with pytest.raises(InputError, match="'live' must be true or false"):
        read_raw(bad)


def test_missing_values_are_written_as_null(tmp_path: Path) -> None:
    raw = model_like_pose(0, 0.0)
    xyz = raw.xyz.copy()
    xyz[5] = np.nan
    path = write_file(
        tmp_path / "l.jsonl", [RawPose((960, 540), 0.0, xyz, raw.visibility, raw.presence, raw.world)]
    )
    row = json.loads(path.read_text().splitlines()[1])["landmarks"][5]
    assert row[:3] == [None, None, None]
    _, frames = read_raw(path)
    back = next(frames)[1]
    assert np.isnan(back.xyz[5]).all() and same_bits(back.xyz[6], raw.xyz[6])


finite = st.floats(allow_nan=False, allow_infinity=False, width=64)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(finite, min_size=33 * 8, max_size=33 * 8), t=st.floats(0, 1e6))
def test_any_finite_float_round_trips(tmp_path: Path, values: list[float], t: float) -> None:
    arr = np.array(values).reshape(33, 8)
    raw = RawPose((7, 5), t, arr[:, :3], arr[:, 3], arr[:, 4], arr[:, 5:8])
    path = write_file(tmp_path / "h.jsonl", [raw], LandmarksHeader(None, 7, 5, None, "x"))
    _, frames = read_raw(path)
    back = next(frames)[1]
    assert back.timestamp == t
    for name in ("xyz", "visibility", "presence", "world"):
        assert same_bits(getattr(back, name), getattr(raw, name))


# -- writer behaviour -------------------------------------------------------------


def test_writer_flushes_every_frame_to_a_hidden_temp_file(tmp_path: Path) -> None:
    path = tmp_path / "l.jsonl"
    writer = LandmarksWriter(path, HEADER)
    writer.write(0, model_like_pose(0, 0.0))
    writer.write(1, model_like_pose(1, 0.1))
    assert not path.exists()
    (tmp,) = list(tmp_path.iterdir())
    assert tmp.name.startswith(".l.jsonl.") and tmp.name.endswith(".partial")
    # Everything written so far is on disk and readable as it stands.
    assert len(tmp.read_text().splitlines()) == 3
    writer.close()
    assert [p.name for p in tmp_path.iterdir()] == ["l.jsonl"]
    assert writer.frames_written == 2


def test_interrupted_run_leaves_a_valid_prefix(tmp_path: Path) -> None:
    path = tmp_path / "l.jsonl"
    with pytest.raises(KeyboardInterrupt):
        with LandmarksWriter(path, HEADER) as writer:
            for i in range(3):
                writer.write(i, model_like_pose(i, i / 30))
            raise KeyboardInterrupt
    _, frames = read_raw(path)
    assert [i for i, _ in frames] == [0, 1, 2]


def test_killed_mid_line_keeps_the_whole_lines(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = write_file(tmp_path / "l.jsonl", [model_like_pose(i, i / 30) for i in range(3)])
    text = path.read_text()
    path.write_text(text[: len(text) - 200])  # the last line is cut short, no newline
    with caplog.at_level(logging.WARNING, logger="posecheck.io.landmarks_file"):
        _, frames = read_raw(path)
        assert [i for i, _ in frames] == [0, 1]
    assert "line 4: ignoring the incomplete last line" in caplog.text


def test_abort_leaves_nothing(tmp_path: Path) -> None:
    writer = LandmarksWriter(tmp_path / "l.jsonl", HEADER)
    writer.write(0, model_like_pose(0, 0.0))
    writer.abort()
    assert list(tmp_path.iterdir()) == []


def test_writer_rejects_decreasing_indices(tmp_path: Path) -> None:
    with LandmarksWriter(tmp_path / "l.jsonl", HEADER) as writer:
        writer.write(3, model_like_pose(0, 0.0))
        with pytest.raises(ValueError, match="frame indices must increase: 3 after 3"):
            writer.write(3, model_like_pose(1, 0.1))


def test_writer_rejects_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(OutputError) as caught:
        LandmarksWriter(tmp_path / "no" / "l.jsonl", HEADER)
    assert caught.value.message == f"folder {tmp_path / 'no'} does not exist"


def test_raw_pose_checks_shapes() -> None:
    with pytest.raises(ValueError, match=r"RawPose.xyz must have shape \(33, 3\), got \(32, 3\)"):
        RawPose((10, 10), 0.0, np.zeros((32, 3)), np.zeros(33))
    with pytest.raises(ValueError, match="both be given or both be None"):
        RawPose((10, 10), 0.0, np.zeros((33, 3)))


# -- bad files --------------------------------------------------------------------

GOOD_HEADER = json.dumps(HEADER.to_json())
POINT = [0.5, 0.5, 0.0, 0.9, None]


def frame_line(index: int = 0, t: float = 0.0, landmarks: object = "default", world: object = None) -> str:
    lm = [POINT] * 33 if landmarks == "default" else landmarks
    return json.dumps({"frame": index, "t": t, "landmarks": lm, "world": world})


BAD_FILES = [
    # (file text, line number, message after "<path>, line N: ")
    ("", 1, "the file is empty"),
    ("{not json\n", 1, "not valid JSON (Expecting property name enclosed in double quotes)"),
    (
        '{"format": "something-else"}\n',
        1,
        'not a posecheck landmarks header (expected "format": "posecheck-landmarks")',
    ),
    ("[1, 2]\n", 1, 'not a posecheck landmarks header (expected "format": "posecheck-landmarks")'),
    (
        GOOD_HEADER.replace('"version": 2', '"version": 3') + "\n",
        1,
        "format version 3 is newer than this posecheck reads (2)",
    ),
    (
        GOOD_HEADER.replace('"width": 960', '"width": 0') + "\n",
        1,
        "'width' must be a positive integer, got 0",
    ),
    (
        GOOD_HEADER.replace('"height": 540', '"height": "540"') + "\n",
        1,
        "'height' must be a positive integer, got \"540\"",
    ),
    (
        GOOD_HEADER.replace('"fps": 30.0', '"fps": -1') + "\n",
        1,
        "'fps' must be a positive number or null, got -1",
    ),
    (
        GOOD_HEADER.replace('"estimator": "test-model"', '"estimator": 3') + "\n",
        1,
        "'estimator' must be a string, got 3",
    ),
    (
        f"{GOOD_HEADER}\n{frame_line()}\n{{oops\n{frame_line(2, 0.2)}\n",
        3,
        "not valid JSON (Expecting property name enclosed in double quotes)",
    ),
    (f"{GOOD_HEADER}\n[1, 2, 3]\n", 2, "expected a JSON object for a frame"),
    (
        f"{GOOD_HEADER}\n{frame_line(1, 0.0)}\n{frame_line(1, 0.1)}\n",
        3,
        "'frame' must be an integer greater than 1, got 1",
    ),
    (f"{GOOD_HEADER}\n{frame_line(0, 0.0)}\n{frame_line(1, 0.0)}\n", 3, "'t' must increase: 0.0 after 0.0"),
    (f"{GOOD_HEADER}\n{frame_line(True, 0.0)}\n", 2, "'frame' must be an integer greater than -1, got true"),
    (f"{GOOD_HEADER}\n" + frame_line(0, "soon") + "\n", 2, "'t' must be a number, got \"soon\""),
    (
        f"{GOOD_HEADER}\n" + '{"frame": 0, "t": NaN, "landmarks": null, "world": null}\n',
        2,
        "'t' must be finite, got nan",
    ),
    (
        f"{GOOD_HEADER}\n" + frame_line(landmarks=[POINT] * 32) + "\n",
        2,
        "'landmarks' must be a list of 33 points, got 32",
    ),
    (
        f"{GOOD_HEADER}\n" + frame_line(landmarks={"x": 1}) + "\n",
        2,
        "'landmarks' must be a list of 33 points, got dict",
    ),
    (
        f"{GOOD_HEADER}\n"
        + frame_line(landmarks=[POINT] * 5 + [[0.5, "a", 0, 0.9, None]] + [POINT] * 27)
        + "\n",
        2,
        "'landmarks'[5][1] must be a number or null, got \"a\"",
    ),
    (
        f"{GOOD_HEADER}\n" + frame_line(landmarks=[POINT] * 32 + [[0.5, 0.5, 0.9]]) + "\n",
        2,
        "'landmarks'[32] must be a list of 5 numbers",
    ),
    (
        f"{GOOD_HEADER}\n"
        + frame_line(landmarks=[[0.5, 1e999, 0, 0.9, None]] * 33).replace("Infinity", "1e999")
        + "\n",
        2,
        "'landmarks'[0][1] must be finite, got inf",
    ),
    (
        f"{GOOD_HEADER}\n" + frame_line(landmarks=None, world=[[0, 0, 0]] * 33) + "\n",
        2,
        "'world' is given but 'landmarks' is null",
    ),
    (
        f"{GOOD_HEADER}\n" + frame_line(world=[[0, 0, False]] * 33) + "\n",
        2,
        "'world'[0][2] must be a number or null, got false",
    ),
    (f"{GOOD_HEADER}\n" + "[" * 100000 + "\n", 2, "not valid JSON (nested too deeply)"),
]


@pytest.mark.parametrize(("text", "line", "message"), BAD_FILES)
def test_bad_files_name_the_file_and_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        _, frames = read_raw(path)
        list(frames)
    assert caught.value.message == f"{path}, line {line}: {message}"
    assert "record it again" in caught.value.hint


def test_non_utf8_bytes(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(GOOD_HEADER.encode() + b"\n\xff\xfe\n")
    with pytest.raises(InputError) as caught:
        _, frames = read_raw(path)
        list(frames)
    assert caught.value.message == f"{path}, line 2: not UTF-8 text (invalid start byte)"


@pytest.mark.parametrize("kind", ["missing", "folder"])
def test_missing_file_or_folder(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "l.jsonl"
    if kind == "folder":
        path.mkdir()
    with pytest.raises(InputError) as caught:
        read_landmarks(path)
    what = "does not exist" if kind == "missing" else "is a folder, not a landmarks file"
    assert caught.value.message == f"{path} {what}"


@pytest.fixture(scope="module")
def valid_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("valid") / "l.jsonl"
    raws = [model_like_pose(0, 0.0), RawPose.empty((960, 540), 0.1), model_like_pose(2, 0.2, presence=False)]
    return write_file(path, raws).read_bytes()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzzed_files_fail_only_with_input_error(
    tmp_path: Path, valid_bytes: bytes, data: st.DataObject
) -> None:
    blob = bytearray(valid_bytes)
    for _ in range(data.draw(st.integers(1, 6), label="edits")):
        action = data.draw(st.sampled_from(["flip", "cut", "insert", "delete"]), label="action")
        pos = data.draw(st.integers(0, max(0, len(blob) - 1)), label="pos")
        if action == "flip" and blob:
            blob[pos] = data.draw(
                st.sampled_from(list(b'{}[],:"0123456789.-eE ntrufalsx\n\xff')), label="byte"
            )
        elif action == "cut":
            del blob[pos:]
        elif action == "insert":
            blob[pos:pos] = data.draw(
                st.sampled_from([b"null", b"1e400", b"true", b"[", b'"x"', b"\n", b"NaN", b"-1"])
            )
        elif blob:
            del blob[pos : pos + data.draw(st.integers(1, 50), label="n")]
    path = tmp_path / "fuzz.jsonl"
    path.write_bytes(bytes(blob))
    try:
        header, frames = read_raw(path)
        for index, raw in frames:
            frame = raw.to_frame()
            assert frame.image_size == (header.width, header.height)
            assert index >= 0 and np.isfinite(raw.timestamp)
    except InputError as err:
        assert err.message.startswith(f"{path}")
        assert "line " in err.message or "does not exist" in err.message


# -- version 2: float32 numbers written shortest, gzip, photo names ------------------------------


def test_float32_values_are_written_shortest_and_read_back_exactly(tmp_path: Path) -> None:
    raws = [model_like_pose(i, i / 30, presence=i % 2 == 0, world=i % 3 != 0) for i in range(30)]
    path = write_file(tmp_path / "l.jsonl", raws)
    lines = path.read_text().splitlines()
    first = json.loads(lines[1])
    assert first["f32"] is True
    # The shortest decimal of a float32 has at most 9 significant digits (repr of its float64: 17).
    digits = [len(d.lstrip("-0.").replace(".", "").split("e")[0]) for d in re.findall(r"-?\d\.?\d*(?:e-?\d+)?",
                                                                                         lines[1].split('"landmarks"')[1])]
    assert max(digits) <= 9
    _, frames = read_raw(path)
    for (_, got), want in zip(frames, raws):
        assert all(same_bits(getattr(got, f), getattr(want, f)) for f in ("xyz", "visibility", "presence", "world"))


def test_values_that_are_not_float32_are_written_in_full(tmp_path: Path) -> None:
    raw = model_like_pose(0, 0.0)
    xyz = raw.xyz.copy()
    xyz[0, 0] = 0.1  # a float64 that no float32 equals
    odd = RawPose(raw.image_size, 0.0, xyz, raw.visibility, raw.presence, raw.world)
    path = write_file(tmp_path / "l.jsonl", [odd])
    assert "f32" not in json.loads(path.read_text().splitlines()[1])
    _, frames = read_raw(path)
    (_, got), = list(frames)
    assert same_bits(got.xyz, odd.xyz)


def test_gzip_round_trip_is_bit_exact_and_smaller(tmp_path: Path) -> None:
    raws = [model_like_pose(i, i / 30) for i in range(60)]
    gz = write_file(tmp_path / "landmarks.jsonl.gz", raws)
    plain = write_file(tmp_path / "landmarks.jsonl", raws)
    assert gz.read_bytes()[:2] == b"\x1f\x8b"
    header, frames = read_raw(gz)
    assert header == read_raw(plain)[0]
    for (_, got), want in zip(frames, raws):
        assert all(same_bits(getattr(got, f), getattr(want, f)) for f in ("xyz", "visibility", "presence", "world"))
    # Random numbers compress less than a real body's do (the real-model figure is in tests/app):
    # still, gzip must save something on them.
    assert gz.stat().st_size < 0.8 * plain.stat().st_size
    # The reader knows gzip by its first bytes, not by the name.
    renamed = gz.rename(tmp_path / "renamed.jsonl")
    assert len(list(read_raw(renamed)[1])) == 60


def test_a_compressed_file_cut_short_keeps_every_whole_line(tmp_path: Path, caplog) -> None:  # noqa: ANN001
    path = tmp_path / "landmarks.jsonl.gz"
    writer = LandmarksWriter(path, HEADER)
    for i in range(5):
        writer.write(i, model_like_pose(i, i / 30))
    # As a killed run leaves it: every line flushed, no gzip trailer, the last block half written.
    (partial,) = list(tmp_path.iterdir())
    data = partial.read_bytes()
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(data)
    writer.abort()
    with caplog.at_level(logging.WARNING, logger="posecheck.io.landmarks_file"):
        _, frames = read_raw(cut)
        assert [i for i, _ in frames] == [0, 1, 2, 3, 4]
    assert "the compressed file ends early" in caplog.text
    cut.write_bytes(data[: len(data) - 40])  # and cut inside the last frame's block
    _, frames = read_raw(cut)
    assert [i for i, _ in frames] == [0, 1, 2, 3]


def test_damaged_compressed_data_is_an_input_error(tmp_path: Path) -> None:
    path = write_file(tmp_path / "landmarks.jsonl.gz", [model_like_pose(i, i / 30) for i in range(5)])
    data = bytearray(path.read_bytes())
    data[200:260] = b"\x00" * 60
    path.write_bytes(bytes(data))
    with pytest.raises(InputError) as caught:
        _, frames = read_raw(path)
        list(frames)
    assert str(path) in caught.value.one_line()


def test_photo_names_are_kept_per_frame(tmp_path: Path) -> None:
    path = tmp_path / "l.jsonl"
    with LandmarksWriter(path, HEADER) as w:
        w.write(0, model_like_pose(0, 0.0), file="IMG_0001.jpg")
        w.write(2, RawPose.empty((960, 540), 2.0), file="IMG_0003.jpg")
    files: dict[int, str] = {}
    _, frames = read_raw(path, files)
    assert [i for i, _ in frames] == [0, 2]
    assert files == {0: "IMG_0001.jpg", 2: "IMG_0003.jpg"}


def test_version_1_files_still_read(tmp_path: Path) -> None:
    raw = model_like_pose(0, 0.0)
    v1 = {**HEADER.to_json(), "version": 1}
    table = np.column_stack([raw.xyz, raw.visibility, raw.presence]).tolist()
    line = {"frame": 0, "t": 0.0, "landmarks": table, "world": raw.world.tolist()}
    path = tmp_path / "old.jsonl"
    path.write_text(json.dumps(v1) + "\n" + json.dumps(line) + "\n")
    header, frames = read_raw(path)
    (_, got), = list(frames)
    assert header.version == 1 and same_bits(got.xyz, raw.xyz) and same_bits(got.world, raw.world)
