"""MOBI 6, AZW3 and combined Kindle books, made by calibre from the corpus's EPUBs.

tests/data/mobi/make_fixtures.sh records how each file was made.
"""

from __future__ import annotations

import re
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from reader_app.core.book import Book, BookFormat
from reader_app.core.errors import BookError, UnsafeBookError
from reader_app.core.loaders import SUPPORTED_SUFFIXES, load_book
from reader_app.core.loaders import mobi as mobi_loader
from reader_app.core.loaders.mobi_header import read_info, read_mobi_resource

DATA = Path(__file__).resolve().parents[1] / "data" / "mobi"
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
PRIDE_EPUB = CORPUS / "books" / "pride-and-prejudice_pg1342_epub2.epub"
CHILDRENS_EPUB = CORPUS / "epub-samples" / "idpf-childrens-literature.epub"


def _toc_titles(book: Book) -> list[str]:
    return [entry.title for top in book.toc for _depth, entry in top.walk()]


def _chapter(book: Book, title: str) -> str:
    return next(c.text for c in book.chapters if c.title == title)


@pytest.fixture(scope="module")
def pride_epub() -> Book:
    return load_book(PRIDE_EPUB)


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("pride-and-prejudice.mobi", BookFormat.MOBI), ("pride-and-prejudice.azw3", BookFormat.AZW3)],
)
def test_a_novel_has_the_epubs_chapters_metadata_and_clean_text(
    pride_epub: Book, name: str, fmt: BookFormat
) -> None:
    book = load_book(DATA / name)
    assert book.format is fmt
    assert (book.title, book.authors, book.language) == (
        "Pride and Prejudice",
        ("Jane Austen",),
        "en",
    )
    # The same contents as the EPUB it was made from, entry for entry.
    assert _toc_titles(book) == _toc_titles(pride_epub)
    assert len(_toc_titles(book)) == 63
    # Each contents entry opens its own chapter, at its start.
    chapter_1 = next(e for e in book.toc if e.title == "Chapter 1")
    assert chapter_1.offset == 0
    text = book.chapters[chapter_1.chapter].text
    assert text.startswith("Chapter 1\nIt is a truth universally acknowledged, that a single man")
    assert "Chapter 2" not in text
    assert _chapter(book, "Chapter 61").rstrip().endswith("uniting them.")
    every_text = "".join(c.text for c in book.chapters)
    every_html = "".join(c.html for c in book.chapters)
    for filler in ("filepos", "mbp:", "pagebreak", "<", "&amp;"):
        assert filler not in every_text
    assert "mbp:" not in every_html
    assert "filepos=" not in every_html
    # All of the novel is there: the EPUB's text, give or take spacing.
    words = len(every_text.split())
    assert abs(words - sum(len(c.text.split()) for c in pride_epub.chapters)) < 300
    # Project Gutenberg's header and licence are kept out of the reading, as for the EPUB.
    assert book.toc[-1].title == "About this file"
    assert "*** START OF" not in "".join(c.text for c in book.chapters if c.linear)


def test_links_inside_an_old_mobi_lead_to_the_chapter_they_name() -> None:
    book = load_book(DATA / "pride-and-prejudice.mobi")
    contents = next(c for c in book.chapters if "Chapter 1" in c.text and "Chapter 61" in c.text)
    target = int(re.findall(r'href="book:(\d+)', contents.html)[0])
    assert book.chapters[target].title == "Chapter 1"


def test_a_combined_file_is_read_from_its_kf8_part_with_its_images() -> None:
    book = load_book(DATA / "childrens-literature.mobi")
    assert book.format is BookFormat.AZW3
    assert book.title.startswith("Children's Literature")
    assert book.authors == ("Charles Madison Curry", "Erle Elsworth Clippinger")
    assert book.language == "en"
    # KF8 keeps the book's own documents; MOBI 6 would have one run of text.
    assert len(book.chapters) > 10
    assert "THE UGLY DUCKLING" in "".join(c.text for c in book.chapters)
    names = re.findall(r'src="res:([^"]+)"', "".join(c.html for c in book.chapters))
    assert names == ["OEBPS/Images/cover00107.jpeg"]
    image = book.read_resource(names[0]) if book.read_resource else None
    assert image is not None
    assert image.startswith(b"\xff\xd8\xff")
    assert len(image) > 10_000
    # Only the images the book refers to are read.
    assert book.read_resource is not None
    assert book.read_resource("OEBPS/Images/image00001.jpeg") is None


def test_a_combined_files_contents_keep_their_nesting() -> None:
    book = load_book(DATA / "childrens-literature.mobi")
    epub = load_book(CHILDRENS_EPUB)
    assert _toc_titles(book) == _toc_titles(epub)


def test_the_resource_reader_reads_only_image_records(tmp_path: Path) -> None:
    book = DATA / "childrens-literature.mobi"
    assert read_mobi_resource(book, "Images/cover00107.jpeg") is not None
    assert read_mobi_resource(book, "Images/image00000.jpeg") is None  # record 0: headers
    assert read_mobi_resource(book, "Images/image99999.jpeg") is None
    assert read_mobi_resource(book, "../../etc/passwd") is None
    assert read_mobi_resource(tmp_path / "gone.mobi", "Images/cover00107.jpeg") is None


def test_a_book_with_drm_is_refused_in_one_line() -> None:
    with pytest.raises(BookError) as caught:
        load_book(DATA / "minimal-drm.azw3")
    assert caught.value.message == (
        "“minimal-drm.azw3” is protected by DRM; Tone Reader can only open books without it."
    )


@pytest.mark.parametrize("field", [1, 2])
def test_either_encryption_type_counts_as_drm(tmp_path: Path, field: int) -> None:
    data = bytearray((DATA / "pride-and-prejudice.mobi").read_bytes())
    record0 = struct.unpack_from(">I", data, 78)[0]
    struct.pack_into(">H", data, record0 + 12, field)
    path = tmp_path / "bought.mobi"
    path.write_bytes(bytes(data))
    with pytest.raises(BookError, match="is protected by DRM"):
        load_book(path)


def test_a_truncated_book_is_refused_in_one_line() -> None:
    with pytest.raises(BookError) as caught:
        load_book(DATA / "pride-and-prejudice-truncated.azw3")
    assert caught.value.message == (
        "“pride-and-prejudice-truncated.azw3” is damaged: its records point outside the file."
    )


def test_a_book_whose_text_cannot_be_unpacked_is_refused_in_one_line(tmp_path: Path) -> None:
    data = bytearray((DATA / "minimal.azw3").read_bytes())
    offsets = [struct.unpack_from(">I", data, 78 + 8 * i)[0] for i in range(4)]
    # The headers stay valid; the first text record becomes noise.
    data[offsets[1] : offsets[2]] = bytes(range(256)) * ((offsets[2] - offsets[1]) // 256) + bytes(
        (offsets[2] - offsets[1]) % 256
    )
    path = tmp_path / "noise.azw3"
    path.write_bytes(bytes(data))
    with pytest.raises(BookError) as caught:
        load_book(path)
    assert "\n" not in caught.value.message
    assert caught.value.message.startswith("“noise.azw3”")


def test_a_mobi_name_without_a_mobi_inside_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "letter.mobi"
    path.write_text("Dear reader, this is plain text.", "utf-8")
    with pytest.raises(BookError) as caught:
        load_book(path)
    assert caught.value.message == "“letter.mobi” is not a MOBI or AZW3 book."


def test_a_mobi_is_known_by_its_bytes_whatever_its_name(tmp_path: Path) -> None:
    path = tmp_path / "download.bin"
    path.write_bytes((DATA / "minimal.mobi").read_bytes())
    book = load_book(path)
    assert book.format is BookFormat.MOBI
    assert "Loomings" in book.chapters[0].text
    assert {".mobi", ".azw3", ".azw", ".prc"} <= SUPPORTED_SUFFIXES


def test_the_unpacker_is_stopped_when_it_takes_too_long(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(mobi_loader, "BASE_SECONDS", 0.01)
    monkeypatch.setattr(mobi_loader, "SECONDS_PER_MB", 0.0)
    started = time.monotonic()
    with pytest.raises(UnsafeBookError, match="could not be unpacked in 0 seconds"):
        load_book(DATA / "pride-and-prejudice.azw3")
    assert time.monotonic() - started < 5


def test_the_unpackers_files_are_removed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    load_book(DATA / "childrens-literature.mobi")
    with pytest.raises(BookError):
        load_book(DATA / "pride-and-prejudice-truncated.azw3")
    assert list(tmp_path.iterdir()) == []


def test_headers_give_metadata_without_unpacking() -> None:
    info = read_info((DATA / "childrens-literature.mobi").read_bytes(), "c.mobi")
    assert info.kf8_record is not None
    assert info.kf8_record > 0
    assert read_info((DATA / "pride-and-prejudice.mobi").read_bytes(), "p.mobi").kf8_record is None
    assert read_info((DATA / "pride-and-prejudice.azw3").read_bytes(), "p.azw3").kf8_record == 0


def test_an_old_mobi_shows_its_images_and_right_to_left_text() -> None:
    book = load_book(DATA / "regime-anticancer-arabic.mobi")
    epub = load_book(CORPUS / "epub-samples" / "idpf-regime-anticancer-arabic.epub")
    assert book.format is BookFormat.MOBI
    assert book.language == "ar"
    # The cover and the title page are images alone, each its own chapter, as in the EPUB.
    assert [(e.title, e.chapter) for e in book.toc] == [(e.title, e.chapter) for e in epub.toc]
    text, epub_text = book.chapters[2].text, epub.chapters[2].text
    assert text[:300] == epub_text[:300]
    assert abs(len(text) - len(epub_text)) < len(epub_text) // 20  # calibre retouches a little
    names = re.findall(r'src="res:([^"]+)"', "".join(c.html for c in book.chapters))
    assert names == ["Images/cover00020.jpeg", "Images/image00022.jpeg"]
    assert book.read_resource is not None
    images = [book.read_resource(name) for name in names]
    assert [len(i or b"") for i in images] == [36_457, 81_907]  # the EPUB's own JPEGs
    assert all(i is not None and i.startswith(b"\xff\xd8\xff") for i in images)


@pytest.mark.parametrize(
    ("start", "message"),
    [
        (
            b"\xeaDRMION\xee",
            "“book.azw” is protected by DRM; Tone Reader can only open books without it.",
        ),
        (b"TPZ0", "“book.azw” is a Topaz book, a Kindle format Tone Reader cannot open."),
    ],
)
def test_other_kindle_formats_are_named(tmp_path: Path, start: bytes, message: str) -> None:
    path = tmp_path / "book.azw"
    path.write_bytes(start + bytes(200))
    with pytest.raises(BookError) as caught:
        load_book(path)
    assert caught.value.message == message


def test_a_header_claiming_too_much_text_is_refused_before_unpacking(tmp_path: Path) -> None:
    data = bytearray((DATA / "minimal.mobi").read_bytes())
    record0 = struct.unpack_from(">I", data, 78)[0]
    struct.pack_into(">I", data, record0 + 4, 0xFFFFFFFF)  # PalmDOC header: text length
    path = tmp_path / "huge.mobi"
    path.write_bytes(bytes(data))
    with pytest.raises(UnsafeBookError) as caught:
        load_book(path)
    assert caught.value.message == (
        "“huge.mobi” holds 4,095 MB of text, more than Tone Reader opens; it was not opened."
    )


def test_the_unpacker_is_imported_by_its_own_process_only() -> None:
    # Start-up stays light, and the unpacker's module state never lives in the app.
    code = (
        "import sys\nfrom reader_app.core.loaders import load_book\n"
        f"load_book({str(DATA / 'minimal.azw3')!r})\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('mobi', 'loguru')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
