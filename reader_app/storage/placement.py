"""The library's side of placing an opened book's highlights: what to place, and the result.

``reader_app.usecases.highlights`` places them (adopting the highlights imported for the
book, checking each still sits on its quote, re-anchoring those that moved). Reading what
it needs takes no lock; the places found are written here in one short transaction at the
end, so the reader's own writes never wait for the search.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from reader_app.storage.db import transaction
from reader_app.storage.highlights import HighlightRepository
from reader_app.storage.imports import adopt_within, adoptable_placeholders

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Sequence

    from reader_app.core.book import Book
    from reader_app.core.records import Highlight

NewPlace: TypeAlias = tuple[int, int, int, int, str, int]
"""A highlight's new ``(chapter, start, end, orphaned, section, id)``."""


def highlights_to_place(conn: sqlite3.Connection, book: Book) -> list[Highlight]:
    """The book's own highlights, then those of the placeholders it is about to adopt.

    Args:
        conn: the library.
        book: the opened book; it must be recorded already.

    Returns:
        The highlights, each book's in reading order with its orphans last.
    """
    repo = HighlightRepository(conn)
    placeholders = adoptable_placeholders(conn, book)
    items: list[Highlight] = []
    for book_id in [book.book_id, *(p for p in placeholders if p != book.book_id)]:
        items += repo.list_for_book(book_id)
    return items


def store_places(conn: sqlite3.Connection, book: Book, places: Sequence[NewPlace], now: str) -> int:
    """Adopt the book's placeholders and write the new places, in one transaction.

    Args:
        conn: the library.
        book: the opened book.
        places: the highlights whose place changed.
        now: the current time (``format_timestamp``), for their ``updated_at``.

    Returns:
        How many highlights were adopted.

    Raises:
        StorageError: the library could not be written; nothing was.
    """
    if not places and not adoptable_placeholders(conn, book):
        return 0  # nothing to write: opening a book never waits for the write lock
    with transaction(conn):
        # Highlights adopted only now (an import meanwhile) stay orphaned, placed next time.
        adopted, _became_real = adopt_within(conn, book)
        # By id and book: a highlight deleted meanwhile is simply not updated.
        conn.executemany(
            "UPDATE highlights SET chapter = ?, start = ?, end = ?, orphaned = ?, section = ?,"
            " updated_at = ? WHERE id = ? AND book_id = ?",
            [(c, s, e, o, sec, now, hid, book.book_id) for c, s, e, o, sec, hid in places],
        )
    return adopted


def library_file(conn: sqlite3.Connection) -> Path | None:
    """The file of the library ``conn`` has open, or None for an in-memory one.

    Work on a worker thread opens a connection of its own to that file (SQLite connections
    stay on the thread that made them); an in-memory library cannot be opened twice.
    """
    for row in conn.execute("PRAGMA database_list").fetchall():
        if row[1] == "main" and row[2]:
            return Path(row[2])
    return None
