"""How long assessing one frame against one spec takes (target: well under 1 ms).

Run: ``.venv/bin/python benchmarks/assess_speed.py`` (or ``make bench``).
"""

from __future__ import annotations

import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from posecheck.judge.assess import assess  # noqa: E402
from posecheck.specs import SpecLibrary  # noqa: E402
from tests import factories  # noqa: E402


def main() -> None:
    lib = SpecLibrary()
    frames = {
        "kneeling_lunge": factories.lunge(knee_angle=105, shin_tilt=8),
        "low_lunge": factories.lunge(back_knee_lift=0.3),
        "frog": factories.frog(left_angle=100, right_angle=85, pitch=45),
    }
    print(f"{'spec':<16} {'checks':>6} {'median µs/frame':>16} {'best µs/frame':>14}")
    for name, frame in frames.items():
        spec = lib.get(name)
        assess(frame, spec)  # compile once, as a run does
        n = 2000
        runs = timeit.repeat(lambda: assess(frame, spec), number=n, repeat=7)
        per = sorted(r / n * 1e6 for r in runs)
        print(f"{name:<16} {len(spec.checks):>6} {per[len(per) // 2]:>16.1f} {per[0]:>14.1f}")


if __name__ == "__main__":
    main()
