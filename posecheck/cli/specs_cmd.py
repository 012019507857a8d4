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

json_option = click.option("--json", "as_json", is_flag=True,
                           help="Print JSON (every field, for scripts) instead of a table.")


def load_library(specs: tuple[Path, ...] | list[Path] = ()):
    """The bundled specs plus the user's folders."""
    from posecheck.specs import SpecLibrary

    return SpecLibrary(extra=list(specs))


@app.group("specs")
def specs_group() -> None:
    """List, show and validate pose specs."""


@specs_group.command("list")
@specs_option
@json_option
def list_specs(specs: tuple[Path, ...], as_json: bool) -> None:
    """List the poses posecheck knows."""
    from posecheck.cli.tables import Column, console, print_json, print_table

    lib = load_library(specs)
    if as_json:
        print_json([spec_json(spec, lib.file_of(spec.id)) for spec in lib])
        return
    con = console()
    columns = (Column("id", whole=True), Column("title"), Column("view", whole=True, optional=True), Column("hold"),
               Column("checks", whole=True, justify="right", optional=True), Column("source"))
    rows = [(spec.id, spec.title, spec.view, spec.hold.describe() if spec.hold else "—", str(len(spec.checks)),
             "\n".join(spec.source)) for spec in lib]
    print_table(con, columns, rows, title=f"{len(lib)} poses", more="--json has every field")
    print_sources(con, [ref for spec in lib for ref in spec.source])


def print_sources(con, refs: list[str]) -> None:  # noqa: ANN001 - a Console
    """Name the source texts that ``refs`` cite (``000`` alone tells a reader nothing)."""
    from posecheck.cli.tables import Column, print_table
    from posecheck.specs.sources import cited_texts

    texts = cited_texts(refs)
    if texts:
        con.print("sources:")
        print_table(con, (Column("", whole=True), Column("")),
                    [(f"  {t.number}", f"“{t.title}”" + (f", {t.author}" if t.author else "")) for t in texts],
                    header=False)


def spec_json(spec, file: Path) -> dict:  # noqa: ANN001 - a PoseSpec
    """One pose as ``specs list --json`` gives it."""
    return {"id": spec.id, "title": spec.title, "aliases": list(spec.aliases), "view": spec.view,
            "sides": spec.sides, "hold": spec.hold.describe() if spec.hold else None,
            "hold_target_s": spec.hold.target_s if spec.hold else None, "checks": [c.id for c in spec.checks],
            "source": list(spec.source), "file": str(file)}


def _measured(spec, c) -> str:  # noqa: ANN001 - a PoseSpec and its CheckSpec
    """The check's measured accuracy (``± 6°``), or ``not measured``."""
    from posecheck.checks import get_kind
    from posecheck.specs.accuracy import accuracy_of

    acc = accuracy_of(spec, c.id)
    return acc.describe(get_kind(c.kind).unit) if acc is not None else "not measured"


def _target_words(check) -> str:  # noqa: ANN001 - a CheckSpec
    """A check's target with its tolerances and unit: ``90°, ±10 ok, ±20 near``, ``≤0.15, +0.05 ok, +0.2 near``.

    A sign is written against its number so that a wrapped cell never leaves "±" alone at a line's end.
    """
    from posecheck.checks import get_kind

    t = check.target
    unit = "°" if get_kind(check.kind).unit == "deg" else ""
    if t.value is not None:
        return f"{t.value:g}{unit}, ±{t.ok:g} ok, ±{t.near:g} near"
    return f"{t.describe()}{unit}, +{t.ok:g} ok, +{t.near:g} near"


@specs_group.command("show")
@click.argument("name")
@specs_option
def show_spec(name: str, specs: tuple[Path, ...]) -> None:
    """Show one pose: its view, hold, checks, targets and cues."""
    from rich.text import Text

    from posecheck.cli.tables import Column, console, print_table
    from posecheck.specs.sources import describe_source

    lib = load_library(specs)
    spec = lib.get(name)
    con = console()
    con.print(Text(f"{spec.title} ({spec.id})", style="bold"))
    # Paths and ids are printed whole on their own lines: a terminal may wrap them, rich never cuts them.
    con.print(Text(f"file: {lib.file_of(spec.id)}"), soft_wrap=True)
    for ref in spec.source:
        con.print(Text(f"source {describe_source(ref)}"))
    if spec.description:
        con.print(Text(spec.description.strip()))
    con.print(f"camera view: {spec.view}; sides: {spec.sides}; "
              f"hold: {spec.hold.describe() if spec.hold else '—'}")
    columns = (Column("check", whole=True), Column("kind", whole=True, optional=True), Column("points"),
               Column("target"), Column("weight", whole=True, justify="right"),
               Column("measured ±", whole=True, justify="right"))
    rows = [(c.id, c.kind, " ".join(c.points), _target_words(c), f"{c.weight:g}", _measured(spec, c))
            for c in spec.checks]
    print_table(con, columns, rows, more="a wider terminal shows it")
    con.print("measured ±: how far a value may be from the body's true one (95% of frames on the labelled "
              "samples, docs/accuracy.md); a value that close to the near band's edge is never called off.")
    # Cues are sentences: in their own table they wrap between words beside whole ids.
    con.print("cues (said when the value is under the target, or over it):")
    print_table(con, (Column("check", whole=True), Column("when", whole=True), Column("cue")),
                [(f"  {c.id}", direction, text) for c in spec.checks
                 for direction, text in (("under", c.cues.below), ("over", c.cues.above)) if text], header=False)
    if spec.posture:
        con.print(Text("recognised by (never judged): " + "; ".join(
            f"{p.label or p.id} ({_range(p.in_pose)})" for p in spec.posture)))
    if spec.unmeasurable:
        con.print(Text("Not measurable from landmarks: " + "; ".join(spec.unmeasurable)))


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
    report_validation("spec", count, problems)


def report_validation(kind: str, count: int, problems: list[str]) -> None:
    """Print what ``validate`` found: every problem on stderr and exit 2, or how many ``kind`` files are valid.

    Counts are written in words ("1 problem", "3 problems"), never "problem(s)".
    """
    from posecheck.cli.words import count as counted

    if problems:
        for line in problems:
            print(line, file=sys.stderr)
        print(f"posecheck: error: {counted(len(problems), 'problem')} in the {kind} files checked", file=sys.stderr)
        raise SystemExit(2)
    print(f"{counted(count, kind + ' file')} valid")


@specs_group.command("schema")
@click.option("--out", type=click.Path(path_type=Path), help="Write to this file instead of stdout.")
def schema(out: Path | None) -> None:
    """Print the JSON Schema of spec files (for editor completion)."""
    from posecheck.specs.schema import spec_json_schema

    write_schema(spec_json_schema(), out)


def write_schema(schema: dict, out: Path | None) -> None:
    """A JSON Schema to ``out`` (written whole or not at all), or to stdout."""
    text = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    if out is None:
        sys.stdout.write(text)
        return
    from posecheck.io.atomic import write_text_atomic

    write_text_atomic(out, text, hint="choose a writable file name for --out")
