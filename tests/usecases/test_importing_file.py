"""Importing an annotations file into a real library, as File → Import and the CLI do.

No Qt and no window: ``import_file`` reads a real Kindle clippings file or W3C export,
finds and loads the real books of the corpus at the paths the library knows, places the
quotes and stores everything in one transaction.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from reader_app.core.book_cache import BookCache
from reader_app.core.errors import BookError
from reader_app.core.exporters.w3c import export_w3c
from reader_app.core.loaders import load_book
from reader_app.storage.annotations import AnnotationQuery
from reader_app.storage.books import BookRepository
from reader_app.storage.db import open_database
from reader_app.storage.highlights import HighlightRepository
from reader_app.usecases.highlights import highlight_selection
from reader_app.usecases.importing import import_file, library_book_loader

if TYPE_CHECKING:
    from collections.abc import Iterator

    from reader_app.core.book import Book

BOOKS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "books"
PRIDE = BOOKS / "pride-and-prejudice_pg1342_utf8-bom.txt"
FRANKENSTEIN = BOOKS / "frankenstein_pg84_ascii.txt"
OPENING = (
    "It is a truth universally acknowledged, that a single man in possession of a good"
    " fortune, must be in want of a wife."
)
ADDED = "Added on Monday, April 21, 2014 10:08:07 PM"


def _record(title: str, where: str, text: str) -> str:
    return f"{title}\r\n- {where} | {ADDED}\r\n\r\n{text}\r\n==========\r\n"


PRIDE_TITLE = "Pride and Prejudice (Austen, Jane)"
CLIPPINGS = "\ufeff" + "".join(
    [
        # Highlighted once, then again a little longer: the first record is superseded.
        _record(PRIDE_TITLE, "Your Highlight on page 1 | Location 10-11", OPENING[:38]),
        _record(PRIDE_TITLE, "Your Highlight on page 1 | Location 10-12", OPENING),
        _record(PRIDE_TITLE, "Your Note on page 1 | Location 12", "The famous first line."),
        _record("Unknown Book (Nobody)", "Your Highlight on Location 5-6", "Some text."),
        _record(PRIDE_TITLE, "Something odd here", "what"),
    ]
)


@pytest.fixture(scope="module")
def pride() -> Book:
    return load_book(PRIDE)


@pytest.fixture
def library(tmp_path: Path) -> Path:
    return tmp_path / "library.sqlite3"


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache" / "books"


@pytest.fixture
def conn(library: Path) -> Iterator[sqlite3.Connection]:
    connection = open_database(library)
    yield connection
    connection.close()


@pytest.fixture
def clippings(tmp_path: Path) -> Path:
    path = tmp_path / "My Clippings.txt"
    path.write_bytes(CLIPPINGS.encode("utf-8"))
    return path


def _open_book(conn: sqlite3.Connection, book: Book, path: Path | None = None) -> None:
    BookRepository(conn).record_opened(
        book.book_id, str(path or book.path), book.title, book.authors, book.language,
        book.format.value, len(book.chapters), book.char_count,
    )  # fmt: skip


def _stored(library: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(library) as db:
        return db.execute(
            "SELECT book_id, quote, note, chapter, start, orphaned, source FROM highlights"
            " ORDER BY id"
        ).fetchall()


def test_clippings_are_placed_in_a_book_the_library_knows(
    conn: sqlite3.Connection, pride: Book, library: Path, cache: Path, clippings: Path
) -> None:
    _open_book(conn, pride)
    done = import_file(clippings, library, cache)
    result = done.result
    assert (result.imported, result.orphans) == (2, 1)
    assert (done.redone, done.duplicates) == (1, 1)
    (problem,) = done.problems
    assert problem.startswith("record 5 (line 21): “Something odd here")
    assert problem.endswith("is not a highlight, note or bookmark")
    pride_row, unknown_row = _stored(library)
    # Found in the book's text, which was loaded from the path the library knows.
    assert pride_row == (
        pride.book_id, OPENING, "The famous first line.", 0, 45, 0, "kindle",
    )  # fmt: skip
    assert unknown_row[1:] == ("Some text.", "", 0, 0, 1, "kindle")
    assert str(unknown_row[0]).startswith("import:")  # kept on a placeholder book
    assert any(cache.iterdir())  # the parsed book is kept for the next import


def test_importing_the_same_file_again_skips_everything(
    conn: sqlite3.Connection, pride: Book, library: Path, cache: Path, clippings: Path
) -> None:
    _open_book(conn, pride)
    import_file(clippings, library, cache)
    before = _stored(library)
    again = import_file(clippings, library, cache)
    assert (again.result.imported, again.result.duplicates, again.duplicates) == (0, 2, 3)
    assert _stored(library) == before


def test_a_book_whose_file_is_gone_keeps_its_clippings_as_orphans(
    tmp_path: Path, conn: sqlite3.Connection, pride: Book, library: Path, cache: Path,
    clippings: Path,
) -> None:  # fmt: skip
    copy = tmp_path / "pride.txt"
    shutil.copyfile(PRIDE, copy)
    _open_book(conn, pride, copy)
    copy.unlink()
    done = import_file(clippings, library, cache)
    assert (done.result.imported, done.result.orphans) == (2, 2)
    mine = HighlightRepository(conn).list_for_book(pride.book_id)
    assert [(h.quote, h.orphaned) for h in mine] == [(OPENING, True)]  # on the real book


def test_the_loader_opens_a_book_only_from_a_path_that_still_holds_it(
    tmp_path: Path, conn: sqlite3.Connection, pride: Book
) -> None:
    copy = tmp_path / "pride.txt"
    shutil.copyfile(PRIDE, copy)
    _open_book(conn, pride, copy)
    load = library_book_loader(conn, BookCache(tmp_path / "cache"))
    found = load(pride.book_id)
    assert found is not None
    assert (found.book_id, found.title) == (pride.book_id, pride.title)
    assert load("f" * 64) is None  # not in the library
    shutil.copyfile(FRANKENSTEIN, copy)  # another book now sits at that path
    assert library_book_loader(conn)(pride.book_id) is None


def test_a_w3c_export_comes_back_in_its_place(
    tmp_path: Path, conn: sqlite3.Connection, pride: Book, cache: Path
) -> None:
    _open_book(conn, pride)
    start = pride.chapters[1].text.index("Mr. Bennet was among")
    made = highlight_selection(HighlightRepository(conn), pride, 1, start, start + 40, "trust")
    HighlightRepository(conn).set_note(made.id, "He pretends not to care.")
    export = tmp_path / "export.json"
    export.write_text(
        export_w3c(AnnotationQuery(conn).all(), generated_at="x", app_version="0.1.0"),
        encoding="utf-8",
    )
    other = tmp_path / "other.sqlite3"
    other_conn = open_database(other)
    try:
        _open_book(other_conn, pride)
        done = import_file(export, other, cache)
        assert (done.result.imported, done.result.orphans, done.problems) == (1, 0, [])
        (h,) = HighlightRepository(other_conn).list_for_book(pride.book_id)
    finally:
        other_conn.close()
    assert (h.chapter, h.start, h.end, h.quote) == (1, start, start + 40, made.quote)
    assert (h.note, h.color, h.source, h.section) == (
        "He pretends not to care.", "trust", "w3c", "Chapter 2",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Just some words, not annotations.\n", "is not a format Tone Reader imports"),
        (_record(PRIDE_TITLE, "Something odd here", "what"), "holds no annotations to import"),
    ],
)
def test_a_file_with_nothing_to_import_is_refused(
    tmp_path: Path, library: Path, cache: Path, content: str, message: str
) -> None:
    path = tmp_path / "notes.txt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(BookError, match=message):
        import_file(path, library, cache)
    assert not library.exists()  # refused before the library was even opened


def test_a_missing_file_is_a_book_error(tmp_path: Path, library: Path, cache: Path) -> None:
    with pytest.raises(BookError):
        import_file(tmp_path / "nowhere.txt", library, cache)
