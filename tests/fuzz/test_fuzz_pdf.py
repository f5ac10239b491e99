"""Fuzz the PDF loader: every input opens or gives a BookError, in time and memory.

Seeds are the PDF test files (made from the corpus, see tests/data/pdf): one two-column
page as written and with its streams uncompressed (so that edits reach the text operators,
fonts and coordinates), the scanned page and the truncated file. pdfium parses them in
native code; the loader's own work (lines, layout, chapters) runs on whatever it returns.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reader_app.core.errors import BookError
from reader_app.core.loaders import load_book
from tests.fuzz.harness import assert_rss_bounded, run_bounded
from tests.fuzz.mutations import Seeds, mutated
from tests.fuzz.test_fuzz_loaders import fuzz_settings

if TYPE_CHECKING:
    from collections.abc import Iterator

PDF = Path(__file__).resolve().parents[1] / "data" / "pdf"

PDF_SEEDS = Seeds(
    (PDF / name).read_bytes()
    for name in ("fuzz-seed-page.pdf", "fuzz-seed-page-qdf.pdf", "scanned.pdf", "truncated.pdf")
)
# Pieces of PDF syntax spliced into the uncompressed page: text operators with odd
# numbers, broken objects and cross-references, nesting and huge counts.
PDF_PIECES = st.sampled_from(
    [
        b"BT /F1 1000 Tf 0 0 Td (x) Tj ET\n",
        b"BT /F1 -0.0001 Tf 1e30 -1e30 Td (\xff\xfe\x00\x02) Tj ET\n",
        b"BT /F1 12 Tf 0 1 -1 0 300 300 Tm (rotated) Tj ET\n",
        b"[(a) -9999999 (b)] TJ\n",
        b"q " * 200 + b"\n",
        b"<< /Type /Pages /Count 99999999 /Kids [3 0 R 3 0 R] >>",
        b"/Length 999999999",
        b"endstream endobj",
        b"xref\n0 1\n0000000000 65535 f \n",
        b"trailer << /Root 1 0 R /Size 1 >>",
        b"/PageLabels << /Nums [0 << /S /r /St -5 >>] >>",
        b"/Outlines << /First 1 0 R /Last 1 0 R /Count -1 >>",
        b"/Dest [99 0 R /XYZ null 1e309 0]",
        b"\xef\xac\x81\xc2\xad\xef\xbf\xbe",
        b"%PDF-1.7\n",
        b"%%EOF",
    ]
)


@st.composite
def spliced(draw: st.DrawFn) -> bytes:
    """The uncompressed page with pieces of PDF syntax put in at random places."""
    data = bytearray(PDF_SEEDS[1])
    for _ in range(draw(st.integers(1, 4))):
        pos = draw(st.integers(0, len(data)))
        data[pos:pos] = draw(PDF_PIECES)
    return bytes(data)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield tmp_path_factory.mktemp("fuzz-pdf")
    assert_rss_bounded()


def _load(target: str, workdir: Path, data: bytes) -> None:
    path = workdir / "book.pdf"
    path.write_bytes(data)
    book = run_bounded(target, lambda: load_book(path), (BookError,), data, ".pdf")
    if book is not None:
        assert any(chapter.text.strip() for chapter in book.chapters)
        for chapter in book.chapters:
            offsets = [offset for offset, _ in chapter.pages]
            assert offsets == sorted(offsets)
            assert all(0 <= offset <= len(chapter.text) for offset in offsets)


@fuzz_settings(400)
@given(data=mutated(PDF_SEEDS, max_edits=3))
def test_pdf_bytes(workdir: Path, data: bytes) -> None:
    _load("pdf", workdir, data)


@fuzz_settings(300)
@given(data=spliced())
def test_pdf_syntax(workdir: Path, data: bytes) -> None:
    _load("pdf-syntax", workdir, data)
