"""``posecheck history``: past sessions and how each pose is coming along."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from posecheck.cli.app import app
from posecheck.cli.specs_cmd import load_library, specs_option


def _fmt(x: float | None, digits: int = 1) -> str:
    return "—" if x is None else f"{x:.{digits}f}"


def _signed(x: float | None, digits: int = 1) -> str:
    return "—" if x is None else f"{x:+.{digits}f}"


def _verdict(improving: bool | None) -> str:
    return {True: "[green]better[/green]", False: "[red]worse[/red]", None: "—"}[improving]


def _pose_id(name: str, specs: tuple[Path, ...]) -> str:
    """The spec id for a name; an unknown name (a pose from a removed spec) is used as given."""
    from posecheck.errors import UnknownPoseError
    from posecheck.specs.models import normalise_name

    try:
        return load_library(specs).get(name).id
    except UnknownPoseError:
        return normalise_name(name)


@app.command("history")
@click.option("--pose", help="Only this pose (id, title or alias).")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), help="Only sessions on or after YYYY-MM-DD.")
@click.option("--report", "report_path", type=click.Path(path_type=Path),
              help="Write an HTML page with the trend plots to this file.")
@click.option("--csv", "csv_path", type=click.Path(path_type=Path), help="Export the sessions to this CSV file.")
@click.option("--force", is_flag=True, help="Replace an existing --report or --csv file.")
@specs_option
def history(pose: str | None, since: datetime | None, report_path: Path | None, csv_path: Path | None,
            force: bool, specs: tuple[Path, ...]) -> None:
    """List past sessions and the trend per pose (score, time in good form, each check's median).

    Every `score` run and `live` session is recorded in history.sqlite in
    $POSECHECK_HOME or your data folder (opt out with --no-history there).
    """
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from posecheck.errors import OutputError
    from posecheck.io.history import csv_rows, history_path, open_history, trends

    for target in (report_path, csv_path):
        if target is not None and target.exists() and not force:
            raise OutputError(f"{target} already exists", "use --force to replace it or choose another name")
    pose_id = _pose_id(pose, specs) if pose else None
    path = history_path()
    con = Console()
    if path.exists():
        with open_history(path) as h:
            sessions = h.sessions(pose=pose_id, since=since.date() if since else None)
    else:
        sessions = []

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
    if report_path is not None:
        from posecheck.render.report import write_history_report

        write_history_report(sessions, report_path, library=load_library(specs))

    if not sessions:
        what = " matching" if (pose or since) else ""
        con.print(f"no{what} sessions in the history yet ({escape(str(path))})")
    else:
        table = Table(title=f"{len(sessions)} session{'s' if len(sessions) != 1 else ''}", title_justify="left")
        for col in ("when", "pose", "side", "mode", "score", "good form s", "in pose s", "longest hold s", "input"):
            table.add_column(col, overflow="fold")
        for s in sessions:
            table.add_row(s.started_at.strftime("%Y-%m-%d %H:%M"), escape(s.pose), escape(s.side or "—"), s.mode,
                          "not judged" if s.score is None else f"{s.score:.0f}", _fmt(s.time_in_good_form_s),
                          _fmt(s.time_in_pose_s), _fmt(s.longest_hold_s),
                          escape(Path(s.input).name if s.input else "camera"))
        con.print(table)
        for t in trends(sessions):
            tt = Table(title=f"{escape(t.pose_title)}: {t.sessions} session{'s' if t.sessions != 1 else ''}, "
                             f"{t.first:%Y-%m-%d} to {t.last:%Y-%m-%d}", title_justify="left")
            for col in ("figure", "first", "latest", "change", "per week", "trend"):
                tt.add_column(col, overflow="fold")
            for tr in (t.score, t.good_form):
                tt.add_row(tr.name, _fmt(tr.first), _fmt(tr.last), _signed(tr.change), _signed(tr.per_week),
                           _verdict(tr.improving))
            for cid, tr in t.checks.items():
                off = t.check_off_by[cid]
                target = next((s.checks[cid].target for s in reversed(sessions)
                               if s.pose == t.pose and cid in s.checks), "")
                tt.add_row(f"{escape(tr.name)} median (target {escape(target)})", _fmt(tr.first, 3),
                           _fmt(tr.last, 3), _signed(tr.change, 3), _signed(tr.per_week, 3),
                           _verdict(off.improving))
            con.print(tt)
    if csv_path is not None:
        con.print(f"csv        {escape(str(csv_path))}")
    if report_path is not None:
        con.print(f"report     {escape(str(report_path))}")
