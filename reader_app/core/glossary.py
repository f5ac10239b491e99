"""The tone words a reader has met: taken from the analyses' tone labels, with where.

"Scornful and Disapproving" gives "scornful" and "disapproving" (core/tone_words.py). Each
word keeps the first passage it was met in (in the library's order) and how often it
came up, so the glossary can show it in context.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from reader_app.core.tone_words import tone_words

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from reader_app.core.annotations import Annotation


@dataclass(frozen=True, slots=True)
class MetWord:
    """A tone word and where the reader met it.

    Attributes:
        word: the word, lower-cased.
        count: how many analysed passages were labelled with it.
        label: the whole tone label it came in first.
        quote: the first passage labelled with it.
        book_title: that passage's book.
        section: its section.
        highlight_id: its highlight.
    """

    word: str
    count: int
    label: str
    quote: str
    book_title: str
    section: str
    highlight_id: int


def words_met(annotations: Sequence[Annotation]) -> list[MetWord]:
    """Every tone word in the annotations' labels, most met first, then alphabetically."""
    first: dict[str, Annotation] = {}
    counts: dict[str, int] = {}
    for annotation in _in_order(annotations):
        label = annotation.tone_result.tone
        for word in tone_words(label):
            counts[word] = counts.get(word, 0) + 1
            first.setdefault(word, annotation)
    met = [
        MetWord(
            word=word,
            count=counts[word],
            label=a.tone_result.tone,
            quote=a.quote,
            book_title=a.book_title,
            section=a.section,
            highlight_id=a.highlight_id,
        )
        for word, a in first.items()
    ]
    return sorted(met, key=lambda m: (-m.count, m.word))


def _in_order(annotations: Iterable[Annotation]) -> list[Annotation]:
    return sorted(
        (a for a in annotations if a.analysis is not None and a.tone_result.tone),
        key=lambda a: (a.created_at, a.highlight_id),
    )
