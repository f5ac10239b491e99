"""What an analysis costs: before it is sent, once it is answered, and shared in a group.

Prices come from the model catalogue (:mod:`reader_app.ai.catalogue`), with the input
and output rates the user set in Settings laid over it (:mod:`reader_app.ai.pricing`).
Every caller that stores or prints a cost asks here, so the tone panel, the group and
batch analyses and the command line price answers alike. A model with no known price
costs None ("price unknown"), never $0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from reader_app.ai.pricing import estimate_cost, price_for
from reader_app.ai.request import Usage
from reader_app.ai.selection import estimate_tokens

if TYPE_CHECKING:
    from collections.abc import Sequence

    from reader_app.ai.request import ToneRequest

# Message Batches are billed at half the standard price (each model's overview page:
# "Batch API: 50% discount on input and output"; the catalogue keeps it per model).
BATCH_PRICE_FACTOR = 0.5
PRICE_UNKNOWN = "price unknown"


def answer_cost(
    model: str,
    usage: Usage,
    prices: Sequence[tuple[str, float, float]],
    *,
    batch: bool = False,
) -> float | None:
    """The estimated cost in USD of one answer, from the tokens the API reported.

    Args:
        model: the model that answered.
        usage: its token counts.
        prices: the user's price rows in force (empty: the catalogue's).
        batch: whether the answer came through the Message Batches API (the batch rate).

    Returns:
        The cost; None for a model whose price is not known.
    """
    return estimate_cost(model, usage, prices, batch=batch)


def cost_text(cost: float | None) -> str:
    """A cost as people read it: ``$0.0012``, or "price unknown"."""
    return PRICE_UNKNOWN if cost is None else f"${cost:.4f}"


def stored_cost(cost: float | None) -> float:
    """The cost as the analyses table keeps it (a number: 0.0 when the price is unknown).

    What people see re-derives "price unknown" with :func:`shown_cost`.
    """
    return 0.0 if cost is None else cost


def shown_cost(
    model: str, stored: float, prices: Sequence[tuple[str, float, float]] = ()
) -> float | None:
    """A stored cost as it should be shown: None ("price unknown") for an unknown price.

    The analyses table keeps 0.0 for an answer whose model had no price; a 0.0 for a
    model that still has none is shown as "price unknown", never as $0.
    """
    if stored == 0.0 and price_for(model, prices) is None:
        return None
    return stored


def usage_share(usage: Usage, answers: int) -> Usage:
    """One answer's even share of a request that produced ``answers`` answers.

    Token counts are whole numbers, so each share is rounded down; with no answers the
    whole usage is one share.
    """
    n = max(1, answers)
    return Usage(
        usage.input_tokens // n,
        usage.output_tokens // n,
        usage.cache_creation_input_tokens // n,
        usage.cache_read_input_tokens // n,
        usage.cache_creation_1h_input_tokens // n,
    )


def cost_share(
    model: str,
    usage: Usage,
    prices: Sequence[tuple[str, float, float]],
    answers: int,
    *,
    batch: bool = False,
) -> float | None:
    """One answer's even share of the cost of a request that produced ``answers`` answers.

    None when the price is unknown.
    """
    cost = answer_cost(model, usage, prices, batch=batch)
    return None if cost is None else cost / max(1, answers)


@dataclass(frozen=True, slots=True)
class RequestEstimate:
    """What a composed request may cost, worked out before it is sent.

    Attributes:
        input_tokens: the request's input tokens (as the API counted them, when it was
            asked; else estimated from the text).
        counted: whether ``input_tokens`` is the API's own count.
        max_output_tokens: the most the answer may use (the request's limit).
        most_usd: the cost if every input token is written to the cache (the dearest way
            to read input) and the answer uses its whole limit: the request cannot cost
            more than this.
        known_price: whether the model's price is known (else ``most_usd`` is 0.0 and
            means nothing: show "price unknown").
    """

    input_tokens: int
    counted: bool
    max_output_tokens: int
    most_usd: float
    known_price: bool


def estimate_request(
    request: ToneRequest,
    prices: Sequence[tuple[str, float, float]],
    *,
    counted_input_tokens: int | None = None,
    batch: bool = False,
) -> RequestEstimate:
    """The most a request can cost, before it is sent.

    Args:
        request: the composed request.
        prices: the user's price rows in force (empty: the catalogue's).
        counted_input_tokens: the API's count of the input
            (:meth:`~reader_app.ai.client.ClaudeToneAnalyzer.count_tokens`), when it was
            asked; else the input is estimated from the text, a little generously.
        batch: whether it goes through the Message Batches API (the batch rate).
    """
    if counted_input_tokens is None:
        text = "".join(str(block.get("text", "")) for block in request.system)
        text += "".join(str(message.get("content", "")) for message in request.messages)
        input_tokens = estimate_tokens(text)
    else:
        input_tokens = counted_input_tokens
    # Which part of the input the cache will hold is not known before the answer says so;
    # a cache write is the dearest way to send a token, so pricing every one as a write
    # bounds the cost from above.
    # The 1-hour write is the dearer one.
    worst = Usage(
        cache_creation_input_tokens=input_tokens,
        output_tokens=request.max_tokens,
        cache_creation_1h_input_tokens=input_tokens,
    )
    most = answer_cost(request.model, worst, prices, batch=batch)
    return RequestEstimate(
        input_tokens=input_tokens,
        counted=counted_input_tokens is not None,
        max_output_tokens=request.max_tokens,
        most_usd=0.0 if most is None else most,
        known_price=most is not None,
    )
