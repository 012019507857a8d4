"""A page's session without the page: the real model on a sample clip's frames sent as JPEG.

What ``serve`` does with each frame (decode, model, session, files) and at the end (the
summary, the report, the history), checked against ``posecheck score`` on the same frames.
"""

from __future__ import annotations

import json

import av
import cv2
import numpy as np
import pytest

from posecheck.app.practice import Camera, Practice, PracticeOptions
from posecheck.app.score import ScoreOptions, score_file
from posecheck.errors import InputError, OutputError, ServeError
from posecheck.session.session import Mode
from posecheck.specs import SpecLibrary

from ..conftest import sample

CLIP = "lunge_side_120_left.mp4"


def _jpegs(clip) -> list[bytes]:  # noqa: ANN001
    with av.open(str(clip)) as c:
        return [cv2.imencode(".jpg", f.to_ndarray(format="bgr24"), [cv2.IMWRITE_JPEG_QUALITY, 85])[1].tobytes()
                for f in c.decode(video=0)]


@pytest.mark.model
def test_a_pages_session_judges_its_frames_like_score_and_is_saved_like_live(tmp_path):
    spec = SpecLibrary().get("kneeling_lunge")
    ref = score_file(sample(CLIP), Mode.pose(spec), tmp_path / "score", ScoreOptions(video=False, force=True))
    reference = json.loads((tmp_path / "score" / "summary.json").read_text())
    assert ref is not None

    # The page sends each frame of the clip at its own time (24 fps): the camera the clip was.
    p = Practice(Mode.pose(spec), Camera(960, 540, fps=24, label="clip"),
                 PracticeOptions(sessions_dir=tmp_path / "sessions", history=False))
    assert p.ready().has_sides and p.ready().title == "Kneeling lunge"
    pictures = _jpegs(sample(CLIP))
    answers = [p.frame(data, i / 24, seen=i + 1) for i, data in enumerate(pictures)]

    # Frames the session cannot use are refused, skipped, and the session goes on.
    first = cv2.imdecode(np.frombuffer(pictures[0], np.uint8), cv2.IMREAD_COLOR)
    small = cv2.imencode(".jpg", cv2.resize(first, (480, 270)))[1].tobytes()
    for bad, t, fragment in ((b"not a picture", 10.0, "is not a picture"),
                             (small, 10.0, "a 480x270 frame arrived in a session of 960x540 frames"),
                             (pictures[0], 1.0, "is not after the last one's")):
        with pytest.raises(InputError) as err:
            p.frame(bad, t)
        assert fragment in err.value.one_line()
    assert p.key("s") is None  # switches the side; nothing to say about it

    ended = p.end("ended on the page")
    assert p.end("again") is ended  # once
    with pytest.raises(ServeError):
        p.frame(pictures[0], 20.0)

    assert [a.index for a in answers] == list(range(len(pictures)))
    assert all(a.model_ms > 0 and a.server_ms >= a.model_ms for a in answers)
    assert answers[-1].cue == "Bend your front knee deeper, toward 90°." and answers[-1].side == "left"
    assert (ended.frames, ended.ended_by, ended.complete, ended.report) == (72, "ended on the page", True,
                                                                             "report.html")
    folder = p.session_dir
    assert sorted(f.name for f in folder.iterdir()) == ["frames.csv", "landmarks.jsonl.gz", "report.html",
                                                         "summary.json"]  # no frame on disk
    s = json.loads((folder / "summary.json").read_text())
    assert (s["mode"], s["input"], s["frames"], s["stride"]) == ("live", "browser:clip", 72, 2)
    # 75 frames arrived, 72 judged: the 3 refused ones count as dropped.
    assert (s["frames_captured"], s["frames_dropped"]) == (75, 3)
    # The same frames as score, JPEG-compressed at 85: the model sees nearly the same pictures.
    # Measured: the medians within 0.5° and 0.01, the score within 1 point.
    assert s["score"] == pytest.approx(reference["score"], abs=2)
    assert s["time_in_pose_s"] == pytest.approx(reference["time_in_pose_s"], abs=0.1)
    for cid, c in reference["checks"].items():
        assert s["checks"][cid]["median"] == pytest.approx(c["median"], abs=1.5 if abs(c["median"]) > 1 else 0.02)
        assert s["checks"][cid]["pct_off"] == pytest.approx(c["pct_off"], abs=5)


def test_a_camera_of_no_size_is_refused_before_the_model_loads(tmp_path):
    spec = SpecLibrary().get("frog")
    with pytest.raises(InputError) as err:
        Practice(Mode.pose(spec), Camera(0, 0), PracticeOptions(sessions_dir=tmp_path))
    assert "a 0x0 camera cannot be judged" in err.value.one_line()
    assert not tmp_path.joinpath("sessions").exists() and not any(tmp_path.iterdir())


class _NoModel:
    """An estimator that is never asked for a frame: only its name and close() are used."""

    name = "none"

    def __init__(self) -> None:
        self.closed = 0

    def close(self) -> None:
        self.closed += 1


def test_a_session_whose_summary_cannot_be_written_says_so_once_and_keeps_its_files(tmp_path):
    model = _NoModel()
    p = Practice(Mode.pose(SpecLibrary().get("frog")), Camera(640, 480, label="cam"),
                 PracticeOptions(sessions_dir=tmp_path, history=False), estimator=model)
    (p.session_dir / "summary.json").mkdir()  # summary.json cannot be renamed into place
    with pytest.raises(OutputError) as err:
        p.end("ended on the page")
    assert err.value.one_line() == (f"cannot finish {p.session_dir / 'summary.json'} (Is a directory): "
                                    "free some space or choose a writable --sessions folder.")
    # Ending again (the server stopping after the page's end) does not finish the files twice.
    again = p.end("server stopped")
    assert (again.ended_by, again.complete, again.score, again.frames) == ("ended on the page", False, None, 0)
    assert p.ended and model.closed == 1
    with pytest.raises(ServeError):
        p.frame(b"", 1.0)
    # What was written before the failure stays, with no hidden partial file left.
    assert sorted(f.name for f in p.session_dir.iterdir()) == ["frames.csv", "landmarks.jsonl.gz", "summary.json"]
