"""Following one person through time against one spec.

The tracker turns per-frame assessments into what a person should be told: values
smoothed with a One-Euro filter, statuses steadied with hysteresis, the front leg
and the camera view debounced, and whether the person is in the pose and in good
form. ``score`` and ``live`` share it, so both report the same numbers.
"""

from __future__ import annotations

import math
import statistics
from collections import deque
from dataclasses import dataclass

import numpy as np

from posecheck.checks import get_kind
from posecheck.core.body import FloorView, analyse_body, estimate_floor_view
from posecheck.core.frame import PoseFrame
from posecheck.core.landmarks import Landmark
from posecheck.judge.assess import (
    Assessment,
    CheckResult,
    Reason,
    Status,
    assess,
    camera_instruction,
    format_cue,
)
from posecheck.specs.models import PoseSpec
from posecheck.track.filters import Debounce, OneEuroFilter, StatusHysteresis

#: Credit a status earns in the score: ok counts fully, near half, off nothing.
CREDIT = {Status.OK: 1.0, Status.NEAR: 0.5, Status.OFF: 0.0}

#: One-Euro speed coefficient per unit: degrees move ~100x faster than ratios.
BETA = {"deg": 0.02, "ratio": 2.0}


@dataclass(frozen=True)
class CheckState:
    """One check in one frame, after smoothing.

    Attributes:
        id: the check id.
        value: the smoothed value (NaN when unknown).
        raw: this frame's own measurement (NaN when unknown).
        status: the steadied status.
        deviation: smoothed signed distance from the target (NaN when unknown).
        cue: a correction (near/off) or a camera/visibility instruction (unknown).
        reason: why it is unknown, if it is.
        anchor: where to draw the value.
        landmarks: the landmarks it used.
        weight: the check's weight in the spec.
        target: the target as text (``90``), for display.
        unit: ``deg`` or ``ratio``.
    """

    id: str
    value: float
    raw: float
    status: Status
    deviation: float
    cue: str | None
    reason: Reason | None
    anchor: Landmark | None
    landmarks: tuple[Landmark, ...]
    weight: float
    target: str
    unit: str


@dataclass(frozen=True)
class FrameVerdict:
    """Everything decided about one frame.

    Attributes:
        index: the frame's index in the input.
        t: its time in seconds.
        detected: whether a person was found.
        side: the leg in front (``front_back`` specs) or None.
        view: the camera view seen (side / oblique / front / back / unknown).
        checks: one :class:`CheckState` per check, in spec order.
        camera_cue: the camera or visibility instruction, if any.
        in_pose: whether the person is in the pose (debounced: for display and cues).
        pose_raw: whether this frame alone looks like the pose (for exact hold times).
        good_form: in the pose with no check off and a frame score of at least 75.
        score: 0–100 over the measured checks (NaN when none is measured).
    """

    index: int
    t: float
    detected: bool
    side: str | None
    view: str
    checks: tuple[CheckState, ...]
    camera_cue: str | None
    in_pose: bool
    pose_raw: bool
    good_form: bool
    score: float

    @property
    def judged(self) -> bool:
        """Whether any check was measured in this frame."""
        return any(c.status is not Status.UNKNOWN for c in self.checks)

    def check(self, check_id: str) -> CheckState:
        """The state of the check ``check_id``."""
        for c in self.checks:
            if c.id == check_id:
                return c
        raise KeyError(check_id)


def is_good_form(states: tuple[CheckState, ...], score: float, good_score: float = 75.0) -> bool:
    """No check off and a frame score of at least ``good_score`` (unknown checks don't count)."""
    return (not math.isnan(score) and score >= good_score
            and not any(s.status is Status.OFF for s in states))


#: Limb segments whose pixel length is followed over time: a sudden change means the
#: model lost track of a joint (a knee sliding down the shin), not that the body changed.
_SEGMENTS = tuple(
    (Landmark.of(side, a), Landmark.of(side, b))
    for side in ("left", "right")
    for a, b in (("hip", "knee"), ("knee", "ankle"), ("shoulder", "elbow"), ("elbow", "wrist"))
)


class JumpGuard:
    """Flags joints whose limb segments suddenly change length.

    Each segment's length is compared with the median of its last ``history``
    accepted lengths (about two seconds of video). A change of more than
    ``max_change`` (a share) marks both ends as lost for this frame. A new length
    that persists for ``settle_s`` is accepted (the person turned or moved closer),
    so the guard never locks up. All segments are handled in one numpy pass.
    """

    def __init__(self, history: int = 48, max_change: float = 0.3, settle_s: float = 1.0,
                 min_samples: int = 12) -> None:
        n = len(_SEGMENTS)
        self.max_change, self.settle_s, self.min_samples = max_change, settle_s, min_samples
        self._buf = np.full((n, history), np.nan)
        self._pos = np.zeros(n, dtype=np.int64)
        self._odd_since = np.full(n, np.nan)
        self._a = np.array([int(a) for a, _ in _SEGMENTS])
        self._b = np.array([int(b) for _, b in _SEGMENTS])

    def __call__(self, frame: PoseFrame) -> set[Landmark]:
        """The landmarks to distrust in ``frame``."""
        t = frame.timestamp
        px = frame.pixels
        d = px[self._a] - px[self._b]
        length = np.hypot(d[:, 0], d[:, 1])
        known = ~np.isnan(length)
        ready = self._pos >= self.min_samples
        # Rows start filled with their first length, so a plain median works (no NaNs).
        ref = np.median(self._buf, axis=1)
        with np.errstate(invalid="ignore"):
            odd = known & ready & (np.abs(length - ref) > self.max_change * ref)
        lost: set[Landmark] = set()
        accept = known.copy()
        for i in np.flatnonzero(odd):
            if np.isnan(self._odd_since[i]):
                self._odd_since[i] = t
            if t - self._odd_since[i] < self.settle_s:
                lost.update(_SEGMENTS[i])
                accept[i] = False
            else:
                self._pos[i] = 0  # the new length has lasted: start over from it
        self._odd_since[~odd] = np.nan
        rows = np.flatnonzero(accept)
        fresh = rows[self._pos[rows] == 0]
        self._buf[fresh] = length[fresh, None]
        rest = rows[self._pos[rows] > 0]
        self._buf[rest, self._pos[rest] % self._buf.shape[1]] = length[rest]
        self._pos[rows] += 1
        return lost


def _distrust(frame: PoseFrame, lost: set[Landmark]) -> PoseFrame:
    vis = frame.visibility.copy()
    vis[[int(lm) for lm in lost]] = 0.0
    return PoseFrame(xy=frame.xy, z=frame.z, visibility=vis, image_size=frame.image_size,
                     timestamp=frame.timestamp, presence=frame.presence, world=frame.world, flags=frame.flags)


class PoseTracker:
    """Feeds frames of one person through :func:`assess` and steadies the answers over time.

    Args:
        spec: the pose.
        side: ``auto`` to find the front leg per frame, or ``left``/``right`` to fix it.
        side_hold_s: how long another leg must look like the front one before switching.
        view_hold_s: how long the camera view must be right before verdicts resume.
        enter_s / exit_s: how long the person must be in / out of the pose before it counts.
        jump_guard: distrust joints whose limb suddenly changes length (see :class:`JumpGuard`).
    """

    def __init__(self, spec: PoseSpec, side: str = "auto", side_hold_s: float = 0.5,
                 view_hold_s: float = 0.4, enter_s: float = 0.5, exit_s: float = 1.0,
                 good_score: float = 75.0, jump_guard: bool = True) -> None:
        self.spec = spec
        self.fixed_side = side if side in ("left", "right") else None
        self._side = Debounce(side_hold_s)
        self._view_ok = Debounce(view_hold_s)  # the first frame sets it at once
        self.enter_s, self.exit_s, self.good_score = enter_s, exit_s, good_score
        self._filters = {c.id: OneEuroFilter(min_cutoff=1.0, beta=BETA.get(get_kind(c.kind).unit, 0.02))
                         for c in spec.checks}
        self._hyst = {c.id: StatusHysteresis(c.target.ok, c.target.near) for c in spec.checks}
        self._last_seen = {c.id: -math.inf for c in spec.checks}
        self._recent: dict[str, deque[float]] = {c.id: deque(maxlen=3) for c in spec.checks}
        # The camera does not move: its view of the floor is steadied over time.
        self._needs_floor = any(c.options.get("plane") == "floor" for c in spec.checks)
        self._floor_seen: deque[tuple[float, float, float]] = deque()
        self._ranges = {c.id: c.in_pose for c in spec.checks}
        self._info = {c.id: (c, get_kind(c.kind).unit, c.target.describe()) for c in spec.checks}
        self._jumps = JumpGuard() if jump_guard else (lambda frame: set())
        self._in_pose = False
        self._pose_since: float | None = None
        self._index = 0

    def reset(self) -> None:
        """Start over (a new side, a new session)."""
        self.__init__(self.spec, self.fixed_side or "auto")  # type: ignore[misc]

    def update(self, frame: PoseFrame, index: int | None = None) -> FrameVerdict:
        """Judge the next frame; ``index`` defaults to a running count."""
        spec, t = self.spec, frame.timestamp
        idx = self._index if index is None else index
        self._index = idx + 1
        lost = self._jumps(frame) if frame.detected else set()
        if lost:
            frame = _distrust(frame, lost)
        body = analyse_body(frame, spec.min_visibility)
        side = self.fixed_side
        if spec.sides == "front_back" and side is None:
            side = self._side(t, body.front_side) if body.front_side else self._side.value
        floor = self._floor(frame, t) if self._needs_floor else None
        a = assess(frame, spec, side=side, floor=floor, body=body)
        a = self._guard_view(a, t)
        states = tuple(self._smooth(r, t, side) for r in a.results)
        score = self._score(states)
        raw = self._looks_like_pose(states, frame.detected)
        in_pose = self._pose(t, raw)
        good = in_pose and is_good_form(states, score, self.good_score)
        return FrameVerdict(idx, t, frame.detected, side, body.view, states, a.camera_cue, in_pose,
                            raw, bool(good), score)

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

    def _guard_view(self, a: Assessment, t: float) -> Assessment:
        # A single stray frame that looks like the right view must not let a wrong
        # verdict through: the view has to stay right for view_hold_s first.
        wrong_now = any(r.reason is Reason.WRONG_VIEW for r in a.results)
        steady_ok = self._view_ok(t, a.results and not wrong_now and a.body.view != "unknown")
        if steady_ok or wrong_now or not any(r.measured for r in a.results):
            return a
        cue = camera_instruction(self.spec, a.side)
        results = tuple(
            CheckResult(r.id, math.nan, Status.UNKNOWN, cue=cue, reason=Reason.WRONG_VIEW,
                        anchor=r.anchor, landmarks=r.landmarks) if r.measured else r
            for r in a.results
        )
        return Assessment(a.pose, a.timestamp, a.side, a.body, results, a.camera_cue or cue)

    def _smooth(self, r: CheckResult, t: float, side: str | None) -> CheckState:
        check, unit, target_text = self._info[r.id]
        f, h = self._filters[r.id], self._hyst[r.id]
        common = dict(anchor=r.anchor, landmarks=r.landmarks, weight=check.weight,
                      target=target_text, unit=unit)
        if not r.measured:
            if t - self._last_seen[r.id] > 0.5:
                f.reset()
                h.reset()
                self._recent[r.id].clear()
            return CheckState(r.id, math.nan, math.nan, Status.UNKNOWN, math.nan, r.cue, r.reason, **common)
        self._last_seen[r.id] = t
        # A median of the last three raw values removes one-frame spikes; a jump of
        # more than twice the near band that survives it is a real change (or the
        # model's first guess being replaced), so the filter follows it at once
        # instead of easing toward it over a second.
        recent = self._recent[r.id]
        recent.append(r.value)
        steady = statistics.median(recent)
        if f.value is not None and abs(steady - f.value) > 2 * check.target.near:
            f.reset()
        value = f(t, steady)
        dev = check.target.deviation(value)
        status = Status(h(dev))
        cue = None
        if status is not Status.OK:
            text = check.cues.below if dev < 0 else check.cues.above
            cue = format_cue(text or "", side, value, target_text)
        return CheckState(r.id, value, r.value, status, dev, cue, None, **common)

    @staticmethod
    def _score(states: tuple[CheckState, ...]) -> float:
        num = den = 0.0
        for s in states:
            if s.status is not Status.UNKNOWN:
                num += s.weight * CREDIT[s.status]
                den += s.weight
        return 100.0 * num / den if den else math.nan

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
        ranged = [(s, self._ranges[s.id]) for s in measured if self._ranges[s.id] is not None]
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
