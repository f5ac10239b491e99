"""The shipped example library: it parses, every excerpt is verbatim in the book it names,
the evidence quoted in each explanation is words of its excerpt, and the default prefix is
long enough for the API to cache.

The books are the public-domain texts of the test corpus (shared/corpus, see its README);
resources/examples/README.md lists the same sources.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reader_app.ai.prompt import (
    PassageContext,
    PromptSettings,
    cache_prefix,
    compose,
    system_blocks,
)
from reader_app.core.emotions import EMOTIONS
from reader_app.core.examples import Example, read_jsonl
from reader_app.usecases.examples import SHIPPED_BEFORE

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "resources" / "examples" / "seed.jsonl"
CORPUS = ROOT.parent / "shared" / "corpus"

# The title each example's source names, and the corpus file (and encoding) it is taken from.
BOOKS = {
    "Pride and Prejudice": ("books/pride-and-prejudice_pg1342_utf8-bom.txt", "utf-8-sig"),
    "Moby-Dick": ("books/moby-dick_pg2701_utf8-bom.txt", "utf-8-sig"),
    "Frankenstein": ("books/frankenstein_pg84_ascii.txt", "ascii"),
    "War and Peace": ("books/war-and-peace_pg2600_utf8-bom.txt", "utf-8-sig"),
    "Lyrical Ballads (1798)": ("books/lyrical-ballads-1798_pg9622_latin1.txt", "latin-1"),
    "Songs of Innocence and of Experience": (
        "books/songs-of-innocence-and-of-experience_blake.md", "utf-8"),
    "Jane Eyre": ("books-extra/jane-eyre_pg1260_ascii.txt", "ascii"),
    "Sense and Sensibility": ("books-extra/sense-and-sensibility_pg161_ascii.txt", "ascii"),
    "The Scarlet Letter": ("books-extra/the-scarlet-letter_pg33_ascii.txt", "ascii"),
    "Little Women": ("books-extra/little-women_pg514_latin1.txt", "latin-1"),
    "Treasure Island": ("books-extra/treasure-island_pg120_utf8-bom.txt", "utf-8-sig"),
    "The Time Machine": ("books-extra/the-time-machine_pg35_utf8.txt", "utf-8"),
    "Crime and Punishment": ("books-extra/crime-and-punishment_pg2554_utf8-bom.txt", "utf-8-sig"),
    "The Brothers Karamazov": ("books-extra/the-brothers-karamazov_pg28054_utf8.txt", "utf-8"),
    "Anna Karenina": ("books-extra/anna-karenina_pg1399_utf8-bom.txt", "utf-8-sig"),
    "Romeo and Juliet": ("books-extra/romeo-and-juliet_pg1513_utf8.txt", "utf-8"),
    "The Sorrows of Young Werther": (
        "books-extra/the-sorrows-of-young-werther_pg2527_ascii.txt", "ascii"),
    "Leaves of Grass": ("books-extra/leaves-of-grass_pg1322_ascii.txt", "ascii"),
    "On the Duty of Civil Disobedience": ("books-extra/civil-disobedience_pg71_utf8.txt", "utf-8"),
}  # fmt: skip


def _words(text: str) -> str:
    """The text with every run of white space as one space (line breaks are the book's)."""
    return " ".join(text.split())


@pytest.fixture(scope="module")
def shipped() -> list[Example]:
    examples, problems = read_jsonl(SEED)
    assert problems == []
    return examples


@pytest.fixture(scope="module")
def library(shipped: list[Example]) -> list[Example]:
    """The curated library: the rows after the five Wordsworth pairs."""
    return shipped[SHIPPED_BEFORE[1] :]


@pytest.fixture(scope="module")
def books() -> dict[str, str]:
    texts = {}
    for title, (name, encoding) in BOOKS.items():
        texts[title] = _words((CORPUS / name).read_bytes().decode(encoding))
    return texts


def _title(example: Example) -> str:
    titles = [t for t in BOOKS if example.source.endswith(", " + t) or t in example.source]
    assert len(titles) == 1, example.source
    return titles[0]


def test_the_library_is_large_and_varied(library: list[Example]) -> None:
    assert len(library) >= 40
    assert len({e.excerpt for e in library}) == len(library)
    forms = {e.tags[0] for e in library}
    assert forms == {"prose", "verse"}
    assert sum("dialogue" in e.tags for e in library) >= 10
    assert len({_title(e) for e in library}) >= 15
    tones = " ".join(e.tone for e in library)
    for word in ("Scornful", "Tender", "Ironic", "Fearful", "Joyful", "Menacing", "Comic",
                 "Awed", "Melancholy"):  # fmt: skip
        assert word in tones, word
    felt = {name for e in library for name, _ in e.emotions}
    assert felt == set(EMOTIONS)  # every one of Plutchik's eight is taught


def test_every_example_has_emotions_and_a_plain_explanation(library: list[Example]) -> None:
    for example in library:
        assert 1 <= len(example.emotions) <= 3, example.tone
        assert all(0 < intensity <= 1 for _name, intensity in example.emotions)
        assert 60 <= len(example.explanation) <= 400, example.tone
        assert example.source
        assert example.tags


def test_every_excerpt_is_verbatim_in_the_book_it_names(
    library: list[Example], books: dict[str, str]
) -> None:
    for example in library:
        assert _words(example.excerpt) in books[_title(example)], example.excerpt[:60]


def test_the_evidence_in_each_explanation_is_words_of_its_excerpt(
    library: list[Example],
) -> None:
    def plain(text: str) -> str:
        return _words(text).replace("’", "'").replace("‘", "'")

    for example in library:
        quotes = re.findall(r'"([^"]+)"', example.explanation)
        assert quotes, example.tone  # each explanation points at the words
        for quote in quotes:
            assert plain(quote) in plain(example.excerpt), (example.tone, quote)


def test_the_default_prefix_is_above_every_cache_minimum(shipped: list[Example]) -> None:
    """4,096 tokens is the largest minimum of any current model (Haiku 4.5, Opus 4.5)."""
    blocks = system_blocks(PromptSettings(model="claude-haiku-4-5"), shipped)
    characters = sum(len(str(b["text"])) for b in blocks)
    assert characters / 4 > 1.5 * 4_096  # ≈ 8,800 tokens at 4 characters a token
    ctx = PassageContext("A book", "", "", "A passage.")
    for model in ("claude-haiku-4-5", "claude-haiku-5-5", "a-model-not-in-the-catalogue"):
        prefix = cache_prefix(compose(PromptSettings(model=model), shipped, ctx))
        assert prefix.cacheable, model
        assert prefix.tokens > 4_096


def test_a_library_of_one_example_is_too_short_to_cache(shipped: list[Example]) -> None:
    ctx = PassageContext("A book", "", "", "A passage.")
    prefix = cache_prefix(compose(PromptSettings(model="claude-haiku-4-5"), shipped[:1], ctx))
    assert not prefix.cacheable
    assert prefix.minimum == 4_096
