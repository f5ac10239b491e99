"""Inputs the fuzzers found that once escaped as something other than the documented error."""

from __future__ import annotations

import io
import zipfile
from typing import TYPE_CHECKING

import pytest

from reader_app.core.errors import BookError
from reader_app.core.importers.clippings import parse_clippings, parse_date
from reader_app.core.loaders import load_book

if TYPE_CHECKING:
    from pathlib import Path

CONTAINER = (
    b'<?xml version="1.0"?><container version="1.0"'
    b' xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
    b'<rootfile full-path="p.opf" media-type="application/oebps-package+xml"/>'
    b"</rootfiles></container>"
)


def _epub_with_corrupt_deflate() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", b"application/epub+zip")
        archive.writestr("META-INF/container.xml", CONTAINER, zipfile.ZIP_DEFLATED)
    raw = bytearray(buffer.getvalue())
    name = b"META-INF/container.xml"
    # The first copy of the name is in the local header, whose fixed part is 30 bytes.
    data_at = raw.find(name) + len(name)
    # 0x07: final block with block type 3, which deflate reserves; zlib rejects it.
    raw[data_at] = 0x07
    return bytes(raw)


def test_corrupt_deflate_stream_in_epub_is_a_book_error(tmp_path: Path) -> None:
    # zipfile raised zlib.error, which is neither BadZipFile nor OSError.
    path = tmp_path / "corrupt.epub"
    path.write_bytes(_epub_with_corrupt_deflate())
    with pytest.raises(BookError, match="damaged"):
        load_book(path)


def test_clipping_date_with_a_huge_day_is_unreadable_not_a_crash() -> None:
    # datetime() raised OverflowError, not ValueError, for a day beyond a C long.
    assert parse_date("Added on Monday, 99999999999999999999 May 2014") is None
    report = parse_clippings(
        "Pride and Prejudice (Jane Austen)\n- Your Highlight on page 12 | on page 12 |"
        " Added on Monday, 99999999999999999999 May 2014\n\nIt is a truth."
    )
    assert len(report.clippings) == 1
