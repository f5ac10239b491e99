"""Estimated cost of an analysis from its token counts and an editable price table."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from reader_app.ai.request import Usage

# USD per million tokens: (model id prefix, input, output). The longest matching prefix
# wins. Cache writes cost 1.25× input and cache reads 0.1× input, as Anthropic bills them.
DEFAULT_PRICES: tuple[tuple[str, float, float], ...] = (
    ("claude-haiku", 1.0, 5.0),
    ("claude-sonnet", 3.0, 15.0),
    ("claude-opus", 5.0, 25.0),
)
CACHE_WRITE_FACTOR = 1.25
CACHE_READ_FACTOR = 0.1


def price_for(model: str, table: Sequence[tuple[str, float, float]]) -> tuple[float, float] | None:
    """(input, output) USD per million tokens for a model, or None when unknown."""
    matches = [row for row in (table or DEFAULT_PRICES) if model.startswith(row[0])]
    if not matches:
        return None
    _prefix, input_price, output_price = max(matches, key=lambda row: len(row[0]))
    return input_price, output_price


def estimate_cost(
    model: str, usage: Usage, table: Sequence[tuple[str, float, float]] = ()
) -> float:
    """The estimated cost in USD (0.0 when the model's price is unknown)."""
    price = price_for(model, table)
    if price is None:
        return 0.0
    input_price, output_price = price
    total = (
        usage.input_tokens * input_price
        + usage.cache_creation_input_tokens * input_price * CACHE_WRITE_FACTOR
        + usage.cache_read_input_tokens * input_price * CACHE_READ_FACTOR
        + usage.output_tokens * output_price
    )
    return total / 1_000_000
