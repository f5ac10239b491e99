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
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b\u2060\ufeff\uffff]")
_SPACES = re.compile(r" {2,}")
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
# What a page number looks like on its own line: "12", "xiv", "- 12 -", "Page 12", "12 of 300".
_PAGE_NUMBER = re.compile(
    r"^(?:page\s+)?[-–—\s]*(?:\d{1,5}|[ivxlcdm]{1,8})(?:\s*(?:of|/)\s*\d{1,5})?[-–—\s]*$",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d+")
_SENTENCE_END = re.compile(r"[.!?:;…”’\"')\]]$")

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
            if line.bottom > page.height * (1 - EDGE_BAND) and line not in ordered[:2]:
                edges.append((index, line, False))
    shapes = Counter(
        (_shape(line.text), top, round(line.top / 4)) for _, line, top in edges if line.text
    )
    furniture: set[int] = set()
    bands: list[tuple[bool, float]] = []
    for _, line, top in edges:
        text = line.text.strip()
        repeated = shapes[(_shape(text), top, round(line.top / 4))] >= 3 and _shape(text)
        if _PAGE_NUMBER.match(text) or repeated:
            furniture.add(id(line))
            bands.append((top, line.top))
    if bands:
        # A running head that names the current chapter repeats on few pages: it is known
        # by its place, in a band where other running heads were found, apart from the body.
        for index, line, top in edges:
            if id(line) in furniture:
                continue
            if any(t == top and abs(line.top - y) < 2.5 for t, y in bands) and _apart(
                pages[index], line
            ):
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
    pitches = [
        b.top - a.top for a, b in itertools.pairwise(lines) if 0 < b.top - a.top < 40
    ]
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
            or _breaks(self.previous, self.previous_column, line, column, new_column, level)
        ):
            self.close()
            current = self.current = Para("", level, page, line.top)
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


def vocabulary(paras: list[Para]) -> tuple[set[str], set[str]]:
    """Words the book uses inside its lines, and its hyphenated compounds.

    The pieces of words broken at line ends are not counted: they are what is being judged.
    """
    words: set[str] = set()
    compounds: set[str] = set()
    for para in paras:
        broken_before = False
        for line in para.text.split("\n"):
            tokens = _WORD.findall(line)
            broken_after = bool(line) and line[-1] in LINE_END_HYPHENS
            if broken_after and tokens:
                tokens.pop()
            if broken_before and tokens:
                tokens.pop(0)
            for token in tokens:
                _count(token.lower(), words, compounds)
            broken_before = broken_after
    return words, compounds


def _count(token: str, words: set[str], compounds: set[str]) -> None:
    if "-" in token:
        compounds.add(token)
        words.update(token.split("-"))
    else:
        words.add(token)


_BROKEN = re.compile(r"([^\W\d_]+)[\ufffe\x02\xad\-\u2010\u2011]\n([^\W\d_]+)")


def join_lines(para: Para, words: set[str], compounds: set[str]) -> None:
    """Join the lines of ``para`` into one, mending words broken at line ends."""
    text = para.text
    if "\n" not in text:
        para.text = _SOFT_MARKS.sub("", text)
        return
    shifts: list[tuple[int, int]] = []  # (position in the old text, characters removed)

    def mend(match: re.Match[str]) -> str:
        head, tail = match.group(1), match.group(2)
        joined = (head + tail).lower()
        compound = f"{head}-{tail}".lower()
        keep = joined not in words and (
            compound in compounds or (head.lower() in words and tail.lower() in words)
        )
        if tail[:1].isupper() and not head.isupper():
            keep = True  # "Anglo-\nSaxon": a capital after the break is not a word's middle
        shifts.append((match.start(2), 1 if keep else 2))
        return f"{head}-{tail}" if keep else head + tail

    text = _BROKEN.sub(mend, text)
    para.page_starts = [(_moved(offset, shifts), page) for offset, page in para.page_starts]
    text = text.replace("\n", " ")
    removed_marks = [m.start() for m in _SOFT_MARKS.finditer(text)]
    text = _SOFT_MARKS.sub("", text)
    if removed_marks:
        para.page_starts = [
            (offset - sum(1 for m in removed_marks if m < offset), page)
            for offset, page in para.page_starts
        ]
    para.text = text


def _moved(offset: int, shifts: list[tuple[int, int]]) -> int:
    return offset - sum(removed for start, removed in shifts if start <= offset)
