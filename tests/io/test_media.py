"""Tests of posecheck.io.media on real files written in tmp_path with PyAV and OpenCV."""

from __future__ import annotations

import itertools
import logging
import tracemalloc
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from posecheck.errors import InputError, OutputError
from posecheck.io.media import MediaInfo, VideoWriter, open_media

from ..media_helpers import probe

# -- factories --------------------------------------------------------------------

RED = (0, 0, 255)  # BGR


def moving_box(i: int, size: tuple[int, int] = (320, 240)) -> np.ndarray:
    """A grey frame with a red box that moves 4 px per frame, so frames differ."""
    w, h = size
    img = np.full((h, w, 3), 60, np.uint8)
    x = (i * 4) % (w - 60)
    img[h // 2 - 30 : h // 2 + 30, x : x + 60] = RED
    return img


def write_clip(
    path: Path,
    n: int = 30,
    size: tuple[int, int] = (320, 240),
    fps: int = 30,
    codec: str = "libx264",
    ccw_rotation: int | None = None,
    frame: object = moving_box,
) -> Path:
    """An encoded clip of ``n`` frames made with PyAV (independently of VideoWriter)."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        if ccw_rotation is not None:
            stream.set_display_rotation(ccw_rotation)
        for i in range(n):
            image = frame(i, size)  # type: ignore[operator]
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="bgr24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def write_mjpeg(path: Path, frames: list[np.ndarray | bytes], fps: int = 10) -> Path:
    """A clip whose packets are JPEGs (from images) or given raw bytes (damage).

    Each MJPEG packet is one independent picture, so damaged packets and size
    changes can be placed exactly where a test wants them.
    """
    first = next(f for f in frames if isinstance(f, np.ndarray))
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mjpeg", rate=fps)
        stream.height, stream.width = first.shape[:2]
        stream.pix_fmt = "yuvj420p"
        container.start_encoding()
        for i, f in enumerate(frames):
            data = cv2.imencode(".jpg", f)[1].tobytes() if isinstance(f, np.ndarray) else f
            packet = av.Packet(data)
            packet.stream = stream
            packet.pts = packet.dts = i
            packet.time_base = Fraction(1, fps)
            packet.is_keyframe = True
            container.mux(packet)
    return path


def write_mp3(path: Path) -> Path:
    """One second of a 440 Hz tone, audio only."""
    with av.open(str(path), "w", format="mp3") as container:
        stream = container.add_stream("libmp3lame", rate=44100)
        t = np.arange(44100) / 44100
        samples = (np.sin(2 * np.pi * 440 * t) * 0.3).astype(np.float32)[None, :]
        for i in range(0, samples.shape[1], 1152):
            frame = av.AudioFrame.from_ndarray(samples[:, i : i + 1152].copy(), format="fltp", layout="mono")
            frame.sample_rate = 44100
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def box_centre_x(image: np.ndarray) -> float:
    """Mean x of the red pixels (to follow the box through encoding)."""
    b, g, r = image[..., 0].astype(int), image[..., 1].astype(int), image[..., 2].astype(int)
    _, xs = np.nonzero((r > 180) & (b < 100) & (g < 100))
    return float(xs.mean())


# -- reading videos ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("suffix", "codec"),
    [(".mp4", "libx264"), (".mov", "libx264"), (".mkv", "libx264"), (".webm", "libvpx"), (".avi", "mpeg4")],
)
def test_video_containers_yield_every_frame_in_order(tmp_path: Path, suffix: str, codec: str) -> None:
    clip = write_clip(tmp_path / f"clip{suffix}", n=24, size=(320, 240), fps=24, codec=codec)
    with open_media(clip) as source:
        info = source.info
        frames = list(source)
    assert (info.kind, info.width, info.height, info.fps, info.rotation) == ("video", 320, 240, 24.0, 0)
    assert info.duration_s == pytest.approx(1.0, abs=0.05)
    assert info.frame_count == 24
    assert len(frames) == 24 and source.frames_read == 24
    assert source.lost_frames == 0 and source.resized_frames == 0
    assert [f.index for f in frames] == list(range(24))
    # Matroska stores milliseconds, so allow half a millisecond of rounding.
    assert [f.t for f in frames] == pytest.approx([i / 24 for i in range(24)], abs=5e-4)
    for f in frames:
        assert f.image.shape == (240, 320, 3) and f.image.dtype == np.uint8
    # BGR order and display order (B-frames reordered): the red box moves 4 px a frame.
    xs = [box_centre_x(f.image) for f in frames]
    assert xs == pytest.approx([30 + 4 * i for i in range(24)], abs=1.5)


def test_media_info_is_frozen(tmp_path: Path) -> None:
    with open_media(write_clip(tmp_path / "c.mp4", n=3)) as source:
        info = source.info
    assert isinstance(info, MediaInfo) and info.size == (320, 240)
    with pytest.raises(AttributeError):
        info.width = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("ccw", "rotation", "corner"),
    [
        # A phone held upright: frames stored landscape, turned 90° clockwise to show.
        (-90, 90, "top-right"),
        (90, 270, "bottom-left"),
        (180, 180, "bottom-right"),
    ],
)
def test_rotation_metadata_is_applied(tmp_path: Path, ccw: int, rotation: int, corner: str) -> None:
    def marked(i: int, size: tuple[int, int]) -> np.ndarray:
        w, h = size
        img = np.full((h, w, 3), 40, np.uint8)
        img[: h // 4, : w // 4] = RED  # the stored picture's top-left corner
        return img

    clip = write_clip(tmp_path / "phone.mp4", n=5, size=(320, 240), ccw_rotation=ccw, frame=marked)
    with open_media(clip) as source:
        info = source.info
        frames = list(source)
    expected_size = (240, 320) if rotation in (90, 270) else (320, 240)
    assert (info.width, info.height) == expected_size
    assert info.rotation == rotation
    assert len(frames) == 5
    image = frames[0].image
    assert image.shape == (expected_size[1], expected_size[0], 3)
    h, w = image.shape[:2]
    corners = {
        "top-left": image[5, 5],
        "top-right": image[5, w - 6],
        "bottom-left": image[h - 6, 5],
        "bottom-right": image[h - 6, w - 6],
    }
    red = {name for name, px in corners.items() if px[2] > 180 and px[0] < 100}
    assert red == {corner}


def test_reading_does_not_accumulate_frames(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "long.mp4", n=240, size=(320, 240))
    frame_bytes = 320 * 240 * 3
    tracemalloc.start()
    try:
        with open_media(clip) as source:
            count = sum(1 for _ in source)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 240
    # A handful of frames alive at once at most (decoder output, rotation copy);
    # holding on to 240 frames would be 55 MB.
    assert peak < 8 * frame_bytes


def test_damaged_packets_are_skipped_and_counted(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    images = [np.full((120, 160, 3), 20 * i, np.uint8) for i in range(6)]
    packets: list[np.ndarray | bytes] = [
        images[0],
        images[1],
        b"garbage" * 40,
        *images[2:],
        b"\xff\xd8\xff" + bytes(300),
    ]
    clip = write_mjpeg(tmp_path / "damaged.mkv", packets, fps=10)
    with caplog.at_level(logging.WARNING, logger="posecheck.io.media"), open_media(clip) as source:
        frames = list(source)
    assert len(frames) == 6
    assert source.lost_frames == 2
    # Timestamps come from pts: the lost third packet leaves a gap at 0.2 s.
    assert [f.t for f in frames] == pytest.approx([0.0, 0.1, 0.3, 0.4, 0.5, 0.6])
    assert [int(round(f.image.mean() / 20)) for f in frames] == [0, 1, 2, 3, 4, 5]
    assert "skipped 2 undecodable frame(s)" in caplog.text


def test_damage_inside_h264_does_not_stop_reading(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "good.mp4", n=60)
    data = bytearray(clip.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 40] = bytes(np.random.default_rng(0).integers(0, 256, 40, dtype=np.uint8))
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(bytes(data))
    with open_media(bad) as source:
        frames = list(source)
    assert source.lost_frames >= 1
    assert len(frames) + source.lost_frames == 60
    assert len(frames) >= 40
    assert all(f.image.shape == (240, 320, 3) for f in frames)
    assert all(b.t > a.t for a, b in itertools.pairwise(frames))


def test_size_change_mid_stream_is_rescaled_to_first(tmp_path: Path) -> None:
    big = [np.full((120, 160, 3), 50, np.uint8)] * 2
    small = [np.full((60, 80, 3), 200, np.uint8)] * 3
    clip = write_mjpeg(tmp_path / "sizes.avi", [*big, *small])
    with open_media(clip) as source:
        frames = list(source)
    assert [f.image.shape for f in frames] == [(120, 160, 3)] * 5
    assert source.resized_frames == 3
    assert [int(round(f.image.mean())) for f in frames] == [50, 50, 200, 200, 200]


def test_a_source_is_read_once(tmp_path: Path) -> None:
    with open_media(write_clip(tmp_path / "c.mp4", n=3)) as source:
        assert len(list(source)) == 3
        with pytest.raises(RuntimeError, match="already being read"):
            list(source)


# -- images and folders -----------------------------------------------------------


def test_single_image_is_one_frame(tmp_path: Path) -> None:
    img = moving_box(3, (64, 48))
    path = tmp_path / "still.png"
    cv2.imwrite(str(path), img)
    with open_media(path) as source:
        frames = list(source)
    assert source.info == MediaInfo(path, "image", 64, 48, 1.0, 1, 1.0, 0)
    assert len(frames) == 1 and frames[0].index == 0 and frames[0].t == 0.0
    np.testing.assert_array_equal(frames[0].image, img)  # PNG is lossless, order is BGR


@pytest.mark.parametrize("suffix", [".jpg", ".jpeg", ".webp", ".bmp", ".PNG"])
def test_image_formats(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"still{suffix}"
    assert cv2.imwrite(str(path.with_suffix(suffix.lower())), moving_box(0, (64, 48)))
    if suffix != suffix.lower():
        path.with_suffix(suffix.lower()).rename(path)
    with open_media(path) as source:
        (frame,) = list(source)
    assert frame.image.shape == (48, 64, 3)
    assert box_centre_x(frame.image) == pytest.approx(29.5, abs=1.0)


def test_folder_is_naturally_sorted_and_timed_by_fps(tmp_path: Path) -> None:
    for n in (10, 2, 1):
        cv2.imwrite(str(tmp_path / f"img{n}.png"), np.full((30, 40, 3), n, np.uint8))
    (tmp_path / "notes.txt").write_text("not an image")
    (tmp_path / ".hidden.png").write_bytes(b"")
    with open_media(tmp_path, image_fps=2.0) as source:
        frames = list(source)
    info = source.info
    assert (info.kind, info.width, info.height, info.fps, info.frame_count, info.duration_s) == (
        "folder",
        40,
        30,
        2.0,
        3,
        1.5,
    )
    assert [int(f.image[0, 0, 0]) for f in frames] == [1, 2, 10]
    assert [f.t for f in frames] == [0.0, 0.5, 1.0]


def test_folder_skips_unreadable_images_and_rescales_others(tmp_path: Path) -> None:
    cv2.imwrite(str(tmp_path / "a1.png"), np.full((30, 40, 3), 10, np.uint8))
    (tmp_path / "a2.png").write_bytes(b"not a png")
    cv2.imwrite(str(tmp_path / "a3.png"), np.full((60, 80, 3), 30, np.uint8))
    with open_media(tmp_path) as source:
        frames = list(source)
    assert [f.image.shape for f in frames] == [(30, 40, 3), (30, 40, 3)]
    assert [f.index for f in frames] == [0, 1]
    assert [f.t for f in frames] == [0.0, 2.0]  # the skipped file keeps its place in time
    assert (source.lost_frames, source.resized_frames) == (1, 1)


# -- bad input --------------------------------------------------------------------


def _error(path: Path) -> InputError:
    with pytest.raises(InputError) as caught:
        with open_media(path) as source:
            list(source)
    return caught.value


def test_missing_path(tmp_path: Path) -> None:
    err = _error(tmp_path / "nope.mp4")
    assert err.message == f"{tmp_path / 'nope.mp4'} does not exist"
    assert "check the path" in err.hint


@pytest.mark.parametrize("content", [[], ["readme.txt"]])
def test_folder_without_images(tmp_path: Path, content: list[str]) -> None:
    for name in content:
        (tmp_path / name).write_text("x")
    err = _error(tmp_path)
    assert err.message == f"{tmp_path} contains no images"
    assert ".jpg" in err.hint


@pytest.mark.parametrize(
    ("name", "shown"), [("pose.gif", "'.gif'"), ("notes.txt", "'.txt'"), ("clip", "without an extension")]
)
def test_unsupported_extension(tmp_path: Path, name: str, shown: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"x")
    err = _error(path)
    assert err.message == f"{path}: unsupported file type {shown}"
    assert ".mp4" in err.hint and ".jpg" in err.hint


def test_truncated_video(tmp_path: Path) -> None:
    # Without faststart the index (moov) is at the end: cutting the file loses it.
    data = write_clip(tmp_path / "full.mp4", n=30).read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2])
    err = _error(cut)
    assert err.message == f"{cut} is not a readable video file (corrupt, truncated or not a video)"
    assert "re-copy" in err.hint


def test_truncated_faststart_video_yields_its_readable_start(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # With the index first (faststart), a cut file still opens: the frames that
    # survive are read and the early end is reported, not hidden.
    full = tmp_path / "full.mp4"
    with VideoWriter(full, 30, (320, 240)) as writer:
        for i in range(60):
            writer.write(moving_box(i, (320, 240)))
    data = full.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2])
    with caplog.at_level(logging.WARNING, logger="posecheck.io.media"), open_media(cut) as source:
        frames = list(source)
    assert source.info.frame_count == 60
    assert 10 <= len(frames) < 50
    assert f"stream ended after {len(frames)} of 60 frames; the file may be truncated" in caplog.text


@pytest.mark.parametrize(
    "content", [b"hello, I am text\n", bytes(np.random.default_rng(1).integers(0, 256, 4000, dtype=np.uint8))]
)
def test_not_a_video_renamed_mp4(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "fake.mp4"
    path.write_bytes(content)
    err = _error(path)
    assert err.message == f"{path} is not a readable video file (corrupt, truncated or not a video)"


def test_empty_video_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.mov"
    path.write_bytes(b"")
    assert _error(path).message == f"{path} is empty (0 bytes)"


def test_audio_only_file_has_no_video_stream(tmp_path: Path) -> None:
    mp3 = write_mp3(tmp_path / "tone.mp3")
    renamed = mp3.rename(tmp_path / "tone.mp4")
    err = _error(renamed)
    assert err.message == f"{renamed} has no video stream"
    assert "audio-only" in err.hint


def test_zero_decodable_frames(tmp_path: Path) -> None:
    path = write_mjpeg(tmp_path / "junk.mkv", [np.zeros((16, 16, 3), np.uint8), b"junk" * 40, b"junk" * 40])
    # Replace the one good picture too, keeping the stream description.
    data = path.read_bytes()
    good = cv2.imencode(".jpg", np.zeros((16, 16, 3), np.uint8))[1].tobytes()
    path.write_bytes(data.replace(good, b"j" * len(good)))
    err = _error(path)
    assert err.message == f"{path} has no decodable video frames"
    assert "H.264" in err.hint


@pytest.mark.parametrize("content", [b"", b"not an image at all"])
def test_corrupt_image(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "broken.jpg"
    path.write_bytes(content)
    err = _error(path)
    assert err.message == f"{path} is not a readable image (corrupt or truncated)"


def test_folder_of_only_corrupt_images(tmp_path: Path) -> None:
    (tmp_path / "1.png").write_bytes(b"x")
    (tmp_path / "2.png").write_bytes(b"y")
    err = _error(tmp_path)
    assert err.message == f"{tmp_path} has no readable images (corrupt or truncated)"


# -- writing ----------------------------------------------------------------------


def test_writer_makes_browser_playable_h264(tmp_path: Path) -> None:
    out = tmp_path / "out.mp4"
    images = [moving_box(i, (321, 241)) for i in range(45)]
    with VideoWriter(out, 30, (321, 241)) as writer:
        for image in images:
            writer.write(image)
    assert writer.codec == "libx264"
    assert writer.encoded_size == (322, 242)
    assert probe(out) == {
        "codec": "h264",
        "pix_fmt": "yuv420p",
        "frames": 45,
        "width": 322,
        "height": 242,
        "fps": 30.0,
        "faststart": True,
    }
    with open_media(out) as source:
        frames = list(source)
    assert len(frames) == 45
    assert [f.t for f in frames] == pytest.approx([i / 30 for i in range(45)], abs=1e-6)
    # Odd sizes are padded on the right/bottom, so the picture itself is unchanged.
    diff = np.abs(frames[10].image[:241, :321].astype(int) - images[10].astype(int))
    assert diff.mean() < 4


def test_writer_keeps_fractional_rates(tmp_path: Path) -> None:
    out = tmp_path / "ntsc.mkv"
    with VideoWriter(out, 30000 / 1001, (64, 48)) as writer:
        for i in range(10):
            writer.write(moving_box(i, (64, 48)))
    info = probe(out)
    assert info["codec"] == "h264" and info["frames"] == 10
    assert info["fps"] == pytest.approx(29.97, abs=0.01)
    assert "faststart" not in info


def test_writer_writes_to_a_temp_file_until_closed(tmp_path: Path) -> None:
    out = tmp_path / "out.mp4"
    writer = VideoWriter(out, 10, (64, 48))
    # Enough frames for the encoder to emit packets (it holds some back at first).
    for i in range(60):
        writer.write(moving_box(i, (64, 48)))
    partial = [p.name for p in tmp_path.iterdir()]
    assert not out.exists()
    assert len(partial) == 1 and partial[0].startswith(".out.") and partial[0].endswith(".partial.mp4")
    writer.close()
    assert [p.name for p in tmp_path.iterdir()] == ["out.mp4"]
    assert probe(out)["frames"] == 60


def test_writer_leaves_nothing_after_an_exception(tmp_path: Path) -> None:
    out = tmp_path / "out.mp4"
    with pytest.raises(KeyError):
        with VideoWriter(out, 10, (64, 48)) as writer:
            for i in range(5):
                writer.write(moving_box(i, (64, 48)))
            raise KeyError("boom")
    assert list(tmp_path.iterdir()) == []


def test_writer_keeps_partial_output_when_asked(tmp_path: Path) -> None:
    out = tmp_path / "out.mp4"
    with pytest.raises(KeyboardInterrupt):
        with VideoWriter(out, 10, (64, 48)) as writer:
            try:
                for i in range(7):
                    writer.write(moving_box(i, (64, 48)))
                raise KeyboardInterrupt
            except KeyboardInterrupt:
                writer.close(complete=False)
                raise
    assert [p.name for p in tmp_path.iterdir()] == ["out.mp4"]
    assert probe(out)["frames"] == 7


def test_writer_with_no_frames_creates_no_file(tmp_path: Path) -> None:
    with VideoWriter(tmp_path / "out.mp4", 10, (64, 48)):
        pass
    assert list(tmp_path.iterdir()) == []


def test_writer_rescales_frames_of_another_size(tmp_path: Path) -> None:
    out = tmp_path / "out.mp4"
    with VideoWriter(out, 10, (64, 48)) as writer:
        writer.write(moving_box(0, (128, 96)))
    assert (probe(out)["width"], probe(out)["height"]) == (64, 48)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("missing/out.mp4", "folder {tmp}/missing does not exist"),
        ("out.avi", "{tmp}/out.avi: cannot write video as '.avi'"),
        ("out", "{tmp}/out: cannot write video as ''"),
    ],
)
def test_writer_rejects_bad_targets(tmp_path: Path, name: str, message: str) -> None:
    with pytest.raises(OutputError) as caught:
        VideoWriter(tmp_path / name, 10, (64, 48))
    assert caught.value.message == message.format(tmp=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_writer_rejects_a_folder_named_like_a_video(tmp_path: Path) -> None:
    folder = tmp_path / "out.mp4"
    folder.mkdir()
    with pytest.raises(OutputError) as caught:
        VideoWriter(folder, 10, (64, 48))
    assert caught.value.message == f"{folder} is a folder"


def test_writer_rejects_non_images(tmp_path: Path) -> None:
    with VideoWriter(tmp_path / "o.mp4", 10, (64, 48)) as writer:
        with pytest.raises(ValueError, match="HxWx3 uint8 BGR"):
            writer.write(np.zeros((48, 64), np.uint8))
        writer.write(moving_box(0, (64, 48)))


def test_probe_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        probe(tmp_path / "none.mp4")
    assert caught.value.message == f"{tmp_path / 'none.mp4'} does not exist"


def test_a_timed_writer_keeps_uneven_frame_times(tmp_path: Path) -> None:
    """A live session's frames come at the model's pace: the video keeps their times and lasts as long."""
    out = tmp_path / "timed.mp4"
    times = [0.0, 0.11, 0.25, 0.27, 0.5, 1.0, 2.0, 2.04]
    with VideoWriter(out, 30, (64, 48), timed=True) as writer:
        for i, t in enumerate(times):
            writer.write(moving_box(i, (64, 48)), t)
    with open_media(out) as source:
        got = [f.t for f in source]
    # Times are kept to the 30 fps time base; two frames in one tick go to consecutive ticks.
    assert got == pytest.approx([0.0, 0.1, 0.2667, 0.3, 0.5, 1.0, 2.0, 2.0333], abs=1e-3)
    with av.open(str(out)) as c:
        s = c.streams.video[0]
        assert float(s.duration * s.time_base) == pytest.approx(2.0333 + 1 / 30, abs=0.02)
