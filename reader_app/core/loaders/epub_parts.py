"""Very long EPUB documents become several chapters, with links and contents kept right.

The view lays out a whole chapter at once, on the GUI thread, at about a second per
million characters. Real chapters stay far below MAX_DOCUMENT_CHARS; a document above it
(a whole book in one file, or a hostile one) is shown as parts of PART_CHARS, cut between
paragraphs, as single-file books are. Links inside the book were made with spine
positions while the chapters were read; once the parts are known they are pointed at
the part that holds their target.
"""

from __future__ import annotations

import dataclasses
import html
import re
import urllib.parse
from typing import TYPE_CHECKING

from reader_app.core.loaders.blocks import Block, split_long_block
from reader_app.core.loaders.sections import MAX_CHAPTER_CHARS, cut_blocks

if TYPE_CHECKING:
    from reader_app.core.book import Chapter

# A million characters lays out in about a second: the longest wait a chapter may cost.
MAX_DOCUMENT_CHARS = 1_000_000
PART_CHARS = MAX_CHAPTER_CHARS
_BOOK_LINK = re.compile(r'href="book:(\d+)(#[^"]*)?"')


def cut_document(blocks: list[Block]) -> list[list[Block]]:
    """The blocks of one document, in one group, or in parts if it is too long to show."""
    if sum(len(b.plain()) + 1 for b in blocks) <= MAX_DOCUMENT_CHARS:
        return [blocks]
    pieces = [piece for block in blocks for piece in split_long_block(block)]
    return cut_blocks(pieces, PART_CHARS)


class SpineParts:
    """The chapters made from each spine item, and where each item's parts begin.

    Attributes:
        chapters: all chapters in reading order.
    """

    def __init__(self, parts: list[list[Chapter]]) -> None:
        self._parts = parts
        self._first: list[int] = []
        self.chapters: list[Chapter] = []
        for group in parts:
            self._first.append(len(self.chapters))
            self.chapters.extend(group)

    def locate(self, spine_index: int, fragment: str = "") -> tuple[int, int]:
        """The chapter and offset of a place given as a spine position and an element id."""
        first = self._first[spine_index]
        if fragment:
            for n, part in enumerate(self._parts[spine_index]):
                offset = part.anchors.get(fragment)
                if offset is not None:
                    return first + n, offset
        return first, 0

    def relinked(self) -> list[Chapter]:
        """The chapters, with links into the book pointing at chapter indexes."""
        if len(self.chapters) == len(self._parts):
            return self.chapters  # nothing was cut: spine positions are chapter indexes

        def fix(match: re.Match[str]) -> str:
            fragment = match.group(2) or ""
            target = urllib.parse.unquote(html.unescape(fragment[1:]))
            index, _offset = self.locate(int(match.group(1)), target)
            return f'href="book:{index}{fragment}"'

        return [
            dataclasses.replace(c, html=_BOOK_LINK.sub(fix, c.html)) if "book:" in c.html else c
            for c in self.chapters
        ]
