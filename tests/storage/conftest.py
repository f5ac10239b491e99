"""Fixtures for the storage tests: a real SQLite library on disk and a controllable clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from reader_app.storage.books import BookRepository
from reader_app.storage.db import open_database
from reader_app.storage.highlights import HighlightRepository

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from reader_app.core.records import BookRecord

BOOK_A = "a" * 64
BOOK_B = "b" * 64


class FakeClock:
    """A clock that moves one second each time it is read, so ordering is deterministic."""

    def __init__(self) -> None:
        self.now = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "library.sqlite3"


@pytest.fixture
def conn(db_path: Path) -> Iterator[sqlite3.Connection]:
    connection = open_database(db_path)
    yield connection
    connection.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def books(conn: sqlite3.Connection, clock: FakeClock) -> BookRepository:
    return BookRepository(conn, clock=clock)


@pytest.fixture
def highlights(conn: sqlite3.Connection, clock: FakeClock) -> HighlightRepository:
    return HighlightRepository(conn, clock=clock)


@pytest.fixture
def record_book(books: BookRepository) -> Callable[..., BookRecord]:
    """Record a book with plausible metadata; keyword arguments override it."""

    def record(book_id: str = BOOK_A, path: str = "/books/a.epub", **overrides: Any) -> BookRecord:
        metadata: dict[str, Any] = {
            "title": "Pride and Prejudice",
            "authors": ["Jane Austen"],
            "language": "en",
            "format_name": "EPUB 3",
            "chapter_count": 61,
            "char_count": 700_000,
        }
        metadata.update(overrides)
        return books.record_opened(book_id, path, **metadata)

    return record


@pytest.fixture
def book_id(record_book: Callable[..., BookRecord]) -> str:
    """A book that is already in the library."""
    return record_book().id
