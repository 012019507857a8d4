"""``posecheck routines``: list, show and validate guided routines."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from posecheck.cli.app import app
from posecheck.cli.specs_cmd import load_library, specs_option

routines_option = click.option(
    "--routines", "routines", multiple=True, type=click.Path(path_type=Path),
    help="An extra folder of routine files (repeatable).",
)


def load_routines(routines: tuple[Path, ...] = (), specs: tuple[Path, ...] = ()):
    """The bundled routines plus the user's folders, checked against the spec library."""
    from posecheck.specs.routines import RoutineLibrary

    return RoutineLibrary(extra=list(routines), specs=load_library(specs))


@app.group("routines")
def routines_group() -> None:
    """List, show and validate guided routines."""


@routines_group.command("list")
@routines_option
@specs_option
def list_routines(routines: tuple[Path, ...], specs: tuple[Path, ...]) -> None:
    """List the routines posecheck knows."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    lib = load_routines(routines, specs)
    table = Table(title=f"{len(lib)} routines", title_justify="left")
    for col in ("id", "title", "poses", "holds", "source"):
        table.add_column(col)
    for r in lib:
        table.add_row(r.id, escape(r.title), escape(", ".join(s.pose for s in r.steps)), str(len(lib.plan(r))),
                      escape(", ".join(r.source)))
    Console().print(table)


@routines_group.command("show")
@click.argument("name")
@routines_option
@specs_option
def show_routine(name: str, routines: tuple[Path, ...], specs: tuple[Path, ...]) -> None:
    """Show a routine as the holds a person does, in order."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    lib = load_routines(routines, specs)
    r = lib.get(name)
    con = Console()
    con.print(f"[bold]{escape(r.title)}[/bold] ({r.id}) — source {escape(', '.join(r.source))}; "
              f"file {escape(str(lib.file_of(r.id)))}")
    if r.description:
        con.print(escape(r.description.strip()))
    table = Table()
    for col in ("#", "pose", "side", "repetition", "hold", "rest"):
        table.add_column(col)
    total = 0.0
    for i, h in enumerate(lib.plan(r), start=1):
        total += (h.hold_s or 0) + h.rest_s
        table.add_row(str(i), escape(h.title), h.side or "—", str(h.repetition),
                      f"{h.hold_s:.0f} s" if h.hold_s else "—", f"{h.rest_s:.0f} s")
    con.print(table)
    con.print(f"about {total / 60:.0f} minutes")


@routines_group.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@specs_option
def validate(paths: tuple[Path, ...], specs: tuple[Path, ...]) -> None:
    """Check routine files; exit 0 when all are valid, 2 with one line per problem when not."""
    from posecheck.specs.loader import check_files
    from posecheck.specs.routines import load_routine

    library = load_library(specs)
    count, problems = check_files(list(paths), lambda f: load_routine(f, library), "routine")
    if problems:
        for line in problems:
            print(line, file=sys.stderr)
        print(f"posecheck: error: {len(problems)} problem(s) in the routine files checked", file=sys.stderr)
        raise SystemExit(2)
    print(f"{count} routine file(s) valid")
