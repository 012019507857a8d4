"""Live loop latency and frame rate, driven by a sample clip played like a camera.

Run: ``.venv/bin/python benchmarks/live_latency.py [--clip samples/lunge_side_90_left.mp4] [--loops 3]``.
Prints frames per second shown, frame-to-display latency (from the moment a frame is
captured to the moment the overlay for it is ready and shown/recorded), the model's
time per frame, posecheck's own per-frame work (tracker + cues, and drawing), and how
many camera frames were dropped because the model was busy (newest-frame policy).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from posecheck.app.live import LiveOptions, run_live  # noqa: E402
from posecheck.session.session import Mode  # noqa: E402
from posecheck.specs import SpecLibrary  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--clip", type=Path, default=ROOT / "samples" / "lunge_side_90_left.mp4")
    ap.add_argument("--pose", default="kneeling_lunge")
    ap.add_argument("--loops", type=int, default=3, help="runs to pool")
    args = ap.parse_args()
    spec = SpecLibrary().get(args.pose)
    lat, model, own, draw, fps, dropped, captured = [], [], [], [], [], 0, 0
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.loops):
            res = run_live(Mode.pose(spec), LiveOptions(source=args.clip, headless=True, sessions_dir=Path(tmp) / str(i)))
            s = res.stats
            lat += s.latency_ms[5:]  # the first frames include the model's warm-up
            model += s.model_ms[5:]
            own += s.own_ms[5:]
            draw += s.draw_ms[5:]
            fps.append(s.fps)
            dropped += s.dropped
            captured += s.captured

    def q(v, p):
        return float(np.percentile(v, p))

    print(f"clip {args.clip.name}, {args.loops} runs, {len(lat)} frames measured")
    print(f"frames shown per second      {statistics.mean(fps):6.1f}")
    print(f"frame-to-display latency ms  median {q(lat, 50):6.1f}  p95 {q(lat, 95):6.1f}")
    print(f"model ms per frame           median {q(model, 50):6.1f}  p95 {q(model, 95):6.1f}")
    print(f"latency minus model ms       median {q(np.subtract(lat, model), 50):6.1f}")
    print(f"own work ms (tracker, cues)  median {q(own, 50):6.2f}  p95 {q(own, 95):6.2f}")
    print(f"drawing ms                   median {q(draw, 50):6.2f}  p95 {q(draw, 95):6.2f}")
    print(f"camera frames dropped        {dropped} of {captured} (newest frame wins)")


if __name__ == "__main__":
    main()
