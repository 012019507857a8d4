"""Guiding a person through a routine's plan, one hold at a time.

Pure logic, no I/O: the live loop feeds :meth:`RoutineGuide.update` one
:class:`Observation` per frame (its time, the recognised pose and side, and what the
current hold's own tracker says) and shows and says what comes back. The clock is
the frames' own, so tests can drive it with made-up times.

For each planned hold (see :meth:`~posecheck.specs.routines.RoutineLibrary.plan`) the guide
announces the pose, waits until the person is in it — the recogniser says that pose
and side, or the pose's own tracker says in the pose on that side — and counts the
time in good form until the hold's target. Good form is what
every mode counts as good form: in the pose, no check off and a frame score of at least 75,
counted by the same :class:`~posecheck.track.holds.HoldCounter` as everywhere else. Then it rests for the plan's rest
seconds and moves on; after the last hold the plan is finished. A step can be skipped
(:meth:`RoutineGuide.skip`); when the session ends (:meth:`RoutineGuide.finish`) the
steps not reached are reported as skipped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from posecheck.session.records import RoutineReport, RoutineStepReport
from posecheck.specs.routines import PlannedHold
from posecheck.track.holds import MIN_HOLD_S, HoldCounter
from posecheck.track.verdict import FrameVerdict

#: The guide's phases: announced and waiting for the person, holding the pose, resting, finished.
PHASES = ("waiting", "holding", "resting", "finished")


@dataclass(frozen=True)
class Observation:
    """What one frame showed, as the guide needs it.

    Attributes:
        t: the frame's time in seconds.
        pose: the recogniser's steadied pose id (None: no pose).
        side: the recogniser's side for that pose (the leg in front), if it has sides.
        in_pose: the current hold's own tracker says the person is in its pose (debounced).
        pose_raw: this frame alone looks like that pose (the tracker's undebounced answer).
        form_ok: no check off and a frame score of at least 75, in or out of the pose.
        own_side: the side that tracker assessed (None for poses without sides).
        score: that tracker's frame score, 0-100 (NaN when nothing was measured).
    """

    t: float
    pose: str | None = None
    side: str | None = None
    in_pose: bool = False
    pose_raw: bool = False
    form_ok: bool = False
    own_side: str | None = None
    score: float = math.nan

    @classmethod
    def of(cls, verdict: FrameVerdict | None, t: float, pose: str | None, side: str | None) -> Observation:
        """An observation from the current hold's tracker verdict and the recogniser's answer."""
        if verdict is None:
            return cls(t, pose, side)
        return cls(t, pose, side, verdict.in_pose, verdict.pose_raw, bool(verdict.form_ok),
                   verdict.side, verdict.score)


@dataclass(frozen=True)
class GuideState:
    """What the guide says after a frame.

    Attributes:
        phase: one of :data:`PHASES`.
        index: the current hold, 0-based (the plan's length once finished).
        total: how many holds the plan has.
        hold: the current plan entry (None once finished).
        held_s: seconds held in good form in the current hold.
        target_s: the current hold's target in seconds.
        rest_left_s: seconds of rest left (None unless resting).
        banner: the step line, e.g. ``Step 2 of 21: Kneeling lunge, left``.
        message: what to show in the cue banner instead of corrections: where to go while
            waiting, the countdown while resting (None while holding).
        say: what to say now, if anything (one sentence or a few, said together).
    """

    phase: str
    index: int
    total: int
    hold: PlannedHold | None
    held_s: float
    target_s: float
    rest_left_s: float | None
    banner: str
    message: str | None
    say: str | None


def _seconds(s: float) -> str:
    return "1 second" if s == 1 else f"{s:g} seconds"


def side_words(side: str | None) -> str:
    """``left leg forward`` for a side, empty for none."""
    return f"{side} leg forward" if side else ""


def announcement(hold: PlannedHold, before: PlannedHold | None, note: bool = True) -> str:
    """What to say when ``hold`` begins, after the hold ``before`` (None: the first).

    The step's note follows when the pose changes, unless ``note`` is off.
    """
    side = side_words(hold.side)
    if before is not None and before.pose == hold.pose and hold.side and before.side \
            and before.side != hold.side:
        return f"Now the other side: {side}"
    text = f"Next: {hold.title}" + (f", {side}" if side else "")
    if hold.repetition > 1:
        text += f", round {hold.repetition}"
    if note and hold.note and (before is None or before.pose != hold.pose):
        text += f". {hold.note.strip()}"
    return text


def banner(index: int, plan: list[PlannedHold]) -> str:
    """``Step 2 of 21: Kneeling lunge, left`` (with ``, round 2`` from the second repetition on)."""
    hold = plan[index]
    text = f"Step {index + 1} of {len(plan)}: {hold.title}"
    if hold.side:
        text += f", {hold.side}"
    if hold.repetition > 1:
        text += f", round {hold.repetition}"
    return text


class RoutineGuide:
    """Steps a person through a routine's plan; see the module's docstring.

    Args:
        plan: the holds in order, from :meth:`~posecheck.specs.routines.RoutineLibrary.plan`.
        frame_s: how long one frame lasts (1 / fps), for the last frame of a hold.
        max_gap_s: the longest one frame may stand for, in holds and rests alike, so a
            pause or a stall neither fills a hold nor uses up a rest.
        routine_id, title: the routine's, for its report.
        rests: keep the plan's rests (live); a recording follows its own pace, so its next
            hold starts at once.
    """

    def __init__(self, plan: list[PlannedHold], frame_s: float = 1 / 30, max_gap_s: float = 0.5,
                 routine_id: str = "", title: str = "", rests: bool = True) -> None:
        if not plan:
            raise ValueError("a routine guide needs a plan with at least one hold")
        self.plan = list(plan)
        self.routine_id, self.title, self.rests = routine_id, title, rests
        self.frame_s, self.max_gap_s = frame_s, max_gap_s
        self.index = 0
        self.phase = "waiting"
        self._done: list[RoutineStepReport | None] = [None] * len(self.plan)
        self._clock = HoldCounter(frame_s, max_gap_s, split_sides=False)
        self._start_s: float | None = None  # when the person was first in the current hold
        self._rest_left = 0.0
        self._last_t: float | None = None
        self._announced = False

    # -- per frame -------------------------------------------------------------------------

    def update(self, seen: Observation) -> GuideState:
        """Take one frame and say where the routine is."""
        say: list[str] = []
        gap = 0.0 if self._last_t is None else min(max(seen.t - self._last_t, 0.0), self.max_gap_s)
        self._last_t = seen.t
        if not self._announced:
            self._announced = True
            say.append(announcement(self.plan[self.index], None))
        message = None
        if self.phase in ("waiting", "holding"):
            hold = self.plan[self.index]
            # A side the tracker cannot name (the model's left and right in doubt) is taken
            # to be the one the plan asks for: the person follows the plan.
            side_ok = hold.side is None or seen.own_side in (None, hold.side)
            self._clock.feed(seen.t, seen.in_pose and side_ok, seen.pose_raw and side_ok,
                             seen.form_ok and side_ok, seen.score if side_ok else math.nan)
            recognised = seen.pose == hold.pose and (hold.side is None or seen.side in (None, hold.side))
            here = recognised or (seen.in_pose and side_ok)
            if here and self._start_s is None:
                self._start_s = seen.t
            self.phase = "holding" if here else "waiting"
            if self._clock.good_s >= self._target() - 1e-6:  # summed frame lengths round
                say.append(f"That's {_seconds(self._target())}. Well done.")
                # This frame ends the hold; the next one belongs to what comes next.
                self._end_hold(seen.t, count_last=False)
                self._next(say, rest=True)
            elif not here:
                message = self._prompt(hold, seen)
        elif self.phase == "resting":
            self._rest_left -= gap
            if self._rest_left <= 0:
                self._start(say)
        return self.state(message, say)

    def follow(self, pose: str | None, side: str | None, t: float) -> bool:
        """A recording's pace: move on to a later hold when the person is already in its pose.

        A recording does not wait for the plan: when the recogniser sees a pose (and side)
        that is not the current hold's but one of the holds after it, the current hold ends
        (done, if the person was ever in it) and the first such later hold begins; the ones
        between are skipped. Returns whether it moved on.
        """
        if pose is None or self.phase not in ("waiting", "holding"):
            return False
        hold = self.plan[self.index]
        if pose == hold.pose and (hold.side is None or side in (None, hold.side)):
            return False
        later = next((k for k in range(self.index + 1, len(self.plan))
                      if self.plan[k].pose == pose and (self.plan[k].side is None or side in (None, self.plan[k].side))),
                     None)
        if later is None:
            return False
        self._announced = True
        self._end_hold(t)
        self.index = later
        self._clock = HoldCounter(self.frame_s, self.max_gap_s, split_sides=False)
        self._start_s = None
        self.phase = "waiting"
        return True

    def restart_hold(self) -> None:
        """Another person is in view: the current hold's time so far was not theirs, so it starts again."""
        if self.phase in ("waiting", "holding"):
            self._clock = HoldCounter(self.frame_s, self.max_gap_s, split_sides=False)
            self._start_s = None
            self.phase = "waiting"

    def skip(self, t: float) -> GuideState:
        """Skip the current hold, or end the rest early (the person asked for the next step)."""
        say: list[str] = []
        self._announced = True
        if self.phase in ("waiting", "holding"):
            self._end_hold(t)
            self._next(say, rest=False)
        elif self.phase == "resting":
            self._start(say)
        return self.state(None, say)

    def finish(self, t: float) -> RoutineReport:
        """The session has ended: close the current hold; every hold not reached is skipped.

        Returns:
            The plan against what was done (see :meth:`report`).
        """
        if self.phase in ("waiting", "holding"):
            self._end_hold(t)
        self.index = len(self.plan)
        self.phase = "finished"
        return self.report()

    # -- what it says ----------------------------------------------------------------------

    @property
    def finished(self) -> bool:
        """Whether every hold of the plan is behind (done or skipped)."""
        return self.phase == "finished"

    def report(self) -> RoutineReport:
        """Per planned hold what was done (skipped holds have ``done`` false), and the totals."""
        steps = [d if d is not None else skipped(h) for h, d in zip(self.plan, self._done)]
        return routine_report(self.routine_id, self.title, steps)

    def state(self, message: str | None = None, say: list[str] | None = None) -> GuideState:
        """The guide's state now; ``message`` and ``say`` as decided by the last frame."""
        if self.phase == "finished":
            done = sum(1 for d in self._done if d is not None)
            return GuideState("finished", self.index, len(self.plan), None, 0.0, 0.0, None,
                              f"Routine complete: {done} of {len(self.plan)} holds done",
                              "Routine complete. Well done.", " ".join(say) if say else None)
        hold = self.plan[self.index]
        before = self.plan[self.index - 1] if self.index else None
        if self.phase == "resting":
            left = max(self._rest_left, 0.0)
            message = f"Rest {math.ceil(left)} s. {announcement(hold, before, note=False)}"
        elif self.phase == "waiting" and message is None:
            message = announcement(hold, before, note=False)
        return GuideState(self.phase, self.index, len(self.plan), hold,
                          0.0 if self.phase == "resting" else self._clock.good_s, self._target(),
                          max(self._rest_left, 0.0) if self.phase == "resting" else None,
                          banner(self.index, self.plan), message, " ".join(say) if say else None)

    # -- inside ----------------------------------------------------------------------------

    def _target(self) -> float:
        if self.index >= len(self.plan):
            return 0.0
        # A pose with no hold target still needs a real hold, not a pass through it.
        return self.plan[self.index].hold_s or MIN_HOLD_S

    def _prompt(self, hold: PlannedHold, seen: Observation) -> str:
        if hold.side and seen.pose == hold.pose and seen.side not in (None, hold.side):
            return f"Switch legs: {side_words(hold.side)}"
        if self._start_s is not None:
            return f"Back into {hold.title}" + (f", {side_words(hold.side)}" if hold.side else "")
        return announcement(hold, self.plan[self.index - 1] if self.index else None, note=False)

    def _end_hold(self, t: float, count_last: bool = True) -> None:
        c = self._clock
        if count_last:
            c.close()
        if self._start_s is not None:
            hold, score = self.plan[self.index], c.score
            good = round(c.good_s, 3)
            self._done[self.index] = RoutineStepReport(
                pose=hold.pose, title=hold.title, side=hold.side, repetition=hold.repetition,
                hold_target_s=hold.hold_s, done=True, start_s=round(self._start_s, 3), end_s=round(t, 3),
                score=None if score is None else round(score, 1), time_in_pose_s=round(c.pose_s, 3),
                time_in_good_form_s=good, held_long_enough=good >= (hold.hold_s or 0.0))

    def _next(self, say: list[str], rest: bool) -> None:
        """Leave the hold just ended: rest, start the next hold, or finish."""
        rest_s = self.plan[self.index].rest_s or 0.0
        self.index += 1
        self._clock = HoldCounter(self.frame_s, self.max_gap_s, split_sides=False)
        self._start_s = None
        if self.index >= len(self.plan):
            self.phase = "finished"
            say.append("Routine complete.")
        elif rest and rest_s > 0 and self.rests:
            self.phase = "resting"
            self._rest_left = rest_s
            say.append(f"Rest for {_seconds(rest_s)}.")
        else:
            self._start(say)

    def _start(self, say: list[str]) -> None:
        self.phase = "waiting"
        self._rest_left = 0.0
        say.append(announcement(self.plan[self.index], self.plan[self.index - 1] if self.index else None))


def skipped(hold: PlannedHold) -> RoutineStepReport:
    """The report of a planned hold that was not done."""
    return RoutineStepReport(pose=hold.pose, title=hold.title, side=hold.side, repetition=hold.repetition,
                             hold_target_s=hold.hold_s, done=False)


def routine_report(routine_id: str, title: str, steps: list[RoutineStepReport]) -> RoutineReport:
    """A routine's plan against what was done, with the totals."""
    done = [s for s in steps if s.done]
    return RoutineReport(id=routine_id, title=title, holds_planned=len(steps), holds_done=len(done),
                         holds_skipped=len(steps) - len(done),
                         holds_long_enough=sum(1 for s in done if s.held_long_enough), steps=list(steps))


__all__ = ["GuideState", "Observation", "PHASES", "RoutineGuide", "announcement", "banner", "routine_report",
           "side_words", "skipped"]
