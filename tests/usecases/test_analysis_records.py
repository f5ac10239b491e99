"""Keeping outcomes: answers, failures and a group's answers, in a real library.

The answers come from the real SDK talking to the fake Messages API over HTTP.
"""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import pytest

from reader_app.ai.client import ClaudeToneAnalyzer
from reader_app.ai.errors import AiError, AiErrorKind
from reader_app.ai.multi import analyse_many
from reader_app.ai.pricing import estimate_cost
from reader_app.ai.request import Usage
from reader_app.core.errors import StorageError
from reader_app.usecases.analysis import AnalysisComposer, place_of
from reader_app.usecases.analysis_records import (
    AnalysisRecorder,
    failure_row,
    item_failure_message,
    item_outcome,
    success_row,
)
from reader_app.usecases.cost import BATCH_PRICE_FACTOR
from tests.fake_api import VALID_KEY, FakeAnthropic
from tests.usecases.analysis_library import (
    MEDDLING,
    MURDER,
    SWEET,
    Library,
    ballads,
    open_library,
)

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from reader_app.ai.request import AnalysisOutcome, ToneRequest
    from reader_app.core.records import Highlight

POEM = "The Tables Turned"
QUOTES = ((1, "Sweet"), (2, "meddling"), (3, "murder"))
PRICES = (("claude-haiku", 2.0, 10.0),)
USAGE = {
    "input_tokens": 400,
    "output_tokens": 90,
    "cache_creation_input_tokens": 1200,
    "cache_read_input_tokens": 3000,
}
ANSWER: dict[str, Any] = {
    "tone": "Harsh and Condemning",
    "polarity": "negative",
    "emotions": [{"name": "disgust", "intensity": 0.75}, {"name": "anger", "intensity": 0.55}],
    "evidence": [{"quote": "murder", "why": "a violent word"}, {"quote": "autopsy", "why": "?"}],
    "explanation": "A short, hard sentence.",
    "confidence": 0.82,
}


def _item(number: int, tone: str, emotion: str, quote: str) -> dict[str, object]:
    return {
        "passage": number, "tone": tone, "polarity": "negative",
        "emotions": [{"name": emotion, "intensity": 0.7}],
        "evidence": [{"quote": quote, "why": "it carries the tone"}],
        "explanation": "Short.", "confidence": 0.7,
    }  # fmt: skip


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    made = open_library(tmp_path / "library.sqlite3")
    made.seed_examples()
    made.change(prices=PRICES)
    yield made
    made.conn.close()


@pytest.fixture
def analyzer(fake_api: FakeAnthropic) -> Iterator[ClaudeToneAnalyzer]:
    made = ClaudeToneAnalyzer(VALID_KEY, base_url=fake_api.base_url, max_retries=0, timeout=5.0)
    yield made
    made.close()


def _recorder(library: Library) -> AnalysisRecorder:
    return AnalysisRecorder(
        library.analyses, library.highlights.set_color, lambda: library.settings.prices
    )


def _composer(library: Library) -> AnalysisComposer:
    return AnalysisComposer(library.examples, library.current, analyses=library.analyses)


def _answer(
    library: Library, analyzer: ClaudeToneAnalyzer, item: Highlight
) -> tuple[ToneRequest, AnalysisOutcome]:
    request = _composer(library).for_passage(ballads(), place_of(item))
    return request, analyzer.analyse(request)


def _color(library: Library, highlight_id: int) -> str:
    found = library.highlights.get(highlight_id)
    assert found is not None
    return found.color


# -- one answer ----------------------------------------------------------------------------


def test_an_answer_is_stored_priced_and_colours_its_highlight(
    library: Library, analyzer: ClaudeToneAnalyzer, fake_api: FakeAnthropic
) -> None:
    item = library.highlight(ballads(), MURDER, POEM)
    assert item.color == "yellow"
    fake_api.reply_json(ANSWER, usage=USAGE, request_id="req_one")
    request, outcome = _answer(library, analyzer, item)
    record = _recorder(library).success(item.id, outcome)
    assert library.analyses.history(item.id) == [record]
    assert (record.status, record.tone, record.polarity) == ("ok", ANSWER["tone"], "negative")
    assert record.dominant_emotion == "disgust"
    assert record.dropped_evidence == 1  # "autopsy" is not in the passage
    assert [e["quote"] for e in record.result["evidence"]] == ["murder"]  # type: ignore[index]
    assert (record.model, record.prompt_version) == (request.model, request.prompt_version)
    assert record.request_id == "req_one"
    tokens = (record.input_tokens, record.output_tokens, record.cache_creation_tokens,
              record.cache_read_tokens)  # fmt: skip
    assert tokens == (400, 90, 1200, 3000)
    # 400 × 2 + 1200 × 2 × 1.25 + 3000 × 2 × 0.1 + 90 × 10 = 5300 millionths of a dollar.
    assert record.cost_usd == pytest.approx(0.0053)
    assert record.ttft_ms > 0
    assert record.total_ms >= record.ttft_ms
    assert _color(library, item.id) == "disgust"


def test_the_price_table_in_force_prices_each_answer(
    library: Library, analyzer: ClaudeToneAnalyzer, fake_api: FakeAnthropic
) -> None:
    item = library.highlight(ballads(), MURDER, POEM)
    recorder = _recorder(library)
    fake_api.reply_json(ANSWER, usage=USAGE)
    _request, outcome = _answer(library, analyzer, item)
    first = recorder.success(item.id, outcome)
    library.change(prices=(("claude-haiku", 4.0, 20.0),))
    second = recorder.success(item.id, outcome)
    assert second.cost_usd == pytest.approx(2 * first.cost_usd)
    library.change(prices=())  # the built-in table
    third = recorder.success(item.id, outcome)
    assert third.cost_usd == pytest.approx(estimate_cost(outcome.model, outcome.usage))
    # Re-analysing keeps the history, newest first.
    assert [r.id for r in library.analyses.history(item.id)] == [third.id, second.id, first.id]


def test_a_batch_answer_costs_half(
    library: Library, analyzer: ClaudeToneAnalyzer, fake_api: FakeAnthropic
) -> None:
    item = library.highlight(ballads(), MURDER, POEM)
    fake_api.reply_json(ANSWER, usage=USAGE)
    _request, outcome = _answer(library, analyzer, item)
    standard = success_row(item.id, outcome, PRICES)
    batch = _recorder(library).success(item.id, outcome, batch=True)
    assert batch.cost_usd == pytest.approx(standard.cost_usd * BATCH_PRICE_FACTOR)
    assert BATCH_PRICE_FACTOR == 0.5


def test_a_row_takes_the_request_model_when_the_answer_names_none(
    library: Library, analyzer: ClaudeToneAnalyzer, fake_api: FakeAnthropic
) -> None:
    item = library.highlight(ballads(), MURDER, POEM)
    fake_api.reply_json(ANSWER, usage=USAGE, model="claude-haiku-4-5-20251001")
    _request, outcome = _answer(library, analyzer, item)
    assert success_row(item.id, outcome, PRICES, model="x").model == "claude-haiku-4-5-20251001"
    anonymous = replace(outcome, model="")
    row = success_row(item.id, anonymous, PRICES, model="claude-haiku-4-5")
    assert row.model == "claude-haiku-4-5"
    assert row.cost_usd == pytest.approx(success_row(item.id, outcome, PRICES).cost_usd)


@pytest.mark.parametrize(
    ("script", "kind", "words"),
    [
        (lambda api: api.reply_error(401, "authentication_error", "bad"), "auth", "401"),
        (
            lambda api: api.reply_error(
                429, "rate_limit_error", "slow", headers={"retry-after": "9"}
            ),
            "rate_limited",
            "429",
        ),
        (lambda api: api.reply_json('{"tone": 3}'), "schema", "expected form"),
        (lambda api: api.reply_refusal(), "refusal", "declined"),
    ],
)
def test_a_failure_is_stored_and_the_highlight_stays_not_analysed(
    library: Library,
    analyzer: ClaudeToneAnalyzer,
    fake_api: FakeAnthropic,
    script: Any,
    kind: str,
    words: str,
) -> None:
    item = library.highlight(ballads(), MURDER, POEM)
    script(fake_api)
    request = _composer(library).for_passage(ballads(), place_of(item))
    with pytest.raises(AiError) as caught:
        analyzer.analyse(request)
    record = _recorder(library).failure(item.id, request, caught.value)
    assert (record.status, record.error_kind) == ("failed", kind)
    assert words in record.error_message
    assert "\n" not in record.error_message
    assert (record.model, record.prompt_version) == (request.model, request.prompt_version)
    assert record.request_id == caught.value.request_id
    assert (record.tone, record.cost_usd, record.result) == ("", 0.0, {})
    assert _color(library, item.id) == "yellow"
    assert [h.id for h in library.highlights.list_for_book(ballads().book_id)] == [item.id]


def test_a_failure_row_is_one_line_with_the_hint() -> None:
    error = AiError(AiErrorKind.NO_KEYRING, "locked", hint="Unlock\nthe keyring.")
    row = failure_row(7, "claude-haiku-4-5", "pv1", error)
    assert row.error_message == f"{error.message} Unlock the keyring."
    assert (row.highlight_id, row.status, row.error_kind) == (7, "failed", "no_keyring")


def test_nothing_is_coloured_when_the_answer_cannot_be_stored(
    library: Library, analyzer: ClaudeToneAnalyzer, fake_api: FakeAnthropic
) -> None:
    item = library.highlight(ballads(), MURDER, POEM)
    fake_api.reply_json(ANSWER)
    _request, outcome = _answer(library, analyzer, item)
    coloured: list[tuple[int, str]] = []
    recorder = AnalysisRecorder(library.analyses, lambda h, c: coloured.append((h, c)))
    with pytest.raises(StorageError):
        recorder.success(item.id + 100, outcome)  # no such highlight: the key refuses it
    assert coloured == []
    assert library.analyses.history(item.id) == []


# -- several highlights in one request -----------------------------------------------------


def _group_answer(
    library: Library, analyzer: ClaudeToneAnalyzer, fake_api: FakeAnthropic, items: list[Any]
) -> tuple[list[Highlight], ToneRequest]:
    highlights = [library.highlight(ballads(), text, POEM) for text in (SWEET, MEDDLING, MURDER)]
    fake_api.reply_json({"items": items}, usage=USAGE, chunk_size=30, request_id="req_group")
    request = _composer(library).for_group(ballads(), [place_of(h) for h in highlights])
    return highlights, request


def test_a_group_keeps_each_answer_as_it_arrives_and_shares_the_usage(
    library: Library, analyzer: ClaudeToneAnalyzer, fake_api: FakeAnthropic
) -> None:
    items = [
        {**_item(1, "Gentle", "joy", "Sweet"), "tone": " "},  # no tone: cannot be repaired
        _item(2, "Regretful and Accusatory", "sadness", "meddling"),
        _item(3, "Harsh and Condemning", "disgust", "murder"),
    ]
    highlights, request = _group_answer(library, analyzer, fake_api, items)
    group = _recorder(library).group([h.id for h in highlights], request)
    arrived: list[tuple[int, int | None, int]] = []

    def on_item(index: int, checked: Any) -> None:
        # Stored before the request has ended: nothing is lost if it breaks off now.
        stored = group.item(index, checked)
        arrived.append((index, stored, len(library.analyses.history(highlights[index].id))))

    results, raw = analyse_many(analyzer, request, on_item)
    assert arrived == [(1, highlights[1].id, 1), (2, highlights[2].id, 1)]
    group.finish(results, raw)
    sweet, meddling, murder = (library.analyses.history(h.id) for h in highlights)
    assert [(r.status, r.error_kind) for r in sweet] == [("failed", "schema")]
    assert sweet[0].error_message == item_failure_message(results.failed[0])
    assert "no tone" in sweet[0].error_message
    assert (meddling[0].tone, murder[0].tone) == ("Regretful and Accusatory", ANSWER["tone"])
    assert (_color(library, highlights[1].id), _color(library, highlights[2].id)) == (
        "sadness",
        "disgust",
    )
    assert _color(library, highlights[0].id) == "yellow"
    # The request's tokens and cost, shared evenly by the two answers.
    for record in (meddling[0], murder[0]):
        assert (record.input_tokens, record.output_tokens) == (200, 45)
        assert (record.cache_creation_tokens, record.cache_read_tokens) == (600, 1500)
        assert record.cost_usd == pytest.approx(0.0053 / 2)
        assert record.request_id == "req_group"
        assert (record.model, record.prompt_version) == (request.model, request.prompt_version)
    assert group.saved == {1: meddling[0].id, 2: murder[0].id}


def test_a_group_answer_counts_once_and_only_for_its_passages(
    library: Library, analyzer: ClaudeToneAnalyzer, fake_api: FakeAnthropic
) -> None:
    items = [_item(n, "Plain", "trust", q) for n, q in QUOTES]
    highlights, request = _group_answer(library, analyzer, fake_api, items)
    group = _recorder(library).group([h.id for h in highlights], request)
    results, _raw = analyse_many(analyzer, request, lambda _i, _c: None)
    first = results.done[0]
    assert group.item(0, first) == highlights[0].id
    assert group.item(0, results.done[1]) is None  # a second answer: the first stands
    assert group.item(3, first) is None  # not one of the request's passages
    assert len(library.analyses.history(highlights[0].id)) == 1
    assert group.total == 3


def test_a_failed_group_request_records_the_passages_not_answered(
    library: Library, analyzer: ClaudeToneAnalyzer, fake_api: FakeAnthropic
) -> None:
    highlights = [library.highlight(ballads(), text, POEM) for text in (SWEET, MEDDLING, MURDER)]
    first = _item(1, "Gentle", "joy", "Sweet")
    fake_api.reply_stream_error('{"items": [' + json.dumps(first) + ', {"passage": 2, "to')
    request = _composer(library).for_group(ballads(), [place_of(h) for h in highlights])
    group = _recorder(library).group([h.id for h in highlights], request)
    with pytest.raises(AiError) as caught:
        analyse_many(analyzer, request, group.item)
    group.fail(caught.value)
    statuses = [[r.status for r in library.analyses.history(h.id)] for h in highlights]
    assert statuses == [["ok"], ["failed"], ["failed"]]
    failed = library.analyses.history(highlights[1].id)[0]
    assert failed.error_kind == caught.value.kind.value == "overloaded"
    assert failed.error_message == str(caught.value)


def test_a_cancelled_group_request_records_no_failure(
    library: Library, analyzer: ClaudeToneAnalyzer, fake_api: FakeAnthropic
) -> None:
    items = [_item(n, "Plain", "trust", q) for n, q in QUOTES]
    highlights, request = _group_answer(library, analyzer, fake_api, items)
    group = _recorder(library).group([h.id for h in highlights], request)
    cancelled = threading.Event()
    cancelled.set()
    with pytest.raises(AiError) as caught:
        analyse_many(analyzer, request, group.item, cancelled)
    assert caught.value.kind is AiErrorKind.CANCELLED
    group.fail(caught.value)
    assert all(library.analyses.history(h.id) == [] for h in highlights)


def test_each_passage_of_a_group_gets_its_share_for_the_report(
    library: Library, analyzer: ClaudeToneAnalyzer, fake_api: FakeAnthropic
) -> None:
    items = [_item(n, f"Tone {n}", "trust", q) for n, q in QUOTES]
    _highlights, request = _group_answer(library, analyzer, fake_api, items)
    results, raw = analyse_many(analyzer, request, lambda _i, _c: None)
    outcome = item_outcome(results.done[2], raw, request, len(results.done))
    assert outcome.analysis.tone == "Tone 3"
    assert outcome.usage == Usage(133, 30, 400, 1000)
    assert (outcome.model, outcome.request_id) == (raw.model, "req_group")
    assert outcome.prompt_version == request.prompt_version
    assert (outcome.ttft_ms, outcome.total_ms) == (raw.ttft_ms, raw.total_ms)
