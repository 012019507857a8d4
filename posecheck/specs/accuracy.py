"""How far each check's value can be trusted: the accuracy measured on the labelled samples.

``benchmarks/accuracy.py --write-accuracy`` compares every check with the ground truth of
the sample clips and writes ``accuracy.json`` beside the bundled specs. Per pose and
check it keeps the measured error and the *uncertainty* shown to users ("116° ± 6°"):
the 95th percentile of the absolute error over the clips filmed from the view the pose
needs where the landmark model tracks the body, rounded up.

A figure belongs to the check as it was measured: each entry carries a fingerprint of the
check's measurement (kind, points, options), and a spec whose check measures something
else (a user's edited copy) gets no uncertainty rather than a borrowed one.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from posecheck.specs.library import bundled_specs_dir
from posecheck.specs.models import CheckSpec, PoseSpec

ACCURACY_FILE = "accuracy.json"


@dataclass(frozen=True)
class MeasuredAccuracy:
    """The measured accuracy of one check.

    Attributes:
        uncertainty: the ± to show with a value (the 95th percentile of the absolute error,
            rounded up), in the check's unit.
        median_error: the median absolute error.
        frames: frames measured.
        clips: clips they came from.
    """

    uncertainty: float
    median_error: float
    frames: int
    clips: int

    def describe(self, unit: str) -> str:
        """``± 6°`` or ``± 0.05``."""
        return f"± {self.uncertainty:g}°" if unit == "deg" else f"± {self.uncertainty:g}"


def fingerprint(check: CheckSpec) -> str:
    """What a check measures (kind, points, relative_to, options), as a short hash."""
    what = {"kind": check.kind, "points": list(check.points), "relative_to": list(check.relative_to or []),
            "options": dict(sorted(check.options.items()))}
    return hashlib.sha256(json.dumps(what, sort_keys=True).encode()).hexdigest()[:12]


@lru_cache(maxsize=4)
def _table(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("checks", {})
    except (OSError, ValueError):
        return {}  # no measured accuracy: values are shown without a ±


def accuracy_of(spec: PoseSpec, check_id: str, folder: Path | None = None) -> MeasuredAccuracy | None:
    """The measured accuracy of ``spec``'s check ``check_id``, or None when it was never measured.

    Args:
        spec: the pose.
        check_id: one of its checks.
        folder: where ``accuracy.json`` is (default: beside the bundled specs).
    """
    check = spec.find_check(check_id)
    if check is None:
        return None
    entry = _table((folder or bundled_specs_dir()) / ACCURACY_FILE).get(spec.id, {}).get(check_id)
    if not entry or entry.get("fingerprint") != fingerprint(check) or entry.get("uncertainty") is None:
        return None
    u = float(entry["uncertainty"])
    if not math.isfinite(u) or u < 0:
        return None
    return MeasuredAccuracy(u, float(entry.get("median_error", math.nan)), int(entry.get("frames", 0)),
                         int(entry.get("clips", 0)))


def uncertainty_of(spec: PoseSpec, check_id: str) -> float:
    """The check's ± (0.0 when it was never measured: nothing to widen a band by)."""
    acc = accuracy_of(spec, check_id)
    return acc.uncertainty if acc is not None else 0.0


__all__ = ["ACCURACY_FILE", "MeasuredAccuracy", "accuracy_of", "fingerprint", "uncertainty_of"]
