"""``report.html``: one self-contained page per session, and one for the history.

Everything the page needs is inside it: CSS, the plots as inline SVG, the still
frames as JPEG data URIs and the annotated video as an MP4 data URI (unless it is
too large, then it is linked). Text from specs, file names and users goes through
Jinja2's autoescape.

A one-pose run gets one section; a ``--pose auto`` or ``--routine`` run gets one per
segment (the routine's plan against what was done first), built the same way.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from posecheck.errors import InputError, OutputError, UnknownPoseError
from posecheck.io.atomic import write_text_atomic
from posecheck.render.report.frames import Frames, read_frames, read_run_frames
from posecheck.render.report.moments import (
    MIN_GAP_S,
    STILL_WIDTH,
    grab_stills,
    still_source,
    worst_moments,
)
from posecheck.render.report.sections import Section, build_section, by_side, join, side_rows
from posecheck.session.records import AutoSummary, PoseSummary, Summary, read_summary

#: An annotated video up to this size is embedded in the page; a larger one is linked.
VIDEO_EMBED_LIMIT = 40 * 1024 * 1024

#: Beyond this many segments, a segment's checks get figures and its timeline, not a plot each.
PLOTS_UP_TO_SEGMENTS = 8


def file_size(n: float) -> str:
    """A file's size as a person reads it: ``820 kB``, ``3.4 MB``."""
    if n < 1000 * 1000:
        return f"{max(n / 1000, 1):.0f} kB"
    return f"{n / 1e6:.1f} MB" if n < 100e6 else f"{n / 1e6:.0f} MB"


def _env():  # noqa: ANN202
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(loader=PackageLoader("posecheck.render.report", "templates"),
                      autoescape=select_autoescape(["html", "j2"], default=True), undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = lambda x, d=1: "—" if x is None else f"{x:.{d}f}"
    env.filters["size"] = file_size
    return env


# -- reading a results folder -------------------------------------------------------------


def _load_summary(results_dir: Path) -> Summary:
    path = results_dir / "summary.json"
    if not results_dir.is_dir():
        raise InputError(f"{results_dir} is not a folder", "give the --out folder of a 'posecheck score' run")
    if not path.exists():
        raise InputError(f"{results_dir} holds no summary.json", "give the --out folder of a 'posecheck score' run")
    try:
        return read_summary(path)
    except json.JSONDecodeError as exc:
        raise InputError(f"cannot read {path} (not JSON: {exc})") from None
    except ValueError as exc:
        raise InputError(f"{path} is {exc}") from None
    except OSError as exc:
        raise InputError(f"cannot read {path} ({exc})") from None


class _Specs:
    """The specs a report looks poses up in: given ones first, then the library (the bundled
    specs by default); a pose whose spec has since been removed gets plots without bands."""

    def __init__(self, spec=None, specs=None, library=None) -> None:  # noqa: ANN001
        self.given = {s.id: s for s in ([spec] if spec is not None else []) + list(specs or [])}
        self.library = library

    def get(self, pose: str):  # noqa: ANN201 - a PoseSpec or None
        if pose in self.given:
            return self.given[pose]
        if self.library is None:
            from posecheck.specs import SpecLibrary

            self.library = SpecLibrary()
        try:
            return self.library.get(pose)
        except UnknownPoseError:
            return None


def _video_block(annotated: Path | None, results_dir: Path, embed_limit: int) -> dict | None:
    if annotated is None or not annotated.is_file():
        return None
    size = annotated.stat().st_size
    if size <= embed_limit:
        data = base64.b64encode(annotated.read_bytes()).decode("ascii")
        return {"embedded": True, "src": f"data:video/mp4;base64,{data}", "size": size}
    rel = os.path.relpath(annotated.resolve(), results_dir.resolve())
    return {"embedded": False, "src": Path(rel).as_posix(), "size": size, "limit": embed_limit}


def _fill_stills(sections: list[Section], source) -> None:  # noqa: ANN001 - a StillSource or None
    """Take every section's stills from the video in one pass over it."""
    moments = [m for sec in sections for m in sec.moments]
    if source is None or not moments:
        return
    for m, uri in zip(moments, source.grab([m.t for m in moments], [m.row for m in moments])):
        m.image = uri


def _created(results_dir: Path) -> str:
    try:
        created = datetime.fromtimestamp((results_dir / "summary.json").stat().st_mtime)
    except OSError:
        created = datetime.now()
    return created.strftime("%Y-%m-%d %H:%M")


# -- the session report ----------------------------------------------------------------------


def _pose_sections(summary: PoseSummary, results_dir: Path, specs: _Specs) -> list[Section]:
    spec = specs.get(summary.pose)
    path = results_dir / "frames.csv"
    frames = read_frames(path, list(summary.checks)) if path.exists() else None
    section = build_section(summary, spec, frames)
    if frames is not None and len(frames) and {"left", "right"} <= set(summary.sides):
        section.sides = side_rows(spec, list(summary.checks), {c: s.label or c for c, s in summary.checks.items()},
                                  by_side(frames), {s: t.time_in_good_form_s for s, t in summary.sides.items()},
                                  {s: t.holds for s, t in summary.sides.items()})
    return [section]


def _step_of(seg, routine) -> int | None:  # noqa: ANN001
    """The routine step (1-based) a segment was done for: a done hold of its pose and side overlapping it."""
    if routine is None:
        return None
    return next((k for k, st in enumerate(routine.steps, 1) if st.done and st.pose == seg.pose
                 and (st.side is None or st.side == seg.side) and st.start_s is not None
                 and st.start_s < seg.end_s and (st.end_s or 0.0) > seg.start_s), None)


def _segment_title(seg, index: int, routine, step: int | None) -> str:  # noqa: ANN001
    side = f", {seg.side} leg forward" if seg.side else ""
    title = f"{index}. {seg.pose_title or seg.pose}{side} · {seg.start_s:.1f}–{seg.end_s:.1f} s"
    if step is not None:
        title += f" · step {step} of {len(routine.steps)}"
    return title


def _run_sections(summary: AutoSummary, results_dir: Path, specs: _Specs) -> tuple[list[Section], list[dict]]:
    """A section per segment, and per pose held on both sides, the two side by side."""
    path = results_dir / "frames.csv"
    run = read_run_frames(path) if path.exists() else None
    many = len(summary.segments) > PLOTS_UP_TO_SEGMENTS
    sections, parts = [], {}
    for k, seg in enumerate(summary.segments, 1):
        spec = specs.get(seg.pose)
        frames = run.segment(seg) if run is not None else None
        step = _step_of(seg, summary.routine)
        shown = seg
        if step is not None:
            # In a routine the hold's target is the plan's, not the pose's own.
            shown = replace(seg, hold_target_s=summary.routine.steps[step - 1].hold_target_s)
        sections.append(build_section(shown, spec, frames, title=_segment_title(seg, k, summary.routine, step),
                                      moments=1 if many else 3, plots_per_check=not many))
        if seg.side and frames is not None and len(frames):
            parts.setdefault(seg.pose, {}).setdefault(seg.side, []).append((seg, frames))
    pairs = []
    for pose, sides in parts.items():
        if set(sides) != {"left", "right"}:
            continue
        segs = [seg for held in sides.values() for seg, _ in held]
        checks = segs[0].checks
        rows = side_rows(specs.get(pose), list(checks), {c: s.label or c for c, s in checks.items()},
                         {s: join([f for _, f in held]) for s, held in sides.items()},
                         {s: sum(seg.time_in_good_form_s for seg, _ in held) for s, held in sides.items()},
                         {s: sum(len(seg.holds) for seg, _ in held) for s, held in sides.items()})
        if rows:
            pairs.append({"title": segs[0].pose_title or pose, "rows": rows})
    return sections, pairs


def build_session_report(results_dir: Path, *, spec=None, specs=None, library=None,  # noqa: ANN001
                         video: Path | None = None, embed_limit: int = VIDEO_EMBED_LIMIT) -> str:
    """The HTML of ``report.html`` for a results folder (``summary.json`` and ``frames.csv``).

    Args:
        results_dir: a ``score --out`` folder or a live session folder.
        spec: the pose spec of a one-pose run (default: looked up by its id).
        specs: specs to look the run's poses up in first (a live session's or a score run's own).
        library: a :class:`~posecheck.specs.SpecLibrary` for the rest (default: the bundled specs).
        video: the annotated video to embed: a live recording, whose pictures are the rows of
            ``frames.csv`` (default: ``annotated.mp4`` in the folder).
        embed_limit: a video larger than this many bytes is linked, not embedded.
    """
    from posecheck.render.report import plots
    from posecheck.session.summary import work_on
    from posecheck.version import __version__

    results_dir = Path(results_dir)
    summary = _load_summary(results_dir)
    found = _Specs(spec, specs, library)
    if isinstance(summary, AutoSummary):
        sections, pairs = _run_sections(summary, results_dir, found)
        template = "run.html.j2"
        if summary.routine is not None:
            title = summary.routine.title or summary.routine.id
        else:
            title = "Any pose"
    else:
        sections, pairs = _pose_sections(summary, results_dir, found), []
        template = "session.html.j2"
        title = summary.pose_title or summary.pose
    source = still_source(results_dir, summary.input, video)
    _fill_stills(sections, source)
    annotated = video if video is not None else results_dir / "annotated.mp4"
    return _env().get_template(template).render(
        s=summary, title=title, input_name=Path(summary.input or "camera").name or "camera",
        created=_created(results_dir), sections=sections, pairs=pairs, work_on=work_on(summary),
        video=_video_block(annotated, results_dir, embed_limit), colors=plots.COLORS, version=__version__,
        still_source=source.name if source is not None else None)


def write_session_report(results_dir: Path, *, spec=None, specs=None, library=None,  # noqa: ANN001
                         video: Path | None = None, force: bool = True,
                         embed_limit: int = VIDEO_EMBED_LIMIT) -> Path:
    """Write ``report.html`` beside ``summary.json`` (atomically); returns its path.

    Raises:
        InputError: the folder holds no readable ``summary.json``.
        OutputError: ``report.html`` exists and ``force`` is off, or cannot be written.
    """
    results_dir = Path(results_dir)
    out = results_dir / "report.html"
    if out.exists() and not force:
        raise OutputError(f"{out} already exists", "use --force to replace it")
    html = build_session_report(results_dir, spec=spec, specs=specs, library=library, video=video,
                                embed_limit=embed_limit)
    write_text_atomic(out, html, hint="check the disk has space")
    return out


# -- the history report ----------------------------------------------------------------------


def build_history_report(sessions, library=None) -> str:  # noqa: ANN001
    """The HTML of the history page: per pose, the trend plots and the sessions."""
    from markupsafe import Markup

    from posecheck.checks import get_kind
    from posecheck.io.history import balance, trends
    from posecheck.render.report import plots

    if library is None:
        from posecheck.specs import SpecLibrary

        library = SpecLibrary()
    poses = []
    for tr in trends(sessions):
        try:
            spec = library.get(tr.pose)
        except UnknownPoseError:
            spec = None
        ids = set(tr.session_ids)
        # Every session of this pose and spec version, the ones not judged too (marked as such).
        rows = [s for s in sessions if s.pose == tr.pose and s.spec_hash == tr.spec_hash]
        version = None
        if tr.versions > 1:
            current = spec.content_hash if spec is not None else None
            version = (f"spec version {tr.spec_hash}" + (" (in use now)" if tr.spec_hash == current else "")
                       if tr.spec_hash else "sessions recorded before spec versions were")
        sides = next((b for b in balance(rows) if b.spec_hash == tr.spec_hash), None)
        figs = []
        for trend, ylabel, ylim in ((tr.score, "score (0–100)", (0, 100)),
                                    (tr.good_form, "seconds in good form", None)):
            if trend.points:
                figs.append({"label": trend.name, "trend": trend, "digits": 1, "unit": "",
                             "plot": Markup(plots.trend_plot([p[0] for p in trend.points],
                                                             [p[1] for p in trend.points],
                                                             ylabel=ylabel, ylim=ylim))})
        for cid, trend in tr.checks.items():
            if not trend.points:
                continue
            check = spec.find_check(cid) if spec is not None else None
            unit = get_kind(check.kind).unit if check is not None else ""
            figs.append({"label": f"{trend.name}: median per session", "trend": trend, "digits": 3,
                         "improving": tr.check_off_by[cid].improving,
                         "unit": "°" if unit == "deg" else "",
                         "plot": Markup(plots.trend_plot([p[0] for p in trend.points], [p[1] for p in trend.points],
                                                         target=check.target if check is not None else None,
                                                         unit=unit or "ratio"))})
        poses.append({"t": tr, "figs": figs, "rows": rows, "judged": ids, "version": version, "sides": sides})
    from posecheck.version import __version__

    return _env().get_template("history.html.j2").render(
        poses=poses, count=len(sessions), created=datetime.now().strftime("%Y-%m-%d %H:%M"),
        version=__version__, colors=plots.COLORS)


def write_history_report(sessions, out: Path, library=None) -> Path:  # noqa: ANN001
    """Write the history page to ``out`` (atomically); returns ``out``."""
    out = Path(out)
    if out.exists() and out.is_dir():
        raise OutputError(f"{out} is a folder", "give --report a file name such as history.html")
    if not out.parent.is_dir():
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"cannot create {out.parent} ({exc.strerror or exc})") from None
    write_text_atomic(out, build_history_report(sessions, library), hint="check the disk has space")
    return out


__all__ = ["Frames", "MIN_GAP_S", "PLOTS_UP_TO_SEGMENTS", "STILL_WIDTH", "VIDEO_EMBED_LIMIT", "build_history_report",
           "build_session_report", "file_size", "grab_stills", "read_frames", "worst_moments",
           "write_history_report", "write_session_report"]
