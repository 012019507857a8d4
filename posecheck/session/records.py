"""The typed records a session produces: what ``summary.json`` holds, and what each frame shows.

Every summary figure has one name and one type here; ``summary.json`` is these records
dumped field by field (:func:`summary_to_json`), read back with :func:`summary_from_json`
(older files without the newer fields read too), and described by :func:`summary_json_schema`.
``version`` is the summary format's version, not posecheck's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Union

from posecheck.track.holds import Hold

#: The version of the ``summary.json`` format (1: before the field was written; 3: a check's
#: ``most_common_cue`` is the cue the person was given, and ``correction`` its own correction).
SUMMARY_VERSION = 3

SCORE_SENTENCE = (
    "The score is the average, over the time you were in the pose and the camera could judge "
    "you, of how well each check matched its target — ok counts fully, near half, off nothing — "
    "weighted by how much each check matters. Time the tool could not judge is reported as "
    "'not judged', never counted as good form."
)


@dataclass(frozen=True, kw_only=True)
class CheckStats:
    """One check over the frames in the pose (or every frame, when never in it).

    Attributes:
        median, p10, p90: of its measured values (None when never measured).
        pct_ok, pct_near, pct_off, pct_unknown: share of those frames per status, in percent.
        most_common_cue: the cue the person was given about it most often: a correction of it,
            or an instruction to let the camera see its joints (None: none was given).
        correction: the correction its own frames asked for most often, given or not (another
            check's cue may have been more urgent); what to work on (None: never near or off,
            or never in the pose).
        target: the target as text (``90``, ``≤0.15``).
        label: the check's short name.
        uncertainty: the check's measured accuracy, the ± of each value in the check's unit
            (degrees or ratio; None when it was never measured on labelled clips); a value
            within it of the near band's edge is never counted ``off``.
        unit: ``deg`` (the values are degrees) or ``ratio``; empty in files written before it.
    """

    median: float | None = None
    p10: float | None = None
    p90: float | None = None
    pct_ok: float = 0.0
    pct_near: float = 0.0
    pct_off: float = 0.0
    pct_unknown: float = 0.0
    most_common_cue: str | None = None
    correction: str | None = None
    target: str = ""
    label: str = ""
    uncertainty: float | None = None
    unit: str = ""


@dataclass(frozen=True, kw_only=True)
class SideTotals:
    """The holds of one side (``left``/``right``, or ``both`` for poses without sides).

    Attributes:
        holds: how many holds on this side.
        time_in_pose_s, time_in_good_form_s: their seconds in the pose, and in good form.
        checks: poses with sides: each check over this side's frames in the pose, so the sides
            can be set against each other (empty for ``both``).
    """

    holds: int = 0
    time_in_pose_s: float = 0.0
    time_in_good_form_s: float = 0.0
    checks: dict[str, CheckStats] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class PoseTotals:
    """One pose's share of a ``--pose auto`` run."""

    segments: int = 0
    time_in_pose_s: float = 0.0
    time_in_good_form_s: float = 0.0


@dataclass(frozen=True, kw_only=True)
class Segment:
    """A stretch of a ``--pose auto`` run recognised as one pose (and side), judged as that pose."""

    pose: str
    side: str | None = None
    start_s: float = 0.0
    end_s: float = 0.0
    pose_title: str = ""
    frames: int = 0
    score: float | None = None
    time_in_pose_s: float = 0.0
    time_in_good_form_s: float = 0.0
    time_not_judged_s: float = 0.0
    holds: list[Hold] = field(default_factory=list)
    checks: dict[str, CheckStats] = field(default_factory=dict)
    hold_target_s: float | None = None


@dataclass(frozen=True, kw_only=True)
class PersonChange:
    """A frame from which the landmarks belong to another person than the frames before.

    What was measured before it and after it is never joined into one hold or segment.

    Attributes:
        frame: the frame's index in the input.
        t_s: its time in seconds.
    """

    frame: int
    t_s: float


#: The event (``SessionFrame.events``, the ``events`` column of ``frames.csv``) of a frame
#: whose landmarks belong to another person than the frames before.
PERSON_CHANGED = "person changed"
#: The event of a frame whose left and right (of some part of the body) were swapped back.
SIDES_SWAPPED = "left and right swapped back"
#: The event of a frame with joints that no body moving as bodies move puts where they are.
IMPLAUSIBLE = "implausible joints"


@dataclass(frozen=True, kw_only=True)
class RoutineStepReport:
    """One planned hold of a routine and what was done for it."""

    pose: str
    title: str = ""
    side: str | None = None
    repetition: int = 1
    hold_target_s: float | None = None
    done: bool = False
    start_s: float | None = None
    end_s: float | None = None
    score: float | None = None
    time_in_pose_s: float | None = None
    time_in_good_form_s: float | None = None
    held_long_enough: bool | None = None


@dataclass(frozen=True, kw_only=True)
class RoutineReport:
    """A routine's plan against what was done."""

    id: str
    title: str = ""
    holds_planned: int = 0
    holds_done: int = 0
    holds_skipped: int = 0
    holds_long_enough: int = 0
    steps: list[RoutineStepReport] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class _Run:
    """How the run was made (both summary shapes end with these; None where one does not apply)."""

    estimator: str | None = None
    stride: int | None = None
    frames_lost: int | None = None
    side_option: str | None = None
    posecheck_version: str | None = None
    mode: str | None = None
    ended_by: str | None = None
    frames_captured: int | None = None
    frames_dropped: int | None = None
    #: The landmarks were found in this many time chunks in parallel (None: in one pass), each
    #: chunk's model warmed up over ``chunk_overlap_s`` seconds before it; judged as one stream.
    chunks: int | None = None
    chunk_overlap_s: float | None = None
    region: str | None = None


@dataclass(frozen=True, kw_only=True)
class _PoseFigures:
    version: int = SUMMARY_VERSION
    pose: str
    pose_title: str = ""
    input: str = ""
    complete: bool = True
    frames: int = 0
    frames_with_person: int = 0
    fps: float = 0.0
    duration_s: float | None = 0.0
    score: float | None = None
    score_means: str = SCORE_SENTENCE
    time_in_pose_s: float | None = 0.0
    time_in_good_form_s: float | None = 0.0
    time_not_judged_s: float | None = 0.0
    hold_target_s: float | None = None
    holds: list[Hold] = field(default_factory=list)
    sides: dict[str, SideTotals] = field(default_factory=dict)
    checks: dict[str, CheckStats] = field(default_factory=dict)
    checks_over: str = "frames in the pose"
    most_common_camera_cue: str | None = None
    person_changes: list[PersonChange] = field(default_factory=list)
    photos: int | None = None
    photos_in_pose: int | None = None
    photos_in_good_form: int | None = None


@dataclass(frozen=True, kw_only=True)
class _AutoFigures:
    version: int = SUMMARY_VERSION
    pose: Literal["auto"] = "auto"
    input: str = ""
    complete: bool = True
    frames: int = 0
    fps: float = 0.0
    duration_s: float = 0.0
    score: float | None = None
    time_in_pose_s: float = 0.0
    time_in_good_form_s: float = 0.0
    segments: list[Segment] = field(default_factory=list)
    poses: dict[str, PoseTotals] = field(default_factory=dict)
    routine: RoutineReport | None = None
    person_changes: list[PersonChange] = field(default_factory=list)


# The figures come first in summary.json, then how the run was made: a dataclass lists the
# fields of its last base first.
@dataclass(frozen=True, kw_only=True)
class PoseSummary(_Run, _PoseFigures):
    """``summary.json`` of a run judged against one pose.

    ``score`` is None ("not judged") when the person was never in the pose, or the camera
    could never judge them. Photos (``photos`` is their number) are counted, not timed:
    ``photos_in_pose`` and ``photos_in_good_form`` say how many were, the time fields are
    None and there are no holds.
    """


@dataclass(frozen=True, kw_only=True)
class AutoSummary(_Run, _AutoFigures):
    """``summary.json`` of a ``--pose auto`` or ``--routine`` run: one segment per recognised pose."""


Summary = Union[PoseSummary, AutoSummary]

#: The fields saying how a run was made, which either summary shape carries.
RUN_FIELDS = tuple(f for f in _Run.__dataclass_fields__)


def _adapter(cls):  # noqa: ANN001, ANN202
    from pydantic import TypeAdapter

    cache = _adapter.__dict__.setdefault("cache", {})
    if cls not in cache:
        cache[cls] = TypeAdapter(cls)
    return cache[cls]


def summary_to_json(summary: Summary) -> dict[str, Any]:
    """The ``summary.json`` content of ``summary`` (plain JSON types, fields in order)."""
    return _adapter(type(summary)).dump_python(summary, mode="json")


def summary_from_json(data: Any) -> Summary:
    """A summary record from ``summary.json`` content; ValueError when it is not one."""
    from pydantic import ValidationError

    if not isinstance(data, dict) or not isinstance(data.get("pose"), str):
        raise ValueError("not a posecheck summary (no 'pose')")
    cls = AutoSummary if data["pose"] == "auto" else PoseSummary
    clean = dict(data)
    clean.setdefault("version", 1)
    try:
        return _adapter(cls).validate_python(clean)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ValueError(f"not a posecheck summary ({where}: {first['msg']})") from None


def read_summary(path: Path) -> Summary:
    """Read a ``summary.json`` file; OSError or ValueError when it cannot be read or is not one."""
    return summary_from_json(json.loads(Path(path).read_text(encoding="utf-8")))


def summary_json_schema() -> dict[str, Any]:
    """The JSON Schema of ``summary.json`` (either shape)."""
    schema = _adapter(Summary).json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "posecheck summary.json"
    schema["description"] = (f"The results of one posecheck run (format version {SUMMARY_VERSION}): a run judged "
                             "against one pose, or a --pose auto / --routine run with one segment per pose.")
    return schema


def segment_as_summary(seg: Segment, run: AutoSummary) -> PoseSummary:
    """One segment of a ``--pose auto`` run as a run of its own pose (for the history)."""
    side = SideTotals(holds=len(seg.holds), time_in_pose_s=seg.time_in_pose_s,
                      time_in_good_form_s=seg.time_in_good_form_s,
                      checks=dict(seg.checks) if seg.side in ("left", "right") else {})
    return PoseSummary(pose=seg.pose, pose_title=seg.pose_title, input=run.input, complete=run.complete,
                       frames=seg.frames, fps=run.fps, duration_s=round(seg.end_s - seg.start_s, 3),
                       score=seg.score, time_in_pose_s=seg.time_in_pose_s,
                       time_in_good_form_s=seg.time_in_good_form_s, time_not_judged_s=seg.time_not_judged_s,
                       hold_target_s=seg.hold_target_s, holds=list(seg.holds),
                       sides={seg.side or "both": side} if seg.holds else {}, checks=dict(seg.checks),
                       **{f: getattr(run, f) for f in RUN_FIELDS})


@dataclass(frozen=True)
class ShownCue:
    """The cue on screen in a frame.

    Attributes:
        text: the sentence.
        kind: ``camera``, ``correction`` or ``praise``.
        key: the condition behind it (a check id, ``camera``, ``guide``...).
        new: it was put on screen with this frame (and is to be spoken, unless said just before).
    """

    text: str
    kind: str
    key: str
    new: bool = False


@dataclass(frozen=True)
class RoutineFrame:
    """Where a routine is in one frame."""

    step: int | None
    phase: str
    held_s: float
    banner: str
    rest_s: float | None = None


@dataclass(frozen=True)
class SessionFrame:
    """Everything the session decided about one frame, for every front end to show, say and save.

    Attributes:
        index: the frame's index in the input.
        t: its time in seconds.
        detected: whether a person was found.
        pose: the pose the frame was judged against (None: no pose, e.g. none recognised).
        title: what the screen names (the pose's title, or "No pose recognised").
        verdict: the tracker's verdict (None: nothing judged; draw the bare skeleton).
        cue: the one cue on screen (None: none).
        say: what to say now (a new cue, or a routine's announcement).
        announcement: ``say`` is a routine's announcement, which a cue must not cut short.
        hold_s: seconds in good form toward the hold target (None: no timer).
        hold_target_s: the hold's target in seconds.
        pose_s: seconds in the pose in the hold being built, good form or not (None: not counted).
        note: a small line under the title (e.g. what the recogniser sees in a routine).
        routine: the routine's state (None outside a routine).
        events: what the session noticed about this frame before judging it (e.g. ``person changed``).
    """

    index: int
    t: float
    detected: bool
    pose: str | None
    title: str
    verdict: object | None
    cue: ShownCue | None = None
    say: str | None = None
    announcement: bool = False
    hold_s: float | None = None
    hold_target_s: float | None = None
    note: str = ""
    routine: RoutineFrame | None = None
    events: tuple[str, ...] = ()
    pose_s: float | None = None


__all__ = ["AutoSummary", "CheckStats", "Hold", "IMPLAUSIBLE", "PERSON_CHANGED", "PersonChange", "PoseSummary",
           "PoseTotals", "RUN_FIELDS", "RoutineFrame", "SIDES_SWAPPED",
           "RoutineReport", "RoutineStepReport", "SCORE_SENTENCE", "SUMMARY_VERSION", "Segment", "SessionFrame",
           "ShownCue", "SideTotals", "Summary", "read_summary", "segment_as_summary", "summary_from_json", "summary_json_schema",
           "summary_to_json"]
