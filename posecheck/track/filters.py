"""Steadying measurements over time: a One-Euro filter for values and a Schmitt
trigger for statuses, so a value hovering at a band edge does not flicker.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


def _alpha(cutoff_hz: float, dt: float) -> float:
    tau = 1.0 / (2.0 * math.pi * cutoff_hz)
    return 1.0 / (1.0 + tau / dt)


@dataclass
class OneEuroFilter:
    """The 1€ filter (Casiez, Roussel & Vogel, CHI 2012) for one scalar signal.

    Little lag when the value moves fast, strong smoothing when it is still: the
    cutoff frequency rises with the (smoothed) speed of the signal.

    Attributes:
        min_cutoff: cutoff in Hz when the value is still; lower = smoother.
        beta: how much the cutoff rises with speed; higher = less lag.
        d_cutoff: cutoff in Hz for the speed estimate.
    """

    min_cutoff: float = 1.0
    beta: float = 0.05
    d_cutoff: float = 1.0
    _x: float | None = None
    _dx: float = 0.0
    _t: float | None = None

    def reset(self) -> None:
        """Forget the past (e.g. after the value was unknown for a while)."""
        self._x, self._dx, self._t = None, 0.0, None

    @property
    def value(self) -> float | None:
        """The last filtered value, or None before the first sample."""
        return self._x

    def __call__(self, t: float, x: float) -> float:
        """Filter the sample ``x`` taken at time ``t`` (seconds); NaN passes through."""
        if math.isnan(x):
            return x
        if self._x is None or self._t is None or t <= self._t:
            self._x, self._dx, self._t = x, 0.0, t
            return x
        dt = t - self._t
        dx = (x - self._x) / dt
        a_d = _alpha(self.d_cutoff, dt)
        self._dx = a_d * dx + (1 - a_d) * self._dx
        cutoff = self.min_cutoff + self.beta * abs(self._dx)
        a = _alpha(cutoff, dt)
        self._x = a * x + (1 - a) * self._x
        self._t = t
        return self._x


class StatusHysteresis:
    """A Schmitt trigger on a check's bands.

    To leave its current band, the deviation must pass the band's edge by
    ``margin`` (a share of the width of the near band). A value sitting on an edge
    keeps the status it had. A value within ``uncertainty`` (the check's measured ±) of
    the near band's edge may truly lie inside it, so it is never called ``off``: the
    off edge sits that much further out.
    """

    ORDER = ("ok", "near", "off")

    def __init__(self, ok: float, near: float, margin_share: float = 0.15, uncertainty: float = 0.0) -> None:
        self.ok = ok
        self.margin = max((near - ok) * margin_share, 1e-9)
        self.near = near + max(uncertainty, 0.0)
        self.current: str | None = None

    def reset(self) -> None:
        """Forget the current status."""
        self.current = None

    def _plain(self, mag: float) -> str:
        return "ok" if mag <= self.ok else ("near" if mag <= self.near else "off")

    def __call__(self, deviation: float) -> str:
        """The steadied status (``ok``/``near``/``off``) of an absolute deviation."""
        mag = abs(deviation)
        plain = self._plain(mag)
        cur = self.current
        if cur is None or plain == cur:
            self.current = plain
            return plain
        m = self.margin
        # Back to ok needs the margin inside the ok band; a value inside the target's own
        # range (deviation 0) is ok at once. Without that, a range target (``min: 2``, ok 0)
        # could never return to ok: 0 is not below 0 - margin, so a tree that was near once
        # stayed near for the rest of the hold.
        back_to_ok = mag < self.ok - m or mag <= 0.0
        if cur == "ok":
            new = plain if mag > self.ok + m else cur
        elif cur == "near":
            if plain == "ok":
                new = "ok" if back_to_ok else cur
            else:
                new = "off" if mag > self.near + m else cur
        else:  # off
            new = plain if mag < self.near - m else cur
            if new == "ok" and not back_to_ok:
                new = "near"
        self.current = new
        return new


class Debounce:
    """A boolean or label that changes only after the new value has held for ``hold_s``.

    With ``max_gap_s``, "held" also means seen often enough: two answers further apart than
    that are not evidence of what came between (frames were dropped), so the new value's
    time starts again. That makes the outcome a matter of seconds, not of how many frames
    arrived.
    """

    def __init__(self, hold_s: float, initial: object = None, max_gap_s: float | None = None) -> None:
        self.hold_s = hold_s
        self.max_gap_s = max_gap_s
        self.value = initial
        self._candidate: object = initial
        self._since: float | None = None
        self._last_t: float | None = None

    def __call__(self, t: float, value: object) -> object:
        """Feed the raw value at time ``t``; return the steadied value."""
        gap = self.max_gap_s is not None and self._last_t is not None and t - self._last_t > self.max_gap_s
        self._last_t = t
        if value == self.value:
            self._candidate, self._since = value, None
            return self.value
        if value != self._candidate or self._since is None or gap:
            self._candidate, self._since = value, t
        if t - self._since >= self.hold_s or self.value is None:
            self.value = value
            self._since = None
        return self.value
