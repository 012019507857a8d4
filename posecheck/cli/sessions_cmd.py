"""``posecheck sessions``: the saved live sessions, listed and pruned."""

from __future__ import annotations

from pathlib import Path

import click

from posecheck.cli.app import app
from posecheck.cli.specs_cmd import json_option

sessions_option = click.option(
    "--sessions", "sessions_dir", type=click.Path(path_type=Path),
    help="The sessions folder (default: $POSECHECK_HOME/sessions or your data folder).")


def _size(n: int) -> str:
    """``12.3 MB``, ``840 kB``."""
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB"


@app.group("sessions")
def sessions_group() -> None:
    """List the saved live sessions and remove old ones."""


@sessions_group.command("list")
@sessions_option
@json_option
def list_cmd(sessions_dir: Path | None, as_json: bool) -> None:
    """List the saved live sessions, oldest first, with their size on disk."""
    from rich.text import Text

    from posecheck.cli.tables import Column, console, print_json, print_table
    from posecheck.cli.words import count, seconds
    from posecheck.io.paths import sessions_root
    from posecheck.io.sessions import list_sessions

    root = sessions_root(sessions_dir)
    found = list_sessions(root)
    if as_json:
        print_json({"sessions_folder": str(root), "sessions": [
            {"folder": str(s.path), "started": s.started.isoformat(timespec="seconds"), "name": s.name,
             "size_bytes": s.size_bytes, "duration_s": s.summary.duration_s if s.summary else None,
             "score": s.summary.score if s.summary else None} for s in found]})
        return
    con = console()
    if not found:
        con.print(Text(f"no saved sessions in {root}"), soft_wrap=True)
        return
    total = sum(s.size_bytes for s in found)
    con.print(Text(f"{count(len(found), 'session')}, {_size(total)}, in", style="bold"))
    con.print(Text(str(root)), soft_wrap=True)
    columns = (Column("folder", whole=True), Column("length", whole=True, justify="right"),
               Column("score", whole=True, justify="right"), Column("size", whole=True, justify="right"))
    rows = [(s.path.name, seconds(s.summary.duration_s) if s.summary else "—",
             "—" if s.summary is None or s.summary.score is None else f"{s.summary.score:.0f}",
             _size(s.size_bytes)) for s in found]
    print_table(con, columns, rows)
    con.print("Remove old ones with 'posecheck sessions prune --older-than 30d' (add --dry-run to see first).")


@sessions_group.command("prune")
@click.option("--older-than", "older_than", required=True,
              help="Remove sessions started longer ago than this: days (30d or 30), weeks (2w) or hours (12h).")
@click.option("--dry-run", is_flag=True, help="Only say what would be removed.")
@sessions_option
def prune_cmd(older_than: str, dry_run: bool, sessions_dir: Path | None) -> None:
    """Remove old live sessions (their files only, and only inside the sessions folder).

    The history keeps the figures of a removed session. Files that are not posecheck's
    are never removed, nor the folder that holds them.
    """
    from rich.text import Text

    from posecheck.cli.tables import console
    from posecheck.cli.words import count
    from posecheck.io.paths import sessions_root
    from posecheck.io.sessions import parse_age, prune_sessions

    try:
        age = parse_age(older_than)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--older-than") from None
    root = sessions_root(sessions_dir)
    done = prune_sessions(root, age, dry_run=dry_run)
    con = console()
    verb = "would remove" if dry_run else "removed"
    con.print(Text(f"{verb} {count(len(done.sessions), 'session')} older than {older_than} "
                   f"({_size(done.freed_bytes)}) from"))
    con.print(Text(str(root)), soft_wrap=True)
    for s in done.sessions:
        con.print(Text(f"  {s.path.name}"), soft_wrap=True)
    if done.kept:
        con.print("left in place (not posecheck's files):")
        for p in done.kept:
            con.print(Text(f"  {p}"), soft_wrap=True)
    if done.sessions:
        con.print("The history keeps their figures ('posecheck history')." if not dry_run else
                  "Run again without --dry-run to remove them; the history keeps their figures.")
