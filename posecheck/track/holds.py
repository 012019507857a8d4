"""Counting holds as the frames come: time in the pose, time in good form, and each hold.

One counter serves every mode (``score``, ``live``, ``--pose auto`` segments, a routine's
holds and the hold timer on screen), so the window, the summary and the report agree.

Which frames are *in the pose*: the tracker's debounced in-pose stretches (it waits
``enter_s`` before saying "in the pose", and ``exit_s`` before saying "out of it"),
started where the frame-by-frame (raw) evidence began and ended where it ended. As the
frames come that means: raw in-pose frames just before the debounced answer turns on are
counted when it does; frames still in the debounced pose but no longer raw are counted
when a raw frame follows in the same stretch, and dropped if the stretch ends first.

A frame lasts until the next one (at most ``max_gap_s``, so a pause or a stall counts as
one frame; the last one lasts ``frame_s``); it is counted when the next one arrives. A
frame in the pose is in *good form* when no check is off and its score is at least
:data:`~posecheck.track.verdict.GOOD_SCORE`. Holds are the counted stretches, split where
the side changes (a side not known splits nothing), that last at least :data:`MIN_HOLD_S`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: A stretch in the pose shorter than this is passing through, not a hold.
MIN_HOLD_S = 1.0


@dataclass(frozen=True)
class Hold:
    """One hold: an unbroken stretch in the pose on one side.

    Attributes:
        side: the leg in front (poses with sides), else None.
        start_s: when it began (the first counted frame's time).
        end_s: when it ended (the last counted frame's time plus its length).
        duration_s: seconds in the pose.
        good_form_s: seconds of it in good form.
        score: the time-weighted frame score over its judged frames (None if none was judged).
    """

    side: str | None
    start_s: float
    end_s: float
    duration_s: float
    good_form_s: float
    score: float | None


@dataclass
class _Pot:
    """Frames waiting to be counted: their seconds, good seconds, score·seconds, judged seconds, sequence numbers."""

    s: float = 0.0
    good: float = 0.0
    score_s: float = 0.0
    judged: float = 0.0
    frames: list | None = None

    def add(self, frame: tuple) -> None:
        seq, t, d, good, score, side = frame
        self.s += d
        self.good += d if good else 0.0
        if not math.isnan(score):
            self.score_s += score * d
            self.judged += d
        if self.frames is None:
            self.frames = []
        self.frames.append(frame)

    def clear(self) -> None:
        self.s = self.good = self.score_s = self.judged = 0.0
        self.frames = None


class _Run:
    """The hold being built from counted frames."""

    def __init__(self, side: str | None, seq: int, t: float) -> None:
        self.side, self.first_seq, self.last_seq, self.start_s = side, seq, seq, t
        self.end_s = t
        self.s = self.good = self.score_s = self.judged = 0.0

    def add(self, seq: int, t: float, d: float, good: bool, score: float) -> None:
        self.last_seq = seq
        self.end_s = t + d
        self.s += d
        self.good += d if good else 0.0
        if not math.isnan(score):
            self.score_s += score * d
            self.judged += d

    def hold(self) -> Hold:
        score = round(self.score_s / self.judged, 1) if self.judged > 0 else None
        return Hold(self.side, round(self.start_s, 3), round(self.end_s, 3), round(self.s, 3), round(self.good, 3),
                    score)


class HoldCounter:
    """Time in the pose, in good form, the score and the holds of one stream of verdicts.

    Args:
        frame_s: how long one frame lasts (its stride over the frame rate).
        max_gap_s: the longest a single frame may stand for.
        min_hold_s: the shortest stretch that is a hold.
        split_sides: start a new hold when the side changes (poses with sides).
    """

    def __init__(self, frame_s: float, max_gap_s: float | None = None, min_hold_s: float = MIN_HOLD_S,
                 split_sides: bool = True) -> None:
        self.frame_s = frame_s
        self.max_gap_s = max_gap_s if max_gap_s is not None else 4 * frame_s
        self.min_hold_s, self.split_sides = min_hold_s, split_sides
        self.pose_s = self.good_s = 0.0
        self._score_s = self._judged_s = 0.0
        self.holds: list[Hold] = []
        #: per fed frame (in order): whether it was counted as in the pose
        self.counted: list[bool] = []
        self._prev: tuple | None = None  # (seq, t, in_pose, raw, good, score, side)
        self._before = _Pot()
        self._tail = _Pot()
        self._in_run = False
        self._run: _Run | None = None

    # -- feeding ------------------------------------------------------------------------------

    def feed(self, t: float, in_pose: bool, pose_raw: bool, good: bool, score: float = math.nan,
             side: str | None = None) -> None:
        """Take the next frame (and count the one before it, now that its length is known).

        Args:
            t: the frame's time in seconds.
            in_pose: the tracker's debounced in-pose answer.
            pose_raw: this frame alone looks like the pose.
            good: no check off and a frame score of at least the good-form score.
            score: the frame's score (NaN when nothing was measured).
            side: the side assessed.
        """
        seq = len(self.counted)
        self.counted.append(False)
        if self._prev is not None:
            self._count(self._prev, min(max(t - self._prev[1], 0.0), self.max_gap_s))
        self._prev = (seq, t, in_pose, pose_raw, good, score, side)

    def feed_verdict(self, v) -> None:  # noqa: ANN001 - a FrameVerdict
        """Feed a tracker's verdict."""
        self.feed(v.t, v.in_pose, v.pose_raw, bool(v.form_ok), v.score, v.side)

    def cut(self) -> None:
        """What comes next is another stretch (another person is in view): count the frame
        before as its last and end the hold being built, so nothing after joins it."""
        if self._prev is not None:
            self._count(self._prev, self.frame_s)
            self._prev = None
        self._end_run()
        self._in_run = False
        self._before.clear()
        self._tail.clear()

    def close(self) -> None:
        """The frames have ended: count the last one and close the hold being built."""
        if self._prev is not None:
            self._count(self._prev, self.frame_s)
            self._prev = None
        self._end_run()

    # -- what it says -------------------------------------------------------------------------

    @property
    def score(self) -> float | None:
        """The time-weighted frame score over the counted time in the pose (None when never judged)."""
        return self._score_s / self._judged_s if self._judged_s > 0 else None

    @property
    def current_good_s(self) -> float:
        """Seconds in good form of the hold being built (0 when out of the pose): the hold timer."""
        return self._run.good if self._run is not None and self._in_run else 0.0

    @property
    def current_pose_s(self) -> float:
        """Seconds in the pose of the hold being built (0 when out of the pose)."""
        return self._run.s if self._run is not None and self._in_run else 0.0

    @property
    def frames(self) -> int:
        """Frames fed so far."""
        return len(self.counted)

    # -- inside -------------------------------------------------------------------------------

    def _count(self, prev: tuple, d: float) -> None:
        seq, t, in_pose, raw, good, score, side = prev
        frame = (seq, t, d, good, score, side)
        if in_pose:
            if not self._in_run:
                self._in_run = True
                self._commit(self._before)
            if raw:
                self._commit(self._tail)
                self._commit_frame(frame)
            else:
                self._tail.add(frame)
        else:
            if self._in_run:
                self._in_run = False
                self._tail.clear()  # the end of a stretch without raw evidence: not in the pose
                # The hold itself ends at the first frame that is not counted: the raw frames
                # from here may still be counted, should the next stretch follow at once.
            if raw:
                self._before.add(frame)
            else:
                self._before.clear()

    def _commit(self, pot: _Pot) -> None:
        for frame in pot.frames or ():
            self._commit_frame(frame)
        pot.clear()

    def _commit_frame(self, frame: tuple) -> None:
        seq, t, d, good, score, side = frame
        if self.counted[seq]:
            return
        self.counted[seq] = True
        self.pose_s += d
        self.good_s += d if good else 0.0
        if not math.isnan(score):
            self._score_s += score * d
            self._judged_s += d
        run = self._run
        # A side not known (None: the model's left and right in doubt) splits nothing; a
        # hold whose side was not known yet takes the first one named.
        other_side = self.split_sides and side is not None and run is not None and run.side is not None \
            and side != run.side
        if run is not None and (seq != run.last_seq + 1 or other_side):
            self._end_run()
            run = None
        if run is not None and run.side is None:
            run.side = side
        if run is None:
            run = self._run = _Run(side, seq, t)
        run.add(seq, t, d, good, score)

    def _end_run(self) -> None:
        run, self._run = self._run, None
        if run is not None and run.s >= self.min_hold_s - 1e-9:
            self.holds.append(run.hold())


__all__ = ["MIN_HOLD_S", "Hold", "HoldCounter"]
