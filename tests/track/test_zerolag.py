"""The zero-lag filter of recordings as pure signal logic: no lag, no seams, no invented values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import signal

from posecheck.track.filters import OneEuroFilter
from posecheck.track.zerolag import RECORDING, ZeroLagFilter, ZeroLagSettings

FPS = 24.0


def _sweep(n: int = 240, hz: float = 0.4, amp: float = 0.1, noise: float = 0.002, seed: int = 3) -> np.ndarray:
    """``(n, 2)``: a body part moving back and forth (like a knee bending at ~30°/s), with model noise."""
    t = np.arange(n) / FPS
    rng = np.random.default_rng(seed)
    clean = 0.5 + amp * np.sin(2 * math.pi * hz * t)
    return np.stack([clean + rng.normal(0, noise, n), clean[::-1] + rng.normal(0, noise, n)], axis=1)


def test_a_constant_passes_unchanged():
    f = ZeroLagFilter(RECORDING, FPS)
    x = np.full((60, 3), 0.42)
    assert np.allclose(f.filter_all(x), 0.42, atol=1e-12)


def test_no_lag_where_a_causal_filter_lags():
    """The filtered sweep is best matched by the clean one unshifted; One-Euro's is best matched later."""
    x = _sweep()
    clean = _sweep(noise=0.0)[:, 0]
    y = ZeroLagFilter(RECORDING, FPS).filter_all(x)[:, 0]
    one = OneEuroFilter(min_cutoff=1.0, beta=0.02)
    causal = np.array([one(i / FPS, v) for i, v in enumerate(x[:, 0])])

    def best_shift(v: np.ndarray) -> int:
        errs = {k: float(np.mean((v[20 + k:220 + k] - clean[20:220]) ** 2)) for k in range(-3, 8)}
        return min(errs, key=errs.get)

    assert best_shift(y) == 0
    assert best_shift(causal) >= 2  # at least two frames (83 ms) late
    # And the noise is down: white noise keeps only the share below 4 Hz of the 12 Hz band
    # (a third of its power, 0.58 of its SD); 0.65 leaves room for the draw.
    assert np.std(y[20:220] - clean[20:220]) < 0.65 * np.std(x[20:220, 0] - clean[20:220])


def test_the_window_gives_what_filtering_the_whole_run_gives():
    """Inside a run, looking ``reach_s`` each way is enough: within 0.5% of the noise of the input."""
    x = _sweep()
    f = ZeroLagFilter(RECORDING, FPS)
    whole = signal.sosfiltfilt(f.sos, x, axis=0)
    windowed = f.filter_all(x)
    r = f.reach
    # 1e-5 of an image width is 0.01 px at 960 px: nothing anyone can see or measure.
    assert np.max(np.abs(windowed[r:-r] - whole[r:-r])) < 1e-5


def test_chunks_with_reach_of_context_give_the_same_values_bit_for_bit():
    """A batch worker filtering a chunk with ``reach`` frames either side gets exactly the stream's values."""
    x = _sweep(300)
    f = ZeroLagFilter(RECORDING, FPS)
    stream = f.filter_all(x)
    r = f.reach
    for start, stop in ((0, 97), (97, 211), (211, 300)):
        lo, hi = max(0, start - r), min(len(x), stop + r)
        chunk = f.filter_all(x[lo:hi])[start - lo:stop - lo]
        # The chunk's own edges differ (less context), which is why the context is taken.
        assert np.array_equal(chunk, stream[start:stop])


def test_unknown_samples_stay_unknown_and_short_gaps_are_bridged():
    x = _sweep()
    x[100:102, 0] = np.nan  # two frames (83 ms): bridged
    x[150:160, 1] = np.nan  # ten frames (0.4 s): the run ends
    f = ZeroLagFilter(RECORDING, FPS)
    y = f.filter_all(x)
    assert np.isnan(y[100:102, 0]).all() and np.isnan(y[150:160, 1]).all()  # nothing invented
    assert not np.isnan(np.delete(y[:, 0], [100, 101])).any()
    # Across the long gap the two sides are filtered apart: changing what comes after the gap
    # does not move the values before it.
    x2 = x.copy()
    x2[160:, 1] += 0.2
    y2 = f.filter_all(x2)
    assert np.array_equal(y[:150, 1], y2[:150, 1])
    # Across the short gap they are one run: a change after it reaches the values just before.
    x3 = x.copy()
    x3[102:110, 0] += 0.05
    assert not np.array_equal(f.filter_all(x3)[98:100, 0], y[98:100, 0])


def test_a_glitch_is_reported_and_not_smeared_into_its_neighbours():
    x = _sweep()
    f = ZeroLagFilter(RECORDING, FPS)
    clean = f.filter_all(x)
    x[120, 0] += 0.25  # the model throws a knee 240 px away for one frame
    r = f.reach
    values, glitch = f.value_at(x[120 - r:120 + r + 1], r)
    assert glitch[0] and not glitch[1]
    assert values[0] == x[120, 0]  # reported as it came (the stage marks it unseen)
    smeared = f.filter_all(x)
    neighbours = [i for i in range(110, 131) if i != 120]
    # The neighbours are as if the glitch had never been (the short gap is bridged instead).
    assert np.max(np.abs(smeared[neighbours, 0] - clean[neighbours, 0])) < 0.002


def test_a_steady_fast_movement_is_not_a_glitch():
    """The fastest sample clip moves a knee ~20 px a frame; a ramp's middle is its own median."""
    ramp = np.linspace(0.2, 0.8, 60)[:, None]  # 0.01 of the image a frame, for 2.5 s
    f = ZeroLagFilter(RECORDING, FPS)
    assert not f.outliers(ramp).any()
    assert np.allclose(f.filter_all(ramp)[5:-5], ramp[5:-5], atol=1e-9)


@pytest.mark.parametrize("bad", [dict(cutoff_hz=0), dict(cutoff_hz=4, reach_s=0), dict(cutoff_hz=4, order=0),
                                 dict(cutoff_hz=4, max_gap_s=-1), dict(cutoff_hz=4, outlier_sigmas=0)])
def test_settings_are_checked(bad):
    with pytest.raises(ValueError, match="invalid zero-lag filter settings"):
        ZeroLagSettings(**bad)


def test_at_or_above_the_nyquist_rate_values_pass_as_they_are():
    """``--stride 10`` on a 24 fps video samples at 2.4 Hz: a 4 Hz filter has nothing to remove."""
    f = ZeroLagFilter(RECORDING, 2.4)
    x = _sweep(40)
    assert f.sos is None and np.array_equal(f.filter_all(x), x)
