"""An old MOBI 6 book, as KindleUnpack leaves it, made into an EPUB for the EPUB loader.

KindleUnpack writes a MOBI 6 book as one HTML file (book.html) with an NCX whose entries
point at anchors it inserted (``<a id="filepos1234" />``), and its images as
Images/imageNNNNN.ext. A novel would be one chapter of 700,000 characters, so the HTML is
cut at the anchors the table of contents points at, each piece becomes a document of a
small EPUB built in memory, and the links and the NCX are pointed at the pieces. The
EPUB loader then does the rest (sanitising, chapters, contents, links, images) exactly
as for any EPUB.
"""

from __future__ import annotations

import bisect
import html
import io
import re
import zipfile

from reader_app.core.loaders.encoding import decode_html

# A cut per contents entry, up to the number of entries the contents shows.
MAX_PARTS = 2_000
_ANCHOR = re.compile(r'<a id="(filepos\d+)"\s*/>')
_NCX_TARGET = re.compile(r'src="book\.html#(filepos\d+)"')
_LINK = re.compile(r'href="#(filepos\d+)"')
# calibre's page breaks and the guide's filepos references mean nothing to a reader.
_FILLER = re.compile(r"</?mbp:pagebreak\s*/?>|<guide>.*?</guide>", re.IGNORECASE | re.DOTALL)
_BODY = re.compile(r"<body[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_IMAGE_NAME = re.compile(r"^(?:image|cover)\d{5}\.(?:jpeg|jpg|png|gif|bmp)$")
_PART = "part{:04d}.html"


def mobi6_epub(book_html: bytes, ncx: bytes, images: list[str], title: str) -> bytes:
    """The EPUB (as bytes) holding the book's text cut into chapters, its NCX and images.

    Image entries are empty: the EPUB loader only needs their names; the view reads the
    images again from the book file.
    """
    text = _FILLER.sub("", decode_html(book_html, "book.html"))
    body_tag = _BODY.search(text)
    start = body_tag.end() if body_tag else 0
    end = text.rfind("</body>")
    body = text[start : end if end >= start else len(text)]
    del text
    ncx_text = ncx.decode("utf-8", errors="replace")
    anchors = {m.group(1): m.start() for m in _ANCHOR.finditer(body)}
    targets = dict.fromkeys(t for t in _NCX_TARGET.findall(ncx_text) if t in anchors)
    cuts = _cuts(body, sorted({0, *(anchors[t] for t in targets)})[:MAX_PARTS])
    part_of = {name: bisect.bisect_right(cuts, position) - 1 for name, position in anchors.items()}

    def link(match: re.Match[str]) -> str:
        part = part_of.get(match.group(1))
        return match.group(0) if part is None else f'href="{_PART.format(part)}#{match.group(1)}"'

    def ncx_src(match: re.Match[str]) -> str:
        return f'src="{_PART.format(part_of.get(match.group(1), 0))}#{match.group(1)}"'

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("mimetype", "application/epub+zip")
        archive.writestr("META-INF/container.xml", _CONTAINER)
        for n, (a, b) in enumerate(zip(cuts, [*cuts[1:], len(body)], strict=True)):
            piece = _ANCHOR.sub(r'<a id="\1"></a>', _LINK.sub(link, body[a:b]))
            archive.writestr(_PART.format(n), _DOCUMENT.format(piece).encode("utf-8"))
        archive.writestr("toc.ncx", _NCX_TARGET.sub(ncx_src, ncx_text).encode("utf-8"))
        for name in images:
            if _IMAGE_NAME.match(name):
                archive.writestr(f"Images/{name}", b"")
        archive.writestr("content.opf", _package(len(cuts), title))
    return buffer.getvalue()


def _cuts(body: str, cuts: list[int]) -> list[int]:
    """Drop a cut that would leave a piece with nothing to show: it joins the piece after it."""
    kept = [0]
    for position in cuts[1:]:
        piece = body[kept[-1] : position]
        if "<img" in piece or _TAG.sub("", piece).strip():
            kept.append(position)
    return kept


def _package(parts: int, title: str) -> str:
    items = "".join(
        f'<item id="p{n}" href="{_PART.format(n)}" media-type="text/html"/>' for n in range(parts)
    )
    refs = "".join(f'<itemref idref="p{n}"/>' for n in range(parts))
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<package xmlns="http://www.idpf.org/2007/opf" version="2.0" unique-identifier="id">'
        '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:title>{html.escape(title)}</dc:title></metadata>"
        f'<manifest>{items}<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>'
        f'</manifest><spine toc="ncx">{refs}</spine></package>'
    )


_CONTAINER = (
    '<?xml version="1.0"?><container version="1.0"'
    ' xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
    '<rootfile full-path="content.opf" media-type="application/oebps-package+xml"/>'
    "</rootfiles></container>"
)
_DOCUMENT = (
    '<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"/>'
    "</head><body>{}</body></html>"
)
