"""Full-text search across a book's chapters.

Matching runs a compiled :mod:`re` pattern over each chapter's original text instead of over a
lower-cased copy: ``str.lower()`` changes lengths for some characters (``"İ".lower()`` is two
code points), which would shift every offset after them. ``re.IGNORECASE`` compares character
by character, so a hit's ``start``/``end`` always index the text that actually matched.

A one-word query is found faster: ``str.find`` in a lower-cased copy of the chapter gives
the places where it may start, and the pattern itself decides at each one. The copy is
used only where it keeps every offset and holds none of the few characters that
``re.IGNORECASE`` pairs beyond lower case (``ſ`` with ``s``, ``ı`` with ``i``); elsewhere
the pattern scans the chapter as before. The search runs on a worker thread that shares
Python's global lock with the window: ``str.find`` scans War and Peace in 3 ms where the
pattern took 50, so the search holds that lock for less time (lower-casing and the snippets
of the hits are most of what is left).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

__all__ = ["SNIPPET_CONTEXT", "SearchHit", "search_book"]

SNIPPET_CONTEXT = 40
"""Characters of context taken from each side of a match for its snippet."""

# A partial word at a snippet's edge is dropped only when the word is short; otherwise
# the snippet would lose most of its context to one long word.
_EDGE_WORD_MAX = 15

_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One match of a search.

    Attributes:
        chapter: index of the chapter in reading order.
        start: code point offset of the match in the chapter's text.
        end: code point offset just past the match.
        snippet: the match with about :data:`SNIPPET_CONTEXT` characters either side, each run of
            whitespace (line breaks included) collapsed to one space, for a results list.
        snippet_start: where the match begins inside ``snippet`` (for bolding it).
        snippet_end: where the match ends inside ``snippet``.
    """

    chapter: int
    start: int
    end: int
    snippet: str
    snippet_start: int
    snippet_end: int


@dataclass(frozen=True, slots=True)
class _Query:
    pattern: re.Pattern[str]
    # Whether a match must not follow a word character (whole words, query starts with one).
    check_start: bool
    # For one word: the text every match starts with (lower-cased unless case must match).
    literal: str = ""
    # Characters that re.IGNORECASE pairs with the literal's beyond lower case.
    unsafe: frozenset[str] = frozenset()


def _extra_cases() -> dict[int, tuple[int, ...]]:
    try:  # the table re itself compiles IGNORECASE patterns with (CPython 3.11 and later)
        from re import _casefix  # type: ignore[attr-defined]
    except ImportError:
        return {}
    table = getattr(_casefix, "_EXTRA_CASES", {})
    return table if isinstance(table, dict) else {}


_EXTRA_CASES = _extra_cases()
# str.lower() writes a final sigma as ς, where re compares each Σ as σ.
_SIGMAS = frozenset("σςΣ")


def _is_word_char(char: str) -> bool:
    # The same definition re uses for \w on str patterns.
    return char.isalnum() or char == "_"


def _compile(query: str, *, match_case: bool, whole_words: bool) -> _Query | None:
    words = query.split()
    if not words:
        return None
    # A query typed across a line break, or with two spaces, must still find the passage,
    # so any run of whitespace in the query matches any run in the text.
    body = r"\s+".join(re.escape(word) for word in words)
    check_start = False
    if whole_words:
        # Boundaries only make sense next to word characters: "Mr." must still match "Mr. Darcy".
        if _is_word_char(words[-1][-1]):
            body += r"\b"
        # A leading \b or lookbehind stops re from scanning for the literal prefix, which made
        # a whole-book search three times slower; the start boundary is checked by hand instead.
        check_start = _is_word_char(words[0][0])
    flags = 0 if match_case else re.IGNORECASE
    pattern = re.compile(body, flags)
    if len(words) > 1:
        return _Query(pattern, check_start)
    if match_case:
        return _Query(pattern, check_start, words[0])
    literal = words[0].lower()
    if not _EXTRA_CASES or len(literal) != len(words[0]) or _SIGMAS & set(literal):
        return _Query(pattern, check_start)
    unsafe = frozenset(chr(x) for c in literal for x in _EXTRA_CASES.get(ord(c), ()))
    return _Query(pattern, check_start, literal, unsafe)


def _candidates(query: _Query, text: str) -> Iterator[int] | None:
    """Where matches may start in ``text``, in order; None when the pattern must scan."""
    if not query.literal:
        return None
    if query.pattern.flags & re.IGNORECASE:
        haystack = text.lower()
        if len(haystack) != len(text) or any(c in haystack for c in query.unsafe):
            return None
    else:
        haystack = text
    return _finds(haystack, query.literal)


def _finds(haystack: str, needle: str) -> Iterator[int]:
    at = haystack.find(needle)
    while at >= 0:
        yield at
        at = haystack.find(needle, at + 1)


def _matches(query: _Query, text: str) -> Iterator[tuple[int, int]]:
    """Every non-overlapping match in ``text``, as (start, end), in order."""
    search = query.pattern.search
    check_start = query.check_start
    candidates = _candidates(query, text)
    if candidates is not None:
        match_at = query.pattern.match
        after = 0
        for at in candidates:
            if at < after or (check_start and at and _is_word_char(text[at - 1])):
                continue
            found = match_at(text, at)
            if found is not None:
                after = found.end()
                yield at, after
        return
    pos = 0
    while (match := search(text, pos)) is not None:
        start, end = match.span()
        if check_start and start and _is_word_char(text[start - 1]):
            # Resume one character later, not after the match: a valid match may
            # overlap this rejected one ("ab ab" inside "xab ab ab").
            pos = start + 1
            continue
        yield start, end
        pos = end


def _collapse(text: str) -> str:
    return _WHITESPACE.sub(" ", text)


def _snippet(chapter: int, text: str, start: int, end: int) -> SearchHit:
    lo = max(0, start - SNIPPET_CONTEXT)
    hi = min(len(text), end + SNIPPET_CONTEXT)
    # Collapse the three parts separately so the match's position in the snippet is known.
    # The match itself never starts or ends with whitespace, so no run straddles two parts.
    before = _collapse(text[lo:start]).lstrip()
    matched = _collapse(text[start:end])
    after = _collapse(text[end:hi]).rstrip()
    if lo > 0:
        cut = before.find(" ", 0, _EDGE_WORD_MAX)
        if cut >= 0:
            before = before[cut + 1 :]
    if hi < len(text):
        cut = after.rfind(" ", max(0, len(after) - _EDGE_WORD_MAX))
        if cut > 0:
            after = after[:cut]
    return SearchHit(
        chapter=chapter,
        start=start,
        end=end,
        snippet=before + matched + after,
        snippet_start=len(before),
        snippet_end=len(before) + len(matched),
    )


def search_book(
    chapter_texts: Sequence[str],
    query: str,
    *,
    match_case: bool = False,
    whole_words: bool = False,
    limit: int = 5000,
    cancelled: Callable[[], bool] | None = None,
) -> tuple[list[SearchHit], int]:
    """Find every occurrence of ``query`` in the chapters, in reading order.

    Whitespace in the query matches any run of whitespace in the text, so a phrase still
    matches across a line break. Matches do not overlap and never cross chapters.

    Args:
        chapter_texts: each chapter's plain text (``Chapter.text``), in reading order.
        query: the text to look for. Leading and trailing whitespace is ignored.
        match_case: compare case exactly; otherwise case-insensitively, per character.
        whole_words: only match where the query's word characters at each end are not
            continued by further word characters in the text.
        limit: the most hits to return (with snippets). Counting continues beyond it.
        cancelled: asked before each chapter; when it says True, the search stops and
            returns what it found so far (a newer query made this one useless).

    Returns:
        The first ``limit`` hits, and the total number of matches in the book.

    Raises:
        ValueError: if ``limit`` is negative.
    """
    if limit < 0:
        raise ValueError(f"limit must not be negative, got {limit}")
    compiled = _compile(query, match_case=match_case, whole_words=whole_words)
    if compiled is None:
        return [], 0
    hits: list[SearchHit] = []
    total = 0
    for index, text in enumerate(chapter_texts):
        if cancelled is not None and cancelled():
            break
        for start, end in _matches(compiled, text):
            total += 1
            if len(hits) < limit:
                hits.append(_snippet(index, text, start, end))
    return hits, total
