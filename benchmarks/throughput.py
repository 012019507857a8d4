"""Throughput of posecheck against a bare MediaPipe loop, on one 1280x720 clip.

Run: ``.venv/bin/python benchmarks/throughput.py [--rounds 2] [--markdown docs/performance.md]``.

In one process, alternating, it runs:
  (a) the bare loop: OpenCV decode, colour conversion, MediaPipe ``process``;
  (b) ``score`` without the annotated video (assessment, smoothing, cues, CSV, landmarks);
  (c) ``score`` with the annotated H.264 video;
  (d) the live loop driven by the clip, headless, every frame;
and prints frames per second for each, the ratios to (a), posecheck's own time per
frame (tracker + cues, and drawing at 720p, measured separately on the same frames),
and the process's peak memory.
"""

from __future__ import annotations

import argparse
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def make_clip(path: Path, seconds: float, size=(1280, 720)) -> int:
    """The lunge sample looped to ``seconds`` and scaled to ``size``; returns the frame count."""
    import av
    import cv2

    src = ROOT / "samples" / "lunge_side_90_left.mp4"
    with av.open(str(src)) as c:
        frames = [cv2.resize(f.to_ndarray(format="bgr24"), size) for f in c.decode(video=0)]
    n = int(seconds * 24)
    with av.open(str(path), "w") as c:
        s = c.add_stream("libx264", rate=24)
        s.width, s.height, s.pix_fmt = size[0], size[1], "yuv420p"
        for i in range(n):
            k = i % (2 * len(frames) - 2)  # forth and back, so the loop has no jump
            img = frames[k if k < len(frames) else 2 * len(frames) - 2 - k]
            for p in s.encode(av.VideoFrame.from_ndarray(img, format="bgr24")):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    return n


def bare(clip: Path) -> tuple[int, float]:
    import cv2
    import mediapipe as mp

    pose = mp.solutions.pose.Pose(static_image_mode=False, model_complexity=1)
    cap = cv2.VideoCapture(str(clip))
    n = 0
    t0 = time.perf_counter()
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        pose.process(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
        n += 1
    dt = time.perf_counter() - t0
    pose.close()
    return n, dt


def score(clip: Path, video: bool, tmp: Path) -> tuple[int, float, Path]:
    from posecheck.scoring import ScoreOptions, score_file
    from posecheck.specs import SpecLibrary

    out = tmp / f"score-{video}-{time.monotonic_ns()}"
    t0 = time.perf_counter()
    res = score_file(clip, SpecLibrary().get("kneeling_lunge"), out, ScoreOptions(video=video))
    return res.summary["frames"], time.perf_counter() - t0, out


def live(clip: Path, tmp: Path) -> tuple[int, float, object]:
    from posecheck.live import LiveOptions, run_live
    from posecheck.specs import SpecLibrary

    t0 = time.perf_counter()
    res = run_live(SpecLibrary().get("kneeling_lunge"),
                   LiveOptions(source=clip, headless=True, realtime=False, sessions_dir=tmp / "sessions"))
    return res.stats.frames, time.perf_counter() - t0, res.stats


def own_work(landmarks: Path, clip: Path) -> tuple[float, float]:
    """Median ms per frame of tracker + cue choice, and of drawing at the clip's size."""
    import av

    from posecheck.cues import CueScheduler
    from posecheck.drawing import OverlayInfo, draw_overlay
    from posecheck.feedback import cue_candidates
    from posecheck.landmarks_io import read_raw
    from posecheck.specs import SpecLibrary
    from posecheck.tracker import PoseTracker

    spec = SpecLibrary().get("kneeling_lunge")
    _, raws = read_raw(landmarks)
    frames = [r.to_frame() for _, r in raws]
    with av.open(str(clip)) as c:
        image = next(c.decode(video=0)).to_ndarray(format="bgr24")
    tracker, sched = PoseTracker(spec), CueScheduler(clock=lambda: 0.0)
    own, draw = [], []
    for f in frames:
        t0 = time.perf_counter()
        v = tracker.update(f)
        cue = sched.update(cue_candidates(v, spec.praise))
        t1 = time.perf_counter()
        draw_overlay(image, f, v, OverlayInfo(title=spec.title, cue=cue.text if cue else None, hold_s=3.0,
                                              hold_target_s=30.0))
        t2 = time.perf_counter()
        own.append((t1 - t0) * 1000)
        draw.append((t2 - t1) * 1000)
    return statistics.median(own[10:]), statistics.median(draw[10:])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--markdown", type=Path)
    args = ap.parse_args()
    fps: dict[str, list[float]] = {"a": [], "b": [], "c": [], "d": []}
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        clip = tmp / "clip720.mp4"
        n = make_clip(clip, args.seconds)
        landmarks = None
        live_stats = None
        for _ in range(args.rounds):
            k, dt = bare(clip)
            fps["a"].append(k / dt)
            k, dt, out = score(clip, False, tmp)
            fps["b"].append(k / dt)
            landmarks = out / "landmarks.jsonl"
            k, dt, _ = score(clip, True, tmp)
            fps["c"].append(k / dt)
            k, dt, live_stats = live(clip, tmp)
            fps["d"].append(k / dt)
        own_ms, draw_ms = own_work(landmarks, clip)
    best = {k: max(v) for k, v in fps.items()}
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = [
        ("(a) bare MediaPipe loop", best["a"], 1.0),
        ("(b) score, no video", best["b"], best["b"] / best["a"]),
        ("(c) score with annotated H.264", best["c"], best["c"] / best["a"]),
        ("(d) live loop, headless, every frame", best["d"], best["d"] / best["a"]),
    ]
    lines = ["| run | frames/s | ratio to (a) |", "|---|---|---|"]
    lines += [f"| {name} | {f:.1f} | {r:.2f} |" for name, f, r in rows]
    lat = np.asarray(live_stats.latency_ms[5:])
    model = np.asarray(live_stats.model_ms[5:])
    lines += [
        "",
        f"- clip: {n} frames, 1280x720, 24 fps; best of {args.rounds} rounds per run, alternated.",
        f"- posecheck's own work per frame (tracker: assessment, smoothing, jump guard, holds; cue choice): "
        f"{own_ms:.2f} ms median.",
        f"- drawing the overlay at 1280x720: {draw_ms:.2f} ms median.",
        f"- live loop: frame-to-display latency median {np.median(lat):.1f} ms, model time median "
        f"{np.median(model):.1f} ms (latency minus model: {np.median(lat - model):.1f} ms).",
        f"- peak memory of the whole benchmark process: {peak_mb:.0f} MB.",
        f"- machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
        f"2 cores; other work on the machine during the run adds noise.",
    ]
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        args.markdown.write_text("# Performance\n\nGenerated by `benchmarks/throughput.py` (run it with "
                                 "`.venv/bin/python benchmarks/throughput.py --markdown docs/performance.md`).\n\n"
                                 + text + "\n")


if __name__ == "__main__":
    main()
