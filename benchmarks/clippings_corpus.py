"""Kindle clippings made from real passages of War and Peace, for benchmarks and tests.

Each clipping is a passage of one paragraph, cut at word boundaries, as a reader would mark
it. One in ten is slightly edited (a word changed, a letter dropped), as another edition of
the book would print it, so that placing it needs the fuzzy search. The same seed always
gives the same clippings.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
WAR_AND_PEACE = CORPUS / "books" / "war-and-peace_pg2600_utf8-bom.txt"

_RECORD = (
    "{title} ({author})\n- Your Highlight on page {page} | Location {a}-{b} |"
    " Added on Monday, April 21, 2014 10:08:07 PM\n\n{quote}\n==========\n"
)
_SWAPS = ("the", "a", "his", "her", "that", "this", "and", "but")


@dataclass(frozen=True)
class Passage:
    """One generated clipping and where its text really is.

    Attributes:
        chapter: the chapter the passage was taken from.
        start: its code point offset in that chapter's text.
        end: one past its last code point.
        quote: the clipping's text: the passage itself, or an edited copy when ``edited``.
        edited: True when ``quote`` differs from the book's text.
    """

    chapter: int
    start: int
    end: int
    quote: str
    edited: bool


def _edit(quote: str, rng: random.Random) -> str:
    """Two small edits inside the passage: a word replaced and a letter dropped."""
    words = quote.split(" ")
    index = rng.randrange(2, len(words) - 2)
    words[index] = rng.choice([w for w in _SWAPS if w != words[index]])
    edited = " ".join(words)
    spot = rng.randrange(len(edited) // 3, len(edited) * 2 // 3)
    return edited[:spot] + edited[spot + 1 :]


def make_passages(
    chapter_texts: Sequence[str], count: int, seed: int = 11, edited_share: int = 10
) -> list[Passage]:
    """Pick ``count`` distinct passages of 60 to 300 characters from the chapters.

    Args:
        chapter_texts: each chapter's plain text.
        count: how many passages.
        seed: the random seed; the same seed gives the same passages.
        edited_share: one passage in this many is edited.

    Returns:
        The passages, in the order they were picked.
    """
    rng = random.Random(seed)
    weights = [len(text) for text in chapter_texts]
    taken: set[tuple[int, int]] = set()
    passages: list[Passage] = []
    while len(passages) < count:
        chapter = rng.choices(range(len(chapter_texts)), weights)[0]
        text = chapter_texts[chapter]
        start = text.find(" ", rng.randrange(len(text))) + 1
        if start <= 0 or (chapter, start) in taken:
            continue
        paragraph_end = text.find("\n", start)
        limit = len(text) if paragraph_end < 0 else paragraph_end
        end = text.rfind(" ", start, min(limit, start + rng.randint(60, 300)))
        if end - start < 60:
            continue
        quote = text[start:end]
        taken.add((chapter, start))
        edited = len(passages) % edited_share == edited_share - 1
        passages.append(
            Passage(chapter, start, end, _edit(quote, rng) if edited else quote, edited)
        )
    return passages


def clippings_text(passages: Sequence[Passage], title: str, author: str) -> str:
    """A My Clippings.txt holding the passages, each at its own Kindle location."""
    return "".join(
        _RECORD.format(
            title=title, author=author, page=n // 3 + 1, a=n * 10, b=n * 10 + 3, quote=p.quote
        )
        for n, p in enumerate(passages)
    )
