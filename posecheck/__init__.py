"""posecheck: check yoga poses against their alignment from landmarks.

Everything a program needs is importable flat from here: the core (landmarks, frames,
geometry, the body), specs and routines, judging one frame (``assess``, ``measure``), following
a person over time (``PoseTracker``, ``HoldCounter``, ``PoseRecognizer``), and the per-frame
session every front end uses (``Mode``, ``Session``) with its typed records. All of that is
plain numpy; the landmark model, video, drawing and the front ends live at the edges
(:mod:`posecheck.estimators`, :mod:`posecheck.io`, :mod:`posecheck.render`, :mod:`posecheck.app`)
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
    HistoryError,
    InputError,
    Interrupted,
    OutputError,
    PosecheckError,
    SpecError,
    UnknownPoseError,
    UnknownRoutineError,
)
from posecheck.judge.assess import Assessment, CheckResult, assess
from posecheck.judge.measure import FrameMeasurement, Measured, measure
from posecheck.judge.status import Reason, Status
from posecheck.session.records import (
    AutoSummary,
    CheckStats,
    PoseSummary,
    RoutineReport,
    Segment,
    SessionFrame,
    read_summary,
    summary_from_json,
    summary_to_json,
)
from posecheck.session.session import Mode, Session
from posecheck.specs import PoseSpec, SpecLibrary, load_spec
from posecheck.specs.routines import PlannedHold, Routine, RoutineLibrary
from posecheck.track.holds import Hold, HoldCounter
from posecheck.track.recogniser import PoseRecognizer
from posecheck.track.tracker import PoseTracker
from posecheck.track.verdict import CheckState, FrameVerdict
from posecheck.version import __version__

__all__ = [
    "Assessment", "AutoSummary", "BodyView", "CONNECTIONS", "CameraError", "CheckResult", "CheckState",
    "CheckStats", "DisplayError", "EstimatorError", "FrameMeasurement", "FrameVerdict", "HistoryError", "Hold",
    "HoldCounter", "InputError", "Interrupted", "Landmark", "Measured", "Mode", "OutputError", "PlannedHold",
    "PointFlag", "PoseFrame", "PoseRecognizer", "PoseSpec", "PoseSummary", "PoseTracker", "PosecheckError",
    "Reason", "Routine", "RoutineLibrary", "RoutineReport", "Segment", "Session", "SessionFrame", "SpecError",
    "SpecLibrary", "Status", "UnknownPoseError", "UnknownRoutineError", "__version__", "analyse_body", "assess",
    "load_spec", "measure", "read_summary", "summary_from_json", "summary_to_json",
]
