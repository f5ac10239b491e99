"""The model catalogue: its facts, and the API's listing laid over it (no Qt)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from reader_app.ai.catalogue import (
    CATALOGUE,
    UNKNOWN_CACHE_MINIMUM,
    Thinking,
    merge_listing,
    newest,
    spec_for,
)
from reader_app.ai.client import ClaudeToneAnalyzer
from reader_app.ai.models import as_listing
from tests.fake_api import VALID_KEY

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.fake_api import FakeAnthropic


def _caps(*, structured: bool = True, batch: bool = True, efforts: tuple[str, ...] = ()) -> Any:
    """A listing's ``capabilities`` object, in the API's shape."""
    levels = ("low", "medium", "high", "xhigh", "max")
    return {
        "structured_outputs": {"supported": structured},
        "batch": {"supported": batch},
        "effort": {"supported": bool(efforts)}
        | {level: {"supported": level in efforts} for level in levels},
        "thinking": {
            "supported": True,
            "types": {
                "adaptive": {"supported": True},
                "disabled": {"supported": False},
                "enabled": {"supported": False},
                "between_tools": {"supported": False},
            },
        },
    }


LISTING: list[dict[str, Any]] = [
    {"id": "claude-mystery-7", "display_name": "Mystery 7", "line": "haiku",
     "created_at": "2026-11-20T00:00:00Z", "lifecycle": "active",
     "max_input_tokens": 500_000, "max_tokens": 32_000,
     "capabilities": _caps(structured=False, batch=False, efforts=("low", "high"))},
    {"id": "claude-haiku-5-5", "display_name": "Claude Haiku 5.5", "line": "haiku",
     "created_at": "2026-10-07T00:00:00Z", "lifecycle": "active",
     "max_input_tokens": 900_000, "max_tokens": 100_000,
     "capabilities": _caps(efforts=("low", "medium", "high"))},
    {"id": "claude-haiku-4-5-20251001", "display_name": "Claude Haiku 4.5", "line": "haiku",
     "created_at": "2025-10-01T00:00:00Z", "lifecycle": "active"},
]  # fmt: skip


@pytest.fixture
def analyzer(fake_api: FakeAnthropic) -> Iterator[ClaudeToneAnalyzer]:
    made = ClaudeToneAnalyzer(VALID_KEY, base_url=fake_api.base_url, max_retries=0, timeout=5.0)
    yield made
    made.close()


def test_the_current_models_as_the_documentation_gives_them() -> None:
    haiku = spec_for("claude-haiku-5-5")
    assert haiku is not None
    assert haiku.prices is not None
    assert (haiku.context_tokens, haiku.max_output_tokens) == (1_000_000, 128_000)
    assert (haiku.thinking, haiku.default_effort) == (Thinking.ADAPTIVE, "medium")
    assert (haiku.prices.input, haiku.prices.output) == (0.10, 0.50)
    assert (haiku.prices.cache_write_5m, haiku.prices.cache_write_1h) == (0.125, 0.20)
    assert haiku.prices.cache_read == pytest.approx(0.01)
    assert haiku.prices.long_context_from == 100_000
    assert (haiku.prices.long_input, haiku.prices.long_output) == (0.50, 2.50)
    sonnet, opus, fable = (spec_for(m) for m in ("claude-sonnet-5-5", "claude-opus-5-5",
                                                 "claude-fable-5-1"))  # fmt: skip
    assert sonnet is not None
    assert opus is not None
    assert fable is not None
    assert (sonnet.thinking, sonnet.default_effort) == (Thinking.ADAPTIVE, "high")
    assert (opus.thinking, opus.default_effort) == (Thinking.ALWAYS, "medium")
    assert (fable.thinking, fable.default_effort) == (Thinking.ALWAYS, "high")
    # Cache reads are a model-dependent share of input.
    rates = {s.id: s.prices for s in (sonnet, opus, fable)}
    assert {k: (p.input, p.output, p.cache_read) for k, p in rates.items() if p} == {
        "claude-sonnet-5-5": (2.0, 10.0, pytest.approx(0.20)),
        "claude-opus-5-5": (4.0, 20.0, pytest.approx(0.20)),
        "claude-fable-5-1": (10.0, 50.0, pytest.approx(0.25)),
    }
    old = spec_for("claude-haiku-4-5")
    assert old is not None
    assert old.prices is not None
    assert (old.context_tokens, old.max_output_tokens, old.thinking) == (200_000, 64_000,
                                                                       Thinking.OFF)  # fmt: skip
    assert (old.prices.input, old.prices.output, old.cache_minimum) == (1.0, 5.0, 4_096)


def test_every_price_follows_the_published_multipliers() -> None:
    for spec in CATALOGUE:
        assert spec.prices is not None, spec.id
        assert spec.prices.cache_write_5m == pytest.approx(spec.prices.input * 1.25), spec.id
        assert spec.prices.cache_write_1h == pytest.approx(spec.prices.input * 2.0), spec.id
        assert 0 < spec.prices.cache_read <= spec.prices.input * 0.1 + 1e-12, spec.id
        assert spec.prices.batch_factor == 0.5
        assert spec.structured_outputs
        assert spec.batch
        assert spec.cache_minimum >= 512


def test_undocumented_cache_minimums_take_the_strictest_value() -> None:
    for model in ("claude-haiku-5-5", "claude-sonnet-5-5", "claude-opus-5-5", "claude-fable-5-1"):
        spec = spec_for(model)
        assert spec is not None
        assert spec.cache_minimum == UNKNOWN_CACHE_MINIMUM == 4_096


def test_a_dated_id_finds_its_alias_and_an_unknown_id_nothing() -> None:
    found = spec_for("claude-haiku-4-5-20251001")
    assert found is not None
    assert found.id == "claude-haiku-4-5"
    assert spec_for("claude-haiku-5-55") is None  # not a dated id of claude-haiku-5-5
    assert spec_for("someone-elses-model") is None
    newest_haiku = newest("haiku")
    assert newest_haiku is not None
    assert newest_haiku.id == "claude-haiku-5-5"


def test_the_listing_is_laid_over_the_catalogue(
    fake_api: FakeAnthropic, analyzer: ClaudeToneAnalyzer
) -> None:
    fake_api.models = [dict(m) for m in LISTING]
    listed = analyzer.list_models()
    merged = merge_listing([as_listing(m) for m in listed])
    by_id = {spec.id: spec for spec in merged}
    # A known model keeps the table's prices and thinking; limits and capabilities are
    # the listing's.
    haiku = by_id["claude-haiku-5-5"]
    known = spec_for("claude-haiku-5-5")
    assert known is not None
    assert haiku.listed
    assert haiku.prices == known.prices
    assert (haiku.context_tokens, haiku.max_output_tokens) == (900_000, 100_000)
    assert haiku.efforts == ("low", "medium", "high")
    assert (haiku.thinking, haiku.default_effort) == (Thinking.ADAPTIVE, "medium")
    # A dated id without capabilities keeps the table's facts under its own id.
    dated = by_id["claude-haiku-4-5-20251001"]
    assert (dated.prices, dated.max_output_tokens) == (
        spec_for("claude-haiku-4-5").prices,  # type: ignore[union-attr]
        64_000,
    )
    # A model only the listing knows: no price, the strictest cache minimum, its
    # capabilities as listed.
    mystery = by_id["claude-mystery-7"]
    assert mystery.prices is None
    assert (mystery.family, mystery.cache_minimum) == ("haiku", UNKNOWN_CACHE_MINIMUM)
    assert (mystery.structured_outputs, mystery.batch) == (False, False)
    assert (mystery.context_tokens, mystery.max_output_tokens) == (500_000, 32_000)
    assert mystery.thinking is Thinking.ALWAYS  # listed as thinking, "disabled" not known
    assert mystery.default_effort == "high"  # unknown: the strictest reading
    # Listed first, newest first; the catalogue's other models follow, not marked listed.
    assert [s.id for s in merged[:3]] == [m["id"] for m in LISTING]
    assert {s.id for s in merged[3:]} == {s.id for s in CATALOGUE} - {"claude-haiku-5-5",
                                                                      "claude-haiku-4-5"}  # fmt: skip
    assert not any(s.listed for s in merged[3:])


def test_the_sdk_listing_itself_can_be_merged(
    fake_api: FakeAnthropic, analyzer: ClaudeToneAnalyzer
) -> None:
    fake_api.models = [dict(m) for m in LISTING]
    infos = [info.model_dump() for info in analyzer.sdk().models.list(limit=100)]
    merged = {spec.id: spec for spec in merge_listing(infos)}
    assert merged["claude-mystery-7"].released == "2026-11-20"  # a datetime, read as a date
    assert merged["claude-mystery-7"].prices is None
    # The SDK's listing keeps the thinking types: adaptive only, so always on.
    assert merged["claude-mystery-7"].thinking is Thinking.ALWAYS
    assert merged["claude-mystery-7"].thinking_types == ("adaptive",)
    assert merged["claude-haiku-5-5"].max_output_tokens == 100_000


def test_a_listing_with_a_structured_outputs_refusal_overrides_the_catalogue() -> None:
    listing = [{"id": "claude-haiku-5-5", "capabilities": _caps(structured=False)}]
    (first, *_rest) = merge_listing(listing)
    assert (first.id, first.structured_outputs) == ("claude-haiku-5-5", False)
    assert first.prices is not None  # the price stays known
    assert merge_listing([{"id": ""}, {"no": "id"}]) == CATALOGUE
