"""Progress history: every session's summary figures in one local SQLite file.

The file is ``$POSECHECK_HOME/history.sqlite`` or ``history.sqlite`` in the user
data folder. It is opened in WAL mode with a busy timeout and every write is one
``BEGIN IMMEDIATE`` transaction, so two sessions ending at the same moment both
land. A file that is damaged, not ours, or written by a newer posecheck is
reported with what to do about it; it is never recreated, rewritten or deleted.
"""

from __future__ import annotations

import math
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from posecheck.checks import get_kind
from posecheck.errors import HistoryError
from posecheck.io.paths import history_path
from posecheck.session.records import PoseSummary

#: The schema this posecheck writes and reads (``PRAGMA user_version``).
SCHEMA_VERSION = 2

#: How long a writer waits for another one to finish, in seconds.
BUSY_TIMEOUT_S = 30.0

#: The first schema; a new file is made with it and then brought up to date by :data:`_MIGRATIONS`,
#: so a new file and an old one migrated are always the same.
_SCHEMA = """
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,          -- ISO 8601 local time with offset
    day TEXT NOT NULL,                 -- YYYY-MM-DD, local
    pose TEXT NOT NULL,
    pose_title TEXT NOT NULL,
    side TEXT NOT NULL,                -- left / right / both / '' (none held)
    mode TEXT NOT NULL,                -- score / live
    input TEXT NOT NULL,
    results_dir TEXT NOT NULL,
    complete INTEGER NOT NULL,
    duration_s REAL,
    score REAL,
    time_in_pose_s REAL,
    time_in_good_form_s REAL,
    time_not_judged_s REAL,
    hold_target_s REAL,
    longest_hold_s REAL
);
CREATE INDEX sessions_day_pose_side ON sessions (day, pose, side);
CREATE TABLE session_checks (
    session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    check_id TEXT NOT NULL,
    label TEXT NOT NULL,
    target TEXT NOT NULL,
    median REAL,
    off_by REAL,                       -- |distance of the median outside the target|, when known
    pct_ok REAL,
    PRIMARY KEY (session_id, check_id)
);
"""

#: Schema version -> the statements that bring a file of that version to the next one.
_MIGRATIONS: dict[int, str] = {
    1: """
ALTER TABLE sessions ADD COLUMN spec_hash TEXT;   -- PoseSpec.content_hash; NULL: not recorded (schema 1)
ALTER TABLE session_checks ADD COLUMN weight REAL;
ALTER TABLE session_checks ADD COLUMN unit TEXT;   -- deg / ratio
CREATE TABLE session_sides (
    session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    side TEXT NOT NULL,                -- left / right
    holds INTEGER NOT NULL,
    time_in_pose_s REAL,
    time_in_good_form_s REAL,
    PRIMARY KEY (session_id, side)
);
CREATE TABLE session_side_checks (
    session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    side TEXT NOT NULL,
    check_id TEXT NOT NULL,
    median REAL,
    off_by REAL,
    pct_ok REAL,
    PRIMARY KEY (session_id, side, check_id)
);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
""",
}

_OUR_TABLES = {"sessions", "session_checks", "session_sides", "session_side_checks", "meta"}


@dataclass(frozen=True)
class CheckFigures:
    """One check of one session (or of one side of it).

    Attributes:
        label: the check's short name.
        target: the target as text (``90``, ``≤0.15``).
        median: the median value over the frames in the pose (None: never measured).
        off_by: how far the median lies outside the target (0 inside; None: unknown).
        pct_ok: percent of the frames in the pose the check was ok.
        weight: the check's weight in the spec (None: not recorded, schema 1).
        unit: ``deg`` or ``ratio`` (None: not recorded).
    """

    label: str
    target: str
    median: float | None
    off_by: float | None
    pct_ok: float | None
    weight: float | None = None
    unit: str | None = None


@dataclass(frozen=True)
class SideFigures:
    """One side (``left``/``right``) of a session of a pose with sides.

    Attributes:
        holds: holds on this side.
        time_in_pose_s: seconds in the pose on this side.
        time_in_good_form_s: seconds of them in good form.
        checks: each check over this side's frames in the pose (median, off_by, pct_ok).
    """

    holds: int
    time_in_pose_s: float | None
    time_in_good_form_s: float | None
    checks: dict[str, CheckFigures] = field(default_factory=dict)


@dataclass(frozen=True)
class Session:
    """One row of the history: a ``score`` run or a ``live`` session (or one segment of either)."""

    id: int
    started_at: datetime
    pose: str
    pose_title: str
    side: str
    mode: str
    input: str
    results_dir: str
    complete: bool
    duration_s: float | None
    score: float | None
    time_in_pose_s: float | None
    time_in_good_form_s: float | None
    time_not_judged_s: float | None
    hold_target_s: float | None
    longest_hold_s: float | None
    checks: dict[str, CheckFigures] = field(default_factory=dict)
    spec_hash: str | None = None
    sides: dict[str, SideFigures] = field(default_factory=dict)

    @property
    def day(self) -> date:
        """The local date of the session."""
        return self.started_at.date()

    @property
    def judged(self) -> bool:
        """Whether the session has a score: the person was in the pose and the camera could judge them.

        A session never in the pose is "not judged" (no score): its zero seconds in good form
        say nothing about progress, so trends leave it out. Sessions recorded before scores
        were withheld carry a score of 0 with no time in the pose; they are not judged either.
        """
        if self.score is None:
            return False
        return self.time_in_pose_s is None or self.time_in_pose_s > 0

    def side_figures(self) -> dict[str, SideFigures]:
        """The figures per side: the recorded ones, or the whole session's when it was all on one side."""
        if self.sides:
            # A session all on one side whose side has no check figures (a --pose auto segment
            # before they were kept) has the session's own.
            return {k: replace(f, checks=dict(self.checks)) if not f.checks and k == self.side else f
                    for k, f in self.sides.items()}
        if self.side in ("left", "right"):
            holds = 1 if self.longest_hold_s else 0
            return {self.side: SideFigures(holds, self.time_in_pose_s, self.time_in_good_form_s, dict(self.checks))}
        return {}


@dataclass(frozen=True)
class Trend:
    """How one figure moved over a pose's sessions.

    Attributes:
        name: what is measured (``score``, ``good form (s)`` or a check label).
        points: ``(when, value)`` per session that has the figure, oldest first.
        better: ``"higher"`` or ``"lower"``: which way is improvement (``"closer"``: towards
            a target the value alone does not tell).
    """

    name: str
    points: tuple[tuple[datetime, float], ...]
    better: str = "higher"

    @property
    def first(self) -> float | None:
        return self.points[0][1] if self.points else None

    @property
    def last(self) -> float | None:
        return self.points[-1][1] if self.points else None

    @property
    def change(self) -> float | None:
        """Latest minus first (None with fewer than two sessions)."""
        return self.last - self.first if len(self.points) >= 2 else None

    @property
    def per_week(self) -> float | None:
        """The least-squares slope per 7 days (None when all sessions are within a day)."""
        if len(self.points) < 2:
            return None
        t0 = self.points[0][0]
        xs = [(when - t0).total_seconds() / 86400.0 for when, _ in self.points]
        ys = [v for _, v in self.points]
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        sxx = sum((x - mx) ** 2 for x in xs)
        if sxx < 1.0:  # spread over less than about a day: a slope per week would be noise
            return None
        return 7.0 * sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx

    @property
    def improving(self) -> bool | None:
        """Whether the latest is better than the first (None when unchanged or unknown)."""
        if self.change is None or self.change == 0 or self.better not in ("higher", "lower"):
            return None
        return (self.change > 0) == (self.better == "higher")


@dataclass(frozen=True)
class PoseTrends:
    """The trends of one pose, judged with one version of its spec: score, time in good form, each check's median.

    Attributes:
        pose: the pose id.
        pose_title: its title (the latest session's).
        spec_hash: the spec version (:attr:`~posecheck.specs.models.PoseSpec.content_hash`; None:
            sessions recorded before versions were).
        versions: how many spec versions of this pose the sessions given hold (1: no other).
        sessions: how many sessions the trends are over (judged ones only).
        not_judged: sessions of this pose and version left out because they were not judged.
        first, last: the first and latest of those sessions.
        session_ids: the history ids of those sessions, oldest first.
    """

    pose: str
    pose_title: str
    sessions: int
    first: datetime
    last: datetime
    score: Trend
    good_form: Trend
    checks: dict[str, Trend]
    check_off_by: dict[str, Trend]
    spec_hash: str | None = None
    versions: int = 1
    not_judged: int = 0
    session_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class SidesOnADay:
    """One figure on one day with both sides done: the left side's value and the right's."""

    day: date
    left: float
    right: float

    @property
    def difference(self) -> float:
        """Left minus right."""
        return self.left - self.right


@dataclass(frozen=True)
class SideBalance:
    """How one figure compares between the sides, day by day.

    Attributes:
        name: the figure (``good form (s)``, ``score`` or a check's label).
        check_id: the check it is (None for the score and time in good form).
        unit: ``s``, ``deg``, ``ratio`` or ``""``.
        days: the days with both sides measured, oldest first.
        gap: the size of the difference (``|left − right|``) over those days; lower is better.
    """

    name: str
    check_id: str | None
    unit: str
    days: tuple[SidesOnADay, ...]
    gap: Trend


@dataclass(frozen=True)
class PoseBalance:
    """Left against right for one pose with sides, judged with one version of its spec."""

    pose: str
    pose_title: str
    spec_hash: str | None
    figures: tuple[SideBalance, ...]


def _finite(x: object) -> float | None:
    if x is None:
        return None
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _check_row(spec, cid: str, c) -> tuple:  # noqa: ANN001 - a PoseSpec (or None) and a CheckStats
    """``(median, off_by, pct_ok, weight, unit)`` of one check for the database."""
    median = _finite(c.median)
    check = spec.find_check(cid) if spec is not None else None
    off_by = abs(check.target.deviation(median)) if check is not None and median is not None else None
    weight = check.weight if check is not None else None
    unit = get_kind(check.kind).unit if check is not None else None
    return median, off_by, _finite(c.pct_ok), weight, unit


def _side_of(summary: PoseSummary) -> str:
    sides = [s for s in summary.sides if s]
    if not sides:
        return ""
    if len(sides) == 1:
        return sides[0]
    return "both"


def _run_script(con: sqlite3.Connection, script: str) -> None:
    """Run ``;``-separated statements one by one (``executescript`` would commit the open transaction)."""
    code = "\n".join(line.split("--")[0] for line in script.splitlines())  # comments may hold a ';'
    for statement in code.split(";"):
        if statement.strip():
            con.execute(statement)


class History:
    """The history database at ``path``; open it with :func:`open_history` or as a context manager."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else history_path()
        self._con: sqlite3.Connection | None = None

    # -- opening -----------------------------------------------------------------------

    def __enter__(self) -> History:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _damaged(self, exc: BaseException) -> HistoryError:
        return HistoryError(
            f"history database {self.path} is damaged ({exc})",
            "move it away to start a new one (posecheck never deletes it), or add --no-history")

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Turn sqlite errors into one clear :class:`HistoryError`."""
        try:
            yield
        except HistoryError:
            raise
        except sqlite3.OperationalError as exc:
            text = str(exc)
            if "locked" in text or "busy" in text:
                raise HistoryError(f"history database {self.path} stayed busy for {BUSY_TIMEOUT_S:.0f} s",
                                   "another posecheck is writing to it; try again") from None
            if "unable to open" in text or "readonly" in text or "disk" in text or "I/O" in text:
                raise HistoryError(f"cannot use history database {self.path} ({text})",
                                   "check the folder is writable, set POSECHECK_HOME, or add --no-history") from None
            raise self._damaged(exc) from None
        except sqlite3.DatabaseError as exc:
            raise self._damaged(exc) from None

    def open(self) -> History:
        """Open (creating when absent) and check the database; idempotent."""
        if self._con is not None:
            return self
        if self.path.is_dir():
            raise HistoryError(f"history database {self.path} is a folder", "move it away or set POSECHECK_HOME")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise HistoryError(f"cannot create {self.path.parent} ({exc.strerror or exc})",
                               "set POSECHECK_HOME to a writable folder, or add --no-history") from None
        with self._errors():
            # isolation_level=None: we issue BEGIN IMMEDIATE ourselves, so a writer takes
            # the write lock up front and waits (busy timeout) instead of failing midway.
            con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            try:
                con.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
                self._check_and_migrate(con)
            except BaseException:
                con.close()
                raise
        self._con = con
        return self

    def _check_and_migrate(self, con: sqlite3.Connection) -> None:
        # Reading the header and the schema is what fails on a file that is not a database.
        version = con.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise HistoryError(
                f"history database {self.path} was written by a newer posecheck "
                f"(schema {version}; this one knows {SCHEMA_VERSION})",
                "upgrade posecheck, or set POSECHECK_HOME to use another folder")
        ok = con.execute("PRAGMA quick_check").fetchone()[0]
        if ok != "ok":
            raise self._damaged(ok)
        self._wal(con)
        if version == SCHEMA_VERSION:
            return
        con.execute("BEGIN IMMEDIATE")
        try:
            # Someone else may have created the schema while we waited for the lock.
            version = con.execute("PRAGMA user_version").fetchone()[0]
            if version == 0:
                tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
                if tables:
                    raise HistoryError(
                        f"{self.path} is an SQLite database but not a posecheck history "
                        f"(it holds {', '.join(sorted(tables))})",
                        "move it away, or set POSECHECK_HOME to use another folder")
                _run_script(con, _SCHEMA)
                version = 1
            # Each step in the same transaction: a file is migrated whole or not at all.
            while version < SCHEMA_VERSION:
                _run_script(con, _MIGRATIONS[version])
                version += 1
            con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    def _wal(self, con: sqlite3.Connection) -> None:
        # Switching to WAL needs a moment alone with the file; the busy handler does not
        # always cover it, so retry briefly. Once set, WAL stays set in the file.
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        while True:
            try:
                con.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def close(self) -> None:
        """Close the connection."""
        if self._con is not None:
            self._con.close()
            self._con = None

    @property
    def con(self) -> sqlite3.Connection:
        self.open()
        assert self._con is not None
        return self._con

    # -- writing -----------------------------------------------------------------------

    def append(self, summary: PoseSummary, *, mode: str, results_dir: Path | str, spec=None,
               when: datetime | None = None) -> int:
        """Add one session; returns its row id.

        Args:
            summary: the session's summary (a ``--pose auto`` segment as
                :func:`~posecheck.session.records.segment_as_summary` makes it).
            mode: ``"score"`` or ``"live"``.
            results_dir: the folder holding the session's files.
            spec: the :class:`~posecheck.specs.models.PoseSpec` the session was judged with: its
                version (content hash) keeps the trends of different versions apart, and each
                median's distance from its target is recorded (optional).
            when: the session's time (default: now).
        """
        when = (when or datetime.now()).astimezone()
        longest = max((_finite(h.duration_s) or 0.0 for h in summary.holds), default=None)
        s = summary
        row = (
            when.isoformat(timespec="seconds"), when.date().isoformat(), s.pose, s.pose_title or s.pose,
            _side_of(s), mode, s.input, str(results_dir), int(s.complete), _finite(s.duration_s), _finite(s.score),
            _finite(s.time_in_pose_s), _finite(s.time_in_good_form_s), _finite(s.time_not_judged_s),
            _finite(s.hold_target_s), longest, spec.content_hash if spec is not None else None,
        )
        checks = [(cid, c.label or cid, c.target, *_check_row(spec, cid, c)) for cid, c in s.checks.items()]
        sides = {name: t for name, t in s.sides.items() if name in ("left", "right")}
        with self._errors():
            con = self.con
            con.execute("BEGIN IMMEDIATE")
            try:
                cur = con.execute(
                    "INSERT INTO sessions (started_at, day, pose, pose_title, side, mode, input, results_dir, "
                    "complete, duration_s, score, time_in_pose_s, time_in_good_form_s, time_not_judged_s, "
                    "hold_target_s, longest_hold_s, spec_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    row)
                sid = int(cur.lastrowid)
                con.executemany(
                    "INSERT INTO session_checks (session_id, check_id, label, target, median, off_by, pct_ok, "
                    "weight, unit) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [(sid, *c) for c in checks])
                con.executemany(
                    "INSERT INTO session_sides (session_id, side, holds, time_in_pose_s, time_in_good_form_s) "
                    "VALUES (?, ?, ?, ?, ?)",
                    [(sid, name, t.holds, _finite(t.time_in_pose_s), _finite(t.time_in_good_form_s))
                     for name, t in sides.items()])
                con.executemany(
                    "INSERT INTO session_side_checks (session_id, side, check_id, median, off_by, pct_ok) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    [(sid, name, cid, *_check_row(spec, cid, c)[:3])
                     for name, t in sides.items() for cid, c in t.checks.items()])
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return sid

    # -- telling the user once ---------------------------------------------------------------

    def first_time(self, key: str) -> bool:
        """True the first time ``key`` is asked about in this history file, False ever after.

        For things said once per data folder, such as where the history is kept.
        """
        with self._errors():
            con = self.con
            con.execute("BEGIN IMMEDIATE")
            try:
                cur = con.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)",
                                  (key, datetime.now().astimezone().isoformat(timespec="seconds")))
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return cur.rowcount == 1

    # -- reading -----------------------------------------------------------------------

    def sessions(self, pose: str | None = None, since: date | None = None) -> list[Session]:
        """Sessions oldest first, optionally of one pose (id) and from a date on."""
        where, args = [], []
        if pose is not None:
            where.append("pose = ?")
            args.append(pose)
        if since is not None:
            where.append("day >= ?")
            args.append(since.isoformat())
        sql = "SELECT * FROM sessions" + (f" WHERE {' AND '.join(where)}" if where else "")
        sql += " ORDER BY started_at, id"
        with self._errors():
            con = self.con
            con.row_factory = sqlite3.Row
            try:
                rows = con.execute(sql, args).fetchall()
                ids = {r["id"] for r in rows}
                checks: dict[int, dict[str, CheckFigures]] = {i: {} for i in ids}
                for c in con.execute("SELECT * FROM session_checks ORDER BY rowid"):
                    if c["session_id"] in ids:
                        checks[c["session_id"]][c["check_id"]] = CheckFigures(
                            c["label"], c["target"], c["median"], c["off_by"], c["pct_ok"], c["weight"], c["unit"])
                side_checks: dict[tuple[int, str], dict[str, CheckFigures]] = {}
                for c in con.execute("SELECT * FROM session_side_checks ORDER BY rowid"):
                    if c["session_id"] in ids:
                        whole = checks[c["session_id"]].get(c["check_id"])
                        side_checks.setdefault((c["session_id"], c["side"]), {})[c["check_id"]] = CheckFigures(
                            whole.label if whole else c["check_id"], whole.target if whole else "", c["median"],
                            c["off_by"], c["pct_ok"], whole.weight if whole else None, whole.unit if whole else None)
                sides: dict[int, dict[str, SideFigures]] = {i: {} for i in ids}
                for t in con.execute("SELECT * FROM session_sides ORDER BY rowid"):
                    if t["session_id"] in ids:
                        sides[t["session_id"]][t["side"]] = SideFigures(
                            t["holds"], t["time_in_pose_s"], t["time_in_good_form_s"],
                            side_checks.get((t["session_id"], t["side"]), {}))
            finally:
                con.row_factory = None
        return [Session(
            id=r["id"], started_at=datetime.fromisoformat(r["started_at"]), pose=r["pose"],
            pose_title=r["pose_title"], side=r["side"], mode=r["mode"], input=r["input"],
            results_dir=r["results_dir"], complete=bool(r["complete"]), duration_s=r["duration_s"],
            score=r["score"], time_in_pose_s=r["time_in_pose_s"], time_in_good_form_s=r["time_in_good_form_s"],
            time_not_judged_s=r["time_not_judged_s"], hold_target_s=r["hold_target_s"],
            longest_hold_s=r["longest_hold_s"], checks=checks[r["id"]], spec_hash=r["spec_hash"],
            sides=sides[r["id"]]) for r in rows]

    def known_poses(self) -> list[str]:
        """Every pose id with a session in the history."""
        with self._errors():
            return [r[0] for r in self.con.execute("SELECT DISTINCT pose FROM sessions ORDER BY pose")]


@contextmanager
def open_history(path: Path | None = None) -> Iterator[History]:
    """The history database, opened and checked; closed on exit."""
    h = History(path)
    try:
        yield h.open()
    finally:
        h.close()


def record_session(summary: PoseSummary, *, mode: str, results_dir: Path | str, spec=None,
                   path: Path | None = None) -> int:
    """Append one session to the history database (opened and closed around it)."""
    with open_history(path) as h:
        return h.append(summary, mode=mode, results_dir=results_dir, spec=spec)


def _groups(sessions: Iterable[Session]) -> dict[tuple[str, str | None], list[Session]]:
    """Sessions by pose and spec version, oldest first within each."""
    out: dict[tuple[str, str | None], list[Session]] = {}
    for s in sessions:
        out.setdefault((s.pose, s.spec_hash), []).append(s)
    for rows in out.values():
        rows.sort(key=lambda s: (s.started_at, s.id))
    return out


def trends(sessions: Iterable[Session]) -> list[PoseTrends]:
    """Per pose and spec version, how the score, the time in good form and each check's median moved.

    A spec of the same id with other content (a user's own replacing the bundled one, or a
    bundled one changed by an upgrade) measures against other targets, so its sessions
    make a trend of their own. Sessions not judged (never in the pose) are left out and
    counted in :attr:`PoseTrends.not_judged`; a pose and version with none judged has no trend.
    """
    groups = _groups(sessions)
    versions: dict[str, int] = {}
    for pose, _ in groups:
        versions[pose] = versions.get(pose, 0) + 1
    out = []
    for (pose, spec_hash), every in groups.items():
        rows = [s for s in every if s.judged]
        if not rows:
            continue

        def series(get) -> tuple[tuple[datetime, float], ...]:  # noqa: ANN001
            return tuple((s.started_at, v) for s in rows if (v := get(s)) is not None)

        check_ids: list[str] = []
        labels: dict[str, str] = {}
        for s in rows:
            for cid, c in s.checks.items():
                if cid not in labels:
                    check_ids.append(cid)
                    labels[cid] = c.label
        checks = {cid: Trend(labels[cid], series(lambda s, c=cid: s.checks[c].median if c in s.checks else None),
                             better="closer")
                  for cid in check_ids}
        off_by = {cid: Trend(labels[cid], series(lambda s, c=cid: s.checks[c].off_by if c in s.checks else None),
                             better="lower")
                  for cid in check_ids}
        out.append(PoseTrends(
            pose=pose, pose_title=rows[-1].pose_title, sessions=len(rows), first=rows[0].started_at,
            last=rows[-1].started_at, score=Trend("score", series(lambda s: s.score)),
            good_form=Trend("good form (s)", series(lambda s: s.time_in_good_form_s)),
            checks=checks, check_off_by=off_by, spec_hash=spec_hash, versions=versions[pose],
            not_judged=len(every) - len(rows), session_ids=tuple(s.id for s in rows)))
    out.sort(key=lambda t: (t.pose, t.first))
    return out


def key_checks(sessions: Iterable[Session]) -> list[str]:
    """The checks that matter most for these sessions' pose: those of the highest weight recorded.

    Sessions recorded before weights were (schema 1) make every check a key check.
    """
    weights: dict[str, float | None] = {}
    for s in sessions:
        for cid, c in s.checks.items():
            if weights.get(cid) is None:
                weights[cid] = c.weight
    known = [w for w in weights.values() if w is not None]
    if not known:
        return list(weights)
    top = max(known)
    return [cid for cid, w in weights.items() if w is None or w == top]


def balance(sessions: Iterable[Session]) -> list[PoseBalance]:
    """Per pose with sides (and spec version): left against right, day by day, for the figures that matter.

    The figures are the time in good form and the key checks' medians (:func:`key_checks`).
    A day's value for a side is the mean over that day's judged sessions on that side (a
    session done on both sides gives one value to each), so three left holds and one right
    hold compare per hold, not in total. Only days with both sides count; the gap between
    the sides (``|left − right|``) is a :class:`Trend` where lower is better.
    """
    out = []
    for (pose, spec_hash), every in _groups(sessions).items():
        rows = [s for s in every if s.judged and s.side_figures()]
        if not rows:
            continue
        checks = key_checks(rows)
        labels = {cid: c.label for s in rows for cid, c in s.checks.items()}
        units = {cid: c.unit for s in rows for cid, c in s.checks.items() if c.unit}
        getters = [("good form", None, "s", lambda f: f.time_in_good_form_s)]
        getters += [(labels.get(cid, cid), cid, units.get(cid, ""),
                     lambda f, c=cid: f.checks[c].median if c in f.checks else None) for cid in checks]
        figures = []
        for name, cid, unit, get in getters:
            per_day: dict[date, dict[str, list[float]]] = {}
            for s in rows:
                for side, fig in s.side_figures().items():
                    v = _finite(get(fig))
                    if v is not None:
                        per_day.setdefault(s.day, {}).setdefault(side, []).append(v)
            days = tuple(SidesOnADay(day, sum(v["left"]) / len(v["left"]), sum(v["right"]) / len(v["right"]))
                         for day, v in sorted(per_day.items()) if v.get("left") and v.get("right"))
            if days:
                gap = Trend(f"{name}: left − right", tuple(
                    (datetime.combine(d.day, datetime.min.time()), abs(d.difference)) for d in days), better="lower")
                figures.append(SideBalance(name, cid, unit, days, gap))
        if figures:
            out.append(PoseBalance(pose, rows[-1].pose_title, spec_hash, tuple(figures)))
    out.sort(key=lambda b: b.pose)
    return out


#: The columns of ``posecheck history --csv`` before the per-check ones.
CSV_COLUMNS = ("started_at", "pose", "pose_title", "side", "mode", "score", "time_in_good_form_s",
               "time_in_pose_s", "time_not_judged_s", "duration_s", "hold_target_s", "longest_hold_s",
               "complete", "input", "results_dir", "spec_hash")


def csv_rows(sessions: list[Session]) -> tuple[list[str], list[list[object]]]:
    """The header and rows of a CSV export: one row per session, ``<check>.median`` columns."""
    check_ids: list[str] = []
    for s in sessions:
        for cid in s.checks:
            if cid not in check_ids:
                check_ids.append(cid)
    header = [*CSV_COLUMNS, *(f"{c}.median" for c in check_ids), *(f"{c}.pct_ok" for c in check_ids)]
    rows = []
    for s in sessions:
        base = [s.started_at.isoformat(timespec="seconds"), s.pose, s.pose_title, s.side, s.mode, s.score,
                s.time_in_good_form_s, s.time_in_pose_s, s.time_not_judged_s, s.duration_s, s.hold_target_s,
                s.longest_hold_s, int(s.complete), s.input, s.results_dir, s.spec_hash]
        med = [s.checks[c].median if c in s.checks else None for c in check_ids]
        ok = [s.checks[c].pct_ok if c in s.checks else None for c in check_ids]
        rows.append(["" if v is None else v for v in (*base, *med, *ok)])
    return header, rows

