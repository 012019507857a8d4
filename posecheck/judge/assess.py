"""Assessing one frame against one spec: a value, a status and a cue per check.

Honest measurement comes first. A check whose points the model cannot see is
``unknown`` with the reason; a camera view the spec cannot be judged from, or a
limb pointing so much at the camera that its angle means nothing, gives a camera
instruction instead of a correction. Measuring is :mod:`posecheck.judge.measure`;
this module turns measurements into verdicts and sentences.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from posecheck.core.body import BodyView, FloorView
from posecheck.core.frame import PoseFrame
from posecheck.core.landmarks import Landmark
from posecheck.judge.measure import FrameMeasurement, Measured, measure
from posecheck.judge.status import Reason, Status
from posecheck.judge.wording import correction, unknown_cue
from posecheck.specs.accuracy import uncertainty_of


@dataclass(frozen=True)
class CheckResult:
    """The verdict on one check in one frame.

    Attributes:
        id: the check's id.
        value: the measured value (degrees or ratio), NaN when unknown.
        status: ok / near / off / unknown.
        deviation: signed distance from the target (NaN when unknown).
        cue: what to tell the person: a correction for ``off``/``near``, a camera
            or visibility instruction for ``unknown``, None when ``ok``.
        reason: why the check is unknown (None otherwise).
        anchor: the landmark where the value belongs on a drawing (None if unresolved).
        landmarks: the landmarks the check used.
    """

    id: str
    value: float
    status: Status
    deviation: float = float("nan")
    cue: str | None = None
    reason: Reason | None = None
    anchor: Landmark | None = None
    landmarks: tuple[Landmark, ...] = ()

    @property
    def measured(self) -> bool:
        """Whether the check produced a value."""
        return self.status is not Status.UNKNOWN


@dataclass(frozen=True)
class Assessment:
    """Every check of a spec, judged in one frame."""

    pose: str
    timestamp: float
    side: str | None
    body: BodyView
    results: tuple[CheckResult, ...]
    camera_cue: str | None = None
    _by_id: dict[str, CheckResult] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_id.update({r.id: r for r in self.results})

    def __getitem__(self, check_id: str) -> CheckResult:
        return self._by_id[check_id]

    @property
    def measured_share(self) -> float:
        """Share of checks with a value."""
        return sum(r.measured for r in self.results) / max(len(self.results), 1)


def band_status(target, value: float, uncertainty: float = 0.0) -> tuple[Status, float]:  # noqa: ANN001
    """The status of ``value`` against ``target``'s bands, and its signed deviation.

    Args:
        target: the check's :class:`~posecheck.specs.models.Target`.
        value: the measured value.
        uncertainty: the check's measured ± (:mod:`posecheck.specs.accuracy`): a value within
            it of the near band's edge may truly lie inside, so it is never called ``off``.
    """
    dev = target.deviation(value)
    mag = abs(dev)
    if mag <= target.ok:
        return Status.OK, dev
    if mag <= target.near + uncertainty:
        return Status.NEAR, dev
    return Status.OFF, dev


def unknown_result(spec, m: Measured) -> CheckResult:  # noqa: ANN001
    """The verdict for a measurement without a value: unknown, with the instruction that fits."""
    cue = unknown_cue(spec, m.reason, side=m.about_side, hidden=m.hidden, off_parts=m.off_parts,
                      near_side=m.near_side, role=m.role)
    return CheckResult(m.id, math.nan, Status.UNKNOWN, cue=cue, reason=m.reason, anchor=m.anchor,
                       landmarks=m.landmarks)


def judge_measurement(spec, check, m: Measured, side: str | None) -> CheckResult:  # noqa: ANN001
    """The verdict on one measured check (no smoothing: this frame alone)."""
    if not m.measured:
        return unknown_result(spec, m)
    status, dev = band_status(check.target, m.value, uncertainty_of(spec, check.id))
    cue = None
    if status is not Status.OK:
        cue = correction(check.cues, dev, side, m.value, check.target.describe())
    return CheckResult(m.id, m.value, status, dev, cue, None, m.anchor, m.landmarks)


def camera_cue_of(results: tuple[CheckResult, ...]) -> str | None:
    """The instruction to give first: about the camera or framing, else about visibility.

    Anything that stops a check being judged is about the camera or visibility: it is said
    first, so the person fixes the view before chasing a correction.
    """
    camera = next((r.cue for r in results if r.reason is not None and r.reason.about_camera), None)
    if camera is None:
        camera = next((r.cue for r in results if r.reason in (Reason.NOT_VISIBLE, Reason.IMPLAUSIBLE,
                                                              Reason.NO_PERSON)), None)
    return camera


def judge_frame(spec, fm: FrameMeasurement) -> Assessment:  # noqa: ANN001
    """Turn a frame's measurements into verdicts and the camera cue."""
    results = tuple(judge_measurement(spec, c, m, fm.side) for c, m in zip(spec.checks, fm.checks))
    return Assessment(spec.id, fm.timestamp, fm.side, fm.body, results, camera_cue_of(results))


def assess(frame: PoseFrame, spec, side: str | None = None,  # noqa: ANN001 - a PoseSpec
           floor: FloorView | None = None, body: BodyView | None = None) -> Assessment:
    """Judge every check of ``spec`` in ``frame``.

    Args:
        frame: the landmarks of one image.
        spec: the pose to judge against.
        side: for ``front_back`` specs, force which leg is in front (``left``/``right``)
            instead of finding it from the landmarks.
        floor: how the camera sees the floor, for ``plane: floor`` angles; estimated
            from this frame when not given.
        body: the frame's :func:`~posecheck.core.body.analyse_body` result, if the caller has it.

    Returns:
        The :class:`Assessment`, with one :class:`CheckResult` per check in spec order.
    """
    return judge_frame(spec, measure(frame, spec, side=side, floor=floor, body=body))


__all__ = ["Assessment", "CheckResult", "Reason", "Status", "assess", "band_status", "camera_cue_of",
           "judge_frame", "judge_measurement", "unknown_result"]
