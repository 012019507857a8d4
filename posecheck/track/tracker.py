"""Following one person through time against one spec.

The tracker turns per-frame measurements into what a person should be told: values
smoothed with a One-Euro filter (live; a recording's landmarks come already filtered
without lag, see :mod:`posecheck.track.zerolag`), statuses steadied with hysteresis, the
front leg and the camera view debounced, and whether the person is in the pose and in
good form.
Every front end (``score``, ``live``, a batch worker) gets its verdicts through the
session layer, so all report the same numbers.
"""

from __future__ import annotations

import math
import statistics
from collections import deque
from dataclasses import dataclass, replace

from posecheck.core.body import FloorView, estimate_floor_view
from posecheck.core.frame import PoseFrame
from posecheck.judge.assess import unknown_result
from posecheck.judge.measure import FrameMeasurement, Measured
from posecheck.judge.seen import SeenFrame
from posecheck.judge.status import Reason, Status
from posecheck.judge.wording import correction, value_words
from posecheck.specs.accuracy import accuracy_of
from posecheck.specs.models import PoseSpec
from posecheck.track.filters import Debounce, OneEuroFilter, StatusHysteresis
from posecheck.track.verdict import GOOD_SCORE, CheckState, FrameVerdict, is_good_form


@dataclass(frozen=True)
class OneEuroSettings:
    """The causal smoothing of one unit's values (see :class:`~posecheck.track.filters.OneEuroFilter`).

    Attributes:
        min_cutoff: cutoff in Hz while the value is still (lower: steadier, more lag).
        beta: how fast the cutoff rises with the value's speed (higher: less lag moving).
    """

    min_cutoff: float
    beta: float


@dataclass(frozen=True)
class LiveSmoothing:
    """How a live run smooths each value as it comes (it cannot look ahead).

    Attributes:
        deg: the One-Euro settings of angles.
        ratio: the One-Euro settings of ratios (they move ~100x slower than degrees).
        spike_median: take the median of the last three values first (removes a one-frame
            spike of the model, at the cost of a frame of delay while moving).
    """

    deg: OneEuroSettings
    ratio: OneEuroSettings
    spike_median: bool = True

    def of(self, unit: str) -> OneEuroSettings:
        """The settings of ``unit`` (``deg`` or ``ratio``)."""
        return self.ratio if unit == "ratio" else self.deg


#: The settings before issue 12, kept as the baseline of ``benchmarks/smoothing.py``.
LIVE_BEFORE = LiveSmoothing(OneEuroSettings(1.0, 0.02), OneEuroSettings(1.0, 2.0))
#: Live smoothing, tuned by ``benchmarks/smoothing.py`` on the labelled moving clips (lag at
#: most 100 ms at 30°/s, a hold's shown angle steady within 1° frame to frame): see
#: docs/accuracy.md (smoothing section).
LIVE_SMOOTHING = LiveSmoothing(OneEuroSettings(1.0, 0.3), OneEuroSettings(1.0, 30.0))

#: How long a check may stay unknown before its filter and status start over.
FORGET_AFTER_S = 0.5


def frame_score(states: tuple[CheckState, ...]) -> float:
    """0–100: the weighted credit of the measured checks (NaN when none is measured)."""
    num = den = 0.0
    for s in states:
        credit = s.status.credit
        if credit is not None:
            num += s.weight * credit
            den += s.weight
    return 100.0 * num / den if den else math.nan


def _unnamed(m: Measured) -> Measured:
    """``m`` without the sides its instruction would name (the model's left and right are in doubt)."""
    if m.about_side is None and m.near_side is None:
        return m
    return replace(m, about_side=None, near_side=None)


class _CheckTrack:
    """One check's state over time: its filter, its status trigger, its last values."""

    def __init__(self, check, unit: str, smoothing: LiveSmoothing,  # noqa: ANN001 - a CheckSpec
                 uncertainty: float) -> None:
        self.check, self.unit, self.target = check, unit, check.target.describe()
        self.uncertainty = uncertainty
        one_euro = smoothing.of(unit)
        self.filter = OneEuroFilter(min_cutoff=one_euro.min_cutoff, beta=one_euro.beta)
        self.status = StatusHysteresis(check.target.ok, check.target.near, uncertainty=uncertainty)
        self.last_seen = -math.inf
        self.recent: deque[float] = deque(maxlen=3)

    def forget(self) -> None:
        self.filter.reset()
        self.status.reset()
        self.recent.clear()


class PoseTracker:
    """Follows one person against one spec and steadies the answers over time.

    Args:
        spec: the pose.
        side: ``auto`` to find the front leg per frame, or ``left``/``right`` to fix it.
        side_hold_s: how long another leg must look like the front one before switching.
        view_hold_s: how long the camera view must be right before verdicts resume.
        enter_s / exit_s: how long the person must be in / out of the pose before it counts.
        good_score: the frame score from which a frame counts as good form.
        smooth: smooth each value as it comes (live); off when the landmarks were filtered
            without lag before (a recording), where smoothing again would only add lag.
        live_smoothing: how (default :data:`LIVE_SMOOTHING`).

    Landmarks that cannot be one body moving as bodies move are found before the tracker,
    by the session's stages (:mod:`posecheck.track.plausibility`), so every pose's tracker
    sees the same frame.
    """

    def __init__(self, spec: PoseSpec, side: str = "auto", side_hold_s: float = 0.5,
                 view_hold_s: float = 0.4, enter_s: float = 0.5, exit_s: float = 1.0,
                 good_score: float = GOOD_SCORE, smooth: bool = True,
                 live_smoothing: LiveSmoothing = LIVE_SMOOTHING) -> None:
        self.spec = spec
        self.smooth, self.live_smoothing = smooth, live_smoothing
        self.fixed_side = side if side in ("left", "right") else None
        self.side_hold_s, self.view_hold_s = side_hold_s, view_hold_s
        self.enter_s, self.exit_s, self.good_score = enter_s, exit_s, good_score
        self._units = {c.id: c.kind.unit for c in spec.compiled.checks}
        measured = {c.id: accuracy_of(spec, c.id) for c in spec.checks}
        self._uncertainty = {k: a.uncertainty if a is not None else 0.0 for k, a in measured.items()}
        self._shown_uncertainty = {k: a.uncertainty if a is not None else math.nan for k, a in measured.items()}
        self.reset()

    @classmethod
    def for_stills(cls, spec: PoseSpec, side: str = "auto") -> PoseTracker:
        """A tracker for unrelated photos: nothing is debounced."""
        return cls(spec, side, side_hold_s=0.0, view_hold_s=0.0, enter_s=0.0, exit_s=0.0)

    @property
    def front_side(self) -> str | None:
        """The leg judged in front now: the fixed one, else the one the view has shown (named to
        the person or not: a side is named only while left and right can be trusted)."""
        if self.fixed_side is not None:
            return self.fixed_side
        value = self._side.value
        return value if value in ("left", "right") else None

    def reset(self, side: str | None = None) -> None:
        """Start over (a new hold, a new person, a photo), keeping the settings.

        Args:
            side: a new fixed side (``left``/``right``) or ``auto``; None keeps the current one.
        """
        if side is not None:
            self.fixed_side = side if side in ("left", "right") else None
        self._side = Debounce(self.side_hold_s)
        self._view_ok = Debounce(self.view_hold_s)  # the first frame sets it at once
        self._view_wrong = Debounce(self.view_hold_s)  # so does a view wrong from the start
        self._checks = {c.id: _CheckTrack(c, self._units[c.id], self.live_smoothing, self._uncertainty[c.id])
                        for c in self.spec.checks}
        # The camera does not move: its view of the floor is steadied over time.
        self._floor_seen: deque[tuple[float, float, float]] = deque()
        self._in_pose = False
        self._pose_since: float | None = None
        self._index = 0

    def update(self, frame: PoseFrame | SeenFrame, index: int | None = None) -> FrameVerdict:
        """Judge the next frame; ``index`` defaults to a running count."""
        seen = frame if isinstance(frame, SeenFrame) else SeenFrame(frame)
        spec, t = self.spec, seen.t
        idx = self._index if index is None else index
        self._index = idx + 1
        body = seen.body(False, spec.min_visibility)
        side = self.fixed_side
        if spec.sides == "front_back" and side is None:
            side = self._side(t, body.front_side) if body.front_side else self._side.value
        floor = self._floor(seen.frame, t) if spec.compiled.needs_floor else None
        m = self._guard_view(seen.measure(spec, side=side, floor=floor), t)
        # The legs of a pose with sides are measured by their roles whatever their names; a
        # side is named to the person only while the model's left and right can be trusted.
        # (A pose judged on one side names the side from where the camera is, which the
        # body's geometry shows whatever the model calls the legs.)
        sure = seen.sides_named or spec.sides != "front_back"
        named = m.side if sure else None
        # The model's own values beside the filtered ones: the same geometry, leg and floor.
        plain = seen.unfiltered
        raws = (tuple(r.value for r in plain.measure(spec, side=m.side, floor=floor).checks)
                if plain is not seen else tuple(r.value for r in m.checks))
        states = tuple(self._smooth(c, r if sure else _unnamed(r), raw, t, named)
                       for c, r, raw in zip(spec.checks, m.checks, raws))
        score = frame_score(states)
        raw = self._looks_like_pose(states, seen.frame.detected)
        in_pose = self._pose(t, raw)
        form_ok = is_good_form(states, score, self.good_score)
        # "Face the camera" only once the view has been wrong for view_hold_s: not for a frame
        # of a flickering view, nor while the right view settles (the person already faces it).
        # A view wrong from the first frame is said at once (a clip filmed from the front).
        told = (s for s in states if s.reason is not None and s.reason.about_camera
                and (s.reason is not Reason.WRONG_VIEW or self._view_wrong.value))
        camera = next((s.cue for s in told), None) or \
            next((s.cue for s in states if s.reason in (Reason.NOT_VISIBLE, Reason.IMPLAUSIBLE, Reason.NO_PERSON)),
                 None)
        return FrameVerdict(idx, t, seen.frame.detected, named, body.view, states, camera, in_pose, raw,
                            bool(in_pose and form_ok), score, form_ok)

    # -- steps -------------------------------------------------------------------

    def _floor(self, frame: PoseFrame, t: float) -> FloorView | None:
        # A running median over the last seconds: robust to a bad frame, and no lag
        # to speak of, since the camera does not move during a hold.
        seen = estimate_floor_view(frame, self.spec.min_visibility)
        hist = self._floor_seen
        while hist and hist[0][0] < t - 3.0:
            hist.popleft()
        if seen is not None:
            hist.append((t, seen.sin_pitch, seen.thigh_px))
        if seen is None or not hist:
            return None
        return FloorView(statistics.median(h[1] for h in hist), statistics.median(h[2] for h in hist))

    def _guard_view(self, m: FrameMeasurement, t: float) -> FrameMeasurement:
        # A single stray frame that looks like the right view must not let a wrong
        # verdict through: the view has to stay right for view_hold_s first.
        wrong_now = any(r.reason is Reason.WRONG_VIEW for r in m.checks)
        self._view_wrong(t, wrong_now)
        steady_ok = self._view_ok(t, bool(m.checks) and not wrong_now and m.body.view != "unknown")
        if steady_ok or wrong_now or not any(r.measured for r in m.checks):
            return m
        checks = tuple(Measured(r.id, math.nan, Reason.WRONG_VIEW, r.anchor, r.landmarks, about_side=m.side)
                       if r.measured else r for r in m.checks)
        return replace(m, checks=checks)

    def _smooth(self, check, r: Measured, raw: float, t: float, side: str | None) -> CheckState:  # noqa: ANN001
        track = self._checks[r.id]
        common = dict(anchor=r.anchor, landmarks=r.landmarks, weight=check.weight, target=track.target,
                      unit=track.unit, uncertainty=self._shown_uncertainty[r.id])
        if not r.measured:
            if t - track.last_seen > FORGET_AFTER_S:
                track.forget()
            cue = unknown_result(self.spec, r).cue
            return CheckState(r.id, math.nan, raw, Status.UNKNOWN, math.nan, cue, r.reason, **common)
        track.last_seen = t
        value = r.value
        if self.smooth:
            # A median of the last three raw values removes one-frame spikes; a jump of
            # more than twice the near band that survives it is a real change (or the
            # model's first guess being replaced), so the filter follows it at once
            # instead of easing toward it over a second.
            track.recent.append(r.value)
            steady = statistics.median(track.recent) if self.live_smoothing.spike_median else r.value
            f = track.filter
            if f.value is not None and abs(steady - f.value) > 2 * check.target.near:
                f.reset()
            value = f(t, steady)
        dev = check.target.deviation(value)
        status = Status(track.status(dev))
        cue = None
        if status is not Status.OK:
            cue = correction(check.cues, dev, side, value, track.target)
        return CheckState(r.id, value, raw, status, dev, cue, None, reading=value_words(check, value), **common)

    def _looks_like_pose(self, states: tuple[CheckState, ...], detected: bool) -> bool:
        """Most checks measurable, and the values within the pose's ranges.

        Checks with an ``in_pose`` range decide (a lunge with the knee at 120° is still
        a lunge, badly done; standing is not); without any, most of the measured weight
        must be near or better.
        """
        total = sum(s.weight for s in states)
        measured = [s for s in states if s.status is not Status.UNKNOWN]
        mw = sum(s.weight for s in measured)
        if not detected or total <= 0 or mw < 0.5 * total:
            return False
        ranged = [(s, self._checks[s.id].check.in_pose) for s in measured
                  if self._checks[s.id].check.in_pose is not None]
        if ranged:
            return all(r.contains(s.value) for s, r in ranged)
        close = sum(s.weight for s in measured if s.status in (Status.OK, Status.NEAR))
        return close >= 0.7 * mw

    def _pose(self, t: float, raw: bool) -> bool:
        if raw == self._in_pose:
            self._pose_since = None
        else:
            if self._pose_since is None:
                self._pose_since = t
            wait = self.enter_s if raw else self.exit_s
            if t - self._pose_since >= wait:
                self._in_pose = raw
                self._pose_since = None
        return self._in_pose


__all__ = ["FORGET_AFTER_S", "LIVE_BEFORE", "LIVE_SMOOTHING", "LiveSmoothing", "OneEuroSettings", "PoseTracker",
           "frame_score"]
