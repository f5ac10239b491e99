"""The cached prefix: byte-identical between two analyses in one chapter, and its lifetime.

Everything that differs between two analyses of one chapter (the passage, its context, the
earlier analyses recalled, the examples chosen for the passage) must come after the last
``cache_control``; otherwise the API would write a new cache entry each time.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reader_app.ai.passage import request_for_passage
from reader_app.ai.prompt import (
    PromptSettings,
    batch_cache_ttl,
    cache_summary,
    with_cache_ttl,
)
from reader_app.core.examples import Example, read_jsonl
from reader_app.core.loaders import load_book

ROOT = Path(__file__).resolve().parents[2]
BALLADS = ROOT / "resources" / "lyrical-ballads_standardebooks_epub3.epub"
SEED = ROOT / "resources" / "examples" / "seed.jsonl"
# Two passages of one poem that no shipped example quotes.
POEM = "Close up these barren leaves;"
OTHER = "Come forth, and bring with you a heart"
RECALLED = "“Close up these barren leaves;” → Weary and Dismissive (disgust)"


def _shipped() -> list[Example]:
    examples, problems = read_jsonl(SEED)
    assert problems == []
    return examples


def _request(passage: str, earlier: tuple[str, ...] = (), strategy: str = "all"):  # type: ignore[no-untyped-def]
    book = load_book(BALLADS)
    chapter = next(i for i, c in enumerate(book.chapters) if passage in c.text)
    start = book.chapters[chapter].text.index(passage)
    settings = PromptSettings(model="claude-haiku-5-5", example_strategy=strategy)
    return request_for_passage(
        book, chapter, start, start + len(passage), settings, _shipped(), earlier
    )


def _prefix(request) -> str:  # type: ignore[no-untyped-def]
    """The bytes of the system blocks up to and including the last cache marker."""
    marked = max(i for i, b in enumerate(request.system) if "cache_control" in b)
    return json.dumps(request.system[: marked + 1], ensure_ascii=False)


@pytest.mark.parametrize("strategy", ["all", "similar"])
def test_two_analyses_in_one_chapter_share_the_prefix_byte_for_byte(strategy: str) -> None:
    first = _request(POEM, strategy=strategy)
    second = _request(OTHER, (RECALLED,), strategy)
    assert _prefix(first) == _prefix(second)
    assert first.model == second.model
    assert first.output_schema == second.output_schema
    for request in (first, second):
        marked = max(i for i, b in enumerate(request.system) if "cache_control" in b)
        assert [i for i, b in enumerate(request.system) if "cache_control" in b] == [marked]
        after = json.dumps(request.system[marked + 1 :]) + json.dumps(request.messages)
        assert request.passage in after
        assert request.passage not in _prefix(request)
    assert RECALLED in json.dumps(second.messages, ensure_ascii=False)
    assert "Weary and Dismissive" not in _prefix(second)
    assert "<context_before>\n" not in _prefix(first)


def test_a_batch_caches_for_an_hour_and_keeps_the_prompt_version() -> None:
    request = _request(POEM)
    assert request.system[-1]["cache_control"] == {"type": "ephemeral"}  # 5 minutes
    assert batch_cache_ttl(1) == "5m"
    assert batch_cache_ttl(2) == "1h"
    long_run = with_cache_ttl(request, "1h")
    assert long_run.system[-1]["cache_control"] == {"type": "ephemeral", "ttl": "1h"}
    assert long_run.system[:-1] == request.system[:-1]
    assert long_run.prompt_version == request.prompt_version
    assert long_run.messages == request.messages
    assert request.system[-1]["cache_control"] == {"type": "ephemeral"}  # not changed in place


def test_the_cached_share_comes_from_the_usage() -> None:
    assert cache_summary(100, 0, 900) == (0.9, None)
    assert cache_summary(100, 900, 0) == (0.0, None)  # written now: read next time
    share, note = cache_summary(1_000, 0, 0)
    assert share is None
    assert note == "prefix too short to cache"
