"""``report.html``: one self-contained page per session, and one for the history.

Everything the page needs is inside it: CSS, the plots as inline SVG, the still
frames as JPEG data URIs and the annotated video as an MP4 data URI (unless it is
too large, then it is linked). Text from specs, file names and users goes through
Jinja2's autoescape.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import math
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from posecheck.errors import InputError, OutputError, UnknownPoseError
from posecheck.io.atomic import write_text_atomic
from posecheck.io.media import VIDEO_EXTENSIONS
from posecheck.session.records import AutoSummary, PoseSummary, read_summary

#: An annotated video up to this size is embedded in the page; a larger one is linked.
VIDEO_EMBED_LIMIT = 40 * 1024 * 1024

#: The still frames are scaled down to this width.
STILL_WIDTH = 560

#: Worst moments at least this far apart (seconds), so three are not one slip.
MIN_GAP_S = 1.0


def _env():  # noqa: ANN202
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(loader=PackageLoader("posecheck.render.report", "templates"),
                      autoescape=select_autoescape(["html", "j2"], default=True), undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = lambda x, d=1: "—" if x is None else f"{x:.{d}f}"
    return env


# -- reading a results folder -------------------------------------------------------------


@dataclass
class Frames:
    """``frames.csv`` as columns: ``t`` etc. are ``(n,)`` arrays; per check values and statuses."""

    t: np.ndarray
    frame: np.ndarray
    side: list[str]
    person: np.ndarray
    in_pose: np.ndarray
    good_form: np.ndarray
    score: np.ndarray
    values: dict[str, np.ndarray]
    status: dict[str, list[str]]
    camera_cue: list[str]
    cue: list[str] | None = None  # the cue shown (frames.csv from 0.2 on)


def _float(x: str) -> float:
    try:
        return float(x) if x != "" else math.nan
    except ValueError:
        return math.nan


def read_frames(path: Path, check_ids: list[str]) -> Frames:
    """Read a ``frames.csv`` written by ``score`` or ``live``."""
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except OSError as exc:
        raise InputError(f"cannot read {path} ({exc.strerror or exc})") from None
    if rows and "t" not in rows[0]:
        raise InputError(f"{path} is not a posecheck frames.csv (no column 't')")

    def col(name: str, conv=_float) -> list:  # noqa: ANN001
        return [conv(r.get(name) or "") for r in rows]

    ids = [c for c in check_ids if not rows or c in rows[0]]
    return Frames(
        t=np.asarray(col("t"), dtype=np.float64), frame=np.asarray(col("frame"), dtype=np.float64),
        side=col("side", str), person=np.asarray(col("person"), dtype=np.float64) == 1,
        in_pose=np.asarray(col("in_pose"), dtype=np.float64) == 1,
        good_form=np.asarray(col("good_form"), dtype=np.float64) == 1,
        score=np.asarray(col("score"), dtype=np.float64),
        values={c: np.asarray(col(c), dtype=np.float64) for c in ids},
        status={c: [s or "unknown" for s in col(f"{c}.status", str)] for c in ids},
        camera_cue=col("camera_cue", str),
        cue=col("cue", str) if rows and "cue" in rows[0] else None,
    )


def _load_summary(results_dir: Path) -> PoseSummary:
    path = results_dir / "summary.json"
    if not results_dir.is_dir():
        raise InputError(f"{results_dir} is not a folder", "give the --out folder of a 'posecheck score' run")
    if not path.exists():
        raise InputError(f"{results_dir} holds no summary.json", "give the --out folder of a 'posecheck score' run")
    try:
        summary = read_summary(path)
    except json.JSONDecodeError as exc:
        raise InputError(f"cannot read {path} (not JSON: {exc})") from None
    except ValueError as exc:
        raise InputError(f"{path} is {exc}") from None
    except OSError as exc:
        raise InputError(f"cannot read {path} ({exc})") from None
    if isinstance(summary, AutoSummary):
        raise InputError(f"{path} is a --pose auto or --routine summary",
                         "a report of such runs is not written yet; summary.json lists every segment")
    return summary


def _spec_for(summary: PoseSummary, spec, library):  # noqa: ANN001, ANN202
    if spec is not None:
        return spec
    if library is None:
        from posecheck.specs import SpecLibrary

        library = SpecLibrary()
    try:
        return library.get(summary.pose)
    except UnknownPoseError:
        return None  # a spec since removed: plots without bands


# -- worst moments and stills ----------------------------------------------------------------


def worst_moments(frames: Frames, n: int = 3, min_gap_s: float = MIN_GAP_S) -> list[int]:
    """Row indices of the ``n`` lowest-scoring frames in the pose, at least ``min_gap_s`` apart.

    Frames out of the pose count only when the person was never in it; frames that
    could not be judged never count (a moment the tool could not see is not bad form).
    """
    judged = np.isfinite(frames.score) & frames.person
    pool = judged & frames.in_pose if (judged & frames.in_pose).any() else judged
    idx = np.flatnonzero(pool)
    if not idx.size:
        return []
    offs = np.zeros(len(frames.t))
    for st in frames.status.values():
        offs += np.asarray([s == "off" for s in st], dtype=float)
    order = sorted(idx, key=lambda i: (frames.score[i], -offs[i], frames.t[i]))
    chosen: list[int] = []
    for i in order:
        if all(abs(frames.t[i] - frames.t[j]) >= min_gap_s for j in chosen):
            chosen.append(int(i))
        if len(chosen) == n:
            break
    return sorted(chosen, key=lambda i: frames.t[i])


def _cue_at(frames: Frames, i: int, spec, summary: PoseSummary) -> tuple[str, str]:  # noqa: ANN001
    """The cue for row ``i`` and the check it is about.

    The cue that was on screen (frames.csv's ``cue``), with the check it came from; for a
    file written before that column existed, the correction of the weightiest off (else
    near) check.
    """
    if frames.cue is not None and frames.cue[i]:
        shown = frames.cue[i]
        about = next((cid for cid in summary.checks
                      if any(pre and shown.startswith(pre) for pre in _cues_of(spec, cid))), "")
        return shown, about
    from posecheck.judge.wording import format_cue

    for wanted in ("off", "near"):
        cands = [c for c, st in frames.status.items() if st[i] == wanted]
        if not cands:
            continue
        if spec is not None:
            def weight(cid: str) -> float:
                try:
                    return spec.check(cid).weight
                except KeyError:
                    return 0.0
            cid = max(cands, key=weight)
            try:
                check = spec.check(cid)
            except KeyError:
                check = None
            value = frames.values[cid][i]
            if check is not None and math.isfinite(value):
                dev = check.target.deviation(value)
                text = check.cues.below if dev < 0 else check.cues.above
                if text:
                    side = frames.side[i] or None
                    return format_cue(text, side, value, check.target.describe()), cid
        else:
            cid = cands[0]
        stats = summary.checks.get(cid)
        return ((stats.most_common_cue if stats is not None else None) or f"{cid} is {wanted}"), cid
    if frames.camera_cue[i]:
        return frames.camera_cue[i], ""
    return (spec.praise if spec is not None else "Good form."), ""


def _cues_of(spec, cid: str) -> tuple[str, ...]:  # noqa: ANN001
    """The fixed words of a check's cues (the text before the first placeholder), to tell which check a cue is from."""
    if spec is None:
        return ()
    try:
        check = spec.check(cid)
    except KeyError:
        return ()
    return tuple(c.split("{")[0] for c in (check.cues.below, check.cues.above) if c)


def _still_uri(image: np.ndarray) -> str:
    from PIL import Image

    rgb = np.ascontiguousarray(image[..., ::-1])
    pic = Image.fromarray(rgb)
    if pic.width > STILL_WIDTH:
        pic = pic.resize((STILL_WIDTH, round(pic.height * STILL_WIDTH / pic.width)), Image.LANCZOS)
    buf = io.BytesIO()
    pic.save(buf, format="JPEG", quality=82, optimize=True)
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def grab_stills(video: Path, times: list[float]) -> list[str | None]:
    """JPEG data URIs of the frames nearest ``times`` in ``video`` (None where it cannot be read)."""
    from posecheck.errors import PosecheckError
    from posecheck.io.media import open_media

    out: list[str | None] = [None] * len(times)
    if not times:
        return out
    best: list[tuple[float, np.ndarray | None]] = [(math.inf, None) for _ in times]
    last = max(times)
    try:
        with open_media(video) as src:
            for f in src:
                for k, want in enumerate(times):
                    d = abs(f.t - want)
                    if d < best[k][0]:
                        best[k] = (d, f.image)
                if f.t > last + 0.5:
                    break
    except (PosecheckError, OSError):
        return out
    for k, (d, image) in enumerate(best):
        if image is not None and d < 1.0:
            out[k] = _still_uri(image)
    return out


def _video_source(results_dir: Path, summary: PoseSummary, video: Path | None) -> Path | None:
    """The video the stills come from: one whose timestamps are the session's.

    ``annotated.mp4`` of a score run, else the input when it is a video file, else a
    live recording (``video``), whose clock only roughly follows the session's.
    """
    if (results_dir / "annotated.mp4").is_file():
        return results_dir / "annotated.mp4"
    name = summary.input or ""
    if name and not name.isdigit():
        for cand in (Path(name), results_dir / name):
            if cand.is_file() and cand.suffix.lower() in VIDEO_EXTENSIONS:
                return cand
    return video if video is not None and video.is_file() else None


# -- the session report ----------------------------------------------------------------------


def build_session_report(results_dir: Path, *, spec=None, library=None, video: Path | None = None,  # noqa: ANN001
                         embed_limit: int = VIDEO_EMBED_LIMIT) -> str:
    """The HTML of ``report.html`` for a results folder (``summary.json`` and ``frames.csv``).

    Args:
        results_dir: a ``score --out`` folder or a live session folder.
        spec: the pose spec (default: looked up by the summary's pose id in ``library``).
        library: a :class:`~posecheck.specs.SpecLibrary` (default: the bundled specs).
        video: the annotated video to embed (default: ``annotated.mp4`` in the folder).
        embed_limit: a video larger than this many bytes is linked, not embedded.
    """
    from markupsafe import Markup

    from posecheck.checks import get_kind
    from posecheck.render.report import plots

    results_dir = Path(results_dir)
    summary = _load_summary(results_dir)
    spec = _spec_for(summary, spec, library)
    check_ids = list(summary.checks)
    frames_path = results_dir / "frames.csv"
    frames = read_frames(frames_path, check_ids) if frames_path.exists() else None
    has_frames = frames is not None and len(frames.t) > 0

    if has_frames:
        # frames.csv marks the tracker's debounced state, which lags the summary's holds
        # at both ends; show what the holds table says, so the page agrees with itself.
        holds_mask = np.zeros(len(frames.t), dtype=bool)
        for h in summary.holds:
            holds_mask |= (frames.t >= h.start_s - 1e-9) & (frames.t < h.end_s - 1e-9)
        if holds_mask.any():
            frames.in_pose = holds_mask
    worst = worst_moments(frames) if has_frames else []
    marks = [float(frames.t[i]) for i in worst] if has_frames else []
    checks = []
    for cid, c in summary.checks.items():
        check = spec.find_check(cid) if spec is not None else None
        unit = get_kind(check.kind).unit if check is not None else ""
        plot = None
        if has_frames and cid in frames.values:
            plot = Markup(plots.check_plot(frames.t, frames.values[cid], frames.status[cid], frames.in_pose,
                                           check.target if check is not None else None, unit, marks))
        checks.append({"id": cid, "label": c.label or cid, "target": c.target or "",
                       "unit": "°" if unit == "deg" else "", "stats": c, "plot": plot})
    timeline = None
    if has_frames:
        rows = [("in the pose", ["ok" if p else "unknown" for p in frames.in_pose]),
                ("good form", ["ok" if g else ("off" if p else "unknown")
                               for g, p in zip(frames.good_form, frames.in_pose)])]
        rows += [(c["label"], frames.status[c["id"]]) for c in checks if c["id"] in frames.status]
        timeline = Markup(plots.timeline_plot(frames.t, rows, marks))

    source = _video_source(results_dir, summary, video)
    stills = grab_stills(source, marks) if source is not None else [None] * len(marks)
    moments = []
    for k, (i, uri) in enumerate(zip(worst, stills), 1):
        cue, cid = _cue_at(frames, i, spec, summary)
        moments.append({"n": k, "t": float(frames.t[i]), "score": float(frames.score[i]), "cue": cue,
                        "check": (summary.checks[cid].label if cid in summary.checks else cid) if cid else "",
                        "image": uri, "side": frames.side[i]})

    vid = None
    annotated = video if video is not None else results_dir / "annotated.mp4"
    if annotated.is_file():
        size = annotated.stat().st_size
        if size <= embed_limit:
            data = base64.b64encode(annotated.read_bytes()).decode("ascii")
            vid = {"embedded": True, "src": f"data:video/mp4;base64,{data}", "size_mb": size / 2**20}
        else:
            rel = os.path.relpath(annotated.resolve(), results_dir.resolve())
            vid = {"embedded": False, "src": Path(rel).as_posix(), "size_mb": size / 2**20,
                   "limit_mb": embed_limit / 2**20}

    holds = summary.holds
    try:
        created = datetime.fromtimestamp((results_dir / "summary.json").stat().st_mtime)
    except OSError:
        created = datetime.now()
    from posecheck.version import __version__

    return _env().get_template("session.html.j2").render(
        s=summary, title=summary.pose_title or summary.pose,
        input_name=Path(summary.input or "camera").name or "camera",
        created=created.strftime("%Y-%m-%d %H:%M"), checks=checks, timeline=timeline,
        moments=moments, holds=holds, sides=summary.sides,
        video=vid, spec=spec, colors=plots.COLORS, version=__version__,
        has_frames=has_frames, still_source=source.name if source is not None else None,
    )


def write_session_report(results_dir: Path, *, spec=None, library=None, video: Path | None = None,  # noqa: ANN001
                         force: bool = True, embed_limit: int = VIDEO_EMBED_LIMIT) -> Path:
    """Write ``report.html`` beside ``summary.json`` (atomically); returns its path.

    Raises:
        InputError: the folder holds no readable ``summary.json``.
        OutputError: ``report.html`` exists and ``force`` is off, or cannot be written.
    """
    results_dir = Path(results_dir)
    out = results_dir / "report.html"
    if out.exists() and not force:
        raise OutputError(f"{out} already exists", "use --force to replace it")
    html = build_session_report(results_dir, spec=spec, library=library, video=video, embed_limit=embed_limit)
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
