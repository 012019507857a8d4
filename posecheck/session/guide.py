"""Guiding a person through a routine's plan, one hold at a time.

Pure logic, no I/O: the live loop feeds :meth:`RoutineGuide.update` one
:class:`Observation` per frame (its time, the recognised pose and side, and what the
current hold's own tracker says) and shows and says what comes back. The clock is
the frames' own, so tests can drive it with made-up times.

For each planned hold (see :meth:`~posecheck.specs.routines.RoutineLibrary.plan`) the guide
announces the pose, waits until the person is in it — the recogniser says that pose
and side, or the pose's own tracker says in the pose on that side — and counts the
time in good form until the hold's target. Good form is what
:class:`~posecheck.session.summary.Recorder` counts as good form: in the pose, no check off and
a frame score of at least 75 (:class:`FormClock`). Then it rests for the plan's rest
seconds and moves on; after the last hold the plan is finished. A step can be skipped
(:meth:`RoutineGuide.skip`); when the session ends (:meth:`RoutineGuide.finish`) the
steps not reached are reported as skipped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from posecheck.session.summary import MIN_HOLD_S
from posecheck.specs.routines import plan_entry, tally
from posecheck.track.tracker import FrameVerdict, is_good_form

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
        return cls(t, pose, side, verdict.in_pose, verdict.pose_raw, is_good_form(verdict.checks, verdict.score),
                   verdict.side, verdict.score)


class FormClock:
    """Seconds in the pose and in good form, counted frame by frame as the Recorder counts them.

    :class:`~posecheck.session.summary.Recorder` decides after the fact which frames were in the
    pose: the debounced in-pose stretches, started where the raw evidence began and
    ended where it ended. This clock decides as the frames come: raw in-pose frames
    just before the debounced answer turns on are counted when it does; frames still
    in the debounced pose but no longer raw are counted when a raw frame follows in
    the same stretch, and dropped if the stretch ends first. A frame stands for the
    time until the next one (at most ``max_gap_s``; the last one ``frame_s``), so a
    frame is counted when the next one arrives.

    Args:
        frame_s: how long one frame lasts (1 / fps).
        max_gap_s: the longest a single frame may stand for (a pause or a stall counts this much).
    """

    def __init__(self, frame_s: float, max_gap_s: float) -> None:
        self.frame_s, self.max_gap_s = frame_s, max_gap_s
        self.pose_s = self.good_s = 0.0
        self._score_sum = self._score_s = 0.0
        self._prev: tuple[float, bool, bool, bool, float] | None = None
        self._before = [0.0, 0.0, 0.0, 0.0]  # raw frames just before the debounced pose
        self._tail = [0.0, 0.0, 0.0, 0.0]  # frames in the debounced pose since the last raw one
        self._in_run = False

    @property
    def score(self) -> float | None:
        """The time-weighted frame score over the counted time in the pose (None when never judged)."""
        return self._score_sum / self._score_s if self._score_s > 0 else None

    def feed(self, t: float, in_pose: bool, pose_raw: bool, good: bool, score: float = math.nan) -> None:
        """Take the next frame (counts the one before it, now that its length is known)."""
        if self._prev is not None:
            self._count(self._prev, min(max(t - self._prev[0], 0.0), self.max_gap_s))
        self._prev = (t, in_pose, pose_raw, good, score)

    def close(self) -> None:
        """The frames have ended: count the last one."""
        if self._prev is not None:
            self._count(self._prev, self.frame_s)
            self._prev = None

    def _count(self, frame: tuple[float, bool, bool, bool, float], d: float) -> None:
        _, in_pose, raw, good, score = frame
        judged = not math.isnan(score)
        part = [d, d if good else 0.0, score * d if judged else 0.0, d if judged else 0.0]
        if in_pose:
            if not self._in_run:
                self._in_run = True
                self._commit(self._before)
            if raw:
                self._commit(self._tail)
                self._commit(part)
            else:
                self._tail = [a + b for a, b in zip(self._tail, part)]
        else:
            if self._in_run:
                self._in_run = False
                self._tail = [0.0] * 4  # the end of a stretch without raw evidence: not in the pose
            self._before = [a + b for a, b in zip(self._before, part)] if raw else [0.0] * 4

    def _commit(self, pot: list[float]) -> None:
        self.pose_s += pot[0]
        self.good_s += pot[1]
        self._score_sum += pot[2]
        self._score_s += pot[3]
        pot[:] = [0.0] * 4


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
    hold: dict | None
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


def announcement(hold: dict, before: dict | None, note: bool = True) -> str:
    """What to say when ``hold`` begins, after the hold ``before`` (None: the first).

    The step's note follows when the pose changes, unless ``note`` is off.
    """
    side = side_words(hold["side"])
    if before is not None and before["pose"] == hold["pose"] and hold["side"] and before["side"] \
            and before["side"] != hold["side"]:
        return f"Now the other side: {side}"
    text = f"Next: {hold['title']}" + (f", {side}" if side else "")
    if hold["repetition"] > 1:
        text += f", round {hold['repetition']}"
    if note and hold.get("note") and (before is None or before["pose"] != hold["pose"]):
        text += f". {hold['note'].strip()}"
    return text


def banner(index: int, plan: list[dict]) -> str:
    """``Step 2 of 21: Kneeling lunge, left`` (with ``, round 2`` from the second repetition on)."""
    hold = plan[index]
    text = f"Step {index + 1} of {len(plan)}: {hold['title']}"
    if hold["side"]:
        text += f", {hold['side']}"
    if hold["repetition"] > 1:
        text += f", round {hold['repetition']}"
    return text


class RoutineGuide:
    """Steps a person through a routine's plan; see the module's docstring.

    Args:
        plan: the holds in order, from :meth:`~posecheck.specs.routines.RoutineLibrary.plan`.
        frame_s: how long one frame lasts (1 / fps), for the last frame of a hold.
        max_gap_s: the longest one frame may stand for, in holds and rests alike, so a
            pause or a stall neither fills a hold nor uses up a rest.
    """

    def __init__(self, plan: list[dict], frame_s: float = 1 / 30, max_gap_s: float = 0.5) -> None:
        if not plan:
            raise ValueError("a routine guide needs a plan with at least one hold")
        self.plan = list(plan)
        self.frame_s, self.max_gap_s = frame_s, max_gap_s
        self.index = 0
        self.phase = "waiting"
        self._figures: list[dict | None] = [None] * len(self.plan)
        self._clock = FormClock(frame_s, max_gap_s)
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
            side_ok = hold["side"] is None or seen.own_side == hold["side"]
            self._clock.feed(seen.t, seen.in_pose and side_ok, seen.pose_raw and side_ok,
                             seen.form_ok and side_ok, seen.score if side_ok else math.nan)
            recognised = seen.pose == hold["pose"] and (hold["side"] is None or seen.side in (None, hold["side"]))
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

    def finish(self, t: float) -> dict:
        """The session has ended: close the current hold; every hold not reached is skipped.

        Returns:
            The routine report (see :meth:`report`).
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

    def report(self) -> dict:
        """Per planned hold what was done, and totals: the shape of ``score --routine``'s report."""
        return tally([plan_entry(h, f) for h, f in zip(self.plan, self._figures)])

    def state(self, message: str | None = None, say: list[str] | None = None) -> GuideState:
        """The guide's state now; ``message`` and ``say`` as decided by the last frame."""
        if self.phase == "finished":
            done = sum(1 for f in self._figures if f is not None)
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
        return self.plan[self.index]["hold_s"] or MIN_HOLD_S

    def _prompt(self, hold: dict, seen: Observation) -> str:
        if hold["side"] and seen.pose == hold["pose"] and seen.side not in (None, hold["side"]):
            return f"Switch legs: {side_words(hold['side'])}"
        if self._start_s is not None:
            return f"Back into {hold['title']}" + (f", {side_words(hold['side'])}" if hold["side"] else "")
        return announcement(hold, self.plan[self.index - 1] if self.index else None, note=False)

    def _end_hold(self, t: float, count_last: bool = True) -> None:
        c = self._clock
        if count_last:
            c.close()
        if self._start_s is not None:
            score = c.score
            self._figures[self.index] = {
                "start_s": round(self._start_s, 3), "end_s": round(t, 3),
                "score": None if score is None else round(score, 1),
                "time_in_pose_s": round(c.pose_s, 3), "time_in_good_form_s": round(c.good_s, 3)}

    def _next(self, say: list[str], rest: bool) -> None:
        """Leave the hold just ended: rest, start the next hold, or finish."""
        rest_s = self.plan[self.index]["rest_s"] or 0.0
        self.index += 1
        self._clock = FormClock(self.frame_s, self.max_gap_s)
        self._start_s = None
        if self.index >= len(self.plan):
            self.phase = "finished"
            say.append("Routine complete.")
        elif rest and rest_s > 0:
            self.phase = "resting"
            self._rest_left = rest_s
            say.append(f"Rest for {_seconds(rest_s)}.")
        else:
            self._start(say)

    def _start(self, say: list[str]) -> None:
        self.phase = "waiting"
        self._rest_left = 0.0
        say.append(announcement(self.plan[self.index], self.plan[self.index - 1] if self.index else None))


__all__ = ["FormClock", "GuideState", "Observation", "PHASES", "RoutineGuide", "announcement", "banner",
           "side_words"]
