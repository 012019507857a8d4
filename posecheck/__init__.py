"""posecheck: check yoga poses against their alignment from landmarks.

The core is plain numpy and re-exported flat here; the landmark model, video and
drawing live at the edges (:mod:`posecheck.estimators`, :mod:`posecheck.io.media`)
and are imported only when used.
"""

from __future__ import annotations

from posecheck.core.body import BodyView, analyse_body
from posecheck.core.frame import PointFlag, PoseFrame
from posecheck.core.landmarks import CONNECTIONS, Landmark
from posecheck.errors import (
    CameraError,
    DisplayError,
    EstimatorError,
    InputError,
    OutputError,
    PosecheckError,
    SpecError,
    UnknownPoseError,
)
from posecheck.judge.assess import Assessment, CheckResult, Reason, Status, assess
from posecheck.specs import PoseSpec, SpecLibrary, load_spec
from posecheck.version import __version__

__all__ = [
    "Assessment", "BodyView", "CONNECTIONS", "CameraError", "CheckResult", "DisplayError",
    "EstimatorError", "InputError", "Landmark", "OutputError", "PointFlag", "PosecheckError",
    "PoseFrame", "PoseSpec", "Reason", "SpecError", "SpecLibrary", "Status", "UnknownPoseError",
    "__version__", "analyse_body", "assess", "load_spec",
]
