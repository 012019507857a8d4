"""The report's figures: matplotlib (Agg, never a window) drawn to inline SVG strings.

No text from specs, file names or users goes into a figure: titles and labels live
in the HTML, where the template escapes them, and matplotlib never parses them as
mathtext.
"""

from __future__ import annotations

import io
import itertools
import math
import re
from collections.abc import Sequence
from datetime import datetime

import matplotlib

matplotlib.use("Agg")  # a report is a file, never a window

import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

#: Status colours, shared with the page's CSS.
COLORS = {
    "ok": "#2e9d5b",
    "near": "#e3a21a",
    "off": "#d64545",
    "unknown": "#b9bec7",
    "line": "#1f3b73",
    "target": "#1b6e3d",
    "rest": "#eef0f3",
    "marker": "#6b3fa0",
}

_RC = {
    "svg.fonttype": "none",  # text stays text: smaller files, the browser's font
    "svg.hashsalt": "posecheck",  # stable ids, so the same data gives the same file
    "font.family": "sans-serif",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#8a8f98",
    "axes.labelcolor": "#3a3f47",
    "xtick.color": "#5a5f67",
    "ytick.color": "#5a5f67",
}

_counter = itertools.count(1)
_ID = re.compile(r'(id="|url\(#|href="#)([^")]+)')


def _styled(fn):  # noqa: ANN001, ANN202
    """Draw under :data:`_RC` (axes take their style when created, not when saved)."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        with matplotlib.rc_context(_RC):
            return fn(*args, **kwargs)
    return wrapper


def to_svg(fig: Figure) -> str:
    """The figure as an ``<svg>`` element that scales to its container.

    Every id in it gets a prefix unique in this process, so several figures inlined
    in one page never share an id.
    """
    buf = io.StringIO()
    with matplotlib.rc_context(_RC):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight",
                    pad_inches=0.05)
    text = buf.getvalue()
    text = text[text.index("<svg"):]
    prefix = f"f{next(_counter)}-"
    text = _ID.sub(lambda m: f"{m.group(1)}{prefix}{m.group(2)}", text)
    # Let the page size it: keep the viewBox, drop the fixed size in points.
    text = re.sub(r'<svg([^>]*?) width="[^"]+" height="[^"]+"', r'<svg\1 class="plot" role="img"', text, count=1)
    return text


def _figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), dpi=100)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """``[(start, end), ...]`` index ranges where ``mask`` is true (end exclusive)."""
    m = np.concatenate([[False], np.asarray(mask, dtype=bool), [False]])
    edges = np.flatnonzero(m[1:] != m[:-1])
    return list(zip(edges[::2], edges[1::2]))


def _spans(t: np.ndarray, mask: np.ndarray, step: float) -> list[tuple[float, float]]:
    """``(start, width)`` in seconds of each run of ``mask``; a frame lasts until the next."""
    out = []
    for i, j in _runs(mask):
        end = t[j] if j < len(t) else t[-1] + step
        out.append((float(t[i]), float(end - t[i])))
    return out


def _step(t: np.ndarray) -> float:
    return float(np.median(np.diff(t))) if len(t) > 1 else 1.0 / 30


def bands(target) -> dict[str, tuple[float, float]]:  # noqa: ANN001
    """The ok and near bands of a spec target as ``(low, high)``; an open end is ±inf."""
    if target.value is not None:
        lo = hi = target.value
    else:
        lo = target.min if target.min is not None else -math.inf
        hi = target.max if target.max is not None else math.inf
    return {"ok": (lo - target.ok, hi + target.ok), "near": (lo - target.near, hi + target.near)}


def _ylim(values: np.ndarray, target) -> tuple[float, float]:  # noqa: ANN001
    finite = values[np.isfinite(values)]
    pts = list(np.percentile(finite, [1, 99])) if finite.size else []
    if target is not None:
        for lo, hi in bands(target).values():
            pts += [x for x in (lo, hi) if math.isfinite(x)]
        pts += [x for x in (target.value, target.min, target.max) if x is not None]
    if not pts:
        return -1.0, 1.0
    lo, hi = min(pts), max(pts)
    pad = (hi - lo) * 0.12 or max(abs(hi) * 0.1, 0.1)
    return lo - pad, hi + pad


@_styled
def check_plot(t: np.ndarray, values: np.ndarray, status: Sequence[str], in_pose: np.ndarray, target,  # noqa: ANN001
               unit: str, marks: Sequence[float] = ()) -> str:
    """One check over time: the value, the ok/near bands and target, and a status strip below.

    Args:
        t: ``(n,)`` seconds.
        values: ``(n,)`` measured values, NaN where not measured.
        status: ``n`` statuses (``ok``/``near``/``off``/``unknown``).
        in_pose: ``(n,)`` whether each frame was in the pose (others are shaded as resting).
        target: the spec's :class:`~posecheck.specs.models.Target`, or None (no bands).
        unit: ``deg`` or ``ratio``, for the axis label.
        marks: seconds to mark (the worst moments).
    """
    fig = _figure(7.6, 2.5)
    ax, strip = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [9, 1], "hspace": 0.08})
    step = _step(t)
    x_end = float(t[-1] + step) if len(t) else 1.0
    # Scale to the values in the pose: a wild value while stepping in would squash the rest.
    pose_vals = values[np.asarray(in_pose, dtype=bool)]
    y0, y1 = _ylim(pose_vals if np.isfinite(pose_vals).any() else values, target)
    for start, width in _spans(t, ~np.asarray(in_pose, dtype=bool), step):
        ax.axvspan(start, start + width, color=COLORS["rest"], zorder=0, lw=0)
    if target is not None:
        b = bands(target)
        for name, alpha in (("near", 0.16), ("ok", 0.22)):
            lo, hi = b[name]
            ax.axhspan(max(lo, y0 - 1e9), min(hi, y1 + 1e9), color=COLORS[name], alpha=alpha, lw=0, zorder=1,
                      )
        for x in (target.value, target.min, target.max):
            if x is not None:
                ax.axhline(x, color=COLORS["target"], lw=1.2, ls=(0, (5, 3)), zorder=2)
    ax.plot(t, values, color=COLORS["line"], lw=1.6, zorder=3, clip_on=True)
    for k, m in enumerate(marks, 1):
        ax.axvline(m, color=COLORS["marker"], lw=0.9, ls=":", zorder=2)
        ax.annotate(str(k), (m, 1.0), xycoords=("data", "axes fraction"), xytext=(2, -10),
                    textcoords="offset points", color=COLORS["marker"], fontsize=8, fontweight="bold")
    ax.set_ylim(y0, y1)
    ax.set_xlim(0 if not len(t) else min(0.0, float(t[0])), x_end)
    ax.set_ylabel("degrees" if unit == "deg" else "ratio")
    ax.grid(axis="y", color="#e3e6ea", lw=0.6)
    _status_strip(strip, t, status, step)
    strip.set_yticks([])
    strip.spines["left"].set_visible(False)
    strip.set_xlabel("seconds")
    return to_svg(fig)


def _status_strip(ax, t: np.ndarray, status: Sequence[str], step: float, y: float = 0.0,  # noqa: ANN001
                  h: float = 1.0) -> None:
    codes = np.asarray(status, dtype=object)
    for name in ("ok", "near", "off", "unknown"):
        spans = _spans(t, codes == name, step)
        if spans:
            ax.broken_barh(spans, (y, h), facecolors=COLORS[name], lw=0)


@_styled
def timeline_plot(t: np.ndarray, rows: Sequence[tuple[str, Sequence[str]]], marks: Sequence[float] = ()) -> str:
    """Statuses over time, one row per ``(label, statuses)`` entry of ``rows``, top to bottom.

    The labels may come from a spec: matplotlib escapes SVG text, and mathtext is off
    for them so a ``$`` is just a dollar sign.
    """
    n = len(rows)
    fig = _figure(7.6, 0.32 * n + 0.45)
    ax = fig.subplots()
    step = _step(t)
    for i, (_, status) in enumerate(rows):
        _status_strip(ax, t, status, step, y=n - 1 - i + 0.12, h=0.76)
    for k, m in enumerate(marks, 1):
        ax.axvline(m, color=COLORS["marker"], lw=1.0, ls=":")
        ax.annotate(str(k), (m, n), xytext=(2, 1), textcoords="offset points", color=COLORS["marker"],
                    fontsize=8, fontweight="bold", annotation_clip=False)
    ax.set_ylim(0, n)
    ax.set_xlim(0 if not len(t) else min(0.0, float(t[0])), float(t[-1] + step) if len(t) else 1.0)
    ax.set_yticks([n - 1 - i + 0.5 for i in range(n)])
    ax.set_yticklabels([label for label, _ in rows], parse_math=False, usetex=False)
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    ax.set_xlabel("seconds")
    return to_svg(fig)


@_styled
def trend_plot(when: Sequence[datetime], values: Sequence[float], target=None, unit: str = "",  # noqa: ANN001
               ylabel: str = "", ylim: tuple[float, float] | None = None) -> str:
    """One figure over sessions: a dot per session joined by a line, the target bands when known."""
    fig = _figure(7.6, 1.9)
    ax = fig.subplots()
    v = np.asarray(values, dtype=np.float64)
    if target is not None:
        y0, y1 = _ylim(v, target)
        b = bands(target)
        for name, alpha in (("near", 0.16), ("ok", 0.22)):
            lo, hi = b[name]
            ax.axhspan(max(lo, y0 - 1e9), min(hi, y1 + 1e9), color=COLORS[name], alpha=alpha, lw=0)
        for x in (target.value, target.min, target.max):
            if x is not None:
                ax.axhline(x, color=COLORS["target"], lw=1.2, ls=(0, (5, 3)))
        ax.set_ylim(y0, y1)
    elif ylim is not None:
        ax.set_ylim(*ylim)
    ax.plot(list(when), v, color=COLORS["line"], lw=1.4, marker="o", ms=4)
    if unit or ylabel:
        ax.set_ylabel(ylabel or ("degrees" if unit == "deg" else "ratio"))
    ax.grid(axis="y", color="#e3e6ea", lw=0.6)
    import matplotlib.dates as mdates

    loc = mdates.AutoDateLocator(maxticks=8)
    ax.xaxis.set_major_locator(loc)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))
    if len(when) == 1:
        w = when[0]
        from datetime import timedelta

        ax.set_xlim(w - timedelta(days=1), w + timedelta(days=1))
    return to_svg(fig)
