"""Open a PDF with a text layer as reflowed text.

The file is parsed by pdfium, through pypdfium2 (Apache-2.0/BSD, binary wheels with the
native library; PDFium is Chrome's PDF engine, kept up against hostile files). It was
weighed against pdfminer.six (pure Python, MIT) on the test PDFs, on this two-core machine,
the raw text of every page with each library's own text extraction, its words compared
in order with the source text the PDFs were made from:

=============================  =========  =========  ======================
PDF                            pdfium     pdfminer   words in source order
=============================  =========  =========  ======================
Pride and Prejudice, 372 pp.   0.24 s     6.3 s      99.45 % / 99.33 %
Frankenstein, two columns      0.03 s     0.84 s     99.97 % / 96.34 %
=============================  =========  =========  ======================

(Raw text, running heads and page numbers still in it; after this loader's layout work
the novel's chapters differ from the source in 25 of 121,778 words, 99.98 %.)
pdfminer is twenty-five times slower (a novel would take seconds to open, not a fraction
of one) and its layout analysis put some two-column text out of order; pdfium also gives
the outline, the page labels and the metadata, and refuses encrypted and broken files
with an error code that says which.

Each page's text comes out of pdfium in one call; the lines are found in it (pdfium ends
each line with CR LF, and a line ending in a hyphen with its U+FFFE marker), and only
each line's first and last characters are asked for their box and font size: a few
native calls per line instead of several per character. The layout work (running heads,
columns, paragraphs, hyphens) is pure Python in pdf_layout.py, and the chapters are cut
in pdf_chapters.py.
"""

from __future__ import annotations

import ctypes
import logging
import re
import threading
import time
from typing import TYPE_CHECKING, Any

from reader_app.core.book import BookFormat
from reader_app.core.errors import BookError
from reader_app.core.loaders.content import BookContent
from reader_app.core.loaders.limits import TextBudget
from reader_app.core.loaders.pdf_chapters import OutlineEntry, build_chapters
from reader_app.core.loaders.pdf_layout import (
    LINE_END_HYPHENS,
    Line,
    Page,
    join_lines,
    needs_normalising,
    normalise,
    paragraphs,
    remove_furniture,
    vocabulary,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

log = logging.getLogger(__name__)

# A PDF with more pages is read up to here: a book of 5,000 pages is four War and Peaces.
MAX_PAGES = 5_000
# Characters pdfium may report on one page; a real page holds a few thousand.
MAX_PAGE_CHARS = 200_000
# Outline entries read; far more than any contents list a reader scrolls through.
MAX_OUTLINE_ENTRIES = 10_000
MAX_OUTLINE_DEPTH = 6
# Reading stops after this long, keeping the pages read: a hostile file can make each
# page slow to parse, and the window waits for the book.
MAX_SECONDS = 20.0
# A longer PDF is first shown from this many pages, its first chapter on screen while the
# rest is read: all 372 pages of a novel take pdfium and the layout over a second.
PREVIEW_PAGES = 16

_PDFIUM = threading.Lock()

# pdfium's error codes (fpdfview.h).
_ERR_FILE = 2
_ERR_FORMAT = 3
_ERR_PASSWORD = 4
_ERR_SECURITY = 5
_PAGEOBJ_IMAGE = 3


def load_pdf(
    path: Path, data: bytes, preview: Callable[[BookContent], None] | None = None
) -> BookContent:
    """Parse a PDF into chapters of reflowed text.

    Args:
        path: the file, for its name in messages.
        data: its bytes.
        preview: called once, from this thread, with the book made from its first
            PREVIEW_PAGES pages when it has many more: something to show at once. Its
            last chapter may stop short; the book returned is the whole one.

    Raises:
        BookError: encrypted, damaged, scanned without a text layer, or no text at all.
    """
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    name = path.name
    # pdfium is not thread-safe, and books load on worker threads (opening one while the
    # library imports others): one PDF is parsed at a time.
    with _PDFIUM:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            raise BookError(_refusal(name, getattr(exc, "err_code", None))) from exc
        try:
            return _read(path, document, raw, preview)
        finally:
            document.close()


def _refusal(name: str, code: int | None) -> str:
    if code == _ERR_PASSWORD:
        return (
            f"“{name}” is a password-protected PDF; open it in a PDF viewer with its"
            " password, save a copy without protection, and open that."
        )
    if code == _ERR_SECURITY:
        return f"“{name}” is protected by a kind of PDF security Tone Reader cannot open."
    return (
        f"“{name}” is a damaged or incomplete PDF that could not be read; if it was"
        " downloaded, download it again."
    )


def _read(
    path: Path, document: Any, raw: Any, preview: Callable[[BookContent], None] | None
) -> BookContent:
    name = path.name
    notes: list[str] = []
    count = len(document)
    if count > MAX_PAGES:
        notes.append(f"This PDF has {count:,} pages; only the first {MAX_PAGES:,} are shown.")
        count = MAX_PAGES
    budget = TextBudget(name)
    pages: list[Page] = []
    scanned = 0
    broken = 0
    started = time.monotonic()
    for index in range(count):
        if time.monotonic() - started > MAX_SECONDS:
            notes.append(
                f"Reading this PDF took too long; only its first {index:,} pages are shown."
            )
            break
        page, has_images, ok = _page(document, raw, index)
        if not ok:
            broken += 1
        elif not page.lines and has_images:
            scanned += 1
        budget.spend(sum(len(line.text) for line in page.lines))
        pages.append(page)
        if preview is not None and len(pages) == PREVIEW_PAGES and count >= 2 * PREVIEW_PAGES:
            _send_preview(path, document, raw, pages, preview)
    if not any(page.lines for page in pages):
        if scanned:
            raise BookError(
                f"“{name}” is a scanned PDF with no text layer; run it through OCR (for"
                " example OCRmyPDF) and open the result."
            )
        if broken:
            raise BookError(_refusal(name, _ERR_FORMAT))
        raise BookError(f"“{name}” contains no readable text.")
    if scanned:
        total = f"{len(pages):,}"
        notes.append(
            f"1 page of {total} is a scanned image with no text layer, left out; run the PDF"
            " through OCR (for example OCRmyPDF) to read it."
            if scanned == 1
            else f"{scanned:,} pages of {total} are scanned images with no text layer, left"
            " out; run the PDF through OCR (for example OCRmyPDF) to read them."
        )
    if broken:
        which = "page of this PDF is" if broken == 1 else "pages of this PDF are"
        notes.append(f"{broken:,} {which} damaged and left out.")
    return _content(path, document, raw, pages, notes)


def _send_preview(
    path: Path,
    document: Any,
    raw: Any,
    pages: list[Page],
    preview: Callable[[BookContent], None],
) -> None:
    # Laid out from copies: the layout drops lines from its pages, and these pages are
    # laid out again with the rest of the book.
    copies = [Page(page.width, page.height, list(page.lines)) for page in pages]
    if not any(page.lines for page in copies):
        return
    try:
        preview(_content(path, document, raw, copies, []))
    except Exception:
        # Only a head start: the whole book still comes.
        log.exception("No preview of %s", path.name)


def _content(
    path: Path, document: Any, raw: Any, pages: list[Page], notes: list[str]
) -> BookContent:
    labels = [_page_label(document, index) for index in range(len(pages))]
    remove_furniture(pages)
    paras = paragraphs(pages)
    words, compounds = vocabulary(paras)
    for para in paras:
        join_lines(para, words, compounds)
    chapters, toc = build_chapters(paras, labels, _outline(document, pages), notes)
    meta = _metadata(document)
    authors = tuple(a.strip() for a in meta.get("Author", "").split(";") if a.strip())
    return BookContent(
        title=meta.get("Title", "").strip() or path.stem,
        authors=authors,
        language=_language(document, raw),
        format=BookFormat.PDF,
        chapters=chapters,
        toc=toc,
        warnings=notes,
    )


def _page(document: Any, raw: Any, index: int) -> tuple[Page, bool, bool]:
    """One page's lines, whether it holds images, and whether pdfium could read it."""
    handle = raw.FPDF_LoadPage(document.raw, index)
    if not handle:
        return Page(0.0, 0.0), False, False
    try:
        width = raw.FPDF_GetPageWidthF(handle)
        height = raw.FPDF_GetPageHeightF(handle)
        page = Page(width, height)
        text_page = raw.FPDFText_LoadPage(handle)
        if not text_page:
            return page, _has_images(raw, handle), False
        try:
            page.lines = _lines(raw, text_page, height)
        finally:
            raw.FPDFText_ClosePage(text_page)
        return page, not page.lines and _has_images(raw, handle), True
    finally:
        raw.FPDF_ClosePage(handle)


def _has_images(raw: Any, handle: Any) -> bool:
    objects = min(raw.FPDFPage_CountObjects(handle), 10_000)
    return any(
        raw.FPDFPageObj_GetType(raw.FPDFPage_GetObject(handle, i)) == _PAGEOBJ_IMAGE
        for i in range(objects)
    )


def _lines(raw: Any, text_page: Any, height: float) -> list[Line]:
    count = min(raw.FPDFText_CountChars(text_page), MAX_PAGE_CHARS)
    if count <= 0:
        return []
    # Room for every character as a surrogate pair: pdfium counts characters, UTF-16 units.
    buffer = (ctypes.c_ushort * (count * 2 + 1))()
    written = raw.FPDFText_GetText(text_page, 0, count, buffer)
    text = bytes(buffer)[: max(written - 1, 0) * 2].decode("utf-16-le", "replace")
    # Decoded, a surrogate pair is one character again, as in pdfium's count: positions in
    # ``text`` are pdfium's character indexes.
    clean = normalise if needs_normalising(text) else str
    lines: list[Line] = []
    box = raw.FS_RECTF()
    for match in _LINE.finditer(text):
        piece = match.group()
        stripped = piece.strip()
        if stripped:
            first = match.start() + (len(piece) - len(piece.lstrip()))
            last = match.start() + len(piece.rstrip()) - 1
            lines.append(_line(raw, text_page, box, clean(stripped), first, last, height))
    return lines


# A line as pdfium writes it: up to CR LF, or up to and with its line-end hyphen marker
# (pdfium joins a hyphenated line to the next one and marks the hyphen U+FFFE or U+0002).
_LINE = re.compile("[^\r\n\ufffe\x02]+[\ufffe\x02]?|[\ufffe\x02]")


def _line(
    raw: Any,
    text_page: Any,
    box: Any,
    text: str,
    first: int,
    last: int,
    height: float,
) -> Line:
    raw.FPDFText_GetLooseCharBox(text_page, first, box)
    x0, top, bottom = box.left, height - box.top, height - box.bottom
    size = raw.FPDFText_GetFontSize(text_page, first)
    if last != first:
        raw.FPDFText_GetLooseCharBox(text_page, last, box)
    x1 = box.right
    if text[-1:] in LINE_END_HYPHENS and text[-1:] != "-":
        text = text[:-1] + "\ufffe"  # one marker for the layout to join
    return Line(text, x0, max(x1, x0), top, max(bottom, top), size or 10.0)


def _page_label(document: Any, index: int) -> str:
    try:
        label = document.get_page_label(index)
    except Exception:
        return str(index + 1)
    return str(label).strip()[:20] or str(index + 1)


def _outline(document: Any, pages: list[Page]) -> list[OutlineEntry]:
    entries: list[OutlineEntry] = []
    try:
        for bookmark in document.get_toc(max_depth=MAX_OUTLINE_DEPTH):
            if len(entries) >= MAX_OUTLINE_ENTRIES:
                break
            dest = bookmark.get_dest()
            if dest is None:
                continue
            page = dest.get_index()
            if page is None or not 0 <= page < len(pages):
                continue
            top: float | None = None
            try:
                _mode, view = dest.get_view()
                if len(view) >= 2 and view[1]:
                    top = pages[page].height - float(view[1])
            except Exception:
                top = None
            entries.append(OutlineEntry(bookmark.get_title() or "", bookmark.level, page, top))
    except Exception:
        return []
    return entries


def _metadata(document: Any) -> dict[str, str]:
    try:
        return {k: str(v) for k, v in document.get_metadata_dict(skip_empty=True).items()}
    except Exception:
        return {}


def _language(document: Any, raw: Any) -> str:
    try:
        size = raw.FPDFCatalog_GetLanguage(document.raw, None, 0)
        if size <= 2 or size > 200:
            return ""
        buffer = (ctypes.c_ushort * (size // 2))()
        raw.FPDFCatalog_GetLanguage(document.raw, buffer, size)
        return bytes(buffer)[: size - 2].decode("utf-16-le", "replace").strip()
    except Exception:
        return ""
