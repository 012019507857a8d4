"""``posecheck routines``: list, show and validate guided routines."""

from __future__ import annotations

from pathlib import Path

import click

from posecheck.cli.app import app
from posecheck.cli.specs_cmd import json_option, load_library, specs_option

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
@json_option
def list_routines(routines: tuple[Path, ...], specs: tuple[Path, ...], as_json: bool) -> None:
    """List the routines posecheck knows."""
    from posecheck.cli.specs_cmd import print_sources
    from posecheck.cli.tables import Column, console, print_json, print_table
    from posecheck.cli.words import duration
    from posecheck.specs.routines import plan_duration_s

    lib = load_routines(routines, specs)
    if as_json:
        print_json([routine_json(r, lib) for r in lib])
        return
    con = console()
    columns = (Column("id", whole=True), Column("title"), Column("poses"),
               Column("holds", whole=True, justify="right"), Column("length", optional=True), Column("source"))
    rows = [(r.id, r.title, ", ".join(dict.fromkeys(s.pose for s in r.steps)), str(len(lib.plan(r))),
             duration(plan_duration_s(lib.plan(r))), "\n".join(r.source)) for r in lib]
    print_table(con, columns, rows, title=f"{len(lib)} routines", more="--json has every field")
    print_sources(con, [ref for r in lib for ref in r.source])


def routine_json(r, lib) -> dict:  # noqa: ANN001 - a Routine and its RoutineLibrary
    """One routine as ``routines list --json`` gives it."""
    from posecheck.specs.routines import plan_duration_s

    plan = lib.plan(r)
    return {"id": r.id, "title": r.title, "poses": list(dict.fromkeys(s.pose for s in r.steps)),
            "holds": len(plan), "duration_s": plan_duration_s(plan), "source": list(r.source),
            "file": str(lib.file_of(r.id))}


@routines_group.command("show")
@click.argument("name")
@routines_option
@specs_option
def show_routine(name: str, routines: tuple[Path, ...], specs: tuple[Path, ...]) -> None:
    """Show a routine as the holds a person does, in order."""
    from rich.text import Text

    from posecheck.cli.tables import Column, console, print_table
    from posecheck.cli.words import duration, target_seconds
    from posecheck.specs.routines import plan_duration_s
    from posecheck.specs.sources import describe_source

    lib = load_routines(routines, specs)
    r = lib.get(name)
    con = console()
    con.print(Text(f"{r.title} ({r.id})", style="bold"))
    con.print(Text(f"file: {lib.file_of(r.id)}"), soft_wrap=True)
    for ref in r.source:
        con.print(Text(f"source {describe_source(ref)}"))
    if r.description:
        con.print(Text(r.description.strip()))
    plan = lib.plan(r)
    columns = (Column("#", whole=True, justify="right"), Column("pose", whole=True), Column("side", whole=True),
               Column("repetition", whole=True, justify="right"), Column("hold", whole=True, justify="right"),
               Column("rest after", whole=True, justify="right"))
    rows = [(str(i), h.title, h.side or "—", str(h.repetition), target_seconds(h.hold_s),
             target_seconds(h.rest_s) if i < len(plan) else "—") for i, h in enumerate(plan, start=1)]
    print_table(con, columns, rows)
    con.print(f"{len(plan)} holds, {duration(plan_duration_s(plan))} with the rests")


@routines_group.command("schema")
@click.option("--out", type=click.Path(path_type=Path), help="Write to this file instead of stdout.")
def schema(out: Path | None) -> None:
    """Print the JSON Schema of routine files (for editor completion; docs/routines.md explains it)."""
    from posecheck.cli.specs_cmd import write_schema
    from posecheck.specs.routines import routine_json_schema

    write_schema(routine_json_schema(), out)


@routines_group.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@specs_option
def validate(paths: tuple[Path, ...], specs: tuple[Path, ...]) -> None:
    """Check routine files; exit 0 when all are valid, 2 with one line per problem when not."""
    from posecheck.cli.specs_cmd import report_validation
    from posecheck.specs.loader import check_files
    from posecheck.specs.routines import load_routine

    library = load_library(specs)
    count, problems = check_files(list(paths), lambda f: load_routine(f, library), "routine")
    report_validation("routine", count, problems)
