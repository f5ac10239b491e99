"""Which examples are sent, in what order, and what stays cacheable."""

from __future__ import annotations

import json
from pathlib import Path

from reader_app.ai.passage import request_for_passage
from reader_app.ai.prompt import PromptSettings
from reader_app.ai.selection import choose_examples, example_tokens
from reader_app.core.examples import Example
from reader_app.core.loaders import load_book
from reader_app.core.similarity import BM25, most_similar

ROOT = Path(__file__).resolve().parents[2]
BALLADS = ROOT / "resources" / "lyrical-ballads_standardebooks_epub3.epub"

POOL = [
    Example("The sea was calm and the sky was blue.", "Peaceful and Content"),
    Example("He shouted at the servant and broke the glass.", "Angry and Violent"),
    Example("She wept for her mother, lost at sea.", "Grieving and Tender"),
    Example("The little lamb played in the green meadow.", "Innocent and Joyful"),
    Example("Murder most foul, as in the best it is.", "Horrified and Condemning"),
]


def test_bm25_prefers_shared_rare_words() -> None:
    docs = [e.excerpt for e in POOL]
    scores = BM25(docs).scores("the lamb in the meadow")
    assert max(range(len(docs)), key=scores.__getitem__) == 3
    assert most_similar(docs, "weeping at sea for a mother", 2) == [0, 2]  # library order
    assert most_similar(docs, "anything", 0) == []


def test_strategies_place_examples_for_caching() -> None:
    everything = choose_examples(POOL, "all", "x")
    assert everything.static == tuple(POOL)
    assert everything.dynamic == ()
    similar = choose_examples(POOL, "similar", "They murder to dissect, most foul.", k=2)
    assert similar.static == ()
    assert POOL[4] in similar.dynamic
    assert len(similar.dynamic) == 2
    fixed = choose_examples(POOL, "fixed", "x", fixed=POOL[1:3])
    assert fixed.static == tuple(POOL[1:3])


def test_a_large_library_is_trimmed_with_a_note() -> None:
    pool = [Example("word " * 400, f"Tone {i}") for i in range(100)]
    budget = example_tokens(pool[0]) * 10
    choice = choose_examples(pool, "all", "x", budget=budget)
    assert len(choice.static) == 10
    assert choice.static[0].tone == "Tone 0"  # the oldest are kept
    assert choice.left_out == 90
    assert "90 example(s) were left out" in choice.notes[0]


def _request(examples, passage: str, strategy: str = "all"):  # type: ignore[no-untyped-def]
    book = load_book(BALLADS)
    chapter = next(i for i, c in enumerate(book.chapters) if passage in c.text)
    start = book.chapters[chapter].text.index(passage)
    settings = PromptSettings(model="claude-haiku-4-5", example_strategy=strategy, example_k=4)
    return request_for_passage(book, chapter, start, start + len(passage), settings, examples)


def _cached_share(request) -> float:  # type: ignore[no-untyped-def]
    marked = max(i for i, b in enumerate(request.system) if "cache_control" in b)
    prefix = len(json.dumps(request.system[: marked + 1]))
    total = len(json.dumps(request.system)) + len(json.dumps(request.messages))
    return prefix / total


def test_35_examples_share_a_stable_cached_prefix_of_80_percent() -> None:
    examples = [
        Example(
            f"Passage number {i}: the wind went over the hills and the speaker remembered"
            f" a summer long ago, when everything seemed possible.",
            f"Tone {i}",
            (("sadness", 0.5), ("joy", 0.2)),
            "A calm, remembering voice; the long sentence slows the reader down.",
        )
        for i in range(35)
    ]
    first = _request(examples, "We murder to dissect.")
    second = _request(examples, "Sweet is the lore which Nature brings;")
    marked = max(i for i, b in enumerate(first.system) if "cache_control" in b)
    assert first.system[: marked + 1] == second.system[: marked + 1]
    assert first.prompt_version == second.prompt_version
    assert _cached_share(first) >= 0.8
    assert _cached_share(second) >= 0.8


def test_similar_examples_come_after_the_cache_marker() -> None:
    first = _request(POOL, "We murder to dissect.", "similar")
    second = _request(POOL, "Sweet is the lore which Nature brings;", "similar")
    marked = max(i for i, b in enumerate(first.system) if "cache_control" in b)
    assert marked == len(first.system) - 2  # the chosen examples follow it
    assert first.system[: marked + 1] == second.system[: marked + 1]
    assert "Murder most foul" in first.system[-1]["text"]
    assert first.prompt_version == second.prompt_version
