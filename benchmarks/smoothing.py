"""Lag and jitter of posecheck's smoothing, live and for recordings, on the labelled clips.

Run: ``.venv/bin/python benchmarks/smoothing.py [--cache DIR] [--markdown docs/accuracy.md]``.

Runs the real model on the moving and the held sample clips twice, with MediaPipe's own
landmark smoothing on and off (``--cache`` keeps those landmarks for the next run), then
replays them through the tracker a live run uses, with the smoothing settings before
issue 12, the ones posecheck uses now, and a grid around them; and through the zero-lag
filter of recordings. Per setting:

* **lag**: the delay of the shown value behind the true one while the body moves
  (front knee, frog shin–thigh and knee-over-ankle on the moving clips, 20–45°/s): the
  shift of the truth that best explains the shown values (least variance of the
  difference, so a constant offset of the model does not count), in ms;
* **jitter**: while the body holds still, the robust standard deviation of the shown
  value's quick wobble about the truth (the truth sways ±1–2° with breathing; the model's
  slow offset is taken out with a 1-second running mean), and the 95th and 99th
  percentiles of its change from one frame to the next (the target: under 1°).

The targets (issue 12): live, at most 100 ms lag at ~30°/s with a hold's shown angle
moving less than 1° frame to frame; recordings, no lag.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from posecheck.app.live import MEDIAPIPE_SMOOTHING as LIVE_MEDIAPIPE_SMOOTHING  # noqa: E402
from posecheck.io.landmarks_file import read_landmarks  # noqa: E402
from posecheck.specs import SpecLibrary  # noqa: E402
from posecheck.track.tracker import LIVE_BEFORE, LIVE_SMOOTHING, LiveSmoothing, OneEuroSettings  # noqa: E402
from posecheck.track.zerolag import RECORDING, ZeroLagSettings  # noqa: E402
from tools.evaluation import model_landmarks, replace_section  # noqa: E402
from tools.smoothing_eval import (  # noqa: E402
    CHECKS,
    HELD,
    LAG_TARGET_MS,
    MOVING,
    STEP_TARGET_DEG,
    Figures,
    errors_of,
    figures,
    series_of,
    truth_of,
)

SECTION = "smoothing"


FAST_CLIP = "tree_front_leg_lift"


def fast_error(landmarks: Path, zero_lag: ZeroLagSettings | None) -> float:
    """Median error of the lifted leg's 2D knee angle while it moves faster than 60°/s (the tree clip)."""
    from posecheck.core.geometry import joint_angle
    from posecheck.core.landmarks import Landmark
    from posecheck.session.session import Arrived
    from posecheck.session.smoothing import ZeroLagStage

    truth = truth_of(FAST_CLIP)
    by_frame = {f["frame"]: f for f in truth["per_frame"]}
    _, frames = read_landmarks(landmarks)
    frames = list(frames)
    if zero_lag is not None:
        stage = ZeroLagStage(24.0, zero_lag)
        frames = [(o.index, o.frame) for i, fr in frames for o in stage.push(Arrived(i, fr, fr))] + \
                 [(o.index, o.frame) for o in stage.flush()]
    pts = [Landmark.of("right", p) for p in ("hip", "knee", "ankle")]
    shown = np.array([float(joint_angle(*(fr.pixels[int(p)] for p in pts))) for _, fr in frames])
    true = np.array([float(joint_angle(*(np.array(by_frame[i]["joints_2d"][p.label]) for p in pts)))
                     for i, _ in frames])
    fast = np.abs(np.gradient(true, 1 / 24.0)) > 60.0
    return float(np.nanmedian(np.abs(shown - true)[fast]))


def _grid() -> list[tuple[str, LiveSmoothing]]:
    out = []
    for mc, beta, med in itertools.product((0.5, 1.0, 2.0, 3.0), (0.02, 0.05, 0.1, 0.3), (True, False)):
        out.append((f"One-Euro {mc:g} Hz, beta {beta:g}{', median of 3' if med else ''}",
                    LiveSmoothing(OneEuroSettings(mc, beta), OneEuroSettings(mc, 100 * beta), med)))
    return out


def _describe(s: LiveSmoothing) -> str:
    return (f"One-Euro {s.deg.min_cutoff:g} Hz, beta {s.deg.beta:g} (ratios {s.ratio.beta:g})"
            f"{', median of 3' if s.spike_median else ''}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--cache", type=Path, help="keep the model's landmarks here (made once per clip and setting)")
    ap.add_argument("--markdown", type=Path, help="write the tables into this Markdown file's smoothing section")
    ap.add_argument("--grid", action="store_true", help="also print every setting of the tuning grid")
    args = ap.parse_args()
    lib = SpecLibrary()
    with tempfile.TemporaryDirectory() as tmp:
        cache = args.cache or Path(tmp)
        marks = {(c, mp): model_landmarks(ROOT / "samples" / f"{c}.mp4", cache, mediapipe_smoothing=mp)
                 for c in MOVING + HELD + (FAST_CLIP,) for mp in (True, False)}

        def run(mp: bool, smoothing: LiveSmoothing | None, zero_lag: ZeroLagSettings = RECORDING) -> Figures:
            moving = [s for c in MOVING for s in series_of(c, marks[(c, mp)], lib, smoothing, zero_lag)]
            held = [s for c in HELD for s in series_of(c, marks[(c, mp)], lib, smoothing, zero_lag)]
            return figures(moving, held)

        # Per moving clip, the error before issue 12 (MediaPipe's smoothing, then the live One-Euro
        # settings, in score too) and now, each beside the raw model's on the same frames.
        per_clip = [(c, errors_of(c, marks[(c, True)], lib, LIVE_BEFORE), errors_of(c, marks[(c, False)], lib, None))
                    for c in MOVING]

        # The recording filter's cutoff, chosen here: lag, jitter, and the fastest movement.
        cutoffs = []
        for hz in (2.0, 3.0, 4.0, 6.0, 8.0):
            zl = ZeroLagSettings(hz)
            cutoffs.append((hz, run(False, None, zl), fast_error(marks[(FAST_CLIP, False)], zl)))
        raw_fast = fast_error(marks[(FAST_CLIP, False)], None)

        rows = [("live, before (MediaPipe smoothing on)", True, LIVE_BEFORE),
                ("live, before, MediaPipe smoothing off", False, LIVE_BEFORE),
                ("live, now", LIVE_MEDIAPIPE_SMOOTHING, LIVE_SMOOTHING),
                ("live, no smoothing at all (MediaPipe off)", False, LiveSmoothing(
                    OneEuroSettings(1e6, 0.0), OneEuroSettings(1e6, 0.0), False)),
                ("recording, before: live smoothing on MediaPipe's", True, LIVE_BEFORE),
                ("recording, now: zero-lag filter (MediaPipe off)", False, None)]
        measured = [(name, mp, s, run(mp, s)) for name, mp, s in rows]
        grid = []
        if args.grid:
            for mp in (True, False):
                for name, s in _grid():
                    grid.append((f"{name}, MediaPipe smoothing {'on' if mp else 'off'}", run(mp, s)))
    lines = ["| setting | smoothing | lag, angles (ms) | lag, knee over ankle (ms) | hold: jitter SD (°) "
             "| hold: frame-to-frame change, p95 / p99 (°) | targets met |", "|---|---|---|---|---|---|---|"]
    for name, mp, s, f in measured:
        how = "zero-lag Butterworth (posecheck.track.zerolag.RECORDING)" if s is None else _describe(s)
        met = "—" if name.startswith("recording") else ("yes" if f.meets else "no")
        lines.append(f"| {name} | {how} | {f.lag_ms:.0f} | {f.ratio_lag_ms:.0f} | {f.sd:.2f} | {f.step_p95:.2f} / "
                     f"{f.step_p99:.2f} | {met} |")
    lines += ["", "Per moving clip, the error against the truth of what `score` reports (posecheck) and of the "
              "raw model on the same frames (its own landmarks, same geometry, no smoothing), median / p95; "
              "before issue 12 the raw landmarks were MediaPipe's smoothed ones:", "",
              "| clip | check | before: posecheck | before: raw model | now: posecheck | now: raw model |",
              "|---|---|---|---|---|---|"]

    def mp(a: np.ndarray, col: int, unit: str) -> str:
        if not len(a):
            return "—"
        m, p = np.median(a[:, col]), np.percentile(a[:, col], 95)
        return f"{m:.1f}° / {p:.1f}°" if unit == "deg" else f"{m:.3f} / {p:.3f}"

    for clip, before, now in per_clip:
        for cid in CHECKS:
            if cid in now:
                unit = "ratio" if cid == "knee_over_ankle" else "deg"
                b = before.get(cid, np.zeros((0, 2)))
                lines.append(f"| {clip} | {cid} | {mp(b, 0, unit)} | {mp(b, 1, unit)} | {mp(now[cid], 0, unit)} "
                             f"| {mp(now[cid], 1, unit)} |")
    lines += ["", "The recording filter's cutoff (MediaPipe smoothing off; the fastest movement is the tree clip's "
              f"knee lift, up to 330°/s: its knee angle's median error while moving faster than 60°/s is "
              f"{raw_fast:.2f}° unfiltered):", "",
              "| cutoff | lag, angles (ms) | hold: jitter SD (°) | hold: frame-to-frame change, p95 / p99 (°) "
              "| fast lift: median error (°) | used |", "|---|---|---|---|---|---|"]
    for hz, f, fast in cutoffs:
        lines.append(f"| {hz:g} Hz | {f.lag_ms:.0f} | {f.sd:.2f} | {f.step_p95:.2f} / {f.step_p99:.2f} | {fast:.2f} "
                     f"| {'yes' if hz == RECORDING.cutoff_hz else ''} |")
    speed = measured[0][3].speed
    lines += ["", f"Moving clips: {', '.join(MOVING)} (the true angle moves at a median {speed:.0f}°/s while "
              f"moving); held clips: {', '.join(HELD)}. Lag targets: at most {LAG_TARGET_MS:.0f} ms live, with a "
              f"hold's shown angle changing less than {STEP_TARGET_DEG:g}° from one frame to the next (95th "
              f"percentile); 24 fps clips, so one frame is 42 ms."]
    if grid:
        lines += ["", "| grid setting | lag (ms) | ratio lag (ms) | hold SD (°) | step p95 / p99 (°) | targets met |",
                  "|---|---|---|---|---|---|"]
        lines += [f"| {n} | {f.lag_ms:.0f} | {f.ratio_lag_ms:.0f} | {f.sd:.2f} | {f.step_p95:.2f} / {f.step_p99:.2f} | "
                  f"{'yes' if f.meets else 'no'} |" for n, f in grid]
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        body = ("## Smoothing: lag and jitter\n\nGenerated by `benchmarks/smoothing.py` (the real model on the "
                "moving and held sample clips, MediaPipe's own smoothing on and off).\n\n" + text + "\n")
        replace_section(args.markdown, SECTION, body)


if __name__ == "__main__":
    main()
