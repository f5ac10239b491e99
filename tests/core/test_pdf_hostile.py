"""A PDF of more pages than a book has is read up to the page limit, quickly.

The file is written by pdfium itself (pypdfium2's document-building calls): one page of
real text, imported 5,200 times.
"""

from __future__ import annotations

import ctypes
import time
from typing import TYPE_CHECKING

from reader_app.core.loaders import load_book
from reader_app.core.loaders.pdf import MAX_PAGES

if TYPE_CHECKING:
    from pathlib import Path


def _many_pages(path: Path, count: int) -> None:
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    one = pdfium.PdfDocument.new()
    page = one.new_page(300, 400)
    font = raw.FPDFText_LoadStandardFont(one.raw, b"Helvetica")
    for row, words in enumerate(["A line of text on a page,", "and the end of a sentence."]):
        text = raw.FPDFPageObj_CreateTextObj(one.raw, font, 12.0)
        raw.FPDFText_SetText(text, (ctypes.c_ushort * (len(words) + 1))(*map(ord, words), 0))
        raw.FPDFPageObj_Transform(text, 1, 0, 0, 1, 40, 300 - 16 * row)
        raw.FPDFPage_InsertObject(page.raw, text)
    raw.FPDFPage_GenerateContent(page.raw)
    page.close()
    many = pdfium.PdfDocument.new()
    while len(many) < count:
        many.import_pages(one, [0] * min(100, count - len(many)))
    many.save(path)


def test_a_pdf_past_the_page_limit_opens_its_first_pages_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "many.pdf"
    _many_pages(path, MAX_PAGES + 200)
    started = time.perf_counter()
    book = load_book(path)
    elapsed = time.perf_counter() - started
    assert elapsed < 10
    assert book.warnings == (
        f"This PDF has {MAX_PAGES + 200:,} pages; only the first {MAX_PAGES:,} are shown.",
    )
    text = "".join(chapter.text for chapter in book.chapters)
    assert text.count("and the end of a sentence.") == MAX_PAGES
    # One endless paragraph is cut at page starts: no chapter grows without bound.
    assert max(len(chapter.text) for chapter in book.chapters) < 150_000
    last = book.chapters[-1]
    assert last.pages[-1][1] == str(MAX_PAGES)
