"""Zero-lag filtering of a recording: a Butterworth low-pass run forward and backward.

A recording is known in full, so its values can be filtered the way offline kinematics
tools do (Sports2D, Pose2Sim): ``scipy.signal.sosfiltfilt`` cancels the phase delay of
the filter by running it both ways, so a knee that bends at 45°/s is not reported late.

The filter answers each sample from the samples at most :attr:`ZeroLagSettings.reach_s`
before and after it, in the same *run* (an unbroken stretch of known values). That makes
three promises:

* memory and delay are bounded (a long recording is never held whole, and a front end
  holds at most ``reach_s`` of pictures until their frames are answered);
* the value of a sample depends only on its neighbours, never on where the input
  started or how it was fed: scoring a stitched stream, or a chunk of it with
  ``reach_s`` of context on each side, gives bit for bit the same values;
* nothing is invented: a sample the model did not give stays unknown, a gap of up to
  :attr:`ZeroLagSettings.max_gap_s` is bridged (linearly, only inside the filter) so
  the run goes on, and a longer gap ends the run. A sample marked as a *break* (``inf``:
  one an earlier stage found impossible for a body, so the model was wrong there and its
  neighbours may be too) ends the run at once, never bridged. Run edges are padded by odd
  extension (scipy's ``padtype="odd"``), which keeps the slope at the edge.

A low-pass filter spreads a one-frame glitch of the model (a knee thrown 200 px away for
a frame) over its neighbours, so glitches are taken out first, as Sports2D does with a
Hampel test: a sample further from the median of its neighbours (±``outlier_s``) than
``outlier_sigmas`` robust standard deviations, and more than ``outlier_floor`` (a share
of the image), is left out of the filter and reported, never smoothed into the others.
A steady movement is never an outlier: the middle of a monotonic stretch is its median.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy import signal


@dataclass(frozen=True)
class ZeroLagSettings:
    """How a recording is filtered.

    Attributes:
        cutoff_hz: the low-pass cutoff. Chosen by measurement on the labelled moving samples
            (``benchmarks/smoothing.py``): see :data:`RECORDING`.
        order: the Butterworth order of one pass (the forward-backward pair doubles it).
        reach_s: how far the filter looks each way; a few time constants of the filter, so
            the window's own edges do not reach the sample answered.
        max_gap_s: the longest run of unknown samples bridged inside a run.
        outlier_s: the half-width of the neighbourhood a sample is compared with (0: no test).
        outlier_sigmas: how many robust standard deviations (1.4826 MAD) make an outlier.
        outlier_floor: the smallest distance from the neighbours' median that counts as one,
            in the values' own unit (normalised image coordinates for landmarks: 0.02 is 19 px
            of a 960 px frame, several times the model's frame-to-frame noise on a still body).
    """

    cutoff_hz: float
    order: int = 2
    reach_s: float = 0.5
    max_gap_s: float = 0.1
    outlier_s: float = 0.3
    outlier_sigmas: float = 3.0
    outlier_floor: float = 0.02

    def __post_init__(self) -> None:
        if not (self.cutoff_hz > 0 and self.order >= 1 and self.reach_s > 0 and self.max_gap_s >= 0
                and self.outlier_s >= 0 and self.outlier_sigmas > 0 and self.outlier_floor >= 0):
            raise ValueError(f"invalid zero-lag filter settings: {self}")


class ZeroLagFilter:
    """The zero-lag filter for one sample rate.

    Args:
        settings: cutoff, order, reach and gap limit.
        rate_hz: samples per second (a video's frame rate over ``--stride``).
        point_size: how many neighbouring columns make one point (2 for a landmark's x and
            y): a glitch in one of them leaves the whole point out.
    """

    def __init__(self, settings: ZeroLagSettings, rate_hz: float, point_size: int = 1) -> None:
        self.settings, self.rate_hz, self.point_size = settings, float(rate_hz), max(int(point_size), 1)
        self.reach = max(1, math.ceil(settings.reach_s * self.rate_hz - 1e-9))
        self.max_gap = int(math.floor(settings.max_gap_s * self.rate_hz + 1e-9))
        self.outlier_k = min(int(round(settings.outlier_s * self.rate_hz)), self.reach)
        # At or above the Nyquist rate there is nothing to remove: values pass as they are.
        wn = settings.cutoff_hz / (self.rate_hz / 2.0)
        self.sos = signal.butter(settings.order, wn, output="sos") if 0 < wn < 1 else None

    @cached_property
    def _padlen(self) -> int:
        # scipy's own default for sosfiltfilt, computed once.
        sos = self.sos
        n = 2 * len(sos) + 1 - min(int((sos[:, 2] == 0).sum()), int((sos[:, 5] == 0).sum()))
        return 3 * n

    def run_bounds(self, known: np.ndarray, centre: int, breaks: np.ndarray | None = None) -> tuple[int, int]:
        """The run around ``centre`` in one column: ``[lo, hi)`` over samples whose gaps are bridged.

        Args:
            known: ``(n,)`` whether each sample of the window is known.
            centre: the sample being answered (known).
            breaks: ``(n,)`` samples that end the run where they are (never bridged).
        """
        n = len(known)
        lo = centre
        gap = 0
        for k in range(centre - 1, -1, -1):
            if known[k]:
                lo, gap = k, 0
            else:
                gap += 1
                if gap > self.max_gap or (breaks is not None and breaks[k]):
                    break
        hi = centre + 1
        gap = 0
        for k in range(centre + 1, n):
            if known[k]:
                hi, gap = k + 1, 0
            else:
                gap += 1
                if gap > self.max_gap or (breaks is not None and breaks[k]):
                    break
        return lo, hi

    def outliers(self, window: np.ndarray) -> np.ndarray:
        """``(n, k)``: which samples of ``window`` are glitches (see the module's docstring)."""
        k = self.outlier_k
        n = len(window)
        if k < 1 or n < 3:
            return np.zeros(window.shape, dtype=bool)
        padded = np.concatenate([np.full((k, window.shape[1]), np.nan), window,
                                 np.full((k, window.shape[1]), np.nan)])
        hood = np.lib.stride_tricks.sliding_window_view(padded, 2 * k + 1, axis=0)  # (n, cols, 2k+1)
        with np.errstate(invalid="ignore"):
            med = _nanmedian_last(hood)
            mad = _nanmedian_last(np.abs(hood - med[..., None]))
            limit = np.maximum(self.settings.outlier_sigmas * 1.4826 * mad, self.settings.outlier_floor)
            odd = np.abs(window - med) > limit  # NaN compares False: unknown is not an outlier
        k = self.point_size
        if k > 1 and window.shape[1] % k == 0:
            odd = np.repeat(odd.reshape(n, -1, k).any(axis=2), k, axis=1)
        return odd

    def value_at(self, window: np.ndarray, centre: int) -> tuple[np.ndarray, np.ndarray]:
        """The filtered values of the sample ``centre`` of ``window``.

        Args:
            window: ``(n, k)`` samples in time order (NaN where unknown, ``inf`` where a
                sample ends its run), already cut at breaks of the whole frame (a new person,
                a long pause): every row belongs to one stretch of time.
            centre: the row to answer.

        Returns:
            ``(k,)`` values: NaN where the sample itself is unknown; the sample as it is when
            its run is too short to filter or when it is a glitch; and ``(k,)`` which of them
            are glitches (left out of the filter).
        """
        window = np.asarray(window, dtype=np.float64)
        breaks = np.isinf(window)
        if breaks.any():
            window = np.where(breaks, np.nan, window)
        out = window[centre].copy()
        if self.sos is None:
            return out, np.zeros(out.shape, dtype=bool)
        odd = self.outliers(window)
        known = ~np.isnan(window) & ~odd
        cols = np.flatnonzero(known[centre])
        # Columns with the same pattern of known samples share their run: filter them together.
        groups: dict[bytes, list[int]] = {}
        for c in cols:
            groups.setdefault(known[:, c].tobytes() + breaks[:, c].tobytes(), []).append(int(c))
        for members in groups.values():
            k0 = members[0]
            lo, hi = self.run_bounds(known[:, k0], centre, breaks[:, k0])
            n = hi - lo
            if n < 3:
                continue  # too short to filter: the sample stands as it is
            seg = window[lo:hi, members]
            mask = known[lo:hi, k0]
            if not mask.all():
                # Bridge the short gaps inside the run (only inside the filter: the gap
                # samples themselves stay unknown when they are answered).
                idx = np.arange(n)
                for j in range(seg.shape[1]):
                    seg[~mask, j] = np.interp(idx[~mask], idx[mask], seg[mask, j])
            padlen = min(self._padlen, n - 1)
            out[members] = signal.sosfiltfilt(self.sos, seg, axis=0, padlen=padlen)[centre - lo]
        return out, odd[centre]

    def filter_all(self, samples: np.ndarray) -> np.ndarray:
        """Every sample of ``samples`` (``(n, k)``, one stretch of time) filtered, as a stream would be.

        What :class:`~posecheck.session.smoothing.ZeroLagStage` gives frame by frame; for
        whole series (benchmarks, tests).
        """
        samples = np.asarray(samples, dtype=np.float64)
        r = self.reach
        rows = [self.value_at(samples[max(0, i - r):i + r + 1], min(i, r))[0] for i in range(len(samples))]
        return np.array(rows) if rows else samples.copy()


def _nanmedian_last(a: np.ndarray) -> np.ndarray:
    """``np.nanmedian(a, axis=-1)``, the same values, NaN for an unknown neighbourhood, silently.

    numpy's own goes through masked arrays for short rows (about 1.5 ms a frame here, the
    largest cost of scoring a recording); a sort puts the NaNs last, and the known values'
    middle one (or the mean of the middle two) is the median.
    """
    s = np.sort(a, axis=-1)
    count = (~np.isnan(a)).sum(axis=-1)
    lo = np.take_along_axis(s, np.maximum((count - 1) // 2, 0)[..., None], axis=-1)[..., 0]
    hi = np.take_along_axis(s, (count // 2)[..., None], axis=-1)[..., 0]
    med = (lo + hi) / 2.0
    med[count == 0] = np.nan
    return med


#: The filter of recorded media (``score``, ``--replay``, batch scoring). The cutoff is
#: the measured best on the labelled moving clips (``benchmarks/smoothing.py``, docs/accuracy.md):
#: bodies moving at 20-45°/s have nothing above ~2 Hz, while the model's frame-to-frame
#: jitter is broadband; lower cutoffs start to round off the turns of a movement.
RECORDING = ZeroLagSettings(cutoff_hz=4.0)


__all__ = ["RECORDING", "ZeroLagFilter", "ZeroLagSettings"]
