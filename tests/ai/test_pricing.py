"""What answers cost: the published prices, cache writes by TTL, cache reads, the long-context
band, the batch rate, unknown prices, and the reader's own prices (no Qt).

The expected figures are written out from the platform's published prices (USD per million
tokens), not read back from the catalogue, so a wrong catalogue entry fails here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from reader_app.ai.client import ClaudeToneAnalyzer
from reader_app.ai.pricing import (
    DEFAULT_PRICES,
    estimate_cost,
    price_rows_kept,
    price_rows_shown,
    prices_for,
)
from reader_app.ai.request import ToneRequest, Usage
from reader_app.cli.analysis_results import analysis_json, render_text
from reader_app.config.settings import Settings, load_settings, save_settings
from tests.fake_api import VALID_KEY

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from tests.fake_api import FakeAnthropic

HAIKU = "claude-haiku-5-5"
# Claude Haiku 5.5, prompts up to 100,000 tokens (its overview page): input, output,
# 5-minute write, 1-hour write, cache read.
HAIKU_RATES = (0.10, 0.50, 0.125, 0.20, 0.01)
# Prompts over 100,000 tokens: five times each.
HAIKU_LONG_RATES = (0.50, 2.50, 0.625, 1.00, 0.05)
ANSWER = {
    "tone": "Harsh", "polarity": "negative",
    "emotions": [{"name": "disgust", "intensity": 0.7}], "evidence": [],
    "explanation": "Hard.", "confidence": 0.9,
}  # fmt: skip


def published(usage: dict[str, Any], rates: tuple[float, ...]) -> float:
    """The bill for ``usage`` (the API's JSON) at ``rates``, worked out by hand."""
    per_input, per_output, write_5m, write_1h, read = rates
    split = usage.get("cache_creation") or {}
    hour = split.get("ephemeral_1h_input_tokens", 0)
    five = split.get("ephemeral_5m_input_tokens", usage.get("cache_creation_input_tokens", 0))
    return (
        usage.get("input_tokens", 0) * per_input
        + five * write_5m
        + hour * write_1h
        + usage.get("cache_read_input_tokens", 0) * read
        + usage.get("output_tokens", 0) * per_output
    ) / 1_000_000


def request(model: str = HAIKU) -> ToneRequest:
    return ToneRequest(
        model=model,
        system=[{"type": "text", "text": "Say the tone.", "cache_control": {"type": "ephemeral"}}],
        messages=[{"role": "user", "content": "We murder to dissect."}],
        max_tokens=2000,
        prompt_version="test",
        passage="We murder to dissect.",
    )


@pytest.fixture
def analyzer(fake_api: FakeAnthropic) -> Iterator[ClaudeToneAnalyzer]:
    made = ClaudeToneAnalyzer(VALID_KEY, base_url=fake_api.base_url, max_retries=0, timeout=10.0)
    yield made
    made.close()


def test_a_haiku_5_5_analysis_costs_its_usage_at_the_published_prices(
    fake_api: FakeAnthropic, analyzer: ClaudeToneAnalyzer
) -> None:
    usage = {"input_tokens": 1_350, "cache_creation_input_tokens": 5_200,
             "cache_read_input_tokens": 0, "output_tokens": 410}  # fmt: skip
    fake_api.reply_json(ANSWER, usage=usage, model=HAIKU)
    first = analyzer.analyse(request())
    usage2 = {"input_tokens": 1_350, "cache_creation_input_tokens": 0,
              "cache_read_input_tokens": 5_200, "output_tokens": 380}  # fmt: skip
    fake_api.reply_json(ANSWER, usage=usage2, model=HAIKU)
    second = analyzer.analyse(request())
    for outcome, sent in ((first, usage), (second, usage2)):
        cost = estimate_cost(outcome.model, outcome.usage)
        assert cost is not None
        # Cache writes at the 5-minute rate (no TTL split reported), reads at $0.01.
        assert cost == pytest.approx(published(sent, HAIKU_RATES), rel=0.01)
    # The cache read makes the second one cheaper: 5,200 tokens at $0.01, not $0.125.
    assert estimate_cost(HAIKU, second.usage) < estimate_cost(HAIKU, first.usage)  # type: ignore[operator]


def test_cache_writes_are_priced_by_their_ttl_from_the_sdk_usage(
    fake_api: FakeAnthropic, analyzer: ClaudeToneAnalyzer
) -> None:
    usage: dict[str, Any] = {
        "input_tokens": 900, "cache_creation_input_tokens": 7_000,
        "cache_creation": {"ephemeral_5m_input_tokens": 3_000, "ephemeral_1h_input_tokens": 4_000},
        "cache_read_input_tokens": 2_500, "output_tokens": 600,
    }  # fmt: skip
    fake_api.reply_json(ANSWER, usage=usage, model=HAIKU)
    with analyzer.sdk().messages.stream(**request().api_kwargs()) as stream:
        final = stream.get_final_message()
    counted = Usage.from_api(final.usage)
    assert (counted.cache_creation_input_tokens, counted.cache_creation_1h_input_tokens) == (
        7_000,
        4_000,
    )
    cost = estimate_cost(HAIKU, counted)
    assert cost == pytest.approx(published(usage, HAIKU_RATES), rel=0.01)
    # Without the split, every write is priced at the 5-minute rate.
    plain = Usage.from_api({k: v for k, v in usage.items() if k != "cache_creation"})
    assert plain.cache_creation_1h_input_tokens == 0
    expected = published({**usage, "cache_creation": None}, HAIKU_RATES)
    assert estimate_cost(HAIKU, plain) == pytest.approx(expected, rel=0.01)
    # Only the split (older responses may send no total): the total is its sum.
    split_only = Usage.from_api({"cache_creation": usage["cache_creation"]})
    assert split_only.cache_creation_input_tokens == 7_000


def test_haiku_5_5_prompts_over_100k_tokens_pay_the_long_context_band() -> None:
    # The band counts the whole prompt: input, cache writes and cache reads.
    long = {"input_tokens": 40_000, "cache_creation_input_tokens": 30_000,
            "cache_read_input_tokens": 40_000, "output_tokens": 2_000}  # fmt: skip
    cost = estimate_cost(HAIKU, Usage.from_api(long))
    assert cost == pytest.approx(published(long, HAIKU_LONG_RATES), rel=0.01)
    at_the_line = {**long, "input_tokens": 30_000}  # exactly 100,000: still the base band
    cost = estimate_cost(HAIKU, Usage.from_api(at_the_line))
    assert cost == pytest.approx(published(at_the_line, HAIKU_RATES), rel=0.01)
    # Sonnet 5.5 has no band: the same prompt at its one rate.
    sonnet = estimate_cost("claude-sonnet-5-5", Usage.from_api(long))
    assert sonnet == pytest.approx(published(long, (2.0, 10.0, 2.5, 4.0, 0.20)), rel=0.01)


def test_batch_results_cost_half_of_every_rate() -> None:
    usage = {"input_tokens": 30, "output_tokens": 90, "cache_creation_input_tokens": 0,
             "cache_read_input_tokens": 1_500}  # fmt: skip
    full = estimate_cost(HAIKU, Usage.from_api(usage))
    batch = estimate_cost(HAIKU, Usage.from_api(usage), batch=True)
    assert full == pytest.approx(published(usage, HAIKU_RATES), rel=0.01)
    assert batch == pytest.approx(published(usage, HAIKU_RATES) * 0.5, rel=0.01)


def test_an_unknown_model_has_no_price_and_says_so(
    fake_api: FakeAnthropic, analyzer: ClaudeToneAnalyzer
) -> None:
    assert prices_for("someone-elses-model") is None
    assert estimate_cost("someone-elses-model", Usage(1000, 100)) is None
    fake_api.reply_json(ANSWER, model="claude-mystery-7")
    outcome = analyzer.analyse(request("claude-mystery-7"))
    report = analysis_json(outcome, (0, 0, 1), "We murder to dissect.", (), None)
    assert report["cost_usd"] is None  # null in --json, never 0
    assert "price unknown" in render_text(report)
    known = analysis_json(outcome, (0, 0, 1), "x", (("claude-mystery", 1.0, 2.0),), None)
    assert known["cost_usd"] is not None
    assert known["cost_usd"] > 0
    assert "price unknown" not in render_text(known)


def test_the_readers_prices_override_input_and_output_and_the_rest_follows() -> None:
    table = (("claude-haiku-5-5", 0.20, 1.00),)
    prices = prices_for(HAIKU, table)
    assert prices is not None
    # Twice the input rate: every input-side rate doubles, the long band included.
    assert (prices.input, prices.output) == (0.20, 1.00)
    assert (prices.cache_write_5m, prices.cache_write_1h) == pytest.approx((0.25, 0.40))
    assert prices.cache_read == pytest.approx(0.02)
    assert (prices.long_input, prices.long_output) == pytest.approx((1.0, 5.0))
    usage = {"input_tokens": 1_000, "cache_creation_input_tokens": 4_000,
             "cache_read_input_tokens": 4_000, "output_tokens": 300}  # fmt: skip
    cost = estimate_cost(HAIKU, Usage.from_api(usage), table)
    assert cost == pytest.approx(published(usage, (0.20, 1.00, 0.25, 0.40, 0.02)), rel=0.01)
    # Other models keep the catalogue's prices; a model only the reader priced gets the
    # usual multipliers.
    assert prices_for("claude-sonnet-5-5", table) == prices_for("claude-sonnet-5-5")
    own = prices_for("claude-mystery-7", (("claude-mystery", 1.0, 2.0),))
    assert own is not None
    assert (own.cache_write_5m, own.cache_write_1h, own.cache_read) == pytest.approx(
        (1.25, 2.0, 0.1)
    )


def test_the_settings_show_the_catalogue_and_keep_only_the_readers_changes(
    tmp_path: Path,
) -> None:
    assert ("claude-haiku-5-5", 0.10, 0.50) in DEFAULT_PRICES
    shown = price_rows_shown((("claude-haiku-5-5", 0.2, 1.0), ("claude-mystery", 1.0, 2.0)))
    assert shown[0] == ("claude-haiku-5-5", 0.2, 1.0)  # the reader's row, in the catalogue's place
    assert shown[-1] == ("claude-mystery", 1.0, 2.0)
    assert len(shown) == len(DEFAULT_PRICES) + 1
    assert price_rows_kept(price_rows_shown(())) == ()  # unchanged: nothing to keep
    assert price_rows_kept(shown) == (("claude-haiku-5-5", 0.2, 1.0), ("claude-mystery", 1.0, 2.0))
    # The earlier versions' family-wide defaults, saved whole with any edit, are dropped
    # when read: they would price Haiku 5.5 at ten times its price.
    path = tmp_path / "settings.json"
    stale = (("claude-haiku", 1.0, 5.0), ("claude-sonnet", 3.0, 15.0),
             ("claude-opus", 5.0, 25.0), ("claude-haiku-5-5", 0.2, 1.0))  # fmt: skip
    save_settings(path, Settings(prices=stale))
    loaded, _warning = load_settings(path)
    assert loaded.prices == (("claude-haiku-5-5", 0.2, 1.0),)
