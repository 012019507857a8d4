"""Pose specs: the declarative description of a pose and the alignment it needs."""

from __future__ import annotations

from posecheck.specs.library import SpecLibrary, bundled_specs_dir
from posecheck.specs.loader import load_spec, validate_data, validate_paths
from posecheck.specs.models import CheckSpec, Cues, Hold, PoseSpec, Repetitions, Target, normalise_name

__all__ = [
    "CheckSpec", "Cues", "Hold", "PoseSpec", "Repetitions", "SpecLibrary", "Target",
    "bundled_specs_dir", "load_spec", "normalise_name", "validate_data", "validate_paths",
]
