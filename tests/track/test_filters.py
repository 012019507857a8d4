"""The steadying filters as pure logic: One-Euro smoothing, the status trigger, the debounce."""

from __future__ import annotations

import math

import numpy as np
import pytest

from posecheck.track.filters import Debounce, OneEuroFilter, StatusHysteresis


def test_one_euro_passes_a_constant_and_nan_and_starts_at_the_first_sample():
    f = OneEuroFilter()
    assert f.value is None
    assert f(0.0, 90.0) == 90.0
    assert all(f(t / 30, 90.0) == pytest.approx(90.0) for t in range(1, 30))
    assert math.isnan(f(1.0, math.nan)) and f.value == pytest.approx(90.0)  # NaN passes, the state stays
    f.reset()
    assert f.value is None and f(2.0, 10.0) == 10.0


def test_one_euro_smooths_noise_and_follows_a_step():
    rng = np.random.default_rng(1)
    f = OneEuroFilter(min_cutoff=1.0, beta=0.02)
    noisy = 90 + rng.normal(0, 2.0, 300)
    out = np.array([f(i / 30, x) for i, x in enumerate(noisy)])
    # Held still: the filtered value varies far less than the raw one (jitter down by more than half).
    assert out[60:].std() < 0.5 * noisy[60:].std()
    # A step of 40°: followed to within 1° in under half a second.
    g = OneEuroFilter(min_cutoff=1.0, beta=0.02)
    for i in range(30):
        g(i / 30, 90.0)
    t_within = next(i for i in range(30, 120) if abs(g(i / 30, 130.0) - 130.0) < 1.0)
    assert (t_within - 30) / 30 < 0.5


def test_one_euro_restarts_when_time_goes_back():
    f = OneEuroFilter()
    f(1.0, 50.0)
    assert f(0.5, 80.0) == 80.0  # a new start, not a smoothed step


@pytest.mark.parametrize("devs,expected", [
    ([0, 9.9, 11.4, 11.6], ["ok", "ok", "ok", "near"]),        # leaving ok needs the margin (1.5 over 10)
    ([25, 19.5, 18.6, 18.4], ["off", "off", "off", "near"]),   # coming back from off needs it too
    ([15, 9.0, 8.4], ["near", "near", "ok"]),
    ([0, 30, 0], ["ok", "off", "ok"]),                          # big moves are not held back
])
def test_status_trigger_needs_the_margin_to_leave_a_band(devs, expected):
    h = StatusHysteresis(ok=10, near=20)  # margin 0.15 x (20 - 10) = 1.5
    assert [h(d) for d in devs] == expected
    h.reset()
    assert h.current is None


def test_debounce_changes_only_after_the_new_value_held():
    d = Debounce(0.5)
    assert d(0.0, "left") == "left"  # the first value is taken at once
    assert d(0.2, "right") == "left" and d(0.6, "right") == "left"
    assert d(0.71, "right") == "right"  # held for 0.51 s
    assert d(0.8, "left") == "right" and d(0.9, "right") == "right" and d(1.5, "left") == "right"
    assert d(2.01, "left") == "left"
