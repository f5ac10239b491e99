"""Importing annotations into a real library: placing, placeholders, one transaction.

No Qt and no window: the use case on a real SQLite library and real books of the corpus.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from reader_app.core.anchors import TextAnchor, make_anchor, resolve_anchor
from reader_app.core.exporters.w3c import export_w3c
from reader_app.core.importers import ImportedAnnotation
from reader_app.core.importers.clippings import parse_clippings, to_annotations
from reader_app.core.importers.w3c import parse_w3c
from reader_app.core.loaders import load_book
from reader_app.core.records import NewAnalysis, NewHighlight
from reader_app.storage import imports
from reader_app.storage.analyses import AnalysisRepository
from reader_app.storage.annotations import AnnotationQuery
from reader_app.storage.books import BookRepository
from reader_app.storage.corrections import CorrectionRepository
from reader_app.storage.db import open_database
from reader_app.storage.highlights import HighlightRepository
from reader_app.storage.imports import (
    adopt_placeholders,
    authors_match,
    placeholder_id,
    titles_match,
)
from reader_app.usecases.importing import import_annotations

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Iterator

    from reader_app.core.book import Book

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "books"
PRIDE = CORPUS / "pride-and-prejudice_pg1342_utf8-bom.txt"
OPENING = (
    "It is a truth universally acknowledged, that a single man in possession of a good"
    " fortune, must be in want of a wife."
)
ADDED = "Added on Monday, April 21, 2014 10:08:07 PM"


@pytest.fixture(scope="module")
def pride() -> Book:
    return load_book(PRIDE)


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    """An empty library on disk."""
    connection = open_database(tmp_path / "library.sqlite3")
    yield connection
    connection.close()


def _record(conn: sqlite3.Connection, book: Book) -> None:
    BookRepository(conn).record_opened(
        book.book_id, book.path, book.title, book.authors, book.language, book.format.value,
        len(book.chapters), book.char_count,
    )  # fmt: skip


def _clippings(*records: tuple[str, str, str]) -> list[ImportedAnnotation]:
    text = "".join(
        f"{title}\n- {details}\n\n{body}\n==========\n" for title, details, body in records
    )
    report = parse_clippings(text)
    assert report.problems == []
    return to_annotations(report.clippings)


def _opening_clipping(
    title: str = "Pride and Prejudice (Austen, Jane)",
) -> list[ImportedAnnotation]:
    return _clippings(
        (title, f"Your Highlight on page 1 | Location 10-12 | {ADDED}", OPENING),
        (title, f"Your Note on page 1 | Location 12 | {ADDED}", "The famous first line."),
    )


def _counts(conn: sqlite3.Connection) -> tuple[int, ...]:
    return tuple(
        conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
        for table in ("books", "highlights", "analyses", "corrections")
    )


def test_a_clipping_is_placed_at_its_chapter_and_offset(
    conn: sqlite3.Connection, pride: Book
) -> None:
    _record(conn, pride)
    result = import_annotations(conn, _opening_clipping(), source="kindle")
    assert (result.imported, result.orphans, result.duplicates, result.problems) == (1, 0, 0, [])
    (h,) = HighlightRepository(conn).list_for_book(pride.book_id)
    chapter_text = pride.chapters[0].text
    assert (h.chapter, h.start, h.end) == (0, 45, 45 + len(OPENING))
    assert chapter_text[h.start : h.end] == OPENING
    assert not h.orphaned
    assert (h.note, h.source, h.section) == ("The famous first line.", "kindle", "Chapter 1")
    assert (h.prefix, h.suffix) == ("", "")  # the clipping had none; the quote is enough
    assert h.created_at == "2014-04-21T22:08:07"  # local time, as the Kindle wrote it


def test_a_title_with_an_edition_note_and_a_reversed_author_match(
    conn: sqlite3.Connection, pride: Book
) -> None:
    _record(conn, pride)
    items = _opening_clipping("Pride and Prejudice (Penguin Classics) (Austen, Jane)")
    assert import_annotations(conn, items, source="kindle").orphans == 0
    assert titles_match("Frankenstein; Or, The Modern Prometheus", "frankenstein")
    assert not titles_match("Persuasion", "Pride and Prejudice")
    assert authors_match(["Austen, Jane"], ["Jane Austen"])
    assert authors_match([], ["Jane Austen"])
    assert not authors_match(["Mary Shelley"], ["Jane Austen"])


def test_a_quote_not_in_the_book_is_kept_as_an_orphan(
    conn: sqlite3.Connection, pride: Book
) -> None:
    _record(conn, pride)
    items = _clippings(
        ("Pride and Prejudice (Jane Austen)", f"Your Highlight on Location 1-2 | {ADDED}",
         "A sentence that Jane Austen never wrote in this novel at all."),
    )  # fmt: skip
    result = import_annotations(conn, items, source="kindle")
    assert (result.imported, result.orphans) == (1, 1)
    (h,) = HighlightRepository(conn).list_for_book(pride.book_id)
    assert h.orphaned


def test_an_unknown_book_gets_a_placeholder_and_the_book_adopts_it_later(
    conn: sqlite3.Connection, pride: Book
) -> None:
    items = _opening_clipping()
    result = import_annotations(conn, items, source="kindle")
    assert (result.imported, result.orphans) == (1, 1)
    expected_id = placeholder_id("Pride and Prejudice", ["Austen, Jane"])
    assert expected_id.startswith("import:")
    assert len(expected_id) == len("import:") + 32
    row = conn.execute("SELECT * FROM books").fetchone()
    assert (row["id"], row["placeholder"], row["path"], row["format"]) == (
        expected_id, 1, "", "Unknown",
    )  # fmt: skip
    assert (row["title"], json.loads(row["authors"])) == ("Pride and Prejudice", ["Austen, Jane"])
    assert BookRepository(conn).recent() == []  # nothing to open: not in the Recent list
    (orphan,) = HighlightRepository(conn).list_for_book(expected_id)
    assert (orphan.quote, orphan.orphaned, orphan.note) == (OPENING, True, "The famous first line.")

    # Another clipping of the same book later reuses the placeholder.
    more = _clippings(
        ("Pride and Prejudice (Austen, Jane)", f"Your Highlight on Location 40-41 | {ADDED}",
         "Mr. Bennet was among the earliest of those who waited on Mr. Bingley."),
    )  # fmt: skip
    import_annotations(conn, more, source="kindle")
    assert conn.execute("SELECT COUNT(*) FROM books").fetchone()[0] == 1

    # The book is opened: it adopts both, still orphaned, and the placeholder goes.
    _record(conn, pride)
    assert adopt_placeholders(conn, pride) == 2
    assert [r[0] for r in conn.execute("SELECT id FROM books")] == [pride.book_id]
    adopted = HighlightRepository(conn).list_for_book(pride.book_id)
    assert all(h.orphaned for h in adopted)
    # Re-anchoring (as opening the book does it) places them.
    texts = [c.text for c in pride.chapters]
    places = [
        resolve_anchor(TextAnchor(h.chapter, h.start, h.end, h.quote, h.prefix, h.suffix), texts)
        for h in adopted
    ]
    assert [(p.chapter, p.start) for p in places if p] == [(0, 45), (1, 10)]
    assert adopt_placeholders(conn, pride) == 0


def test_adopting_needs_a_matching_title_and_a_recorded_book(
    conn: sqlite3.Connection, pride: Book
) -> None:
    import_annotations(
        conn,
        _clippings(
            ("Emma (Jane Austen)", f"Your Highlight on Location 1-2 | {ADDED}", "Emma Woodhouse")
        ),
        source="kindle",
    )
    assert adopt_placeholders(conn, pride) == 0  # not recorded yet
    _record(conn, pride)
    assert adopt_placeholders(conn, pride) == 0  # another title
    assert conn.execute("SELECT COUNT(*) FROM books WHERE placeholder = 1").fetchone()[0] == 1


def test_an_exception_half_way_leaves_the_library_unchanged(
    conn: sqlite3.Connection, pride: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    _record(conn, pride)
    HighlightRepository(conn).add(NewHighlight(pride.book_id, 3, "", 0, 5, "first"))
    before = _counts(conn)
    items = _opening_clipping() + _clippings(
        ("Unknown Book (Nobody)", f"Your Highlight on Location 1-2 | {ADDED}", "Lost words."),
        ("Unknown Book (Nobody)", f"Your Highlight on Location 5-6 | {ADDED}", "More lost words."),
    )
    calls = []
    real = imports._highlight_row

    def crash_on_the_third(*args: object, **kwargs: object) -> tuple[object, ...]:
        # By the third highlight the placeholder book of the second is written already.
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt  # as if the process were stopped half-way
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(imports, "_highlight_row", crash_on_the_third)
    with pytest.raises(KeyboardInterrupt):
        import_annotations(conn, items, source="kindle")
    assert len(calls) == 3
    assert _counts(conn) == before  # neither the two highlights nor the placeholder book
    assert not conn.in_transaction


def test_duplicates_are_skipped(conn: sqlite3.Connection, pride: Book) -> None:
    _record(conn, pride)
    # The reader had already highlighted the opening in the app.
    texts = [c.text for c in pride.chapters]
    a = make_anchor(texts, 0, 45, 45 + len(OPENING))
    HighlightRepository(conn).add(
        NewHighlight(pride.book_id, 0, "", a.start, a.end, a.quote, a.prefix, a.suffix)
    )
    items = _opening_clipping()
    assert import_annotations(conn, items, source="kindle").duplicates == 1
    # Of a book not in the library, where the place is unknown, the same quote is enough.
    lost = _clippings(("Unknown (Nobody)", f"Your Highlight on Location 1-2 | {ADDED}", "Lost."))
    first = import_annotations(conn, lost, source="kindle")
    again = import_annotations(conn, lost + lost, source="kindle")
    assert (first.imported, again.imported, again.duplicates) == (1, 0, 2)


def test_a_lone_note_is_kept_and_an_empty_item_reported(conn: sqlite3.Connection) -> None:
    items = _clippings(("Unknown (Nobody)", f"Your Note on Location 9 | {ADDED}", "A thought."))
    empty = [ImportedAnnotation("", "T", (), "", origin="nowhere")]
    result = import_annotations(conn, items + empty, source="kindle")
    assert (result.imported, result.orphans) == (1, 1)
    assert result.problems == ["nowhere: it has neither text nor a note"]
    (row,) = conn.execute("SELECT quote, note, orphaned FROM highlights").fetchall()
    assert tuple(row) == ("", "A thought.", 1)


def test_a_book_file_that_is_gone_keeps_its_imports_as_orphans(
    conn: sqlite3.Connection, pride: Book
) -> None:
    _record(conn, pride)
    result = import_annotations(
        conn, _opening_clipping(), source="kindle", books_available=lambda _book_id: None
    )
    assert (result.imported, result.orphans) == (1, 1)
    (h,) = HighlightRepository(conn).list_for_book(pride.book_id)
    assert h.orphaned  # on the real book: placed when it is next opened


# --- W3C round trip --------------------------------------------------------------------


def _library_with_everything(conn: sqlite3.Connection, book: Book) -> None:
    """A book with highlights, notes, analyses, a correction, an orphan and imports."""
    _record(conn, book)
    highlights, analyses = HighlightRepository(conn), AnalysisRepository(conn)
    texts = [c.text for c in book.chapters]

    def add(chapter: int, quote: str, color: str = "yellow") -> int:
        start = texts[chapter].index(quote)
        a = make_anchor(texts, chapter, start, start + len(quote))
        return highlights.add(
            NewHighlight(book.book_id, chapter, book.chapters[chapter].key, a.start, a.end,
                         a.quote, a.prefix, a.suffix, color,
                         section=book.section_title(chapter, a.start))
        ).id  # fmt: skip

    answer = {
        "tone": "Ironic", "polarity": "mixed",
        "emotions": [{"name": "joy", "intensity": 0.6}, {"name": "surprise", "intensity": 0.2}],
        "evidence": [{"quote": "universally acknowledged", "why": "mock gravity"}],
        "explanation": "A grand claim about a small matter.", "confidence": 0.8,
    }  # fmt: skip
    first = add(0, OPENING, "joy")
    analyses.add(NewAnalysis(first, "ok", model="claude-x", prompt_version="p3", tone="Ironic",
                             result=answer, input_tokens=1200, output_tokens=300, cost_usd=0.0042))  # fmt: skip
    second = add(1, "Mr. Bennet was among the earliest")
    highlights.set_note(second, "Bennet pretends not to care.")
    attempt = analyses.add(
        NewAnalysis(second, "ok", model="claude-x", tone="Warm", result=dict(answer, tone="Warm"))
    )
    CorrectionRepository(conn).add(attempt.id, dict(answer, tone="Teasing"))
    analyses.add(NewAnalysis(second, "failed", error_kind="timeout"))
    lost = add(2, "Not all that Mrs. Bennet")
    highlights.move(lost, 2, 0, 24, orphaned=True)
    items = _clippings(
        ("Lost Book (Someone)", f"Your Highlight on Location 5-6 | {ADDED}", "Some text."),
        ("Lost Book (Someone)", f"Your Note on Location 50 | {ADDED}", "A lonely note."),
    )
    import_annotations(conn, items, source="kindle")


def _export(conn: sqlite3.Connection) -> dict[str, object]:
    text = export_w3c(
        AnnotationQuery(conn).all(), generated_at="2024-06-01T00:00:00.000Z", app_version="0.1.0"
    )
    data = json.loads(text)
    data.pop("generated")
    return data


def test_w3c_export_import_export_is_identical(
    tmp_path: Path, conn: sqlite3.Connection, pride: Book
) -> None:
    _library_with_everything(conn, pride)
    exported = _export(conn)
    report = parse_w3c(
        export_w3c(AnnotationQuery(conn).all(), generated_at="x", app_version="0.1.0")
    )
    assert report.problems == []
    empty = open_database(tmp_path / "empty.sqlite3")
    try:
        result = import_annotations(empty, report.items, source="w3c")
        assert (result.imported, result.duplicates, result.problems) == (5, 0, [])
        assert _export(empty) == exported
        # The analysis and its correction came along as rows, not just as export text.
        (corrected,) = [a for a in AnnotationQuery(empty).all() if a.provenance.corrected]
        assert corrected.tone == "Teasing"
        # Importing the same file again changes nothing.
        again = import_annotations(empty, report.items, source="w3c")
        assert (again.imported, again.duplicates) == (0, 5)
        assert _export(empty) == exported
        # Opening the very file the export named makes its placeholder a real book.
        _record(empty, pride)
        assert adopt_placeholders(empty, pride) == 3
        placeholder = empty.execute("SELECT placeholder FROM books WHERE id = ?", (pride.book_id,))
        assert placeholder.fetchone()[0] == 0
    finally:
        empty.close()


def test_w3c_import_into_a_library_that_has_the_book(
    tmp_path: Path, conn: sqlite3.Connection, pride: Book
) -> None:
    _library_with_everything(conn, pride)
    report = parse_w3c(
        export_w3c(AnnotationQuery(conn).all(), generated_at="x", app_version="0.1.0")
    )
    other = open_database(tmp_path / "other.sqlite3")
    try:
        _record(other, pride)
        result = import_annotations(other, report.items, source="w3c")
        # The orphan's quote is still in this book, so here it is placed.
        assert (result.imported, result.orphans) == (5, 2)
        placed = HighlightRepository(other).list_for_book(pride.book_id)
        assert [(h.chapter, h.start, h.orphaned) for h in placed] == [
            (0, 45, False), (1, 10, False), (2, 10, False),
        ]  # fmt: skip
        assert all(h.source == "w3c" for h in placed)
    finally:
        other.close()
