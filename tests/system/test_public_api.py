"""The public API is importable flat from ``posecheck``, and importing it loads no edge library."""

from __future__ import annotations

import subprocess
import sys

import posecheck

from ..cli_helpers import ROOT


def test_every_public_name_is_there():
    for name in posecheck.__all__:
        assert getattr(posecheck, name) is not None, name
    # The session a program builds on, from one import.
    for name in ("Mode", "Session", "PoseTracker", "HoldCounter", "PoseSummary", "assess", "SpecLibrary"):
        assert name in posecheck.__all__


def test_importing_posecheck_loads_no_model_video_drawing_or_cli_library():
    code = ("import sys, posecheck; "
            "print(sorted(m for m in ('mediapipe', 'cv2', 'av', 'matplotlib', 'click', 'rich', 'PIL') "
            "if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]", run.stdout
