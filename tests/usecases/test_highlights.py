"""Highlights' use cases on a real library and a real book: anchoring and placing on open.

No Qt and no window: what the window's highlight service and the tests of the CLI rely on,
called directly.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from reader_app.core.loaders import load_book
from reader_app.storage.books import BookRepository
from reader_app.storage.db import open_database
from reader_app.storage.highlights import HighlightRepository
from reader_app.usecases.highlights import (
    PlacingCancelled,
    highlight_selection,
    new_highlight,
    place_highlights,
    place_highlights_apart,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    from reader_app.core.book import Book

BOOKS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "books"
PRIDE = BOOKS / "pride-and-prejudice_pg1342_utf8-bom.txt"
OPENING = (
    "It is a truth universally acknowledged, that a single man in possession of a good"
    " fortune, must be in want of a wife."
)
BENNET = "Mr. Bennet was among the earliest of those who waited on Mr. Bingley."


@pytest.fixture(scope="module")
def pride() -> Book:
    return load_book(PRIDE)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "library.sqlite3"


@pytest.fixture
def conn(db_path: Path, pride: Book) -> Iterator[sqlite3.Connection]:
    """A library on disk in which Pride and Prejudice has been opened."""
    connection = open_database(db_path)
    BookRepository(connection).record_opened(
        pride.book_id, pride.path, pride.title, pride.authors, pride.language,
        pride.format.value, len(pride.chapters), pride.char_count,
    )  # fmt: skip
    yield connection
    connection.close()


@pytest.fixture
def repo(conn: sqlite3.Connection) -> HighlightRepository:
    return HighlightRepository(conn)


def _at(book: Book, chapter: int, quote: str) -> tuple[int, int]:
    start = book.chapters[chapter].text.index(quote)
    return start, start + len(quote)


def _rows(path: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as db:
        return db.execute(
            "SELECT id, chapter, start, end, orphaned, section, updated_at FROM highlights"
            " ORDER BY id"
        ).fetchall()


def test_a_selection_is_anchored_by_position_and_by_quote(pride: Book) -> None:
    start, end = _at(pride, 0, OPENING)
    text = pride.chapters[0].text
    new = new_highlight(pride, 0, start, end, "joy")
    assert (new.book_id, new.chapter, new.start, new.end) == (pride.book_id, 0, start, end)
    assert new.quote == OPENING
    assert new.prefix == text[max(0, start - 32) : start]
    assert new.suffix == text[end : end + 32]
    assert new.suffix.strip()  # the opening is followed by more of the chapter
    assert new.chapter_key == pride.chapters[0].key
    assert (new.section, new.color) == ("Chapter 1", "joy")
    # The caller's copy of the chapter texts gives the same anchor.
    texts = [c.text for c in pride.chapters]
    assert new_highlight(pride, 0, start, end, "joy", texts=texts) == new
    assert new_highlight(pride, 0, start, end).color == "yellow"


def test_a_selection_outside_the_book_is_refused(pride: Book, repo: HighlightRepository) -> None:
    with pytest.raises(ValueError, match="chapter"):
        new_highlight(pride, len(pride.chapters), 0, 5)
    with pytest.raises(ValueError, match="empty"):
        highlight_selection(repo, pride, 0, 10, 10)
    assert repo.list_for_book(pride.book_id) == []


def test_a_selection_is_stored_with_its_anchor(pride: Book, repo: HighlightRepository) -> None:
    start, end = _at(pride, 1, BENNET)
    stored = highlight_selection(repo, pride, 1, start, end, "trust")
    assert stored.id > 0
    assert repo.list_for_book(pride.book_id) == [stored]
    assert (stored.quote, stored.chapter, stored.start, stored.color) == (
        BENNET, 1, start, "trust",
    )  # fmt: skip
    assert (stored.section, stored.orphaned) == ("Chapter 2", False)


def test_placing_leaves_highlights_on_their_quote_alone(
    pride: Book, repo: HighlightRepository, conn: sqlite3.Connection, db_path: Path
) -> None:
    a = highlight_selection(repo, pride, 0, *_at(pride, 0, OPENING))
    b = highlight_selection(repo, pride, 1, *_at(pride, 1, BENNET))
    before = _rows(db_path)
    placed = place_highlights(conn, pride)
    assert placed.highlights == [a, b]
    assert (placed.adopted, placed.moved, placed.orphans) == (0, 0, 0)
    assert _rows(db_path) == before  # nothing to write, so nothing written


def test_a_highlight_whose_text_moved_is_found_and_stored_there(
    pride: Book, repo: HighlightRepository, conn: sqlite3.Connection
) -> None:
    start, end = _at(pride, 1, BENNET)
    item = highlight_selection(repo, pride, 1, start, end)
    # As if the book had been edited since: the stored place no longer holds the quote.
    repo.move(item.id, 3, 100, 100 + len(BENNET), orphaned=False)
    reports: list[tuple[int, int]] = []
    placed = place_highlights(conn, pride, progress=lambda d, t: reports.append((d, t)))
    assert (placed.moved, placed.orphans) == (1, 0)
    (found,) = placed.highlights
    assert (found.chapter, found.start, found.end, found.orphaned) == (1, start, end, False)
    assert repo.get(item.id) == found  # stored, not just returned
    assert reports[0] == (0, 1)
    assert reports[-1] == (1, 1)
    again = place_highlights(conn, pride)
    assert (again.moved, again.highlights) == (0, [found])


def test_a_highlight_not_in_the_text_is_kept_as_an_orphan(
    pride: Book, repo: HighlightRepository, conn: sqlite3.Connection
) -> None:
    kept = highlight_selection(repo, pride, 0, *_at(pride, 0, OPENING))
    lost = highlight_selection(repo, pride, 2, 0, 40)
    conn.execute(
        "UPDATE highlights SET quote = ? WHERE id = ?",
        ("A sentence that Jane Austen never wrote in any chapter at all.", lost.id),
    )
    conn.commit()
    placed = place_highlights(conn, pride)
    assert (placed.moved, placed.orphans) == (1, 1)
    assert [h.id for h in placed.highlights] == [kept.id, lost.id]  # orphans last
    orphan = placed.highlights[-1]
    assert orphan.orphaned
    assert (orphan.chapter, orphan.start, orphan.end) == (2, 0, 40)  # its last known place
    # Tried again on the next opening, and still kept.
    assert place_highlights(conn, pride).orphans == 1


def test_placing_on_a_connection_of_its_own(
    pride: Book, repo: HighlightRepository, db_path: Path
) -> None:
    start, end = _at(pride, 1, BENNET)
    item = highlight_selection(repo, pride, 1, start, end)
    repo.move(item.id, 0, 0, len(BENNET), orphaned=True)
    placed = place_highlights_apart(db_path, pride, progress=lambda _d, _t: None)
    (found,) = placed.highlights
    assert (found.chapter, found.start, found.orphaned) == (1, start, False)
    assert repo.get(item.id) == found  # the calling thread's connection sees it


def test_cancelled_placing_writes_nothing(
    pride: Book, repo: HighlightRepository, db_path: Path
) -> None:
    item = highlight_selection(repo, pride, 1, *_at(pride, 1, BENNET))
    repo.move(item.id, 0, 0, len(BENNET), orphaned=True)
    before = _rows(db_path)
    with pytest.raises(PlacingCancelled):
        place_highlights_apart(db_path, pride, cancelled=lambda: True)
    assert _rows(db_path) == before
