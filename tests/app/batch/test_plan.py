"""How a batch is planned: folders expanded, one results folder per input, time chunks."""

from __future__ import annotations

import json

import pytest

from posecheck.app.batch.plan import (
    MIN_CHUNK_S,
    chunk_target_s,
    complete_result,
    expand,
    plan_chunks,
    result_folders,
)


def test_a_long_recording_alone_is_split_among_the_workers():
    target = chunk_target_s([60.0], 2)
    chunks = plan_chunks(60.0, target, 2)
    assert [(c.start_s, c.end_s) for c in chunks] == [(0.0, 30.0), (30.0, None)]
    assert [c.number for c in chunks] == [0, 1] and {c.count for c in chunks} == {2}
    # The last chunk runs to the end, whatever the container said the length was.
    assert chunks[1].holds(61.5) and not chunks[0].holds(30.0) and chunks[0].holds(29.99)


def test_short_recordings_and_full_batches_are_not_split():
    # Eight 3 s clips on two workers: each clip is a unit, the workers are busy anyway.
    target = chunk_target_s([3.0] * 8, 2)
    assert all(len(plan_chunks(3.0, target, 2)) == 1 for _ in range(8))
    # Under twice the minimum chunk there is no room for two chunks.
    assert len(plan_chunks(2 * MIN_CHUNK_S - 0.1, chunk_target_s([2 * MIN_CHUNK_S - 0.1], 4), 4)) == 1
    # --jobs 1, a photo (no duration): one pass.
    assert len(plan_chunks(600.0, 10.0, 1)) == 1 and len(plan_chunks(None, 10.0, 4)) == 1


def test_one_long_recording_among_short_ones_gets_the_spare_workers():
    durations = [3600.0] + [60.0] * 7
    target = chunk_target_s(durations, 8)
    assert target == pytest.approx((3600 + 420) / 8)
    assert len(plan_chunks(3600.0, target, 8)) == 7  # floor(3600 / 502.5)
    assert len(plan_chunks(60.0, target, 8)) == 1


def test_a_folder_of_videos_is_expanded_and_a_folder_of_photos_is_one_input(tmp_path):
    videos = tmp_path / "class"
    videos.mkdir()
    for name in ("b10.mp4", "b2.mov", "still.jpg", "notes.txt", ".hidden.mp4"):
        (videos / name).write_bytes(b"x")
    (videos / "sub").mkdir()
    (videos / "sub" / "deep.mp4").write_bytes(b"x")
    photos = tmp_path / "photos"
    photos.mkdir()
    (photos / "1.jpg").write_bytes(b"x")
    single = tmp_path / "clip.mp4"
    single.write_bytes(b"x")
    got = expand([videos, photos, single])
    assert [(p.name, i) for p, i in got] == [("b2.mov", 0), ("b10.mp4", 0), ("still.jpg", 0), ("photos", 1),
                                             ("clip.mp4", 2)]


def _results(folder, input_path, pose="frog", complete=True, files=("frames.csv", "landmarks.jsonl",
                                                                    "annotated.mp4")):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "summary.json").write_text(json.dumps({"pose": pose, "input": str(input_path),
                                                      "complete": complete, "frames": 3}))
    for name in files:
        (folder / name).write_text("x")


def test_inputs_of_the_same_name_get_folders_of_their_own(tmp_path):
    a, b, c = tmp_path / "a" / "frog.mp4", tmp_path / "b" / "frog.mp4", tmp_path / "frog.mov"
    out = tmp_path / "out"
    folders = result_folders([(a, "frog"), (b, "frog"), (c, "frog")], out, {})
    assert [f.name for f in folders] == ["frog", "frog-2", "frog-3"]
    # Another order on a re-run: the index of the first run keeps each input in its folder.
    earlier = dict(zip([(a, "frog"), (b, "frog"), (c, "frog")], folders))
    again = result_folders([(c, "frog"), (b, "frog"), (a, "frog")], out, earlier)
    assert [f.name for f in again] == ["frog-3", "frog-2", "frog"]


def test_a_folder_holding_another_inputs_results_is_never_used(tmp_path):
    mine, theirs = tmp_path / "a" / "frog.mp4", tmp_path / "other" / "frog.mp4"
    out = tmp_path / "out"
    _results(out / "frog", theirs)
    (out / "frog-2").mkdir(parents=True)
    (out / "frog-2" / "summary.json").write_text("my own notes")  # not ours: unknown owner
    (out / "frog-4").write_text("a file")
    folders = result_folders([(mine, "frog")], out, {})
    assert folders == [out / "frog-3"]
    # The same input judged as another pose is another input: its own folder too.
    _results(out / "frog-3", mine, pose="frog")
    assert result_folders([(mine, "frog"), (mine, "garland")], out, {}) == [out / "frog-3", out / "frog-5"]


def test_only_complete_results_of_the_same_input_and_pose_count_as_done(tmp_path):
    clip = (tmp_path / "frog.mp4").resolve()
    done = tmp_path / "done"
    _results(done, clip)
    assert complete_result(done, (clip, "frog"), video=True).frames == 3
    assert complete_result(done, (clip, "garland"), video=True) is None
    assert complete_result(done, (tmp_path / "other.mp4", "frog"), video=True) is None
    partial = tmp_path / "partial"
    _results(partial, clip, complete=False)
    assert complete_result(partial, (clip, "frog"), video=True) is None
    novideo = tmp_path / "novideo"
    _results(novideo, clip, files=("frames.csv", "landmarks.jsonl"))
    assert complete_result(novideo, (clip, "frog"), video=True) is None
    assert complete_result(novideo, (clip, "frog"), video=False) is not None
