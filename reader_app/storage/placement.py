"""Place an opened book's highlights in its text, and store where they are, in one go.

Opening a book adopts the highlights imported for it before (see ``imports``) and checks
that every highlight still sits on its quote, re-anchoring those that moved. With
thousands of highlights that is seconds of work, so the window runs it on a worker
thread, on a connection of its own. The search reads the library without holding any
lock; the results are written in one short transaction at the end, so the reader's own
writes never wait for the search.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reader_app.core.anchors import AnchorResolver, Placement, TextAnchor
from reader_app.storage.db import format_timestamp, system_clock, transaction
from reader_app.storage.highlights import HighlightRepository
from reader_app.storage.imports import adopt_within, adoptable_placeholders

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Callable

    from reader_app.core.book import Book
    from reader_app.core.records import Highlight
    from reader_app.core.sections import SectionFinder
    from reader_app.storage.db import Clock

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
    repo = HighlightRepository(conn, clock)
    placeholders = adoptable_placeholders(conn, book)
    items: list[Highlight] = []
    for book_id in [book.book_id, *(p for p in placeholders if p != book.book_id)]:
        items += repo.list_for_book(book_id)
    resolver = AnchorResolver([chapter.text for chapter in book.chapters])
    sections = book.sections()
    updates: list[tuple[int, int, int, int, str, int]] = []
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
    adopted = _store(conn, book, updates, format_timestamp(clock()))
    if progress is not None:
        progress(total, total)
    stored = repo.list_for_book(book.book_id)
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
) -> tuple[int, int, int, int, str, int] | None:
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
    section = sections.title(place.chapter, place.start)
    now = (place.chapter, place.start, place.end, 0, section)
    if now == (item.chapter, item.start, item.end, int(orphaned), item.section):
        return None
    return (*now, item.id)


def _store(
    conn: sqlite3.Connection,
    book: Book,
    updates: list[tuple[int, int, int, int, str, int]],
    now: str,
) -> int:
    """Adopt the placeholders and write the new places, in one transaction.

    Returns:
        How many highlights were adopted.
    """
    if not updates and not adoptable_placeholders(conn, book):
        return 0  # nothing to write: opening a book never waits for the write lock
    with transaction(conn):
        # Highlights adopted only now (an import meanwhile) stay orphaned, placed next time.
        adopted, _became_real = adopt_within(conn, book)
        # By id and book: a highlight deleted meanwhile is simply not updated.
        conn.executemany(
            "UPDATE highlights SET chapter = ?, start = ?, end = ?, orphaned = ?, section = ?,"
            " updated_at = ? WHERE id = ? AND book_id = ?",
            [(c, s, e, o, sec, now, hid, book.book_id) for c, s, e, o, sec, hid in updates],
        )
    return adopted
