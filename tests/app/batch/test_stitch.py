"""A chunked recording's landmark parts read back as one stream, and the batch index."""

from __future__ import annotations

import csv
import json
import threading

import numpy as np
import pytest

from posecheck.app.batch.index import BatchIndex, BatchRow, earlier_folders, read_index, write_index
from posecheck.app.batch.stitch import Seams, stitched
from posecheck.errors import InputError, Interrupted
from posecheck.io.landmarks_file import LandmarksHeader, LandmarksWriter, RawPose

HEADER = LandmarksHeader(input="clip.mp4", width=640, height=360, fps=24.0, estimator="test")


def _part(path, times):
    with LandmarksWriter(path, HEADER) as w:
        for i, t in enumerate(times):
            w.write(i, RawPose((640, 360), t, np.full((33, 3), 0.5), np.full(33, 0.9)))
    return path


def test_parts_are_numbered_as_one_stream_and_the_seams_are_known(tmp_path):
    parts = [_part(tmp_path / "0.jsonl", [0.0, 0.5, 1.0]), _part(tmp_path / "1.jsonl", []),
             _part(tmp_path / "2.jsonl", [1.5, 2.0])]
    seams = Seams()
    got = [(i, raw.timestamp) for i, raw, _ in stitched(parts, seams, threading.Event())]
    assert got == [(0, 0.0), (1, 0.5), (2, 1.0), (3, 1.5), (4, 2.0)]
    assert seams.starts == [0, 3, 3]
    # An empty chunk holds no frame: every frame belongs to a chunk that has it.
    assert [seams.chunk_of(i) for i in range(5)] == [0, 0, 0, 2, 2]


def test_overlapping_chunks_are_refused(tmp_path):
    parts = [_part(tmp_path / "0.jsonl", [0.0, 1.0]), _part(tmp_path / "1.jsonl", [1.0, 1.5])]
    with pytest.raises(InputError, match="chunk 2 of the recording starts at 1.000 s, before"):
        list(stitched(parts, Seams(), threading.Event()))


def test_a_stop_ends_stitching_with_interrupted(tmp_path):
    stop = threading.Event()
    stop.set()
    with pytest.raises(Interrupted):
        list(stitched([_part(tmp_path / "0.jsonl", [0.0])], Seams(), stop))


def test_the_index_is_written_as_json_and_csv_and_read_back(tmp_path):
    rows = [BatchRow(input="a/frog.mp4", path="/x/a/frog.mp4", pose="frog", status="scored", out="frog",
                     score=71.5, time_in_good_form_s=2.0, frames=72, complete=True, chunks=2, seconds=3.25),
            BatchRow(input="bad.mp4", path="/x/bad.mp4", pose="frog", status="failed", reason="bad.mp4 is not a video.",
                     out="bad")]
    write_index(tmp_path, BatchIndex(executor="local, 2 worker processes", jobs=2, inputs=rows,
                                     counts={"scored": 1, "failed": 1}))
    data = json.loads((tmp_path / "batch.json").read_text())
    assert data["format"] == "posecheck-batch" and data["counts"] == {"scored": 1, "failed": 1}
    table = list(csv.DictReader((tmp_path / "batch.csv").open()))
    assert [(r["input"], r["status"], r["score"], r["reason"]) for r in table] == [
        ("a/frog.mp4", "scored", "71.5", ""), ("bad.mp4", "failed", "", "bad.mp4 is not a video.")]
    back = read_index(tmp_path)
    assert back.inputs == rows
    from pathlib import Path

    assert earlier_folders(back, tmp_path) == {(Path("/x/a/frog.mp4"), "frog"): tmp_path / "frog",
                                     (Path("/x/bad.mp4"), "frog"): tmp_path / "bad"}
    (tmp_path / "batch.json").write_text("not json")
    assert read_index(tmp_path) is None
