"""Comparing a scoring run with ground truth: how far to trust each number.

A labelled clip has ``<clip>.truth.json`` beside it (see ``samples/README.md``):
per frame, the true value of every check and the status a correct tool should
give. :func:`evaluate_clip` scores the clip with the real pipeline and compares,
frame by frame, what a user would see (the smoothed values and statuses of
``frames.csv``) with that truth.
"""

from __future__ import annotations

import csv
import json
import math
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from posecheck.specs import SpecLibrary


@dataclass
class CheckAccuracy:
    """How one check of one clip compared with the truth.

    Attributes:
        frames: frames compared.
        judged: frames the tool gave a value for.
        errors: absolute errors of those values against the truth.
        pose_frames: frames in which the truth has the person in the pose.
        status_agree: of those, frames whose status equals the expected one (or, for a true value
            within the model's accuracy of a band edge, the neighbouring one).
        status_exact: frames whose status equals the expected one exactly.
        sign_agree / sign_frames: for stacking checks, frames whose class
            (ahead / stacked / behind) matches the truth's, out of those measured.
        off_when_unknown_expected: frames the tool said "off" where it should not judge.
    """

    clip: str
    pose: str
    view: str
    check: str
    view_ok: bool = True
    frames: int = 0
    judged: int = 0
    errors: list[float] = field(default_factory=list)
    pose_frames: int = 0
    status_agree: int = 0
    status_exact: int = 0
    sign_agree: int = 0
    sign_frames: int = 0
    unknown_expected: int = 0
    unknown_with_camera_cue: int = 0
    off_when_unknown_expected: int = 0

    @property
    def median_error(self) -> float:
        return float(np.median(self.errors)) if self.errors else math.nan

    @property
    def p95_error(self) -> float:
        return float(np.percentile(self.errors, 95)) if self.errors else math.nan

    def share_within(self, tolerance: float) -> float:
        """Share of judged frames whose error is at most ``tolerance``."""
        if not self.errors:
            return math.nan
        return float(np.mean(np.asarray(self.errors) <= tolerance))

    @property
    def status_agreement(self) -> float:
        return self.status_agree / self.pose_frames if self.pose_frames else math.nan

    @property
    def status_exact_agreement(self) -> float:
        return self.status_exact / self.pose_frames if self.pose_frames else math.nan

    @property
    def judged_share(self) -> float:
        return self.judged / self.frames if self.frames else math.nan

    @property
    def sign_agreement(self) -> float:
        return self.sign_agree / self.sign_frames if self.sign_frames else math.nan


def _class(value: float, band: float) -> int:
    return 0 if abs(value) <= band else (1 if value > 0 else -1)


def compare(rows: list[dict], truth: dict, library: SpecLibrary) -> dict[str, CheckAccuracy]:
    """Compare ``frames.csv`` rows with a truth file's per-frame checks."""
    spec = library.get(truth["pose"])
    by_frame = {f["frame"]: f for f in truth["per_frame"]}
    out: dict[str, CheckAccuracy] = {}
    for check in spec.checks:
        acc = CheckAccuracy(truth["clip"], spec.id, truth["view"], check.id, truth.get("view_ok", True))
        for row in rows:
            f = by_frame.get(int(row["frame"]))
            if f is None or check.id not in f.get("checks", {}):
                continue
            t = f["checks"][check.id]
            status = row[f"{check.id}.status"]
            acc.frames += 1
            if f.get("in_pose", True):
                # Statuses are judged while the person is in the pose: moving in and out,
                # a knee-over-ankle verdict has no right answer to compare with.
                acc.pose_frames += 1
                acc.status_exact += status == t["status"]
                acc.status_agree += status == t["status"] or status == t.get("also")
            if t["status"] == "unknown":
                acc.unknown_expected += 1
                acc.off_when_unknown_expected += status == "off"
                acc.unknown_with_camera_cue += status == "unknown" and bool(row.get("camera_cue"))
            if row[check.id] == "":
                continue
            value = float(row[check.id])
            acc.judged += 1
            if t["value"] is not None:
                acc.errors.append(abs(value - t["value"]))
                if check.kind == "vertical_stack" and t["status"] != "unknown":
                    band = check.target.ok
                    want, got = _class(t["value"], band), _class(value, band)
                    # Within 0.04 of the band's edge either neighbouring class is right:
                    # no camera resolves a knee that close to the line.
                    edge = abs(abs(t["value"]) - band) <= 0.04
                    acc.sign_frames += 1
                    acc.sign_agree += want == got or (edge and abs(want - got) == 1)
        out[check.id] = acc
    return out


@dataclass
class ClipEvaluation:
    """A clip scored and compared: per-check accuracy and what the recogniser said.

    Attributes:
        checks: per check, how it compared with the truth.
        recognised: over the frames the truth has in the pose (right view only), how
            often each pose id (or None) was recognised among all known poses.
    """

    clip: str
    pose: str
    checks: dict[str, CheckAccuracy]
    recognised: dict[str | None, int]


def evaluate_clip_full(clip: Path, library: SpecLibrary | None = None,
                       landmarks: Path | None = None) -> ClipEvaluation:
    """Score ``clip`` with the real model; compare its checks and its recognised pose with the truth.

    Args:
        clip: a labelled sample clip (its ``.truth.json`` beside it).
        library: the specs (default: the bundled ones).
        landmarks: the real model's ``landmarks.jsonl`` of this clip, already made (it is
            replayed, which gives exactly the numbers of a run with the model).
    """
    from collections import Counter

    from posecheck.app.score import ScoreOptions, score_file, score_replay
    from posecheck.io.landmarks_file import read_landmarks
    from posecheck.session.session import Mode
    from posecheck.track.follow import BodyFollower
    from posecheck.track.recogniser import PoseRecognizer

    library = library or SpecLibrary()
    truth = json.loads(clip.with_suffix("").with_suffix(".truth.json").read_text())
    spec = library.get(truth["pose"])
    recognised: Counter = Counter()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        if landmarks is not None:
            score_replay(landmarks, Mode.pose(spec), out, ScoreOptions(video=False))
        else:
            score_file(clip, Mode.pose(spec), out, ScoreOptions(video=False))
        with open(out / "frames.csv", newline="") as fh:
            rows = list(csv.DictReader(fh))
        if truth.get("view_ok", True):
            _, frames = read_landmarks(out / "landmarks.jsonl")
            rec, follow = PoseRecognizer(list(library)), BodyFollower()
            by_frame = {f["frame"]: f for f in truth["per_frame"]}
            for index, frame in frames:
                r = rec.update(follow(frame).seen())  # the frames followed as every session follows them
                if by_frame.get(index, {}).get("in_pose"):
                    recognised[r.pose] += 1
    return ClipEvaluation(truth["clip"], spec.id, compare(rows, truth, library), dict(recognised))


def evaluate_clip(clip: Path, library: SpecLibrary | None = None,
                  landmarks: Path | None = None) -> dict[str, CheckAccuracy]:
    """Score ``clip`` with the real model and compare its checks with its truth file (see :func:`evaluate_clip_full`)."""
    return evaluate_clip_full(clip, library, landmarks).checks


def labelled_clips(folder: Path, library: SpecLibrary | None = None) -> list[Path]:
    """The clips in ``folder`` that have a truth file whose pose has a spec."""
    library = library or SpecLibrary()
    known = {s.id for s in library}
    out = []
    for truth in sorted(folder.glob("*.truth.json")):
        pose = json.loads(truth.read_text()).get("pose")
        clip = truth.with_name(truth.name.replace(".truth.json", ".mp4"))
        if pose in known and clip.exists():
            out.append(clip)
    return out
