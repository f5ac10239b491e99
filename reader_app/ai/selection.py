"""Which examples go into a request, and in which part of it.

"All" and "fixed" examples are the same for every passage, so they sit in the cached system
prefix. The "similar" examples change with each passage, so they come after the cache
marker: the cached prefix stays identical from one analysis to the next either way.
A library too large for the context window is trimmed, oldest examples kept, and the
request says so in a note the panel shows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from reader_app.core.similarity import most_similar

if TYPE_CHECKING:
    from collections.abc import Sequence

    from reader_app.core.examples import Example

STRATEGIES = ("all", "similar", "fixed")
# Tokens the examples may take: well inside every model's context window, with the
# instructions, the passage and its context, and the answer still to fit.
EXAMPLE_TOKEN_BUDGET = 60_000


def estimate_tokens(text: str) -> int:
    """A quick, slightly generous token count (about 3.5 characters a token in English)."""
    return math.ceil(len(text) / 3.5)


def example_tokens(example: Example) -> int:
    """Tokens one example adds to the prompt, tags and all."""
    return estimate_tokens(example.excerpt + example.tone + example.explanation) + 30


@dataclass(frozen=True, slots=True)
class ExampleChoice:
    """The examples of one request.

    Attributes:
        static: in the cached system prefix (the same for every passage).
        dynamic: after the cache marker (chosen for this passage).
        left_out: how many were dropped to fit the budget.
    """

    static: tuple[Example, ...] = ()
    dynamic: tuple[Example, ...] = ()
    left_out: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)


def _fit(examples: Sequence[Example], budget: int) -> tuple[list[Example], int]:
    kept: list[Example] = []
    used = 0
    for example in examples:
        cost = example_tokens(example)
        if used + cost > budget:
            break
        kept.append(example)
        used += cost
    return kept, len(examples) - len(kept)


def choose_examples(
    pool: Sequence[Example],
    strategy: str,
    passage: str,
    *,
    k: int = 8,
    fixed: Sequence[Example] = (),
    budget: int = EXAMPLE_TOKEN_BUDGET,
) -> ExampleChoice:
    """Pick the examples for a passage.

    Args:
        pool: the examples in use (the active set, or the whole library), oldest first.
        strategy: "all", "similar" (the k most like the passage, by BM25) or "fixed" (the
            ``fixed`` examples, whatever the pool).
        passage: the passage to analyse.
        k: how many examples "similar" takes.
        fixed: the examples of the fixed set.
        budget: the most tokens the examples may take.
    """
    if strategy == "similar":
        documents = [f"{e.excerpt} {e.tone} {e.explanation}" for e in pool]
        chosen = [pool[i] for i in most_similar(documents, passage, k)]
        kept, left_out = _fit(chosen, budget)
        return ExampleChoice(dynamic=tuple(kept), left_out=left_out, notes=_note(left_out))
    source = fixed if strategy == "fixed" else pool
    kept, left_out = _fit(source, budget)
    return ExampleChoice(static=tuple(kept), left_out=left_out, notes=_note(left_out))


def _note(left_out: int) -> tuple[str, ...]:
    if not left_out:
        return ()
    return (f"{left_out} example(s) were left out so that the request fits the context window.",)
