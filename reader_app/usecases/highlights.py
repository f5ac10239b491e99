"""Highlights: making one from a selection, and placing a book's highlights when it opens.

A highlight stores both W3C selectors (DESIGN.md §5): the position in the chapter's plain
text and the quote with some text around it. When a book opens, the highlights imported
for it before are adopted and every highlight is checked against the current text: one
still on its quote stays, one whose text moved is stored where it is now, and one that
cannot be found is kept as an orphan, never dropped, and tried again next time.

With thousands of highlights placing takes seconds, so the window runs it on a worker
thread with :func:`place_highlights_apart`, which opens a connection of its own.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reader_app.core.anchors import AnchorResolver, Placement, TextAnchor, make_anchor
from reader_app.core.gc_pause import no_cyclic_gc
from reader_app.core.records import DEFAULT_COLOR, NewHighlight
from reader_app.storage.db import format_timestamp, open_database, system_clock
from reader_app.storage.highlights import HighlightRepository
from reader_app.storage.placement import highlights_to_place, store_places

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Callable, Sequence
    from pathlib import Path

    from reader_app.core.book import Book
    from reader_app.core.records import Highlight
    from reader_app.core.sections import SectionFinder
    from reader_app.storage.db import Clock
    from reader_app.storage.placement import NewPlace

log = logging.getLogger(__name__)

# How often (in highlights) the work looks at the cancel flag.
_CANCEL_EVERY = 64


class PlacingCancelled(Exception):
    """The book was closed (or another opened) before its highlights were placed."""


@dataclass(frozen=True)
class PlacedHighlights:
    """What placing a book's highlights did.

    Attributes:
        highlights: all of the book's highlights as now stored, in reading order, orphans
            last (as ``HighlightRepository.list_for_book`` gives them).
        adopted: highlights taken over from placeholder books.
        moved: highlights whose stored place changed (re-anchored, orphaned or found).
        orphans: highlights not found in the text.
    """

    highlights: list[Highlight]
    adopted: int
    moved: int
    orphans: int


def new_highlight(
    book: Book,
    chapter: int,
    start: int,
    end: int,
    color: str = DEFAULT_COLOR,
    *,
    texts: Sequence[str] | None = None,
) -> NewHighlight:
    """The highlight of a selection, anchored by its position and by its quote.

    Args:
        book: the open book.
        chapter: the chapter of the selection.
        start: where it starts in the chapter's plain text, in code points.
        end: where it ends (exclusive).
        color: the highlight colour's name.
        texts: the book's chapter texts, when the caller keeps them already.

    Returns:
        The highlight to store: position, quote, prefix, suffix, chapter key and section.

    Raises:
        ValueError: the chapter or the range is empty or outside the book.
    """
    chapter_texts = texts if texts is not None else [c.text for c in book.chapters]
    anchor = make_anchor(chapter_texts, chapter, start, end)
    return NewHighlight(
        book_id=book.book_id,
        chapter=chapter,
        chapter_key=book.chapters[chapter].key,
        start=anchor.start,
        end=anchor.end,
        quote=anchor.quote,
        prefix=anchor.prefix,
        suffix=anchor.suffix,
        color=color,
        section=book.place_title(chapter, anchor.start),
    )


def highlight_selection(
    repo: HighlightRepository,
    book: Book,
    chapter: int,
    start: int,
    end: int,
    color: str = DEFAULT_COLOR,
    *,
    texts: Sequence[str] | None = None,
) -> Highlight:
    """Store the highlight of a selection (see :func:`new_highlight`).

    One passage is one highlight: when the library already has a highlight of exactly
    this passage, that one is returned (with its own colour and note) and nothing is
    added, so the window and ``tone-reader analyze --save`` both add a new analysis to the
    passage's history instead of making a copy that every export would repeat.

    Args:
        repo: the library's highlights; the book must be recorded in it.
        book: the open book.
        chapter: the chapter of the selection.
        start: where it starts.
        end: where it ends (exclusive).
        color: the highlight colour's name.
        texts: the book's chapter texts, when the caller keeps them already.

    Returns:
        The stored highlight (new, or the one already kept for the passage), with its id.

    Raises:
        ValueError: the chapter or the range is empty or outside the book.
        StorageError: the library could not be written.
    """
    new = new_highlight(book, chapter, start, end, color, texts=texts)
    return repo.find_same(new) or repo.add(new)


def place_highlights_apart(
    database: Path,
    book: Book,
    *,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> PlacedHighlights:
    """:func:`place_highlights` on a connection of its own, for a worker thread.

    Args:
        database: the library file.
        book: the opened book; it must be recorded already.
        progress: called with (done, total) as the work goes.
        cancelled: polled during the work; when it says True, nothing is written.

    Returns:
        The book's highlights as stored now, and counts of what changed.

    Raises:
        PlacingCancelled: ``cancelled`` said so; the library is unchanged.
        StorageError: the library could not be opened, read or written.
    """
    # SQLite connections stay on the thread that made them.
    conn = open_database(database)
    try:
        # Thousands of highlights and anchors, and no garbage among them.
        with no_cyclic_gc():
            return place_highlights(conn, book, progress=progress, cancelled=cancelled)
    finally:
        conn.close()


def place_highlights(
    conn: sqlite3.Connection,
    book: Book,
    *,
    clock: Clock = system_clock,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> PlacedHighlights:
    """Adopt the book's imported highlights and place all of them in its current text.

    A highlight still on its quote stays as it is; one whose text moved is stored where it
    is now; one that cannot be found is kept, marked orphaned, and tried again next time.

    Args:
        conn: the library, on the calling thread (a worker opens its own).
        book: the opened book; it must be recorded already.
        clock: the current time, for ``updated_at`` of the highlights that moved.
        progress: called with (done, total) as the work goes, at most about 100 times.
        cancelled: polled during the work; when it says True, nothing is written.

    Returns:
        The book's highlights as stored now, and counts of what changed.

    Raises:
        PlacingCancelled: ``cancelled`` said so; the library is unchanged.
        StorageError: the library could not be read or written; nothing was written.
    """
    items = highlights_to_place(conn, book)
    resolver = AnchorResolver([chapter.text for chapter in book.chapters])
    sections = book.sections()
    updates: list[NewPlace] = []
    total, step = len(items), max(1, len(items) // 100)
    for done, item in enumerate(items):
        if cancelled is not None and done % _CANCEL_EVERY == 0 and cancelled():
            raise PlacingCancelled
        if progress is not None and done % step == 0:
            progress(done, total)
        change = _placed(item, resolver, sections, adopted=item.book_id != book.book_id)
        if change is not None:
            updates.append(change)
    if cancelled is not None and cancelled():
        raise PlacingCancelled
    adopted = store_places(conn, book, updates, format_timestamp(clock()))
    if progress is not None:
        progress(total, total)
    stored = HighlightRepository(conn).list_for_book(book.book_id)
    orphans = sum(1 for h in stored if h.orphaned)
    if adopted or updates:
        log.info(
            "Placed %d highlight(s) of %s: %d adopted, %d moved, %d orphaned",
            len(stored), book.book_id, adopted, len(updates), orphans,
        )  # fmt: skip
    return PlacedHighlights(stored, adopted, len(updates), orphans)


def _placed(
    item: Highlight,
    resolver: AnchorResolver,
    sections: SectionFinder,
    *,
    adopted: bool,
) -> NewPlace | None:
    """The row's new (chapter, start, end, orphaned, section, id), or None if unchanged."""
    anchor = TextAnchor(item.chapter, item.start, item.end, item.quote, item.prefix, item.suffix)
    place: Placement | None
    if not adopted and not item.orphaned and resolver.holds(anchor):
        place = Placement(item.chapter, item.start, item.end, exact=True)
    elif item.end <= item.start:
        # No position at all (a Kindle clipping): chapter 0 at 0 is no hint of where it is.
        place = resolver.find_quote(item.quote, item.prefix, item.suffix)
    else:
        place = resolver.resolve(anchor)
    orphaned = item.orphaned or adopted
    if place is None:
        if orphaned:
            return None
        log.info("Highlight %s no longer found in the text", item.id)
        return (item.chapter, item.start, item.end, 1, item.section, item.id)
    section = sections.place(place.chapter, place.start)
    now = (place.chapter, place.start, place.end, 0, section)
    if now == (item.chapter, item.start, item.end, int(orphaned), item.section):
        return None
    return (*now, item.id)
