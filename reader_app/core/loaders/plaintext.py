"""Plain-text books: Project Gutenberg wrapping, headings, verse and prose paragraphs."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from reader_app.core.loaders.blocks import ITALIC, Block, Break, Inline, Run
from reader_app.core.loaders.gutenberg import _PRODUCED_BY, strip_gutenberg

_KEYWORD = re.compile(
    r"^(?:(?P<top>BOOK|PART|VOLUME|(?:FIRST |SECOND |THIRD |FINAL )?EPILOGUE)"
    r"|(?P<chapter>CHAPTER|CHAP\.|LETTER|STAVE|PROLOGUE|PREFACE|INTRODUCTION|APPENDIX"
    r"|CONCLUSION|AFTERWORD|FOREWORD))\b(?P<rest>.*)$",
    re.IGNORECASE,
)
_NUMBERED_REST = re.compile(r"^\s*([IVXLCDM]+\b|\d+\b|[A-Z]+\b|the [a-z]+\b|$)", re.IGNORECASE)
_NUMERAL = re.compile(r"^(?:[IVXLCDM]{1,8}|\d{1,3})\.?$")
_ITALIC = re.compile(r"(?<![\w_])_(?=\S)([^_\n]{1,400}?)(?<=\S)_(?![\w_])")
# Only what needs collapsing: runs of white space and lone tabs or other spaces. A single
# space, by far the most common, is not a match, so the common case copies nothing.
_WHITE_SPACE = re.compile(r"\s{2,}|[^\S ]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_MAX_PARAGRAPH = 8_000  # longer paragraphs are cut: one huge block makes layout slow


@dataclass(slots=True)
class _Para:
    lines: list[str]
    gap: int  # blank lines before it


@dataclass(slots=True)
class TextBook:
    """A plain-text file read into metadata and blocks."""

    title: str
    author: str
    language: str
    blocks: list[Block]


def read_plain_text(text: str, fallback_title: str) -> TextBook:
    """Turn decoded text into headed blocks, ready to be cut into chapters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    body, fields = strip_gutenberg(text)
    paras = _paragraphs(body)
    if paras and _PRODUCED_BY.match(paras[0].lines[0]):
        paras.pop(0)
    levels = _heading_levels(paras)
    blocks: list[Block] = []
    for index, para in enumerate(paras):
        level = levels.get(index)
        if level is not None:
            blocks.append(_heading(para, level))
        else:
            blocks.extend(_body(para))
    title = fields.get("title") or _first_line(paras) or fallback_title
    return TextBook(title, fields.get("author", ""), _language(fields.get("language", "")), blocks)


def _language(name: str) -> str:
    names = {"english": "en", "german": "de", "french": "fr", "spanish": "es", "italian": "it"}
    return names.get(name.strip().lower(), name.strip()[:12])


def _first_line(paras: list[_Para]) -> str:
    for para in paras[:5]:
        line = para.lines[0].strip().rstrip(",")
        if 0 < len(line) <= 100:
            return line
    return ""


def _paragraphs(body: str) -> list[_Para]:
    """Split at blank lines, remembering how many blank lines came before each paragraph."""
    paras: list[_Para] = []
    lines: list[str] = []
    gap = 0
    for raw in body.split("\n"):
        line = raw.rstrip()
        if line.strip():
            lines.append(line)
            continue
        if lines:
            paras.append(_Para(lines, gap))
            lines, gap = [], 0
        gap += 1
    if lines:
        paras.append(_Para(lines, gap))
    return paras


# -- headings ---------------------------------------------------------------------------


def _keyword_level(para: _Para) -> int:
    if len(para.lines) > 2 or para.gap < 1:
        return 0
    line = para.lines[0].strip()
    if len(line) > 70:
        return 0
    match = _KEYWORD.match(line)
    if match is None:
        return 0
    rest = match.group("rest")
    # "Chapter 4", "BOOK ONE: 1805", "PREFACE" — but not "Letters were written…".
    if not (line.isupper() or _NUMBERED_REST.match(rest)):
        return 0
    if not line.isupper() and rest.strip() and not re.match(r"^\s*[\dIVXLC]", rest):
        return 0
    return 1 if match.group("top") else 2


def _gap_heading(para: _Para) -> bool:
    if para.gap < 3 or len(para.lines) > 4:
        return False
    joined = " ".join(line.strip() for line in para.lines)
    letters = [c for c in joined if c.isalpha()]
    if not letters or len(joined) > 250 or any(len(line.strip()) > 75 for line in para.lines):
        return False
    return sum(c.isupper() for c in letters) >= 0.6 * len(letters)


def _heading_levels(paras: list[_Para]) -> dict[int, int]:
    """Decide which paragraphs are headings, and at which level.

    Level 0 marks a front-matter title (ADVERTISEMENT, ETYMOLOGY…): it starts a chapter
    but is never the parent of other entries in the table of contents.
    """
    keyword = {i: lvl for i, p in enumerate(paras) if (lvl := _keyword_level(p))}
    keyword = _drop_contents_lists(keyword, paras)
    chosen: dict[int, int] = {}
    if len(keyword) >= 2:
        chosen = keyword
    else:
        numerals = {
            i: 2
            for i, p in enumerate(paras)
            if p.gap >= 3 and len(p.lines) == 1 and _NUMERAL.match(p.lines[0].strip())
        }
        if len(numerals) >= 2:
            chosen = numerals
    first = min(chosen) if chosen else len(paras)
    # Front matter, and books made only of titled pieces (poems), are cut where a
    # capitalised title stands after a wide gap and has some text under it.
    candidates = [i for i, p in enumerate(paras[:first]) if _gap_heading(p) and i not in chosen]
    bounds = sorted([*candidates, *chosen, len(paras)])
    gaps: dict[int, int] = {}
    for i in candidates:
        end = bounds[bisect.bisect_right(bounds, i)]
        if sum(len("".join(p.lines)) for p in paras[i + 1 : end]) >= 200:
            gaps[i] = 0 if chosen else 2
    if len(gaps) + len(chosen) >= 2:
        chosen.update(gaps)
    return chosen


def _drop_contents_lists(headings: dict[int, int], paras: list[_Para]) -> dict[int, int]:
    """Remove headings that are lines of a table of contents.

    A contents list looks like many headings in a row with (almost) nothing between
    them. Its entries come before the real headings they name, so a top-level heading
    right after the list whose text comes again later (``Epilogue``) belongs to it too;
    a trailing top-level heading that does not come again (``BOOK ONE``) is real.
    """
    order = sorted(headings)
    texts = [" ".join(paras[i].lines[0].split()).casefold() for i in order]
    last_seen = {text: n for n, text in enumerate(texts)}
    empty: list[bool] = []
    for n, index in enumerate(order):
        end = order[n + 1] if n + 1 < len(order) else len(paras)
        body = sum(len("".join(p.lines).strip()) for p in paras[index + 1 : end])
        empty.append(body < 40)

    def recurs(n: int) -> bool:
        # Looked up, not searched: a book of many headings would make a search quadratic.
        return last_seen[texts[n]] > n

    result = dict(headings)
    n = 0
    while n < len(order):
        if not empty[n]:
            n += 1
            continue
        run_end = n
        while run_end < len(order) and empty[run_end]:
            run_end += 1
        if run_end - n >= 4:
            keep_from = run_end
            while (
                keep_from > n and headings[order[keep_from - 1]] == 1 and not recurs(keep_from - 1)
            ):
                keep_from -= 1
            drop = list(range(n, keep_from))
            after = run_end
            while (
                keep_from == run_end
                and after < len(order)
                and headings[order[after]] == 1
                and recurs(after)
            ):
                drop.append(after)
                after += 1
            for k in drop:
                del result[order[k]]
            run_end = max(run_end, after)
        n = run_end
    return result


# -- blocks ---------------------------------------------------------------------------------


def _heading(para: _Para, level: int) -> Block:
    items: list[Inline] = []
    for n, line in enumerate(para.lines):
        if n:
            items.append(Break())
        items.append(Run(line.strip()))
    return Block(kind=f"h{max(level, 2)}", align="center", items=items, toc_level=level)


def _is_verse(lines: list[str]) -> bool:
    if len(lines) < 2:
        return len(lines) == 1 and lines[0].startswith("  ") and len(lines[0]) < 60
    widths = [len(line.rstrip()) for line in lines[:-1]]
    if max(widths) <= 55:
        return True
    indented = sum(1 for line in lines if line.startswith("  "))
    ragged = max(widths) - min(widths) > 25
    return indented * 2 >= len(lines) and ragged


def _body(para: _Para) -> list[Block]:
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
