"""Several passages in one request: read together, labelled each, saved one by one."""

from __future__ import annotations

import json

import pytest

from reader_app.ai.client import ClaudeToneAnalyzer
from reader_app.ai.errors import AiError, AiErrorKind
from reader_app.ai.multi import ItemStream, analyse_many, compose_many, many_schema
from reader_app.ai.prompt import PassageContext, PromptSettings
from reader_app.core.examples import Example
from tests.fake_api import VALID_KEY, FakeAnthropic

PASSAGES = ["We murder to dissect.", "Sweet is the lore which Nature brings;", "Up! up! my Friend"]


def _item(number: int, tone: str, quote: str) -> dict[str, object]:
    return {
        "passage": number,
        "tone": tone,
        "polarity": "negative",
        "emotions": [{"name": "anger", "intensity": 0.6}],
        "evidence": [{"quote": quote, "why": "it carries the tone"}],
        "explanation": f"Explanation {number}.",
        "confidence": 0.7,
    }


ITEMS = [
    _item(1, "Harsh and Condemning", "murder"),
    _item(2, "Appreciative and Gentle", "Sweet"),
    _item(3, "Urgent and Cheerful", "Up! up!"),
]


def _request():  # type: ignore[no-untyped-def]
    contexts = [PassageContext("Lyrical Ballads", "Wordsworth", "The Tables Turned", p,
                               before="before", after="after") for p in PASSAGES]  # fmt: skip
    return compose_many(PromptSettings(model="claude-haiku-4-5"), [Example("x", "Calm")], contexts)


def test_one_request_reads_all_passages_first() -> None:
    request = _request()
    content = request.messages[0]["content"]
    assert content.index("Read all the passages below first") < content.index('<passage id="1">')
    assert content.count("<passage id=") == 3
    assert request.passages == tuple(PASSAGES)
    assert request.output_schema == many_schema()
    assert request.system[-1]["cache_control"] == {"type": "ephemeral"}
    item = many_schema()["properties"]["items"]["items"]
    assert item["required"][0] == "passage"


def test_items_are_handed_over_as_soon_as_complete() -> None:
    got: list[int] = []
    stream = ItemStream(PASSAGES, lambda i, _c: got.append(i))
    text = json.dumps({"items": ITEMS})
    second = text.index('{"passage": 2')
    stream.feed(text[: second - 40])  # the first item's last string is still growing
    assert got == []
    stream.feed(text[: second - 2])  # its closing brace has arrived
    assert got == [0]
    stream.feed(text[: second + 30])
    assert got == [0]
    results = stream.finish(json.dumps({"items": ITEMS}))
    assert got == [0, 1, 2]
    assert sorted(results.done) == [0, 1, 2]
    assert results.failed == {}


def test_a_bad_item_costs_only_itself() -> None:
    bad = {**ITEMS[1], "polarity": "furious"}
    stream = ItemStream(PASSAGES, lambda _i, _c: None)
    results = stream.finish(json.dumps({"items": [ITEMS[0], bad]}))
    assert sorted(results.done) == [0]
    assert "wrong shape" in results.failed[1]
    assert results.failed[2] == "no answer for this passage"


def test_analyse_many_over_http(fake_api: FakeAnthropic) -> None:
    fake_api.reply_json({"items": ITEMS}, chunk_size=40)
    analyzer = ClaudeToneAnalyzer(VALID_KEY, base_url=fake_api.base_url, max_retries=0)
    handed: list[tuple[int, str]] = []
    _results, raw = analyse_many(
        analyzer, _request(), lambda i, c: handed.append((i, c.analysis.tone))
    )
    assert handed == [(0, "Harsh and Condemning"), (1, "Appreciative and Gentle"),
                      (2, "Urgent and Cheerful")]  # fmt: skip
    assert raw.usage.input_tokens > 0
    assert len(fake_api.requests_to("/v1/messages")) == 1
    analyzer.close()


def test_a_broken_stream_keeps_the_items_already_answered(fake_api: FakeAnthropic) -> None:
    text = json.dumps({"items": ITEMS})
    cut = text.index('{"passage": 3')
    fake_api.reply_truncated(text[:cut], chunked=False)
    analyzer = ClaudeToneAnalyzer(VALID_KEY, base_url=fake_api.base_url, max_retries=0)
    handed: list[int] = []
    with pytest.raises(AiError) as info:
        analyse_many(analyzer, _request(), lambda i, _c: handed.append(i))
    assert info.value.kind is AiErrorKind.TRUNCATED
    assert handed == [0, 1]
    analyzer.close()


def test_complete_items_ignores_brackets_inside_strings() -> None:
    from reader_app.ai.multi import complete_items

    tricky = {"items": [{"passage": 1, "explanation": 'a } ] " \\" [ {'}, {"passage": 2}]}
    text = json.dumps(tricky)
    assert [json.loads(t) for t in complete_items(text)] == tricky["items"]
    assert complete_items(text[: text.index('{"passage": 2') + 5]) == [
        json.dumps(tricky["items"][0])
    ]
