"""FictionBook 2: real books in, chapters, contents, notes, metadata and pictures out."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from reader_app.core.book import Book, BookFormat
from reader_app.core.book_cache import BookCache
from reader_app.core.inspect import describe
from reader_app.core.loaders import is_supported_name, load_book
from tests.core.conftest import CORPUS

FB2 = Path(__file__).resolve().parents[1] / "data" / "fb2"
NOVEL = FB2 / "pride-and-prejudice_calibre.fb2"
NOVEL_BY_TOC = FB2 / "pride-and-prejudice_calibre-toc.fb2.zip"
NOVEL_EPUB = CORPUS / "pride-and-prejudice_pg1342_epub2.epub"
RUSSIAN = FB2 / "russian-library.fb2"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def toc_titles(book: Book) -> list[str]:
    return [entry.title for top in book.toc for _depth, entry in top.walk()]


def reading_words(book: Book) -> list[str]:
    text = " ".join(c.text for c in book.chapters if c.linear and c.title != "About this file")
    return text.split()


@pytest.fixture(scope="module")
def epub() -> Book:
    if not NOVEL_EPUB.is_file():
        pytest.fail("corpus book pride-and-prejudice_pg1342_epub2.epub not available")
    return load_book(NOVEL_EPUB)


# -- a novel, as calibre writes it --------------------------------------------------------


def test_novel_has_the_chapters_of_its_epub(epub: Book) -> None:
    book = load_book(NOVEL)
    assert book.format is BookFormat.FB2
    titles = [c.title for c in book.chapters]
    assert titles[1:62] == [f"Chapter {n}" for n in range(1, 62)]
    # calibre's default output has untitled sections: the chapters come from the bold
    # "Chapter N" lines, and the contents match the EPUB's but for the opening's name.
    assert toc_titles(book)[1:] == toc_titles(epub)[1:]
    assert book.chapters[1].text.startswith(
        "Chapter 1\nIt is a truth universally acknowledged, that a single man in possession"
    )


def test_novel_by_contents_matches_the_epub_exactly(epub: Book) -> None:
    book = load_book(NOVEL_BY_TOC)  # zipped, with one titled section per contents entry
    assert toc_titles(book) == toc_titles(epub)
    assert [c.title for c in book.chapters][:3] == ["PRIDE AND PREJUDICE", "Chapter 1", "Chapter 2"]
    for entry in book.toc[1:62]:
        assert book.chapters[entry.chapter].text[entry.offset :].startswith(entry.title)


def test_novel_text_is_the_epubs_word_for_word(epub: Book) -> None:
    book = load_book(NOVEL)
    assert reading_words(book) == reading_words(epub)
    linear = "\n".join(c.text for c in book.chapters if c.linear)
    assert "Project Gutenberg" not in linear  # the licence is in "About this file"
    assert book.chapters[-1].title == "About this file"
    for chapter in book.chapters:
        # calibre's runs of <empty-line/> are one blank line at most, never at the edges.
        assert not chapter.text.startswith("\xa0")
        assert not chapter.text.endswith("\xa0")
        assert "\xa0\n\xa0" not in chapter.text


def test_novel_metadata() -> None:
    book = load_book(NOVEL)
    assert (book.title, book.authors, book.language) == (
        "Pride and Prejudice",
        ("Jane Austen",),
        "en",
    )
    assert book.warnings == ()


# -- a Russian-library book -----------------------------------------------------------------


def test_windows_1251_reads_right() -> None:
    book = load_book(RUSSIAN)
    assert book.title == "Чудное мгновенье"
    assert book.authors == ("Александр Сергеевич Пушкин", "Составитель")
    assert book.language == "ru"
    text = "\n".join(c.text for c in book.chapters)
    assert "Я помню чудное мгновенье:\nПередо мной явилась ты," in text  # one stanza, its lines
    assert "Минувших дней очарованье.\nВ. Жуковский" in text  # epigraph and its author
    assert "Дорогой друг, пишу вам из деревни" in text  # cite
    assert "\ufffd" not in text
    assert book.warnings == ()


def test_koi8_and_zipped_utf8_read_the_same_as_windows_1251() -> None:
    expected = [c.text for c in load_book(RUSSIAN).chapters]
    assert [c.text for c in load_book(FB2 / "russian-library-koi8.fb2").chapters] == expected
    zipped = load_book(FB2 / "russian-library.fb2.zip")  # xlink: prefix, not l:
    assert [c.text for c in zipped.chapters] == expected
    assert zipped.format is BookFormat.FB2


def test_nested_sections_make_a_nested_contents() -> None:
    book = load_book(RUSSIAN)
    shape = [(e.title, [c.title for c in e.children]) for e in book.toc]
    assert shape == [
        ("Cover", []),
        ("Часть первая", ["Глава 1 Встреча", "Глава 2 Письмо"]),
        ("Часть вторая", ["Глава 3"]),
        ("Примечания", []),
    ]
    for _depth, entry in (pair for top in book.toc[1:3] for pair in top.walk()):
        assert book.chapters[entry.chapter].text[entry.offset :].startswith(entry.title.split()[0])


def test_epigraph_poem_and_cite_are_set_apart() -> None:
    chapter = load_book(RUSSIAN).chapters[1]
    assert re.search(r"<p[^>]*margin-left: 4em[^>]*><i>Минувших дней", chapter.html)  # epigraph
    assert 'class="lines"' in chapter.html  # the stanza is one block of lines
    assert "<b>тихое</b>" in chapter.html
    assert "<i>никто</i>" in chapter.html


def test_note_links_lead_to_the_notes() -> None:
    book = load_book(RUSSIAN)
    notes = book.chapters[-1]
    assert (notes.title, notes.linear) == ("Примечания", False)
    links = re.findall(r'href="book:(\d+)#([^"]+)"', "".join(c.html for c in book.chapters))
    assert ("4", "n1") in links
    assert ("4", "n2") in links
    for index, fragment in links:
        target = book.chapters[int(index)]
        assert fragment in target.anchors
    assert notes.text[notes.anchors["n1"] :].startswith("1\nУтро было действительно тихим.")
    assert notes.text[notes.anchors["n2"] :].startswith("2\nОбложка тетради была синей.")
    # A link to a section of the book and one out of it.
    first = book.chapters[1]
    assert first.text[first.anchors["ch1"] :].startswith("Глава 1")
    assert 'href="https://ru.wikisource.org/"' in book.chapters[3].html


def test_images_come_from_the_file_again() -> None:
    book = load_book(RUSSIAN)
    assert book.read_resource is not None
    assert 'src="res:cover.png"' in book.chapters[0].html
    assert 'src="res:picture.png"' in book.chapters[2].html
    cover = book.read_resource("cover.png")
    picture = book.read_resource("picture.png")  # typed application/octet-stream
    assert cover is not None
    assert cover.startswith(PNG_MAGIC)
    assert picture is not None
    assert picture.startswith(PNG_MAGIC)
    assert cover != picture
    assert book.read_resource("no-such.png") is None
    assert book.read_resource("../../etc/passwd") is None


def test_images_from_a_zipped_book_and_from_the_cache(tmp_path: Path) -> None:
    cache = BookCache(tmp_path / "cache")
    first = load_book(FB2 / "russian-library.fb2.zip", cache)
    again = load_book(FB2 / "russian-library.fb2.zip", cache)
    for book in (first, again):
        assert book.read_resource is not None
        data = book.read_resource("cover.png")
        assert data is not None
        assert data.startswith(PNG_MAGIC)
    assert [c.text for c in again.chapters] == [c.text for c in first.chapters]


def test_bad_base64_loses_only_its_picture() -> None:
    book = load_book(FB2 / "bad-base64.fb2")
    assert book.read_resource is not None
    assert book.read_resource("cover.png") is None
    picture = book.read_resource("picture.png")
    assert picture is not None
    assert picture.startswith(PNG_MAGIC)
    assert "Я помню чудное мгновенье" in "".join(c.text for c in book.chapters)


def test_a_book_without_the_namespace() -> None:
    book = load_book(FB2 / "no-namespace.fb2")
    assert [c.title for c in book.chapters] == ["One", "Two", "Three"]
    assert book.authors == ("Nobody",)
    assert book.read_resource is not None
    assert book.read_resource("dot.png") is not None


def test_a_declaration_that_lies_about_the_encoding(tmp_path: Path) -> None:
    data = RUSSIAN.read_bytes().replace(b'encoding="windows-1251"', b'encoding="utf-8"', 1)
    path = tmp_path / "liar.fb2"
    path.write_bytes(data)
    book = load_book(path)
    assert book.title == "Чудное мгновенье"
    assert any("windows-1251" in w or "cp1251" in w for w in book.warnings), book.warnings


# -- how a file is recognised -----------------------------------------------------------------


def test_fb2_is_told_by_its_bytes_and_its_zip(tmp_path: Path) -> None:
    misnamed = tmp_path / "book.txt"
    shutil.copy(RUSSIAN, misnamed)
    assert load_book(misnamed).format is BookFormat.FB2
    zipped = tmp_path / "download.zip"  # only an .fb2 inside, no EPUB mimetype
    shutil.copy(FB2 / "russian-library.fb2.zip", zipped)
    assert load_book(zipped).format is BookFormat.FB2
    epub_as_zip = tmp_path / "novel.zip"
    shutil.copy(NOVEL_EPUB, epub_as_zip)
    assert load_book(epub_as_zip).format is not BookFormat.FB2
    text = tmp_path / "about.txt"
    text.write_text("A note on the <FictionBook> format, in plain text.\n\nIt has words.")
    assert load_book(text).format is BookFormat.TEXT


def test_supported_names() -> None:
    assert is_supported_name("Война и мир.FB2")
    assert is_supported_name("book.fb2.zip")
    assert not is_supported_name("photos.zip")


def test_inspect_has_the_same_shape_as_for_epub(epub: Book) -> None:
    fb2 = describe(load_book(RUSSIAN))
    assert set(fb2) == set(describe(epub))
    assert fb2["format"] == BookFormat.FB2.value
    assert set(fb2["chapters"][0]) == set(describe(epub)["chapters"][0])
    assert set(fb2["toc"][1]) == {"title", "chapter", "offset", "children"}
