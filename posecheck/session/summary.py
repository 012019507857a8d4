"""From a run of frame verdicts to the figures a person cares about: time in the pose and
in good form, holds per side, a score, and per-check statistics.

The hold counter (:class:`~posecheck.track.holds.HoldCounter`) decides which frames were in
the pose as the frames come; the :class:`FrameLog` keeps a few numbers per frame (not the
frames) for the per-check statistics, so memory stays small however long the input is.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from dataclasses import replace

import numpy as np

from posecheck.checks import get_kind
from posecheck.judge.status import Status
from posecheck.session.records import CheckStats, PoseSummary, Segment, SideTotals
from posecheck.specs.accuracy import accuracy_of
from posecheck.specs.models import PoseSpec
from posecheck.track.holds import HoldCounter
from posecheck.track.verdict import FrameVerdict


def frame_durations(t: np.ndarray | list[float], frame_s: float) -> np.ndarray:
    """Seconds each frame stands for: the gap to the next frame, at most four frames (1 frame for the last).

    The same rule as :class:`~posecheck.track.holds.HoldCounter`'s: a gap much longer than a
    frame (dropped or skipped frames, a pause) counts as at most four frames.
    """
    t = np.asarray(t, dtype=np.float64)
    if len(t) == 0:
        return t
    d = np.diff(t, append=t[-1] + frame_s)
    return np.clip(d, 0.0, max(frame_s * 4, frame_s)) if frame_s else d


class _Column:
    """One check's values, status codes and cues, frame by frame."""

    __slots__ = ("values", "status", "cues")

    def __init__(self) -> None:
        self.values = array("d")
        self.status = bytearray()
        self.cues: list[str | None] = []


class FrameLog:
    """What the statistics of one spec need from each frame.

    Args:
        spec: the pose the frames were judged against.
    """

    def __init__(self, spec: PoseSpec) -> None:
        self.spec = spec
        self.t = array("d")
        self.score = array("d")
        self.detected = bytearray()
        self.good = bytearray()
        self.side: list[str | None] = []
        self.camera: list[str | None] = []
        #: the cue the person was given with each frame (see :meth:`gave`): (kind, key, text)
        self.given: list[tuple[str, str, str] | None] = []
        self.cols = {c.id: _Column() for c in spec.checks}
        self._order = {c.id: k for k, c in enumerate(spec.checks)}

    def __len__(self) -> int:
        return len(self.t)

    def add(self, v: FrameVerdict) -> None:
        """Log one frame's verdict."""
        self.t.append(v.t)
        self.score.append(v.score)
        self.detected.append(1 if v.detected else 0)
        self.good.append(1 if v.good_form else 0)
        self.side.append(v.side)
        self.camera.append(v.camera_cue)
        self.given.append(None)
        for c in v.checks:
            col = self.cols[c.id]
            col.values.append(c.value)
            col.status.append(c.status.code)
            col.cues.append(c.cue)

    def gave(self, kind: str, key: str, text: str) -> None:
        """The cue shown to the person with the frame logged last (none unless this is called).

        The statistics' "most common cue" is the one the person was given, not the one each
        check would have given: a check's own cue may never have been shown (another was more
        urgent, or the tool could not see the legs and said so).
        """
        if self.given:
            self.given[-1] = (kind, key, text)

    def check_stats(self, check_id: str, basis: np.ndarray, corrections: bool = True) -> CheckStats:
        """One check's statistics over the frames where ``basis`` is true.

        Args:
            check_id: the check.
            basis: which frames count.
            corrections: whether a correction may be the most common cue. Off when the person
                was never in the pose: telling them how to fix a pose they never entered is
                not honest, so only camera and visibility instructions count then.
        """
        col = self.cols[check_id]
        vals = np.frombuffer(col.values, dtype=np.float64)[basis] if len(col.values) else np.zeros(0)
        status = np.frombuffer(bytes(col.status), dtype=np.uint8)[basis] if len(col.status) else np.zeros(0)
        measured = vals[~np.isnan(vals)]
        n = max(int(basis.sum()), 1)

        def pct(s: Status) -> float:
            return round(100.0 * float((status == s.code).sum()) / n, 1)

        def q(p: float) -> float | None:
            return round(float(np.percentile(measured, p)), 3) if measured.size else None

        # The cues given about this check: its corrections (by their key), and a camera or
        # visibility instruction that was this check's own (its joint could not be seen).
        counts = Counter(g[2] for g, own, b in zip(self.given, col.cues, basis)
                         if b and g is not None and ((g[0] == "correction" and g[1] == check_id and corrections)
                                                     or (g[0] == "camera" and g[2] == own)))
        # Its own correction, for what to work on: asked for while near or off, in the pose.
        wrong = (Status.NEAR.code, Status.OFF.code)
        own = Counter(c for c, st, b in zip(col.cues, col.status, basis) if b and c and st in wrong) \
            if corrections else Counter()
        check = self.spec.check(check_id)
        measured_accuracy = accuracy_of(self.spec, check_id)
        return CheckStats(median=q(50), p10=q(10), p90=q(90), pct_ok=pct(Status.OK), pct_near=pct(Status.NEAR),
                          pct_off=pct(Status.OFF), pct_unknown=pct(Status.UNKNOWN),
                          most_common_cue=counts.most_common(1)[0][0] if counts else None,
                          correction=own.most_common(1)[0][0] if own else None,
                          target=check.target.describe(), label=check.label or check.id,
                          uncertainty=measured_accuracy.uncertainty if measured_accuracy is not None else None,
                          unit=get_kind(check.kind).unit)


#: What a summary's check statistics are over: the frames in the pose, or (never in it) every frame.
OVER_POSE = "frames in the pose"
OVER_ALL = "all frames, never in the pose"
#: The same for photos.
OVER_POSE_PHOTOS = "photos in the pose"
OVER_ALL_PHOTOS = "all photos, none in the pose"


def _figures(spec: PoseSpec, log: FrameLog, counter: HoldCounter, frame_s: float) -> dict:
    """The figures a pose summary and a segment share."""
    n = len(log)
    dur = frame_durations(log.t, frame_s)
    score = np.frombuffer(log.score, dtype=np.float64) if n else np.zeros(0)
    judged = ~np.isnan(score)
    counted = np.asarray(counter.counted[:n], dtype=bool)
    in_pose = bool(counted.any())
    # Never in the pose is "not judged", like a wrong view: a 0 would say "judged, all wrong"
    # and pull a trend down for a run that says nothing about how the pose is done.
    total = counter.score if in_pose else None
    basis = counted if in_pose else np.ones(n, dtype=bool)
    return {
        "frames": n,
        "score": None if total is None else round(total, 1),
        "time_in_pose_s": round(counter.pose_s, 3),
        "time_in_good_form_s": round(counter.good_s, 3),
        "time_not_judged_s": round(float(dur[~judged].sum()), 3),
        "hold_target_s": spec.hold.target_s if spec.hold else None,
        "holds": list(counter.holds),
        "checks": {c.id: log.check_stats(c.id, basis, corrections=in_pose) for c in spec.checks},
        "in_pose": in_pose,
        "counted": counted,
        "duration_s": round(float(dur.sum()), 3),
    }


def _side_checks(spec: PoseSpec, log: FrameLog, counted: np.ndarray, side: str) -> dict[str, CheckStats]:
    """Each check over the frames in the pose on one side (for left against right)."""
    basis = counted & np.array([s == side for s in log.side[:len(counted)]], dtype=bool)
    if not basis.any():
        return {}
    return {c.id: log.check_stats(c.id, basis) for c in spec.checks}


def _photo_figures(log: FrameLog, counted: np.ndarray) -> dict:
    """A run of photos: how many were in the pose and in good form, and the score over those; no time, no holds.

    Photos are unrelated moments, not a stretch of time: "in the pose 1.0 s" or a hold
    "0.0–1.0 s" would be made up.
    """
    score = np.frombuffer(log.score, dtype=np.float64)[: len(counted)]
    judged = counted & ~np.isnan(score)
    good = np.frombuffer(bytes(log.good), dtype=np.uint8)[: len(counted)].astype(bool)
    return {
        "photos": len(counted), "photos_in_pose": int(counted.sum()),
        "photos_in_good_form": int((counted & good).sum()),
        "score": round(float(score[judged].mean()), 1) if judged.any() else None,
        "time_in_pose_s": None, "time_in_good_form_s": None, "time_not_judged_s": None, "duration_s": None,
        "hold_target_s": None, "holds": [],
    }


def pose_summary(spec: PoseSpec, log: FrameLog, counter: HoldCounter, *, input_name: str, fps: float,
                 frame_s: float, complete: bool, run: dict | None = None, still: bool = False) -> PoseSummary:
    """The summary of a run judged against one pose.

    Args:
        spec: the pose.
        log: every frame's verdict, logged.
        counter: the hold counter fed with the same verdicts (and closed).
        input_name: the input's name.
        fps: the input's frame rate.
        frame_s: how long one judged frame lasts (stride / fps).
        complete: the run reached the end of its input.
        run: how the run was made (estimator, stride, mode...; see
            :data:`~posecheck.session.records.RUN_FIELDS`).
        still: the frames are photos: counted, not timed (no time in the pose, no holds).
    """
    fig = _figures(spec, log, counter, frame_s)
    n = fig["frames"]
    sides: dict[str, SideTotals] = {}
    for h in counter.holds:
        key = h.side or "both"
        s = sides.get(key, SideTotals())
        sides[key] = SideTotals(holds=s.holds + 1, time_in_pose_s=round(s.time_in_pose_s + h.duration_s, 3),
                                time_in_good_form_s=round(s.time_in_good_form_s + h.good_form_s, 3))
    if spec.sides == "front_back":
        sides = {k: replace(t, checks=_side_checks(spec, log, fig["counted"], k)) for k, t in sides.items()}
    figures = {"duration_s": fig["duration_s"], "score": fig["score"], "time_in_pose_s": fig["time_in_pose_s"],
               "time_in_good_form_s": fig["time_in_good_form_s"], "time_not_judged_s": fig["time_not_judged_s"],
               "hold_target_s": fig["hold_target_s"], "holds": fig["holds"]}
    if still:
        figures = _photo_figures(log, fig["counted"])
        sides = {}
    cams = Counter(c for c in log.camera if c)
    top = cams.most_common(1)[0] if cams else None
    return PoseSummary(
        pose=spec.id, pose_title=spec.title, input=input_name, complete=complete, frames=n,
        frames_with_person=int(sum(log.detected)), fps=round(float(fps), 3), sides=sides, checks=fig["checks"],
        checks_over=(OVER_POSE_PHOTOS if still else OVER_POSE) if fig["in_pose"] else (
            OVER_ALL_PHOTOS if still else OVER_ALL),
        # Only worth a headline when it held for a real share of the time, not a few frames.
        most_common_camera_cue=top[0] if top and top[1] >= 0.1 * max(n, 1) else None,
        **figures, **(run or {}))


def segment_summary(spec: PoseSpec, side: str | None, log: FrameLog, counter: HoldCounter,
                    frame_s: float) -> Segment:
    """One recognised segment of a ``--pose auto`` run, judged as its pose."""
    fig = _figures(spec, log, counter, frame_s)
    return Segment(pose=spec.id, side=side, start_s=round(log.t[0], 3), end_s=round(log.t[-1] + frame_s, 3),
                   pose_title=spec.title, frames=fig["frames"], score=fig["score"],
                   time_in_pose_s=fig["time_in_pose_s"], time_in_good_form_s=fig["time_in_good_form_s"],
                   time_not_judged_s=fig["time_not_judged_s"], holds=fig["holds"], checks=fig["checks"],
                   hold_target_s=fig["hold_target_s"])


#: A check that was not ok for less than this share of the judged time (in percent) is not worth a line.
WORK_ON_PCT = 15.0


def work_on(summary) -> str | None:  # noqa: ANN001 - a PoseSummary or an AutoSummary
    """What to work on next: the check that was off (or near, counting half) the most, with the
    correction it asked for most often. None when nothing was judged or no check stood out.

    For a ``--pose auto`` or ``--routine`` run, each segment's checks count by the segment's time in
    the pose, and the pose is named.
    """
    segments = getattr(summary, "segments", None)
    if segments is None:
        pools = [("", 1.0, summary.checks)]
    else:
        pools = [(f"{seg.pose_title or seg.pose}, ", seg.time_in_pose_s, seg.checks)
                 for seg in segments if seg.time_in_pose_s > 0]
    best: tuple[float, float, str] | None = None
    for prefix, weight, checks in pools:
        for cid, c in checks.items():
            judged = 100.0 - c.pct_unknown
            if judged <= 0:
                continue
            share = 100.0 * (c.pct_off + 0.5 * c.pct_near) / judged
            if share < WORK_ON_PCT:
                continue
            what = f"{prefix}{c.label or cid}: " + (c.correction or c.most_common_cue or f"aim for {c.target}")
            key = (share * weight, share, what)
            if best is None or key[:2] > best[:2]:
                best = key
    return best[2] if best is not None else None


def finite_or_none(x: float | None) -> float | None:
    """``x`` for JSON: None when NaN."""
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else x


__all__ = ["OVER_ALL", "OVER_ALL_PHOTOS", "OVER_POSE", "OVER_POSE_PHOTOS", "WORK_ON_PCT", "FrameLog", "finite_or_none",
           "frame_durations", "pose_summary", "segment_summary", "work_on"]
