"""``posecheck history``: past sessions and how each pose is coming along, left and right."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from posecheck.cli.app import app
from posecheck.cli.specs_cmd import json_option, load_library, specs_option


def tell_where_history_is(added) -> None:  # noqa: ANN001 - a HistoryAdded
    """Say once per data folder that runs are kept, where, and how to leave one out."""
    if not added.first:
        return
    from rich.text import Text

    from posecheck.cli.tables import console

    con = console()
    con.print(Text(f"history    {added.path}"), soft_wrap=True)
    con.print(Text("           This run was added to your progress history: 'posecheck history' shows how each "
                   "pose is coming along. Add --no-history to a run to leave it out, or set POSECHECK_HOME to "
                   "keep everything in another folder. (Said once.)"))


def _verdict(improving: bool | None) -> str:
    return {True: "better", False: "worse", None: "—"}[improving]


def _pose_id(name: str, specs: tuple[Path, ...], known: list[str]) -> str:
    """The pose id for ``name``: a pose of the library, or one with sessions in the history.

    A pose whose spec was removed still has its sessions; any other name is an unknown pose.
    """
    from posecheck.errors import UnknownPoseError
    from posecheck.specs.models import normalise_name

    try:
        return load_library(specs).get(name).id
    except UnknownPoseError:
        key = normalise_name(name)
        if key in known:
            return key
        raise


def _spec_version(t, library) -> str:  # noqa: ANN001 - a PoseTrends (or PoseBalance) and a SpecLibrary
    """Which version of the spec a trend is over, when the history holds more than one."""
    if t.spec_hash is None:
        return "sessions recorded before spec versions were"
    try:
        now = library.get(t.pose)
    except Exception:  # noqa: BLE001 - a removed pose: no current version to compare with
        now = None
    if now is not None and now.content_hash == t.spec_hash:
        return f"spec version {t.spec_hash}, the one in use now ({library.file_of(now.id)})"
    return f"spec version {t.spec_hash}, another version than the one in use now"


def _session_rows(sessions) -> list[tuple]:  # noqa: ANN001
    from posecheck.cli.words import measured

    rows = []
    for s in sessions:
        rows.append((s.started_at.strftime("%Y-%m-%d %H:%M"), s.side or "—",
                     f"{s.score:.0f}" if s.judged else "—", measured(s.time_in_good_form_s, "s"),
                     measured(s.time_in_pose_s, "s"), measured(s.longest_hold_s, "s"),
                     Path(s.input).name if s.input and not s.input.startswith("camera") else "camera", s.mode))
    return rows


def _print_trend(con, t, sessions, library) -> None:  # noqa: ANN001 - a Console, a PoseTrends, Sessions, a SpecLibrary
    from posecheck.cli.tables import Column, print_table
    from posecheck.cli.words import count, measured, number, signed

    title = f"trend over {count(t.sessions, 'session')}, {t.first:%Y-%m-%d} to {t.last:%Y-%m-%d}"
    if t.versions > 1:
        title += f" ({_spec_version(t, library)})"
    if t.not_judged:
        title += f"; {count(t.not_judged, 'session')} not judged left out"
    rows = [("score", number(t.score.first, 0), number(t.score.last, 0), signed(t.score.change, 0),
             signed(t.score.per_week, 1), _verdict(t.score.improving))]
    tr = t.good_form
    rows.append(("good form", measured(tr.first, "s"), measured(tr.last, "s"), measured(tr.change, "s", True),
                 measured(tr.per_week, "s", True), _verdict(tr.improving)))
    ours = [s for s in sessions if s.id in set(t.session_ids)]
    for cid, tr in t.checks.items():
        if not tr.points:
            continue
        latest = next((s.checks[cid] for s in reversed(ours) if cid in s.checks), None)
        unit = latest.unit if latest else None
        target = f" (target {latest.target}{'°' if unit == 'deg' else ''})" if latest and latest.target else ""
        rows.append((f"{tr.name} median{target}", measured(tr.first, unit), measured(tr.last, unit),
                     measured(tr.change, unit, True), measured(tr.per_week, unit, True),
                     _verdict(t.check_off_by[cid].improving)))
    columns = (Column("figure"), Column("first", whole=True, justify="right"),
               Column("latest", whole=True, justify="right"), Column("change", whole=True, justify="right"),
               Column("per week", whole=True, justify="right", optional=True), Column("trend", whole=True))
    print_table(con, columns, rows, title=title)


def _print_balance(con, b) -> None:  # noqa: ANN001 - a Console and a PoseBalance
    from rich.text import Text

    from posecheck.cli.tables import Column, print_table
    from posecheck.cli.words import measured

    rows = []
    for f in b.figures:
        for i, d in enumerate(f.days):
            rows.append((f.name if i == 0 else "", d.day.isoformat(), measured(d.left, f.unit),
                         measured(d.right, f.unit), measured(d.difference, f.unit, True)))
    columns = (Column("figure"), Column("day", whole=True), Column("left", whole=True, justify="right"),
               Column("right", whole=True, justify="right"), Column("left − right", whole=True, justify="right"))
    print_table(con, columns, rows, title="left against right (days with both sides done)")
    for f in b.figures:
        if len(f.days) < 2:
            continue
        word = {True: "closer", False: "further apart", None: "no change"}[f.gap.improving]
        con.print(Text(f"  {f.name}: the sides {measured(f.gap.first, f.unit)} apart on {f.days[0].day:%Y-%m-%d}, "
                       f"{measured(f.gap.last, f.unit)} on {f.days[-1].day:%Y-%m-%d}: {word}"))


def _json(path: Path, sessions, pose_trends, balances) -> dict:  # noqa: ANN001
    """``history --json``: every session with every figure, the trends and left against right."""
    from dataclasses import asdict

    def trend(tr) -> dict:  # noqa: ANN001
        return {"name": tr.name, "better": tr.better, "first": tr.first, "last": tr.last, "change": tr.change,
                "per_week": tr.per_week, "improving": tr.improving,
                "points": [[when.isoformat(timespec="seconds"), v] for when, v in tr.points]}

    return {
        "history": str(path),
        "sessions": [{**asdict(s), "started_at": s.started_at.isoformat(timespec="seconds"), "judged": s.judged}
                     for s in sessions],
        "trends": [{"pose": t.pose, "pose_title": t.pose_title, "spec_hash": t.spec_hash, "sessions": t.sessions,
                    "not_judged": t.not_judged, "session_ids": list(t.session_ids), "score": trend(t.score),
                    "good_form": trend(t.good_form), "checks": {c: trend(tr) for c, tr in t.checks.items()},
                    "checks_off_by": {c: trend(tr) for c, tr in t.check_off_by.items()}} for t in pose_trends],
        "left_right": [{"pose": b.pose, "pose_title": b.pose_title, "spec_hash": b.spec_hash,
                        "figures": [{"name": f.name, "check": f.check_id, "unit": f.unit, "gap": trend(f.gap),
                                     "days": [{"day": d.day.isoformat(), "left": d.left, "right": d.right,
                                               "difference": d.difference} for d in f.days]}
                                    for f in b.figures]} for b in balances],
    }


@app.command("history")
@click.option("--pose", help="Only this pose (id, title or alias).")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), help="Only sessions on or after YYYY-MM-DD.")
@click.option("--report", "report_path", type=click.Path(path_type=Path),
              help="Write an HTML page with the trend plots to this file.")
@click.option("--csv", "csv_path", type=click.Path(path_type=Path), help="Export the sessions to this CSV file.")
@click.option("--force", is_flag=True, help="Replace an existing --report or --csv file.")
@json_option
@specs_option
def history(pose: str | None, since: datetime | None, report_path: Path | None, csv_path: Path | None,
            force: bool, as_json: bool, specs: tuple[Path, ...]) -> None:
    """List past sessions and the trend per pose (score, time in good form, each check's median).

    Poses with sides also show left against right, day by day. Every `score` run and `live`
    session is recorded in history.sqlite in $POSECHECK_HOME or your data folder (opt out
    with --no-history there). Sessions never in the pose are "not judged" and stay out of the
    trends; a spec of the same id with other targets (your own) keeps trends of its own.
    """
    from rich.text import Text

    from posecheck.cli.tables import Column, console, print_json, print_table
    from posecheck.cli.words import count
    from posecheck.errors import OutputError
    from posecheck.io.history import balance, csv_rows, history_path, open_history, trends

    for target in (report_path, csv_path):
        if target is not None and target.exists() and not force:
            raise OutputError(f"{target} already exists", "use --force to replace it or choose another name")
    path = history_path()
    con = console()
    sessions = []
    known: list[str] = []
    if path.exists():
        with open_history(path) as h:
            known = h.known_poses()
            pose_id = _pose_id(pose, specs, known) if pose else None
            sessions = h.sessions(pose=pose_id, since=since.date() if since else None)
    elif pose:
        _pose_id(pose, specs, known)  # an unknown pose is an error even with no history yet

    if csv_path is not None:
        from posecheck.io.atomic import AtomicCsv

        header, rows = csv_rows(sessions)
        out = AtomicCsv(csv_path, header)
        try:
            for row in rows:
                out.write(row)
        except BaseException:
            out.abort()
            raise
        out.close()
    library = load_library(specs)
    if report_path is not None:
        from posecheck.render.report import write_history_report

        write_history_report(sessions, report_path, library=library)

    pose_trends, balances = trends(sessions), balance(sessions)
    if as_json:
        print_json(_json(path, sessions, pose_trends, balances))
        return
    if not sessions:
        what = " matching" if (pose or since) else ""
        con.print(Text(f"no{what} sessions in the history yet ({path})"), soft_wrap=True)
    else:
        poses = list(dict.fromkeys(s.pose for s in sessions))
        con.print(Text(f"{count(len(sessions), 'session')} of {count(len(poses), 'pose')}", style="bold"))
        columns = (Column("when", whole=True), Column("side", whole=True),
                   Column("score", whole=True, justify="right"),
                   Column("good form", whole=True, justify="right"), Column("in pose", whole=True, justify="right"),
                   Column("longest hold", whole=True, justify="right"),
                   Column("input", whole=True, optional=True), Column("via", whole=True, optional=True))
        for p in poses:
            mine = [s for s in sessions if s.pose == p]
            con.print()
            con.print(Text(f"{mine[-1].pose_title} ({p}): {count(len(mine), 'session')}", style="bold"))
            print_table(con, columns, _session_rows(mine), more="--json has every field")
            if any(not s.judged for s in mine):
                con.print(Text("  score —: not judged (never in the pose, or the camera could not judge)",
                               style="dim"))
            for t in (t for t in pose_trends if t.pose == p):
                _print_trend(con, t, sessions, library)
            for b in (b for b in balances if b.pose == p):
                if len([t for t in pose_trends if t.pose == p]) > 1:
                    con.print(Text(f"({_spec_version(b, library)})", style="dim"))
                _print_balance(con, b)
    if csv_path is not None:
        con.print(Text(f"csv        {csv_path}"), soft_wrap=True)
    if report_path is not None:
        con.print(Text(f"report     {report_path}"), soft_wrap=True)
