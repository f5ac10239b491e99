"""The PalmDB container of MOBI and AZW3 books, read and checked before anything unpacks it.

A Kindle book is a Palm database: a 78-byte header, a list of record offsets, then the
records. Record 0 holds the PalmDOC header (compression, encryption), the MOBI header
(text encoding, version, first image record) and the EXTH metadata (authors, title,
language, and in a combined file the record where the KF8 part begins).

Everything here is a bounded walk over the bytes: the offsets must rise and stay inside
the file, so no record can be read out of bounds, and a damaged file is refused with one
line before the unpacker ever sees it. The same reading serves the view's images: an
image's name carries its record number, and the record is read again from the file.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reader_app.core.errors import BookError, UnsafeBookError
from reader_app.core.files import read_regular
from reader_app.core.loaders.limits import MAX_AUTHORS, one_line

if TYPE_CHECKING:
    from pathlib import Path

MOBI_MAGIC = b"BOOKMOBI"
_HEADER_BYTES = 78
# Real books have hundreds to a few thousand records (a 64 MB book of 4 KB text records
# and images stays under 20,000); the list itself is read in one go.
MAX_RECORDS = 65_535
# The book's text with its markup, unpacked (the header says how long it is). 24 million
# characters, Tone Reader's limit, are at most 96 MB of UTF-8, and markup rarely doubles it.
MAX_TEXT_BYTES = 256 * 1024 * 1024
# An image record for the view; Kindle images are at most a few MB.
MAX_IMAGE_BYTES = 16 * 1024 * 1024
_KF8_BOUNDARY = b"BOUNDARY"
# Other Kindle files sold as .azw: KFX in its DRM envelope, and the old Topaz format.
_KFX_DRM = b"\xeaDRMION\xee"
_TOPAZ = b"TPZ"
# EXTH record types (MobileRead wiki, "MOBI" page).
_EXTH_AUTHOR = 100
_EXTH_KF8_BOUNDARY = 121
_EXTH_TITLE = 503
_EXTH_LANGUAGE = 524
_MAX_EXTH_RECORDS = 1_000
# calibre writes this when the source book names no author.
_NO_AUTHOR = "Unknown"
_IMAGE_NAME = re.compile(r"(?:image|cover)(\d{5})\.(?:jpeg|jpg|png|gif|bmp)$")
_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"BM")


@dataclass(frozen=True, slots=True)
class MobiInfo:
    """What record 0 (and a KF8 part's record 0) say about the book.

    Attributes:
        kf8_record: the record holding the KF8 part's header: 0 for an AZW3, the record
            after the boundary in a combined file, None for an old MOBI 6 book.
        records: the number of records in the file.
    """

    title: str
    authors: tuple[str, ...]
    language: str
    kf8_record: int | None
    records: int

    @property
    def is_kf8(self) -> bool:
        """A KF8 book, alone or as the second part of a combined file."""
        return self.kf8_record is not None


def is_mobi(data: bytes) -> bool:
    """A Palm database of type BOOK and creator MOBI: a MOBI 6, AZW3 or combined book."""
    return data[60:68] == MOBI_MAGIC


def record_offsets(data: bytes, name: str) -> list[int]:
    """The start of every record and, last, the end of the file; BookError if inconsistent."""
    if data.startswith(_KFX_DRM):
        raise BookError(drm_message(name))
    if data.startswith(_TOPAZ):
        raise BookError(f"“{name}” is a Topaz book, a Kindle format Tone Reader cannot open.")
    if len(data) < _HEADER_BYTES or not is_mobi(data):
        raise BookError(f"“{name}” is not a MOBI or AZW3 book.")
    (count,) = struct.unpack_from(">H", data, 76)
    table_end = _HEADER_BYTES + 8 * count
    if count == 0 or count > MAX_RECORDS or table_end > len(data):
        raise BookError(f"“{name}” is damaged: its list of records is cut short.")
    offsets = [struct.unpack_from(">I", data, _HEADER_BYTES + 8 * i)[0] for i in range(count)]
    offsets.append(len(data))
    previous = table_end
    for offset in offsets:
        # Rising, inside the file: every record is a plain slice of the bytes.
        if offset < previous or offset > len(data):
            raise BookError(f"“{name}” is damaged: its records point outside the file.")
        previous = offset
    return offsets


def read_info(data: bytes, name: str) -> MobiInfo:
    """Check the book's headers and read its metadata.

    Raises:
        BookError: not a MOBI book, damaged headers, or protected by DRM.
    """
    offsets = record_offsets(data, name)
    record0 = _record(data, offsets, 0)
    _check_header(record0, name)
    meta = _exth(record0)
    kf8_record: int | None = None
    if _u32(record0, 36) == 8:
        kf8_record = 0  # the MOBI header's file version: KF8 from the first record
    else:
        boundary = _first_u32(meta, _EXTH_KF8_BOUNDARY)
        if boundary is not None and 0 < boundary < len(offsets) - 1:
            before = _record(data, offsets, boundary - 1)
            if before == _KF8_BOUNDARY:
                kf8_record = boundary
                _check_header(_record(data, offsets, boundary), name)
    codec = "utf-8" if _u32(record0, 28) == 65001 else "cp1252"
    title = _text(meta.get(_EXTH_TITLE, [b""])[0], codec) or _full_name(record0, codec)
    authors = tuple(
        dict.fromkeys(
            a
            for a in (_text(v, codec) for v in meta.get(_EXTH_AUTHOR, []))
            if a and a != _NO_AUTHOR
        )
    )[:MAX_AUTHORS]
    language = one_line(_text(meta.get(_EXTH_LANGUAGE, [b""])[0], codec), 35)
    return MobiInfo(title, authors, language, kf8_record, len(offsets) - 1)


def read_mobi_resource(path: Path, name: str) -> bytes | None:
    """Read one image again from the book, by the record number in its name; None if gone."""
    match = _IMAGE_NAME.search(name)
    if match is None:
        return None
    try:
        # The file may have been replaced since it was opened: its records are checked again.
        data = read_regular(path, 300 * 1024 * 1024, BookError, what="book")
        offsets = record_offsets(data, path.name)
    except (BookError, OSError):
        return None
    index = int(match.group(1))
    if index >= len(offsets) - 1:
        return None
    image = data[offsets[index] : offsets[index + 1]]
    if len(image) > MAX_IMAGE_BYTES or not image.startswith(_IMAGE_MAGIC):
        return None
    return image


def drm_message(name: str) -> str:
    """The one line for a book that is encrypted."""
    return f"“{name}” is protected by DRM; Tone Reader can only open books without it."


def _check_header(record0: bytes, name: str) -> None:
    if len(record0) < 16:
        raise BookError(f"“{name}” is damaged: its first record is cut short.")
    compression, _, length, _count, _size, encryption = struct.unpack_from(">HHIHHH", record0, 0)
    # PalmDOC header, offset 12: 0 none, 1 old Mobipocket, 2 Mobipocket (shop) encryption.
    if encryption != 0:
        raise BookError(drm_message(name))
    if compression not in (1, 2, 17480):
        raise BookError(f"“{name}” is damaged: its text uses an unknown compression.")
    if record0[16:20] != b"MOBI" or len(record0) < 16 + 0x74:
        raise BookError(f"“{name}” is damaged: its MOBI header is missing.")
    if length > MAX_TEXT_BYTES:
        raise UnsafeBookError(
            f"“{name}” holds {length >> 20:,} MB of text, more than Tone Reader opens;"
            " it was not opened."
        )


def _record(data: bytes, offsets: list[int], index: int) -> bytes:
    return data[offsets[index] : offsets[index + 1]]


def _u32(record: bytes, at: int) -> int:
    if at + 4 > len(record):
        return 0
    value: int = struct.unpack_from(">I", record, at)[0]
    return value


def _exth(record0: bytes) -> dict[int, list[bytes]]:
    """The EXTH records by type; empty when the header says there are none or they are cut."""
    found: dict[int, list[bytes]] = {}
    if not _u32(record0, 0x80) & 0x40:
        return found
    start = 16 + _u32(record0, 20)
    if record0[start : start + 4] != b"EXTH":
        return found
    count = min(_u32(record0, start + 8), _MAX_EXTH_RECORDS)
    at = start + 12
    for _ in range(count):
        kind, size = _u32(record0, at), _u32(record0, at + 4)
        if size < 8 or at + size > len(record0):
            break
        found.setdefault(kind, []).append(record0[at + 8 : at + size])
        at += size
    return found


def _first_u32(meta: dict[int, list[bytes]], kind: int) -> int | None:
    values = meta.get(kind)
    if not values or len(values[0]) != 4:
        return None
    return _u32(values[0], 0)


def _full_name(record0: bytes, codec: str) -> str:
    offset, length = _u32(record0, 0x54), _u32(record0, 0x58)
    return _text(record0[offset : offset + min(length, 4096)], codec)


def _text(raw: bytes, codec: str) -> str:
    return one_line(raw[:4096].decode(codec, errors="replace").replace("\x00", ""))
