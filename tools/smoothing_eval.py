"""Lag and jitter of shown values against the labelled clips' truth (``benchmarks/smoothing.py``, the tests).

* **lag**: the delay of the shown value behind the true one while the body moves: the
  shift of the truth that best explains the shown values (least variance of the difference,
  so a constant offset of the model does not count), in ms;
* **jitter**: while the body holds still, the robust standard deviation of the shown value's
  quick wobble about the truth (the truth sways ±1–2° with breathing; the model's slow offset
  is taken out with a 1-second running mean), and the percentiles of its change from one frame
  to the next.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from posecheck.io.landmarks_file import read_landmarks
from posecheck.session.session import Mode
from posecheck.specs import SpecLibrary
from posecheck.track.tracker import LiveSmoothing, PoseTracker
from posecheck.track.verdict import FrameVerdict
from posecheck.track.zerolag import RECORDING, ZeroLagSettings

ROOT = Path(__file__).resolve().parents[1]

#: Clips where the body moves (lag) and where it holds (jitter), with the checks measured.
MOVING = ("lunge_side_step_in_left", "lunge_side_drift_back_right", "lunge_side_drift_right", "frog_backhigh_move",
          "lunge_side_in_hold_out_left")
HELD = ("lunge_side_90_left", "lunge_side_90_right", "lunge_side_120_left", "frog_backhigh_90", "frog_backhigh_90_b")
CHECKS = ("front_knee_angle", "knee_over_ankle", "left_shin_thigh_angle", "right_shin_thigh_angle")
#: The truth moves faster than this while moving (per unit, per second) and slower while holding.
MOVING_SPEED = {"deg": 10.0, "ratio": 0.1}
HOLD_SPEED = {"deg": 3.0, "ratio": 0.03}
LAG_TARGET_MS = 100.0
STEP_TARGET_DEG = 1.0


@dataclass
class Series:
    """One check of one clip: the shown values, the truth, the times."""

    clip: str
    check: str
    unit: str
    t: np.ndarray
    shown: np.ndarray
    truth: np.ndarray


def truth_of(clip: str) -> dict:
    """The truth file of a sample clip (by name, without .mp4)."""
    return json.loads((ROOT / "samples" / f"{clip}.truth.json").read_text())


def verdicts_of(clip: str, landmarks: Path, lib: SpecLibrary, smoothing: LiveSmoothing | None,
                zero_lag: ZeroLagSettings = RECORDING) -> tuple[dict, list[FrameVerdict]]:
    """``clip``'s truth and its verdicts: live (a tracker smoothing with ``smoothing``) or, with
    ``smoothing`` None, as ``score`` judges a recording (the session's ``zero_lag`` stage)."""
    truth = truth_of(clip)
    spec = lib.get(truth["pose"])
    header, frames = read_landmarks(landmarks)
    if smoothing is None:  # a recording: the session's zero-lag stage, then trackers that do not smooth
        session = Mode.pose(spec).session(fps=header.fps or 24.0, zero_lag=zero_lag)
        out = [o for i, fr in frames for o in session.push(fr, i)] + session.flush()
        return truth, [o.verdict for o in out]
    tracker = PoseTracker(spec, live_smoothing=smoothing)  # what a live session's tracker does
    return truth, [tracker.update(fr, i) for i, fr in frames]


def series_of(clip: str, landmarks: Path, lib: SpecLibrary, smoothing: LiveSmoothing | None,
              zero_lag: ZeroLagSettings = RECORDING) -> list[Series]:
    """The shown values of ``clip``'s key checks (see :func:`verdicts_of`)."""
    truth, verdicts = verdicts_of(clip, landmarks, lib, smoothing, zero_lag)
    spec = lib.get(truth["pose"])
    by_frame = {f["frame"]: f for f in truth["per_frame"]}
    out = []
    for check in spec.checks:
        if check.id not in CHECKS:
            continue
        rows = [(v.t, v.check(check.id).value, by_frame[v.index]["checks"][check.id]["value"]) for v in verdicts]
        t, shown, true = (np.array([np.nan if x is None else x for x in col], dtype=float) for col in zip(*rows))
        out.append(Series(clip, check.id, verdicts[0].check(check.id).unit, t, shown, true))
    return out


def errors_of(clip: str, landmarks: Path, lib: SpecLibrary, smoothing: LiveSmoothing | None) -> dict[str, np.ndarray]:
    """Per key check, ``(n, 2)``: posecheck's and the raw model's absolute errors on the frames both measured.

    ``smoothing`` None: as ``score`` runs now (zero-lag filter); else a tracker smoothing
    causally as before issue 12 (``score`` used the live smoothing too).
    """
    truth, verdicts = verdicts_of(clip, landmarks, lib, smoothing)
    by_frame = {f["frame"]: f for f in truth["per_frame"]}
    out: dict[str, list] = {}
    for v in verdicts:
        for c in v.checks:
            true = by_frame[v.index]["checks"][c.id]["value"]
            if c.id in CHECKS and true is not None and not (math.isnan(c.value) or math.isnan(c.raw)):
                out.setdefault(c.id, []).append((abs(c.value - true), abs(c.raw - true)))
    return {k: np.asarray(v) for k, v in out.items()}


def lag_ms(s: Series) -> float:
    """The delay of ``s.shown`` behind ``s.truth`` while moving (NaN when it hardly moves)."""
    speed = np.abs(np.gradient(s.truth, s.t))
    moving = speed >= MOVING_SPEED[s.unit]
    if moving.sum() < 8:
        return math.nan
    best, best_cost = math.nan, math.inf
    for tau in np.arange(-0.1, 0.4001, 0.005):
        delayed = np.interp(s.t - tau, s.t, s.truth, left=np.nan, right=np.nan)
        d = (s.shown - delayed)[moving]
        d = d[~np.isnan(d)]
        if len(d) >= 8 and np.var(d) < best_cost:
            best, best_cost = tau, float(np.var(d))
    return 1000.0 * best


def jitter(s: Series) -> tuple[np.ndarray, np.ndarray]:
    """While holding: the shown value's quick wobble about the truth, and its frame-to-frame steps.

    The wobble is the shown value minus the truth, less its own centred 1-second running mean:
    what changes from frame to frame, not the model's slow offset (which no smoothing removes).
    """
    speed = np.abs(np.gradient(s.truth, s.t))
    hold = speed < HOLD_SPEED[s.unit]
    d = s.shown - s.truth
    k = max(1, int(round(0.5 / float(np.median(np.diff(s.t))))))
    slow = np.array([np.nanmean(d[max(0, i - k):i + k + 1]) if not np.isnan(d[i]) else np.nan
                     for i in range(len(d))])
    wobble = (d - slow)[hold]
    steps = np.abs(np.diff(s.shown))[hold[1:] & hold[:-1]]
    return wobble[~np.isnan(wobble)], steps[~np.isnan(steps)]


@dataclass
class Figures:
    """One setting's lag and jitter (angles), and its lag on ratios."""

    lag_ms: float
    ratio_lag_ms: float
    speed: float
    sd: float
    step_p95: float
    step_p99: float

    @property
    def meets(self) -> bool:
        return self.lag_ms <= LAG_TARGET_MS and self.step_p95 < STEP_TARGET_DEG


def figures(moving: list[Series], held: list[Series]) -> Figures:
    lags = [lag_ms(s) for s in moving if s.unit == "deg"]
    rlags = [lag_ms(s) for s in moving if s.unit == "ratio"]
    speeds = []
    for s in moving:
        v = np.abs(np.gradient(s.truth, s.t))
        if s.unit == "deg" and (v >= MOVING_SPEED["deg"]).sum() >= 8:
            speeds.append(float(np.nanmedian(v[v >= MOVING_SPEED["deg"]])))
    devs, steps = zip(*(jitter(s) for s in held if s.unit == "deg"))
    wobble = np.concatenate(devs)
    # A robust SD (1.4826 x the median absolute wobble): a few frames the model gets wrong
    # (a knee sliding down the shin) are not the smoothing's jitter.
    return Figures(float(np.nanmedian(lags)), float(np.nanmedian(rlags)), float(np.median(speeds)),
                   float(1.4826 * np.median(np.abs(wobble))), float(np.percentile(np.concatenate(steps), 95)),
                   float(np.percentile(np.concatenate(steps), 99)))
