"""Plain-text books: Project Gutenberg wrapping, headings, verse and prose paragraphs."""

from __future__ import annotations

import re
from dataclasses import dataclass

from reader_app.core.loaders.blocks import ITALIC, Block, Break, Inline, Run
from reader_app.core.loaders.gutenberg import split_gutenberg
from reader_app.core.loaders.text_headings import Para, find_headings

_ITALIC = re.compile(r"(?<![\w_])_(?=\S)([^_\n]{1,400}?)(?<=\S)_(?![\w_])")
# Only what needs collapsing: runs of white space and lone tabs or other spaces. A single
# space, by far the most common, is not a match, so the common case copies nothing.
_WHITE_SPACE = re.compile(r"\s{2,}|[^\S ]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_MAX_PARAGRAPH = 8_000  # longer paragraphs are cut: one huge block makes layout slow


@dataclass(slots=True)
class TextBook:
    """A plain-text file read into metadata and blocks."""

    title: str
    author: str
    language: str
    blocks: list[Block]
    about: str = ""  # Project Gutenberg's header, credits and licence


def read_plain_text(text: str, fallback_title: str) -> TextBook:
    """Turn decoded text into headed blocks, ready to be cut into chapters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    wrapped = split_gutenberg(text)
    fields = wrapped.fields
    paras = _paragraphs(wrapped.body)
    headings = find_headings(paras)
    blocks: list[Block] = []
    index = 0
    while index < len(paras):
        heading = headings.get(index)
        if heading is None:
            blocks.extend(_body(paras[index]))
            index += 1
            continue
        lines = [line for para in paras[index : index + heading.span] for line in para.lines]
        blocks.append(_heading(lines, heading.level))
        index += heading.span
    title = fields.get("title") or _first_line(paras) or fallback_title
    language = _language(fields.get("language", ""))
    return TextBook(title, fields.get("author", ""), language, blocks, wrapped.about)


def _language(name: str) -> str:
    names = {"english": "en", "german": "de", "french": "fr", "spanish": "es", "italian": "it"}
    return names.get(name.strip().lower(), name.strip()[:12])


def _first_line(paras: list[Para]) -> str:
    for para in paras[:5]:
        line = para.lines[0].strip().rstrip(",")
        if 0 < len(line) <= 100:
            return line
    return ""


def _paragraphs(body: str) -> list[Para]:
    """Split at blank lines, remembering how many blank lines came before each paragraph."""
    paras: list[Para] = []
    lines: list[str] = []
    gap = 0
    for raw in body.split("\n"):
        line = raw.rstrip()
        if line.strip():
            lines.append(line)
            continue
        if lines:
            paras.append(Para(lines, gap))
            lines, gap = [], 0
        gap += 1
    if lines:
        paras.append(Para(lines, gap))
    return paras


# -- blocks ---------------------------------------------------------------------------------


def _heading(lines: list[str], level: int) -> Block:
    items: list[Inline] = []
    for n, line in enumerate(lines):
        if n:
            items.append(Break())
        items.append(Run(line.strip()))
    return Block(kind="h2", align="center", items=items, toc_level=level)


def _is_verse(lines: list[str]) -> bool:
    if len(lines) < 2:
        return len(lines) == 1 and lines[0].startswith("  ") and len(lines[0]) < 60
    widths = [len(line.rstrip()) for line in lines[:-1]]
    if max(widths) <= 55:
        return True
    indented = sum(1 for line in lines if line.startswith("  "))
    ragged = max(widths) - min(widths) > 25
    return indented * 2 >= len(lines) and ragged


def _body(para: Para) -> list[Block]:
    lines = para.lines
    if _is_verse(lines):
        margin = min(len(line) - len(line.lstrip(" ")) for line in lines)
        # One run with newlines, not a run and a break per line: verse keeps its line
        # breaks as text (they render as <br />), and a "poem" of two million lines costs
        # two objects instead of four million. Italics never span a line break.
        verse = "\n".join(line[margin:] for line in lines)
        return [Block(kind="verse", indent=1 if margin >= 2 else 0, items=_inline(verse))]
    indent = 1 if all(line.startswith("  ") for line in lines) else 0
    # A regular expression, not split() and join(): one huge paragraph would otherwise
    # become millions of word objects at once (300 MB for 30 million characters).
    prose = _WHITE_SPACE.sub(" ", " ".join(lines)).strip()
    return [Block(kind="p", indent=indent, items=_inline(piece)) for piece in _cut_long(prose)]


def _cut_long(text: str) -> list[str]:
    """Cut a long paragraph after a sentence, or at a space, into pieces of _MAX_PARAGRAPH.

    It walks the text with an index and searches only inside each window, so the work is
    linear in the length of the paragraph (slicing the rest off each time was quadratic:
    a 50 MB paragraph took a minute and a half).
    """
    if len(text) <= _MAX_PARAGRAPH:
        return [text]
    pieces: list[str] = []
    start = 0
    # ``text`` is white-space collapsed: pieces never start or end with more than one space.
    while len(text) - start > _MAX_PARAGRAPH:
        end = start + _MAX_PARAGRAPH
        half = start + _MAX_PARAGRAPH // 2
        cut = max(text.rfind(". ", start, end), text.rfind("? ", start, end))
        cut = max(cut, text.rfind("! ", start, end))
        if cut < half:
            cut = text.rfind(" ", start, end)
        if cut < half:
            cut = end - 1
        pieces.append(text[start : cut + 1].rstrip())
        start = cut + 1
        if text.startswith(" ", start):
            start += 1
    if start < len(text):
        pieces.append(text[start:])
    return [piece for piece in pieces if piece]


def _inline(text: str) -> list[Inline]:
    """Gutenberg marks italics as _word_; show them as italics without the underscores."""
    if "_" not in text:
        return [Run(text)]
    items: list[Inline] = []
    pos = 0
    for match in _ITALIC.finditer(text):
        if match.start() > pos:
            items.append(Run(text[pos : match.start()]))
        items.append(Run(match.group(1), ITALIC))
        pos = match.end()
    if pos < len(text):
        items.append(Run(text[pos:]))
    return items
