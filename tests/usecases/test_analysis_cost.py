"""What analyses cost: before sending, once answered, and shared by a group (no Qt)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pytest

from reader_app.ai.client import ClaudeToneAnalyzer
from reader_app.ai.pricing import DEFAULT_PRICES
from reader_app.ai.request import Usage
from reader_app.usecases.analysis import AnalysisComposer
from reader_app.usecases.cost import (
    BATCH_PRICE_FACTOR,
    answer_cost,
    cost_share,
    cost_text,
    estimate_request,
    shown_cost,
    stored_cost,
    usage_share,
)
from tests.fake_api import VALID_KEY, FakeAnthropic
from tests.usecases.analysis_library import MURDER, Library, ballads, open_library, place_in

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from reader_app.ai.request import ToneRequest

PRICES = (("claude-haiku", 2.0, 10.0), ("claude-haiku-4-5", 1.0, 5.0))
USAGE = Usage(
    input_tokens=1000, output_tokens=200, cache_creation_input_tokens=3000,
    cache_read_input_tokens=5000,
)  # fmt: skip


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    made = open_library(tmp_path / "library.sqlite3")
    made.seed_examples()
    yield made
    made.conn.close()


def _request(library: Library, model: str = "") -> ToneRequest:
    library.change(model=model)
    composer = AnalysisComposer(library.examples, library.current)
    return composer.for_passage(ballads(), place_in(ballads(), MURDER, "The Tables Turned"))


def test_an_answer_is_priced_by_the_longest_matching_prefix() -> None:
    # claude-haiku-4-5 matches both rows: the longer prefix wins (1.0 in, 5.0 out; cache
    # writes 1.25×, reads 0.1× input, as the catalogue has it for this model).
    expected = (1000 + 3000 * 1.25 + 5000 * 0.1 + 200 * 5) / 1e6
    assert answer_cost("claude-haiku-4-5", USAGE, PRICES) == pytest.approx(expected)
    # A model only the reader priced: the usual multipliers.
    older = (2 * (1000 + 3000 * 1.25 + 5000 * 0.1) + 200 * 10) / 1e6
    assert answer_cost("claude-haiku-3", USAGE, PRICES) == pytest.approx(older)


def test_an_empty_table_means_the_catalogue_prices() -> None:
    _prefix, per_input, per_output = next(r for r in DEFAULT_PRICES if r[0] == "claude-sonnet-5-5")
    assert (per_input, per_output) == (2.0, 10.0)
    plain = Usage(input_tokens=1_000_000, output_tokens=1_000_000)
    assert answer_cost("claude-sonnet-5-5", plain, ()) == pytest.approx(per_input + per_output)


def test_an_unknown_model_has_no_price_rather_than_a_guess() -> None:
    cost = answer_cost("someone-elses-model", USAGE, PRICES)
    assert cost is None
    assert cost_text(cost) == "price unknown"
    assert cost_text(0.00123) == "$0.0012"
    # Kept as 0.0 (the table's column is a number), shown again as "price unknown".
    assert stored_cost(cost) == 0.0
    assert shown_cost("someone-elses-model", stored_cost(cost)) is None
    assert shown_cost("someone-elses-model", 0.0, (("someone", 1.0, 1.0),)) == 0.0
    assert shown_cost("claude-haiku-5-5", 0.0) == 0.0  # a known price: a real $0


def test_a_batch_answer_costs_half() -> None:
    standard = answer_cost("claude-haiku-4-5", USAGE, PRICES)
    assert standard is not None
    assert answer_cost("claude-haiku-4-5", USAGE, PRICES, batch=True) == pytest.approx(
        standard * BATCH_PRICE_FACTOR
    )


def test_a_group_shares_its_tokens_in_whole_numbers_and_its_cost_exactly() -> None:
    assert usage_share(USAGE, 3) == Usage(333, 66, 1000, 1666)
    assert usage_share(USAGE, 1) == USAGE
    assert usage_share(USAGE, 0) == USAGE  # no answers: nothing to share it with
    whole = answer_cost("claude-haiku-4-5", USAGE, PRICES)
    assert whole is not None
    third = cost_share("claude-haiku-4-5", USAGE, PRICES, 3)
    assert third is not None
    assert third * 3 == pytest.approx(whole)
    assert cost_share("claude-haiku-4-5", USAGE, PRICES, 0) == pytest.approx(whole)
    assert cost_share("someone-elses-model", USAGE, PRICES, 3) is None


def test_before_sending_the_input_is_estimated_from_the_text(library: Library) -> None:
    request = _request(library)
    estimate = estimate_request(request, PRICES)
    text = "".join(str(b["text"]) for b in request.system) + str(request.messages[0]["content"])
    assert estimate.input_tokens == math.ceil(len(text) / 3.5)
    assert not estimate.counted
    assert estimate.max_output_tokens == request.max_tokens
    assert estimate.known_price
    # The dearest way to send the input: all of it written to the 1-hour cache.
    worst = Usage(
        cache_creation_input_tokens=estimate.input_tokens,
        output_tokens=request.max_tokens,
        cache_creation_1h_input_tokens=estimate.input_tokens,
    )
    assert estimate.most_usd == pytest.approx(answer_cost(request.model, worst, PRICES))
    batch = estimate_request(request, PRICES, batch=True)
    assert batch.most_usd == pytest.approx(estimate.most_usd * BATCH_PRICE_FACTOR)


def test_before_sending_the_api_count_is_used_when_asked(
    library: Library, fake_api: FakeAnthropic
) -> None:
    request = _request(library)
    analyzer = ClaudeToneAnalyzer(VALID_KEY, base_url=fake_api.base_url, max_retries=0)
    try:
        counted = analyzer.count_tokens(request)
        estimate = estimate_request(request, PRICES, counted_input_tokens=counted)
        assert (estimate.input_tokens, estimate.counted) == (counted, True)
        # The answer, once it comes, never costs more than the bound said.
        fake_api.reply_json(
            {"tone": "Harsh", "polarity": "negative",
             "emotions": [{"name": "disgust", "intensity": 0.7}], "evidence": [],
             "explanation": "Hard.", "confidence": 0.9},
            usage={"input_tokens": 20, "cache_creation_input_tokens": counted - 20},
        )  # fmt: skip
        outcome = analyzer.analyse(request)
    finally:
        analyzer.close()
    cost = answer_cost(outcome.model, outcome.usage, PRICES)
    assert cost is not None
    assert 0 < cost <= estimate.most_usd


def test_before_sending_an_unknown_model_says_its_price_is_unknown(library: Library) -> None:
    estimate = estimate_request(_request(library, model="someone-elses-model"), PRICES)
    assert not estimate.known_price
    assert estimate.most_usd == 0.0
    assert estimate.input_tokens > 0
