"""The raw side of FictionBook files: telling them apart, unzipping, decoding, binaries.

An FB2 file is one XML document that carries its images inline as base64 ``<binary>``
elements, often megabytes of them. They are cut out of the document before it is parsed
(libxml2 refuses a text node over 10 MB, and the tree need not hold them), and only their
ids and types are kept; the view's resource reader finds one again by its id and
decodes that one alone.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import html
import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reader_app.core.errors import BookError
from reader_app.core.files import open_regular
from reader_app.core.loaders.encoding import decode_text
from reader_app.core.loaders.epub import SVG_NOTE
from reader_app.core.loaders.limits import MAX_SVG_BYTES
from reader_app.core.loaders.safezip import SafeZip
from reader_app.core.loaders.svg import svg_is_safe

if TYPE_CHECKING:
    from pathlib import Path

# A plain FB2 file is XML text; 64 MB holds the longest novels with their pictures.
MAX_FB2_BYTES = 64 * 1024 * 1024
MAX_IMAGE_BYTES = 32 * 1024 * 1024  # one decoded image, as for EPUB
_SNIFF_BYTES = 4096
# The root element, after the declaration, comments and a document type, if any.
_ROOT = re.compile(
    r"\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*|<!DOCTYPE[^>]*>\s*)*<(?:[\w.-]+:)?FictionBook[\s>/]",
    re.DOTALL,
)
_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_DECLARED_ENCODING = re.compile(
    rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']"""
)
_BINARY_START = re.compile(r"<((?:[\w.-]+:)?)binary(\s[^<>]*)?>")
_ATTRIBUTE = re.compile(r"""([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_CHAR_REF = re.compile(r"&#([xX][0-9A-Fa-f]{1,12}|[0-9]{1,12});")
_BASE64_JUNK = re.compile(rb"[^A-Za-z0-9+/=]")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# The first bytes of the image formats the view draws, for binaries typed vaguely
# ("application/octet-stream" is common in files made by hand).
_MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF8", "image/gif"),
    (b"RIFF", "image/webp"),
)
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "image/svg+xml"})
# Resource names travel in "res:" URLs: an id with other characters is carried in hex.
_PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")
_HEX_PREFIX = "x-"


@dataclass(frozen=True, slots=True)
class Binary:
    """One ``<binary>`` element as found in the document, without its data."""

    id: str
    content_type: str
    start: int  # where its base64 text starts in the decoded document
    end: int


@dataclass(frozen=True, slots=True)
class Fb2Source:
    """The document text with its binaries cut out, and where they were."""

    xml: bytes  # UTF-8, without an encoding declaration, binaries emptied
    images: dict[str, str]  # binary id -> image type, for the binaries the view may draw
    encoding: str
    warnings: list[str]


def is_fb2(name: str, data: bytes) -> bool:
    """Whether a file is FictionBook: by its name, or by its first bytes.

    A zip counts when it is named ``.fb2.zip`` or holds an ``.fb2`` first and is not an
    EPUB (no ``mimetype`` or ``META-INF/container.xml``).
    """
    lower = name.lower()
    if lower.endswith((".fb2", ".fb2.zip")):
        return True
    if data[:4] == b"PK\x03\x04":
        return _zip_holds_fb2(data, name)
    return _ROOT.match(_head_text(data)) is not None


def _head_text(data: bytes) -> str:
    head = data[:_SNIFF_BYTES]
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return head[len(bom) :].decode(encoding.replace("-sig", ""), errors="ignore")
    # Every encoding FB2 is written in keeps ASCII as ASCII, so the root's name reads.
    return head.decode("latin-1")


def _zip_holds_fb2(data: bytes, name: str) -> bool:
    try:
        with SafeZip(data, name) as archive:
            names = list(archive.names)
    except BookError:
        return False
    if not names or any(n in ("mimetype", "META-INF/container.xml") for n in names):
        return False
    return names[0].lower().endswith(".fb2")


def fb2_document(path: Path, data: bytes) -> bytes:
    """The FB2 document itself: the file, or the ``.fb2`` inside a ``.fb2.zip``."""
    if data[:4] != b"PK\x03\x04":
        if len(data) > MAX_FB2_BYTES:
            raise BookError(f"“{path.name}” is larger than 64 MB; it was not opened.")
        return data
    with SafeZip(data, path.name) as archive:
        inner = next((n for n in archive.names if n.lower().endswith(".fb2")), None)
        if inner is None:
            raise BookError(f"“{path.name}” is a zip archive with no FB2 book inside.")
        return archive.read(inner, MAX_FB2_BYTES)


def decode_fb2(data: bytes, name: str) -> tuple[str, str, list[str]]:
    """The document as text, the encoding it was read with, and any note about that.

    A byte-order mark decides; then the XML declaration (windows-1251 and KOI8-R are
    common); a file without one is UTF-8 as XML says. A declaration that does not fit the
    bytes is set aside for the detector, with a note.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding.replace("-sig", ""), []
            except UnicodeDecodeError as exc:
                raise BookError(f"“{name}” is damaged: it is not valid {encoding}.") from exc
    match = _DECLARED_ENCODING.match(data[:400])
    declared = match.group(1).decode("ascii").lower() if match else "utf-8"
    try:
        codec = codecs.lookup(declared).name
        if codec.startswith("utf-16") or codec.startswith("utf-32"):
            raise LookupError(declared)  # a declaration without a byte-order mark is a guess
        return data.decode(codec), codec, []
    except (LookupError, UnicodeDecodeError):
        pass
    text, found = decode_text(data, name)
    said = f"says its text is in {declared}" if match else "declares no encoding (so UTF-8)"
    return text, found, [f"The book {said}, but it is not; it was read as {found}."]


def read_source(data: bytes, name: str) -> Fb2Source:
    """Decode the document and cut its binaries out, remembering where they were."""
    text, encoding, warnings = decode_fb2(data, name)
    binaries = find_binaries(text)
    pieces: list[str] = []
    pos = 0
    for binary in sorted(binaries.values(), key=lambda b: b.start):
        pieces.append(text[pos : binary.start])
        pos = binary.end
    pieces.append(text[pos:])
    body = _CHAR_REF.sub(_valid_reference, _DECLARATION.sub("", "".join(pieces), count=1))
    images: dict[str, str] = {}
    for binary in binaries.values():
        kind = image_type(binary, text)
        if kind == "image/svg+xml" and not _safe_svg(text[binary.start : binary.end]):
            if SVG_NOTE not in warnings:
                warnings.append(SVG_NOTE)
            continue
        if kind:
            images[binary.id] = kind
    return Fb2Source(body.encode("utf-8", errors="replace"), images, encoding, warnings)


def _valid_reference(match: re.Match[str]) -> str:
    """A character reference XML allows, or the replacement character's.

    libxml2, recovering, lets a reference to a surrogate or to NUL into the tree as bytes
    that are not UTF-8, and lxml then fails on reading the text.
    """
    digits = match.group(1)
    try:
        code = int(digits[1:], 16) if digits[0] in "xX" else int(digits)
    except ValueError:
        return "&#xFFFD;"
    allowed = code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD
    return match.group(0) if allowed or 0x10000 <= code <= 0x10FFFF else "&#xFFFD;"


def _safe_svg(raw: str) -> bool:
    # An SVG is drawn on the GUI thread: it is checked here, once, as EPUB's are.
    if len(raw) > MAX_SVG_BYTES * 2:
        return False
    data = decode_base64(raw)
    return data is not None and len(data) <= MAX_SVG_BYTES and svg_is_safe(data)


def find_binaries(text: str) -> dict[str, Binary]:
    """Every well-formed ``<binary>`` element: its id, type and the span of its base64.

    Base64 holds no ``<``: the next one must open the element's end tag, or the element
    is left to the parser as it is.
    """
    found: dict[str, Binary] = {}
    for match in _BINARY_START.finditer(text):
        start = match.end()
        end = text.find("<", start)
        closing = f"</{match.group(1)}binary"
        if end < 0 or not text.startswith(closing, end):
            continue
        attributes = _attributes(match.group(2) or "")
        ident = attributes.get("id", "")
        if ident and ident not in found:
            found[ident] = Binary(ident, attributes.get("content-type", "").lower(), start, end)
    return found


def _attributes(raw: str) -> dict[str, str]:
    result: dict[str, str] = {}
    for name, double, single in _ATTRIBUTE.findall(raw):
        result.setdefault(name.rpartition(":")[2].lower(), html.unescape(double or single))
    return result


def image_type(binary: Binary, text: str) -> str:
    """The image type of a binary by its declared type, else by its first bytes; "" if none."""
    if binary.content_type in IMAGE_TYPES:
        return binary.content_type
    head = decode_base64(text[binary.start : min(binary.end, binary.start + 64)], partial=True)
    return next((kind for magic, kind in _MAGIC if head and head.startswith(magic)), "")


def decode_base64(raw: str, *, partial: bool = False) -> bytes | None:
    """Base64 text with its line breaks to bytes; None if it is not base64."""
    clean = _BASE64_JUNK.sub(b"", raw.encode("ascii", errors="ignore"))
    if partial:
        clean = clean[: len(clean) // 4 * 4].rstrip(b"=")
        clean += b"=" * (-len(clean) % 4)
    try:
        return base64.b64decode(clean, validate=True)
    except (binascii.Error, ValueError):
        return None


def resource_name(binary_id: str) -> str:
    """The name a binary goes by in ``res:`` URLs: its id, or its id in hex if unusual."""
    if _PLAIN_NAME.fullmatch(binary_id):
        return binary_id
    return _HEX_PREFIX + binary_id.encode("utf-8").hex()


def binary_id(name: str) -> str | None:
    """The binary id behind a resource name; None if the name is not one of ours."""
    if name.startswith(_HEX_PREFIX):
        try:
            return bytes.fromhex(name[len(_HEX_PREFIX) :]).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return None
    return name if _PLAIN_NAME.fullmatch(name) else None


def read_fb2_resource(path: Path, name: str) -> bytes | None:
    """Read one image from the book again, for the view; None if it is gone or damaged."""
    ident = binary_id(name)
    if ident is None:
        return None
    try:
        # The file may have been replaced since it was opened: check it again.
        with os.fdopen(open_regular(path, BookError), "rb") as handle:
            data = handle.read(MAX_FB2_BYTES + 1)
        if len(data) > MAX_FB2_BYTES and data[:4] != b"PK\x03\x04":
            return None
        text = decode_fb2(fb2_document(path, data), path.name)[0]
    except BookError:
        return None
    binary = find_binaries(text).get(ident)
    # Base64 is four characters for three bytes, with line breaks between.
    if binary is None or binary.end - binary.start > MAX_IMAGE_BYTES // 3 * 4 * 11 // 10:
        return None
    decoded = decode_base64(text[binary.start : binary.end])
    return decoded if decoded and len(decoded) <= MAX_IMAGE_BYTES else None
