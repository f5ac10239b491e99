"""The book repository: recording opens, positions, the Recent list and moved files."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pytest

from reader_app.core.errors import StorageError
from reader_app.core.records import BookRecord, NewHighlight
from reader_app.storage.books import BookRepository
from reader_app.storage.db import open_database
from reader_app.storage.highlights import HighlightRepository

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Callable
    from pathlib import Path

    RecordBook = Callable[..., BookRecord]

BOOK_A = "a" * 64
BOOK_B = "b" * 64
BOOK_C = "c" * 64


def test_a_new_book_is_recorded(record_book: RecordBook) -> None:
    record = record_book(authors=["Jane Austen", "Anonymous Editor"])
    assert record == BookRecord(
        id=BOOK_A,
        path="/books/a.epub",
        title="Pride and Prejudice",
        authors=("Jane Austen", "Anonymous Editor"),
        language="en",
        format="EPUB 3",
        chapter_count=61,
        char_count=700_000,
        added_at="2024-05-01T12:00:01.000Z",
        last_opened_at="2024-05-01T12:00:01.000Z",
        position_chapter=0,
        position_offset=0,
        progress=0.0,
        in_recent=True,
    )


def test_get_returns_what_was_recorded(books: BookRepository, record_book: RecordBook) -> None:
    recorded = record_book(authors=["Fyodor Dostoyevsky", "Constance Garnett"], title="Бесы")
    assert books.get(BOOK_A) == recorded
    assert books.get(BOOK_B) is None


def test_reopening_refreshes_metadata_but_keeps_position_and_added_at(
    books: BookRepository, record_book: RecordBook
) -> None:
    first = record_book()
    books.save_position(BOOK_A, chapter=12, offset=345, progress=0.2)
    again = record_book(path="/moved/a.epub", title="Pride & Prejudice", chapter_count=62)
    assert again.path == "/moved/a.epub"
    assert again.title == "Pride & Prejudice"
    assert again.chapter_count == 62
    assert again.added_at == first.added_at
    assert first.last_opened_at is not None
    assert again.last_opened_at is not None
    assert again.last_opened_at > first.last_opened_at
    assert (again.position_chapter, again.position_offset, again.progress) == (12, 345, 0.2)


def test_a_moved_book_keeps_its_highlights(
    conn: sqlite3.Connection, books: BookRepository, record_book: RecordBook
) -> None:
    record_book()
    highlights = HighlightRepository(conn)
    made = highlights.add(NewHighlight(BOOK_A, 1, "ch1.xhtml", 0, 5, "It is"))
    record_book(path="/moved/a.epub")
    assert highlights.list_for_book(BOOK_A) == [made]


def test_known_paths_lists_every_path_newest_first(
    books: BookRepository, record_book: RecordBook
) -> None:
    record_book(path="/first/a.epub")
    record_book(path="/second/a.epub")
    record_book(path="/third/a.epub")
    record_book(path="/first/a.epub")  # back where it started: seen most recently now
    assert books.known_paths(BOOK_A) == ["/first/a.epub", "/third/a.epub", "/second/a.epub"]
    assert books.known_paths(BOOK_B) == []


def test_recent_is_newest_first_and_limited(books: BookRepository, record_book: RecordBook) -> None:
    record_book(BOOK_A, "/a")
    record_book(BOOK_B, "/b")
    record_book(BOOK_C, "/c")
    record_book(BOOK_A, "/a")
    assert [book.id for book in books.recent()] == [BOOK_A, BOOK_C, BOOK_B]
    assert [book.id for book in books.recent(limit=2)] == [BOOK_A, BOOK_C]
    assert books.recent(limit=0) == []


def test_forget_hides_a_book_but_keeps_its_data(
    conn: sqlite3.Connection, books: BookRepository, record_book: RecordBook
) -> None:
    record_book(BOOK_A, "/a")
    record_book(BOOK_B, "/b")
    books.save_position(BOOK_A, 3, 40, 0.5)
    highlights = HighlightRepository(conn)
    highlights.add(NewHighlight(BOOK_A, 3, "", 40, 50, "a quote"))

    books.forget(BOOK_A)

    assert [book.id for book in books.recent()] == [BOOK_B]
    forgotten = books.get(BOOK_A)
    assert forgotten is not None
    assert not forgotten.in_recent
    assert forgotten.position_chapter == 3
    assert len(highlights.list_for_book(BOOK_A)) == 1
    # Opening it again brings it back, position intact.
    back = record_book(BOOK_A, "/a")
    assert back.in_recent
    assert back.position_offset == 40
    assert books.recent()[0].id == BOOK_A


def test_save_position_is_stored_and_clamped(
    books: BookRepository, record_book: RecordBook
) -> None:
    record_book()
    books.save_position(BOOK_A, 7, 1234, 0.61)
    stored = books.get(BOOK_A)
    assert stored is not None
    assert (stored.position_chapter, stored.position_offset, stored.progress) == (7, 1234, 0.61)
    books.save_position(BOOK_A, 60, 9, 1.0000001)
    stored = books.get(BOOK_A)
    assert stored is not None
    assert stored.progress == 1.0


@pytest.mark.parametrize(
    ("chapter", "offset", "progress"),
    [(-1, 0, 0.0), (0, -1, 0.0), (0, 0, math.nan), (0, 0, math.inf)],
)
def test_save_position_rejects_impossible_values(
    books: BookRepository, record_book: RecordBook, chapter: int, offset: int, progress: float
) -> None:
    record_book()
    with pytest.raises(ValueError, match=r"position|progress"):
        books.save_position(BOOK_A, chapter, offset, progress)
    stored = books.get(BOOK_A)
    assert stored is not None
    assert (stored.position_chapter, stored.position_offset, stored.progress) == (0, 0, 0.0)


def test_save_position_of_an_unknown_book_does_nothing(books: BookRepository) -> None:
    books.save_position(BOOK_B, 1, 1, 0.1)
    assert books.get(BOOK_B) is None


def test_records_survive_reopening_the_library(db_path: Path, record_book: RecordBook) -> None:
    recorded = record_book(authors=[])
    conn = open_database(db_path)
    try:
        assert BookRepository(conn).get(BOOK_A) == recorded
    finally:
        conn.close()


def test_damaged_authors_do_not_break_reading(
    conn: sqlite3.Connection, books: BookRepository, record_book: RecordBook
) -> None:
    record_book()
    conn.execute("UPDATE books SET authors = '{not json' WHERE id = ?", (BOOK_A,))
    stored = books.get(BOOK_A)
    assert stored is not None
    assert stored.authors == ()


def test_record_opened_is_one_transaction(
    conn: sqlite3.Connection, books: BookRepository, record_book: RecordBook
) -> None:
    # Make the book_paths half of the write fail: neither half may then be stored.
    conn.execute(
        "CREATE TRIGGER refuse BEFORE INSERT ON book_paths BEGIN SELECT RAISE(ABORT, 'no'); END"
    )
    with pytest.raises(StorageError):
        record_book()
    assert books.get(BOOK_A) is None


def test_a_relative_path_is_stored_absolute(
    record_book: RecordBook, books: BookRepository, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A command run in one folder records the book; the window, started elsewhere, must
    # still find the file.
    (tmp_path / "shelf").mkdir()
    monkeypatch.chdir(tmp_path / "shelf")
    record = record_book(path="../shelf/./emma.txt")
    expected = str((tmp_path / "shelf" / "emma.txt").resolve())
    assert record.path == expected
    assert books.known_paths(BOOK_A) == [expected]
