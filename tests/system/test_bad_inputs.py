"""The bad-input battery: every bad input users will try, for every command.

Each case runs the real CLI in a subprocess and checks the exit code and that
stderr is one clear line naming the problem and the fix, never a traceback.
Cases that are not errors (a one-frame clip, a size change mid-stream, a huge
photo, damaged frames) check that the run finishes and says what it did.

``test_score.py`` and ``test_live.py`` already cover the most common bad inputs
of ``score`` and ``live``; the cases here are the rest. The tables are counted by
``test_battery_size`` so the number of bad inputs tried is on record.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from posecheck.io.landmarks_file import read_raw

from ..cli_helpers import ROOT, Run, assert_clean_error, posecheck
from ..conftest import sample
from ..media_helpers import probe

pytestmark = pytest.mark.model

CLIP = "lunge_side_90_left.mp4"
CLIP_FRAMES = 72


# -- media made once for the module -----------------------------------------------------------

def _decode(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as c:
        return [f.to_ndarray(format="bgr24") for f in c.decode(video=0)]


def _encode(path: Path, images: list[np.ndarray], fps: int = 24, codec: str = "libx264",
            fmt: str | None = None) -> Path:
    with av.open(str(path), "w", format=fmt) as c:
        s = c.add_stream(codec, rate=fps)
        s.height, s.width = images[0].shape[:2] if images else (240, 320)
        s.pix_fmt = "yuv420p"
        if not images:
            c.start_encoding()
        for img in images:
            for p in s.encode(av.VideoFrame.from_ndarray(img, format="bgr24")):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    return path


def _png_header_only(path: Path, w: int, h: int) -> Path:
    """A PNG whose header claims ``w`` x ``h`` pixels (a decompression bomb, in a few bytes)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(b"\0" * 4096)) + chunk(b"IEND", b""))
    return path


def _damage_packets(src: Path, dst: Path, first: int, last: int) -> Path:
    """Invert the bytes of video packets ``first`` to ``last`` (a corrupt middle)."""
    with av.open(str(src)) as c:
        packets = [(p.pos, p.size) for p in c.demux(video=0) if p.size]
    data = bytearray(src.read_bytes())
    start, end = packets[first][0] + 8, packets[last][0]
    for k in range(start, end):
        data[k] ^= 0xFF
    dst.write_bytes(bytes(data))
    return dst


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("bad media")
    clip = sample(CLIP)
    frames = _decode(clip)
    m: dict[str, Path] = {"clip": clip}
    m["empty.mp4"] = d / "empty.mp4"
    m["empty.mp4"].write_bytes(b"")
    m["random.mp4"] = d / "random.mp4"
    m["random.mp4"].write_bytes(np.random.default_rng(1).integers(0, 256, 8192, dtype=np.uint8).tobytes())
    m["head.mp4"] = d / "head.mp4"
    m["head.mp4"].write_bytes(clip.read_bytes()[:100])
    m["text.mp4"] = d / "text.mp4"
    m["text.mp4"].write_text('{"this": "is json, not a video"}\n')
    m["zero_frames.mp4"] = _encode(d / "zero_frames.mp4", [])
    m["zero_frames.mkv"] = _encode(d / "zero_frames.mkv", [])
    m["one_frame.mp4"] = _encode(d / "one_frame.mp4", frames[:1])
    # Two MPEG-2 transport streams of different sizes, back to back: the size
    # changes mid-stream (what a screen recorder or a resized stream produces).
    small = [cv2.resize(f, (480, 270)) for f in frames]
    a = _encode(d / "a.ts", frames[:24], codec="mpeg2video", fmt="mpegts").read_bytes()
    b = _encode(d / "b.ts", small[24:48], codec="mpeg2video", fmt="mpegts").read_bytes()
    m["size_change.mkv"] = d / "size change.mkv"
    m["size_change.mkv"].write_bytes(a + b)
    m["corrupt_mid.mp4"] = _damage_packets(clip, d / "corrupt middle.mp4", 30, 40)
    m["folder.mp4"] = d / "folder.mp4"
    m["folder.mp4"].mkdir()
    m["clip.gif"] = d / "clip.gif"
    m["clip.gif"].write_bytes(b"GIF89a")
    m["noext"] = d / "clip"
    m["noext"].write_bytes(clip.read_bytes())
    m["text.png"] = d / "text.png"
    m["text.png"].write_text("not a picture")
    m["empty.png"] = d / "empty.png"
    m["empty.png"].write_bytes(b"")
    m["bomb.png"] = _png_header_only(d / "bomb.png", 60000, 60000)
    # /proc/self/mem answers every read with EIO: an unreadable file even for root.
    for name in ("unreadable.mp4", "unreadable.png", "unreadable.jsonl", "unreadable.yaml"):
        m[name] = d / name
        m[name].symlink_to("/proc/self/mem")
    m["dangling.mp4"] = d / "dangling.mp4"
    m["dangling.mp4"].symlink_to(d / "gone.mp4")
    m["plain_file"] = d / "plain_file"
    m["plain_file"].write_text("x")
    m["empty_dir"] = d / "empty dir"
    m["empty_dir"].mkdir()
    return m


@pytest.fixture(scope="module")
def landmarks(tmp_path_factory, media) -> Path:
    """A real landmarks.jsonl (the sample clip through the model), for replay cases."""
    out = tmp_path_factory.mktemp("ref") / "run"
    run = posecheck("score", str(media["clip"]), "--pose", "kneeling_lunge", "--out", str(out), "--no-video", "-q")
    assert run.code == 0, run.err
    return out / "landmarks.jsonl"


@pytest.fixture(scope="module")
def replays(tmp_path_factory, landmarks) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("replays")
    lines = landmarks.read_text().splitlines(keepends=True)
    out = {}

    def put(name: str, data: bytes | str) -> None:
        out[name] = d / name
        if isinstance(data, str):
            out[name].write_text(data)
        else:
            out[name].write_bytes(data)

    put("empty.jsonl", "")
    put("header_only.jsonl", lines[0])
    put("not_json.jsonl", "hello\n")
    put("binary.jsonl", b"\xff\xfe\x00garbage\n")
    put("summary.jsonl", json.dumps({"pose": "frog", "frames": 3}) + "\n")
    put("bad_line.jsonl", "".join(lines[:5]) + "{oops\n" + "".join(lines[5:]))
    put("cut_mid_line.jsonl", "".join(lines[:11]) + lines[11][: len(lines[11]) // 2])
    frame = json.loads(lines[1])
    frame["t"] = float("nan")
    put("nan.jsonl", lines[0] + json.dumps(frame) + "\n")
    put("backwards.jsonl", lines[0] + lines[3] + lines[2])
    put("future.jsonl", lines[0].replace('"version":2', '"version":99') + "".join(lines[1:]))
    return out


# -- helpers ------------------------------------------------------------------------------------

def assert_problem_lines(run: Run, code: int, *fragments: str) -> list[str]:
    """``specs validate``: one line per problem, each naming its file, then one error line."""
    assert run.code == code, (run.code, run.err)
    assert "Traceback" not in run.err, run.err
    lines = [line for line in run.err.splitlines() if line.strip()]
    assert lines and lines[-1].startswith("posecheck: error: "), run.err
    for line in lines[:-1]:
        assert line.startswith(("/", "posecheck: ")) and ": " in line, line
    for frag in fragments:
        assert frag in run.err, (frag, run.err)
    return lines


def assert_no_traceback(run: Run) -> None:
    assert "Traceback" not in run.err and "Traceback" not in run.out, run.err


@dataclass
class Case:
    """One bad input: the arguments (with ``{name}`` filled from the media), exit code, fragments."""

    id: str
    args: tuple[str, ...]
    code: int
    fragments: tuple[str, ...]

    def argv(self, paths: dict[str, Path]) -> list[str]:
        return [a.format(**{k.replace(".", "_"): v for k, v in paths.items()}) for a in self.args]


def case(id: str, *args: str, code: int = 2, frag: tuple[str, ...] | str = ()) -> pytest.param:
    frags = (frag,) if isinstance(frag, str) else frag
    return pytest.param(Case(id, args, code, frags), id=id)


# -- score ----------------------------------------------------------------------------------------

SCORE_ERRORS = [
    case("empty-file", "{empty_mp4}", frag=("empty.mp4 is empty (0 bytes)", "re-copy")),
    case("random-bytes", "{random_mp4}", frag=("random.mp4 is not a readable video file", "video player")),
    case("truncated-100-bytes", "{head_mp4}", frag=("head.mp4 is not a readable video file",)),
    case("json-named-mp4", "{text_mp4}", frag=("text.mp4 is not a readable video file",)),
    case("zero-frame-mp4", "{zero_frames_mp4}", frag=("zero_frames.mp4 has no video stream", "pass a video")),
    case("zero-frame-mkv", "{zero_frames_mkv}", frag=("zero_frames.mkv",)),
    case("folder-named-mp4", "{folder_mp4}", frag=("folder.mp4 contains no images",)),
    case("wrong-type-gif", "{clip_gif}", frag=("unsupported file type '.gif'", "use a video")),
    case("no-extension", "{noext}", frag=("unsupported file type without an extension",)),
    case("text-png", "{text_png}", frag=("text.png is not a readable image", "image viewer")),
    case("empty-png", "{empty_png}", frag=("empty.png is not a readable image",)),
    case("decompression-bomb-png", "{bomb_png}", frag=("bomb.png is too large to read", "scale it down")),
    case("unreadable-video", "{unreadable_mp4}", frag=("unreadable.mp4 cannot be read", "Input/output error")),
    case("dangling-symlink", "{dangling_mp4}", frag=("dangling.mp4 does not exist", "check the path")),
    case("missing-non-ascii", "{empty_dir}/nöpe ü 日本.mp4", frag="nöpe ü 日本.mp4 does not exist"),
    case("empty-path", "", frag="contains no images"),
]

REPLAY_ERRORS = [
    case("replay-missing", "--replay", "{empty_dir}/landmarks.jsonl", frag=("does not exist", "landmarks.jsonl")),
    case("replay-folder", "--replay", "{empty_dir}", frag="is a folder, not a landmarks file"),
    case("replay-empty", "--replay", "{empty_jsonl}", frag=("empty.jsonl, line 1: the file is empty",)),
    case("replay-header-only", "--replay", "{header_only_jsonl}", frag="header_only.jsonl holds no frames"),
    case("replay-not-json", "--replay", "{not_json_jsonl}", frag="not_json.jsonl, line 1: not valid JSON"),
    case("replay-binary", "--replay", "{binary_jsonl}", frag="binary.jsonl, line 1: not UTF-8 text"),
    case("replay-wrong-file", "--replay", "{summary_jsonl}", frag="not a posecheck landmarks header"),
    case("replay-bad-middle-line", "--replay", "{bad_line_jsonl}", frag="bad_line.jsonl, line 6: not valid JSON"),
    case("replay-nan-time", "--replay", "{nan_jsonl}", frag="nan.jsonl, line 2"),
    case("replay-backwards", "--replay", "{backwards_jsonl}", frag="backwards.jsonl, line 3: 'frame' must be"),
    case("replay-newer-format", "--replay", "{future_jsonl}", frag="format version 99 is newer"),
    case("replay-unreadable", "--replay", "{unreadable_jsonl}", frag=("unreadable.jsonl", "cannot be read")),
    case("replay-with-model", "--replay", "{header_only_jsonl}", "--model", "x.task",
         frag=("--replay and --model cannot be used together", "--help")),
]

SCORE_OPTION_ERRORS = [
    case("no-input", frag="give a video, photo or folder to score, or --replay FILE"),
    case("stride-0", "{clip}", "--stride", "0", frag="Invalid value for '--stride'"),
    case("bad-side", "{clip}", "--side", "middle", frag=("Invalid value for '--side'", "'left'")),
    case("unknown-pose-empty", "{clip}", "--pose", "", frag="Unknown pose ''"),
    case("unknown-pose-typo", "{clip}", "--pose", "frgo", frag=("Unknown pose 'frgo'", "frog")),
    case("specs-missing", "{clip}", "--specs", "{empty_dir}/nope", frag=("spec folder does not exist",)),
    case("specs-is-a-file", "{clip}", "--specs", "{plain_file}", frag=("plain_file: spec folder does not exist",)),
    case("model-missing", "{one_frame_mp4}", "--model", "{empty_dir}/pose.task", code=4,
         frag=("pose.task",)),
    case("model-not-a-model", "{one_frame_mp4}", "--model", "{text_png}", code=4, frag=("text.png",)),
    case("unknown-option", "{clip}", "--frobnicate", frag="No such option '--frobnicate'"),
]


def _run_score_case(c: Case, paths: dict[str, Path], tmp_path: Path) -> Run:
    argv = c.argv(paths)
    if "--pose" not in argv:
        argv += ["--pose", "kneeling_lunge"]
    if "--out" not in argv:
        argv += ["--out", str(tmp_path / "out")]
    return posecheck("score", *argv)


@pytest.mark.parametrize("c", SCORE_ERRORS + SCORE_OPTION_ERRORS)
def test_score_bad_input(c: Case, media, tmp_path):
    run = _run_score_case(c, media, tmp_path)
    assert_clean_error(run, c.code, *c.fragments)
    # Nothing is written for an input that cannot be read.
    out = tmp_path / "out"
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize("c", REPLAY_ERRORS)
def test_score_replay_bad_file(c: Case, media, replays, tmp_path):
    run = _run_score_case(c, {**media, **replays}, tmp_path)
    assert_clean_error(run, c.code, *c.fragments)
    out = tmp_path / "out"
    assert not out.exists() or not [p for p in out.iterdir()]


def test_replay_cut_mid_line_scores_the_whole_lines(replays, tmp_path):
    run = posecheck("score", "--replay", str(replays["cut_mid_line.jsonl"]), "--pose", "kneeling_lunge",
                    "--out", str(tmp_path / "o"), "-q")
    assert run.code == 0, run.err
    assert_no_traceback(run)
    assert "ignoring the incomplete last line" in run.err
    assert json.loads((tmp_path / "o" / "summary.json").read_text())["frames"] == 10


def test_one_frame_video(media, tmp_path):
    run = posecheck("score", str(media["one_frame.mp4"]), "--pose", "kneeling_lunge", "--out", str(tmp_path / "o"))
    assert run.code == 0, run.err
    assert_no_traceback(run)
    s = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert s["frames"] == 1 and s["complete"] is True and s["frames_lost"] == 0
    assert len(list(csv.DictReader((tmp_path / "o" / "frames.csv").open()))) == 1
    assert probe(tmp_path / "o" / "annotated.mp4")["frames"] == 1


def test_frames_that_change_size_mid_stream(media, tmp_path):
    n = len(_decode(media["size_change.mkv"]))
    assert {f.shape for f in _decode(media["size_change.mkv"])} == {(540, 960, 3), (270, 480, 3)}
    run = posecheck("score", str(media["size_change.mkv"]), "--pose", "kneeling_lunge", "--out", str(tmp_path / "o"))
    assert run.code == 0, run.err
    assert_no_traceback(run)
    assert "frame size changed from 960x540 to 480x270" in run.err
    s = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert s["frames"] == n and s["frames_with_person"] == n
    info = probe(tmp_path / "o" / "annotated.mp4")
    assert (info["width"], info["height"], info["frames"]) == (960, 540, n)


def test_corrupt_middle_is_skipped_and_counted(media, tmp_path):
    run = posecheck("score", str(media["corrupt_mid.mp4"]), "--pose", "kneeling_lunge", "--out",
                    str(tmp_path / "o"), "--no-video")
    assert run.code == 0, run.err
    assert_no_traceback(run)
    s = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert s["frames_lost"] > 0 and s["frames"] > 30
    # Every frame of the clip is either scored or counted as lost.
    assert s["frames"] + s["frames_lost"] == CLIP_FRAMES
    assert f"{s['frames_lost']} frames could not be decoded and were skipped" in run.out
    assert len(list(csv.DictReader((tmp_path / "o" / "frames.csv").open()))) == s["frames"]
    # Scoring went on past the damage: the frames after it were judged.
    assert s["frames_with_person"] == s["frames"]


def _peak_rss_kb(args: list[str], timeout: float = 600) -> tuple[Run, int]:
    """Run the CLI in a child and return its peak resident memory (kB, from getrusage)."""
    code = ("import resource, subprocess, sys, json\n"
            "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
            "print(json.dumps([p.returncode, p.stdout, p.stderr,"
            " resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss]))\n")
    proc = subprocess.run([sys.executable, "-c", code, sys.executable, "-m", "posecheck", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "COLUMNS": "160"})
    rc, out, err, peak = json.loads(proc.stdout)
    return Run(rc, out, err), peak


def test_huge_image_is_scaled_down_not_out_of_memory(tmp_path):
    img = np.zeros((12000, 12000, 3), np.uint8)
    img[::40] = 255
    huge = tmp_path / "huge photo.png"
    assert cv2.imwrite(str(huge), img)
    del img
    run, peak_kb = _peak_rss_kb(["score", str(huge), "--pose", "kneeling_lunge", "--out", str(tmp_path / "o")])
    assert run.code == 0, run.err
    assert_no_traceback(run)
    assert "12000x12000 image scaled down to 4096x4096" in run.err
    # A photo's annotated output is a PNG of the scaled picture.
    assert cv2.imread(str(tmp_path / "o" / "annotated.png")).shape[:2] == (4096, 4096)
    # Unscaled, drawing and encoding 144 megapixels peaked at 2.6 GB; scaled, under 1.5 GB.
    assert peak_kb < 1_500_000, peak_kb


def test_paths_with_spaces_and_non_ascii(tmp_path, media):
    folder = tmp_path / "mes vidéos ü 日本"
    folder.mkdir()
    clip = folder / "mon clip à l'été.mp4"
    clip.write_bytes(media["one_frame.mp4"].read_bytes())
    out = folder / "résultats 1"
    run = posecheck("score", str(clip), "--pose", "kneeling_lunge", "--out", str(out))
    assert run.code == 0, run.err
    assert "mon clip à l'été.mp4" in run.out
    s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert s["input"] == str(clip)
    again = posecheck("score", "--replay", str(out / "landmarks.jsonl"), "--pose", "kneeling_lunge",
                      "--out", str(folder / "re play"), env={"LC_ALL": "C", "LANG": "C"})
    assert again.code == 0, again.err
    # An error about such a path is one line too, even in the C locale.
    bad = posecheck("score", str(folder / "absent ü.mp4"), "--pose", "kneeling_lunge", "--out", str(out),
                    env={"LC_ALL": "C", "LANG": "C"})
    assert_clean_error(bad, 2, "absent ü.mp4 does not exist")


def test_several_inputs_one_bad_scores_the_rest(media, tmp_path):
    run = posecheck("score", str(media["one_frame.mp4"]), str(media["random.mp4"]), "--pose", "kneeling_lunge",
                    "--out", str(tmp_path / "o"), "-q")
    assert run.code == 2
    assert_no_traceback(run)
    # Several inputs are a batch (issue 13): each failed input gets its own one line as it
    # fails, and the batch ends with how many failed and where the index with every reason is.
    assert [line for line in run.err.splitlines() if line.strip()] == [
        f"posecheck: error: {media['random.mp4']} is not a readable video file (corrupt, truncated or not a video):"
        " check that it plays in a video player; re-copy or re-export it.",
        f"posecheck: error: 1 of 2 inputs failed (see {tmp_path / 'o' / 'batch.csv'})."]
    assert (tmp_path / "o" / "one_frame" / "summary.json").exists()


# -- output folders -------------------------------------------------------------------------------

@contextlib.contextmanager
def _tmpfs(path: Path, options: str) -> Iterator[Path]:
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs (full or read-only disk) needs root")
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True,
                          text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


@pytest.fixture
def full_disk(tmp_path) -> Iterator[Path]:
    """A 200 kB file system holding someone's earlier results."""
    with _tmpfs(tmp_path / "small disk", "size=200k") as disk:
        old = disk / "results"
        old.mkdir()
        (old / "summary.json").write_text('{"mine": "old results"}\n')
        yield disk


@pytest.fixture
def read_only(tmp_path) -> Iterator[Path]:
    """A read-only file system holding an empty folder."""
    with _tmpfs(tmp_path / "ro disk", "size=1m") as disk:
        (disk / "empty").mkdir()
        done = subprocess.run(["mount", "-o", "remount,ro", str(disk)], capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"cannot remount read-only: {done.stderr.strip()}")
        yield disk


DISK_FULL = ("the disk is full", "free some space", "nothing you already had was changed")


def test_score_full_disk(full_disk, media):
    old = full_disk / "results"
    run = posecheck("score", str(media["clip"]), "--pose", "kneeling_lunge", "--out", str(old), "--force")
    assert_clean_error(run, 3, *DISK_FULL)
    # The results that were there are untouched and no half-written file is left.
    assert sorted(p.name for p in old.iterdir()) == ["summary.json"]
    assert json.loads((old / "summary.json").read_text()) == {"mine": "old results"}
    fresh = posecheck("score", str(media["clip"]), "--pose", "kneeling_lunge", "--out", str(full_disk / "new"))
    assert_clean_error(fresh, 3, *DISK_FULL)
    assert not [p for p in (full_disk / "new").iterdir()]


def test_live_full_disk(full_disk, tmp_path):
    # Long enough to fill the 200 kB disk while it runs (its landmarks are compressed, so the
    # short clip's session now fits).
    clip = _long_clip(tmp_path)
    run = posecheck("live", "--pose", "kneeling_lunge", "--source", str(clip), "--headless",
                    "--record", str(full_disk / "rec.mp4"), "--sessions", str(full_disk / "sessions"))
    assert_clean_error(run, 3, *DISK_FULL)
    assert not (full_disk / "rec.mp4").exists()
    assert not list(full_disk.rglob(".*"))


def test_read_only_output(read_only, media, replays, tmp_path):
    assert_clean_error(posecheck("score", "--replay", str(replays["cut_mid_line.jsonl"]), "--pose", "frog",
                                 "--out", str(read_only / "new")), 3, "cannot create", "Read-only file system",
                       "writable --out folder")
    assert_clean_error(posecheck("score", "--replay", str(replays["cut_mid_line.jsonl"]), "--pose", "frog",
                                 "--out", str(read_only / "empty")), 3, "cannot write to", "Read-only file system")
    assert_clean_error(posecheck("live", "--pose", "frog", "--source", str(media["one_frame.mp4"]), "--headless",
                                 "--record", str(tmp_path / "r.mp4"), "--sessions", str(read_only / "s")), 3,
                       "cannot create the session folder", "Read-only file system", "--sessions")
    assert_clean_error(posecheck("live", "--pose", "frog", "--source", str(media["clip"]), "--headless",
                                 "--record", str(read_only / "r.mp4"), "--sessions", str(tmp_path / "s")), 3,
                       f"cannot write {read_only / 'r.mp4'}", "Read-only file system")
    assert_clean_error(posecheck("specs", "schema", "--out", str(read_only / "schema.json")), 3,
                       "schema.json", "Read-only file system")


def test_output_folder_exists_without_results_is_used(replays, tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    run = posecheck("score", "--replay", str(replays["cut_mid_line.jsonl"]), "--pose", "frog", "--out", str(out),
                    "-q")
    assert run.code == 0, run.err
    assert (out / "notes.txt").read_text() == "mine" and (out / "summary.json").exists()
    # A second run never replaces the first without --force; with it, it does.
    before = (out / "summary.json").read_bytes()
    again = posecheck("score", "--replay", str(replays["cut_mid_line.jsonl"]), "--pose", "kneeling_lunge",
                      "--out", str(out))
    assert_clean_error(again, 3, "already holds results", "--force")
    assert (out / "summary.json").read_bytes() == before
    forced = posecheck("score", "--replay", str(replays["cut_mid_line.jsonl"]), "--pose", "kneeling_lunge",
                       "--out", str(out), "--force", "-q")
    assert forced.code == 0, forced.err
    assert json.loads((out / "summary.json").read_text())["pose"] == "kneeling_lunge"


@pytest.mark.parametrize("target", ["{plain_file}", "/dev/null", "{plain_file}/sub", "/proc/posecheck/o"])
def test_output_is_a_file_or_impossible(target, media, replays):
    out = target.format(plain_file=media["plain_file"])
    run = posecheck("score", "--replay", str(replays["cut_mid_line.jsonl"]), "--pose", "frog", "--out", out)
    line = assert_clean_error(run, 3, out)
    assert "--out" in line


# -- live -----------------------------------------------------------------------------------------

LIVE_ERRORS = [
    case("source-missing", "--source", "{empty_dir}/gone.mp4", frag=("gone.mp4 does not exist", "check the path")),
    case("source-empty", "--source", "{empty_mp4}", frag="empty.mp4 is empty (0 bytes)"),
    case("source-random", "--source", "{random_mp4}", frag="random.mp4 is not a readable video file"),
    case("source-truncated", "--source", "{head_mp4}", frag="head.mp4 is not a readable video file"),
    case("source-zero-frames", "--source", "{zero_frames_mp4}", frag="has no video stream"),
    case("source-empty-folder", "--source", "{empty_dir}", frag="contains no images"),
    case("source-wrong-type", "--source", "{clip_gif}", frag="unsupported file type '.gif'"),
    case("source-bomb", "--source", "{bomb_png}", frag="bomb.png is too large to read"),
    case("source-unreadable", "--source", "{unreadable_mp4}", frag="unreadable.mp4 cannot be read"),
    case("unknown-pose", "--pose", "lunje", frag=("Unknown pose 'lunje'", "lunge")),
    case("bad-specs", "--specs", "{plain_file}", frag="spec folder does not exist"),
    case("record-wrong-type", "--record", "{empty_dir}/r.avi", frag="--record needs a .mp4, .mov or .mkv"),
    case("record-is-a-folder", "--record", "{empty_dir}", code=3, frag=("already exists", "--force")),
    case("record-folder-missing", "--record", "{empty_dir}/no/r.mp4", code=3,
         frag=("folder", "does not exist", "create it")),
    case("record-under-a-file", "--record", "{plain_file}/r.mp4", code=3, frag="plain_file"),
    case("sessions-is-a-file", "--sessions", "{plain_file}", code=3,
         frag=("cannot create the session folder", "Not a directory", "--sessions")),
    case("sessions-in-proc", "--sessions", "/proc/posecheck", code=3, frag=("cannot create the session folder",)),
    case("voice-to-is-a-file", "--voice-to", "{plain_file}", code=3, frag=("plain_file", "File exists")),
    case("exit-after-0", "--exit-after", "0", frag="Invalid value for '--exit-after'"),
    case("camera-negative", "--camera", "-1", frag="Invalid value for '--camera'"),
    case("headless-no-record", "--no-record", frag="--record"),
    case("bad-side", "--side", "up", frag="Invalid value for '--side'"),
]


@pytest.mark.parametrize("c", LIVE_ERRORS)
def test_live_bad_input(c: Case, media, tmp_path):
    argv = c.argv(media)
    if "--no-record" in argv:
        argv.remove("--no-record")
    elif "--record" not in argv:
        argv += ["--record", str(tmp_path / "r.mp4")]
    if "--pose" not in argv:
        argv += ["--pose", "kneeling_lunge"]
    if "--source" not in argv:
        argv += ["--source", str(media["one_frame.mp4"])]
    if "--sessions" not in argv:
        argv += ["--sessions", str(tmp_path / "sessions")]
    run = posecheck("live", "--headless", *argv, env={"POSECHECK_HOME": str(tmp_path / "home")})
    assert_clean_error(run, c.code, *c.fragments)
    assert not (tmp_path / "r.mp4").exists()


@pytest.mark.parametrize("name", ["one_frame.mp4", "size_change.mkv", "corrupt_mid.mp4"])
def test_live_odd_but_readable_sources(name, media, tmp_path):
    rec = tmp_path / "rec ü.mp4"
    run = posecheck("live", "--pose", "kneeling_lunge", "--source", str(media[name]), "--headless", "--record",
                    str(rec), "--sessions", str(tmp_path / "séances"))
    assert run.code == 0, run.err
    assert_no_traceback(run)
    session = next((tmp_path / "séances").iterdir())
    s = json.loads((session / "summary.json").read_text())
    assert s["complete"] is True and s["frames"] >= 1
    assert probe(rec)["frames"] == s["frames"]


def _long_clip(tmp_path: Path, seconds: float = 12.0) -> Path:
    frames = _decode(sample(CLIP))
    small = [cv2.resize(f, (480, 270)) for f in frames]
    return _encode(tmp_path / "long.mp4", [small[i % len(small)] for i in range(int(seconds * 24))])


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_live_interrupt_saves_complete_valid_files(tmp_path, sig):
    clip = _long_clip(tmp_path)
    rec, sessions = tmp_path / "rec.mp4", tmp_path / "sessions"
    proc = subprocess.Popen([sys.executable, "-m", "posecheck", "live", "--pose", "kneeling_lunge", "--source",
                             str(clip), "--headless", "--record", str(rec), "--sessions", str(sessions)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while time.time() < deadline and not list(sessions.glob("*/.landmarks.jsonl*")):
        time.sleep(0.1)
    time.sleep(2.0)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "(interrupted)" in out
    session = next(sessions.iterdir())
    s = json.loads((session / "summary.json").read_text())
    assert s["complete"] is False and s["ended_by"] == "interrupted"
    assert 0 < s["frames"] < 12 * 24
    assert len(list(csv.DictReader((session / "frames.csv").open()))) == s["frames"]
    _, kept = read_raw(session / "landmarks.jsonl.gz")
    assert len(list(kept)) == s["frames"]
    assert probe(rec)["frames"] == s["frames"]
    # Everything was written under a temporary name and renamed: nothing hidden is left.
    assert not [p for p in session.iterdir() if p.name.startswith(".")]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    # A second session never overwrites the recording without --force, nor the session.
    before = rec.read_bytes()
    again = posecheck("live", "--pose", "kneeling_lunge", "--source", str(clip), "--headless", "--record",
                      str(rec), "--sessions", str(sessions))
    assert_clean_error(again, 3, "already exists", "--force")
    assert rec.read_bytes() == before
    assert len(list(sessions.iterdir())) == 1


def test_a_second_live_session_never_overwrites_the_first(media, tmp_path):
    sessions = tmp_path / "s"
    for i in range(2):
        run = posecheck("live", "--pose", "kneeling_lunge", "--source", str(media["one_frame.mp4"]), "--headless",
                        "--record", str(tmp_path / f"r{i}.mp4"), "--sessions", str(sessions))
        assert run.code == 0, run.err
    assert len(list(sessions.iterdir())) == 2


# -- specs ----------------------------------------------------------------------------------------

def _spec_files(tmp: Path) -> dict[str, Path]:
    d = tmp / "spec files ü"
    d.mkdir()
    files = {
        "empty.yaml": "",
        "list.yaml": "- just\n- a list\n",
        "scalar.yaml": "42\n",
        "tabs.yaml": "id: x\n\ttitle: y\n",
        "unclosed.yaml": "id: [frog\n",
        "dup_keys.yaml": "id: a\nid: b\n",
        "anchors_bomb.yaml": "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                             "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n",
        "python_tag.yaml": "!!python/object/apply:os.system ['echo pwned']\n",
        "deep.yaml": "[" * 5000 + "]" * 5000 + "\n",
        "wrong_types.yaml": "id: 3\ntitle: [a]\nview: sideways\nchecks: {}\n",
    }
    out = {}
    for name, text in files.items():
        out[name] = d / name
        out[name].write_text(text)
    out["binary.yaml"] = d / "binary.yaml"
    out["binary.yaml"].write_bytes(b"\xff\xfe\x00\x01\x02")
    out["latin1.yaml"] = d / "latin1.yaml"
    out["latin1.yaml"].write_bytes("id: caf\xe9\n".encode("latin-1"))
    out["dir.yaml"] = d / "dir.yaml"
    out["dir.yaml"].mkdir()
    return out


SPEC_FILE_PROBLEMS = {
    "empty.yaml": "the file is empty",
    "list.yaml": "expected a mapping of fields, got list",
    "scalar.yaml": "expected a mapping of fields, got int",
    "tabs.yaml": "invalid YAML",
    "unclosed.yaml": "line 2, column 1: invalid YAML",
    "dup_keys.yaml": "",
    "anchors_bomb.yaml": "unknown field",
    "python_tag.yaml": "invalid YAML",
    "deep.yaml": "invalid YAML",
    "wrong_types.yaml": "title",
    "binary.yaml": "not a text file",
    "latin1.yaml": "not a text file",
}


def test_specs_validate_reports_every_bad_file_by_name(tmp_path):
    files = _spec_files(tmp_path)
    run = posecheck("specs", "validate", *(str(files[n]) for n in sorted(SPEC_FILE_PROBLEMS)))
    lines = assert_problem_lines(run, 2)
    for name, problem in SPEC_FILE_PROBLEMS.items():
        mine = [line for line in lines if line.startswith(f"{files[name]}: ")]
        assert mine and any(problem in line for line in mine), (name, mine)
    # A folder named like a spec file is reported, not crashed on.
    run = posecheck("specs", "validate", str(files["dir.yaml"]))
    assert_problem_lines(run, 2, "no .yaml spec files in this folder")


_COMMANDS_WITH_SPECS = ("specs list", "specs show", "score", "live")


@pytest.mark.parametrize("name", sorted(SPEC_FILE_PROBLEMS))
def test_bad_spec_in_a_specs_folder_is_one_line(name, tmp_path, media):
    f = _spec_files(tmp_path)[name]
    folder = tmp_path / "my specs"
    folder.mkdir()
    (folder / "bad.yaml").write_bytes(f.read_bytes())
    # Each file through one of the commands that take --specs, in turn.
    command = _COMMANDS_WITH_SPECS[sorted(SPEC_FILE_PROBLEMS).index(name) % len(_COMMANDS_WITH_SPECS)]
    args = {"specs list": ["specs", "list"], "specs show": ["specs", "show", "frog"],
            "score": ["score", str(media["one_frame.mp4"]), "--pose", "frog", "--out", str(tmp_path / "o")],
            "live": ["live", "--pose", "frog", "--headless", "--record", str(tmp_path / "r.mp4"), "--source",
                     str(media["one_frame.mp4"])]}[command]
    run = posecheck(*args, "--specs", str(folder))
    assert_clean_error(run, 2, str(folder / "bad.yaml"), "posecheck specs validate")


SPECS_ERRORS = [
    case("validate-missing", "validate", "{empty_dir}/nope.yaml", frag="nope.yaml: no such file or folder"),
    case("validate-empty-folder", "validate", "{empty_dir}", frag="no .yaml spec files in this folder"),
    case("validate-unreadable", "validate", "{unreadable_yaml}", frag=("unreadable.yaml: cannot be read",)),
    case("validate-a-video", "validate", "{clip}", frag="not a text file"),
    case("validate-no-args", "validate", frag="Missing argument 'PATHS...'"),
    case("show-unknown", "show", "frgo", frag=("Unknown pose 'frgo'", "frog")),
    case("show-empty-name", "show", "", frag=("Unknown pose ''", "posecheck specs list")),
    case("show-no-name", "show", frag="Missing argument 'NAME'"),
    case("list-specs-missing", "list", "--specs", "{empty_dir}/none", frag="spec folder does not exist"),
    case("list-specs-is-a-file", "list", "--specs", "{plain_file}", frag="spec folder does not exist"),
    case("list-unreadable-spec", "list", "--specs", "{unreadable_dir}", frag="cannot be read"),
    case("schema-out-is-a-folder", "schema", "--out", "{empty_dir}", code=3, frag=("empty dir", "Is a directory")),
    case("schema-out-folder-missing", "schema", "--out", "{empty_dir}/no/s.json", code=3,
         frag=("s.json", "No such file or directory")),
    case("unknown-subcommand", "frobnicate", frag="No such command 'frobnicate'"),
]


@pytest.mark.parametrize("c", SPECS_ERRORS)
def test_specs_bad_input(c: Case, media, tmp_path):
    unreadable_dir = tmp_path / "unreadable specs"
    unreadable_dir.mkdir()
    (unreadable_dir / "x.yaml").symlink_to("/proc/self/mem")
    run = posecheck("specs", *c.argv({**media, "unreadable_dir": unreadable_dir}))
    if c.args[0] == "validate" and run.err.count("\n") > 1:
        assert_problem_lines(run, c.code, *c.fragments)
    else:
        assert_clean_error(run, c.code, *c.fragments)


# -- report, history, routines ----------------------------------------------------------------

OTHER_ERRORS = [
    case("report-missing", "report", "{empty_dir}/gone", frag=("gone is not a folder", "posecheck score")),
    case("report-a-file", "report", "{plain_file}", frag="plain_file is not a folder"),
    case("report-empty-folder", "report", "{empty_dir}", frag="holds no summary.json"),
    case("report-corrupt-summary", "report", "{bad_summary}", frag=("cannot read", "summary.json")),
    case("report-bad-specs", "report", "{bad_summary}", "--specs", "{plain_file}", frag="spec folder does not exist"),
    case("report-no-args", "report", frag="Missing argument 'RESULTS'"),
    case("history-bad-date", "history", "--since", "yesterday", frag="Invalid value for '--since'"),
    case("history-csv-exists", "history", "--csv", "{plain_file}", code=3, frag=("already exists", "--force")),
    case("history-report-is-a-folder", "history", "--report", "{empty_dir}", code=3, frag="already exists"),
    case("history-csv-folder-missing", "history", "--csv", "{empty_dir}/no/x.csv", code=3,
         frag=("x.csv", "No such file or directory")),
    case("history-damaged-db", "history", "--home-damaged", code=3,
         frag=("history.sqlite is damaged", "move it away")),
    case("routines-unknown", "routines", "show", "psoas_relase", frag="Unknown routine 'psoas_relase'"),
    case("routines-validate-missing", "routines", "validate", "{empty_dir}/r.yaml", frag="no such file or folder"),
    case("routines-validate-binary", "routines", "validate", "{clip}", frag="not a text file"),
    case("routines-validate-unreadable", "routines", "validate", "{unreadable_yaml}", frag="cannot be read"),
    case("routines-validate-a-spec", "routines", "validate", str(ROOT / "pose_specs" / "frog.yaml"),
         frag="frog.yaml"),
]


@pytest.mark.parametrize("c", OTHER_ERRORS)
def test_report_history_routines_bad_input(c: Case, media, tmp_path):
    if "Usage" not in posecheck(c.args[0], "--help").out:
        pytest.skip(f"posecheck {c.args[0]} does not exist yet")
    bad_summary = tmp_path / "results"
    bad_summary.mkdir()
    (bad_summary / "summary.json").write_text("{not json")
    home = tmp_path / "home"
    home.mkdir()
    argv = c.argv({**media, "bad_summary": bad_summary})
    if "--home-damaged" in argv:
        argv.remove("--home-damaged")
        (home / "history.sqlite").write_text("this is not a database")
    run = posecheck(*argv, env={"POSECHECK_HOME": str(home)})
    if c.args[:2] == ("routines", "validate"):
        assert_problem_lines(run, c.code, *c.fragments)
    else:
        assert_clean_error(run, c.code, *c.fragments)


# -- the count ------------------------------------------------------------------------------------

#: Bad inputs tried per command outside the parametrized tables above.
EXTRA = {
    "score": ["cut mid-line replay", "one-frame video", "size change mid-stream", "corrupt middle", "huge image",
              "spaces and non-ASCII (+ C locale)", "several inputs one bad", "full disk (+ --force over old)",
              "full disk (new folder)", "read-only new folder", "read-only existing folder",
              "existing folder without results / second run / --force", "out is a file", "out is /dev/null",
              "out under a file", "out in /proc"],
    "live": ["one-frame source", "size-change source", "corrupt-middle source", "SIGINT", "SIGTERM",
             "second run same --record", "two sessions in one second", "full disk", "read-only --sessions",
             "read-only --record"],
    # test_bad_spec_in_a_specs_folder_is_one_line: each bad file through one of four commands
    "any command with --specs": [f"bad spec folder: {n}" for n in SPEC_FILE_PROBLEMS],
    "specs": ["read-only schema --out", "validate a folder named .yaml"]
             + [f"validate {n}" for n in SPEC_FILE_PROBLEMS],
}


def battery_counts() -> dict[str, int]:
    return {
        "score": len(SCORE_ERRORS) + len(SCORE_OPTION_ERRORS) + len(REPLAY_ERRORS) + len(EXTRA["score"]),
        "live": len(LIVE_ERRORS) + len(EXTRA["live"]),
        "specs": len(SPECS_ERRORS) + len(EXTRA["specs"]),
        "any command with --specs": len(EXTRA["any command with --specs"]),
        "report": sum(c.values[0].args[0] == "report" for c in OTHER_ERRORS),
        "history": sum(c.values[0].args[0] == "history" for c in OTHER_ERRORS),
        "routines": sum(c.values[0].args[0] == "routines" for c in OTHER_ERRORS),
    }


def test_battery_size():
    counts = battery_counts()
    print(f"bad inputs tried: {counts} (total {sum(counts.values())})")
    assert counts["score"] >= 40 and counts["live"] >= 25 and counts["specs"] >= 25
