"""``posecheck serve`` round trip: a frame leaving the page to its answer arriving, against the model's time.

Run: ``.venv/bin/python benchmarks/serve_latency.py [--clip samples/lunge_side_90_left.mp4] [--seconds 20]``.
Needs Chromium (``apt-get install chromium``) and Playwright's Python package (the test
extras); nothing is downloaded.

A real ``posecheck serve`` (its own process) and a real headless Chromium whose fake camera
plays the clip (looped). The page sends the next frame only when the answer to the last
one has arrived (newest frame wins). Per frame it records the round trip (from
``WebSocket.send`` to the answer's arrival) and the server reports its own time and the
model's, for the same frame: the baseline is measured in the same run, on the same
frames. Target: round trip median at most the model's median + 15 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser import browser, serve, to_y4m, wait_for  # noqa: E402

#: The first answers include the model's warm-up (its first run takes about 0.5 s).
WARM_UP = 5
TARGET_MS = 15.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--clip", type=Path, default=ROOT / "samples" / "lunge_side_90_left.mp4")
    ap.add_argument("--pose", default="kneeling_lunge")
    ap.add_argument("--seconds", type=float, default=20.0, help="how long the session runs")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="posecheck-serve-bench-") as tmp:
        camera = to_y4m(args.clip, Path(tmp) / "camera.y4m")
        with serve("--no-history", "--sessions", str(Path(tmp) / "sessions"),
                   env={"POSECHECK_HOME": str(Path(tmp) / "home")}) as server, browser(camera) as ctx:
            page = ctx.new_page()
            page.goto(server.url)
            wait_for(page, "document.getElementById('conn').textContent === 'connected'", 30)
            page.select_option("#choice", f"pose:{args.pose}")
            page.click("#start")
            wait_for(page, "document.body.dataset.phase === 'running'", 60)
            started = time.monotonic()
            page.wait_for_timeout(args.seconds * 1000)
            stats = page.evaluate("window.posecheck.stats")
            elapsed = time.monotonic() - started
            page.keyboard.press("q")
            wait_for(page, "document.body.dataset.phase === 'idle'", 60)

    rtt, model, own, encode = (np.asarray(stats[k][WARM_UP:], dtype=float) for k in ("rtt", "model", "server", "encode"))
    n = min(len(rtt), len(model), len(own))
    rtt, model, own = rtt[:n], model[:n], own[:n]
    if n == 0:
        sys.exit("no answers measured")

    def q(v: np.ndarray, p: float) -> float:
        return float(np.percentile(v, p))

    over = q(rtt, 50) - q(model, 50)
    print(f"clip {args.clip.name} looped by Chromium's fake camera, {elapsed:.0f} s, {n} answers measured "
          f"(first {WARM_UP} left out: the model's warm-up)")
    print(f"answers per second                       {stats['answers'] / elapsed:6.1f}")
    print(f"round trip ms (page send -> answer)      median {q(rtt, 50):6.1f}  p95 {q(rtt, 95):6.1f}")
    print(f"model ms per frame (same frames)         median {q(model, 50):6.1f}  p95 {q(model, 95):6.1f}")
    print(f"round trip minus model ms (per frame)    median {q(rtt - model, 50):6.1f}  p95 {q(rtt - model, 95):6.1f}")
    print(f"server ms (decode, model, session, files) median {q(own, 50):6.1f}  p95 {q(own, 95):6.1f}")
    print(f"socket and page ms (round trip - server) median {q(rtt - own, 50):6.1f}  p95 {q(rtt - own, 95):6.1f}")
    print(f"page's capture and JPEG encoding ms      median {statistics.median(encode):6.1f}  (before the send)")
    print(f"target: round trip median at most model median + {TARGET_MS:.0f} ms: model + {over:.1f} ms: "
          f"{'yes' if over <= TARGET_MS else 'NO'}")


if __name__ == "__main__":
    main()
