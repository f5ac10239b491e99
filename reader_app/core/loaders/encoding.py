"""Decode text files whose encoding nobody wrote down."""

from __future__ import annotations

import codecs
import re

import charset_normalizer

from reader_app.core.errors import BookError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_C1_BYTES = re.compile(rb"[\x80-\x9f]")
# Bytes that never appear in text in any single-byte encoding (tab, newlines, form feed
# and escape excepted).
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_WESTERN = ("cp1252", "latin_1", "iso8859_15")
_CHAOS_MARGIN = 5.0


def decode_text(data: bytes, name: str) -> tuple[str, str]:
    """Return the text and the encoding it was read with.

    A byte-order mark settles the question. Otherwise the whole file is checked as UTF-8
    (a strict decode of every byte, not a look at the first kilobytes); if that fails,
    charset-normalizer weighs the candidates over the whole file.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding.replace("-sig", "")
            except UnicodeDecodeError as exc:
                raise BookError(f"“{name}” is damaged: it is not valid {encoding}.") from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if len(_CONTROL_BYTES.findall(data, 0, 1 << 20)) > min(
        len(data), 1 << 20
    ) // 200 + 1 and not _looks_utf16(data):
        raise BookError(f"“{name}” is a binary file, not text.")
    matches = list(charset_normalizer.from_bytes(data))
    if not matches:
        raise BookError(f"“{name}” is not readable text in any encoding Tone Reader knows.")
    best = matches[0]
    # On short texts the detector cannot tell the Latin code pages apart and may rank a
    # Baltic or Central European one first. Books are far more often Western European:
    # prefer that reading when it is (almost) as clean as the winner.
    western = next(
        (
            m
            for m in matches
            if m.encoding in _WESTERN and m.percent_chaos <= best.percent_chaos + _CHAOS_MARGIN
        ),
        None,
    )
    encoding = str((western or best).encoding)
    # ISO-8859-1 maps 0x80–0x9F to invisible control codes; text that uses those bytes is
    # Windows-1252 (curly quotes, dashes), the encoding people mean when they say Latin-1.
    if encoding in ("latin_1", "iso8859_1") and _C1_BYTES.search(data):
        encoding = "cp1252"
    try:
        return data.decode(encoding, errors="replace"), encoding
    except LookupError as exc:  # pragma: no cover - the detector only names known codecs
        raise BookError(f"“{name}” uses an unknown encoding ({encoding}).") from exc


def _looks_utf16(data: bytes) -> bool:
    sample = data[:4096]
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    return max(even, odd) > len(sample) // 4


def declared_html_charset(data: bytes) -> str | None:
    """The charset an HTML file declares in a meta tag or XML declaration, if it is known."""
    head = data[:4096]
    match = re.search(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", head, re.IGNORECASE)
    if match is None:
        match = re.search(rb"<\?xml[^>]+encoding\s*=\s*[\"']([A-Za-z0-9_.:-]+)", head)
    if match is None:
        return None
    name = match.group(1).decode("ascii", "replace").lower()
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    # Browsers read a declared Latin-1 page as Windows-1252; so do we.
    return "cp1252" if codec in ("latin-1", "iso8859-1") else codec
