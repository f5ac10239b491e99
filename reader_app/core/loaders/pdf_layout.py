"""Rebuild reading text from the lines of PDF pages: pure Python over simple line records.

A PDF holds positioned lines, not paragraphs. This module takes the lines the extractor
found on each page (text, box, font size) and gives back the book's paragraphs and
headings in reading order, each knowing on which pages it lies:

* running heads, running feet and page numbers are dropped: lines at the top or bottom
  edge of the text that are only a page number, or that repeat (numbers aside) on other
  pages at the same height, or that sit in a band where such lines were found, apart
  from the body text;
* two-column pages are read column by column;
* paragraphs are rebuilt from the geometry: a first-line indent, a larger vertical gap,
  or a short last line ending a sentence start a new one;
* a word broken at a line end is joined again, unless it is a hyphenated compound: the
  book's own vocabulary decides ("excessively" is seen elsewhere, so "exces-sively" is
  joined; "well-known" keeps its hyphen when "wellknown" is not a word of the book);
* ligatures, soft hyphens, the hyphen markers pdfium writes and no-break spaces are
  normalised.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field

from reader_app.core.loaders.limits import MAX_BLOCK_CHARS

# Characters an extractor writes for a hyphen at a line end: pdfium's U+FFFE and U+0002,
# the soft hyphen, and the plain hyphen and its Unicode variants.
LINE_END_HYPHENS = "\ufffe\x02\xad-\u2010\u2011"
_SOFT_MARKS = re.compile("[\ufffe\x02\xad]")
_LIGATURES = str.maketrans(
    {
        "\ufb00": "ff",
        "\ufb01": "fi",
        "\ufb02": "fl",
        "\ufb03": "ffi",
        "\ufb04": "ffl",
        "\ufb05": "st",
        "\ufb06": "st",
        "\xa0": " ",
        "\u2002": " ",
        "\u2003": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\r": " ",
        "\n": " ",
        "\t": " ",
    }
)
# Control characters are dropped, except pdfium's U+0002 hyphen marker (a line end) and
# the line ends themselves, which the extractor splits at.
_CONTROL_CHARS = "\x00\x01\x03-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\u2060\ufeff\uffff"
_CONTROL = re.compile(f"[{_CONTROL_CHARS}]")
_ODD = re.compile(f"[\ufb00-\ufb06\xa0\u2002\u2003\u2009\u202f\t{_CONTROL_CHARS}]")
_SPACES = re.compile(r" {2,}")
# What a page number looks like on its own line: "12", "xiv", "- 12 -", "Page 12", "12 of 300".
_PAGE_NUMBER = re.compile(
    r"^(?:page\s+)?[-–—\s]*(?:\d{1,5}|[ivxlcdm]{1,8})(?:\s*(?:of|/)\s*\d{1,5})?[-–—\s]*$",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d+")
_SENTENCE_END = re.compile(r"[.!?:;…”’\"')\]]$")
# A line that begins a list item: a bullet, or a number or letter and a stop ("2.", "b)").
# Its next lines may hang under its text, indented like a paragraph's first line.
_LIST_ITEM = re.compile(r"^(?:[•◦▪▫‣∙●○■□►▸➢–*-]|\(?(?:\d{1,3}|[a-zA-Z])[.)])\s")
# A bullet always begins an item, wherever the line before it ends.
_BULLET = re.compile(r"^[•◦▪▫‣∙●○■□►▸➢]")

# How far down (or up) a page running heads and feet may sit, as a share of its height.
EDGE_BAND = 0.15
# A heading's font is at least this much larger than the body text's.
HEADING_RATIO = 1.18


@dataclass(slots=True)
class Line:
    """One line of text on a page, in points, with y growing down the page.

    Attributes:
        hyphen: the line ends with a hyphen the extractor marked (or a plain one).
    """

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float


@dataclass(slots=True)
class Page:
    """The lines of one page in the extractor's order, and the page's size."""

    width: float
    height: float
    lines: list[Line] = field(default_factory=list)


@dataclass(slots=True)
class Para:
    """A rebuilt paragraph or heading.

    Attributes:
        level: 0 for body text, 1.. for headings (1 the largest).
        page: index of the page it starts on.
        top: where on that page it starts.
        page_starts: (offset into ``text``, page index) where a later page begins inside it.
    """

    text: str
    level: int
    page: int
    top: float
    page_starts: list[tuple[int, int]] = field(default_factory=list)


def needs_normalising(text: str) -> bool:
    """Whether ``text`` holds anything :func:`normalise` would change."""
    return _ODD.search(text) is not None


def normalise(text: str) -> str:
    """Ligatures, odd spaces and control characters made plain."""
    return _CONTROL.sub("", text.translate(_LIGATURES))


def remove_furniture(pages: list[Page]) -> int:
    """Drop running heads, running feet and page numbers from ``pages``; return how many."""
    edges: list[tuple[int, Line, bool]] = []  # page index, line, at the top
    for index, page in enumerate(pages):
        if not page.lines:
            continue
        ordered = sorted(page.lines, key=lambda ln: ln.top)
        for line in ordered[:2]:
            if line.top < page.height * EDGE_BAND:
                edges.append((index, line, True))
        for line in ordered[-2:]:
            if line.bottom > page.height * (1 - EDGE_BAND) and all(
                line is not other for other in ordered[:2]
            ):
                edges.append((index, line, False))
    shapes = Counter(
        (_shape(line.text), top, round(line.top / 4)) for _, line, top in edges if line.text
    )
    furniture: set[int] = set()
    bands: set[tuple[bool, int]] = set()  # (at the top, height in 2.5-point steps)
    for index, line, top in edges:
        text = line.text.strip()
        repeated = shapes[(_shape(text), top, round(line.top / 4))] >= 3 and _shape(text)
        # Running heads and feet stand apart from the body text; a line of the text that
        # happens to recur (a refrain, a short page's last line) does not.
        if (_PAGE_NUMBER.match(text) or repeated) and _apart(pages[index], line):
            furniture.add(id(line))
            bands.add((top, round(line.top / 2.5)))
    if bands:
        # A running head that names the current chapter repeats on few pages: it is known
        # by its place, in a band where other running heads were found, apart from the body.
        for index, line, top in edges:
            if id(line) in furniture:
                continue
            step = round(line.top / 2.5)
            near = any((top, step + d) in bands for d in (-1, 0, 1))
            if near and _apart(pages[index], line):
                furniture.add(id(line))
    for page in pages:
        page.lines = [line for line in page.lines if id(line) not in furniture]
    return len(furniture)


def _shape(text: str) -> str:
    return " ".join(_DIGITS.sub("", text).lower().split())


def _apart(page: Page, line: Line) -> bool:
    """True if ``line`` is separated from the rest of its page by more than a line's gap."""
    others = [ln for ln in page.lines if ln is not line]
    if not others:
        return True
    gap = min(min(abs(ln.top - line.bottom), abs(line.top - ln.bottom)) for ln in others)
    return gap > line.size * 0.9


def body_size(pages: list[Page]) -> float:
    """The font size most of the book's characters are set in."""
    sizes: Counter[float] = Counter()
    for page in pages:
        for line in page.lines:
            sizes[round(line.size * 2) / 2] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


def reading_order(page: Page) -> list[list[Line]]:
    """The page's lines in reading order, as columns: two on a two-column page.

    Lines across both columns (a title) above the columns come first, in a group of their
    own, and those below them last.
    """
    lines = page.lines
    if len(lines) < 8:
        return [lines] if lines else []
    left = min(ln.x0 for ln in lines)
    right = max(ln.x1 for ln in lines)
    middle = (left + right) / 2
    slack = (right - left) * 0.02
    in_left = [ln for ln in lines if ln.x1 < middle + slack]
    in_right = [ln for ln in lines if ln.x0 > middle - slack]
    if len(in_left) < len(lines) * 0.3 or len(in_right) < len(lines) * 0.3:
        return [lines]
    first_column_top = min(ln.top for ln in in_left + in_right)
    groups: list[list[Line]] = [[], [], [], []]
    for line in lines:
        if line.x1 < middle + slack:
            groups[1].append(line)
        elif line.x0 > middle - slack:
            groups[2].append(line)
        else:
            groups[0 if line.top <= first_column_top else 3].append(line)
    return [sorted(group, key=lambda ln: ln.top) for group in groups if group]


@dataclass(slots=True)
class _Column:
    left: float
    right: float
    pitch: float


def _column(lines: list[Line]) -> _Column:
    """A column's edges and typical line spacing."""
    starts = Counter(round(ln.x0) for ln in lines)
    shared = [x for x, n in starts.items() if n >= 2]
    left = min(shared) if shared and len(lines) > 2 else min(ln.x0 for ln in lines)
    right = max(ln.x1 for ln in lines)
    pitches = [b.top - a.top for a, b in itertools.pairwise(lines) if 0 < b.top - a.top < 40]
    pitch = statistics.median(pitches) if pitches else 14.0
    return _Column(left, right, pitch)


def paragraphs(pages: list[Page]) -> list[Para]:
    """The book's paragraphs and headings in reading order, across page breaks."""
    builder = _ParagraphBuilder(body_size(pages), pages)
    for index, page in enumerate(pages):
        new_page = True
        for group in reading_order(page):
            column = _column(group)
            new_column = True
            for line in group:
                if builder.add(line, column, index, new_page=new_page, new_column=new_column):
                    new_page = new_column = False
    builder.close()
    return builder.paras


class _ParagraphBuilder:
    def __init__(self, size: float, pages: list[Page]) -> None:
        self.size = size
        heading_sizes = sorted(
            {round(ln.size) for p in pages for ln in p.lines if ln.size >= size * HEADING_RATIO},
            reverse=True,
        )
        self.levels = {s: min(n + 1, 3) for n, s in enumerate(heading_sizes)}
        self.paras: list[Para] = []
        self.pieces: list[str] = []
        self.length = 0
        self.current: Para | None = None
        self.previous: Line | None = None
        self.previous_column: _Column | None = None
        self.first: Line | None = None  # the first line of the paragraph being built

    def add(
        self, line: Line, column: _Column, page: int, *, new_page: bool, new_column: bool
    ) -> bool:
        """Add one line; False if it holds no text."""
        text = _SPACES.sub(" ", line.text.strip(" "))
        if not text:
            return False
        level = (
            self.levels.get(round(line.size), 0) if line.size >= self.size * HEADING_RATIO else 0
        )
        current = self.current
        if (
            current is None
            or level != current.level
            or self.previous is None
            # A paragraph running on for pages (a file of one endless line) is cut where a
            # page begins, so that chapters and pieces of text stay a readable size.
            or (new_page and self.length > MAX_BLOCK_CHARS)
            or (not level and _BULLET.match(text) is not None)
            or (
                _breaks(self.previous, self.previous_column, line, column, new_column, level)
                and not _hangs(self.first, self.previous, line, column, new_column)
            )
        ):
            self.close()
            current = self.current = Para("", level, page, line.top)
            self.first = line
        else:
            self._append("\n")  # a line end: joined or made a space by join_lines
            if new_page:
                current.page_starts.append((self.length, page))
        self._append(text)
        self.previous, self.previous_column = line, column
        return True

    def _append(self, text: str) -> None:
        self.pieces.append(text)
        self.length += len(text)

    def close(self) -> None:
        if self.current is not None and self.pieces:
            self.current.text = "".join(self.pieces)
            self.paras.append(self.current)
        self.pieces.clear()
        self.length = 0
        self.current = None


def _breaks(
    previous: Line,
    previous_column: _Column | None,
    line: Line,
    column: _Column,
    new_page: bool,
    level: int,
) -> bool:
    """True if ``line`` starts a new paragraph after ``previous``."""
    indent = line.x0 - column.left
    if level:
        # Heading lines stay together unless far apart.
        return not new_page and line.top - previous.bottom > previous.size * 1.5
    if indent > line.size * 0.8 and indent < (column.right - column.left) * 0.4:
        return True
    if not new_page and line.top - previous.top > column.pitch * 1.45:
        return True
    if previous_column is not None:
        short = previous.x1 < previous_column.right - previous.size * 2.5
        if short and _SENTENCE_END.search(previous.text.strip()):
            return True
    return False


def _hangs(
    first: Line | None, previous: Line, line: Line, column: _Column, new_column: bool
) -> bool:
    """True if ``line`` runs on a list item, indented under its text (a hanging indent).

    Only the indent of a paragraph's first line is forgiven, and only after a full line
    (the item's text wrapped there): after a short line ("0. PREAMBLE") or a gap, an
    indented line begins a paragraph of its own.
    """
    if first is None or new_column or _LIST_ITEM.match(first.text.strip()) is None:
        return False
    if not first.x0 + line.size * 0.5 < line.x0 < first.x0 + (column.right - column.left) * 0.4:
        return False
    if previous is not first and abs(line.x0 - previous.x0) > line.size * 0.5:
        return False  # the item's own lines keep one left edge
    if line.top - previous.top > column.pitch * 1.2:
        return False  # set off by even a little space: a list is over ("Elements of ...")
    return _wrapped(previous, line, column)


def _wrapped(previous: Line, line: Line, column: _Column) -> bool:
    """True if ``line``'s first word would not have fitted at the end of ``previous``.

    Ragged-right text leaves lines short by up to a long word: the line was full if the
    word that opens the next one (at the previous line's letter width) runs past the edge.
    """
    text = previous.text.strip()
    word = line.text.strip().split(" ", 1)[0]
    if not text or not word:
        return False
    letter = (previous.x1 - previous.x0) / len(text)
    return previous.x1 + letter * (len(word) + 1) > column.right - previous.size * 0.25


_BREAK = re.compile("[\ufffe\x02\xad\\-\u2010\u2011]\n")
_HEAD = re.compile(r"[^\W\d_]+$")
_TAIL = re.compile(r"[^\W\d_]+")
_PLAIN_WORD = re.compile(r"[^\W\d_]+")
# Tried at word starts only (\b): without it the search costs three times as much.
_COMPOUND = re.compile(r"\b[^\W\d_]+(?:-[^\W\d_]+)+")


def _broken_words(text: str) -> list[tuple[int, int, str, str]]:
    """Words broken at line ends: (start of head, end of tail, head, tail)."""
    found: list[tuple[int, int, str, str]] = []
    for match in _BREAK.finditer(text):
        pos = match.start()
        head = _HEAD.search(text, max(0, pos - 60), pos)
        tail = _TAIL.match(text, pos + 2, pos + 62)
        if head and tail:
            found.append((head.start(), tail.end(), head.group(), tail.group()))
    return found


def vocabulary(paras: list[Para]) -> tuple[set[str], set[str]]:
    """Words the book uses inside its lines, and its hyphenated compounds.

    The pieces of words broken at line ends are not counted: they are what is being judged.
    """
    counts: Counter[str] = Counter()
    compounds: set[str] = set()
    for para in paras:
        text = para.text.lower()
        counts.update(_PLAIN_WORD.findall(text))
        if "-" in text:
            compounds.update(_COMPOUND.findall(text))
        for _, _, head, tail in _broken_words(text):
            counts[head] -= 1
            counts[tail] -= 1
    return {word for word, n in counts.items() if n > 0}, compounds


def join_lines(para: Para, words: set[str], compounds: set[str]) -> None:
    """Join the lines of ``para`` into one, mending words broken at line ends.

    A line end is a space, except after a word broken by a hyphen (joined, or kept as a
    compound) and after a dash that follows a word ("superior to—" above "You"), where the
    printed line break was the only thing between them.
    """
    text = para.text
    pieces: list[str] = []
    shifts: list[tuple[int, int]] = []  # (position in the old text, characters removed)
    done = 0
    broken = {
        head_start: (tail_end, head, tail)
        for head_start, tail_end, head, tail in (_broken_words(text))
    }
    ends = {
        tail_end - len(tail) - 2: head_start for head_start, (tail_end, _, tail) in broken.items()
    }
    for match in _NEWLINE.finditer(text):
        pos = match.start()
        before = text[pos - 1] if pos else ""
        if pos - 1 in ends:
            head_start = ends[pos - 1]
            _, head, tail = broken[head_start]
            keep = _keeps_hyphen(head, tail, words, compounds)
            pieces.append(text[done : pos - 1])
            pieces.append("-" if keep else "")
            shifts.append((pos + 1, 1 if keep else 2))
            done = pos + 1
        elif before in _DASHES and pos >= 2 and not text[pos - 2].isspace():
            pieces.append(text[done:pos])
            shifts.append((pos + 1, 1))
            done = pos + 1
        else:
            pieces.append(text[done:pos])
            pieces.append(" ")
            done = pos + 1
    pieces.append(text[done:])
    text = "".join(pieces)
    if shifts:
        para.page_starts = [(_moved(offset, shifts), page) for offset, page in para.page_starts]
    if "\xad" in text or "\ufffe" in text or "\x02" in text:
        removed = [m.start() for m in _SOFT_MARKS.finditer(text)]
        text = _SOFT_MARKS.sub("", text)
        para.page_starts = [
            (offset - sum(1 for m in removed if m < offset), page)
            for offset, page in para.page_starts
        ]
    para.text = text


_NEWLINE = re.compile("\n")
_DASHES = frozenset("\u2014\u2013-\ufffe\x02")


def _keeps_hyphen(head: str, tail: str, words: set[str], compounds: set[str]) -> bool:
    """Whether a word broken at a line end is a hyphenated compound."""
    if tail[:1].isupper() and not head.isupper():
        return True  # "Anglo-\nSaxon": a capital after the break is not a word's middle
    head, tail = head.lower(), tail.lower()
    if head + tail in words:
        return False
    return f"{head}-{tail}" in compounds or (head in words and tail in words)


def _moved(offset: int, shifts: list[tuple[int, int]]) -> int:
    return offset - sum(removed for start, removed in shifts if start <= offset)
