"""Okapi BM25: which stored examples are most like a passage.

Small enough to own: a dozen lines of arithmetic over word counts, no index to keep, and
the libraries that offer it pull in NumPy and SciPy for what is here a few hundred
short documents.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

_WORD = re.compile(r"\w+", re.UNICODE)


def tokenize(text: str) -> list[str]:
    """Lower-cased words."""
    return [w.casefold() for w in _WORD.findall(text)]


class BM25:
    """Scores documents against a query with Okapi BM25 (k1 and b as usual)."""

    def __init__(self, documents: Sequence[str], k1: float = 1.5, b: float = 0.75) -> None:
        self._docs = [Counter(tokenize(d)) for d in documents]
        self._lengths = [sum(c.values()) for c in self._docs]
        self._avg = (sum(self._lengths) / len(self._lengths)) if self._docs else 0.0
        frequency: Counter[str] = Counter()
        for counts in self._docs:
            frequency.update(counts.keys())
        n = len(self._docs)
        # The "plus one" form keeps every idf positive, so common words never count against.
        self._idf = {w: math.log(1 + (n - f + 0.5) / (f + 0.5)) for w, f in frequency.items()}
        self._k1 = k1
        self._b = b

    def scores(self, query: str) -> list[float]:
        """One score per document, higher is more similar."""
        terms = set(tokenize(query))
        result = []
        for counts, length in zip(self._docs, self._lengths, strict=True):
            norm = self._k1 * (1 - self._b + self._b * length / self._avg) if self._avg else 0.0
            score = 0.0
            for term in terms:
                tf = counts.get(term, 0)
                if tf:
                    score += self._idf[term] * tf * (self._k1 + 1) / (tf + norm)
            result.append(score)
        return result


def most_similar(documents: Sequence[str], query: str, k: int) -> list[int]:
    """Indices of the k best documents, in their original order (stable for caching)."""
    if k <= 0 or not documents:
        return []
    scores = BM25(documents).scores(query)
    best = sorted(range(len(documents)), key=lambda i: (-scores[i], i))[:k]
    return sorted(best)
