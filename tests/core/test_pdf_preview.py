"""A long PDF's first pages are handed over to be shown while the rest is read."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import TYPE_CHECKING

from reader_app.core.book import Book, BookFormat
from reader_app.core.book_cache import BookCache
from reader_app.core.loaders import load_book
from reader_app.core.loaders.pdf import PREVIEW_PAGES

if TYPE_CHECKING:
    import pytest

DATA = Path(__file__).resolve().parents[1] / "data" / "pdf"
NOVEL = DATA / "pride-and-prejudice.pdf"


def test_a_novel_is_previewed_once_with_the_chapters_it_will_have() -> None:
    previews: list[Book] = []
    book = load_book(NOVEL, preview=previews.append)
    assert len(previews) == 1
    first = previews[0]
    assert (first.book_id, first.title, first.format) == (book.book_id, book.title, BookFormat.PDF)
    assert 2 <= len(first.chapters) < len(book.chapters)
    # The chapters it holds read as in the whole book, the last one as far as it goes. A
    # compound broken at a line end may differ ("brother-in-law" is known as a compound
    # only from the rest of the book), and nothing can be marked in a preview.
    for shown, whole in zip(first.chapters, book.chapters, strict=False):
        assert shown.title == whole.title
        matcher = difflib.SequenceMatcher(None, shown.text, whole.text, autojunk=False)
        same = sum(block.size for block in matcher.get_matching_blocks())
        assert same >= len(shown.text) - 10, shown.title
    # Only its first pages were read for it: 16 of 372.
    assert first.char_count < book.char_count * PREVIEW_PAGES / 200


def test_a_short_pdf_and_a_cached_one_have_no_preview(tmp_path: Path) -> None:
    previews: list[Book] = []
    load_book(DATA / "frankenstein-twocolumn.pdf", preview=previews.append)
    assert previews == []
    cache = BookCache(tmp_path / "cache")
    load_book(NOVEL, cache, previews.append)
    assert len(previews) == 1
    again = load_book(NOVEL, cache, previews.append)
    assert len(previews) == 1  # the cached book is whole at once
    assert again.format is BookFormat.PDF


def test_a_failing_preview_does_not_stop_the_book(
    allow_log_warnings: None, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(_book: Book) -> None:
        raise RuntimeError("the window went away")

    book = load_book(NOVEL, preview=broken)
    assert len(book.chapters) > 60
    assert "No preview of pride-and-prejudice.pdf" in caplog.text
