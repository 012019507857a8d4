"""``posecheck specs``: list, show, validate and describe pose specs."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from posecheck.cli.app import app

specs_option = click.option(
    "--specs", "specs", multiple=True, type=click.Path(path_type=Path),
    help="An extra folder of spec files (repeatable); its specs replace bundled ones of the same id.",
)


def load_library(specs: tuple[Path, ...] | list[Path] = ()):
    """The bundled specs plus the user's folders."""
    from posecheck.specs import SpecLibrary

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
    from posecheck.checks import get_kind
    from posecheck.specs.accuracy import accuracy_of

    table = Table()
    for col in ("check", "kind", "points", "target", "ok ±", "near ±", "weight", "measured ±"):
        table.add_column(col, overflow="fold")
    for c in spec.checks:
        acc = accuracy_of(spec, c.id)
        measured = acc.describe(get_kind(c.kind).unit) if acc is not None else "not measured"
        table.add_row(*(escape(x) for x in (
            c.id, c.kind, ", ".join(c.points), c.target.describe(), f"{c.target.ok:g}",
            f"{c.target.near:g}", f"{c.weight:g}", measured)))
    con.print(table)
    con.print("measured ±: how far a value may be from the body's true one (95% of frames on the labelled "
              "samples, docs/accuracy.md); a value that close to the near band's edge is never called off.")
    # Cues are sentences: under the table they stay readable in an 80-column terminal.
    con.print("cues (value under the target / over it):")
    for c in spec.checks:
        for direction, text in (("under", c.cues.below), ("over", c.cues.above)):
            if text:
                con.print(f"  {escape(c.id)}, {direction}: {escape(text)}")
    if spec.posture:
        con.print("recognised by (never judged): " + escape("; ".join(
            f"{p.label or p.id} ({_range(p.in_pose)})"
            for p in spec.posture)))
    if spec.unmeasurable:
        con.print("Not measurable from landmarks: " + escape("; ".join(spec.unmeasurable)))


def _range(r) -> str:  # noqa: ANN001 - a PoseRange
    """``in_pose`` in words."""
    if r.min is not None and r.max is not None:
        return f"{r.min:g} to {r.max:g}"
    return f"at least {r.min:g}" if r.min is not None else f"at most {r.max:g}"


@specs_group.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate(paths: tuple[Path, ...]) -> None:
    """Check spec files; exit 0 when all are valid, 2 with one line per problem when not."""
    from posecheck.specs import validate_paths

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
    from posecheck.specs.schema import spec_json_schema

    text = json.dumps(spec_json_schema(), indent=2, ensure_ascii=False)
    if out:
        out.write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
