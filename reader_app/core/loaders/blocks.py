"""A flat block model between the parsers and the reader view.

Every loader turns its input into a list of :class:`Block` and renders them with
:func:`render_blocks`. The renderer writes HTML in the small subset QTextBrowser handles,
and at the same time the plain text that QTextDocument will show for that HTML. Keeping
the structure flat (no nested blocks, no tables, no frames) is what makes the two agree
character for character, so an offset into ``Chapter.text`` is also a position in the view.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from reader_app.core.loaders.limits import MAX_BLOCK_CHARS

# Inline formatting flags.
BOLD = 1
ITALIC = 2
SUP = 4
SUB = 8
UNDERLINE = 16
CODE = 32

PREFORMATTED = frozenset({"pre", "verse"})
OBJECT_CHAR = "\ufffc"  # QTextDocument's placeholder for an inline image.

# Qt's HTML import collapses every Unicode space except the no-break space; so do we, or
# offsets in the text would drift from positions in the view.
_SPACE_RUN = re.compile(r"[^\S\xa0]+")
# Characters dropped outright: controls, soft hyphens, zero-width marks, BOMs, and the
# private object character (an image in the view must come only from <img>).
_DROP = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\u00ad\u200b\u2060\ufeff\ufffc\ufffe\uffff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def clean_text(raw: str) -> str:
    """Remove characters the view would not show or could not encode."""
    raw = _DROP.sub("", raw)
    return _SURROGATE.sub("\ufffd", raw)


@dataclass(slots=True)
class Run:
    """A piece of text with one formatting."""

    text: str
    flags: int = 0
    href: str = ""


@dataclass(slots=True)
class Image:
    """An inline image, by its resource name inside the book."""

    src: str
    alt: str = ""


@dataclass(slots=True)
class Break:
    """A line break inside a block (verse lines, addresses)."""


@dataclass(slots=True)
class Mark:
    """A link target (an element id) at this point of the text."""

    name: str


Inline = Run | Image | Break | Mark


@dataclass(slots=True)
class Block:
    """One paragraph-like block.

    Attributes:
        kind: "p", "h1".."h6", or one of PREFORMATTED: "pre" (code, monospace) and
            "verse" (plain-text poetry), which keep white space and line breaks.
        indent: nesting depth of quotes and lists, drawn as a left margin.
        align: "", "center" or "right".
        items: the inline content.
        toc_level: the heading's depth in the table of contents when it differs from its
            size; 0 makes it a top-level entry that never holds others (front matter).
    """

    kind: str = "p"
    indent: int = 0
    align: str = ""
    items: list[Inline] = field(default_factory=list)
    toc_level: int | None = None

    @property
    def heading_level(self) -> int:
        """1–6 for headings, 0 otherwise."""
        if len(self.kind) == 2 and self.kind[0] == "h" and self.kind[1].isdigit():
            return int(self.kind[1])
        return 0

    def plain(self) -> str:
        """The block's text as the view shows it (after normalisation)."""
        parts: list[str] = []
        for item in self.items:
            if isinstance(item, Run):
                parts.append(item.text)
            elif isinstance(item, Break):
                parts.append("\n")
            elif isinstance(item, Image):
                parts.append(OBJECT_CHAR)
        return "".join(parts)


def normalise_block(block: Block) -> bool:
    """Collapse white space the way an HTML view does; return False if the block is empty.

    Runs inside ``pre`` blocks keep their spacing; elsewhere every run of white space
    becomes one space, and spaces next to a block edge or a line break disappear.
    """
    if block.kind in PREFORMATTED:
        for item in block.items:
            if isinstance(item, Run):
                item.text = clean_text(item.text).replace("\r\n", "\n").replace("\r", "\n")
                item.text = item.text.replace("\t", "    ")
        _trim_pre(block)
        return any(
            (isinstance(i, Run) and i.text.strip()) or isinstance(i, Image) for i in block.items
        )
    at_line_start = True
    last_run: Run | None = None
    for item in block.items:
        if isinstance(item, Run):
            text = _SPACE_RUN.sub(" ", clean_text(item.text))
            if at_line_start or (last_run is not None and last_run.text.endswith(" ")):
                text = text.lstrip(" ")
            item.text = text
            if text:
                at_line_start = False
                last_run = item
        elif isinstance(item, Break):
            _rstrip(last_run)
            at_line_start = True
            last_run = None
        elif isinstance(item, Image):
            at_line_start = False
            last_run = None
    _rstrip(last_run)
    block.items = [i for i in block.items if not (isinstance(i, Run) and not i.text)]
    _trim_breaks(block)
    return any(isinstance(i, Run | Image) for i in block.items)


def _rstrip(run: Run | None) -> None:
    if run is not None:
        run.text = run.text.rstrip(" ")


def _trim_breaks(block: Block) -> None:
    """Drop line breaks at the start and end of a block, and runs of more than two."""
    items = block.items
    while items and isinstance(items[0], Break):
        items.pop(0)
    while items and isinstance(items[-1], Break):
        items.pop()
    cleaned: list[Inline] = []
    breaks = 0
    for item in items:
        if isinstance(item, Break):
            breaks += 1
            if breaks > 2:
                continue
        elif not isinstance(item, Mark):
            breaks = 0
        cleaned.append(item)
    block.items = cleaned


def _trim_pre(block: Block) -> None:
    """Strip blank lines at the edges of a preformatted block."""
    runs = [i for i in block.items if isinstance(i, Run)]
    if runs:
        runs[0].text = runs[0].text.lstrip("\n")
        runs[-1].text = runs[-1].text.rstrip()


@dataclass(slots=True)
class Rendered:
    """The HTML and plain text of a list of blocks, with link targets."""

    html: str
    text: str
    anchors: dict[str, int]
    block_starts: list[int]


def render_blocks(blocks: list[Block]) -> Rendered:
    """Render normalised blocks to Qt-subset HTML and the matching plain text.

    Blocks are separated by one newline in the text, as QTextDocument separates its
    blocks. Marks become entries in ``anchors``; the view scrolls by offset, so the HTML
    carries no ``<a name>``. A block longer than MAX_BLOCK_CHARS is shown as several (see
    :func:`split_long_block`); ``block_starts`` still has one entry per block given.
    """
    renderer = _Renderer()
    for given in blocks:
        first_piece = True
        for block in split_long_block(given):
            if renderer.add(block, record_start=first_piece):
                first_piece = False
    return renderer.finish()


@dataclass(slots=True)
class _Renderer:
    html_parts: list[str] = field(default_factory=list)
    text_parts: list[str] = field(default_factory=list)
    anchors: dict[str, int] = field(default_factory=dict)
    block_starts: list[int] = field(default_factory=list)
    pending_marks: list[str] = field(default_factory=list)
    offset: int = 0
    started: bool = False

    def add(self, block: Block, *, record_start: bool) -> bool:
        """Render one block (or a piece of one); False if it shows nothing."""
        inner: list[str] = []
        pieces: list[str] = []
        marks_here: list[tuple[str, int]] = []
        length = 0
        for item in block.items:
            if isinstance(item, Mark):
                marks_here.append((item.name, length))
                continue
            if isinstance(item, Run):
                inner.append(_run_html(item, preformatted=block.kind in PREFORMATTED))
                piece = item.text
            elif isinstance(item, Break):
                inner.append("<br />")
                piece = "\n"
            else:
                inner.append(_image_html(item))
                piece = OBJECT_CHAR
            pieces.append(piece)
            length += len(piece)
        if length == 0:
            # An empty block is not shown; its link targets point at the next block.
            self.pending_marks.extend(name for name, _ in marks_here)
            return False
        if self.started:
            self.text_parts.append("\n")
            self.offset += 1
        start = self.offset
        for name in self.pending_marks:
            self.anchors.setdefault(name, start)
        self.pending_marks.clear()
        for name, rel in marks_here:
            self.anchors.setdefault(name, start + rel)
        if record_start:
            self.block_starts.append(start)
        self.text_parts.extend(pieces)
        self.offset += length
        self.started = True
        self.html_parts.append(_block_html(block, "".join(inner)))
        return True

    def finish(self) -> Rendered:
        for name in self.pending_marks:
            self.anchors.setdefault(name, self.offset)
        return Rendered(
            "".join(self.html_parts), "".join(self.text_parts), self.anchors, self.block_starts
        )


def split_long_block(block: Block, limit: int = MAX_BLOCK_CHARS) -> list[Block]:
    """Cut a block longer than ``limit`` characters into blocks of at most ``limit``.

    Qt lays out each paragraph whole, and one with a very long unbreakable run freezes
    it for minutes; in pieces it stays fast. A piece ends, by preference, at a line
    break, then after a sentence, then at a space (each of which the new block boundary
    replaces, so the text keeps its words apart), and only failing all three at exactly
    ``limit`` characters. The work is linear in the length of the block.
    """
    items = block.items
    if len(items) == 1 and isinstance(items[0], Run) and len(items[0].text) <= limit:
        return [block]  # the usual paragraph, at no cost
    plain = block.plain()
    if len(plain) <= limit:
        return [block]
    cuts = _cut_points(plain, limit)
    pieces = [
        Block(block.kind, block.indent, block.align, items, block.toc_level if n == 0 else None)
        for n, items in enumerate(_split_items(block.items, cuts))
    ]
    result: list[Block] = []
    carried: list[Inline] = []
    for piece in pieces:
        piece.items[:0] = carried
        carried = []
        # The pieces' edges follow the same rules as a block's (no line break first or
        # last), so the text still equals what the view shows.
        if piece.kind in PREFORMATTED:
            _trim_pre(piece)
        else:
            _trim_breaks(piece)
        if any((isinstance(i, Run) and i.text) or isinstance(i, Image) for i in piece.items):
            result.append(piece)
        else:
            carried = [i for i in piece.items if isinstance(i, Mark)]
    if carried and result:
        result[-1].items.extend(carried)
    return result


def _cut_points(plain: str, limit: int) -> list[tuple[int, int]]:
    """Where to cut: (position, 1) drops the separator there, (position, 0) drops nothing."""
    cuts: list[tuple[int, int]] = []
    start = 0
    while len(plain) - start > limit:
        end = start + limit  # the character at ``end`` may be the dropped separator
        low = start + limit // 2
        pos = plain.rfind("\n", low, end + 1)
        if pos < 0:
            pos = max(plain.rfind(f"{mark} ", low, end) for mark in ".!?;")
            pos = pos + 1 if pos >= 0 else plain.rfind(" ", low, end + 1)
        if pos < 0:
            cuts.append((end, 0))
            start = end
        else:
            cuts.append((pos, 1))
            start = pos + 1
    return cuts


def _split_items(items: list[Inline], cuts: list[tuple[int, int]]) -> list[list[Inline]]:
    pieces: list[list[Inline]] = [[]]
    index = 0
    offset = 0
    for item in items:
        if isinstance(item, Mark):
            pieces[-1].append(item)
            continue
        if isinstance(item, Run):
            end = offset + len(item.text)
            begin = 0  # where the rest of this run starts, within it
            while index < len(cuts) and cuts[index][0] < end:
                pos, drop = cuts[index]
                rel = pos - offset
                if rel > begin:
                    pieces[-1].append(Run(item.text[begin:rel], item.flags, item.href))
                pieces.append([])
                begin = rel + drop
                index += 1
            if begin < len(item.text):
                pieces[-1].append(
                    item if begin == 0 else Run(item.text[begin:], item.flags, item.href)
                )
            offset = end
            continue
        if index < len(cuts) and cuts[index][0] == offset:
            drop = cuts[index][1]
            index += 1
            pieces.append([])
            if not drop:
                pieces[-1].append(item)
        else:
            pieces[-1].append(item)
        offset += 1
    return pieces


def _run_html(run: Run, *, preformatted: bool) -> str:
    text = html.escape(run.text, quote=False)
    if preformatted:
        text = text.replace("\n", "<br />")
    flags = run.flags
    for flag, tag in ((BOLD, "b"), (ITALIC, "i"), (UNDERLINE, "u"), (SUP, "sup"), (SUB, "sub")):
        if flags & flag:
            text = f"<{tag}>{text}</{tag}>"
    if flags & CODE:
        text = f'<span style="font-family: monospace">{text}</span>'
    if run.href:
        text = f'<a href="{html.escape(run.href, quote=True)}">{text}</a>'
    return text


def _image_html(image: Image) -> str:
    src = html.escape("res:" + image.src, quote=True)
    alt = html.escape(image.alt, quote=True)
    return f'<img src="{src}" alt="{alt}" />'


_HEADING_SIZE = {"h1": 1.6, "h2": 1.4, "h3": 1.2, "h4": 1.1, "h5": 1.0, "h6": 1.0}


def _block_html(block: Block, inner: str) -> str:
    style: list[str] = []
    if block.indent:
        style.append(f"margin-left: {min(block.indent, 8) * 2}em")
    attrs = f' align="{block.align}"' if block.align else ""
    if block.kind == "verse" or (
        block.kind == "p" and any(isinstance(i, Break) for i in block.items)
    ):
        # A block of lines (a stanza, an address): the view spaces these apart more.
        attrs += ' class="lines"'
    if block.kind in PREFORMATTED:
        style.append("white-space: pre-wrap")
        if block.kind == "pre":
            style.append("font-family: monospace")
        return f'<p{attrs} style="{"; ".join(style)}">{inner}</p>'
    if block.kind in _HEADING_SIZE:
        # Headings are drawn as bold paragraphs: Qt's own <hN> margins are large and fixed.
        style.append(f"font-size: {_HEADING_SIZE[block.kind]}em; font-weight: bold")
        style.append("margin-top: 1em; margin-bottom: 0.6em")
    style_attr = f' style="{"; ".join(style)}"' if style else ""
    return f"<p{attrs}{style_attr}>{inner}</p>"
