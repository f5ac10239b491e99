"""Turn the bodies of a FictionBook document into flat blocks for the view.

FictionBook is semantic markup: sections with titles, epigraphs, poems of stanzas and
lines, citations, subtitles. Each becomes blocks of the shared model (blocks.py): a
section title a heading of its depth, a stanza one block of lines, an epigraph or a
citation indented. Every heading carries a mark of its own, so that the table of
contents can find it again once the book is cut into chapters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from reader_app.core.loaders.blocks import (
    BOLD,
    CODE,
    ITALIC,
    SUB,
    SUP,
    Block,
    Break,
    Image,
    Mark,
    Run,
    normalise_block,
)
from reader_app.core.loaders.heading_shapes import read_shape

if TYPE_CHECKING:
    from lxml import etree

LinkResolver = Callable[[str], str]
ImageResolver = Callable[[str], str | None]

_MAX_DEPTH = 200  # deeper markup keeps its words, not its structure
_EMPTY_LINE = "\xa0"  # a line the view shows blank; plain spaces would be collapsed away
_INLINE_FLAGS = {
    "strong": BOLD, "emphasis": ITALIC, "sub": SUB, "sup": SUP, "code": CODE,
}  # fmt: skip
_LINK_SCHEMES = ("http://", "https://", "mailto:", "ftp://")
_TOC_MARK = "fb2-heading-"
# A paragraph wholly in bold that reads as a heading ("Chapter 1") stands for a section
# title in files whose sections have none, as calibre writes them by default.
_MAX_BOLD_HEADING = 80


def local_name(tag: object) -> str:
    """An element's name without its namespace."""
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def href_of(el: etree._Element) -> str:
    """The link of an ``a`` or ``image``: XLink's href under whatever prefix, or a bare one."""
    for name, value in el.attrib.items():
        if local_name(name) == "href":
            return str(value).strip()
    return ""


def plain_text(el: etree._Element | None) -> str:
    """An element's text on one line."""
    return " ".join("".join(el.itertext()).split()) if el is not None else ""


@dataclass(frozen=True, slots=True)
class _Style:
    indent: int = 0
    align: str = ""
    flags: int = 0

    def inner(self, indent: int = 0, align: str = "", flags: int = 0) -> _Style:
        return _Style(self.indent + indent, align or self.align, self.flags | flags)


@dataclass
class HeadingMark:
    """A heading in reading order: its depth, its text, and the mark placed on it."""

    level: int
    title: str
    mark: str


@dataclass
class Fb2Blocks:
    """Collects the blocks of one or more bodies, in reading order.

    Attributes:
        headings: every heading made, for the table of contents.
        promote_bold: read whole-bold heading-shaped paragraphs as headings.
        plain_titles: draw section titles as bold paragraphs, not headings (notes).
    """

    resolve_link: LinkResolver
    resolve_image: ImageResolver
    promote_bold: bool = False
    plain_titles: bool = False
    blocks: list[Block] = field(default_factory=list)
    headings: list[HeadingMark] = field(default_factory=list)

    def body(self, body: etree._Element) -> list[Block]:
        """The blocks of one ``<body>``; its own title is the book's, shown but not listed."""
        start = len(self.blocks)
        self._children(body, 0, _Style(), 0, title_as_heading=False)
        made = self.blocks[start:]
        del self.blocks[start:]
        return tidy(made)

    def flow(self, el: etree._Element, style: _Style | None = None) -> list[Block]:
        """The blocks of an element of paragraphs (an annotation), outside any section."""
        start = len(self.blocks)
        self._children(el, 0, style or _Style(), 0, title_as_heading=False)
        made = self.blocks[start:]
        del self.blocks[start:]
        return tidy(made)

    # -- structure ----------------------------------------------------------------------

    def _children(
        self,
        parent: etree._Element,
        depth: int,
        style: _Style,
        nesting: int,
        *,
        title_as_heading: bool,
    ) -> None:
        # Text loose between the elements (outside any <p>) is kept as paragraphs: a
        # careless file has it, and so has markup flattened for being nested too deep.
        self._loose(parent.text, style)
        for child in parent:
            self._element(child, depth, style, nesting + 1, title_as_heading=title_as_heading)
            self._loose(child.tail, style)

    def _loose(self, text: str | None, style: _Style) -> None:
        if text and text.strip():
            self._add(Block(items=[Run(text, style.flags)]), style)

    def _element(
        self,
        el: etree._Element,
        depth: int,
        style: _Style,
        nesting: int,
        *,
        title_as_heading: bool,
    ) -> None:
        name = local_name(el.tag)
        if not name:
            return
        if nesting > _MAX_DEPTH:
            self._add(Block(items=[Run(" ".join(el.itertext()), style.flags)]), style)
            return
        ident = el.get("id")
        if ident:
            self.blocks.append(Block(items=[Mark(ident)]))
        if name == "section":
            self._children(el, depth + 1, style, nesting, title_as_heading=True)
        elif name == "title":
            self._title(el, depth, style, as_heading=title_as_heading)
        elif name == "p":
            self._paragraph(el, style, depth)
        elif name == "subtitle":
            self._add(self._inline_block(el, style.inner(align="center", flags=BOLD)), style)
        elif name == "empty-line":
            self.blocks.append(Block(items=[Run(_EMPTY_LINE)]))
        elif name == "epigraph":
            self._children(
                el, depth, style.inner(indent=2, flags=ITALIC), nesting, title_as_heading=False
            )
        elif name in ("cite", "annotation", "poem"):
            self._children(el, depth, style.inner(indent=1), nesting, title_as_heading=False)
        elif name == "stanza":
            self._stanza(el, depth, style)
        elif name == "v":
            self._add(self._inline_block(el, style), style)
        elif name in ("text-author", "date"):
            self._add(self._inline_block(el, style.inner(align="right", flags=ITALIC)), style)
        elif name == "image":
            self._block_image(el, style)
        elif name == "table":
            for row in el:
                if local_name(row.tag) == "tr":
                    self._row(row, style)
        else:
            # Unknown elements keep their text: a newer or looser file still reads.
            self._children(el, depth, style, nesting, title_as_heading=title_as_heading)

    def _title(self, el: etree._Element, depth: int, style: _Style, *, as_heading: bool) -> None:
        items: list[Run | Image | Break | Mark] = []
        if el.text and el.text.strip():
            items.append(Run(el.text, style.flags))
        for line in el:
            if local_name(line.tag) in ("p", "subtitle"):
                if items:
                    items.append(Break())
                self._inline(line, items, style.flags, "", 0)
            if line.tail and line.tail.strip():
                items.append(Run(line.tail, style.flags))
        heading = as_heading and not self.plain_titles and depth > 0
        flags = 0 if heading else BOLD
        block = Block(
            kind=f"h{min(depth, 6)}" if heading else "p",
            indent=style.indent,
            align="" if heading or self.plain_titles else "center",
            items=[
                Run(i.text, i.flags | flags, i.href) if isinstance(i, Run) else i for i in items
            ],
        )
        if heading:
            self._heading(block, depth)
        else:
            self._add(block, style)

    def _heading(self, block: Block, level: int) -> None:
        if not normalise_block(block):
            return
        mark = f"{_TOC_MARK}{len(self.headings)}"
        block.items.insert(0, Mark(mark))
        title = " ".join(block.plain().split())
        self.headings.append(HeadingMark(min(level, 6), title, mark))
        self.blocks.append(block)

    def _paragraph(self, el: etree._Element, style: _Style, depth: int) -> None:
        block = self._inline_block(el, style)
        if self.promote_bold and style.indent == 0:
            level = _bold_heading_level(block, depth)
            if level:
                block.kind = f"h{level}"
                block.items = [
                    Run(i.text, i.flags & ~(BOLD | ITALIC), i.href) if isinstance(i, Run) else i
                    for i in block.items
                ]
                self._heading(block, level)
                return
        self._add(block, style)

    def _stanza(self, el: etree._Element, depth: int, style: _Style) -> None:
        lines = Block(indent=style.indent, align=style.align)
        for child in el:
            kind = local_name(child.tag)
            if kind == "v":
                if lines.items:
                    lines.items.append(Break())
                ident = child.get("id")
                if ident:
                    lines.items.append(Mark(ident))
                self._inline(child, lines.items, style.flags, "", 0)
            elif kind in ("title", "subtitle"):
                self._title(child, depth, style, as_heading=False)
        self._add(lines, style)

    def _row(self, row: etree._Element, style: _Style) -> None:
        block = Block(indent=style.indent)
        for cell in row:
            if local_name(cell.tag) not in ("td", "th"):
                continue
            if block.items:
                block.items.append(Run("   "))
            self._inline(
                cell,
                block.items,
                style.flags | (BOLD if local_name(cell.tag) == "th" else 0),
                "",
                0,
            )
        self._add(block, style)

    def _block_image(self, el: etree._Element, style: _Style) -> None:
        src = self.resolve_image(href_of(el))
        if src is not None:
            self.blocks.append(Block(align="center", items=[Image(src, el.get("alt") or "")]))
        title = el.get("title") or ""
        if title.strip():
            self._add(Block(align="center", items=[Run(title, ITALIC)]), style)

    def _add(self, block: Block, style: _Style) -> None:
        if not block.indent:
            block.indent = style.indent
        if not block.align:
            block.align = style.align
        self.blocks.append(block)

    # -- inline -------------------------------------------------------------------------

    def _inline_block(self, el: etree._Element, style: _Style) -> Block:
        block = Block(indent=style.indent, align=style.align)
        self._inline(el, block.items, style.flags, "", 0)
        return block

    def _inline(
        self,
        el: etree._Element,
        items: list[Run | Image | Break | Mark],
        flags: int,
        href: str,
        nesting: int,
    ) -> None:
        if el.text:
            items.append(Run(el.text, flags, href))
        for child in el:
            name = local_name(child.tag)
            if nesting > _MAX_DEPTH:
                items.append(Run(" ".join(child.itertext()), flags, href))
            elif name == "image":
                src = self.resolve_image(href_of(child))
                if src is not None:
                    items.append(Image(src, child.get("alt") or ""))
            elif name == "a":
                target = self.resolve_link(href_of(child))
                note = (child.get("type") or "").lower() == "note"
                self._inline(
                    child, items, flags | (SUP if note else 0), target or href, nesting + 1
                )
            elif name:
                ident = child.get("id")
                if ident:
                    items.append(Mark(ident))
                self._inline(child, items, flags | _INLINE_FLAGS.get(name, 0), href, nesting + 1)
            if child.tail:
                items.append(Run(child.tail, flags, href))


def _bold_heading_level(block: Block, depth: int) -> int:
    """The heading level of a paragraph that is a heading in bold only, or 0."""
    runs = [i for i in block.items if isinstance(i, Run) and i.text.strip()]
    if (
        not runs
        or not all(r.flags & BOLD for r in runs)
        or any(isinstance(i, Image) for i in block.items)
    ):
        return 0
    text = " ".join("".join(r.text for r in runs).split())
    if len(text) > _MAX_BOLD_HEADING:
        return 0
    shape = read_shape(text)
    if shape is None:
        return 0
    # Volumes, parts and books hold chapters; front matter stands beside them.
    return min(6, depth + (1 if 1 <= shape.rank <= 3 else 2))


def tidy(blocks: list[Block]) -> list[Block]:
    """Normalised blocks, with blank lines kept only between blocks of text, one at a time."""
    kept: list[Block] = []
    for block in blocks:
        marks_only = not normalise_block(block)
        if marks_only and not any(isinstance(i, Mark) for i in block.items):
            continue
        blank = _is_blank(block)
        if blank and (not kept or _is_blank(kept[-1]) or kept[-1].heading_level):
            continue
        if block.heading_level and kept and _is_blank(kept[-1]):
            kept.pop()
        kept.append(block)
    while kept and _is_blank(kept[-1]):
        kept.pop()
    return kept


def _is_blank(block: Block) -> bool:
    return [i.text for i in block.items if isinstance(i, Run)] == [_EMPTY_LINE]


def is_link(href: str) -> bool:
    """Whether ``href`` leads outside the book in a way the view offers to open."""
    return href.lower().startswith(_LINK_SCHEMES)
