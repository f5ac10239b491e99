"""Every real book in the corpus opens with the right structure and text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reader_app.core.book import Book, BookFormat
from reader_app.core.loaders import load_book
from reader_app.core.loaders.gutenberg import ABOUT_KEY

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
BOOKS = CORPUS / "books"
SAMPLES = CORPUS / "epub-samples"
RESOURCES = Path(__file__).resolve().parents[2] / "resources"

# file name → (format, chapter count, title, first author)
EXPECTED = {
    "die-verwandlung_pg22367_latin1_de.txt": (BookFormat.TEXT, 4, "Die Verwandlung", "Franz Kafka"),
    "frankenstein_pg84_ascii.txt": (BookFormat.TEXT, 28, "Frankenstein", "Mary Wollstonecraft (Godwin) Shelley"),
    "frankenstein_standardebooks_epub3.epub": (BookFormat.EPUB3, 38, "Frankenstein", "Mary Shelley"),
    "lyrical-ballads-1798_pg9622_latin1.html": (BookFormat.HTML, 26, "Lyrical Ballads 1798", "William Wordsworth"),
    "lyrical-ballads-1798_pg9622_latin1.txt": (BookFormat.TEXT, 25, "Lyrical Ballads 1798", "William Wordsworth"),
    "lyrical-ballads_standardebooks_epub3.epub": (BookFormat.EPUB3, 11, "Lyrical Ballads", "William Wordsworth"),
    "moby-dick_idpf_epub3.epub": (BookFormat.EPUB3, 144, "Moby-Dick", "Herman Melville"),
    "moby-dick_pg2701_utf8-bom.txt": (BookFormat.TEXT, 138, "Moby Dick; or The Whale", "Herman Melville"),
    "pride-and-prejudice_pg1342_epub2.epub": (BookFormat.EPUB2, 14, "Pride and Prejudice", "Jane Austen"),
    "pride-and-prejudice_pg1342_utf8-bom.txt": (BookFormat.TEXT, 61, "Pride and Prejudice", "Jane Austen"),
    "songs-of-innocence-and-of-experience_blake.md": (
        BookFormat.MARKDOWN, 47, "Songs of Innocence and of Experience", "William Blake"),
    "war-and-peace_pg2600_utf8-bom.txt": (BookFormat.TEXT, 366, "War and Peace", "Leo Tolstoy"),
}  # fmt: skip


def test_every_corpus_book_is_listed() -> None:
    assert sorted(p.name for p in BOOKS.iterdir()) == sorted(EXPECTED)


@pytest.fixture(scope="module")
def books() -> dict[str, Book]:
    return {name: load_book(BOOKS / name) for name in EXPECTED}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_book_opens_with_its_structure(books: dict[str, Book], name: str) -> None:
    fmt, chapters, title, author = EXPECTED[name]
    book = books[name]
    assert book.format is fmt
    # Project Gutenberg's wrapping is a chapter of its own, out of the reading.
    assert len([c for c in book.chapters if c.key != ABOUT_KEY]) == chapters
    assert book.title == title
    assert book.authors[0] == author
    assert all(c.text.strip() for c in book.chapters), "no empty chapters"
    assert len(book.book_id) == 64
    # Every TOC entry points inside its chapter.
    for _depth, entry in book.toc_entries():
        assert 0 <= entry.chapter < len(book.chapters)
        assert 0 <= entry.offset <= len(book.chapters[entry.chapter].text)


def test_gutenberg_header_and_licence_are_kept_out(books: dict[str, Book]) -> None:
    for name, book in books.items():
        if "_pg" not in name:
            continue
        text = "".join(c.text for c in book.chapters if c.linear)
        assert "START OF THIS PROJECT GUTENBERG" not in text, name
        assert "Project Gutenberg-tm" not in text, name
        # ... and kept in the last chapter, outside the reading order.
        assert book.chapters[-1].key == ABOUT_KEY, name
        assert "Project Gutenberg-tm" in book.chapters[-1].text, name


def test_kafka_latin1_umlauts(books: dict[str, Book]) -> None:
    book = books["die-verwandlung_pg22367_latin1_de.txt"]
    assert [c.title for c in book.chapters[1:] if c.linear] == ["I.", "II.", "III."]
    assert "Als Gregor Samsa eines Morgens aus unruhigen Träumen erwachte" in book.chapters[1].text
    assert "»Was ist mit mir geschehen?«" in book.chapters[1].text
    assert "\ufffd" not in "".join(c.text for c in book.chapters)


def test_lyrical_ballads_latin1_trap_byte(books: dict[str, Book]) -> None:
    # Only three non-ASCII bytes in 150 KB: a prefix guess would call it ASCII or UTF-8.
    text = "".join(c.text for c in books["lyrical-ballads-1798_pg9622_latin1.txt"].chapters)
    assert "\ufffd" not in text
    assert "é" in text


def test_war_and_peace_books_and_chapters(books: dict[str, Book]) -> None:
    book = books["war-and-peace_pg2600_utf8-bom.txt"]
    tops = [e.title for e in book.toc]
    assert tops[0] == "CONTENTS"
    assert tops[1] == "BOOK ONE: 1805"
    assert tops[15] == "BOOK FIFTEEN: 1812 - 13"
    assert tops[-3:] == ["FIRST EPILOGUE: 1813 - 20", "SECOND EPILOGUE", "About this file"]
    chapters = sum(len(e.children) for e in book.toc[1:])
    assert chapters == 365
    assert [c.title for c in book.toc[1].children[:3]] == ["CHAPTER I", "CHAPTER II", "CHAPTER III"]
    assert len(book.toc[1].children) == 28
    first = book.toc[1].children[0]
    assert (
        book.chapters[first.chapter]
        .text[first.offset :]
        .startswith("CHAPTER I\n“Well, Prince, so Genoa and Lucca")
    )
    # The contents list at the start is text, not 365 empty chapters.
    assert "CHAPTER XXVIII" in book.chapters[0].text


def test_moby_dick_epub_spine_and_navigation(books: dict[str, Book]) -> None:
    book = books["moby-dick_idpf_epub3.epub"]
    titles = [e.title for _d, e in book.toc_entries()]
    assert "Chapter 1. Loomings." in titles
    entry = next(e for _d, e in book.toc_entries() if e.title == "Chapter 1. Loomings.")
    assert "Call me Ishmael." in book.chapters[entry.chapter].text[:200]
    assert sum(1 for c in book.chapters if not c.linear) == 2


def test_pride_and_prejudice_epub2_ncx(books: dict[str, Book]) -> None:
    book = books["pride-and-prejudice_pg1342_epub2.epub"]
    entries = [e for _d, e in book.toc_entries()]
    assert len(entries) == 63
    assert entries[-1].title == "About this file"
    chapter_1 = next(e for e in entries if e.title == "Chapter 1")
    assert "It is a truth universally acknowledged" in book.chapters[chapter_1.chapter].text


def test_blake_markdown_sections(books: dict[str, Book]) -> None:
    book = books["songs-of-innocence-and-of-experience_blake.md"]
    source = (BOOKS / "songs-of-innocence-and-of-experience_blake.md").read_text("utf-8")
    assert len(book.chapters) == len(re.findall(r"^### ", source, re.MULTILINE))
    lamb = next(c for c in book.chapters if c.title == "THE LAMB")
    # Verse keeps its lines.
    assert "Little lamb, who made thee?\nDoes thou know who made thee," in lamb.text


def test_html_charset_from_meta(books: dict[str, Book]) -> None:
    book = books["lyrical-ballads-1798_pg9622_latin1.html"]
    text = "".join(c.text for c in book.chapters)
    assert "é" in text
    assert "\ufffd" not in text
    assert any(c.title.startswith("THE TABLES TURNED") for c in book.chapters)


def test_bundled_book_tables_turned_and_epitaph() -> None:
    book = load_book(RESOURCES / "lyrical-ballads_standardebooks_epub3.epub")
    entries = {e.title: e for _d, e in book.toc_entries()}
    tables = entries["The Tables Turned"]
    text = book.chapters[tables.chapter].text
    assert text[tables.offset :].startswith(
        "The Tables Turned\nAn Evening Scene on the Same Subject"
    )
    assert "We murder to dissect." in text[tables.offset : tables.offset + 1500]
    epitaph = entries["A Poet’s Epitaph"]
    text = book.chapters[epitaph.chapter].text
    assert text[epitaph.offset :].startswith("A Poet’s Epitaph")
    assert "One that would peep and botanize" in text[epitaph.offset : epitaph.offset + 2000]


SAMPLE_CHAPTERS = {
    "epubcheck-epub2-minimal-valid.epub": 1,
    "epubcheck-epub3-minimal-valid.epub": 1,
    "epubcheck-filename-utf8-valid.epub": 1,
    "idpf-childrens-literature.epub": 3,
    "idpf-cole-voyage-of-life.epub": 10,
    "idpf-georgia-cfi.epub": 2,
    "idpf-hefty-water.epub": 1,
    "idpf-mymedia_lite.epub": 7,
    "idpf-regime-anticancer-arabic.epub": 3,
    "idpf-trees.epub": 3,
    "idpf-wasteland-woff-obf.epub": 1,
    "idpf-wasteland.epub": 1,
}


def test_every_sample_is_listed() -> None:
    assert sorted(p.name for p in SAMPLES.glob("*.epub")) == sorted(SAMPLE_CHAPTERS)


@pytest.mark.parametrize("name", sorted(SAMPLE_CHAPTERS))
def test_epub_samples_open(name: str) -> None:
    book = load_book(SAMPLES / name)
    assert len(book.chapters) == SAMPLE_CHAPTERS[name]
    assert book.toc
    assert book.char_count > 0


def test_scripted_sample_has_no_script() -> None:
    book = load_book(SAMPLES / "idpf-trees.epub")
    for chapter in book.chapters:
        assert "<script" not in chapter.html.lower()
        assert "jquery" not in chapter.text.lower()


def test_wasteland_notes_are_internal_links() -> None:
    book = load_book(SAMPLES / "idpf-wasteland.epub")
    chapter = book.chapters[0]
    targets = re.findall(r'href="book:0#([^"]+)"', chapter.html)
    assert len(targets) >= 50
    assert all(t in chapter.anchors for t in targets)


def test_images_come_from_the_book_only() -> None:
    book = load_book(SAMPLES / "idpf-cole-voyage-of-life.epub")
    sources = re.findall(r'src="res:([^"]+)"', "".join(c.html for c in book.chapters))
    assert sources
    data = book.read_resource(sources[0])
    assert data is not None
    assert len(data) > 1000
    assert book.read_resource("META-INF/container.xml") is None
    assert book.read_resource("../../etc/passwd") is None


def test_japanese_and_arabic_text() -> None:
    ja = load_book(SAMPLES / "idpf-mymedia_lite.epub")
    assert ja.language == "ja"
    assert "ガリ版" in "".join(c.text for c in ja.chapters)
    ar = load_book(SAMPLES / "idpf-regime-anticancer-arabic.epub")
    assert ar.language == "ar"
    assert any("\u0600" <= ch <= "\u06ff" for ch in ar.chapters[2].text)
