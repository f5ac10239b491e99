"""Placing an opened book's highlights: adoption and re-anchoring, written in one go."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

import pytest

from benchmarks.clippings_corpus import WAR_AND_PEACE, clippings_text, make_passages
from reader_app.core.importers.clippings import parse_clippings, to_annotations
from reader_app.core.loaders import load_book
from reader_app.storage.books import BookRepository
from reader_app.storage.db import open_database
from reader_app.storage.highlights import HighlightRepository
from reader_app.usecases.highlights import PlacingCancelled, place_highlights
from reader_app.usecases.importing import import_annotations

if TYPE_CHECKING:
    from pathlib import Path

    from reader_app.core.book import Book
    from reader_app.core.records import Highlight


@pytest.fixture(scope="module")
def war() -> Book:
    return load_book(WAR_AND_PEACE)


@pytest.fixture
def library(tmp_path: Path, war: Book) -> Path:
    """A library holding 600 clippings of War and Peace imported before it was opened."""
    path = tmp_path / "library.sqlite3"
    passages = make_passages([c.text for c in war.chapters], 600, seed=2)
    text = clippings_text(passages, "War and Peace", "Tolstoy, Leo")
    conn = open_database(path)
    try:
        result = import_annotations(
            conn, to_annotations(parse_clippings(text).clippings), source="kindle"
        )
        assert (result.imported, result.orphans) == (600, 600)
        BookRepository(conn).record_opened(
            war.book_id, war.path, war.title, war.authors, war.language, war.format.value,
            len(war.chapters), war.char_count,
        )  # fmt: skip
    finally:
        conn.close()
    return path


def _rows(path: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as db:
        return db.execute(
            "SELECT id, book_id, chapter, start, end, orphaned, section, updated_at"
            " FROM highlights ORDER BY id"
        ).fetchall()


def test_imported_highlights_are_adopted_placed_and_stored(library: Path, war: Book) -> None:
    texts = [c.text for c in war.chapters]
    reports: list[tuple[int, int]] = []
    conn = open_database(library)
    try:
        placed = place_highlights(conn, war, progress=lambda d, t: reports.append((d, t)))
    finally:
        conn.close()
    assert (len(placed.highlights), placed.adopted) == (600, 600)
    assert placed.orphans <= 3
    exact = [h for h in placed.highlights if not h.orphaned and h.quote == _text(texts, h)]
    assert len(exact) == 540  # nine in ten were not edited: each is on its very words
    assert all(h.book_id == war.book_id and h.section for h in placed.highlights[:-3])
    assert reports[-1] == (600, 600)
    assert 2 <= len(reports) <= 102
    with sqlite3.connect(library) as db:
        assert db.execute("SELECT COUNT(*) FROM books").fetchone() == (1,)  # placeholder gone
        stored = db.execute("SELECT COUNT(*) FROM highlights WHERE orphaned = 0").fetchone()
    assert stored == (600 - placed.orphans,)


def test_opening_again_writes_nothing(library: Path, war: Book) -> None:
    conn = open_database(library)
    try:
        place_highlights(conn, war)
        before = _rows(library)
        again = place_highlights(conn, war)
    finally:
        conn.close()
    assert (again.adopted, again.moved) == (0, 0)
    assert _rows(library) == before  # fuzzily placed ones stay where they were put


def test_cancelled_placing_leaves_the_library_as_it_was(library: Path, war: Book) -> None:
    before = _rows(library)
    calls = 0

    def cancelled() -> bool:
        nonlocal calls
        calls += 1
        return calls > 3

    conn = open_database(library)
    try:
        with pytest.raises(PlacingCancelled):
            place_highlights(conn, war, cancelled=cancelled)
        assert not conn.in_transaction
        assert HighlightRepository(conn).list_for_book(war.book_id) == []
    finally:
        conn.close()
    assert _rows(library) == before


def _text(texts: list[str], item: Highlight) -> str:
    return texts[item.chapter][item.start : item.end]
