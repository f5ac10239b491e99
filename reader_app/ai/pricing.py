"""What an answer costs, from its token counts, the model catalogue and the user's prices.

The rates come from :mod:`reader_app.ai.catalogue` (input, output, cache writes per TTL,
the model's cache-read share, the batch rate, Haiku 5.5's long-context band). The user may
override input and output per model prefix in Settings; the cache, batch and long-context
rates then follow from the overridden rates by the catalogue's multipliers. A model
neither knows has **no** price: :func:`estimate_cost` gives None ("price unknown"), never
$0.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reader_app.ai.catalogue import CATALOGUE, spec_for, standard_prices

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from reader_app.ai.catalogue import ModelSpec, Prices
    from reader_app.ai.request import Usage

# The built-in input/output rates, USD per million tokens, one row per catalogue model:
# what the settings dialog shows until the user edits it.
DEFAULT_PRICES: tuple[tuple[str, float, float], ...] = tuple(
    (spec.id, spec.prices.input, spec.prices.output)
    for spec in CATALOGUE
    if spec.prices is not None
)


def _override(model: str, table: Sequence[tuple[str, float, float]]) -> tuple[float, float] | None:
    """The user's (input, output) for ``model``: the longest matching prefix, or None."""
    matches = [row for row in table if row[0] and model.startswith(row[0])]
    if not matches:
        return None
    _prefix, input_rate, output_rate = max(matches, key=lambda row: len(row[0]))
    return input_rate, output_rate


def prices_for(
    model: str,
    table: Sequence[tuple[str, float, float]] = (),
    catalogue: Iterable[ModelSpec] = CATALOGUE,
) -> Prices | None:
    """Every rate for ``model``, or None when neither the table nor the catalogue knows it.

    Args:
        model: the model id (a dated id finds its alias's entry).
        table: the user's rows of (model prefix, input, output); the longest matching
            prefix overrides the catalogue's input and output.
        catalogue: the models known (the built-in table, or one merged with a listing).
    """
    spec = spec_for(model, catalogue)
    base = spec.prices if spec is not None else None
    override = _override(model, table)
    if override is None:
        return base
    if base is None:
        # A model only the user priced: the usual multipliers.
        return standard_prices(*override)
    return base.with_base(*override)


def price_for(
    model: str, table: Sequence[tuple[str, float, float]] = ()
) -> tuple[float, float] | None:
    """(input, output) USD per million tokens for a model, or None when unknown."""
    prices = prices_for(model, table)
    return None if prices is None else (prices.input, prices.output)


def cost_with(prices: Prices, usage: Usage, *, batch: bool = False) -> float:
    """The cost in USD of ``usage`` at ``prices``.

    The long-context band applies when the whole prompt (input, cache writes and cache
    reads) is over its threshold. Cache writes are priced per TTL: the 1-hour part of
    ``cache_creation_input_tokens`` at the 1-hour rate, the rest at the 5-minute rate.
    Message Batches multiply every rate by ``batch_factor`` (50 %).
    """
    rates = prices.for_prompt(usage.total_input)
    hour = min(usage.cache_creation_1h_input_tokens, usage.cache_creation_input_tokens)
    five = usage.cache_creation_input_tokens - hour
    total = (
        usage.input_tokens * rates.input
        + five * rates.cache_write_5m
        + hour * rates.cache_write_1h
        + usage.cache_read_input_tokens * rates.cache_read
        + usage.output_tokens * rates.output
    ) / 1_000_000
    return total * prices.batch_factor if batch else total


def estimate_cost(
    model: str,
    usage: Usage,
    table: Sequence[tuple[str, float, float]] = (),
    *,
    batch: bool = False,
) -> float | None:
    """The estimated cost in USD, or None when the model's price is unknown."""
    prices = prices_for(model, table)
    return None if prices is None else cost_with(prices, usage, batch=batch)


PriceRows = tuple[tuple[str, float, float], ...]


def price_rows_shown(user: Sequence[tuple[str, float, float]]) -> PriceRows:
    """The rows the settings dialog shows.

    The catalogue's rows, with the reader's own laid over them (same prefix), then the
    reader's rows for other prefixes.
    """
    own = {prefix: (prefix, i, o) for prefix, i, o in user}
    shown = [own.pop(prefix, (prefix, i, o)) for prefix, i, o in DEFAULT_PRICES]
    return (*shown, *own.values())


def price_rows_kept(rows: Sequence[tuple[str, float, float]]) -> PriceRows:
    """The rows worth saving: those that differ from the catalogue's (empty: none do)."""
    defaults = set(DEFAULT_PRICES)
    return tuple(row for row in rows if row not in defaults)
