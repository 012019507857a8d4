"""The ``frames.csv`` format: one row per judged frame, written from the session's records.

Three layouts, by mode:

* ``pose`` (``--pose NAME``): ``frame, t, side, person, in_pose, good_form, score``, then per
  check its value (filtered: what was judged), ``<id>.raw`` (the same measurement on the
  model's own landmarks, unfiltered) and ``<id>.status``, then ``camera_cue``;
* ``auto`` (``--pose auto``): ``frame, t, pose, side, person, in_pose, good_form, score,
  checks`` (``id=value:status`` joined by ``;``), ``camera_cue``;
* ``routine``: the ``auto`` columns, then ``step, phase, held_s``.

Every layout ends with ``cue``: the cue that was on screen (and spoken when it appeared),
so the report's "worst moments" quote exactly what the person was told; then ``events``:
what the session noticed about the frame before judging it, joined by ``;`` (``person
changed``: the landmarks belong to someone else from this frame on, so no hold or segment
spans it; ``left and right swapped back: legs``; ``implausible joints: left_knee, ...``). A folder of
photos has a ``file`` column after ``frame``: the photo each row is about.
"""

from __future__ import annotations

import math

from posecheck.session.records import SessionFrame

AUTO_COLUMNS = ["frame", "t", "pose", "side", "person", "in_pose", "good_form", "score", "checks", "camera_cue"]
ROUTINE_COLUMNS = ["step", "phase", "held_s"]


def _num(x: float, digits: int) -> str:
    return "" if x is None or math.isnan(x) else f"{x:.{digits}f}"


def header(layout: str, spec=None, files: bool = False) -> list[str]:  # noqa: ANN001 - a PoseSpec
    """The columns of ``frames.csv`` for ``layout`` (``pose`` needs the spec; ``files``: a folder of photos)."""
    if layout == "pose":
        cols = ["frame", "t", "side", "person", "in_pose", "good_form", "score"]
        for c in spec.checks:
            cols += [c.id, f"{c.id}.raw", f"{c.id}.status"]
        cols = [*cols, "camera_cue", "cue", "events"]
    else:
        cols = [*AUTO_COLUMNS, *(ROUTINE_COLUMNS if layout == "routine" else []), "cue", "events"]
    return [cols[0], "file", *cols[1:]] if files else cols


def row(layout: str, f: SessionFrame, file: str | None = None, files: bool = False) -> list:
    """One frame's row (``files``: with the ``file`` column, holding ``file``)."""
    out = _row(layout, f)
    return [out[0], file or "", *out[1:]] if files else out


def _row(layout: str, f: SessionFrame) -> list:
    v = f.verdict
    cue = f.cue.text if f.cue is not None else ""
    events = "; ".join(f.events)
    if layout == "pose":
        out = [f.index, f"{v.t:.4f}", v.side or "", int(v.detected), int(v.in_pose), int(v.good_form),
               _num(v.score, 1)]
        for c in v.checks:
            digits = 4 if c.unit == "ratio" else 2
            out += [_num(c.value, digits), _num(c.raw, digits), c.status.value]
        return [*out, v.camera_cue or "", cue, events]
    if v is None:
        out = [f.index, f"{f.t:.4f}", "", "", int(f.detected), 0, 0, "", "", ""]
    else:
        checks = ";".join(f"{c.id}={_num(c.value, 3)}:{c.status.value}" for c in v.checks)
        out = [f.index, f"{v.t:.4f}", f.pose or "", v.side or "", int(v.detected), int(v.in_pose),
               int(v.good_form), _num(v.score, 1), checks, v.camera_cue or ""]
    if layout == "routine":
        r = f.routine
        out += [r.step or "", r.phase, f"{r.held_s:.2f}"] if r is not None else ["", "", ""]
    return [*out, cue, events]


__all__ = ["AUTO_COLUMNS", "ROUTINE_COLUMNS", "header", "row"]
