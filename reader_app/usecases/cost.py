"""What an analysis costs: before it is sent, once it is answered, and shared in a group.

Prices come from the editable table in the settings (empty: the built-in defaults of
:mod:`reader_app.ai.pricing`). Every caller that stores or prints a cost asks here, so the
tone panel, the group and batch analyses and the command line price answers alike.
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

# Message Batches are billed at half the standard price (Anthropic's published pricing;
# the SDK does not say, notes §7), so their answers cost this factor of the table's price.
BATCH_PRICE_FACTOR = 0.5


def answer_cost(
    model: str,
    usage: Usage,
    prices: Sequence[tuple[str, float, float]],
    *,
    batch: bool = False,
) -> float:
    """The estimated cost in USD of one answer, from the tokens the API reported.

    Args:
        model: the model that answered.
        usage: its token counts.
        prices: the price table in force (empty: the defaults).
        batch: whether the answer came through the Message Batches API (half price).

    Returns:
        The cost; 0.0 for a model the table does not know.
    """
    cost = estimate_cost(model, usage, prices)
    return cost * BATCH_PRICE_FACTOR if batch else cost


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
    )


def cost_share(
    model: str, usage: Usage, prices: Sequence[tuple[str, float, float]], answers: int
) -> float:
    """One answer's even share of the cost of a request that produced ``answers`` answers."""
    return answer_cost(model, usage, prices) / max(1, answers)


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
        known_price: whether the price table knows the model (else the costs are 0.0).
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
        prices: the price table in force (empty: the defaults).
        counted_input_tokens: the API's count of the input
            (:meth:`~reader_app.ai.client.ClaudeToneAnalyzer.count_tokens`), when it was
            asked; else the input is estimated from the text, a little generously.
        batch: whether it goes through the Message Batches API (half price).
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
    worst = Usage(cache_creation_input_tokens=input_tokens, output_tokens=request.max_tokens)
    return RequestEstimate(
        input_tokens=input_tokens,
        counted=counted_input_tokens is not None,
        max_output_tokens=request.max_tokens,
        most_usd=answer_cost(request.model, worst, prices, batch=batch),
        known_price=price_for(request.model, prices) is not None,
    )
