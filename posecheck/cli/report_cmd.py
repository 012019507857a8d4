"""``posecheck report``: write report.html for a results folder."""

from __future__ import annotations

from pathlib import Path

import click

from posecheck.cli.app import app
from posecheck.cli.specs_cmd import load_library, specs_option


@app.command("report")
@click.argument("results", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace an existing report.html.")
@specs_option
def report(results: Path, force: bool, specs: tuple[Path, ...]) -> None:
    """Write report.html (plots, worst moments, video) beside RESULTS/summary.json.

    RESULTS is the --out folder of `posecheck score` or a saved live session.
    The page is one file that opens offline in any browser.
    """
    from posecheck.render.report import write_session_report

    path = write_session_report(results, library=load_library(specs), force=force)
    print(f"report     {path}")
