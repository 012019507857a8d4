"""``posecheck specs``: list, show, validate and describe pose specs."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .app import app

specs_option = click.option(
    "--specs", "specs", multiple=True, type=click.Path(path_type=Path),
    help="An extra folder of spec files (repeatable); its specs replace bundled ones of the same id.",
)


def load_library(specs: tuple[Path, ...] | list[Path] = ()):
    """The bundled specs plus the user's folders."""
    from ..specs import SpecLibrary

    return SpecLibrary(extra=list(specs))


@app.group("specs")
def specs_group() -> None:
    """List, show and validate pose specs."""


@specs_group.command("list")
@specs_option
def list_specs(specs: tuple[Path, ...]) -> None:
    """List the poses posecheck knows."""
    from rich.console import Console
    from rich.table import Table

    lib = load_library(specs)
    table = Table(title=f"{len(lib)} poses", title_justify="left")
    for col in ("id", "title", "view", "hold", "checks", "source"):
        table.add_column(col)
    for spec in lib:
        table.add_row(spec.id, spec.title, spec.view, spec.hold.describe() if spec.hold else "—",
                      str(len(spec.checks)), ", ".join(spec.source))
    Console().print(table)


@specs_group.command("show")
@click.argument("name")
@specs_option
def show_spec(name: str, specs: tuple[Path, ...]) -> None:
    """Show one pose: its view, hold, checks, targets and cues."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    lib = load_library(specs)
    spec = lib.get(name)
    con = Console()
    con.print(f"[bold]{escape(spec.title)}[/bold] ({spec.id}) — source {escape(', '.join(spec.source))}; "
              f"file {escape(str(lib.file_of(spec.id)))}")
    if spec.description:
        con.print(escape(spec.description.strip()))
    con.print(f"camera view: {spec.view}; sides: {spec.sides}; "
              f"hold: {spec.hold.describe() if spec.hold else '—'}")
    table = Table()
    for col in ("check", "kind", "points", "target", "ok ±", "near ±", "weight", "cue below", "cue above"):
        table.add_column(col, overflow="fold")
    for c in spec.checks:
        table.add_row(*(escape(x) for x in (
            c.id, c.kind, ", ".join(c.points), c.target.describe(), f"{c.target.ok:g}",
            f"{c.target.near:g}", f"{c.weight:g}", c.cues.below or "", c.cues.above or "")))
    con.print(table)
    if spec.unmeasurable:
        con.print("Not measurable from landmarks: " + escape("; ".join(spec.unmeasurable)))


@specs_group.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate(paths: tuple[Path, ...]) -> None:
    """Check spec files; exit 0 when all are valid, 2 with one line per problem when not."""
    from ..specs import validate_paths

    count, problems = validate_paths(list(paths))
    if problems:
        for line in problems:
            print(line, file=sys.stderr)
        print(f"posecheck: error: {len(problems)} problem(s) in the spec files checked", file=sys.stderr)
        raise SystemExit(2)
    print(f"{count} spec file(s) valid")


@specs_group.command("schema")
@click.option("--out", type=click.Path(path_type=Path), help="Write to this file instead of stdout.")
def schema(out: Path | None) -> None:
    """Print the JSON Schema of spec files (for editor completion)."""
    from ..specs.schema import spec_json_schema

    text = json.dumps(spec_json_schema(), indent=2, ensure_ascii=False)
    if out:
        out.write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
