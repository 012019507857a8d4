"""Photos through the real model: counted, not timed; annotated PNGs; a folder names each file."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from ..cli_helpers import posecheck
from ..conftest import sample

pytestmark = pytest.mark.model

SHOTS = (8, 30, 52)  # frames of the left-leg lunge sample, all in the pose


@pytest.fixture(scope="module")
def photos(tmp_path_factory) -> Path:
    """Three stills of a kneeling lunge (left leg forward), as a folder of JPEGs."""
    folder = tmp_path_factory.mktemp("photos") / "lunge photos"
    folder.mkdir()
    with av.open(str(sample("lunge_side_90_left.mp4"))) as c:
        for i, frame in enumerate(c.decode(video=0)):
            if i in SHOTS:
                cv2.imwrite(str(folder / f"IMG_{i:04d}.jpg"), frame.to_ndarray(format="bgr24"))
    return folder


def test_a_photo_has_no_time_no_hold_and_an_annotated_png(photos, tmp_path):
    photo = photos / "IMG_0030.jpg"
    out = tmp_path / "one"
    run = posecheck("score", str(photo), "--pose", "kneeling_lunge", "--out", str(out), "--no-history",
                    env={"COLUMNS": "80"})
    assert run.code == 0, run.err
    s = json.loads((out / "summary.json").read_text())
    assert (s["photos"], s["photos_in_pose"], s["photos_in_good_form"]) == (1, 1, 1)
    # Was "in the pose 1.0 s" and a hold "0.0–1.0 s".
    assert s["time_in_pose_s"] is None and s["time_in_good_form_s"] is None and s["duration_s"] is None
    assert s["holds"] == [] and s["sides"] == {} and s["checks_over"] == "photos in the pose"
    assert s["score"] is not None and s["score"] > 80
    assert "1 of 1 photo in the pose" in run.out and "in the pose 1.0 s" not in run.out and "hold " not in run.out
    # An annotated PNG of the photo's own size, with the overlay drawn on it; no one-frame video.
    assert not (out / "annotated.mp4").exists()
    drawn = cv2.imread(str(out / "annotated.png"))
    original = cv2.imread(str(photo))
    assert drawn.shape == original.shape
    assert np.mean(np.abs(drawn.astype(int) - original.astype(int)) > 40) > 0.01  # skeleton, labels, cue
    assert f"annotated  {out / 'annotated.png'}" in run.out


def test_a_folder_of_photos_names_each_file_and_is_not_one_hold(photos, tmp_path):
    out = tmp_path / "many"
    run = posecheck("score", str(photos), "--pose", "kneeling_lunge", "--out", str(out), "--no-history")
    assert run.code == 0, run.err
    s = json.loads((out / "summary.json").read_text())
    assert s["photos"] == 3 and s["photos_in_pose"] == 3
    assert s["holds"] == [] and s["time_in_pose_s"] is None  # was one 3 s hold
    rows = list(csv.DictReader((out / "frames.csv").open()))
    assert [r["file"] for r in rows] == [f"IMG_{i:04d}.jpg" for i in SHOTS]
    assert sorted(p.name for p in (out / "annotated").iterdir()) == [f"IMG_{i:04d}.png" for i in SHOTS]
    # A replay of the folder's landmarks keeps the names and gives the same figures.
    again = tmp_path / "again"
    run = posecheck("score", "--replay", str(out / "landmarks.jsonl"), "--pose", "kneeling_lunge", "--out",
                    str(again))
    assert run.code == 0, run.err
    assert [r["file"] for r in csv.DictReader((again / "frames.csv").open())] == [r["file"] for r in rows]
    replayed = json.loads((again / "summary.json").read_text())
    for key in ("score", "photos", "photos_in_pose", "photos_in_good_form", "checks", "holds", "time_in_pose_s"):
        assert replayed[key] == s[key], key
