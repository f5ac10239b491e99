"""Open any supported file as a :class:`~reader_app.core.book.Book`.

``load_book`` is the one entry point. It reads the file once, identifies the book by the
SHA-256 of its bytes, picks a loader by content (not only by name), and turns every
expected failure into a :class:`BookError` with a one-line message.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reader_app.core.book import Book, BookFormat, Chapter, TocEntry
from reader_app.core.errors import BookError, UnsafeBookError
from reader_app.core.files import open_regular, read_regular
from reader_app.core.loaders.encoding import decode_html, decode_text
from reader_app.core.loaders.epub import load_epub, read_epub_resource
from reader_app.core.loaders.fb2 import load_fb2, read_fb2_resource
from reader_app.core.loaders.fb2_source import is_fb2
from reader_app.core.loaders.gutenberg import GutenbergSorter, header_fields, with_about
from reader_app.core.loaders.limits import (
    MAX_AUTHORS,
    MAX_BOOK_CHARS,
    MAX_CHAPTERS,
    MAX_TOC_ENTRIES,
    one_line,
    toc_note,
    too_much_text,
)
from reader_app.core.loaders.mobi_header import read_mobi_resource
from reader_app.core.loaders.plaintext import read_plain_text
from reader_app.core.loaders.sections import (
    cap_toc,
    choose_split_level,
    split_into_chapters,
)
from reader_app.core.loaders.xhtml import tree_to_blocks
from reader_app.core.loaders.xmlsafe import parse_html

if TYPE_CHECKING:
    from collections.abc import Callable

    from reader_app.core.book_cache import BookCache
    from reader_app.core.loaders.blocks import Block
    from reader_app.core.loaders.content import BookContent

MAX_BOOK_BYTES = 300 * 1024 * 1024  # an EPUB with its images
MAX_TEXT_BYTES = 64 * 1024 * 1024  # text, HTML and Markdown files
# The Markdown parser is pure Python: densely marked-up Markdown goes through it at about
# 0.25 MB a second on a busy two-core machine (2 MB took 8 s). A larger Markdown file is
# read as plain text (paragraphs, CHAPTER headings), many times faster, so it opens within
# seconds all the same. 1 MB holds a novel: Pride and Prejudice is 0.7 MB.
MAX_MARKDOWN_BYTES = 1024 * 1024

_HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".xht"})
_MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdown", ".mkd"})
# Kindle books (MOBI 6, AZW3 and the two combined), told apart by their headers.
_KINDLE_SUFFIXES = frozenset({".mobi", ".azw3", ".azw", ".prc"})
SUPPORTED_SUFFIXES = (
    frozenset({".epub", ".fb2", ".pdf", ".txt", ".text"})
    | _HTML_SUFFIXES
    | _MARKDOWN_SUFFIXES
    | _KINDLE_SUFFIXES
)
# Names whose last suffix alone says too little (".zip").
_SUPPORTED_DOUBLE_SUFFIXES = (".fb2.zip",)


def file_patterns() -> list[str]:
    """Shell patterns of every file name Tone Reader opens, for an Open dialog's filter."""
    suffixes = [*sorted(SUPPORTED_SUFFIXES), *_SUPPORTED_DOUBLE_SUFFIXES]
    return [f"*{suffix}" for suffix in suffixes]


def is_supported_name(name: str) -> bool:
    """Whether a file name has a suffix Tone Reader opens (``.fb2.zip`` included)."""
    lower = name.lower()
    return Path(lower).suffix in SUPPORTED_SUFFIXES or lower.endswith(_SUPPORTED_DOUBLE_SUFFIXES)


def load_book(
    path: Path | str,
    cache: BookCache | None = None,
    preview: Callable[[Book], None] | None = None,
) -> Book:
    """Read and parse a book file; raise BookError with a human message on any problem.

    With a cache, a book whose bytes were parsed before is taken from it instead.
    ``preview`` is given, from this thread, a first part of a book that is slow to parse
    (a long PDF) while the rest is read; not every book has one.
    """
    path = Path(path)
    data = _read(path)
    book_id = hashlib.sha256(data).hexdigest()
    if cache is not None:
        hit = cache.get(book_id, path)
        if hit is not None:
            return _with_resources(*hit)
    book, resources = _parse(path, book_id, data, preview)
    if cache is not None:
        cache.put(book, resources)
    return _with_resources(book, resources)


def book_id_of(path: Path) -> str:
    """A book file's identity (the SHA-256 of its bytes), read in blocks.

    Raises:
        BookError: not a regular file (a FIFO would block the hash for ever), or unreadable.
    """
    digest = hashlib.sha256()
    with os.fdopen(open_regular(path, BookError), "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


# Each container format reads its images again from the file when the view asks.
_RESOURCE_READERS: dict[BookFormat, Callable[[Path, str], bytes | None]] = {
    BookFormat.EPUB2: read_epub_resource,
    BookFormat.EPUB3: read_epub_resource,
    BookFormat.FB2: read_fb2_resource,
    BookFormat.MOBI: read_mobi_resource,
    BookFormat.AZW3: read_mobi_resource,
}


def _with_resources(book: Book, resources: frozenset[str]) -> Book:
    reader = _RESOURCE_READERS.get(book.format)
    if not resources or reader is None:
        return book
    path = Path(book.path)

    def read_resource(name: str) -> bytes | None:
        # Only images the book itself references, read again from the same file.
        return reader(path, name) if name in resources else None

    return dataclasses.replace(book, read_resource=read_resource)


def _parse(
    path: Path, book_id: str, data: bytes, preview: Callable[[Book], None] | None = None
) -> tuple[Book, frozenset[str]]:
    suffix = path.suffix.lower()
    try:
        # Container formats are told by their bytes first, their name second. A zipped FB2
        # starts like an EPUB: it is told apart by its name or by the one book inside.
        if suffix != ".epub" and is_fb2(path.name, data):
            return _content(path, book_id, load_fb2(path, data))
        if data[:4] == b"PK\x03\x04" or suffix == ".epub":
            return _content(path, book_id, load_epub(path, data))
        if data[60:68] == b"BOOKMOBI" or suffix in _KINDLE_SUFFIXES:
            # Imported here: only a Kindle book pays for the unpacker's module.
            from reader_app.core.loaders.mobi import load_mobi

            return _content(path, book_id, load_mobi(path, data))
        if data[:1024].find(b"%PDF-") != -1 or suffix == ".pdf":
            # Imported here: pdfium is not loaded at start-up, only with the first PDF.
            from reader_app.core.loaders.pdf import load_pdf

            first = None if preview is None else functools.partial(_first, path, book_id, preview)
            return _content(path, book_id, load_pdf(path, data, first))
        if len(data) > MAX_TEXT_BYTES:
            raise BookError(f"“{path.name}” is larger than 64 MB; it was not opened.")
        notes: list[str] = []
        if suffix in _HTML_SUFFIXES:
            book = _html(path, book_id, data, notes)
        elif suffix in _MARKDOWN_SUFFIXES:
            book = _markdown(path, book_id, data, notes)
        else:
            book = _text(path, book_id, data, notes)
        return book, frozenset()
    except RecursionError as exc:
        raise BookError(f"“{path.name}” is nested too deeply to display.") from exc
    except MemoryError as exc:
        raise BookError(f"“{path.name}” is too large to open.") from exc


def _read(path: Path) -> bytes:
    # Regular files only, read from the one descriptor that was checked: a FIFO, a device
    # or a /proc file named as a book would otherwise block or never end.
    data = read_regular(path, MAX_BOOK_BYTES, BookError, what="book")
    if not data:
        raise BookError(f"“{path.name}” is empty.")
    return data


def _decoded(path: Path, text: str) -> str:
    # Counted before any parsing: the cheapest place to refuse a book too long to show.
    if len(text) > MAX_BOOK_CHARS:
        raise UnsafeBookError(too_much_text(path.name))
    return text


def _finish(
    path: Path,
    book_id: str,
    title: str,
    authors: tuple[str, ...],
    language: str,
    fmt: BookFormat,
    chapters: list[Chapter],
    toc: list[TocEntry],
    warnings: list[str] | None = None,
    about: list[str] | None = None,
) -> Book:
    if not any(c.text.strip() for c in chapters):
        raise BookError(f"“{path.name}” contains no readable text.")
    notes = list(warnings or ())
    if sum(len(c.text) for c in chapters) > MAX_BOOK_CHARS:
        raise UnsafeBookError(too_much_text(path.name))
    if len(chapters) > MAX_CHAPTERS:  # the loaders keep below this; a last guard
        raise UnsafeBookError(
            f"“{path.name}” has more than {MAX_CHAPTERS:,} chapters; it was not opened."
        )
    toc, cut = cap_toc(toc, MAX_TOC_ENTRIES)
    if cut:
        notes.append(toc_note(MAX_TOC_ENTRIES))
    # Project Gutenberg's wrapping, out of the reading flow: after the limits, so that
    # a book at the chapter or contents limit still has it.
    chapters, toc = with_about(chapters, toc, about or [])
    return Book(
        book_id=book_id,
        path=str(path),
        title=one_line(title) or path.stem,
        authors=tuple(one_line(a) for a in authors[:MAX_AUTHORS]),
        language=language,
        format=fmt,
        chapters=tuple(chapters),
        toc=tuple(toc),
        # A broken book can repeat one complaint per chapter: say each thing once.
        warnings=tuple(dict.fromkeys(notes))[:20],
    )


def _first(path: Path, book_id: str, preview: Callable[[Book], None], content: BookContent) -> None:
    preview(_content(path, book_id, content)[0])


def _content(path: Path, book_id: str, content: BookContent) -> tuple[Book, frozenset[str]]:
    book = _finish(
        path,
        book_id,
        content.title,
        content.authors,
        content.language,
        content.format,
        content.chapters,
        content.toc,
        content.warnings,
        content.about,
    )
    return book, content.resources


def _text(
    path: Path, book_id: str, data: bytes, notes: list[str], fmt: BookFormat = BookFormat.TEXT
) -> Book:
    text = _decoded(path, decode_text(data, path.name)[0])
    parsed = read_plain_text(text, path.stem)
    del text
    chapters, toc = split_into_chapters(parsed.blocks, 2, opening_title="Opening", notes=notes)
    authors = (parsed.author,) if parsed.author else ()
    return _finish(
        path,
        book_id,
        parsed.title,
        authors,
        parsed.language,
        fmt,
        chapters,
        toc,
        notes,
        [parsed.about],
    )


def _html(path: Path, book_id: str, data: bytes, notes: list[str]) -> Book:
    # Markup is not text: an HTML file's own length says little; its chapters are counted.
    text = decode_html(data, path.name)
    root = parse_html(text, f"“{path.name}”", notes)
    title_el = root.find(".//title")
    title = " ".join("".join(title_el.itertext()).split()) if title_el is not None else ""
    wrapping = GutenbergSorter()
    blocks = wrapping.sort(tree_to_blocks(root, _same_page_link, _no_image))
    fields = header_fields(text)
    title = fields.get("title") or _clean_html_title(title) or path.stem
    authors = (fields["author"],) if "author" in fields else ()
    chapters, toc = split_into_chapters(blocks, choose_split_level(blocks), notes=notes)
    return _finish(
        path, book_id, title, authors, "", BookFormat.HTML, chapters, toc, notes, wrapping.about
    )


def _clean_html_title(title: str) -> str:
    return re.sub(r"^The Project Gutenberg e-?Book of\s*", "", title, flags=re.I).strip(" ,.")


def _same_page_link(href: str) -> str:
    # Links inside a single HTML file point at ids; the view resolves "#id" by itself.
    if href.startswith("#"):
        return href
    if re.match(r"^(https?|mailto|ftp):", href, re.IGNORECASE):
        return href
    return ""


def _no_image(_src: str) -> str | None:
    # A loose HTML file's images would be read from beside it on disk; they are not shown.
    return None


_MD_FIELD = re.compile(r"^(Title|Author|Year|Language):\s*(.+)$", re.IGNORECASE)


def _markdown(path: Path, book_id: str, data: bytes, notes: list[str]) -> Book:
    if len(data) > MAX_MARKDOWN_BYTES:
        notes.append(
            f"This Markdown file is larger than {MAX_MARKDOWN_BYTES >> 20} MB; it is shown"
            " as plain text, without its formatting."
        )
        return _text(path, book_id, data, notes, BookFormat.MARKDOWN)
    text = _decoded(path, decode_text(data, path.name)[0])
    rendered = _markdown_renderer().render(text.replace("\r\n", "\n").replace("\r", "\n"))
    del text
    root = parse_html(f"<html><body>{rendered}</body></html>", f"“{path.name}”", notes)
    wrapping = GutenbergSorter()
    blocks = wrapping.sort(tree_to_blocks(root, _same_page_link, _no_image))
    fields: dict[str, str] = {}
    kept: list[Block] = []
    for block in blocks:
        match = _MD_FIELD.match(block.plain().strip()) if block.heading_level else None
        if match and not kept:
            fields[match.group(1).lower()] = match.group(2).strip()
            continue
        kept.append(block)
    first_heading = next((b.plain() for b in kept if b.heading_level == 1), "")
    title = fields.get("title") or first_heading or path.stem
    authors = (fields["author"],) if "author" in fields else ()
    chapters, toc = split_into_chapters(kept, choose_split_level(kept), notes=notes)
    return _finish(
        path,
        book_id,
        title,
        authors,
        fields.get("language", ""),
        BookFormat.MARKDOWN,
        chapters,
        toc,
        notes,
        wrapping.about,
    )


@functools.cache
def _markdown_renderer() -> Any:
    from markdown_it import MarkdownIt

    # Raw HTML is allowed through because the sanitiser downstream drops what is unsafe;
    # "breaks" keeps verse lines, which Markdown books write as plain lines.
    return MarkdownIt("commonmark", {"html": True, "breaks": True, "linkify": False})
