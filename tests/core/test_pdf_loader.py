"""PDF books open as reflowed text: chapters, clean text, page labels, clear refusals.

The fixtures in tests/data/pdf are made from the corpus texts by make_fixtures.sh (pdfTeX,
calibre, qpdf, img2pdf); the source texts are the ground truth the PDFs are checked against.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reader_app.core.book import Book, BookFormat
from reader_app.core.errors import BookError
from reader_app.core.loaders import SUPPORTED_SUFFIXES, load_book
from tests.conftest import BOOKS

DATA = Path(__file__).resolve().parents[1] / "data" / "pdf"


@pytest.fixture(scope="module")
def novel() -> Book:
    return load_book(DATA / "pride-and-prejudice.pdf")


def _source_chapters(name: str, heading: str) -> dict[str, str]:
    """The corpus text's chapters by title, its ``_italics_`` marks and quotes made plain."""
    text = (BOOKS / name).read_text("utf-8-sig").replace("\r\n", "\n")
    body = text.split("***", 2)[2].split("*** END OF", 1)[0]
    parts = re.split(rf"\n({heading} \d+)\n", body)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts), 2)}


def _words(text: str) -> list[str]:
    text = re.sub(r"_([^_]+)_", r"\1", text).replace("'", "’")
    return re.findall(r"[^\W\d_]+", text.lower())


def _same_words(source: str, shown: str) -> float:
    """The share of the source's words found, in order, in the text shown."""
    import difflib

    a, b = _words(source), _words(shown)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / max(len(a), 1)


def test_pdf_is_a_supported_suffix() -> None:
    assert ".pdf" in SUPPORTED_SUFFIXES


def test_novel_metadata_and_chapters_match_the_source(novel: Book) -> None:
    assert novel.format is BookFormat.PDF
    assert novel.title == "Pride and Prejudice"
    assert novel.authors == ("Jane Austen",)
    assert novel.language == "en"
    source = _source_chapters("pride-and-prejudice_pg1342_utf8-bom.txt", "Chapter")
    titles = [chapter.title for chapter in novel.chapters]
    # The title pages before the first bookmark open the book; then the 61 chapters.
    assert titles == ["Opening", *source]
    assert [entry.title for entry in novel.toc][1:] == list(source)
    assert novel.warnings == ()


def test_novel_text_is_the_source_text(novel: Book) -> None:
    source = _source_chapters("pride-and-prejudice_pg1342_utf8-bom.txt", "Chapter")
    for chapter in novel.chapters[1:]:
        # Running heads, page numbers, split words or shuffled lines would all show here.
        assert _same_words(source[chapter.title], chapter.text) > 0.995, chapter.title


def test_no_running_heads_or_page_numbers_in_the_reading_text(novel: Book) -> None:
    for chapter in novel.chapters[1:]:
        paragraphs = chapter.text.split("\n")
        assert paragraphs[0] == chapter.title  # the heading, as a heading block
        # The book's title is the running head of every even page; the text has it only
        # in Project Gutenberg's closing line.
        body = chapter.text.replace("EBook of Pride and Prejudice", "")
        assert "Pride and Prejudice" not in body
        assert not [p for p in paragraphs if re.fullmatch(r"[\divxlc ]+", p)]
        # A running head is "Chapter N" with the page number: never inside the text.
        assert not re.search(r"Chapter \d+", chapter.text[len(chapter.title) :])
    assert "<h" not in novel.chapters[1].html  # headings are drawn as styled paragraphs
    assert "font-size: 1.6em" in novel.chapters[1].html


def test_words_broken_at_line_ends_are_joined_and_compounds_keep_their_hyphen(
    novel: Book,
) -> None:
    text = "\n".join(chapter.text for chapter in novel.chapters)
    # Each of these is broken across two lines in the PDF (see make_fixtures.sh).
    for word in ("possession", "Netherfield", "establishment", "wonderfully", "raptures"):
        assert word in text
    for broken in ("posses-sion", "Nether-field", "establish-ment", "won-derfully"):
        assert broken not in text
    assert not re.search("[\ufffe\x02\xad]", text)
    # Compounds printed with their hyphen at a line end: the joined form is not a word of
    # the book, their parts are.
    for compound in ("great-uncle", "ill-natured", "dining-room", "breakfast-room"):
        assert compound in text
    for joined in ("greatuncle", "illnatured", "diningroom", "breakfastroom", "tomorrow"):
        assert joined not in text.lower()


def test_page_labels_follow_the_printed_pages(novel: Book) -> None:
    first = novel.chapters[1]
    assert first.pages[0] == (0, "1")
    assert first.page_at(first.text.index("It is a truth universally")) == "1"
    # The front matter is numbered i, ii by the PDF's page labels.
    assert novel.chapters[0].pages[0][1] == "i"
    chapter = next(c for c in novel.chapters if c.title == "Chapter 28")
    assert chapter.pages[0][1] == "149"
    chapter = next(c for c in novel.chapters if c.title == "Chapter 19")
    assert chapter.pages[0][1] == "100"
    # A page that begins inside a paragraph: its first words are where its label starts.
    chapter = next(c for c in novel.chapters if "great while since she had been" in c.text)
    place = chapter.text.index("notice of some little alteration in it")
    assert chapter.page_at(place) == "300"
    assert chapter.page_at(place - 2) == "299"
    for chapter in novel.chapters:
        offsets = [offset for offset, _ in chapter.pages]
        assert offsets == sorted(offsets)
        assert all(0 <= offset < len(chapter.text) for offset in offsets)


def test_two_columns_are_read_in_column_order() -> None:
    book = load_book(DATA / "frankenstein-twocolumn.pdf")
    source = _source_chapters("frankenstein_pg84_ascii.txt", "(?:Letter|Chapter)")
    assert [c.title for c in book.chapters] == list(source)[:8]
    for chapter in book.chapters:
        assert _same_words(source[chapter.title], chapter.text) > 0.995, chapter.title
    # On page 2 the left column ends with "in the midst of national and", and the right
    # column goes on "professional prejudices".
    assert "in the midst of national and professional prejudices" in book.chapters[1].text
    assert "his well-known integrity" in book.chapters[1].text


def test_without_an_outline_chapters_come_from_heading_sizes() -> None:
    book = load_book(DATA / "frankenstein-headings.pdf")
    assert [c.title for c in book.chapters] == [
        "Letter 1",
        "Letter 2",
        "Letter 3",
        "Letter 4",
        "Chapter 1",
        "Chapter 2",
    ]
    assert book.title == "Frankenstein"
    assert all(c.pages and c.pages[0][0] == 0 for c in book.chapters)
    assert not re.search(r"\n\d+\n", "\n".join(c.text for c in book.chapters))


def test_another_producer_calibre_headers_and_footers_are_dropped() -> None:
    book = load_book(DATA / "frankenstein-calibre.pdf")
    titles = [c.title for c in book.chapters]
    assert titles[-6:] == [
        "Letter I",
        "Letter II",
        "Letter III",
        "Letter IV",
        "Chapter I",
        "Chapter II",
    ]
    text = "\n".join(c.text for c in book.chapters)
    # calibre's running header is the book's title line on every page.
    assert text.count("Frankenstein: Or, the Modern Prometheus") <= 1
    assert not [p for p in text.split("\n") if p.strip().isdigit()]
    letter = next(c for c in book.chapters if c.title == "Letter I")
    source = _source_chapters("frankenstein_pg84_ascii.txt", "Letter")["Letter 1"]
    assert _same_words(source, letter.text) > 0.99


def test_with_neither_outline_nor_headings_pages_are_grouped() -> None:
    book = load_book(DATA / "pride-and-prejudice-plain.pdf")
    assert [c.title for c in book.chapters] == ["Pages 1–20", "Pages 21–36"]
    assert book.chapters[0].pages[0] == (0, "1")
    assert book.chapters[1].pages[0] == (0, "21")
    assert book.title == "pride-and-prejudice-plain"  # no metadata: the file's name


def test_a_partly_scanned_pdf_opens_with_a_warning() -> None:
    book = load_book(DATA / "partly-scanned.pdf")
    assert len(book.warnings) == 1
    assert "1 page of 37 is a scanned image with no text layer" in book.warnings[0]
    assert "OCR" in book.warnings[0]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "scanned.pdf",
            "“scanned.pdf” is a scanned PDF with no text layer; run it through OCR (for"
            " example OCRmyPDF) and open the result.",
        ),
        ("encrypted.pdf", "“encrypted.pdf” is a password-protected PDF;"),
        ("truncated.pdf", "“truncated.pdf” is a damaged or incomplete PDF"),
    ],
)
def test_unreadable_pdfs_give_one_clear_line(name: str, expected: str) -> None:
    with pytest.raises(BookError) as caught:
        load_book(DATA / name)
    message = str(caught.value)
    assert message.startswith(expected)
    assert "\n" not in message
    assert caught.value.__cause__ is None or "Traceback" not in message


def test_a_pdf_is_told_by_its_bytes_whatever_its_name(tmp_path: Path) -> None:
    renamed = tmp_path / "book.txt"
    renamed.write_bytes((DATA / "frankenstein-headings.pdf").read_bytes())
    assert load_book(renamed).format is BookFormat.PDF
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.7\n" + b"\x00" * 500)
    with pytest.raises(BookError, match="damaged or incomplete PDF"):
        load_book(junk)


def test_list_items_hang_together_and_the_text_after_them_stands_apart() -> None:
    # Made by make_lists_pdf.py with Qt: ragged-right lines, and each item's lines hang
    # under its text, indented as far as a paragraph's first line is.
    from tests.data.pdf.make_lists_pdf import AFTER, BULLETS, NUMBERED, PREAMBLE

    book = load_book(DATA / "lists.pdf")
    paragraphs = book.chapters[0].text.split("\n")
    assert paragraphs == [
        "Lists",
        "The reader meets three kinds of lines in a handout like this one:",
        *BULLETS,
        AFTER,
        "Two steps for a hard passage:",
        *NUMBERED,
        "0. PREAMBLE",  # a short line: what follows, indented, is a paragraph of its own
        PREAMBLE,
    ]
