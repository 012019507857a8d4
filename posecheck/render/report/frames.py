"""``frames.csv`` read back for the report: columns per check, for one pose or one segment of a run.

Both layouts are read (see :mod:`posecheck.io.frames_file`): a one-pose run's columns per
check, and a ``--pose auto`` / ``--routine`` run's ``checks`` column (``id=value:status``
joined by ``;``), from which the rows of one segment are taken.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from posecheck.errors import InputError


@dataclass
class Frames:
    """Frames as columns: ``t`` etc. are ``(n,)`` arrays; per check values and statuses.

    Attributes:
        row: ``(n,)`` each frame's row number in ``frames.csv`` (0 for the first), which is
            also its place in a live recording (one recorded picture per row).
    """

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
    row: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.row is None:
            self.row = np.arange(len(self.t))

    def __len__(self) -> int:
        return len(self.t)

    def where(self, mask: np.ndarray) -> Frames:
        """The frames where ``mask`` is true."""
        idx = np.flatnonzero(mask)
        return replace(
            self, t=self.t[idx], frame=self.frame[idx], side=[self.side[i] for i in idx],
            person=self.person[idx], in_pose=self.in_pose[idx], good_form=self.good_form[idx],
            score=self.score[idx], values={k: v[idx] for k, v in self.values.items()},
            status={k: [v[i] for i in idx] for k, v in self.status.items()},
            camera_cue=[self.camera_cue[i] for i in idx],
            cue=[self.cue[i] for i in idx] if self.cue is not None else None, row=self.row[idx])

    def mark_holds(self, holds) -> None:  # noqa: ANN001 - Holds
        """Take "in the pose" from the holds rather than the tracker's debounced flag.

        ``frames.csv`` marks the tracker's debounced state, which lags the summary's holds at
        both ends; the page shows what the holds table says, so it agrees with itself.
        """
        mask = np.zeros(len(self.t), dtype=bool)
        for h in holds:
            mask |= (self.t >= h.start_s - 1e-9) & (self.t < h.end_s - 1e-9)
        if mask.any():
            self.in_pose = mask


def _float(x: str) -> float:
    try:
        return float(x) if x != "" else math.nan
    except ValueError:
        return math.nan


def _rows(path: Path) -> list[dict]:
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except OSError as exc:
        raise InputError(f"cannot read {path} ({exc.strerror or exc})") from None
    if rows and "t" not in rows[0]:
        raise InputError(f"{path} is not a posecheck frames.csv (no column 't')")
    return rows


def _frames(rows: list[dict], values: dict[str, list[float]], status: dict[str, list[str]]) -> Frames:
    def col(name: str, conv=_float) -> list:  # noqa: ANN001
        return [conv(r.get(name) or "") for r in rows]

    return Frames(
        t=np.asarray(col("t"), dtype=np.float64), frame=np.asarray(col("frame"), dtype=np.float64),
        side=col("side", str), person=np.asarray(col("person"), dtype=np.float64) == 1,
        in_pose=np.asarray(col("in_pose"), dtype=np.float64) == 1,
        good_form=np.asarray(col("good_form"), dtype=np.float64) == 1,
        score=np.asarray(col("score"), dtype=np.float64),
        values={c: np.asarray(v, dtype=np.float64) for c, v in values.items()}, status=status,
        camera_cue=col("camera_cue", str), cue=col("cue", str) if rows and "cue" in rows[0] else None,
    )


def read_frames(path: Path, check_ids: list[str]) -> Frames:
    """Read the ``frames.csv`` of a one-pose run (``score`` or ``live``)."""
    rows = _rows(path)
    ids = [c for c in check_ids if not rows or c in rows[0]]
    return _frames(rows, {c: [_float(r.get(c) or "") for r in rows] for c in ids},
                   {c: [r.get(f"{c}.status") or "unknown" for r in rows] for c in ids})


@dataclass
class RunFrames:
    """The ``frames.csv`` of a ``--pose auto`` or ``--routine`` run, every row, with its pose."""

    frames: Frames
    pose: list[str]

    def segment(self, seg) -> Frames:  # noqa: ANN001 - a Segment
        """The rows of one segment: its time span, its pose and (for poses with sides) its side."""
        f = self.frames
        mask = (f.t >= seg.start_s - 1e-6) & (f.t < seg.end_s - 1e-6)
        mask &= np.asarray([p == seg.pose for p in self.pose], dtype=bool)
        if seg.side:
            mask &= np.asarray([s == seg.side for s in f.side], dtype=bool)
        out = f.where(mask)
        out.mark_holds(seg.holds)
        if not seg.holds:
            out.in_pose = np.zeros(len(out), dtype=bool)
        return out


def read_run_frames(path: Path) -> RunFrames:
    """Read the ``frames.csv`` of a ``--pose auto`` or ``--routine`` run."""
    rows = _rows(path)
    values: dict[str, list[float]] = {}
    status: dict[str, list[str]] = {}
    for k, r in enumerate(rows):
        for item in (r.get("checks") or "").split(";"):
            cid, eq, rest = item.partition("=")
            if not eq:
                continue
            value, _, st = rest.rpartition(":")
            values.setdefault(cid, [math.nan] * len(rows))[k] = _float(value)
            status.setdefault(cid, ["unknown"] * len(rows))[k] = st or "unknown"
    return RunFrames(_frames(rows, values, status), [r.get("pose") or "" for r in rows])


__all__ = ["Frames", "RunFrames", "read_frames", "read_run_frames"]
