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
    bad = {**ITEMS[1], "tone": ""}  # no tone: what cannot be repaired
    stream = ItemStream(PASSAGES, lambda _i, _c: None)
    results = stream.finish(json.dumps({"items": [ITEMS[0], bad]}))
    assert sorted(results.done) == [0]
    assert "no tone" in results.failed[1]
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


# -- which passage an item is for -------------------------------------------------------------
def _tones(results) -> dict[int, str]:  # type: ignore[no-untyped-def]
    return {i: c.analysis.tone for i, c in results.done.items()}


def _renumbered(numbers: list[int]) -> list[dict[str, object]]:
    return [{**item, "passage": n} for item, n in zip(ITEMS, numbers, strict=True)]


def test_an_answer_numbered_from_zero_lands_on_the_right_passages() -> None:
    got: list[tuple[int, str]] = []
    stream = ItemStream(PASSAGES, lambda i, c: got.append((i, c.analysis.tone)))
    text = json.dumps({"items": _renumbered([0, 1, 2])})
    for end in range(0, len(text), 7):  # streamed in small pieces
        stream.feed(text[:end])
    results = stream.finish(text)
    expected = {0: "Harsh and Condemning", 1: "Appreciative and Gentle", 2: "Urgent and Cheerful"}
    assert _tones(results) == expected
    assert got == list(expected.items())
    assert results.failed == {}


def test_an_item_is_never_saved_on_a_passage_its_quotes_are_not_from() -> None:
    # Numbered from 1 but out of order: item "1" quotes passage 2. It is refused, and
    # passage 1 is left unanswered rather than given passage 2's analysis.
    items = [{**ITEMS[1], "passage": 1}, {**ITEMS[2], "passage": 3}]
    results = ItemStream(PASSAGES, lambda _i, _c: None).finish(json.dumps({"items": items}))
    assert _tones(results) == {2: "Urgent and Cheerful"}
    assert results.failed == {0: "none of its quotes is in passage 1",
                              1: "no answer for this passage"}  # fmt: skip


@pytest.mark.parametrize(
    ("numbers", "done"),
    [
        ([2, 1, 3], {0: "Harsh and Condemning", 2: "Urgent and Cheerful"}),  # first cannot tell
        ([1, 0, 2], {0: "Harsh and Condemning"}),  # a 0 after counting from 1: stop there
        ([1, 2, 4], {0: "Harsh and Condemning", 1: "Appreciative and Gentle"}),  # not sent
        ([0, 1, 3], {0: "Harsh and Condemning", 1: "Appreciative and Gentle"}),  # 3 is out
    ],
)
def test_numbers_that_were_not_sent_are_refused(numbers: list[int], done: dict[int, str]) -> None:
    items = _renumbered(numbers)
    if numbers[0] == 2:  # the item about passage 1 was numbered 2: make it quote passage 1
        items = [items[0], {**ITEMS[0], "passage": 1}, items[2]]
    results = ItemStream(PASSAGES, lambda _i, _c: None).finish(json.dumps({"items": items}))
    assert _tones(results) == done
    assert set(results.failed) == {0, 1, 2} - set(done)


@pytest.mark.parametrize("number", ["1", True, None, 1.0, -1])
def test_a_number_of_the_wrong_type_is_refused(number: object) -> None:
    items = [{**ITEMS[0], "passage": number}]
    results = ItemStream(PASSAGES, lambda _i, _c: None).finish(json.dumps({"items": items}))
    assert results.done == {}


def test_the_item_scanner_is_incremental_and_linear() -> None:
    import time

    from reader_app.ai.multi import complete_items

    item = {**ITEMS[0], "explanation": 'x } ] " \\" [ {' * 300}
    items = [dict(item, passage=1 + n % 3) for n in range(40)]
    text = json.dumps({"items": items})  # about 170 KB
    assert len(text) > 150_000
    stream = ItemStream(PASSAGES, lambda _i, _c: None)
    started = time.process_time()
    for end in range(0, len(text) + 16, 16):  # as the SDK hands it over: 16 characters a delta
        stream.feed(text[:end])
    assert time.process_time() - started < 5.0  # rescanning whole would be about 10^9 steps
    assert len(stream._pieces) == 40
    assert stream._pieces == complete_items(text)


def test_an_answer_nested_too_deeply_is_a_schema_error() -> None:
    from reader_app.ai.schema import SchemaMismatch

    stream = ItemStream(PASSAGES, lambda _i, _c: None)
    deep = '{"items": [' + "[" * 100_000
    stream.feed(deep)
    with pytest.raises(SchemaMismatch, match="no list of items"):
        stream.finish(deep + "]" * 100_000 + "]}")
