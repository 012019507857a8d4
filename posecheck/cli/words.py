"""How figures are written at the terminal: seconds, durations, counts, and lines that wrap between phrases."""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text


def seconds(x: float | None, digits: int = 1) -> str:
    """A measured time: ``12.3 s`` (``—`` for None)."""
    return "—" if x is None else f"{x:.{digits}f} s"


def target_seconds(x: float | None) -> str:
    """A time as given (a hold's target, a rest): ``30 s``, and a 1.5 s hold stays ``1.5 s`` (``—`` for None)."""
    return "—" if x is None else f"{x:g} s"


def duration(total_s: float) -> str:
    """A routine's length in words: ``about 40 s``, ``about 1 minute``, ``about 16 minutes``."""
    if total_s < 60:
        return f"about {max(round(total_s), 1):.0f} s"
    minutes = round(total_s / 60)
    return f"about {minutes} minute{'s' if minutes != 1 else ''}"


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``1 segment``, ``3 segments``."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def number(x: float | None, digits: int | None = None) -> str:
    """A value with the digits it deserves: ``126``, ``12.3``, ``0.46`` (``—`` for None); or exactly ``digits``."""
    if x is None:
        return "—"
    if digits is not None:
        return f"{x:.{digits}f}"
    a = abs(x)
    return f"{x:.0f}" if a >= 100 else f"{x:.1f}" if a >= 10 else f"{x:.2f}"


def signed(x: float | None, digits: int | None = None) -> str:
    """:func:`number` with its sign: ``+12.3``, ``-0.46``."""
    if x is None:
        return "—"
    text = number(x, digits)
    return text if text.startswith("-") else f"+{text}"


def measured(x: float | None, unit: str | None, sign: bool = False) -> str:
    """A value with its unit and the digits it deserves: ``96.0°``, ``126°``, ``12.3 s``, ``-0.46`` (``—``: None).

    Args:
        x: the value.
        unit: ``deg``, ``s``, ``ratio``, or None / ``""`` (a plain number).
        sign: show ``+`` for positive values (a change or a difference).
    """
    if x is None:
        return "—"
    if unit == "deg":
        text, suffix = (f"{x:.0f}" if abs(x) >= 100 else f"{x:.1f}"), "°"
    elif unit == "s":
        text, suffix = f"{x:.1f}", " s"
    else:
        text, suffix = number(x), ""
    if sign and not text.startswith("-"):
        text = "+" + text
    return text + suffix


def print_phrases(con: Console, phrases: Sequence[str | Text], sep: str = " · ") -> None:
    """Print ``phrases`` on as few lines as fit ``con``, breaking only between phrases.

    A headline such as ``score 72/100 · in the pose 12.0 s · good form 8.0 s`` then never
    wraps inside "in the pose 12.0 s".
    """
    line = Text()
    for phrase in phrases:
        part = phrase if isinstance(phrase, Text) else Text(phrase)
        if line.plain and cell_len(line.plain) + cell_len(sep) + cell_len(part.plain) > con.width:
            con.print(line, soft_wrap=True)
            line = Text()
        if line.plain:
            line.append(sep)
        line.append_text(part)
    if line.plain:
        con.print(line, soft_wrap=True)


__all__ = ["count", "duration", "measured", "number", "print_phrases", "seconds", "signed", "target_seconds"]
