"""From a run of frame verdicts to the figures a person cares about: holds per side,
time in the pose and in good form, a score, and per-check statistics.

The :class:`Recorder` keeps a few numbers per frame (not the frames), so memory
stays small however long the input is.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np

from posecheck.judge.assess import Status
from posecheck.specs.models import PoseSpec
from posecheck.track.tracker import FrameVerdict, is_good_form

#: A stretch in the pose shorter than this is passing through, not a hold.
MIN_HOLD_S = 1.0

_STATUS_CODE = {Status.OK: 0, Status.NEAR: 1, Status.OFF: 2, Status.UNKNOWN: 3}

SCORE_SENTENCE = (
    "The score is the average, over the time you were in the pose and the camera could judge "
    "you, of how well each check matched its target — ok counts fully, near half, off nothing — "
    "weighted by how much each check matters. Time the tool could not judge is reported as "
    "'not judged', never counted as good form."
)


@dataclass
class _Col:
    values: list[float]
    status: list[int]
    cues: list[str | None]


class Recorder:
    """Collects per-frame verdicts of one input against one spec."""

    def __init__(self, spec: PoseSpec, step: int = 1) -> None:
        self.spec = spec
        self.step = max(int(step), 1)  # frames of the input between two recorded frames (--stride)
        self.t: list[float] = []
        self.side: list[str | None] = []
        self.detected: list[bool] = []
        self.pose_raw: list[bool] = []
        self.in_pose: list[bool] = []
        self.score: list[float] = []
        self.camera: list[str | None] = []
        self.cols = {c.id: _Col([], [], []) for c in spec.checks}
        self._raw_start: float | None = None  # when the current raw in-pose run began
        self._hold_start: float | None = None  # when the current hold began (backdated)
        self._hold_side: str | None = None

    def __len__(self) -> int:
        return len(self.t)

    def add(self, v: FrameVerdict) -> None:
        """Record one frame's verdict."""
        self.t.append(v.t)
        self.side.append(v.side)
        self.detected.append(v.detected)
        self.pose_raw.append(v.pose_raw)
        self.in_pose.append(v.in_pose)
        self.score.append(v.score)
        self.camera.append(v.camera_cue)
        if not v.pose_raw:
            self._raw_start = None
        elif self._raw_start is None or (self.side[-2:-1] and self.side[-2] != v.side):
            self._raw_start = v.t
        if not v.in_pose:
            self._hold_start = None
        elif self._hold_start is None or v.side != self._hold_side:
            self._hold_start = self._raw_start if self._raw_start is not None else v.t
            self._hold_side = v.side
        for c in v.checks:
            col = self.cols[c.id]
            col.values.append(c.value)
            col.status.append(_STATUS_CODE[c.status])
            col.cues.append(c.cue)

    def current_hold_s(self, fps: float) -> float:
        """Seconds of the current stretch in the pose so far (0 when out of it)."""
        if self._hold_start is None or not self.t:
            return 0.0
        return self.t[-1] - self._hold_start + (self.step / fps if fps else 0.0)

    # -- derived series ---------------------------------------------------------------

    def durations(self, fps: float) -> np.ndarray:
        """Seconds each frame stands for: the gap to the next frame (1/fps for the last)."""
        t = np.asarray(self.t, dtype=np.float64)
        if len(t) == 0:
            return t
        # One recorded frame stands for `step` input frames when scoring every Nth frame.
        nominal = self.step / fps if fps and fps > 0 else 0.0
        d = np.diff(t, append=t[-1] + nominal)
        # A gap much longer than a frame (dropped or skipped frames) counts as one frame.
        if nominal:
            d = np.clip(d, 0.0, max(nominal * 4, nominal))
        return d

    def pose_mask(self) -> np.ndarray:
        """Frames in the pose: the debounced runs, trimmed/extended to the raw evidence."""
        deb = np.asarray(self.in_pose, dtype=bool)
        raw = np.asarray(self.pose_raw, dtype=bool)
        n = len(deb)
        mask = np.zeros(n, dtype=bool)
        i = 0
        while i < n:
            if not deb[i]:
                i += 1
                continue
            j = i
            while j < n and deb[j]:
                j += 1
            start = i
            while start > 0 and raw[start - 1]:
                start -= 1
            end = j
            while end > start and not raw[end - 1]:
                end -= 1
            mask[start:end] = True
            i = j
        return mask

    def good_mask(self, pose: np.ndarray) -> np.ndarray:
        """Frames in the pose and in good form."""
        score = np.asarray(self.score, dtype=np.float64)
        off = np.zeros(len(self.t), dtype=bool)
        for col in self.cols.values():
            off |= np.asarray(col.status, dtype=np.int8) == _STATUS_CODE[Status.OFF]
        with np.errstate(invalid="ignore"):
            good = (score >= 75.0) & ~off
        return pose & good

    def holds(self, fps: float) -> list[dict]:
        """Stretches in the pose of at least :data:`MIN_HOLD_S`, split when the side changes."""
        pose = self.pose_mask()
        good = self.good_mask(pose)
        dur = self.durations(fps)
        out: list[dict] = []
        n = len(pose)
        i = 0
        while i < n:
            if not pose[i]:
                i += 1
                continue
            j = i
            side = self.side[i]
            while j < n and pose[j] and self.side[j] == side:
                j += 1
            length = float(dur[i:j].sum())
            if length >= MIN_HOLD_S:
                score = np.asarray(self.score[i:j], dtype=np.float64)
                judged = ~np.isnan(score)
                out.append({
                    "side": side,
                    "start_s": round(self.t[i], 3),
                    "end_s": round(self.t[j - 1] + float(dur[j - 1]), 3),
                    "duration_s": round(length, 3),
                    "good_form_s": round(float(dur[i:j][good[i:j]].sum()), 3),
                    "score": round(float(np.average(score[judged], weights=dur[i:j][judged])), 1)
                    if judged.any() and dur[i:j][judged].sum() > 0 else None,
                })
            i = j
        return out

    # -- the summary --------------------------------------------------------------------

    def summary(self, *, input_name: str, fps: float, complete: bool = True,
                extra: dict | None = None) -> dict:
        """The ``summary.json`` content."""
        n = len(self.t)
        dur = self.durations(fps)
        pose = self.pose_mask()
        good = self.good_mask(pose)
        score = np.asarray(self.score, dtype=np.float64)
        judged = ~np.isnan(score)
        holds = self.holds(fps)
        in_holds = np.zeros(n, dtype=bool)
        for h in holds:
            t = np.asarray(self.t)
            in_holds |= (t >= h["start_s"] - 1e-9) & (t < h["end_s"] - 1e-9)
        pose_judged = pose & judged
        if pose_judged.any() and dur[pose_judged].sum() > 0:
            total_score = float(np.average(score[pose_judged], weights=dur[pose_judged]))
        elif judged.any():
            total_score = 0.0  # judged, but never in the pose
        else:
            total_score = None  # never judged: no number would be honest
        basis = pose if pose.any() else np.ones(n, dtype=bool)
        checks = {c.id: self._check_stats(c.id, basis) for c in self.spec.checks}
        duration = float(dur.sum())
        sides: dict[str, dict] = {}
        for h in holds:
            key = h["side"] or "both"
            s = sides.setdefault(key, {"holds": 0, "time_in_pose_s": 0.0, "time_in_good_form_s": 0.0})
            s["holds"] += 1
            s["time_in_pose_s"] = round(s["time_in_pose_s"] + h["duration_s"], 3)
            s["time_in_good_form_s"] = round(s["time_in_good_form_s"] + h["good_form_s"], 3)
        cams = Counter(c for c in self.camera if c)
        out = {
            "pose": self.spec.id,
            "pose_title": self.spec.title,
            "input": input_name,
            "complete": complete,
            "frames": n,
            "frames_with_person": int(sum(self.detected)),
            "fps": round(float(fps), 3),
            "duration_s": round(duration, 3),
            "score": None if total_score is None else round(total_score, 1),
            "score_means": SCORE_SENTENCE,
            "time_in_pose_s": round(float(dur[pose].sum()), 3),
            "time_in_good_form_s": round(float(dur[good].sum()), 3),
            "time_not_judged_s": round(float(dur[~judged].sum()), 3),
            "hold_target_s": self.spec.hold.target_s if self.spec.hold else None,
            "holds": holds,
            "sides": sides,
            "checks": checks,
            "checks_over": "frames in the pose" if pose.any() else "all frames (never in the pose)",
            # Only worth a headline when it held for a real share of the time, not a few frames.
            "most_common_camera_cue": (cams.most_common(1)[0][0]
                                       if cams and cams.most_common(1)[0][1] >= 0.1 * max(n, 1) else None),
        }
        if extra:
            out.update(extra)
        return out

    def _check_stats(self, check_id: str, basis: np.ndarray) -> dict:
        col = self.cols[check_id]
        vals = np.asarray(col.values, dtype=np.float64)[basis]
        status = np.asarray(col.status, dtype=np.int8)[basis]
        cues = [c for c, b in zip(col.cues, basis) if b and c]
        measured = vals[~np.isnan(vals)]
        n = max(int(basis.sum()), 1)

        def pct(code: int) -> float:
            return round(100.0 * float((status == code).sum()) / n, 1)

        def q(p: float) -> float | None:
            return round(float(np.percentile(measured, p)), 3) if measured.size else None

        check = self.spec.check(check_id)
        counts = Counter(cues)
        return {
            "median": q(50), "p10": q(10), "p90": q(90),
            "pct_ok": pct(0), "pct_near": pct(1), "pct_off": pct(2), "pct_unknown": pct(3),
            "most_common_cue": counts.most_common(1)[0][0] if counts else None,
            "target": check.target.describe(),
            "label": check.label or check.id,
        }


def status_name(code: int) -> str:
    """The status name for a stored status code."""
    return [s.value for s in _STATUS_CODE][code]


def finite_or_none(x: float) -> float | None:
    """``x`` for JSON: None when NaN."""
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else x


__all__ = ["MIN_HOLD_S", "Recorder", "SCORE_SENTENCE", "finite_or_none", "is_good_form", "status_name"]
