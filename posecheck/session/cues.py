"""Choosing the one cue to show and speak, and keeping it calm over time.

A live session produces candidate cues every frame: camera instructions, corrections
and perhaps praise. Shown raw they would flicker at frame rate and talk over each
other. :func:`choose_cue` ranks the candidates of one moment; :class:`CueScheduler`
decides what is actually on screen and what is said, so that a cue stays long enough
to be read, the display changes at a human pace and a sentence is not repeated.

Pure logic: no I/O, and the clock is injectable so the rules can be tested exactly.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

#: The kinds of cue, most important first.
KINDS = ("camera", "correction", "praise")

#: The praise a caller may offer when every check is in its band.
PRAISE = "Good — hold it."

_RANK = {kind: rank for rank, kind in enumerate(KINDS)}


@dataclass(frozen=True)
class Cue:
    """One thing the person could be told.

    Two cues are equal when they say the same sentence about the same condition:
    ``urgency`` changes from frame to frame and takes no part in equality, so a
    correction whose urgency moved is still "the same cue" on screen.

    Attributes:
        text: the sentence to show and speak.
        kind: ``camera`` (the camera cannot judge the pose: framing, view, visibility),
            ``correction`` (the pose needs adjusting) or ``praise``.
        key: stable identity of the condition behind the cue, e.g. the check id, or
            ``camera``; it tells the scheduler the condition is still there even when
            its sentence changes.
        urgency: how much the cue matters, to order corrections, e.g. the check's
            weight times how far its value is past the band. A number >= 0 (``inf``
            allowed, e.g. for a camera cue that must beat everything); not NaN.
    """

    text: str
    kind: str
    key: str
    urgency: float = field(default=0.0, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in _RANK:
            raise ValueError(f"Invalid cue kind {self.kind!r}, expecting one of {list(KINDS)}")
        if not self.text.strip():
            raise ValueError(f"Cue {self.key!r} has an empty text")
        if not self.urgency >= 0:  # also refuses NaN, which would make the order arbitrary
            raise ValueError(f"Cue {self.key!r}: urgency must be a number >= 0, got {self.urgency!r}")

    @classmethod
    def camera(cls, text: str, key: str = "camera") -> Cue:
        """A camera or visibility instruction ("Step back so I can see your feet.")."""
        return cls(text, "camera", key)

    @classmethod
    def correction(cls, key: str, text: str, urgency: float = 0.0) -> Cue:
        """A correction of the check ``key``."""
        return cls(text, "correction", key, urgency)

    @classmethod
    def praise(cls, text: str = PRAISE, key: str = "praise") -> Cue:
        """Praise, for when nothing needs correcting."""
        return cls(text, "praise", key)


def _order(indexed: tuple[int, Cue]) -> tuple[int, float, int]:
    i, cue = indexed
    return _RANK[cue.kind], -cue.urgency, i


def choose_cue(candidates: Iterable[Cue]) -> Cue | None:
    """The most important of the cues that apply right now.

    Camera and visibility problems come first, since no correction can be trusted
    while the camera cannot see the pose; then the most urgent correction; then
    praise, which is only ever returned if the caller offered it. Ties keep the
    caller's order.

    Args:
        candidates: every cue that applies at this moment (any order).

    Returns:
        The winning cue, or None when there are no candidates.
    """
    ranked = min(enumerate(candidates), key=_order, default=None)
    return ranked[1] if ranked is not None else None


class CueScheduler:
    """Decides which cue is on screen now, and when it should be spoken.

    Feed :meth:`update` the candidate cues of every frame. The rules:

    * The cue wanted is the best candidate by :func:`choose_cue`, except that a shown
      cue whose condition still holds (a candidate with its key) is kept against cues
      of the same kind, unless one of them is more than ``switch_ratio`` times as
      urgent: the person works on one correction at a time, and two similar
      corrections do not take turns.
    * A cue, once shown, stays at least ``min_display_s``, even if its condition is
      fixed the next frame (a sentence that flashes for one frame cannot be read;
      "good" feedback comes from the next cue or praise). The one exception: a camera
      cue may replace a correction or praise after ``min_change_interval_s``, because
      corrections made from a view the camera cannot judge are wrong.
    * The display changes at most once per ``min_change_interval_s``, whatever the
      change (a new cue, a new sentence for the same key, or going blank).
    * A cue whose condition is gone is removed at the first update allowed by the two
      rules above; with no candidates the display goes blank (or shows praise if the
      caller offered it).
    * A cue is to be spoken (:attr:`spoken`) on the update that puts it on screen,
      unless the same sentence was spoken less than ``repeat_after_s`` ago; it is not
      spoken again while it stays on screen.

    Args:
        min_display_s: shortest time a cue stays on screen.
        min_change_interval_s: shortest time between two changes of the display.
        repeat_after_s: shortest time before the same sentence is spoken again.
        switch_ratio: how many times as urgent another cue of the same kind must be
            to replace a shown cue whose condition still holds (>= 1).
        clock: seconds from a monotonic clock; injectable for tests.
    """

    def __init__(
        self,
        min_display_s: float = 1.5,
        min_change_interval_s: float = 1.0,
        repeat_after_s: float = 5.0,
        switch_ratio: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        for name, value in (("min_display_s", min_display_s),
                            ("min_change_interval_s", min_change_interval_s),
                            ("repeat_after_s", repeat_after_s)):
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"{name} must be finite and >= 0, got {value!r}")
        if not (math.isfinite(switch_ratio) and switch_ratio >= 1):
            raise ValueError(f"switch_ratio must be finite and >= 1, got {switch_ratio!r}")
        self.min_display_s = min_display_s
        self.min_change_interval_s = min_change_interval_s
        self.repeat_after_s = repeat_after_s
        self.switch_ratio = switch_ratio
        self._clock = clock
        self.reset()

    def reset(self) -> None:
        """Start afresh (a new pose or a new person): nothing shown, nothing said yet."""
        self._shown: Cue | None = None
        self._shown_at = -math.inf
        self._changed_at: float | None = None
        self._spoken = False
        self._said_at: dict[str, float] = {}

    @property
    def shown(self) -> Cue | None:
        """The cue on screen after the last :meth:`update`."""
        return self._shown

    @property
    def spoken(self) -> bool:
        """Whether the last :meth:`update` put a cue on screen that should be said now."""
        return self._spoken

    @property
    def is_new(self) -> bool:
        """Same as :attr:`spoken`: the cue just shown is new and should be said now."""
        return self._spoken

    def withdraw(self, keys: Iterable[str]) -> bool:
        """Take a correction off the screen at once: the check it is about can no longer be seen.

        A correction about a joint shown grey ("?") would be a claim about something the
        tool cannot see, so it does not wait out its display time. The display then stays
        blank for ``min_change_interval_s`` like after any change. Returns whether it was shown.
        """
        shown = self._shown
        if shown is None or shown.kind != "correction" or shown.key not in set(keys):
            return False
        now = self._clock()
        self._shown, self._shown_at, self._changed_at = None, now, now
        self._spoken = False
        return True

    def update(self, candidates: Iterable[Cue]) -> Cue | None:
        """Take this frame's candidate cues and return what to show now.

        Args:
            candidates: every cue that applies now; include praise to allow praise.

        Returns:
            The cue to show (possibly one whose condition just ended, while its minimum
            display time runs), or None for nothing. :attr:`spoken` says whether to
            speak it.
        """
        now = self._clock()
        cands = tuple(candidates)
        wanted = self._wanted(cands)
        self._spoken = False
        if wanted == self._shown:
            # Same sentence about the same condition: keep the newest urgency.
            self._shown = wanted
            return wanted
        if not self._may_change(now, wanted):
            return self._shown
        self._shown, self._shown_at, self._changed_at = wanted, now, now
        if wanted is not None:
            last = self._said_at.get(wanted.text)
            if last is None or now - last >= self.repeat_after_s:
                self._said_at[wanted.text] = now
                self._spoken = True
                self._forget_old_sentences(now)
        return wanted

    def _wanted(self, cands: tuple[Cue, ...]) -> Cue | None:
        best = choose_cue(cands)
        shown = self._shown
        if shown is None or best is None:
            return best
        same = [c for c in cands if c.key == shown.key and c.kind == shown.kind]
        if not same:
            return best
        # The shown condition still holds: prefer its current sentence if offered.
        held = next((c for c in same if c == shown), None) or choose_cue(same)
        assert held is not None
        return best if self._beats(best, held) else held

    def _beats(self, challenger: Cue, held: Cue) -> bool:
        if _RANK[challenger.kind] != _RANK[held.kind]:
            return _RANK[challenger.kind] < _RANK[held.kind]
        if challenger.key == held.key:
            return False
        return challenger.urgency > held.urgency * self.switch_ratio

    def _may_change(self, now: float, wanted: Cue | None) -> bool:
        if self._changed_at is not None and now - self._changed_at < self.min_change_interval_s:
            return False
        shown = self._shown
        if shown is None or now - self._shown_at >= self.min_display_s:
            return True
        return wanted is not None and wanted.kind == "camera" and shown.kind != "camera"

    def _forget_old_sentences(self, now: float) -> None:
        # Bounded memory in long sessions: old entries cannot block speech any more.
        if len(self._said_at) > 64:
            self._said_at = {t: at for t, at in self._said_at.items() if now - at < self.repeat_after_s}
