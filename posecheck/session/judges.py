"""The judges: what a session judges each frame against, for each mode.

* :class:`SingleJudge` — one pose for the whole input (``--pose NAME``);
* :class:`AutoJudge` — whichever known pose the person is in, one segment per pose and
  side (``--pose auto``);
* :class:`RoutineJudge` — a routine's plan, hold by hold (``--routine NAME``), with the
  segments of ``--pose auto`` beside it.

Every judge answers each frame with a :class:`Judged`: the verdict to draw, the cues that
apply, and the screen's texts. The :class:`~posecheck.session.session.Session` chooses the
one cue to show and say, so the choosing is written once. There is one tracker per pose
(:class:`Trackers`): a pose is measured and tracked once per frame, however many parts of
a judge want it.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field, replace

from posecheck.judge.seen import SeenFrame
from posecheck.judge.wording import NO_PERSON_CUE, other_pose_cue
from posecheck.session.cues import Cue
from posecheck.session.feedback import cue_candidates
from posecheck.session.guide import Observation, RoutineGuide
from posecheck.session.records import (
    AutoSummary,
    PoseSummary,
    PoseTotals,
    RoutineFrame,
    Segment,
    ShownCue,
    Summary,
)
from posecheck.session.summary import FrameLog, pose_summary, segment_summary
from posecheck.specs.models import PoseSpec
from posecheck.specs.routines import PlannedHold
from posecheck.track.holds import HoldCounter
from posecheck.track.recogniser import PoseRecognizer
from posecheck.track.tracker import PoseTracker
from posecheck.track.verdict import FrameVerdict

#: The cue while nothing known is recognised (``--pose auto``).
NO_POSE_CUE = "Get into a pose."

#: A stretch recognised as one pose shorter than this is passing through, not a segment.
MIN_SEGMENT_S = 1.0


@dataclass(frozen=True)
class Judged:
    """One frame as a judge saw it, before the session chooses the cue.

    Attributes:
        verdict: the verdict to draw (None: nothing judged, the bare skeleton).
        spec: the pose it was judged against, if any.
        title: what the screen names.
        candidates: every cue that applies now.
        scope: what the cues are about (a pose, a routine's hold): when it changes, the
            cues start afresh.
        hold_s: seconds in good form toward the hold target (None: no timer).
        hold_target_s: the target.
        pose_s: seconds in the pose in the hold being built, good form or not (None: not counted).
        note: a small line under the title.
        routine: where a routine is.
        say: an announcement to say now, as it is (a routine's).
        fixed_cue: a sentence to show as it is instead of choosing among candidates (a
            routine's rest countdown).
    """

    verdict: FrameVerdict | None
    spec: PoseSpec | None
    title: str
    candidates: list[Cue] = field(default_factory=list)
    scope: object = None
    hold_s: float | None = None
    hold_target_s: float | None = None
    note: str = ""
    routine: RoutineFrame | None = None
    say: str | None = None
    fixed_cue: str | None = None
    pose_s: float | None = None


@dataclass(frozen=True)
class Timing:
    """The clock of a run.

    Attributes:
        fps: the input's frame rate.
        frame_s: how long one judged frame lasts.
        still: the frames are unrelated photos.
        live: a person follows the session as it happens (a routine's rests are kept);
            a recording follows its own pace (the rests are not waited for).
        smooth: the trackers smooth each value causally (live); off when the landmarks
            were already filtered without lag (a recording).
    """

    fps: float
    frame_s: float
    still: bool = False
    live: bool = False
    smooth: bool = True


class Trackers:
    """One tracker per pose, each fed at most once per frame.

    A tracker that missed the frame before is reset first: what it knew is about another
    stretch of time (the person was in another pose, or resting).

    Args:
        side: ``auto``, or the leg in front for every pose with sides.
        still: unrelated photos (nothing carries over from one to the next).
        smooth: the trackers smooth values causally (see :class:`Timing`).
    """

    def __init__(self, side: str = "auto", still: bool = False, smooth: bool = True) -> None:
        self.side, self.still, self.smooth = side, still, smooth
        self._trackers: dict[str, PoseTracker] = {}
        self._fed: dict[str, int] = {}
        self._verdicts: dict[str, FrameVerdict] = {}
        self.seq = -1

    def forget(self) -> None:
        """Start every tracker over (another person is in view)."""
        for tracker in self._trackers.values():
            tracker.reset()
        self._verdicts.clear()

    def next_frame(self) -> None:
        """A new frame begins."""
        self.seq += 1
        self._verdicts.clear()

    def get(self, spec: PoseSpec) -> PoseTracker:
        """The tracker of ``spec`` (made on first use)."""
        tracker = self._trackers.get(spec.id)
        if tracker is None or tracker.spec is not spec:
            side = self.side if spec.sides == "front_back" else "auto"
            tracker = PoseTracker.for_stills(spec, side) if self.still else PoseTracker(spec, side,
                                                                                         smooth=self.smooth)
            self._trackers[spec.id] = tracker
        return tracker

    def verdict(self, spec: PoseSpec, seen: SeenFrame, index: int) -> FrameVerdict:
        """``spec``'s verdict on this frame (tracked once, however often it is asked for)."""
        hit = self._verdicts.get(spec.id)
        if hit is not None:
            return hit
        tracker = self.get(spec)
        if self.still or self._fed.get(spec.id) != self.seq - 1:
            tracker.reset()
        self._fed[spec.id] = self.seq
        v = self._verdicts[spec.id] = tracker.update(seen, index)
        return v


class Judge(abc.ABC):
    """Judges a session's frames for one mode.

    Attributes:
        name: names a live session's folder (a pose id, ``auto`` or a routine id).
        keys: help lines for the keys this judge adds to a front end's own.
        layout: the ``frames.csv`` layout: ``pose``, ``auto`` or ``routine``.
    """

    name: str = ""
    keys: tuple[str, ...] = ()
    layout: str = "pose"
    timing = Timing(30.0, 1 / 30)

    def begin(self, timing: Timing) -> None:
        """Called once before the first frame."""
        self.timing = timing

    @abc.abstractmethod
    def judge(self, seen: SeenFrame, index: int) -> Judged:
        """Judge the next frame."""

    @abc.abstractmethod
    def summary(self, input_name: str, complete: bool, run: dict) -> Summary:
        """The run's summary (called once, at the end)."""

    def key(self, key: str) -> str | None:  # noqa: ARG002
        """Handle a key this judge knows; an announcement to say about it, if any."""
        return None

    def gave(self, cue: ShownCue | None) -> None:
        """The cue shown to the person with the frame judged last (for the summary's "most common cue")."""

    def new_person(self, t: float) -> None:  # noqa: ARG002
        """The landmarks belong to another person from the next frame on: what was being
        followed (trackers, the hold or segment being built) ends here."""

    @property
    def finished(self) -> bool:
        """Whether there is nothing more to do (a routine's plan is done)."""
        return False


class SingleJudge(Judge):
    """One pose for the whole input (``--pose NAME``).

    Args:
        spec: the pose.
        side: ``auto``, ``left`` or ``right``; the ``s`` key switches it.
    """

    keys = ("s         switch the side assessed",)

    def __init__(self, spec: PoseSpec, side: str = "auto") -> None:
        self.spec, self.name, self.side = spec, spec.id, side
        self.trackers = Trackers(side)
        self.log = FrameLog(spec)
        self.counter = HoldCounter(self.timing.frame_s)
        self._last: FrameVerdict | None = None
        self._last_named: str | None = None  # the side the last frame that named one named

    def begin(self, timing: Timing) -> None:
        super().begin(timing)
        self.trackers = Trackers(self.side, timing.still, timing.smooth)
        self.counter = HoldCounter(timing.frame_s)

    @property
    def tracker(self) -> PoseTracker:
        """The pose's tracker."""
        return self.trackers.get(self.spec)

    def judge(self, seen: SeenFrame, index: int) -> Judged:
        self.trackers.next_frame()
        v = self._last = self.trackers.verdict(self.spec, seen, index)
        if v.side in ("left", "right"):
            self._last_named = v.side
        self.log.add(v)
        self.counter.feed_verdict(v)
        spec = self.spec
        return Judged(v, spec, spec.title, cue_candidates(v, spec.praise, seen.still_s), scope=(spec.id, self.side),
                      hold_s=None if self.timing.still else self.counter.current_good_s,
                      hold_target_s=spec.hold.target_s if spec.hold else None,
                      pose_s=None if self.timing.still else self.counter.current_pose_s)

    def gave(self, cue: ShownCue | None) -> None:
        if cue is not None:
            self.log.gave(cue.kind, cue.key, cue.text)

    def new_person(self, t: float) -> None:
        self.trackers.forget()
        self.counter.cut()
        self._last_named = None

    def key(self, key: str) -> str | None:
        if key == "s" and self.spec.sides == "front_back":
            # From the side assessed (the tracker's: the one set, else the leg it judges in front),
            # else the last one named (a frame may name none while the view does not show which
            # leg is which, or after a change of person; s still switches then).
            current = self.tracker.front_side or self._last_named
            self.side = {"left": "right", "right": "left"}.get(current or "", "left")
            self.tracker.reset(side=self.side)
        return None

    def summary(self, input_name: str, complete: bool, run: dict) -> PoseSummary:
        self.counter.close()
        return pose_summary(self.spec, self.log, self.counter, input_name=input_name, fps=self.timing.fps,
                            frame_s=self.timing.frame_s, complete=complete, run=run, still=self.timing.still)


class _OpenSegment:
    """The segment being recorded: one pose and side."""

    def __init__(self, spec: PoseSpec, side: str | None, frame_s: float) -> None:
        self.spec, self.side = spec, side
        self.log = FrameLog(spec)
        self.counter = HoldCounter(frame_s)


class AutoJudge(Judge):
    """Whichever known pose the person is in (``--pose auto``), judged against that pose's spec.

    Args:
        specs: the poses to recognise.
        side: ``auto``, or the leg in front for every pose that has sides.
        trackers: the trackers to use (a routine shares its own).
    """

    name = "auto"
    layout = "auto"

    def __init__(self, specs: list[PoseSpec], side: str = "auto", trackers: Trackers | None = None) -> None:
        self.specs, self.side = list(specs), side
        self.by_id = {s.id: s for s in self.specs}
        self.trackers = trackers or Trackers(side)
        self.recognizer = PoseRecognizer(self.specs)
        self.recognition = None
        self.segments: list[Segment] = []
        self._open: _OpenSegment | None = None
        self.frames = 0
        self._first_t: float | None = None
        self._last_t: float | None = None
        self._gap_since: float | None = None  # since when the open segment's pose is not seen
        self._logged: FrameLog | None = None  # the log the last frame went into, if any

    def begin(self, timing: Timing) -> None:
        super().begin(timing)
        self.recognizer = PoseRecognizer(self.specs, hold_s=0.0 if timing.still else 0.6)
        if timing.still:
            self.trackers.still = True
        self.trackers.smooth = timing.smooth

    def seen(self, seen: SeenFrame, index: int) -> tuple[PoseSpec | None, FrameVerdict | None]:
        """Recognise the frame, judge it as the pose recognised, and log it in that pose's segment."""
        self.frames += 1
        self._logged = None
        if self._first_t is None:
            self._first_t = seen.t
        self._last_t = seen.t
        r = self.recognition = self.recognizer.update(seen)
        spec = self.by_id.get(r.pose) if r.pose else None
        v = self.trackers.verdict(spec, seen, index) if spec is not None else None
        side = v.side if spec is not None and v is not None and spec.sides == "front_back" else None
        seg = self._open
        if spec is None:
            # No pose for a moment (the model lost the legs for a few frames): the segment
            # goes on if its pose comes back within MIN_SEGMENT_S, the shortest a segment
            # can be; only a longer break, or another pose, ends it.
            # While the recogniser is steadying on the segment's own pose again (it fits
            # this frame best, but is not yet held for the recogniser's hold_s), the pose
            # is back: the wait is the recogniser's, not a break in the hold.
            back = bool(r.fits) and r.fits[0].pose == seg.spec.id and r.fits[0].fit >= self.recognizer.min_fit \
                if seg is not None else False
            if seg is not None and not back:
                self._gap_since = seen.t if self._gap_since is None else self._gap_since
                if seen.t - self._gap_since > MIN_SEGMENT_S:
                    self._close()
            return spec, v
        # A side not known (the model's left and right in doubt) continues the segment; a
        # segment whose side was not known yet takes the first one named.
        same = seg is not None and seg.spec.id == spec.id and (side is None or seg.side is None or side == seg.side)
        self._gap_since = None
        if not same:
            self._close()
            if v is not None:
                self._open = _OpenSegment(spec, side, self.timing.frame_s)
        elif seg is not None and seg.side is None and side is not None:
            seg.side = side
        if v is not None and self._open is not None:
            self._open.log.add(v)
            self._logged = self._open.log
            self._open.counter.feed_verdict(v)
        return spec, v

    def judge(self, seen: SeenFrame, index: int) -> Judged:
        self.trackers.next_frame()
        spec, v = self.seen(seen, index)
        if v is not None and spec is not None:
            seg = self._open
            return Judged(v, spec, spec.title, cue_candidates(v, spec.praise, seen.still_s), scope=spec.id,
                          hold_s=None if self.timing.still or seg is None else seg.counter.current_good_s,
                          hold_target_s=spec.hold.target_s if spec.hold else None,
                          pose_s=None if self.timing.still or seg is None else seg.counter.current_pose_s)
        wanted = (Cue.camera(NO_PERSON_CUE) if not seen.frame.detected
                  else Cue(NO_POSE_CUE, "correction", "no_pose"))
        return Judged(None, None, "No pose recognised", [wanted], scope=None)

    def gave(self, cue: ShownCue | None) -> None:
        if cue is not None and self._logged is not None:
            self._logged.gave(cue.kind, cue.key, cue.text)

    def new_person(self, t: float) -> None:
        self._close()
        self.trackers.forget()
        self.recognizer = PoseRecognizer(self.specs, hold_s=self.recognizer.hold_s, steady_start=True)

    def _close(self) -> None:
        seg, self._open = self._open, None
        self._gap_since = None
        if seg is None or not len(seg.log):
            return
        seg.counter.close()
        duration = seg.log.t[-1] - seg.log.t[0] + self.timing.frame_s
        if duration >= MIN_SEGMENT_S or self.timing.still:
            self.segments.append(segment_summary(seg.spec, seg.side, seg.log, seg.counter, self.timing.frame_s))

    def summary(self, input_name: str, complete: bool, run: dict) -> AutoSummary:
        self._close()
        segs = self.segments
        in_pose = sum(s.time_in_pose_s for s in segs)
        scored = [(s.score, s.time_in_pose_s) for s in segs if s.score is not None and s.time_in_pose_s]
        score = round(sum(a * w for a, w in scored) / sum(w for _, w in scored), 1) if scored else None
        poses: dict[str, PoseTotals] = {}
        for seg in segs:
            p = poses.get(seg.pose, PoseTotals())
            poses[seg.pose] = PoseTotals(segments=p.segments + 1,
                                         time_in_pose_s=round(p.time_in_pose_s + seg.time_in_pose_s, 3),
                                         time_in_good_form_s=round(p.time_in_good_form_s + seg.time_in_good_form_s,
                                                                   3))
        duration = (self._last_t - self._first_t + self.timing.frame_s) if self._first_t is not None else 0.0
        return AutoSummary(input=input_name, complete=complete, frames=self.frames,
                           fps=round(float(self.timing.fps), 3), duration_s=round(duration, 3), score=score,
                           time_in_pose_s=round(in_pose, 3),
                           time_in_good_form_s=round(sum(s.time_in_good_form_s for s in segs), 3),
                           segments=list(segs), poses=poses, **run)


class RoutineJudge(Judge):
    """A routine, hold by hold (``--routine NAME``), guided by a :class:`~posecheck.session.guide.RoutineGuide`.

    Every frame is recognised among the routine's poses (for the segments, and to tell
    the person when they are in another pose than the plan's), and the current hold's
    pose is tracked for its form, cues and timer. The ``n`` key skips the current hold,
    or the rest.

    Args:
        routine: the routine (for its id and title).
        plan: its holds, from :meth:`~posecheck.specs.routines.RoutineLibrary.plan`.
        specs: the spec of every pose in the plan.
    """

    keys = ("n         next step (skip this hold, or the rest)",)
    layout = "routine"

    def __init__(self, routine, plan: list[PlannedHold], specs: list[PoseSpec]) -> None:  # noqa: ANN001
        self.routine, self.plan, self.name = routine, list(plan), routine.id
        self.specs = list(specs)
        self.by_id = {s.id: s for s in self.specs}
        self.trackers = Trackers()
        self.auto = AutoJudge(self.specs, trackers=self.trackers)
        self.guide = RoutineGuide(self.plan, routine_id=routine.id, title=routine.title)
        self._t = 0.0

    def begin(self, timing: Timing) -> None:
        super().begin(timing)
        self.auto.begin(timing)
        self.guide = RoutineGuide(self.plan, frame_s=timing.frame_s, routine_id=self.routine.id,
                                  title=self.routine.title, rests=timing.live)

    @property
    def finished(self) -> bool:
        return self.guide.finished

    def judge(self, seen: SeenFrame, index: int) -> Judged:
        self.trackers.next_frame()
        self._t = seen.t
        seen_spec, seen_v = self.auto.seen(seen, index)
        guide = self.guide
        before = guide.index
        side = seen_v.side if seen_v is not None and seen_spec is not None and seen_spec.sides == "front_back" \
            else None
        if not self.timing.live:  # a recording keeps its own pace: it may already be further on
            guide.follow(seen_spec.id if seen_spec is not None else None, side, seen.t)
        v = None
        if guide.phase in ("waiting", "holding"):
            v = self.trackers.verdict(self.by_id[self.plan[guide.index].pose], seen, index)
        state = guide.update(Observation.of(v, seen.t, seen_spec.id if seen_spec else None, side))
        seen_text = seen_spec.title if seen_spec is not None else "no pose"
        if side:
            seen_text += f", {side}"
        routine = RoutineFrame(state.index + 1 if state.hold else None, state.phase, state.held_s, state.banner,
                               state.rest_left_s)
        common = dict(title=state.banner, note=f"seeing: {seen_text}", routine=routine, say=state.say,
                      hold_target_s=state.target_s or None)
        spec = self.by_id[state.hold.pose] if state.hold is not None else None
        if state.phase not in ("waiting", "holding"):
            # Resting (a countdown) or finished: the guide's own words, as they are.
            return Judged(v, spec, fixed_cue=state.message, scope=("rest", state.index), **common)
        if state.index != before:
            # The hold was just reached (or skipped): say so for a moment, then where to go next.
            candidates = [Cue(state.say or state.banner, "praise", "guide")]
        elif state.phase == "holding" and v is not None:
            candidates = cue_candidates(v, spec.praise, seen.still_s)
        elif seen_spec is not None and spec is not None and seen_spec.id != spec.id:
            # In another pose than the step's: said plainly, and nothing about the camera
            # (its instructions are for the step's pose, which the person is not in).
            candidates = [Cue(other_pose_cue(seen_spec.title, spec.title), "correction", "guide")]
        else:
            # Not in the pose yet: where to go, or what stops the camera from seeing it.
            candidates = [Cue(state.message or state.banner, "correction", "guide")]
            if v is not None and v.camera_cue:
                candidates.append(Cue.camera(v.camera_cue))
        return Judged(v, spec, candidates=candidates, scope=("hold", state.index), hold_s=state.held_s, **common)

    def key(self, key: str) -> str | None:
        if key != "n" or self.guide.finished:
            return None
        return self.guide.skip(self._t).say

    def gave(self, cue: ShownCue | None) -> None:
        self.auto.gave(cue)

    def new_person(self, t: float) -> None:
        self.auto.new_person(t)
        self.guide.restart_hold()

    def summary(self, input_name: str, complete: bool, run: dict) -> AutoSummary:
        report = self.guide.finish(self._t)
        return replace(self.auto.summary(input_name, complete, run), routine=report)


__all__ = ["AutoJudge", "Judge", "Judged", "MIN_SEGMENT_S", "NO_POSE_CUE", "RoutineJudge", "SingleJudge", "Timing",
           "Trackers"]
