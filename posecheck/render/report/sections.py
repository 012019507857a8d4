"""One pose's part of a report: its figures, holds, checks with their plots, timeline and worst
moments, and its two sides side by side. A one-pose report has one; a ``--pose auto`` or
``--routine`` report has one per segment.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from posecheck.render.report.frames import Frames
from posecheck.render.report.moments import cue_at, worst_moments


@dataclass
class Moment:
    """One worst moment: where it is, what was shown, and (filled in later) its still."""

    n: int
    t: float
    row: int
    score: float
    cue: str
    check: str
    side: str
    image: str | None = None


@dataclass
class SideRow:
    """One line of the left/right table: a figure for each side, and right minus left."""

    label: str
    left: str
    right: str
    diff: str


@dataclass
class Section:
    """What the page shows of one pose (a run's, or a segment's).

    Attributes:
        figures: the summary or segment record (score, times, holds, checks).
        title: the heading (a segment's pose, side and time).
        checks: per check its label, target, unit, statistics, plot and the median in words.
        timeline: the status timeline (SVG), if there are frames.
        moments: the worst moments.
        sides: left against right, when both sides were held.
        has_frames: per-frame data was there to plot.
    """

    figures: object
    title: str = ""
    checks: list[dict] = field(default_factory=list)
    timeline: object = None
    moments: list[Moment] = field(default_factory=list)
    sides: list[SideRow] = field(default_factory=list)
    has_frames: bool = False


def _unit(spec, cid: str) -> str:  # noqa: ANN001
    from posecheck.checks import get_kind

    check = spec.find_check(cid) if spec is not None else None
    return get_kind(check.kind).unit if check is not None else ""


def median_words(spec, cid: str, median: float | None) -> str:  # noqa: ANN001
    """A ratio check's median as a person reads it (``knee ⅒ shin ahead of ankle``); empty for angles."""
    from posecheck.judge.wording import value_words

    check = spec.find_check(cid) if spec is not None else None
    if check is None or median is None or _unit(spec, cid) == "deg":
        return ""
    return value_words(check, median)


def build_section(figures, spec, frames: Frames | None, *, title: str = "", moments: int = 3,  # noqa: ANN001
                  plots_per_check: bool = True) -> Section:
    """The section of one pose.

    Args:
        figures: a :class:`~posecheck.session.records.PoseSummary` or a
            :class:`~posecheck.session.records.Segment`.
        spec: the pose's spec (None: one since removed; plots without bands).
        frames: its rows of ``frames.csv`` (None: not there).
        title: the heading.
        moments: how many worst moments to pick.
        plots_per_check: draw a value plot per check (off for many segments: the page stays small).
    """
    from markupsafe import Markup

    from posecheck.render.report import plots

    has_frames = frames is not None and len(frames) > 0
    if has_frames:
        frames.mark_holds(figures.holds)
    worst = worst_moments(frames, n=moments) if has_frames and moments else []
    marks = [float(frames.t[i]) for i in worst]
    checks = []
    for cid, c in figures.checks.items():
        check = spec.find_check(cid) if spec is not None else None
        unit = _unit(spec, cid)
        plot = None
        if has_frames and plots_per_check and cid in frames.values:
            plot = Markup(plots.check_plot(frames.t, frames.values[cid], frames.status[cid], frames.in_pose,
                                           check.target if check is not None else None, unit, marks))
        checks.append({"id": cid, "label": c.label or cid, "target": c.target or "",
                       "unit": "°" if unit == "deg" else "", "stats": c, "plot": plot,
                       "words": median_words(spec, cid, c.median)})
    timeline = None
    if has_frames:
        rows = [("in the pose", ["ok" if p else "unknown" for p in frames.in_pose]),
                ("good form", ["ok" if g else ("off" if p else "unknown")
                               for g, p in zip(frames.good_form, frames.in_pose)])]
        rows += [(c["label"], frames.status[c["id"]]) for c in checks if c["id"] in frames.status]
        timeline = Markup(plots.timeline_plot(frames.t, rows, marks))
    found = []
    for k, i in enumerate(worst, 1):
        cue, cid = cue_at(frames, i, spec, figures.checks)
        label = (figures.checks[cid].label if cid in figures.checks else cid) if cid else ""
        found.append(Moment(k, float(frames.t[i]), int(frames.row[i]), float(frames.score[i]), cue, label,
                            frames.side[i]))
    return Section(figures, title, checks, timeline, found, has_frames=has_frames)


# -- both sides ---------------------------------------------------------------------------------


def _fmt(x: float | None, unit: str) -> str:
    if x is None or not np.isfinite(x):
        return "—"
    return f"{x:.0f}°" if unit == "°" else f"{x:+.2f}"


def side_rows(spec, check_ids: list[str], labels: dict[str, str], per_side: dict[str, Frames],  # noqa: ANN001
              good_s: dict[str, float], holds: dict[str, int]) -> list[SideRow]:
    """Left against right: per check its median and share of time ok in each side's frames in the
    pose, then the time in good form and the holds. Empty unless both sides have frames in the pose.

    Args:
        spec: the pose.
        check_ids: the checks, in the order to show.
        labels: their labels.
        per_side: the frames of each side (``left``, ``right``), in-pose marked.
        good_s: seconds in good form per side.
        holds: holds per side.
    """
    sides = ("left", "right")
    if not all(s in per_side and per_side[s].in_pose.any() for s in sides):
        return []
    rows = []
    for cid in check_ids:
        unit = "°" if _unit(spec, cid) == "deg" else ""
        med, ok = {}, {}
        for s in sides:
            f = per_side[s]
            if cid not in f.values:
                continue
            vals = f.values[cid][f.in_pose]
            vals = vals[np.isfinite(vals)]
            med[s] = float(np.median(vals)) if vals.size else None
            st = [x for x, p in zip(f.status[cid], f.in_pose) if p]
            judged = [x for x in st if x != "unknown"]
            ok[s] = 100.0 * sum(x == "ok" for x in judged) / len(judged) if judged else None
        if len(med) < 2:
            continue
        cells = [_fmt(med[s], unit) + ("" if ok[s] is None else f", ok {ok[s]:.0f}%") for s in sides]
        diff = "—"
        if med["left"] is not None and med["right"] is not None:
            d = med["right"] - med["left"]
            diff = f"{d:+.0f}°" if unit else f"{d:+.2f}"
        rows.append(SideRow(labels.get(cid, cid), cells[0], cells[1], diff))
    gl, gr = good_s.get("left", 0.0), good_s.get("right", 0.0)
    rows.append(SideRow("time in good form", f"{gl:.1f} s", f"{gr:.1f} s", f"{gr - gl:+.1f} s"))
    rows.append(SideRow("holds", str(holds.get("left", 0)), str(holds.get("right", 0)),
                        f"{holds.get('right', 0) - holds.get('left', 0):+d}"))
    return rows


def by_side(frames: Frames) -> dict[str, Frames]:
    """A one-pose run's frames split by the side assessed."""
    out = {}
    for s in ("left", "right"):
        mask = np.asarray([x == s for x in frames.side], dtype=bool)
        if mask.any():
            out[s] = frames.where(mask)
    return out


def join(parts: list[Frames]) -> Frames:
    """Several segments' frames as one."""
    from dataclasses import replace

    first = parts[0]
    ids = set.intersection(*(set(p.values) for p in parts))
    cat = np.concatenate
    return replace(
        first, t=cat([p.t for p in parts]), frame=cat([p.frame for p in parts]),
        side=[s for p in parts for s in p.side], person=cat([p.person for p in parts]),
        in_pose=cat([p.in_pose for p in parts]), good_form=cat([p.good_form for p in parts]),
        score=cat([p.score for p in parts]), values={c: cat([p.values[c] for p in parts]) for c in ids},
        status={c: [s for p in parts for s in p.status[c]] for c in ids},
        camera_cue=[s for p in parts for s in p.camera_cue],
        cue=[s for p in parts for s in p.cue] if all(p.cue is not None for p in parts) else None,
        row=cat([p.row for p in parts]))


__all__ = ["Moment", "Section", "SideRow", "build_section", "by_side", "join", "median_words", "side_rows"]
