"""The per-frame session every front end calls: ``score``, ``live``, and any other.

A :class:`Session` takes one frame's landmarks at a time and answers with
:class:`~posecheck.session.records.SessionFrame` records: the verdict to draw, the one cue
to show (chosen by a :class:`~posecheck.session.cues.CueScheduler` on the frames' own
clock, so a recording and a live run of it show the same cues), what to say, the hold
timer and the screen's texts. At the end it gives the run's typed summary. What is
judged depends on the :mod:`judge <posecheck.session.judges>` it is given (one pose, any
pose, a routine); everything else is the same for all of them.

:meth:`Session.push` returns a list: a session may answer a frame later than it gets it
(a filter that looks ahead), so front ends show and save what comes back, in order, and
call :meth:`Session.flush` at the end.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Protocol

from posecheck.core.frame import PoseFrame
from posecheck.judge.seen import SeenFrame
from posecheck.judge.status import Status
from posecheck.judge.wording import PERSON_CHANGED_CUE
from posecheck.session.cues import Cue, CueScheduler
from posecheck.session.judges import AutoJudge, Judge, RoutineJudge, SingleJudge, Timing
from posecheck.session.records import PERSON_CHANGED, PersonChange, SessionFrame, ShownCue, Summary
from posecheck.session.smoothing import ZeroLagStage
from posecheck.specs.models import PoseSpec
from posecheck.specs.routines import PlannedHold
from posecheck.track.zerolag import RECORDING, ZeroLagSettings


@dataclass(frozen=True)
class Arrived:
    """A frame on its way to the judge.

    Attributes:
        index: the frame's index in the input.
        frame: the landmarks to judge (after every stage that changes them).
        raw: the landmarks as the model gave them.
        events: what the stages noticed about this frame (e.g. ``person changed``).
        sides_named: whether a side may be named to the person (the model's left and
            right can be trusted; see :mod:`posecheck.track.identity`).
        still_s: how long the body has held still up to this frame (see
            :mod:`posecheck.track.motion`); infinite when no stage measured it.
        moving: the body moves faster than a held pose does, in this frame.
    """

    index: int
    frame: PoseFrame
    raw: PoseFrame
    events: tuple[str, ...] = ()
    sides_named: bool = True
    still_s: float = math.inf
    moving: bool = False


class FrameStage(Protocol):
    """A step every frame passes before it is judged: it may change the landmarks, note an
    event, or hold frames back to answer them later (a filter that looks ahead)."""

    def push(self, item: Arrived) -> list[Arrived]:
        """Take the next frame; the frames that leave the stage now, in order."""

    def flush(self) -> list[Arrived]:
        """The input has ended: every frame still held."""


@dataclass(frozen=True)
class Mode:
    """What a session judges: one pose, any of several poses, or a routine's plan.

    Plain data (it can be sent to a worker process), made with :meth:`pose`, :meth:`auto`
    or :meth:`routine`; :meth:`session` makes the session.

    Attributes:
        kind: ``pose``, ``auto`` or ``routine``.
        specs: the pose (one), the poses to recognise, or the routine's poses.
        side: ``auto``, or the leg in front (``left``/``right``) for poses with sides.
        routine_id, routine_title: the routine's (routine only).
        plan: the routine's holds in order (routine only).
    """

    kind: str
    specs: tuple[PoseSpec, ...]
    side: str = "auto"
    routine_id: str = ""
    routine_title: str = ""
    plan: tuple[PlannedHold, ...] = ()

    @classmethod
    def pose(cls, spec: PoseSpec, side: str = "auto") -> Mode:
        """One pose for the whole input."""
        return cls("pose", (spec,), side)

    @classmethod
    def auto(cls, specs: list[PoseSpec], side: str = "auto") -> Mode:
        """Whichever of ``specs`` the person is in, frame by frame (``--pose auto``)."""
        return cls("auto", tuple(specs), side)

    @classmethod
    def routine(cls, routine, plan: list[PlannedHold], specs: list[PoseSpec]) -> Mode:  # noqa: ANN001
        """A routine's plan, hold by hold."""
        return cls("routine", tuple(specs), "auto", routine.id, routine.title, tuple(plan))

    @property
    def name(self) -> str:
        """The pose id, ``auto`` or the routine id."""
        return {"pose": self.specs[0].id, "auto": "auto"}.get(self.kind, self.routine_id)

    @property
    def spec(self) -> PoseSpec | None:
        """The pose, for a one-pose mode."""
        return self.specs[0] if self.kind == "pose" else None

    def judge(self) -> Judge:
        """A fresh judge for this mode."""
        if self.kind == "pose":
            return SingleJudge(self.specs[0], self.side)
        if self.kind == "auto":
            return AutoJudge(list(self.specs), self.side)
        return RoutineJudge(_RoutineName(self.routine_id, self.routine_title), list(self.plan), list(self.specs))

    def session(self, fps: float = 30.0, stride: int = 1, still: bool = False, live: bool = False,
                stages: tuple[FrameStage, ...] = (), zero_lag: ZeroLagSettings | None = RECORDING) -> Session:
        """A fresh session for this mode (see :class:`Session` for the arguments).

        Every session first follows the body (:func:`~posecheck.session.stages.default_stages`:
        the same person, left and right kept, implausible joints set aside, stillness), then
        runs ``stages``.
        """
        from posecheck.session.stages import default_stages

        return Session(self.judge(), fps=fps, stride=stride, still=still, live=live,
                       stages=(*default_stages(still), *stages), zero_lag=zero_lag)


@dataclass(frozen=True)
class _RoutineName:
    id: str
    title: str


#: How long the person is told that someone else is in view (and the cue competes as a camera cue).
PERSON_NOTE_S = 3.0


class FrameClock:
    """The cue scheduler's clock: the time of the frame being judged (not the wall clock)."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Session:
    """Judges a stream of frames for one mode.

    Args:
        judge: what to judge against (:class:`~posecheck.session.judges.SingleJudge`,
            :class:`~posecheck.session.judges.AutoJudge`, :class:`~posecheck.session.judges.RoutineJudge`).
        fps: the input's frame rate.
        stride: each judged frame stands for this many input frames (``--stride``).
        still: the frames are unrelated photos (nothing carries over between them).
        live: a person follows the session as it happens (a routine's rests are kept; values
            are smoothed causally, as they come); a recording follows its own pace, and its
            landmarks are filtered without lag (a :class:`~posecheck.session.smoothing.ZeroLagStage`
            after ``stages``, which answers each frame a fraction of a second late).
        stages: steps every frame passes, in order, before it is judged.
        zero_lag: the recording's filter (None: none, the values as the model gave them).
    """

    def __init__(self, judge: Judge, fps: float = 30.0, stride: int = 1, still: bool = False,
                 live: bool = False, stages: tuple[FrameStage, ...] = (),
                 zero_lag: ZeroLagSettings | None = RECORDING) -> None:
        self.judge = judge
        self.stride = max(int(stride), 1)
        self.still = still
        frame_s = self.stride / fps if fps else 1.0
        # One decision, here: a recording is filtered both ways before judging, so its
        # trackers must not smooth again (that lag is what the filter removes).
        filtered = not still and not live and zero_lag is not None
        self.stages = tuple(stages) + ((ZeroLagStage(1.0 / frame_s, zero_lag),) if filtered else ())
        self.timing = Timing(fps, frame_s, still, live, smooth=not filtered)
        judge.begin(self.timing)
        self._clock = FrameClock()
        self.scheduler = CueScheduler(clock=self._clock)
        self._scope: object = object()
        self.frames = 0
        #: the frames from which the landmarks belong to someone else (see ``PersonChange``)
        self.person_changes: list[PersonChange] = []
        self._person_note_until = -math.inf

    # -- what a front end needs to know -------------------------------------------------------

    @property
    def name(self) -> str:
        """Names a session's folder: the pose id, ``auto`` or the routine id."""
        return self.judge.name

    @property
    def keys(self) -> tuple[str, ...]:
        """Help lines for the keys the mode adds (``s`` switch side, ``n`` next step)."""
        return self.judge.keys

    @property
    def layout(self) -> str:
        """The ``frames.csv`` layout: ``pose``, ``auto`` or ``routine``."""
        return self.judge.layout

    @property
    def finished(self) -> bool:
        """Whether there is nothing more to do (a routine's plan is done)."""
        return self.judge.finished

    # -- per frame ----------------------------------------------------------------------------

    def push(self, frame: PoseFrame, index: int) -> list[SessionFrame]:
        """Judge the next frame; the frames answered now (in order)."""
        self.frames += 1
        items = [Arrived(index, frame, frame)]
        for stage in self.stages:
            items = [out for item in items for out in stage.push(item)]
        return [self._judge(item) for item in items]

    def flush(self) -> list[SessionFrame]:
        """The frames not answered yet (the input has ended)."""
        items: list[Arrived] = []
        for stage in self.stages:
            # What an earlier stage still held goes through the later ones, then they give up theirs.
            items = [out for item in items for out in stage.push(item)] + stage.flush()
        return [self._judge(item) for item in items]

    def _judge(self, item: Arrived) -> SessionFrame:
        frame, index = item.frame, item.index
        t = frame.timestamp
        if PERSON_CHANGED in item.events:
            # Nothing measured on the person before belongs with what comes now.
            self.judge.new_person(t)
            self.person_changes.append(PersonChange(frame=index, t_s=round(t, 3)))
            self._person_note_until = t + PERSON_NOTE_S
            self.scheduler.reset()
        j = self.judge.judge(SeenFrame(frame, raw=item.raw, sides_named=item.sides_named,
                                         still_s=item.still_s, moving=item.moving), index)
        self._clock.now = t
        if j.scope != self._scope:
            self.scheduler.reset()  # a new pose or hold: its own cues from the start
            self._scope = j.scope
        candidates = j.candidates
        if t < self._person_note_until:
            # Before any camera instruction for the new person (those are as urgent as a cue
            # gets): what they are told next is about someone else.
            candidates = [Cue(PERSON_CHANGED_CUE, "camera", "person", urgency=math.inf), *candidates]
        if j.verdict is not None:
            self.scheduler.withdraw(c.id for c in j.verdict.checks if c.status is Status.UNKNOWN)
        say = j.say
        if j.fixed_cue is not None:
            cue = ShownCue(j.fixed_cue, "guide", "guide")
        else:
            c = self.scheduler.update(candidates)
            cue = ShownCue(c.text, c.kind, c.key, self.scheduler.is_new) if c is not None else None
            if say is None and cue is not None and cue.new:
                say = cue.text
        self.judge.gave(cue)
        return SessionFrame(index=index, t=frame.timestamp, detected=frame.detected,
                            pose=j.spec.id if j.spec is not None else None, title=j.title, verdict=j.verdict,
                            cue=cue, say=say, announcement=j.say is not None, hold_s=j.hold_s,
                            hold_target_s=j.hold_target_s, pose_s=j.pose_s, note=j.note, routine=j.routine,
                            events=item.events)

    def key(self, key: str) -> str | None:
        """A key pressed (``s``, ``n``): what to say about it, if anything."""
        said = self.judge.key(key)
        if key == "s":
            self.scheduler.reset()
        return said

    def summary(self, input_name: str, complete: bool = True, run: dict | None = None) -> Summary:
        """The run's summary (once, at the end).

        Args:
            input_name: the input's name (a file, ``camera:0``).
            complete: the input was read to its end.
            run: how the run was made (see :data:`~posecheck.session.records.RUN_FIELDS`).
        """
        return replace(self.judge.summary(input_name, complete, dict(run or {})),
                       person_changes=list(self.person_changes))


__all__ = ["Arrived", "FrameClock", "FrameStage", "Mode", "PERSON_NOTE_S", "Session"]
