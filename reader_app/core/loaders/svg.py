"""Decide whether an SVG image is safe to hand to Qt, which renders it on the GUI thread.

Qt's SVG renderer follows references: ``<use>`` copies elements (thirty nested levels of
two copies each make a billion), ``<image href>`` reads any file on disk, including
``/dev/stdin``, which blocks for ever. No book image needs any of that, so an SVG that
refers to anything, or is large or complex, is not shown; its alternative text is. The
check is a scan of the bytes, cheap enough to run again just before rendering.
"""

from __future__ import annotations

import re

from reader_app.core.loaders.limits import MAX_SVG_BYTES, MAX_SVG_ELEMENTS

# Raster formats Qt decodes without following anything, by their magic numbers.
_RASTER_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM", b"II*\0", b"MM\0*")
_WEBP = (b"RIFF", b"WEBP")
_GZIP = b"\x1f\x8b"  # a compressed SVG (svgz), which Qt unpacks and renders
# Anything that makes the renderer look elsewhere: elements that pull in other content,
# any href, CSS url() and imports, entity and DOCTYPE declarations, and the escapes
# (backslashes in CSS) that could spell any of those in disguise.
_REFERENCE = re.compile(
    r"<\s*(?:[\w.-]+:)?(?:use|image|feImage|script|foreignObject|iframe|tref|animation"
    r"|handler|listener|prefetch)\b|href|url\s*\(|@import|<!ENTITY|<!DOCTYPE|\\",
    re.IGNORECASE,
)
_CHAR_REF = re.compile(r"&#(x[0-9a-fA-F]{1,6}|[0-9]{1,7});")
_ROOT = re.compile(r"<\s*(?:[\w.-]+:)?svg\b[^>]*>", re.IGNORECASE)
_SIZE_ATTR = re.compile(r"\b(?:width|height|viewBox)\s*=\s*[\"']([^\"']*)[\"']", re.IGNORECASE)
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
MAX_SVG_SIDE = 10_000.0  # Qt renders an SVG image at its own size before scaling it


def is_raster(data: bytes) -> bool:
    """Whether ``data`` starts like a PNG, JPEG, GIF, BMP or WebP image."""
    return data.startswith(_RASTER_MAGIC) or (data[:4] == _WEBP[0] and data[8:12] == _WEBP[1])


def looks_like_svg(name: str, media_type: str = "") -> bool:
    """Whether a resource is an SVG by its name or declared type."""
    return media_type == "image/svg+xml" or name.lower().endswith((".svg", ".svgz"))


def svg_is_safe(data: bytes) -> bool:
    """Whether an SVG document refers to nothing and is small and simple enough to draw."""
    if len(data) > MAX_SVG_BYTES or data.startswith(_GZIP) or b"\0" in data:
        return False
    text = data.decode("utf-8", errors="replace")
    # XML turns character references into characters before the renderer sees them.
    text = _CHAR_REF.sub(_char, text)
    if _REFERENCE.search(text) or text.count("<") > MAX_SVG_ELEMENTS:
        return False
    root = _ROOT.search(text)
    if root is None:
        return False
    for value in _SIZE_ATTR.findall(root.group(0)):
        if any(abs(float(n)) > MAX_SVG_SIDE for n in _NUMBER.findall(value)):
            return False
    return True


def image_is_safe(data: bytes) -> bool:
    """Whether image bytes may be given to Qt to decode.

    Qt picks a decoder by content, not by name: a ``.png`` that holds SVG is rendered as
    SVG. So everything that is not a known raster format is judged as an SVG.
    """
    return is_raster(data) or svg_is_safe(data)


def _char(match: re.Match[str]) -> str:
    raw = match.group(1)
    try:
        return chr(int(raw[1:], 16) if raw[0] in "xX" else int(raw))
    except (ValueError, OverflowError):
        return "\ufffd"
