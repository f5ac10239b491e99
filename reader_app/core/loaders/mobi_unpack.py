"""Unpack a Kindle book with KindleUnpack (the ``mobi`` package) inside fixed limits.

The loader runs this module as a child process::

    python -I -m reader_app.core.loaders.mobi_unpack BOOK OUTDIR

KindleUnpack is pure Python written for well-formed books: on a damaged one it can loop
for a long time or build very large strings, and a call in a thread cannot be stopped.
A process can: the parent waits with a timeout and kills it, and the child caps its own
memory, CPU time and the size of each file it writes. The exit status is all the parent
reads; the unpacker's log is switched off.
"""

from __future__ import annotations

import html
import resource
import sys
from pathlib import Path
from typing import Any

# Address space of the child: the unpacker holds the book's whole text (a few MB for a
# novel, 24 million characters at Tone Reader's limit) several times over.
MAX_MEMORY_BYTES = 1536 * 1024 * 1024
# Any one file written: the book's text as HTML, or one image.
MAX_FILE_BYTES = 256 * 1024 * 1024
MAX_CPU_SECONDS = 120
# Contents nested deeper than this are cut (the EPUB loader reads 20 levels).
_MAX_NCX_DEPTH = 20

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_MEMORY = 3


def _limit(kind: int, value: int) -> None:
    _soft, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(kind, (value, hard))


def unpack(book: Path, outdir: Path) -> None:
    """Unpack ``book`` into ``outdir``: mobi8/<stem>.epub for KF8, mobi7/book.html for MOBI 6."""
    from loguru import logger

    # KindleUnpack logs every record at debug level; nobody reads it.
    logger.remove()
    from mobi.kindleunpack import unpackBook  # type: ignore[import-untyped]
    from mobi.mobi_ncx import ncxExtract  # type: ignore[import-untyped]

    ncxExtract.buildK8NCX = lambda _self, entries, title, _ident, lang: k8_ncx(entries, title, lang)
    # EPUB 2 or 3 as the book says ("A"); the EPUB loader reads both.
    unpackBook(str(book), str(outdir), epubver="A")


def k8_ncx(entries: list[dict[str, Any]], title: str, lang: str) -> str:
    """The NCX of a KF8 book, nested by each entry's parent.

    KindleUnpack nests entries by the child ranges the index gives; calibre writes some
    of them empty (first child after last) for headings that link nowhere, and whole
    branches of the contents were lost. Each entry also names its parent, and that is
    what is used here. Siblings are put in reading order; a heading without a place of
    its own (calibre points it before its parent) takes its first child's place.
    """
    children: dict[int, list[int]] = {}
    for i, entry in enumerate(entries):
        parent = entry.get("parent", -1)
        parent = parent if isinstance(parent, int) and 0 <= parent < len(entries) else -1
        children.setdefault(parent if parent != i else -1, []).append(i)
    seen: set[int] = set()

    def place(i: int, parent_pos: int, depth: int) -> tuple[int, str]:
        seen.add(i)
        entry = entries[i]
        pos = entry.get("pos", 0)
        pos = pos if isinstance(pos, int) else 0
        link = _href(entry)
        kids = [
            place(k, pos, depth + 1)
            for k in children.get(i, [])
            if k not in seen and depth < _MAX_NCX_DEPTH
        ]
        kids.sort()
        if pos < parent_pos and kids:
            pos, link = kids[0][0], _first_href(kids[0][1]) or link
        text = html.escape(str(entry.get("text", "")), quote=False)
        inner = "".join(xml for _pos, xml in kids)
        return pos, (
            f'<navPoint><navLabel><text>{text}</text></navLabel><content src="{link}"/>'
            f"{inner}</navPoint>"
        )

    points = sorted(place(i, -1, 0) for i in children.get(-1, []) if i not in seen)
    return (
        "<?xml version='1.0' encoding='utf-8'?>"
        f'<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1"'
        f' xml:lang="{html.escape(str(lang))}"><head/>'
        f"<docTitle><text>{html.escape(str(title), quote=False)}</text></docTitle>"
        f"<navMap>{''.join(xml for _pos, xml in points)}</navMap></ncx>"
    )


def _href(entry: dict[str, Any]) -> str:
    link = f"Text/{entry.get('filename', '')}"
    tag = entry.get("idtag", "")
    return html.escape(f"{link}#{tag}" if tag else link)


def _first_href(xml: str) -> str:
    start = xml.find('src="') + 5
    return xml[start : xml.find('"', start)] if start >= 5 else ""


# The frozen bundle's executable runs main() when this is its first argument.
UNPACK_FLAG = "--unpack-kindle-book"


def main(argv: list[str]) -> int:
    """Unpack BOOK into OUTDIR under the limits; the exit status says how it went."""
    _limit(resource.RLIMIT_AS, MAX_MEMORY_BYTES)
    _limit(resource.RLIMIT_FSIZE, MAX_FILE_BYTES)
    _limit(resource.RLIMIT_CPU, MAX_CPU_SECONDS)
    try:
        unpack(Path(argv[0]), Path(argv[1]))
    except MemoryError:
        return EXIT_MEMORY
    except Exception:  # any failure of the unpacker means "damaged" to the parent
        return EXIT_FAILED
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
