"""The source texts the bundled specs and routines were written from, by the number they cite.

A spec's ``source`` says where its alignment comes from (``"000 §2"``: text 000, its
second section). The numbers mean nothing to a reader on their own, so every place that
shows a source names the text too. A user's own spec may cite anything; a reference to
a text not listed here is shown as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SourceText:
    """One source text.

    Attributes:
        number: how specs cite it (``000``).
        title: the text's own title.
        author: who wrote it, where the text names them.
        sections: what a section reference (``§2``, ``tips``) points at, by reference.
    """

    number: str
    title: str
    author: str | None = None
    sections: dict[str, str] = field(default_factory=dict)


SOURCE_TEXTS: dict[str, SourceText] = {t.number: t for t in (
    SourceText("000", "Psoas Muscle Pain Relief: 5 Ways To Heal the ‘Muscle of Your Soul’",
               sections={"§1": "1. Knees to Chest Pose", "§2": "2. Kneeling Lunge", "§3": "3. Happy Baby Pose",
                         "§4": "4. Pigeon Pose", "§5": "5. Frog Pose",
                         "tips": "the tips for keeping the psoas healthy"}),
    SourceText("001", "How To Release Your Psoas and Iliacus: The Key to Emotional Well-Being", author="Adry"),
    SourceText("002", "The Psoas: Muscle of The Soul"),
    SourceText("003", "Psoas — the strong connector & feeling muscle", author="mei chong"),
)}

_REF = re.compile(r"^\s*(\d{3})\s*(.*?)\s*$")


def describe_source(ref: str) -> str:
    """A source reference in words: ``000 §2`` -> ``000 §2: “Psoas Muscle Pain Relief…”, 2. Kneeling Lunge``."""
    m = _REF.match(ref)
    text = SOURCE_TEXTS.get(m.group(1)) if m else None
    if text is None:
        return ref
    section = m.group(2)
    words = f"{ref.strip()}: “{text.title}”" + (f" by {text.author}" if text.author else "")
    if section:
        words += f", {text.sections.get(section, section)}"
    return words


def cited_texts(refs: list[str]) -> list[SourceText]:
    """The known texts ``refs`` cite, each once, in number order."""
    numbers = {m.group(1) for r in refs if (m := _REF.match(r))}
    return [SOURCE_TEXTS[n] for n in sorted(numbers) if n in SOURCE_TEXTS]


__all__ = ["SOURCE_TEXTS", "SourceText", "cited_texts", "describe_source"]
