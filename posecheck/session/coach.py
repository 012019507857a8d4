"""What a live session judges, shows and says each frame: one pose, any known pose, or a routine.

The live loop (:mod:`posecheck.app.live`) owns the camera, the window, the recording and
the session's files; a coach owns the judgement. For each frame it returns a
:class:`Coached`: the verdict to draw, the ``frames.csv`` row, the overlay's texts and
what to say. At the end it writes the session's summary, the same as ``score`` writes
for the same mode (``--pose NAME``, ``--pose auto``, ``--routine NAME``).
"""

from __future__ import annotations

import abc
from dataclasses import dataclass

from posecheck.app.score import AutoJudge, VideoClock, frames_csv_header, frames_csv_row
from posecheck.core.frame import PoseFrame
from posecheck.judge.assess import NO_PERSON_CUE
from posecheck.render.overlay import OverlayInfo
from posecheck.session.cues import Cue, CueScheduler
from posecheck.session.feedback import cue_candidates
from posecheck.session.guide import Observation, RoutineGuide
from posecheck.session.summary import Recorder
from posecheck.specs.models import PoseSpec
from posecheck.track.tracker import FrameVerdict, PoseTracker

#: The cue while nothing known is recognised (``--pose auto``).
NO_POSE_CUE = "Get into a pose."


@dataclass(frozen=True)
class Coached:
    """What to do with one frame.

    Attributes:
        verdict: the verdict to draw (None: the bare skeleton).
        row: the frame's ``frames.csv`` row.
        info: the overlay's texts; the loop adds frames per second, notes and help.
        say: a sentence to say now, if any.
        announcement: ``say`` is a routine's announcement, which a cue must not cut short.
    """

    verdict: FrameVerdict | None
    row: list
    info: OverlayInfo
    say: str | None = None
    announcement: bool = False


class Coach(abc.ABC):
    """Judges a live session's frames for one mode.

    Attributes:
        name: names the session's folder (a pose id, ``auto`` or a routine id).
        keys: help lines for the keys this coach adds to the loop's own.
    """

    name: str = ""
    keys: tuple[str, ...] = ()

    def begin(self, fps: float) -> None:
        """Called once before the first frame, with the source's frame rate."""
        self.fps = fps

    @property
    @abc.abstractmethod
    def csv_header(self) -> list[str]:
        """The columns of ``frames.csv``."""

    @abc.abstractmethod
    def judge(self, frame: PoseFrame, index: int) -> Coached:
        """Judge the next frame."""

    @abc.abstractmethod
    def summary(self, input_name: str, fps: float, complete: bool, extra: dict) -> dict:
        """The session's ``summary.json``."""

    def key(self, key: str) -> str | None:  # noqa: ARG002
        """Handle a key this coach knows; an announcement to say about it, if any."""
        return None

    @property
    def finished(self) -> bool:
        """Whether the session has nothing more to do (a routine's plan is done)."""
        return False


def _scheduler() -> tuple[CueScheduler, VideoClock]:
    """A cue scheduler on the frames' clock, as ``score`` uses: a cue's time on screen is the video's."""
    clock = VideoClock()
    return CueScheduler(clock=clock), clock


def _scheduled(scheduler: CueScheduler, candidates: list[Cue]) -> tuple[Cue | None, str | None]:
    cue = scheduler.update(candidates)
    return cue, (cue.text if cue is not None and scheduler.is_new else None)


class SingleCoach(Coach):
    """One pose for the whole session (``--pose NAME``).

    Args:
        spec: the pose.
        side: ``auto``, ``left`` or ``right``; the ``s`` key switches it.
    """

    keys = ("s         switch the side assessed",)

    def __init__(self, spec: PoseSpec, side: str = "auto") -> None:
        self.spec, self.name = spec, spec.id
        self.side = side
        self.tracker = PoseTracker(spec, side)
        self.recorder = Recorder(spec)
        self.scheduler, self._clock = _scheduler()
        self.fps = 30.0
        self._verdict: FrameVerdict | None = None

    @property
    def csv_header(self) -> list[str]:
        return frames_csv_header(self.spec)

    def judge(self, frame: PoseFrame, index: int) -> Coached:
        self._clock.now = frame.timestamp
        v = self._verdict = self.tracker.update(frame, index)
        self.recorder.add(v)
        cue, say = _scheduled(self.scheduler, cue_candidates(v, self.spec.praise))
        info = OverlayInfo(title=self.spec.title, cue=cue.text if cue else None,
                           cue_is_camera=bool(cue and cue.kind == "camera"),
                           hold_s=self.recorder.current_hold_s(self.fps),
                           hold_target_s=self.spec.hold.target_s if self.spec.hold else None)
        return Coached(v, frames_csv_row(v), info, say)

    def key(self, key: str) -> str | None:
        if key == "s" and self.spec.sides == "front_back":
            v = self._verdict
            current = self.side if self.side in ("left", "right") else (v.side if v is not None else None)
            self.side = {"left": "right", "right": "left"}.get(current or "", "left")
            self.tracker = PoseTracker(self.spec, self.side)
            self.scheduler.reset()
        return None

    def summary(self, input_name: str, fps: float, complete: bool, extra: dict) -> dict:
        if not len(self.recorder):
            return {"pose": self.spec.id, "input": input_name, "complete": complete, "frames": 0,
                    "ended_by": extra.get("ended_by")}
        return self.recorder.summary(input_name=input_name, fps=fps, complete=complete, extra=extra)


class AutoCoach(Coach):
    """Whichever known pose the person is in (``--pose auto``), judged against that pose's spec.

    The same recogniser and segments as ``score --pose auto`` (:class:`~posecheck.app.score.AutoJudge`).

    Args:
        specs: the poses to recognise.
        side: ``auto``, or the leg in front for every pose that has sides.
    """

    name = "auto"

    def __init__(self, specs: list[PoseSpec], side: str = "auto") -> None:
        self.specs, self.side = list(specs), side
        self.scheduler, self._clock = _scheduler()
        self.auto: AutoJudge | None = None
        self._shown: PoseSpec | None = None
        self.fps = 30.0

    def begin(self, fps: float) -> None:
        super().begin(fps)
        self.auto = AutoJudge(self.specs, self.side, still=False, fps=fps)

    @property
    def csv_header(self) -> list[str]:
        return list(AutoJudge.csv_header)

    def _judge(self) -> AutoJudge:
        if self.auto is None:
            self.begin(self.fps)
        assert self.auto is not None
        return self.auto

    def judge(self, frame: PoseFrame, index: int) -> Coached:
        judge = self._judge()
        self._clock.now = frame.timestamp
        v, spec, row = judge.judge(frame, index)
        if spec is not self._shown:
            self.scheduler.reset()  # a new pose: its own cues from the start
            self._shown = spec
        if v is not None and spec is not None:
            cue, say = _scheduled(self.scheduler, cue_candidates(v, spec.praise))
            info = OverlayInfo(title=spec.title, cue=cue.text if cue else None,
                               cue_is_camera=bool(cue and cue.kind == "camera"), hold_s=judge.hold_s(self.fps),
                               hold_target_s=spec.hold.target_s if spec.hold else None)
        else:
            wanted = (Cue.camera(NO_PERSON_CUE) if not frame.detected
                      else Cue(NO_POSE_CUE, "correction", "no_pose"))
            cue, say = _scheduled(self.scheduler, [wanted])
            info = OverlayInfo(title="No pose recognised", cue=cue.text if cue else None,
                               cue_is_camera=bool(cue and cue.kind == "camera"))
        return Coached(v, row, info, say)

    def summary(self, input_name: str, fps: float, complete: bool, extra: dict) -> dict:
        return self._judge().summary(input_name, fps, complete, extra)


class RoutineCoach(Coach):
    """A routine, hold by hold (``--routine NAME``): the :class:`~posecheck.session.guide.RoutineGuide` wired in.

    Every frame goes through the recogniser (limited to the routine's poses, as in
    ``score --routine``) for the segments and the "in it" test, and through the
    current hold's own tracker for its form, cues and hold timer. The ``n`` key skips
    the current hold, or the rest.

    Args:
        routine: the routine (for its id and title).
        plan: its holds, from :meth:`~posecheck.specs.routines.RoutineLibrary.plan`.
        specs: the spec of every pose in the plan.
    """

    keys = ("n         next step (skip this hold, or the rest)",)
    columns = ["step", "phase", "held_s"]

    def __init__(self, routine, plan: list[dict], specs: list[PoseSpec]) -> None:  # noqa: ANN001
        self.routine, self.plan, self.name = routine, list(plan), routine.id
        self.specs = list(specs)
        self.by_id = {s.id: s for s in self.specs}
        self.scheduler, self._clock = _scheduler()
        self.fps = 30.0
        self.auto: AutoJudge | None = None
        self.guide: RoutineGuide | None = None
        self._tracker: PoseTracker | None = None
        self._tracking = -1  # the plan index the tracker is for
        self._t = 0.0

    def begin(self, fps: float) -> None:
        super().begin(fps)
        self.auto = AutoJudge(self.specs, "auto", still=False, fps=fps)
        self.guide = RoutineGuide(self.plan, frame_s=1.0 / fps)
        self._follow(0)

    @property
    def csv_header(self) -> list[str]:
        return [*AutoJudge.csv_header, *self.columns]

    @property
    def finished(self) -> bool:
        return self.guide is not None and self.guide.finished

    def _follow(self, index: int) -> None:
        """The tracker and the cues start afresh with each hold."""
        if index != self._tracking:
            self._tracking = index
            self._tracker = PoseTracker(self.by_id[self.plan[index]["pose"]]) if index < len(self.plan) else None
            self.scheduler.reset()

    def judge(self, frame: PoseFrame, index: int) -> Coached:
        if self.guide is None or self.auto is None:
            self.begin(self.fps)
        assert self.guide is not None and self.auto is not None
        self._t = self._clock.now = frame.timestamp
        _, _, row = self.auto.judge(frame, index)
        r = self.auto.recognition
        guide = self.guide
        before = guide.index
        v = None
        if guide.phase in ("waiting", "holding") and self._tracker is not None:
            v = self._tracker.update(frame, index)
        state = guide.update(Observation.of(v, frame.timestamp, r.pose, r.side))
        self._follow(state.index)
        say = state.say
        if state.phase in ("waiting", "holding"):
            if state.index != before:
                # The hold was just reached (or skipped): say so for a moment, then where to go next.
                candidates = [Cue(say or state.banner, "praise", "guide")]
            elif state.phase == "holding" and v is not None:
                candidates = cue_candidates(v, self.by_id[state.hold["pose"]].praise)
            else:
                # Not in the pose yet: where to go, or what stops the camera from seeing it.
                candidates = [Cue(state.message or state.banner, "correction", "guide")]
                if v is not None and v.camera_cue:
                    candidates.append(Cue.camera(v.camera_cue))
            cue, cue_say = _scheduled(self.scheduler, candidates)
            text, camera = (cue.text, cue.kind == "camera") if cue else (None, False)
        else:
            # Resting (a countdown) or finished: the guide's own words, as they are.
            text, camera, cue_say = state.message, False, None
        seen = self.by_id[r.pose].title if r.pose in self.by_id else "no pose"
        if r.side and r.pose in self.by_id and self.by_id[r.pose].sides == "front_back":
            seen += f", {r.side}"
        info = OverlayInfo(
            cue=text, cue_is_camera=camera, step=state.banner, note=f"seeing: {seen}",
            hold_s=state.held_s if state.phase in ("waiting", "holding") else None,
            hold_target_s=state.target_s or None, rest_s=state.rest_left_s)
        row = [*row, state.index + 1 if state.hold else "", state.phase, f"{state.held_s:.2f}"]
        if say:
            return Coached(v, row, info, say, announcement=True)
        return Coached(v, row, info, cue_say)

    def key(self, key: str) -> str | None:
        if key != "n" or self.guide is None or self.guide.finished:
            return None
        state = self.guide.skip(self._t)
        self._follow(state.index)
        return state.say

    def summary(self, input_name: str, fps: float, complete: bool, extra: dict) -> dict:
        if self.guide is None or self.auto is None:
            self.begin(fps)
        assert self.guide is not None and self.auto is not None
        report = self.guide.finish(self._t)
        s = self.auto.summary(input_name, fps, complete, extra)
        # The shape of score --routine's section; here it says what the guide saw happen.
        s["routine"] = {"id": self.routine.id, "title": self.routine.title, **report}
        return s


__all__ = ["AutoCoach", "Coach", "Coached", "NO_POSE_CUE", "RoutineCoach", "SingleCoach"]
