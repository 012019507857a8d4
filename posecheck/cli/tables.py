"""Tables a person reads at any terminal width, and the same lists as JSON for scripts.

Rich fits a table to the terminal by cutting its widest cells (``kneeling_lu…``), and
the widest cells are the ids a person has to copy. Here the widths are worked out
first: a *whole* column (an id, a file name, a number) is never narrower than its
longest cell, and only the other columns wrap, between words while they can. When even
that does not fit, the columns marked ``optional`` are left out (the ``--json`` form has
them); the table is never cut. Piped output is laid out the same way at the width rich
gives a pipe (``COLUMNS``, else 80), so ``posecheck specs list | grep lunge`` finds
whole ids.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

#: Columns are this many characters apart.
GAP = 2

#: A column that must wrap inside its words is never made narrower than this.
MIN_FOLD = 4

Cell = str | Text


@dataclass(frozen=True)
class Column:
    """One column of a table.

    Attributes:
        header: the column's heading (may wrap between its words).
        whole: never broken: ids, file names, dates, numbers.
        justify: ``left`` or ``right`` (numbers).
        optional: may be left out when the table cannot fit otherwise.
    """

    header: str
    whole: bool = False
    justify: Literal["left", "right"] = "left"
    optional: bool = False


def _plain(cell: Cell) -> str:
    return cell.plain if isinstance(cell, Text) else cell


def _longest_line(text: str) -> int:
    return max((cell_len(line) for line in text.splitlines()), default=0)


def _longest_word(text: str) -> int:
    return max((cell_len(word) for word in text.split()), default=0)


def _fit(natural: list[int], least: list[int], floor: list[int], width: int) -> list[int] | None:
    """Widths summing to at most ``width`` (gaps excluded), or None when even ``floor`` is too wide.

    The widest columns give way first: first down to ``least`` (whole words), then to ``floor``.
    """
    widths = list(natural)
    for bound in (least, floor):
        while sum(widths) > width:
            room = [i for i, w in enumerate(widths) if w > bound[i]]
            if not room:
                break
            widest = max(room, key=lambda i: widths[i])
            widths[widest] -= 1
    return widths if sum(widths) <= width else None


def layout(columns: Sequence[Column], rows: Sequence[Sequence[Cell]], width: int,
           header: bool = True) -> list[int | None]:
    """Each column's width for a table ``width`` characters wide (None: the column is left out).

    Whole columns keep their longest cell. The others shrink to their longest word; then
    optional columns are left out, the rightmost first; only then do the other columns
    break inside words (never below :data:`MIN_FOLD`). A table that cannot fit even so
    keeps its whole columns and is wider than ``width``.
    """
    natural, least, floor = [], [], []
    for i, col in enumerate(columns):
        cells = [_plain(r[i]) for r in rows]
        head = col.header if header else ""
        head_word = _longest_word(head)
        longest = max((_longest_line(c) for c in cells), default=0)
        natural.append(max(longest, cell_len(head), 1))
        if col.whole:
            least.append(max(longest, head_word, 1))
            floor.append(least[-1])
        else:
            words = max((_longest_word(c) for c in cells), default=0)
            least.append(max(words, head_word, 1))
            floor.append(min(least[-1], max(MIN_FOLD, head_word)))
    shown = list(range(len(columns)))

    def fit(bound: list[int]) -> list[int] | None:
        room = width - GAP * (len(shown) - 1)
        return _fit([natural[i] for i in shown], [least[i] for i in shown], [bound[i] for i in shown], room)

    fitted = fit(least)
    while fitted is None and any(columns[i].optional for i in shown):
        shown.remove([i for i in shown if columns[i].optional][-1])
        fitted = fit(least)
    if fitted is None:
        fitted = fit(floor) or [floor[i] for i in shown]
    out: list[int | None] = [None] * len(columns)
    for i, w in zip(shown, fitted):
        out[i] = w
    return out


def console() -> Console:
    """The console tables go to (stdout; rich knows the terminal's width, or a pipe's)."""
    return Console(highlight=False)


def print_table(con: Console, columns: Sequence[Column], rows: Sequence[Sequence[Cell]],
                title: str | None = None, header: bool = True, more: str | None = None) -> None:
    """Print ``rows`` as a table that fits ``con``'s width with every whole column whole.

    Args:
        con: where to print.
        columns: the columns.
        rows: one sequence of cells per row (plain strings are never read as markup).
        title: a line above the table.
        header: print the column headings.
        more: where to find columns left out at a narrow width (e.g. "--json has every field").
    """
    widths = layout(columns, rows, con.width, header)
    if title:
        con.print(Text(title, style="bold"))
    table = Table(box=box.SIMPLE_HEAD, show_header=header, show_edge=False, pad_edge=False,
                  padding=(0, 1), collapse_padding=True, header_style="bold")
    keep = [i for i, w in enumerate(widths) if w is not None]
    for i in keep:
        col = columns[i]
        # A whole column is as wide as its longest cell, so its cells never wrap; its heading may.
        table.add_column(col.header, width=widths[i], overflow="fold", justify=col.justify)
    for r in rows:
        table.add_row(*(r[i] if isinstance(r[i], Text) else Text(r[i]) for i in keep))
    total = sum(widths[i] for i in keep) + GAP * (len(keep) - 1)
    # A table wider than the console (whole columns that cannot fit) is printed at its own
    # width: lines run long, but no id is cut.
    if total > con.width:
        # rich never prints wider than its console, so the console is widened for this table.
        width = con.width
        con.width = total
        try:
            con.print(table)
        finally:
            con.width = width
    else:
        con.print(table)
    left_out = [columns[i].header for i, w in enumerate(widths) if w is None]
    if left_out:
        note = f"(not shown at {con.width} columns: {', '.join(left_out)}" + (f"; {more})" if more else ")")
        con.print(Text(note, style="dim"))


def print_json(data: Any) -> None:
    """Print ``data`` as indented JSON on stdout (for ``--json``)."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


__all__ = ["Column", "GAP", "console", "layout", "print_json", "print_table"]
