"""The highlight service without a window: a real library, a real book, a real worker pool.

It keeps the open book's list in step with the library, places the highlights on a worker
when the book opens, and says what the page should draw.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QThreadPool

from reader_app.core.loaders import load_book
from reader_app.core.marks import Mark
from reader_app.services.highlights import HighlightController
from reader_app.services.tasks import TaskRunner
from reader_app.storage.books import BookRepository
from reader_app.storage.db import open_database
from reader_app.storage.highlights import HighlightRepository

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Iterator

    from pytestqt.qtbot import QtBot

    from reader_app.core.book import Book

PRIDE = (
    Path(__file__).resolve().parents[3]
    / "shared" / "corpus" / "books" / "pride-and-prejudice_pg1342_utf8-bom.txt"
)  # fmt: skip
BENNET = "Mr. Bennet was among the earliest of those who waited on Mr. Bingley."


@pytest.fixture(scope="module")
def pride() -> Book:
    return load_book(PRIDE)


@pytest.fixture
def conn(tmp_path: Path, pride: Book) -> Iterator[sqlite3.Connection]:
    """A library on disk in which Pride and Prejudice has been opened."""
    connection = open_database(tmp_path / "library.sqlite3")
    BookRepository(connection).record_opened(
        pride.book_id, pride.path, pride.title, pride.authors, pride.language,
        pride.format.value, len(pride.chapters), pride.char_count,
    )  # fmt: skip
    yield connection
    connection.close()


@pytest.fixture
def pool() -> Iterator[QThreadPool]:
    pool = QThreadPool()
    yield pool
    pool.waitForDone(5000)


def _range(book: Book, chapter: int, quote: str) -> tuple[int, int]:
    start = book.chapters[chapter].text.index(quote)
    return start, start + len(quote)


def test_opening_places_the_highlights_on_a_worker(
    qtbot: QtBot, conn: sqlite3.Connection, pride: Book, pool: QThreadPool
) -> None:
    repo = HighlightRepository(conn)
    first = HighlightController(repo)
    start, end = _range(pride, 1, BENNET)
    first.open_book(pride)  # no worker: placed in place
    made = first.add(1, start, end, "trust")
    assert made is not None
    repo.move(made.id, 0, 0, end - start, orphaned=True)  # as if the text had moved

    service = HighlightController(repo, TaskRunner(pool))
    with qtbot.waitSignal(service.placed, timeout=10_000) as placed:
        service.open_book(pride)
        assert service.busy
        assert service.highlights == []  # none shown until all are placed
    assert placed.args == [1, 0]
    assert not service.busy
    (found,) = service.highlights
    assert (found.chapter, found.start, found.end, found.orphaned) == (1, start, end, False)
    assert service.marks(1) == [Mark(start, end, "trust", made.id)]
    assert service.marks(0) == []
    assert service.at(1, start + 3) == found
    assert service.at(1, end) is None


def test_editing_the_open_books_highlights(conn: sqlite3.Connection, pride: Book) -> None:
    service = HighlightController(HighlightRepository(conn))
    service.open_book(pride)
    changes: list[None] = []
    service.changed.connect(lambda: changes.append(None))
    start, end = _range(pride, 1, BENNET)
    made = service.add(1, start, end)
    assert made is not None
    assert (made.quote, made.color, made.section) == (BENNET, "yellow", "Chapter 2")
    assert service.add(1, start, end) == made  # the same range again: the same highlight
    service.set_color(made.id, "joy")
    service.set_note(made.id, "  Eager to call.  ")
    got = service.get(made.id)
    assert got is not None
    assert (got.color, got.note) == ("joy", "Eager to call.")
    service.delete(made.id)
    assert (service.highlights, service.can_undo) == ([], True)
    service.undo()
    assert [h.id for h in service.highlights] == [made.id]
    assert not service.can_undo
    assert len(changes) == 5  # added, recoloured, noted, deleted, restored


def test_a_highlight_the_library_cannot_store_is_reported(
    qtbot: QtBot, conn: sqlite3.Connection, pride: Book
) -> None:
    service = HighlightController(HighlightRepository(conn))
    service.open_book(pride)
    conn.execute("DELETE FROM books")  # the book is no longer recorded
    conn.commit()
    with qtbot.waitSignal(service.failed) as failed:
        assert service.add(1, *_range(pride, 1, BENNET)) is None
    assert failed.args == ["The library could not be updated, so the change was not saved."]
    assert service.highlights == []
