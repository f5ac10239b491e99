"""Every limit on a book holds, with a one-line message, on hostile files built here.

Each test makes its hostile file in ``tmp_path`` at the size that matters (20,000 contents
entries, nesting 300 deep, 33 million characters) rather than trusting a fixture.
"""

from __future__ import annotations

import os
import time
import zipfile
from typing import TYPE_CHECKING

import pytest

from reader_app.cli.exit_codes import EXIT_OK
from reader_app.cli.inspect import cmd_inspect
from reader_app.core.book import Book, BookFormat, Chapter
from reader_app.core.book_cache import MAX_ENTRY_BYTES, MAX_ENTRY_CHARS, BookCache
from reader_app.core.errors import BookError, UnsafeBookError
from reader_app.core.inspect import describe, render_text
from reader_app.core.loaders import book_id_of, load_book
from reader_app.core.loaders.limits import (
    MAX_BOOK_CHARS,
    MAX_CHAPTERS,
    MAX_NESTING,
    MAX_TOC_ENTRIES,
)
from reader_app.core.loaders.xmlsafe import DEEP_NOTE
from tests.core.test_hostile_books import CONTAINER, xhtml

if TYPE_CHECKING:
    from pathlib import Path


def _one_line(exc: BookError) -> str:
    message = str(exc)
    assert "\n" not in message
    assert "Traceback" not in message
    return message


def build_epub(
    path: Path,
    chapters: list[tuple[str, bytes]],
    *,
    spine: list[str] | None = None,
    nav: bytes | None = None,
    manifest_extra: str = "",
    spine_extra: str = "",
    files: dict[str, bytes] | None = None,
) -> Path:
    """An EPUB 3 with the given chapters, spine order (by file name) and navigation."""
    ids = {name: f"c{i}" for i, (name, _) in enumerate(chapters)}
    items = "".join(
        f'<item id="{ids[name]}" href="{name}" media-type="application/xhtml+xml"/>'
        for name, _ in chapters
    )
    if nav is not None:
        items += (
            '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>'
        )
    order = spine if spine is not None else [name for name, _ in chapters]
    refs = "".join(f'<itemref idref="{ids[name]}"/>' for name in order)
    opf = f"""<?xml version="1.0"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">
<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Limits</dc:title>
<dc:identifier id="id">x</dc:identifier><dc:language>en</dc:language></metadata>
<manifest>{items}{manifest_extra}</manifest><spine>{refs}{spine_extra}</spine></package>""".encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/container.xml", CONTAINER)
        z.writestr("OEBPS/content.opf", opf)
        for name, data in chapters:
            z.writestr(f"OEBPS/{name}", data)
        if nav is not None:
            z.writestr("OEBPS/nav.xhtml", nav)
        for name, data in (files or {}).items():
            z.writestr(f"OEBPS/{name}", data)
    return path


# -- 1. regular files only ------------------------------------------------------------------


def test_a_fifo_named_as_a_book_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "book.epub"
    os.mkfifo(fifo)  # no writer: reading it would block for ever
    with pytest.raises(BookError) as info:
        load_book(fifo)
    assert "not a regular file" in _one_line(info.value)
    # The identity hash (export's "which book") does not read it either.
    with pytest.raises(BookError, match="not a regular file"):
        book_id_of(fifo)


@pytest.mark.parametrize("target", ["/dev/zero", "/proc/self/status"])
def test_devices_and_proc_files_are_refused(tmp_path: Path, target: str) -> None:
    link = tmp_path / "book.txt"
    link.symlink_to(target)
    with pytest.raises(BookError, match="not a regular file"):
        load_book(link)


def test_export_of_a_fifo_fails_with_one_line(tmp_path: Path) -> None:
    from reader_app.cli.export import cmd_export
    from reader_app.config.paths import AppPaths

    fifo = tmp_path / "book.epub"
    os.mkfifo(fifo)
    paths = AppPaths.for_profile(tmp_path / "profile")
    code = cmd_export([str(fifo), "--format", "md", "-o", str(tmp_path / "out.md")], paths)
    assert code == 2


# -- 2. contents, spine and manifest --------------------------------------------------------


def test_twenty_thousand_contents_entries_are_cut_and_the_book_reads(tmp_path: Path) -> None:
    body = "".join(f'<h2 id="s{n}">Section {n}</h2><p>Text {n}.</p>' for n in range(20_000))
    links = "".join(f'<li><a href="c.xhtml#s{n}">Section {n}</a></li>' for n in range(20_000))
    nav = xhtml(
        f'<nav xmlns:epub="http://www.idpf.org/2007/ops" epub:type="toc"><ol>{links}</ol></nav>'
    )
    path = build_epub(tmp_path / "toc.epub", [("c.xhtml", xhtml(body))], nav=nav)
    assert path.stat().st_size < 400_000
    book = load_book(path)
    entries = list(book.toc_entries())
    assert len(entries) == MAX_TOC_ENTRIES
    assert entries[-1][1].title == f"Section {MAX_TOC_ENTRIES - 1}"
    assert any("table of contents has more than 2,000 entries" in w for w in book.warnings)
    # All the text is there, not only the part the contents reach.
    assert "Text 19999." in book.chapters[0].text


def test_a_text_book_with_too_many_headings_is_shown_in_parts(tmp_path: Path) -> None:
    path = tmp_path / "headings.txt"
    path.write_text(
        "".join(
            f"\n\nCHAPTER {n}\n\nWords of chapter {n}, long enough to be a chapter of its own.\n"
            for n in range(MAX_CHAPTERS + 500)
        ),
        encoding="utf-8",
    )
    book = load_book(path)
    assert len(book.chapters) < MAX_CHAPTERS
    assert any("more than 5,000 headings" in w for w in book.warnings)
    joined = "\n".join(c.text for c in book.chapters)
    assert f"Words of chapter {MAX_CHAPTERS + 499}, long" in joined


def test_a_spine_longer_than_any_book_is_refused(tmp_path: Path) -> None:
    chapter = [("c.xhtml", xhtml("<p>x</p>"))]
    path = build_epub(tmp_path / "spine.epub", chapter, spine=["c.xhtml"] * (MAX_CHAPTERS + 1))
    with pytest.raises(UnsafeBookError) as info:
        load_book(path)
    assert "lists 5,001 chapters" in _one_line(info.value)


def test_a_manifest_of_a_million_entries_is_refused(tmp_path: Path) -> None:
    extra = '<item id="i" href="c.xhtml" media-type="application/xhtml+xml"/>' * 10_001
    path = build_epub(tmp_path / "m.epub", [("c.xhtml", xhtml("<p>x</p>"))], manifest_extra=extra)
    with pytest.raises(UnsafeBookError) as info:
        load_book(path)
    assert "lists 10,002 files" in _one_line(info.value)


# -- 3. nesting -------------------------------------------------------------------------------


def test_text_after_markup_nested_300_deep_is_kept(tmp_path: Path) -> None:
    deep = "<div>" * 300 + "deep words" + "</div>" * 300 + "<p>The text after it.</p>"
    path = build_epub(tmp_path / "deep.epub", [("c.xhtml", xhtml(deep))])
    book = load_book(path)
    text = book.chapters[0].text
    assert "deep words" in text
    assert text.endswith("The text after it.")
    assert DEEP_NOTE in book.warnings
    assert str(MAX_NESTING) in DEEP_NOTE


def test_an_html_file_nested_300_deep_keeps_its_text(tmp_path: Path) -> None:
    deep = "<span>" * 300 + "inner" + "</span>" * 300
    path = tmp_path / "deep.html"
    path.write_text(f"<html><body><p>{deep}</p><p>After.</p></body></html>", encoding="utf-8")
    book = load_book(path)
    assert book.chapters[0].text.split("\n") == ["inner", "After."]
    assert DEEP_NOTE in book.warnings


def test_a_tag_left_open_before_a_long_run_of_text_is_flattened_in_linear_time(
    tmp_path: Path,
) -> None:
    # A start tag that lost its ">" before 200,000 letters (an FB2 binary's base64, say)
    # once made the tag scan quadratic: minutes for one chapter. Now it is milliseconds;
    # the bound below is a thousand times that, and far below the quadratic time.
    deep = "<div>" * 300 + "deep words" + "</div>" * 300
    run = "<span" + "A" * 200_000 + "</span><p>The text after it.</p>"
    path = build_epub(tmp_path / "open.epub", [("c.xhtml", xhtml(deep + run))])
    start = time.perf_counter()
    book = load_book(path)
    assert time.perf_counter() - start < 5.0
    assert DEEP_NOTE in book.warnings
    assert "deep words" in book.chapters[0].text
    assert book.chapters[0].text.endswith("The text after it.")


def test_normal_books_are_not_flattened(tmp_path: Path) -> None:
    # Unclosed paragraphs are not nesting: a page of 1,000 of them is left alone.
    path = tmp_path / "flat.html"
    path.write_text("<html><body>" + "<p>para" * 1000 + "</body></html>", encoding="utf-8")
    book = load_book(path)
    assert DEEP_NOTE not in book.warnings
    assert book.chapters[0].text.count("para") == 1000


# -- 4. total text ----------------------------------------------------------------------------


def test_one_chapter_listed_again_and_again_is_refused(tmp_path: Path) -> None:
    # 1.2 million characters compress to a few kilobytes; listed 30 times they exceed the
    # book's limit, however small the file.
    words = "<p>" + "quite ordinary words " * 60_000 + "</p>"
    path = build_epub(tmp_path / "again.epub", [("c.xhtml", xhtml(words))], spine=["c.xhtml"] * 30)
    assert path.stat().st_size < 100_000
    with pytest.raises(UnsafeBookError) as info:
        load_book(path)
    assert f"more than {MAX_BOOK_CHARS // 1_000_000} million characters" in _one_line(info.value)


def test_a_text_file_over_the_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    with path.open("w", encoding="ascii") as handle:
        line = "a line of plain words that goes on\n"
        handle.write(line * (MAX_BOOK_CHARS // len(line) + 2))
    with pytest.raises(UnsafeBookError) as info:
        load_book(path)
    assert f"more than {MAX_BOOK_CHARS // 1_000_000} million characters" in _one_line(info.value)


def test_the_cache_does_not_write_huge_entries(tmp_path: Path) -> None:
    huge = "w" * (MAX_ENTRY_CHARS // 2 + 1)  # text and HTML together pass the limit
    book = Book("b" * 64, str(tmp_path / "x.txt"), "Huge", (), "", BookFormat.TEXT,
                (Chapter("Text", huge, huge),), ())  # fmt: skip
    cache = BookCache(tmp_path / "cache")
    cache.put(book, frozenset())
    assert not (tmp_path / "cache").exists() or not list((tmp_path / "cache").iterdir())


def test_the_cache_does_not_read_huge_entries(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    entry = folder / f"{'c' * 64}.json"
    with entry.open("wb") as handle:
        handle.truncate(MAX_ENTRY_BYTES + 1)  # sparse: no disk is used
    assert BookCache(folder).get("c" * 64, tmp_path / "x.txt") is None


# -- 5. long paragraphs -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "letters"),
    [
        ("para.txt", ("word " * 400_000).strip(), "word" * 400_000),
        ("run.txt", "x" * 2_000_000, "x" * 2_000_000),
        ("para.md", ("word " * 200_000).strip(), "word" * 200_000),  # under 1 MB: Markdown
        ("run.md", "y" * 1_000_000, "y" * 1_000_000),
        ("run.html", f"<html><body><pre>{'z' * 2_000_000}</pre></body></html>", "z" * 2_000_000),
    ],
)
def test_long_paragraphs_reach_the_view_in_pieces(
    tmp_path: Path, name: str, content: str, letters: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    book = load_book(path)
    lines = [line for c in book.chapters for line in c.text.split("\n")]
    assert max(len(line) for line in lines) <= 10_000
    assert all(len(c.text) <= 130_000 for c in book.chapters)
    # Only separators were added or replaced: every letter is there, in order.
    assert "".join(lines).replace(" ", "") == letters


def test_an_epub_paragraph_is_split_at_spaces_and_keeps_every_word(tmp_path: Path) -> None:
    words = [f"w{n}" for n in range(40_000)]
    path = build_epub(tmp_path / "p.epub", [("c.xhtml", xhtml("<p>" + " ".join(words) + "</p>"))])
    text = load_book(path).chapters[0].text
    assert max(len(line) for line in text.split("\n")) <= 10_000
    assert text.split() == words


# -- 7. binary files and charsets -------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [b"\0" * 100_000, b"\0" * 50_000 + b"CHAPTER I\n\nText.\n", bytes(range(32)) * 5000],
)
def test_binary_files_are_not_opened_as_text(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "zeros.txt"
    path.write_bytes(data)
    with pytest.raises(BookError) as info:
        load_book(path)
    assert "binary file, not text" in _one_line(info.value)


def test_utf16_without_a_byte_order_mark_still_opens(tmp_path: Path) -> None:
    path = tmp_path / "u16.txt"
    path.write_bytes("CHAPTER I\n\nThe café was quiet.\n".encode("utf-16-le") * 20)
    assert "The café was quiet." in load_book(path).chapters[0].text


@pytest.mark.parametrize(
    "charset", ["rot13", "zlib_codec", "base64", "hex", "undefined", "punycode", "no-such"]
)
def test_a_meta_charset_that_is_no_text_encoding_is_ignored(tmp_path: Path, charset: str) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(
        f'<html><head><meta charset="{charset}"><title>Page</title></head>'
        "<body><p>Caf\u00e9 society.</p></body></html>".encode()
    )
    assert load_book(path).chapters[0].text == "Caf\u00e9 society."


# -- 9. inspect ---------------------------------------------------------------------------------


def test_inspect_escapes_terminal_control_sequences(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "evil.txt"
    title = "Evil\x1b]0;owned\x07 \x1b[2J\u202eTitle"
    path.write_text(
        f"{title}\n\n\n\nCHAPTER I\x1b[31m\n\nSome text.\n\n\n\nCHAPTER II\n\nMore.\n",
        encoding="utf-8",
    )
    book = load_book(path)
    report = render_text(describe(book))
    assert "\x1b" not in report
    assert "\u202e" not in report
    assert "\x07" not in report
    assert "Evil\\x1b]0;owned\\x07 \\x1b[2J\\u202eTitle" in report
    assert cmd_inspect([str(path)]) == EXIT_OK
    printed = capsys.readouterr().out
    assert "\x1b" not in printed
    assert "CHAPTER I\\x1b[31m" in printed


def test_a_document_too_long_to_lay_out_becomes_parts_with_links_kept(tmp_path: Path) -> None:
    paragraphs = [
        f"<p>Paragraph {n} of a chapter far longer than any real one.</p>" for n in range(30_000)
    ]
    paragraphs[25_000] = '<p id="late">The place the link and the contents point at.</p>'
    nav = xhtml(
        '<nav xmlns:epub="http://www.idpf.org/2007/ops" epub:type="toc"><ol>'
        '<li><a href="a.xhtml">Start</a></li><li><a href="big.xhtml">Big</a></li>'
        '<li><a href="big.xhtml#late">Late</a></li><li><a href="z.xhtml">End</a></li></ol></nav>'
    )
    path = build_epub(
        tmp_path / "big.epub",
        [
            ("a.xhtml", xhtml('<p>See <a href="big.xhtml#late">the late place</a>.</p>')),
            ("big.xhtml", xhtml("".join(paragraphs))),
            ("z.xhtml", xhtml('<p>Back to <a href="a.xhtml">the start</a>.</p>')),
        ],
        nav=nav,
    )
    book = load_book(path)
    big = book.chapters[1:-1]
    assert len(big) > 1
    assert all(len(c.text) <= 130_000 for c in book.chapters)
    assert "\n".join(c.text for c in big).count("Paragraph") == 29_999
    target = next(i for i, c in enumerate(book.chapters) if "late" in c.anchors)
    assert target > 1
    late = book.chapters[target]
    offset = late.anchors["late"]
    assert late.text[offset:].startswith("The place the link")
    assert f'href="book:{target}#late"' in book.chapters[0].html
    last = len(book.chapters) - 1
    assert book.chapters[last].text == "Back to the start."
    assert 'href="book:0"' in book.chapters[last].html
    toc = {e.title: (e.chapter, e.offset) for _d, e in book.toc_entries()}
    assert toc == {"Start": (0, 0), "Big": (1, 0), "Late": (target, offset), "End": (last, 0)}


def test_a_markdown_file_too_large_for_the_parser_is_read_as_plain_text(tmp_path: Path) -> None:
    path = tmp_path / "big.md"
    paragraph = "Some *ordinary* paragraph with a [link](https://example.org/) in it.\n\n"
    count = 3 * 1024 * 1024 // len(paragraph)
    path.write_text("# Title\n\n" + paragraph * count, "utf-8")
    book = load_book(path)
    assert book.format.value == "Markdown"
    assert any("shown as plain text" in w for w in book.warnings)
    assert sum(c.text.count("ordinary") for c in book.chapters) == count


def test_names_from_inside_a_book_reach_messages_escaped(tmp_path: Path) -> None:
    name = "c\x1b]0;owned\x07.xhtml"
    path = tmp_path / "names.epub"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("META-INF/container.xml", CONTAINER)
        z.writestr(
            "OEBPS/content.opf",
            '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0">'
            '<manifest><item id="c" href="c%1B%5D0%3Bowned%07.xhtml"'
            ' media-type="application/xhtml+xml"/><item id="d" href="d.xhtml"'
            ' media-type="application/xhtml+xml"/></manifest>'
            '<spine><itemref idref="c"/><itemref idref="d"/></spine></package>',
        )
        z.writestr(f"OEBPS/{name}", b"<b>" * 500_001)
        z.writestr("OEBPS/d.xhtml", xhtml("<p>Readable.</p>"))
    with pytest.raises(UnsafeBookError) as info:
        load_book(path)
    message = _one_line(info.value)
    assert "holds more than 500,000 tags" in message
    assert "\x1b" not in message
    assert "\x07" not in message
    assert "c\\x1b]0;owned\\x07.xhtml" in message
