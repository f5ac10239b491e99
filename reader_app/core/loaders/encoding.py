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
_SAMPLE = 1 << 20
# Codecs Python calls text encodings that no web page or book is written in: they
# transform text (punycode, escapes) or refuse everything (undefined).
_NOT_DOCUMENT_ENCODINGS = frozenset(
    {"undefined", "idna", "punycode", "unicode_escape", "raw_unicode_escape"}
)


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
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        try:
            return data.decode(utf16), "utf-16"
        except UnicodeDecodeError:
            pass
    # NUL and other control bytes are valid UTF-8 but never text: a file of them (a disk
    # image, an archive, zeros) is refused rather than shown as an empty book.
    if len(_CONTROL_BYTES.findall(data, 0, _SAMPLE)) > min(len(data), _SAMPLE) // 200 + 1:
        raise BookError(f"“{name}” is a binary file, not text.")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
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


def _utf16_without_bom(data: bytes) -> str | None:
    """The UTF-16 codec to use when every other byte is mostly zero, as in UTF-16 text."""
    sample = data[:4096]
    half = len(sample) // 2
    if half < 2:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    # Latin text in UTF-16 has a zero in nearly every high byte and almost none in the
    # low ones; a file of zeros has them everywhere and is binary, not UTF-16.
    if odd > half * 0.4 and even < half * 0.05:
        return "utf-16-le"
    if even > half * 0.4 and odd < half * 0.05:
        return "utf-16-be"
    return None


def _usable_codec(name: str) -> str | None:
    """The codec's name if it decodes bytes to text (not rot13, base64, zlib…)."""
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None
    # CodecInfo has no public flag for this; _is_text_encoding is what str.encode and
    # bytes.decode themselves check to refuse the bytes-to-bytes codecs.
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_DOCUMENT_ENCODINGS:
        return None
    return info.name


def decode_html(data: bytes, name: str) -> str:
    """Decode an HTML file by its declared charset, or by detection if it declares none.

    A declared charset that is no text encoding, or that the bytes do not fit, is
    ignored: the page is then read as if it declared nothing.
    """
    charset = declared_html_charset(data)
    if charset:
        try:
            # Refuse binary files before trusting a meta tag inside them.
            if len(_CONTROL_BYTES.findall(data, 0, _SAMPLE)) <= min(len(data), _SAMPLE) // 200 + 1:
                return data.decode(charset, errors="replace")
        except (UnicodeError, LookupError, ValueError):
            pass
    return decode_text(data, name)[0]


def declared_html_charset(data: bytes) -> str | None:
    """The charset an HTML file declares in a meta tag or XML declaration, if it is known."""
    head = data[:4096]
    match = re.search(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", head, re.IGNORECASE)
    if match is None:
        match = re.search(rb"<\?xml[^>]+encoding\s*=\s*[\"']([A-Za-z0-9_.:-]+)", head)
    if match is None:
        return None
    name = match.group(1).decode("ascii", "replace").lower()
    codec = _usable_codec(name)
    if codec is None:
        return None
    # Browsers read a declared Latin-1 page as Windows-1252; so do we.
    return "cp1252" if codec in ("latin-1", "iso8859-1") else codec
