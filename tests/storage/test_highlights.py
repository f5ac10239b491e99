"""The highlight repository: add, edit, move after re-anchoring, delete and undo."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from reader_app.core.errors import StorageError
from reader_app.core.records import Highlight, NewHighlight
from reader_app.storage.db import transaction

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Callable

    from reader_app.core.records import BookRecord
    from reader_app.storage.highlights import HighlightRepository


def new(
    book_id: str, chapter: int = 2, start: int = 10, end: int = 25, **extra: str
) -> NewHighlight:
    return NewHighlight(
        book_id=book_id,
        chapter=chapter,
        chapter_key=f"ch{chapter}.xhtml",
        start=start,
        end=end,
        quote="universally acknowledged"[: end - start],
        **extra,
    )


def test_add_stores_everything(highlights: HighlightRepository, book_id: str) -> None:
    made = highlights.add(
        NewHighlight(
            book_id=book_id,
            chapter=0,
            chapter_key="ch0.xhtml",
            start=0,
            end=24,
            quote="It is a truth universally",
            prefix="",
            suffix=" acknowledged, that a single man",
            color="scorn",
            note="Ironic opening.",
        )
    )
    assert made == Highlight(
        id=made.id,
        book_id=book_id,
        chapter=0,
        chapter_key="ch0.xhtml",
        start=0,
        end=24,
        quote="It is a truth universally",
        prefix="",
        suffix=" acknowledged, that a single man",
        color="scorn",
        note="Ironic opening.",
        orphaned=False,
        created_at="2024-05-01T12:00:02.000Z",
        updated_at="2024-05-01T12:00:02.000Z",
    )
    assert highlights.get(made.id) == made


def test_defaults(highlights: HighlightRepository, book_id: str) -> None:
    made = highlights.add(new(book_id))
    assert (made.color, made.note, made.prefix, made.suffix) == ("yellow", "", "", "")


def test_get_unknown_is_none(highlights: HighlightRepository) -> None:
    assert highlights.get(999) is None


@pytest.mark.parametrize(("chapter", "start", "end"), [(-1, 0, 1), (0, -1, 1), (0, 5, 4)])
def test_impossible_positions_are_rejected(chapter: int, start: int, end: int) -> None:
    with pytest.raises(ValueError, match="impossible position"):
        NewHighlight("x", chapter, "", start, end, "q")


def test_an_empty_range_is_allowed(highlights: HighlightRepository, book_id: str) -> None:
    # A point highlight (a bookmark-like note) has start == end.
    made = highlights.add(NewHighlight(book_id, 1, "", 5, 5, ""))
    assert (made.start, made.end) == (5, 5)


def test_a_highlight_for_an_unknown_book_is_refused(highlights: HighlightRepository) -> None:
    with pytest.raises(StorageError):
        highlights.add(new("0" * 64))


def test_list_is_in_reading_order_with_orphans_last(
    highlights: HighlightRepository, book_id: str
) -> None:
    late = highlights.add(new(book_id, chapter=5, start=0, end=3))
    early = highlights.add(new(book_id, chapter=1, start=50, end=60))
    earlier = highlights.add(new(book_id, chapter=1, start=5, end=9))
    lost = highlights.add(new(book_id, chapter=0, start=0, end=2))
    moved = highlights.move(lost.id, chapter=0, start=0, end=2, orphaned=True)
    assert moved is not None
    ids = [h.id for h in highlights.list_for_book(book_id)]
    assert ids == [earlier.id, early.id, late.id, lost.id]
    assert highlights.list_for_book("0" * 64) == []


def test_list_is_per_book(
    highlights: HighlightRepository, record_book: Callable[..., BookRecord], book_id: str
) -> None:
    other = record_book("b" * 64, "/b.txt")
    mine = highlights.add(new(book_id))
    highlights.add(new(other.id))
    assert highlights.list_for_book(book_id) == [mine]


def test_set_note_and_color_update_the_timestamp(
    highlights: HighlightRepository, book_id: str
) -> None:
    made = highlights.add(new(book_id))
    noted = highlights.set_note(made.id, "Mr. Darcy's pride")
    assert noted is not None
    assert noted.note == "Mr. Darcy's pride"
    assert noted.updated_at > made.updated_at
    assert noted.created_at == made.created_at
    coloured = highlights.set_color(made.id, "blue")
    assert coloured is not None
    assert (coloured.color, coloured.note) == ("blue", "Mr. Darcy's pride")
    assert highlights.get(made.id) == coloured


def test_edits_to_a_missing_highlight_return_none(highlights: HighlightRepository) -> None:
    assert highlights.set_note(42, "x") is None
    assert highlights.set_color(42, "red") is None
    assert highlights.move(42, 0, 0, 1, orphaned=False) is None


def test_set_color_rejects_empty(highlights: HighlightRepository, book_id: str) -> None:
    made = highlights.add(new(book_id))
    with pytest.raises(ValueError, match="color"):
        highlights.set_color(made.id, "")
    assert highlights.get(made.id) == made


def test_move_after_reanchoring_keeps_the_quote(
    highlights: HighlightRepository, book_id: str
) -> None:
    made = highlights.add(new(book_id, chapter=2, start=10, end=25, prefix="before "))
    moved = highlights.move(made.id, chapter=3, start=100, end=115, orphaned=False)
    assert moved is not None
    assert (moved.chapter, moved.start, moved.end, moved.orphaned) == (3, 100, 115, False)
    assert (moved.quote, moved.prefix, moved.chapter_key) == (made.quote, "before ", "ch2.xhtml")
    orphan = highlights.move(made.id, chapter=3, start=100, end=115, orphaned=True)
    assert orphan is not None
    assert orphan.orphaned


def test_move_rejects_impossible_positions(highlights: HighlightRepository, book_id: str) -> None:
    made = highlights.add(new(book_id))
    with pytest.raises(ValueError, match="impossible position"):
        highlights.move(made.id, 0, 10, 5, orphaned=False)
    assert highlights.get(made.id) == made


def test_delete_returns_the_row_and_restore_brings_it_back_with_its_id(
    highlights: HighlightRepository, book_id: str
) -> None:
    keep = highlights.add(new(book_id, start=0, end=4))
    made = highlights.add(new(book_id, start=30, end=40, note="undo me"))
    orphan = highlights.move(made.id, 2, 30, 40, orphaned=True)
    assert orphan is not None

    deleted = highlights.delete(made.id)
    assert deleted == orphan
    assert highlights.get(made.id) is None
    assert highlights.delete(made.id) is None

    restored = highlights.restore(deleted)
    assert restored == orphan
    assert highlights.get(made.id) == orphan
    assert highlights.list_for_book(book_id) == [keep, orphan]


def test_restore_refuses_an_id_in_use(highlights: HighlightRepository, book_id: str) -> None:
    made = highlights.add(new(book_id))
    with pytest.raises(StorageError):
        highlights.restore(made)
    assert highlights.list_for_book(book_id) == [made]


def test_deleting_a_book_deletes_its_highlights(
    conn: sqlite3.Connection, highlights: HighlightRepository, book_id: str
) -> None:
    made = highlights.add(new(book_id))
    conn.execute("DELETE FROM books WHERE id = ?", (book_id,))
    assert highlights.get(made.id) is None
    assert conn.execute("SELECT COUNT(*) FROM book_paths").fetchone()[0] == 0


def test_the_end_check_holds_in_the_database(
    conn: sqlite3.Connection, highlights: HighlightRepository, book_id: str
) -> None:
    made = highlights.add(new(book_id))
    # A bypass of the Python checks still cannot store an inverted range.
    with pytest.raises(StorageError), transaction(conn):
        conn.execute("UPDATE highlights SET end = start - 1 WHERE id = ?", (made.id,))
    assert highlights.get(made.id) == made
