"""Headings of a plain-text book: which paragraphs are chapter and part titles."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

_KEYWORD = re.compile(
    r"^(?:(?P<top>BOOK|PART|VOLUME|(?:FIRST |SECOND |THIRD |FINAL )?EPILOGUE)"
    r"|(?P<chapter>CHAPTER|CHAP\.|LETTER|STAVE|PROLOGUE|PREFACE|INTRODUCTION|APPENDIX"
    r"|CONCLUSION|AFTERWORD|FOREWORD))\b(?P<rest>.*)$",
    re.IGNORECASE,
)
_NUMBERED_REST = re.compile(r"^\s*([IVXLCDM]+\b|\d+\b|[A-Z]+\b|the [a-z]+\b|$)", re.IGNORECASE)
_NUMERAL = re.compile(r"^(?:[IVXLCDM]{1,8}|\d{1,3})\.?$")


@dataclass(slots=True)
class Para:
    """A paragraph of a plain-text book: its lines and the blank lines before it."""

    lines: list[str]
    gap: int  # blank lines before it


@dataclass(slots=True, frozen=True)
class Heading:
    """A heading found in the text: its level and how many paragraphs it spans.

    Level 0 marks a front-matter title (ADVERTISEMENT, ETYMOLOGY…); 1 a part, book or act;
    2 a chapter, scene or letter. A heading spans more than one paragraph when its title
    stands under its number after a blank line (``CHAPTER I.`` / ``The Period``).
    """

    level: int
    span: int = 1


def find_headings(paras: list[Para]) -> dict[int, Heading]:
    """The headings among ``paras``, by the index of their first paragraph."""
    return {index: Heading(level) for index, level in _heading_levels(paras).items()}


def _keyword_level(para: Para) -> int:
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


def _gap_heading(para: Para) -> bool:
    if para.gap < 3 or len(para.lines) > 4:
        return False
    joined = " ".join(line.strip() for line in para.lines)
    letters = [c for c in joined if c.isalpha()]
    if not letters or len(joined) > 250 or any(len(line.strip()) > 75 for line in para.lines):
        return False
    return sum(c.isupper() for c in letters) >= 0.6 * len(letters)


def _heading_levels(paras: list[Para]) -> dict[int, int]:
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


def _drop_contents_lists(headings: dict[int, int], paras: list[Para]) -> dict[int, int]:
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
