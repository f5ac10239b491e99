"""Map a chapter's voices: its spoken lines, labelled together, and what that will cost.

The spoken lines of the section being read (core/dialogue.py) become highlights (a line
already highlighted keeps its highlight) and are labelled in requests of up to
MAX_TOGETHER lines: the model reads them together with their context, then gives each its
speaker, addressee, tone and emotions. The plan says what would be sent, and the most it
can cost, before anything is sent or stored.

A line labelled already is not sent again: mapping a section a second time, after a stop,
a failure or a restart, labels only the lines still without an answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from reader_app.core.dialogue import spoken_lines
from reader_app.usecases.analysis import MAX_TOGETHER
from reader_app.usecases.cost import estimate_request

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Iterable, Sequence

    from reader_app.ai.request import ToneRequest
    from reader_app.core.book import Book
    from reader_app.core.records import Highlight

Place = tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class VoicePlan:
    """What mapping a section's voices would send.

    Attributes:
        title: the section's title.
        places: each spoken line as (chapter, start, end), in reading order.
        highlighted: how many of them are highlights already.
        todo: the lines still to label (those without an analysis), in reading order.
        requests: how many requests they go in.
        most_usd: the most the requests can cost (every input token priced as a cache
            write, every output token used); 0 when ``known_price`` is False.
        known_price: whether the model's price is known.
    """

    title: str
    places: tuple[Place, ...]
    highlighted: int
    todo: tuple[Place, ...]
    requests: int
    most_usd: float
    known_price: bool


def section_lines(book: Book, chapter: int, offset: int) -> tuple[str, list[Place]]:
    """The title of the section at a place, and the spoken lines in it."""
    steps = book.steps()
    index = max(0, steps.index_at(chapter, offset))
    if not len(steps):
        return book.chapters[chapter].title, _lines(book, chapter, 0, None)
    at, start, end = steps.span_of(index)
    return steps.steps[index].title, _lines(book, at, start, end)


def _lines(book: Book, chapter: int, start: int, end: int | None) -> list[Place]:
    text = book.chapters[chapter].text
    section = text[start:end]
    return [(chapter, start + s, start + e) for s, e in spoken_lines(section)]


def plan_voices(
    book: Book,
    title: str,
    places: Sequence[Place],
    highlights: Iterable[Highlight],
    compose: Callable[[Book, Sequence[Place]], ToneRequest],
    prices: Sequence[tuple[str, float, float]],
    analysed: Collection[int] = (),
) -> VoicePlan:
    """Compose the requests a voice map would send, and price them at the most.

    Args:
        book: the open book.
        title: the section's title.
        places: its spoken lines.
        highlights: the book's highlights (a line already highlighted is reused).
        compose: composes one request for a group of places (the analysis composer).
        prices: the price table in force.
        analysed: the ids of the highlights that have an analysis: their lines are done.
    """
    existing = {(h.chapter, h.start, h.end): h.id for h in highlights if not h.orphaned}
    todo = [p for p in places if existing.get(p, 0) not in analysed]
    groups = [todo[i : i + MAX_TOGETHER] for i in range(0, len(todo), MAX_TOGETHER)]
    most, known = 0.0, True
    for group in groups:
        estimate = estimate_request(compose(book, group), prices)
        most += estimate.most_usd
        known = known and estimate.known_price
    return VoicePlan(
        title=title,
        places=tuple(places),
        highlighted=sum(1 for p in places if p in existing),
        todo=tuple(todo),
        requests=len(groups),
        most_usd=most if known else 0.0,
        known_price=known,
    )
