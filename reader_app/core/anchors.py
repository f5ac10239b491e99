"""Anchor highlights to a book's text so they survive a changed edition (DESIGN.md §5).

Tried in turn: the stored position, exact copies of the quote, a Hypothesis-style fuzzy match.

Every search is bounded by work, never by the clock: a k-gram index of the book finds the
places to check, a fixed number of candidates is checked, bitap runs over bounded windows
and diffs compare bounded lengths. The same quote and book therefore always give the same
place, however busy the machine is.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate
from typing import TYPE_CHECKING, Any, NamedTuple

from diff_match_patch import diff_match_patch

from reader_app.core.text_match import best_end, common_prefix, edit_scores

if TYPE_CHECKING:
    from collections.abc import Sequence

CONTEXT_CHARS = 32
"""Characters of prefix and suffix stored with a quote (the W3C TextQuoteSelector context)."""

MIN_SIMILARITY = 0.75
"""How similar (1 - Levenshtein distance / length) a fuzzy match must be to the quote."""

# Bitap (match_main) takes up to Match_MaxBits = 32 characters and scores errors / length +
# distance / Match_Distance; 0.4 allows about 12 errors in 32 characters at the expected place.
# It scans threshold * distance either side: wide around a stored position, narrow around a
# seeded place, which is accurate to a few characters.
_SLICE, _THRESHOLD = 32, 0.4
_LOCAL_DISTANCE, _SEED_DISTANCE, _MAX_TAIL_DISTANCE = 1000, 100, 5000
# A diff costs time quadratic in the length of what differs, so a long quote is judged by its
# first and last _DIFF_WINDOW characters: its edges are what bitap placed.
_DIFF_WINDOW = 300
# Shorter quotes match fuzzily almost anywhere. Only the exact hits nearest the hint are scored.
_MIN_FUZZY_CHARS, _MAX_EXACT = 8, 1000
# Seed pieces of the quote; one found more than _PIECE_MAX_HITS times says nothing useful.
_PIECE_MIN, _PIECE_MAX, _PIECE_MAX_HITS = 6, 10, 40
# Places checked with bitap and a diff, all chapters together. Books never contain NUL.
_MAX_CANDIDATES, _SEPARATOR = 12, "\x00"
# The index holds the _GRAM characters at every _STEP-th place of the book, so any text of at
# least _INDEXED characters has one of its grams in it: a quote that long is looked up, not
# scanned for, and an unedited run that long seeds the fuzzy search.
_GRAM, _STEP = 12, 8
# An exact look-up tries this many grams of a residue for the one with the fewest places.
_MAX_GRAM_CHOICES, _FEW_HITS = 4, 4
# A gram found more often than this says little about where an edited quote went.
_GRAM_MAX_HITS = 8
# A quote's end that occurs more often than this is no clue to where the quote is.
_RARE_END = 2
_INDEXED = _GRAM + _STEP - 1


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


class _Query(NamedTuple):
    quote: str
    prefix: str
    suffix: str
    chapter: int | None  # where to search first
    offset: int | None  # where the quote used to start in that chapter


def make_anchor(
    chapter_texts: Sequence[str], chapter: int, start: int, end: int, context: int = CONTEXT_CHARS
) -> TextAnchor:
    """Build the anchor for a selection: its position, its text and the text around it.

    Args:
        chapter_texts: each chapter's plain text, in reading order.
        chapter: index of the chapter holding the selection.
        start: code point offset where the selection starts.
        end: code point offset where it ends (exclusive).
        context: how many characters of prefix and suffix to keep.

    Raises:
        ValueError: if the chapter or range is empty or invalid, or ``context`` is negative.
    """
    if not 0 <= chapter < len(chapter_texts):
        raise ValueError(f"chapter {chapter} outside 0..{len(chapter_texts) - 1}")
    text = chapter_texts[chapter]
    if not 0 <= start < end <= len(text):
        raise ValueError(f"range {start}..{end} is empty or outside 0..{len(text)}")
    if context < 0:
        raise ValueError(f"context must not be negative, got {context}")
    prefix, suffix = text[max(0, start - context) : start], text[end : end + context]
    return TextAnchor(chapter, start, end, text[start:end], prefix, suffix)


def resolve_anchor(anchor: TextAnchor, chapter_texts: Sequence[str]) -> Placement | None:
    """Place ``anchor`` in the book's current chapter texts; None means it is orphaned.

    To resolve many anchors against one book, use one :class:`AnchorResolver`.
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


class AnchorResolver:
    """Resolves anchors and finds quotes in one book.

    It joins the chapters and indexes them once, on first need, and reuses that for every
    anchor, so resolving all of a book's highlights costs little more than resolving one.
    Not thread-safe: it reconfigures one diff-match-patch object per search. Build one per
    thread (a worker placing highlights builds its own).
    """

    def __init__(self, chapter_texts: Sequence[str]) -> None:
        """Prepare to search ``chapter_texts`` (each chapter's plain text, in order)."""
        self._texts = tuple(chapter_texts)
        # Where each chapter starts in the joined text, each followed by one separator.
        self._starts = [0, *accumulate(len(text) + 1 for text in self._texts)]
        self._total = self._starts.pop() - 1
        self._joined: str | None = None
        self._grams: dict[str, int | list[int]] | None = None
        self._dmp: Any = diff_match_patch()
        # Unlimited, so that a diff never depends on the clock; _span bounds its inputs.
        self._dmp.Diff_Timeout = 0

    def resolve(self, anchor: TextAnchor) -> Placement | None:
        """Place ``anchor`` in this book; see :func:`resolve_anchor`."""
        n, quote, offset = len(self._texts), anchor.quote, None
        if 0 <= anchor.chapter < n:
            text = self._texts[anchor.chapter]
            if quote and anchor.start >= 0 and text[anchor.start : anchor.end] == quote:
                return Placement(anchor.chapter, anchor.start, anchor.end, exact=True)
            offset = min(max(0, anchor.start), len(text))
        # If the book lost chapters, search from the nearest one; the old offset means nothing.
        chapter = min(max(0, anchor.chapter), n - 1)
        return self._locate(_Query(quote, anchor.prefix, anchor.suffix, chapter, offset))

    def holds(self, anchor: TextAnchor) -> bool:
        """Whether the text at ``anchor``'s position is still its quote, or similar enough.

        A highlight placed fuzzily stays where it was put: the same text gives the same
        answer, and checking costs one bounded diff instead of a search.
        """
        if not 0 <= anchor.chapter < len(self._texts) or not anchor.quote:
            return False
        if not 0 <= anchor.start < anchor.end <= len(self._texts[anchor.chapter]):
            return False
        found = self._texts[anchor.chapter][anchor.start : anchor.end]
        if found == anchor.quote:
            return True
        if len(anchor.quote) < _MIN_FUZZY_CHARS:
            return False
        longest = max(len(found), len(anchor.quote))
        if 1.0 - abs(len(found) - len(anchor.quote)) / longest < MIN_SIMILARITY:
            return False
        return 1.0 - self._distance(anchor.quote, found) / longest >= MIN_SIMILARITY

    def find_quote(
        self, quote: str, prefix: str = "", suffix: str = "", chapter_hint: int | None = None
    ) -> Placement | None:
        """Find a quote in this book; see :func:`find_quote`."""
        if chapter_hint is not None and not 0 <= chapter_hint < len(self._texts):
            chapter_hint = None
        return self._locate(_Query(quote, prefix, suffix, chapter_hint, None))

    @property
    def _all_text(self) -> str:
        if self._joined is None:
            self._joined = _SEPARATOR.join(self._texts)
        return self._joined

    @property
    def _index(self) -> dict[str, int | list[int]]:
        """The book's k-gram index: each gram at a multiple of _STEP, to where it occurs."""
        if self._grams is None:
            text, grams = self._all_text, dict[str, "int | list[int]"]()
            for position in range(0, len(text) - _GRAM + 1, _STEP):
                gram = text[position : position + _GRAM]
                known = grams.get(gram)
                # Most grams occur once: an int there saves a list per entry.
                if known is None:
                    grams[gram] = position
                elif isinstance(known, int):
                    grams[gram] = [known, position]
                else:
                    known.append(position)
            self._grams = grams
        return self._grams

    def _indexed_occurrences(self, needle: str, center: int, cap: int) -> list[int]:
        """Like :meth:`_occurrences`, through the index; ``needle`` must be _INDEXED long."""
        # An occurrence at p holds an indexed gram at each multiple of _STEP inside it: at
        # needle offsets o, o + _STEP, ... for the o in 0.._STEP-1 with p + o a multiple of
        # _STEP. Any one of them finds it, so each residue o looks up its rarest gram.
        text, get, places = self._all_text, self._index.get, set[int]()
        last = len(needle) - _GRAM
        for residue in range(_STEP):
            hits: Sequence[int] = ()
            offset = residue
            found = get(needle[residue : residue + _GRAM])
            if isinstance(found, int):
                hits = (found,)  # most grams occur once: one look-up settles the residue
            elif found is not None:
                hits = found
                # A common gram: a rarer one further on costs less to check.
                for choice in range(residue + _STEP, last + 1, _STEP)[: _MAX_GRAM_CHOICES - 1]:
                    if len(hits) <= _FEW_HITS:
                        break  # checking these few costs less than looking further
                    found = get(needle[choice : choice + _GRAM])
                    if found is None:
                        hits = ()  # the needle is not in the book at this residue
                        break
                    if isinstance(found, int):
                        hits, offset = (found,), choice
                        break
                    if len(found) < len(hits):
                        hits, offset = found, choice
            for hit in hits:
                start = hit - offset
                if start >= 0 and text.startswith(needle, start):
                    places.add(start)
        after = sorted(p for p in places if p >= center)[:cap]
        before = sorted((p for p in places if p < center), reverse=True)[:cap]
        return after + before

    def _locate(self, q: _Query) -> Placement | None:
        if not q.quote or not self._texts:
            return None
        found, agreement = self._exact(q)
        if found is None or q.chapter is None or found.chapter == q.chapter:
            return found or self._fuzzy(q)
        # A short quote found in another chapter, with little of its old context, may well be
        # another passage: an edited copy near the old place is then the better guess.
        if len(q.quote) >= _SLICE or agreement >= _SLICE // 4 or not (q.prefix or q.suffix):
            return found
        near = self._fuzzy(q)
        return near if near is not None and abs(near.chapter - q.chapter) <= 1 else found

    def _to_local(self, position: int) -> tuple[int, int]:
        chapter = max(0, bisect_right(self._starts, position) - 1)
        return chapter, position - self._starts[chapter]

    def _origin(self, q: _Query) -> int:
        return 0 if q.chapter is None else self._starts[q.chapter] + (q.offset or 0)

    def _proximity_penalty(self, q: _Query, chapter: int, start: int) -> float:
        # Below 1, so among exact matches it only breaks ties of equally agreeing context.
        distance = abs(self._starts[chapter] + start - self._origin(q))
        return 0.0 if q.chapter is None else distance / (self._total + 1)

    def _agreement(self, q: _Query, chapter: int, start: int, end: int) -> int:
        # Compared from the quote outward: the characters nearest the quote count first.
        text, prefix = self._texts[chapter], q.prefix
        before = common_prefix(prefix[::-1], text[max(0, start - len(prefix)) : start][::-1])
        return before + common_prefix(q.suffix, text[end : end + len(q.suffix)])

    @staticmethod
    def _occurrences(text: str, needle: str, center: int, cap: int) -> list[int]:
        # Up to cap occurrences on each side of center, nearest first, so the cap drops far ones.
        found: list[int] = []
        pos = text.find(needle, center)
        while pos >= 0 and len(found) < cap:
            found.append(pos)
            pos = text.find(needle, pos + 1)
        pos, cap = text.rfind(needle, 0, center + len(needle) - 1), len(found) + cap
        while pos >= 0 and len(found) < cap:
            found.append(pos)
            pos = text.rfind(needle, 0, pos + len(needle) - 1)
        return found

    def _exact(self, q: _Query) -> tuple[Placement | None, int]:
        """The best exact occurrence, and how many characters of its context agree."""
        length, places = len(q.quote), list[tuple[int, int]]()
        if length >= _INDEXED:
            found = self._indexed_occurrences(q.quote, self._origin(q), _MAX_EXACT)
        else:
            found = self._occurrences(self._all_text, q.quote, self._origin(q), _MAX_EXACT)
        for position in found:
            chapter, start = self._to_local(position)
            # Skip matches that run across the separator into the next chapter.
            if start + length <= len(self._texts[chapter]):
                places.append((chapter, start))
        # The hinted chapter first. Its occurrences are the nearest, so the cap never drops them.
        if any(chapter == q.chapter for chapter, _ in places):
            places = [place for place in places if place[0] == q.chapter]
        # Reading order first, so that without a hint the earliest of equal matches wins.
        scored = [(self._agreement(q, c, s, s + length), c, s) for c, s in sorted(places)]
        if not scored:
            return None, 0
        agree, chapter, start = max(scored, key=lambda x: x[0] - self._proximity_penalty(q, *x[1:]))
        return Placement(chapter, start, start + length, exact=True), agree

    def _match(self, text: str, pattern: str, loc: int, distance: int) -> int:
        """Where an edited copy of ``pattern`` starts near ``loc``, or -1: bitap's judgement.

        As diff-match-patch's bitap scores a place: errors / length + how far it is from
        ``loc`` / ``distance``, at most _THRESHOLD; so only a window of text can qualify,
        and that window alone is read. The edit distances come from Myers' algorithm, which
        is bitap's own idea with exact counts, in a fraction of the time.
        """
        reach = int(_THRESHOLD * distance) + 1
        loc = min(max(0, loc), len(text))
        if not pattern:
            return loc  # nothing to look for matches anywhere, as diff-match-patch has it
        lo, hi = max(0, loc - reach), min(len(text), loc + reach + len(pattern))
        if lo >= hi:
            return -1
        length = len(pattern)
        best: tuple[float, int, int] | None = None
        for end, errors in enumerate(edit_scores(pattern, text[lo:hi])):
            start = max(lo, lo + end - length)
            score = errors / length + abs(start - loc) / distance
            if score <= _THRESHOLD and (best is None or (score, abs(start - loc), start) < best):
                best = (score, abs(start - loc), start)
        return -1 if best is None else best[2]

    def _place_slice(self, text: str, piece: str, loc: int, distance: int) -> tuple[int, bool]:
        """Where ``piece`` is near ``loc`` (-1 if nowhere), and whether it is there unedited."""
        # An unedited copy in bitap's window is what bitap would find too, at C speed.
        reach = int(_THRESHOLD * distance) + 1
        lo, hi = max(0, min(loc, len(text)) - reach), loc + reach + len(piece)
        nearest, position = -1, text.find(piece, lo, hi)
        while position >= 0:
            if nearest < 0 or abs(position - loc) < abs(nearest - loc):
                nearest = position
            position = text.find(piece, position + 1, hi)
        if nearest >= 0:
            return nearest, True
        return self._match(text, piece, loc, distance), False

    def _span(
        self, text: str, quote: str, expected: int, distance: int
    ) -> tuple[int, int, float] | None:
        """Find what the quote became near ``expected``, if it is still similar enough."""
        length = len(quote)
        start, head_exact = self._place_slice(text, quote[:_SLICE], expected, distance)
        if start < 0:
            return None
        end, tail_exact = start + length, head_exact
        if length > _SLICE:
            # The quote may grow or shrink by a quarter before it fails the similarity test.
            tail_distance = min(_MAX_TAIL_DISTANCE, int((_SLICE + length // 4) / _THRESHOLD))
            found, tail_exact = self._place_slice(
                text, quote[-_SLICE:], start + length - _SLICE, tail_distance
            )
            if found < 0 or found + _SLICE <= start:
                return None
            end = found + _SLICE
        # Bitap places a slice only roughly when the slice itself was edited: align the quote's
        # first and last characters with the text around each place to find its true edges.
        edge = min(length, _SLICE)
        if not head_exact:
            lo, hi = max(0, start - 8), min(len(text), start + edge + 8)
            start = hi - best_end(quote[:edge][::-1], text[lo:hi][::-1], hi - start)
        if not tail_exact:
            lo, hi = max(0, end - edge - 8), min(len(text), end + 8)
            end = lo + best_end(quote[-edge:], text[lo:hi], end - lo)
        longest = max(length, end - start)
        # Lengths alone bound the similarity from above; skip the diff when that already fails.
        if end <= start or 1.0 - abs(length - (end - start)) / longest < MIN_SIMILARITY:
            return None
        similarity = 1.0 - self._distance(quote, text[start:end]) / longest
        return (start, end, similarity) if similarity >= MIN_SIMILARITY else None

    def _distance(self, quote: str, found: str) -> int:
        """Levenshtein distance of the quote to a place, over bounded lengths."""
        if max(len(quote), len(found)) <= 2 * _DIFF_WINDOW:
            pairs = [(quote, found)]
        else:
            # Scaled to the whole length, so that the similarity test stays the same.
            pairs = [(quote[:_DIFF_WINDOW], found[:_DIFF_WINDOW])]
            pairs.append((quote[-_DIFF_WINDOW:], found[-_DIFF_WINDOW:]))
        distance = sum(
            int(self._dmp.diff_levenshtein(self._dmp.diff_main(a, b, False))) for a, b in pairs
        )
        if len(pairs) == 1:
            return distance
        return distance * max(len(quote), len(found)) // (2 * _DIFF_WINDOW)

    def _fuzzy(self, q: _Query) -> Placement | None:
        if len(q.quote) < _MIN_FUZZY_CHARS:
            return None
        local: list[tuple[int, int, int]] = []  # (chapter, expected start, bitap distance)
        if q.chapter is not None and q.offset is not None:
            # As Hypothesis does: find the prefix near the old position; the quote follows it.
            chapter, offset, head, guesses = q.chapter, q.offset, q.prefix[-_SLICE:], [q.offset]
            found = self._match(self._texts[chapter], head, offset - len(head), _LOCAL_DISTANCE)
            if head and found >= 0 and abs(found + len(head) - offset) > _SLICE:
                guesses.insert(0, found + len(head))
            # Seeding reads the whole book: skip it if the passage is still near its old place,
            # recognisably so by its context (a similar sentence nearby may be another one).
            local = [(chapter, guess, _LOCAL_DISTANCE) for guess in guesses]
            placed = self._best(q, local)
            enough = min(_SLICE // 4, len(q.prefix) + len(q.suffix))
            if placed and self._agreement(q, chapter, placed.start, placed.end) >= enough:
                return placed
        # Most edits leave the quote's ends as they were: where a rare end puts the quote is
        # checked first, before voting with every piece of the quote and its context.
        ends = self._end_seeds(q.quote)
        if ends:
            placed = self._best(q, local + [(c, start, _SEED_DISTANCE) for c, start in ends])
            if placed is not None:
                return placed
        seeds = self._seed(q.prefix + q.quote + q.suffix, len(q.prefix))
        return self._best(q, local + [(chapter, start, _SEED_DISTANCE) for chapter, start in seeds])

    def _end_seeds(self, quote: str) -> list[tuple[int, int]]:
        """(chapter, start) where the quote's first or last _SLICE characters put it.

        Only an end found at most _RARE_END times counts: a common phrase says little.
        """
        if len(quote) < 2 * _SLICE:
            return []
        places: list[tuple[int, int]] = []
        for piece, shift in ((quote[:_SLICE], 0), (quote[-_SLICE:], len(quote) - _SLICE)):
            found = self._indexed_occurrences(piece, 0, _RARE_END + 1)
            if len(found) <= _RARE_END:
                places.extend(self._to_local(max(0, hit - shift)) for hit in sorted(found))
        # Both ends of one passage put it within a few characters (the edits' length) of the
        # same start, and checking a place looks that far around it: keep one of them.
        kept: list[tuple[int, int]] = []
        for chapter, start in places:
            if all(c != chapter or abs(s - start) > _SLICE for c, s in kept):
                kept.append((chapter, start))
        return kept

    def _best(self, q: _Query, candidates: list[tuple[int, int, int]]) -> Placement | None:
        """Check (chapter, expected start, bitap distance) candidates in order; keep the best."""
        budget = _MAX_CANDIDATES
        # Search order: the hinted chapter, then its neighbours, then the rest.
        for group in range(3) if q.chapter is not None else [0]:
            best: tuple[float, int, int, int] | None = None
            for chapter, expected, distance in candidates:
                near = 0 if q.chapter is None else min(2, abs(chapter - q.chapter))
                if near != group or budget <= 0:
                    continue
                budget -= 1
                span = self._span(self._texts[chapter], q.quote, expected, distance)
                if span is None:
                    continue
                start, end, similarity = span
                # Weights as in Hypothesis' match-quote: the quote counts most, context next,
                # and the distance from the old position only breaks near-ties.
                context = self._agreement(q, chapter, start, end)
                score = (
                    50 * similarity
                    + 40 * context / max(1, len(q.prefix) + len(q.suffix))
                    - 2 * self._proximity_penalty(q, chapter, start)
                )
                if best is None or score > best[0]:
                    best = (score, chapter, start, end)
            if best is not None:
                _, chapter, start, end = best
                return Placement(chapter, start, end, self._texts[chapter][start:end] == q.quote)
        return None

    def _seed(self, pattern: str, lead: int) -> list[tuple[int, int]]:  # lead: len(prefix)
        """(chapter, start) where pieces of prefix+quote+suffix put the quote, most votes first."""
        diagonals: list[tuple[int, int]] = []  # (where the quote would start, piece index)
        if len(pattern) >= _INDEXED:
            # Every gram of the pattern is looked up: an unedited run of _INDEXED characters
            # holds one that the index has, at its true place.
            grams = self._index
            for offset in range(len(pattern) - _GRAM + 1):
                hits = grams.get(pattern[offset : offset + _GRAM])
                if isinstance(hits, int):
                    diagonals.append((hits - offset + lead, offset))
                elif hits is not None and len(hits) <= _GRAM_MAX_HITS:
                    diagonals.extend((hit - offset + lead, offset) for hit in hits)
            return self._vote(diagonals, len(pattern), 1)
        # Too short for the index: a few small pieces, each searched for. The pattern is
        # shorter than _INDEXED, so this is at most a handful of scans.
        size = min(_PIECE_MAX, max(_PIECE_MIN, len(pattern) // 5))
        offsets = list(range(0, len(pattern) - size + 1, size))
        for number, offset in enumerate(offsets):
            piece = pattern[offset : offset + size]
            found = self._occurrences(self._all_text, piece, 0, _PIECE_MAX_HITS + 1)
            if len(found) <= _PIECE_MAX_HITS:
                diagonals.extend((hit - offset + lead, number) for hit in found)
        return self._vote(diagonals, len(pattern), 2 if len(offsets) >= 3 else 1)

    def _vote(
        self, diagonals: list[tuple[int, int]], length: int, min_votes: int
    ) -> list[tuple[int, int]]:
        """Group (implied start, piece) hits into places; most pieces agreeing first."""
        # Insertions and deletions inside the quote shift later pieces, so pieces whose
        # implied starts lie close together vote for the same place.
        tolerance = 8 + length // 10
        clusters: list[list[tuple[int, int]]] = []
        for diagonal in sorted(diagonals):
            if clusters and diagonal[0] - clusters[-1][0][0] <= tolerance:
                clusters[-1].append(diagonal)
            else:
                clusters.append([diagonal])
        votes = [len({piece for _, piece in cluster}) for cluster in clusters]
        # A place that half as many pieces agree on as the best one is noise, not worth a check.
        enough = max(min_votes, (max(votes, default=0) + 1) // 2)
        found: list[tuple[int, int, int]] = []  # (-votes, chapter, expected start)
        for cluster, count in zip(clusters, votes, strict=True):
            if count >= enough:
                # The piece nearest the quote's start predicts the start best.
                chapter, local = self._to_local(max(0, min(cluster, key=lambda d: d[1])[0]))
                found.append((-count, chapter, min(local, len(self._texts[chapter]))))
        return [(chapter, start) for _, chapter, start in sorted(found)]
