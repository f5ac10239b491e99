"""Printed page labels: where a place falls on the page of a paginated book (a PDF)."""

from __future__ import annotations

from pathlib import Path

from reader_app.core.book import Book, BookFormat, Chapter, TocEntry
from reader_app.core.book_cache import BookCache
from reader_app.core.sections import page_label

TEXT = "First page text. Second page text. Third page."
PAGES = ((0, "vii"), (17, "viii"), (35, "1"))


def _book(pages: tuple[tuple[int, str], ...] = PAGES) -> Book:
    chapters = (
        Chapter("Preface", f"<p>{TEXT}</p>", TEXT, key="0", pages=pages),
        Chapter("Chapter 1", "<p>Later.</p>", "Later.", key="1", pages=((0, "2"),)),
    )
    toc = (TocEntry("Preface", 0), TocEntry("Chapter 1", 1))
    return Book("b" * 64, "/tmp/x.pdf", "X", (), "en", BookFormat.PDF, chapters, toc)


def test_a_place_falls_on_the_page_that_starts_at_or_before_it() -> None:
    assert page_label(PAGES, 0) == "vii"
    assert page_label(PAGES, 16) == "vii"
    assert page_label(PAGES, 17) == "viii"
    assert page_label(PAGES, 10_000) == "1"


def test_no_pages_and_a_place_before_the_first_page_have_no_label() -> None:
    assert page_label((), 5) == ""
    assert page_label(((10, "3"),), 2) == ""


def test_a_highlight_place_names_section_and_page_where_the_book_has_pages() -> None:
    book = _book()
    assert book.place_title(0, 20) == "Preface, p. viii"
    assert book.place_title(1, 0) == "Chapter 1, p. 2"
    assert book.section_title(0, 20) == "Preface"  # the prompt's chapter name stays plain
    assert book.chapters[0].page_at(40) == "1"


def test_a_book_without_pages_keeps_the_plain_section_title() -> None:
    book = _book(pages=())
    assert book.place_title(0, 20) == "Preface"


def test_pages_survive_the_parse_cache(tmp_path: Path) -> None:
    cache = BookCache(tmp_path)
    book = _book()
    cache.put(book, frozenset())
    hit = cache.get(book.book_id, Path(book.path))
    assert hit is not None
    assert hit[0].chapters[0].pages == PAGES
    assert hit[0].place_title(0, 36) == "Preface, p. 1"
