"""The table layout: whole columns keep their longest cell, the others wrap between words."""

from __future__ import annotations

import io

import pytest
from rich.cells import cell_len
from rich.console import Console

from posecheck.cli.tables import GAP, Column, layout, print_table
from posecheck.cli.words import duration, print_phrases, target_seconds

COLUMNS = (Column("id", whole=True), Column("title"), Column("count", whole=True, justify="right", optional=True),
           Column("source"))
ROWS = [("knees_to_chest", "Knees to chest", "4", "000 §1, 002, 003"),
        ("a_really_long_pose_identifier", "A title of several words", "12", "000")]


def render(columns, rows, width: int, **kw) -> str:  # noqa: ANN001
    buf = io.StringIO()
    print_table(Console(file=buf, width=width, force_terminal=False, color_system=None), columns, rows, **kw)
    return buf.getvalue()


@pytest.mark.parametrize("width", [40, 60, 80, 120])
def test_whole_columns_keep_their_longest_cell(width):
    widths = layout(COLUMNS, ROWS, width)
    assert widths[0] == len("a_really_long_pose_identifier")
    shown = [w for w in widths if w is not None]
    if width >= 60:
        assert sum(shown) + GAP * (len(shown) - 1) <= width


def test_other_columns_wrap_between_words_before_an_optional_column_goes():
    # At 60 every column fits with the title wrapped between words.
    assert layout(COLUMNS, ROWS, 60)[2] == 5
    # At 50 the optional count goes before any word is broken.
    widths = layout(COLUMNS, ROWS, 50)
    assert widths[2] is None and widths[1] >= len("several")
    text = render(COLUMNS, ROWS, 50, more="--json has every field")
    assert "a_really_long_pose_identifier" in text
    assert "(not shown at 50 columns: count; --json has every field)" in " ".join(text.split())


def test_a_table_that_cannot_fit_keeps_its_ids_whole_and_runs_wide():
    text = render(COLUMNS, ROWS, 30)
    assert "a_really_long_pose_identifier" in text.replace("\n", " ")
    assert any("a_really_long_pose_identifier" in line for line in text.splitlines())


def test_plain_cells_are_never_read_as_markup():
    text = render((Column("id", whole=True), Column("cue")), [("x", "[bold]not markup[/bold]")], 80)
    assert "[bold]not markup[/bold]" in text


@pytest.mark.parametrize("width", [40, 60, 80])
def test_phrases_wrap_between_phrases_only(width):
    buf = io.StringIO()
    con = Console(file=buf, width=width, color_system=None)
    phrases = ["score 72/100", "in the pose 12.0 s", "good form 8.0 s", "the camera could not judge 1.0 s",
               "of 15.0 s"]
    print_phrases(con, phrases)
    lines = buf.getvalue().splitlines()
    assert all(cell_len(line) <= width for line in lines)
    for phrase in phrases:  # every phrase is on one line
        assert any(phrase in line for line in lines), (phrase, lines)


def test_routine_lengths_and_holds_in_words():
    assert duration(25.0) == "about 25 s"  # was "about 0 minutes"
    assert duration(0.4) == "about 1 s"
    assert duration(60.0) == "about 1 minute"
    assert duration(16.4 * 60) == "about 16 minutes"
    assert target_seconds(1.5) == "1.5 s"  # was "2 s"
    assert target_seconds(30.0) == "30 s"
