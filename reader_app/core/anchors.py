"""Anchor highlights to a book's text so they survive a changed edition (DESIGN.md §5).

A :class:`TextAnchor` stores both W3C selectors: the position (chapter plus code point offsets
into ``Chapter.text``) and the quote with up to 32 characters of context either side.
:func:`resolve_anchor` places it again in a possibly different text:

1. the stored position, if the quote is still there;
2. an exact occurrence of the quote, preferring the anchor's chapter and the occurrence whose
   context agrees best, then the one nearest the old position;
3. a fuzzy match found the way Hypothesis does it with diff-match-patch: bitap finds the
   quote's first and last 32 characters, and the span between them must be similar enough;
4. nothing: the caller keeps the highlight as orphaned and never drops it.

Python's bitap costs time in proportion to the span it scans, so nothing here scans a whole
book with it. Far-away candidates come from exact hits of short pieces of the quote (found
with ``str.find``, which runs at C speed), and bitap only checks a small window around each.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from diff_match_patch import diff_match_patch

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "CONTEXT_CHARS",
    "MIN_SIMILARITY",
    "AnchorResolver",
    "Placement",
    "TextAnchor",
    "find_quote",
    "make_anchor",
    "resolve_anchor",
]

CONTEXT_CHARS = 32
"""Characters of prefix and suffix stored with a quote (the W3C TextQuoteSelector context)."""

MIN_SIMILARITY = 0.75
"""How similar (1 - Levenshtein distance / length) a fuzzy match must be to the quote."""

# diff-match-patch's bitap handles patterns of at most Match_MaxBits (32) characters.
_SLICE = 32
# Bitap's score is errors / pattern length + distance / Match_Distance; 0.4 allows about
# 12 errors in a 32-character slice right at the expected place, fewer further away.
_THRESHOLD = 0.4
# Match_Distance around a stored position: text inserted before a passage moves it.
_LOCAL_DISTANCE = 1000
# Match_Distance around a place that seeding found: those are accurate to a few characters.
_SEED_DISTANCE = 100
# Bitap scans at most threshold * distance characters either side, so cap the distance used
# to find a long quote's end: beyond this the quote changed too much to accept anyway.
_MAX_TAIL_DISTANCE = 5000
# The diff behind the similarity check is bounded in time; if it times out, its edit
# script is merely longer than optimal, so a placement is rejected, never wrongly accepted.
_DIFF_TIMEOUT = 0.05
# Very short quotes match fuzzily almost anywhere; they are found exactly or not at all.
_MIN_FUZZY_CHARS = 8
# Exact occurrences scored per group: the nearest ones, so "the" in a big book stays cheap.
_MAX_EXACT = 1000
# Seeding: pieces of the quote searched exactly across the whole book.
_PIECE_MIN, _PIECE_MAX, _MAX_PIECES = 6, 16, 24
# A piece found more often than this says nothing about where the quote is.
_PIECE_MAX_HITS = 40
# Candidate places checked with bitap and a diff, over all chapters together.
_MAX_CANDIDATES = 12
# Chapters are joined with a character books do not contain, to search them in one pass.
_SEPARATOR = "\x00"


@dataclass(frozen=True, slots=True)
class TextAnchor:
    """Where a highlight sits, stored robustly (W3C position and quote selectors).

    Attributes:
        chapter: index of the chapter in reading order when the anchor was made.
        start: code point offset of the quote in that chapter's text.
        end: code point offset just past the quote.
        quote: the highlighted text itself.
        prefix: up to :data:`CONTEXT_CHARS` characters just before the quote.
        suffix: up to :data:`CONTEXT_CHARS` characters just after the quote.
    """

    chapter: int
    start: int
    end: int
    quote: str
    prefix: str
    suffix: str


@dataclass(frozen=True, slots=True)
class Placement:
    """Where an anchor resolved to in the current text.

    Attributes:
        chapter: index of the chapter.
        start: code point offset of the placed span.
        end: code point offset just past it.
        exact: True if the span's text equals the quote; False for a fuzzy match, which the
            UI may flag so the user can check it.
    """

    chapter: int
    start: int
    end: int
    exact: bool


@dataclass(frozen=True, slots=True)
class _Hint:
    chapter: int
    offset: int | None


def make_anchor(
    chapter_texts: Sequence[str], chapter: int, start: int, end: int, context: int = CONTEXT_CHARS
) -> TextAnchor:
    """Build the anchor for a selection.

    Args:
        chapter_texts: each chapter's plain text, in reading order.
        chapter: index of the chapter holding the selection.
        start: code point offset where the selection starts.
        end: code point offset where it ends (exclusive).
        context: how many characters of prefix and suffix to keep.

    Returns:
        The anchor, with the quote and its context taken from the text.

    Raises:
        ValueError: if the chapter does not exist, the range is empty or outside the chapter,
            or ``context`` is negative.
    """
    if not 0 <= chapter < len(chapter_texts):
        raise ValueError(f"chapter {chapter} outside 0..{len(chapter_texts) - 1}")
    text = chapter_texts[chapter]
    if not 0 <= start < end <= len(text):
        raise ValueError(f"range {start}..{end} is empty or outside 0..{len(text)}")
    if context < 0:
        raise ValueError(f"context must not be negative, got {context}")
    return TextAnchor(
        chapter=chapter,
        start=start,
        end=end,
        quote=text[start:end],
        prefix=text[max(0, start - context) : start],
        suffix=text[end : end + context],
    )


def resolve_anchor(anchor: TextAnchor, chapter_texts: Sequence[str]) -> Placement | None:
    """Place an anchor in the current text of a book.

    To resolve many anchors against one book, use one :class:`AnchorResolver`.

    Args:
        anchor: the stored anchor.
        chapter_texts: each chapter's current plain text, in reading order.

    Returns:
        Where the highlight belongs now, or None if it cannot be placed (it is orphaned).
    """
    return AnchorResolver(chapter_texts).resolve(anchor)


def find_quote(
    chapter_texts: Sequence[str],
    quote: str,
    prefix: str = "",
    suffix: str = "",
    chapter_hint: int | None = None,
) -> Placement | None:
    """Find a quote whose position is unknown, e.g. from a Kindle clippings file.

    Args:
        chapter_texts: each chapter's plain text, in reading order.
        quote: the text to find.
        prefix: text expected just before the quote, if known.
        suffix: text expected just after it, if known.
        chapter_hint: the chapter to search first; ignored if it does not exist.

    Returns:
        The best placement (exact if possible, else fuzzy), or None.
    """
    return AnchorResolver(chapter_texts).find_quote(quote, prefix, suffix, chapter_hint)


def _common_prefix(a: str, b: str) -> int:
    # Binary search on slice equality: O(log n) comparisons that each run at C speed.
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _common_suffix(a: str, b: str) -> int:
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[len(a) - mid :] == b[len(b) - mid :]:
            lo = mid
        else:
            hi = mid - 1
    return lo


class AnchorResolver:
    """Resolves anchors and finds quotes in one book.

    It joins the chapters once, on first need, and reuses that for every anchor, so
    resolving all of a book's highlights costs little more than resolving one. Not
    thread-safe: it reconfigures one diff-match-patch object per search.
    """

    def __init__(self, chapter_texts: Sequence[str]) -> None:
        """Prepare to search ``chapter_texts`` (each chapter's plain text, in order)."""
        self._texts = tuple(chapter_texts)
        self._starts: list[int] = []
        offset = 0
        for text in self._texts:
            self._starts.append(offset)
            offset += len(text) + len(_SEPARATOR)
        self._total = max(0, offset - len(_SEPARATOR))
        self._joined: str | None = None
        self._dmp: Any = diff_match_patch()
        self._dmp.Diff_Timeout = _DIFF_TIMEOUT
        self._dmp.Match_Threshold = _THRESHOLD

    def resolve(self, anchor: TextAnchor) -> Placement | None:
        """Place ``anchor`` in this book; see :func:`resolve_anchor`."""
        n = len(self._texts)
        if not n or not anchor.quote:
            return None
        if 0 <= anchor.chapter < n:
            text = self._texts[anchor.chapter]
            if anchor.start >= 0 and text[anchor.start : anchor.end] == anchor.quote:
                return Placement(anchor.chapter, anchor.start, anchor.end, exact=True)
            hint = _Hint(anchor.chapter, min(max(0, anchor.start), len(text)))
        else:
            # The book lost chapters: search from the nearest one, the old offset means nothing.
            hint = _Hint(min(max(0, anchor.chapter), n - 1), None)
        return self._locate(anchor.quote, anchor.prefix, anchor.suffix, hint)

    def find_quote(
        self, quote: str, prefix: str = "", suffix: str = "", chapter_hint: int | None = None
    ) -> Placement | None:
        """Find a quote in this book; see :func:`find_quote`."""
        if not self._texts or not quote:
            return None
        hint = None
        if chapter_hint is not None and 0 <= chapter_hint < len(self._texts):
            hint = _Hint(chapter_hint, None)
        return self._locate(quote, prefix, suffix, hint)

    # -- shared machinery -------------------------------------------------------------------

    @property
    def _all_text(self) -> str:
        if self._joined is None:
            self._joined = _SEPARATOR.join(self._texts)
        return self._joined

    def _locate(self, quote: str, prefix: str, suffix: str, hint: _Hint | None) -> Placement | None:
        return self._exact(quote, prefix, suffix, hint) or self._fuzzy(quote, prefix, suffix, hint)

    def _to_local(self, position: int) -> tuple[int, int]:
        chapter = max(0, bisect_right(self._starts, position) - 1)
        return chapter, position - self._starts[chapter]

    def _proximity_penalty(self, chapter: int, start: int, hint: _Hint | None) -> float:
        # Below 1, so it only breaks ties between occurrences whose context agrees equally.
        if hint is None:
            return 0.0
        expected = self._starts[hint.chapter] + (hint.offset or 0)
        return abs(self._starts[chapter] + start - expected) / (self._total + 1)

    def _context_agreement(
        self, text: str, start: int, end: int, prefix: str, suffix: str
    ) -> tuple[int, int]:
        # Compared from the quote outward: the characters nearest the quote count first.
        before = _common_suffix(prefix, text[max(0, start - len(prefix)) : start])
        after = _common_prefix(suffix, text[end : end + len(suffix)])
        return before, after

    # -- step 2: exact occurrences ----------------------------------------------------------

    @staticmethod
    def _occurrences(text: str, quote: str, center: int) -> list[int]:
        # The nearest occurrences on each side of center, so a cap drops the far ones.
        found: list[int] = []
        pos = text.find(quote, center)
        while pos >= 0 and len(found) < _MAX_EXACT:
            found.append(pos)
            pos = text.find(quote, pos + 1)
        limit = len(found) + _MAX_EXACT
        pos = text.rfind(quote, 0, center + len(quote) - 1)
        while pos >= 0 and len(found) < limit:
            found.append(pos)
            pos = text.rfind(quote, 0, pos + len(quote) - 1)
        return found

    def _exact(self, quote: str, prefix: str, suffix: str, hint: _Hint | None) -> Placement | None:
        places: list[tuple[int, int]] = []
        if hint is not None:
            text = self._texts[hint.chapter]
            center = hint.offset or 0
            places = [(hint.chapter, s) for s in self._occurrences(text, quote, center)]
        if not places:
            center = 0 if hint is None else self._starts[hint.chapter] + (hint.offset or 0)
            for position in self._occurrences(self._all_text, quote, center):
                chapter, start = self._to_local(position)
                # Skip matches that run across the separator into the next chapter.
                if start + len(quote) <= len(self._texts[chapter]):
                    places.append((chapter, start))
        if not places:
            return None
        # Reading order first, so that without a hint the earliest of equal matches wins.
        places.sort()

        def score(place: tuple[int, int]) -> float:
            chapter, start = place
            end = start + len(quote)
            agree = self._context_agreement(self._texts[chapter], start, end, prefix, suffix)
            return sum(agree) - self._proximity_penalty(chapter, start, hint)

        chapter, start = max(places, key=score)
        return Placement(chapter, start, start + len(quote), exact=True)

    # -- step 3: fuzzy matching -------------------------------------------------------------

    def _match(self, text: str, pattern: str, loc: int, distance: int) -> int:
        """Run bitap for ``pattern`` near ``loc`` over only the window it could match in."""
        reach = int(_THRESHOLD * distance) + 1
        loc = min(max(0, loc), len(text))
        lo = max(0, loc - reach)
        hi = min(len(text), loc + reach + len(pattern))
        if lo >= hi:
            return -1
        # Slicing matters beyond speed: match_bitap allocates a list as long as the text up
        # to loc for every error level, which for a late position in a big chapter is megabytes.
        self._dmp.Match_Distance = distance
        found = int(self._dmp.match_main(text[lo:hi], pattern, loc - lo))
        return -1 if found < 0 else lo + found

    def _similarity(self, quote: str, candidate: str) -> float:
        longest = max(len(quote), len(candidate))
        if not longest:
            return 1.0
        # Lengths alone bound the similarity from above; skip the diff when that already fails.
        bound = 1.0 - abs(len(quote) - len(candidate)) / longest
        if bound < MIN_SIMILARITY:
            return bound
        diffs = self._dmp.diff_main(quote, candidate, False)
        return 1.0 - int(self._dmp.diff_levenshtein(diffs)) / longest

    def _span(self, text: str, quote: str, expected: int, distance: int) -> tuple[int, int] | None:
        """Find the span the quote most likely became near ``expected``, or None."""
        length = len(quote)
        start = self._match(text, quote[:_SLICE], expected, distance)
        if start < 0:
            return None
        end = start + length
        if length > _SLICE:
            tail = quote[-_SLICE:]
            # The quote may have grown or shrunk by a quarter before it fails the similarity test.
            tail_distance = min(_MAX_TAIL_DISTANCE, int((_SLICE + length // 4) / _THRESHOLD))
            found = self._match(text, tail, start + length - len(tail), tail_distance)
            if found < 0:
                return None
            end = found + len(tail)
        if end <= start:
            return None
        # Bitap places each slice only roughly when it has errors of its own. A diff of the quote
        # against the span plus a margin shows where the quote really begins and ends.
        margin = 8
        lo, hi = max(0, start - margin), min(len(text), end + margin)
        diffs: list[tuple[int, str]] = self._dmp.diff_main(quote, text[lo:hi], False)
        equal = [i for i, (op, _) in enumerate(diffs) if op == 0]
        if not equal:
            return None
        # Edits outside the first and last equality are margin text plus substitutions at
        # the quote's edges; count as margin only what exceeds the deleted quote characters.
        return lo + _extra_inserted(diffs[: equal[0]]), hi - _extra_inserted(diffs[equal[-1] + 1 :])

    def _fuzzy(self, quote: str, prefix: str, suffix: str, hint: _Hint | None) -> Placement | None:
        if len(quote) < _MIN_FUZZY_CHARS:
            return None
        # (chapter, expected start, bitap distance), best first: places near the stored
        # position (which may have moved by whole paragraphs), then seeded places by votes.
        candidates: list[tuple[int, int, int]] = []
        if hint is not None and hint.offset is not None:
            guesses = self._local_guesses(quote, prefix, suffix, hint)
            candidates += [(hint.chapter, guess, _LOCAL_DISTANCE) for guess in guesses]
        candidates += [(chapter, start, _SEED_DISTANCE) for chapter, start in self._seed(quote)]
        budget = _MAX_CANDIDATES
        tried: list[tuple[int, int]] = []
        for group in self._groups(hint):
            members = set(group)
            best: tuple[float, int, int, int] | None = None
            for chapter, expected, distance in candidates:
                if chapter not in members or budget <= 0:
                    continue
                # Seeds often repeat a local guess; bitap around it already covered them.
                if any(c == chapter and abs(e - expected) <= _SLICE for c, e in tried):
                    continue
                tried.append((chapter, expected))
                budget -= 1
                text = self._texts[chapter]
                span = self._span(text, quote, expected, distance)
                if span is None:
                    continue
                start, end = span
                similarity = self._similarity(quote, text[start:end])
                if similarity < MIN_SIMILARITY:
                    continue
                before, after = self._context_agreement(text, start, end, prefix, suffix)
                # Weights as in Hypothesis' match-quote: the quote counts most, context next,
                # and the distance from the old position only breaks near-ties.
                score = (
                    50 * similarity
                    + 20 * before / max(1, len(prefix))
                    + 20 * after / max(1, len(suffix))
                    - 2 * self._proximity_penalty(chapter, start, hint)
                )
                if best is None or score > best[0]:
                    best = (score, chapter, start, end)
            if best is not None:
                return Placement(best[1], best[2], best[3], exact=False)
        return None

    def _groups(self, hint: _Hint | None) -> list[list[int]]:
        """Chapters in search order: the hinted one, its neighbours, then the rest."""
        n = len(self._texts)
        if hint is None:
            return [list(range(n))]
        near = [i for i in (hint.chapter - 1, hint.chapter + 1) if 0 <= i < n]
        rest = [i for i in range(n) if i != hint.chapter and i not in near]
        return [group for group in ([hint.chapter], near, rest) if group]

    def _local_guesses(self, quote: str, prefix: str, suffix: str, hint: _Hint) -> list[int]:
        """Expected starts near the stored position, moved by the context if found (Hypothesis)."""
        text = self._texts[hint.chapter]
        offset = hint.offset or 0
        guesses: list[int] = []
        if prefix:
            head = prefix[-_SLICE:]
            found = self._match(text, head, offset - len(head), _LOCAL_DISTANCE)
            if found >= 0:
                guesses.append(found + len(head))
        if suffix and not guesses:
            found = self._match(text, suffix[:_SLICE], offset + len(quote), _LOCAL_DISTANCE)
            if found >= 0:
                guesses.append(found - len(quote))
        if all(abs(guess - offset) > _SLICE for guess in guesses):
            guesses.append(offset)
        return guesses

    def _seed(self, quote: str) -> list[tuple[int, int]]:
        """Places anywhere in the book where several pieces of the quote occur in order.

        Returns:
            (chapter, expected start) pairs, the places more pieces agree on first.
        """
        size = min(_PIECE_MAX, max(_PIECE_MIN, len(quote) // 5))
        offsets = list(range(0, len(quote) - size + 1, size))
        if len(offsets) > _MAX_PIECES:
            offsets = [offsets[i * len(offsets) // _MAX_PIECES] for i in range(_MAX_PIECES)]
        joined = self._all_text
        diagonals: list[tuple[int, int]] = []  # (where the quote would start, piece index)
        for index, offset in enumerate(offsets):
            piece = quote[offset : offset + size]
            hits: list[int] = []
            pos = joined.find(piece)
            while pos >= 0 and len(hits) <= _PIECE_MAX_HITS:
                hits.append(pos - offset)
                pos = joined.find(piece, pos + 1)
            if len(hits) <= _PIECE_MAX_HITS:
                diagonals.extend((hit, index) for hit in hits)
        # Insertions and deletions inside the quote shift later pieces, so pieces whose
        # implied starts lie close together vote for the same place.
        tolerance = 8 + len(quote) // 10
        needed = 2 if len(offsets) >= 3 else 1
        found: list[tuple[int, int, int]] = []  # (-votes, chapter, expected start)
        diagonals.sort()
        i = 0
        while i < len(diagonals):
            j = i
            while j + 1 < len(diagonals) and diagonals[j + 1][0] - diagonals[i][0] <= tolerance:
                j += 1
            cluster = diagonals[i : j + 1]
            votes = len({piece for _, piece in cluster})
            if votes >= needed:
                # The piece nearest the quote's start predicts the start best.
                start = min(cluster, key=lambda item: item[1])[0]
                chapter, local = self._to_local(max(0, start))
                found.append((-votes, chapter, min(local, len(self._texts[chapter]))))
            i = j + 1
        found.sort()
        return [(chapter, start) for _, chapter, start in found]


def _extra_inserted(diffs: Sequence[tuple[int, str]]) -> int:
    inserted = sum(len(text) for op, text in diffs if op == 1)
    deleted = sum(len(text) for op, text in diffs if op == -1)
    return max(0, inserted - deleted)
