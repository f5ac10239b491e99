"""Cut a single-document book (text, HTML, Markdown) into chapters at its headings."""

from __future__ import annotations

from dataclasses import dataclass

from reader_app.core.book import Chapter, TocEntry
from reader_app.core.loaders.blocks import Block, Run, render_blocks, split_long_block
from reader_app.core.loaders.limits import MAX_CHAPTERS

MAX_CHAPTER_CHARS = 120_000  # longer sections become parts: the view lays out a chapter at once
PART_CHARS = 40_000  # size of the parts of a book with no headings at all


@dataclass
class _Section:
    blocks: list[Block]
    # (level, title, index of the heading block inside ``blocks``)
    headings: list[tuple[int, str, int]]


def heading_title(block: Block) -> str:
    """A heading's text on one line."""
    return " ".join(block.plain().split())


def choose_split_level(blocks: list[Block]) -> int:
    """The shallowest heading level that cuts the book into at least three pieces."""
    counts = [0] * 7
    for block in blocks:
        counts[block.heading_level] += 1
    total = 0
    for level in range(1, 5):
        total += counts[level]
        if total >= 3:
            return level
    return 6 if sum(counts[1:]) >= 2 else 0


def split_into_chapters(
    blocks: list[Block],
    split_level: int,
    *,
    opening_title: str = "Opening",
    notes: list[str] | None = None,
) -> tuple[list[Chapter], list[TocEntry]]:
    """Cut ``blocks`` before every heading of level ≤ ``split_level``.

    A heading with nothing under it but further headings (``BOOK ONE`` directly followed by
    ``CHAPTER I``) starts no chapter of its own: it joins the next one and becomes the
    parent of the following chapters in the table of contents. Text before the first
    heading becomes an opening chapter. A book with no headings is cut into parts, and
    so is a book with more headings than chapters a book can have (a note says so).
    """
    # Long paragraphs are cut first, so that no chapter grows past MAX_CHAPTER_CHARS
    # because of one paragraph: the view lays out a whole chapter at once.
    blocks = [piece for block in blocks for piece in split_long_block(block)]
    if split_level <= 0 or not any(0 < b.heading_level <= split_level for b in blocks):
        return _parts(blocks)
    sections: list[_Section] = []
    current = _Section([], [])
    only_headings = True
    for block in blocks:
        level = block.heading_level
        if 0 < level <= split_level:
            if current.blocks and not only_headings:
                sections.append(current)
                current = _Section([], [])
            toc_level = level if block.toc_level is None else block.toc_level
            current.headings.append((toc_level, heading_title(block), len(current.blocks)))
            current.blocks.append(block)
            only_headings = True
        else:
            current.blocks.append(block)
            if block.plain().strip():
                only_headings = False
    if current.blocks:
        sections.append(current)
    if len(sections) > MAX_CHAPTERS:
        if notes is not None:
            notes.append(
                f"The book has more than {MAX_CHAPTERS:,} headings; it is shown in parts"
                " of equal length instead of chapters."
            )
        return _parts(blocks)
    _merge_slivers(sections)
    chapters: list[Chapter] = []
    flat_toc: list[tuple[int, str, int, int]] = []  # level, title, chapter, offset
    for section in sections:
        title = section.headings[-1][1] if section.headings else opening_title
        pieces = cut_blocks(section.blocks)
        for n, piece in enumerate(pieces):
            rendered = render_blocks(piece)
            if not rendered.text:
                continue
            index = len(chapters)
            piece_title = title if n == 0 else f"{title} ({n + 1})"
            chapters.append(
                Chapter(piece_title, rendered.html, rendered.text, rendered.anchors, str(index))
            )
            if n == 0:
                if not section.headings:
                    flat_toc.append((0, opening_title, index, 0))
                for level, heading, block_index in section.headings:
                    offset = (
                        rendered.block_starts[block_index]
                        if block_index < len(rendered.block_starts)
                        else 0
                    )
                    flat_toc.append((level, heading or "Untitled", index, offset))
    return chapters, nest_toc(flat_toc)


def _merge_slivers(sections: list[_Section]) -> None:
    """Fold slivers of text into their neighbours rather than making chapters of them.

    A tiny untitled opening joins the next section; a bare last heading ("END.") joins
    the one before.
    """
    if (
        len(sections) >= 2
        and not sections[0].headings
        and sum(len(b.plain()) for b in sections[0].blocks) < 200
    ):
        first = sections.pop(0)
        shift = len(first.blocks)
        nxt = sections[0]
        nxt.blocks[:0] = first.blocks
        nxt.headings = [(lvl, title, i + shift) for lvl, title, i in nxt.headings]
    if len(sections) >= 2 and sections[-1].headings:
        last = sections[-1]
        if (
            all(b.heading_level for b in last.blocks)
            and sum(len(b.plain()) for b in last.blocks) < 40
        ):
            sections.pop()
            sections[-1].blocks.extend(last.blocks)


def nest_toc(flat: list[tuple[int, str, int, int]]) -> list[TocEntry]:
    """Build the TOC tree from (level, title, chapter, offset) in reading order.

    Level 0 entries (an opening, front matter) stay at the top and never get children.
    """

    @dataclass
    class Node:
        level: int
        title: str
        chapter: int
        offset: int
        children: list[Node]

    roots: list[Node] = []
    stack: list[Node] = []
    for level, title, chapter, offset in flat:
        node = Node(level, title, chapter, offset, [])
        if level == 0:
            stack.clear()
            roots.append(node)
            continue
        while stack and stack[-1].level >= level:
            stack.pop()
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)

    def freeze(node: Node) -> TocEntry:
        return TocEntry(
            node.title, node.chapter, node.offset, tuple(freeze(c) for c in node.children)
        )

    return [freeze(n) for n in roots]


def cap_toc(toc: list[TocEntry], limit: int) -> tuple[list[TocEntry], bool]:
    """The first ``limit`` entries of a contents tree, in reading order; True if cut."""
    left = limit
    cut = False

    def keep(entries: tuple[TocEntry, ...] | list[TocEntry]) -> list[TocEntry]:
        nonlocal left, cut
        kept: list[TocEntry] = []
        for entry in entries:
            if left <= 0:
                cut = True
                break
            left -= 1
            children = tuple(keep(entry.children)) if entry.children else ()
            kept.append(TocEntry(entry.title, entry.chapter, entry.offset, children))
        return kept

    total = sum(1 for entry in toc for _ in entry.walk())
    if total <= limit:
        return toc, False
    return keep(toc), cut


def cut_blocks(blocks: list[Block], limit: int = MAX_CHAPTER_CHARS) -> list[list[Block]]:
    """Split an overlong section at block boundaries into pieces of about ``limit``."""
    pieces: list[list[Block]] = [[]]
    size = 0
    for block in blocks:
        length = len(block.plain()) + 1
        if size + length > limit and pieces[-1]:
            pieces.append([])
            size = 0
        pieces[-1].append(block)
        size += length
    return pieces


def _parts(blocks: list[Block]) -> tuple[list[Chapter], list[TocEntry]]:
    chapters: list[Chapter] = []
    current: list[Block] = []
    size = 0

    def close() -> None:
        rendered = render_blocks(current)
        if rendered.text:
            title = f"Part {len(chapters) + 1}"
            chapters.append(
                Chapter(title, rendered.html, rendered.text, rendered.anchors, str(len(chapters)))
            )

    for block in blocks:
        current.append(block)
        size += len(block.plain()) + 1
        if size >= PART_CHARS:
            close()
            current, size = [], 0
    if current:
        close()
    if len(chapters) == 1:
        only = chapters[0]
        chapters[0] = Chapter("Text", only.html, only.text, only.anchors, only.key)
    toc = [TocEntry(c.title, i) for i, c in enumerate(chapters)]
    return chapters, toc


def text_block(text: str, kind: str = "p") -> Block:
    """A block holding one run of text."""
    return Block(kind=kind, items=[Run(text)])
