"""What each known Claude model is: limits, thinking, cache minimum, prices.

One table, read by the request builder (thinking, effort, ``max_tokens``), the cost
(prices), the caching note (minimum cacheable prefix) and the settings dialog. When online,
:func:`merge_listing` lays the API's ``models.list()`` facts (limits, capabilities) over it;
a model the table does not know gets limits from the listing and **no price** (shown as
"price unknown", never as $0).

Prices are USD per million tokens. Facts the platform documentation does not state (the
5.5 models' cache minimum) take the strictest documented value, so the app never claims a
cache read that cannot happen.

Sources (platform.claude.com, checked 2026-12-03): each model's overview page
(``/docs/en/models/<model>/overview``: context, max output, thinking, default effort, and
its pricing block: input, output, 5-min and 1-h cache write, cache read, "Batch API 50 %
discount on input and output"), the comparison table those pages share, and the pricing
page (``/docs/en/about-claude/pricing``, "Model pricing"). Cache reads are *not* one share
of input across models: Haiku 5.5, Sonnet 5.5, Haiku 4.5 and the 4.x models 0.1×, Opus 5.5
0.05× ($0.20 on $4), Fable 5.1 0.025× ($0.25 on $10). Haiku 5.5 has a second band for
prompts over 100,000 tokens (cache reads and writes count toward the prompt): 5× every
rate ($0.50 / $2.50, writes $0.625 / $1.00, reads $0.05). Minimum cacheable prefix: 4,096
on Haiku 4.5 and Opus 4.6, 1,024 on Sonnet 5, 512 on Opus 5 (prompt-caching page, per the
shared SDK notes §00); not documented for the 5.5 models and Fable 5.1, so 4,096.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable


class Thinking(enum.Enum):
    """How a model thinks when the request does not say."""

    OFF = "off"  # no thinking unless asked
    ADAPTIVE = "adaptive"  # thinks by default at ``default_effort``; can be turned down
    ALWAYS = "always"  # always thinks; effort can be lowered, thinking cannot be disabled


@dataclass(frozen=True, slots=True)
class Prices:
    """USD per million tokens.

    Attributes:
        input, output: the base rates.
        cache_write_5m, cache_write_1h: writing the cache, per TTL (1.25× and 2× input).
        cache_read: reading the cache (a model-dependent share of input).
        batch_factor: what Message Batches cost, as a share of the above (0.5).
        long_context_from: prompt tokens (input + cache writes + cache reads) above which
            the long-context rates apply, or None.
        long_input, long_output: those rates (None without a band).
        long_cache_write_5m, long_cache_write_1h, long_cache_read: the band's cache rates
            (None: the base cache rates scaled like input).
    """

    input: float
    output: float
    cache_write_5m: float
    cache_write_1h: float
    cache_read: float
    batch_factor: float = 0.5
    long_context_from: int | None = None
    long_input: float | None = None
    long_output: float | None = None
    long_cache_write_5m: float | None = None
    long_cache_write_1h: float | None = None
    long_cache_read: float | None = None

    def for_prompt(self, prompt_tokens: int) -> Prices:
        """The rates that apply to a request whose prompt has ``prompt_tokens`` tokens.

        Below the long-context band (or without one) these prices; above it, the band's
        rates, as a price list with no band of its own.
        """
        if (
            self.long_context_from is None
            or self.long_input is None
            or prompt_tokens <= self.long_context_from
        ):
            return self
        scale = self.long_input / self.input if self.input else 1.0
        return Prices(
            input=self.long_input,
            output=self.long_output if self.long_output is not None else self.output * scale,
            cache_write_5m=_or(self.long_cache_write_5m, self.cache_write_5m * scale),
            cache_write_1h=_or(self.long_cache_write_1h, self.cache_write_1h * scale),
            cache_read=_or(self.long_cache_read, self.cache_read * scale),
            batch_factor=self.batch_factor,
        )

    def with_base(self, input_rate: float, output_rate: float) -> Prices:
        """These prices with other input and output rates (the user's own, from Settings).

        The cache rates and the long-context band follow by the same multipliers as here
        (a 5-min write stays 1.25× input, a cache read keeps this model's share, …).
        """
        i = input_rate / self.input if self.input else 0.0
        o = output_rate / self.output if self.output else 0.0
        return Prices(
            input=input_rate,
            output=output_rate,
            cache_write_5m=self.cache_write_5m * i,
            cache_write_1h=self.cache_write_1h * i,
            cache_read=self.cache_read * i,
            batch_factor=self.batch_factor,
            long_context_from=self.long_context_from,
            long_input=None if self.long_input is None else self.long_input * i,
            long_output=None if self.long_output is None else self.long_output * o,
            long_cache_write_5m=_scaled(self.long_cache_write_5m, i),
            long_cache_write_1h=_scaled(self.long_cache_write_1h, i),
            long_cache_read=_scaled(self.long_cache_read, i),
        )


def _or(value: float | None, default: float) -> float:
    return default if value is None else value


def _scaled(value: float | None, factor: float) -> float | None:
    return None if value is None else value * factor


def standard_prices(
    input_rate: float, output_rate: float, *, cache_read_share: float = 0.1
) -> Prices:
    """Prices with the usual cache multipliers: writes 1.25× (5 min) or 2× (1 h) input.

    Reads cost ``cache_read_share`` of input (0.1 on most models; the 5.5 generation's
    larger models read for less, see the module's sources).
    """
    return Prices(
        input=input_rate,
        output=output_rate,
        cache_write_5m=input_rate * 1.25,
        cache_write_1h=input_rate * 2.0,
        cache_read=input_rate * cache_read_share,
    )


EFFORTS: tuple[str, ...] = ("low", "medium", "high", "xhigh", "max")


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """One model.

    Attributes:
        id: the id sent to the API (an alias such as ``claude-haiku-5-5``).
        family: "haiku", "sonnet", "opus", "fable", …
        context_tokens: the most input tokens a request may have.
        max_output_tokens: the largest ``max_tokens`` the model accepts.
        thinking: how it thinks by default.
        default_effort: the effort it uses when the request names none, or None (the
            model takes no ``output_config.effort``).
        cache_minimum: the shortest prefix, in tokens, the API will cache.
        prices: None when not known (shown as "price unknown").
        structured_outputs: whether ``output_config.format`` (a JSON schema) is supported.
        batch: whether Message Batches accept it.
        released: ISO date, for "newest" when the API has not listed the models.
        efforts: the ``output_config.effort`` levels it accepts (empty: none).
        thinking_types: the ``thinking.type`` values it accepts ("adaptive", "disabled",
            "enabled", …); empty when not known.
        listed: whether these facts were laid over by the API's listing
            (:func:`merge_listing`).
    """

    id: str
    family: str
    context_tokens: int
    max_output_tokens: int
    thinking: Thinking
    default_effort: str | None
    cache_minimum: int
    prices: Prices | None
    structured_outputs: bool = True
    batch: bool = True
    released: str = ""
    efforts: tuple[str, ...] = ()
    thinking_types: tuple[str, ...] = ()
    listed: bool = False


_HAIKU_5_5_PRICES = Prices(
    input=0.10, output=0.50, cache_write_5m=0.125, cache_write_1h=0.20, cache_read=0.01,
    long_context_from=100_000, long_input=0.50, long_output=2.50,
    long_cache_write_5m=0.625, long_cache_write_1h=1.00, long_cache_read=0.05,
)  # fmt: skip

# Newest first (by release date). Sources: see the module docstring. Release dates are
# from the overview pages for Haiku 5.5 (2026-10-07), Opus 5 (2026-07-24) and Sonnet 5
# (2026-06-30); the others are approximate (they only order models within a family).
CATALOGUE: tuple[ModelSpec, ...] = (
    ModelSpec(
        "claude-haiku-5-5", "haiku", 1_000_000, 128_000, Thinking.ADAPTIVE, "medium", 4_096,
        _HAIKU_5_5_PRICES, released="2026-10-07", efforts=EFFORTS,
        thinking_types=("adaptive", "disabled"),
    ),
    ModelSpec(
        "claude-sonnet-5-5", "sonnet", 1_000_000, 128_000, Thinking.ADAPTIVE, "high", 4_096,
        standard_prices(2.0, 10.0), released="2026-09-29", efforts=EFFORTS,
        # "disabled" is a 400 on Sonnet 5.5; "between_tools" is its off switch (the
        # thinking-troubleshooting page).
        thinking_types=("adaptive", "between_tools"),
    ),
    ModelSpec(
        "claude-opus-5-5", "opus", 1_000_000, 128_000, Thinking.ALWAYS, "medium", 4_096,
        standard_prices(4.0, 20.0, cache_read_share=0.05), released="2026-09-22",
        efforts=EFFORTS, thinking_types=("adaptive",),
    ),
    ModelSpec(
        "claude-fable-5-1", "fable", 1_000_000, 128_000, Thinking.ALWAYS, "high", 4_096,
        standard_prices(10.0, 50.0, cache_read_share=0.025), released="2026-08-20",
        efforts=EFFORTS, thinking_types=("adaptive",),
    ),
    ModelSpec(
        "claude-opus-5", "opus", 1_000_000, 128_000, Thinking.ADAPTIVE, "high", 512,
        standard_prices(5.0, 25.0), released="2026-07-24", efforts=EFFORTS,
        thinking_types=("adaptive", "disabled"),
    ),
    ModelSpec(
        "claude-sonnet-5", "sonnet", 1_000_000, 128_000, Thinking.ADAPTIVE, "high", 1_024,
        standard_prices(2.0, 10.0), released="2026-06-30", efforts=EFFORTS,
        thinking_types=("adaptive", "disabled"),
    ),
    ModelSpec(
        "claude-opus-4-6", "opus", 200_000, 64_000, Thinking.OFF, "high", 4_096,
        standard_prices(5.0, 25.0), released="2026-02-05",
        efforts=("low", "medium", "high", "max"),
        thinking_types=("adaptive", "disabled", "enabled"),
    ),
    ModelSpec(
        "claude-sonnet-4-6", "sonnet", 200_000, 64_000, Thinking.OFF, "high", 2_048,
        standard_prices(3.0, 15.0), released="2026-02-17",
        efforts=("low", "medium", "high", "max"),
        thinking_types=("adaptive", "disabled", "enabled"),
    ),
    ModelSpec(
        "claude-haiku-4-5", "haiku", 200_000, 64_000, Thinking.OFF, None, 4_096,
        standard_prices(1.0, 5.0), released="2025-10-01",
        thinking_types=("disabled", "enabled"),
    ),
)  # fmt: skip

# What an unlisted, unknown model is assumed to do: the strictest reading everywhere.
UNKNOWN_CACHE_MINIMUM = 4_096


def spec_for(model: str, catalogue: Iterable[ModelSpec] = CATALOGUE) -> ModelSpec | None:
    """The model's entry: an exact id, else the entry whose id starts a dated id.

    (``claude-haiku-4-5-20251001`` is ``claude-haiku-4-5``), else None.
    """
    known = list(catalogue)
    for spec in known:
        if spec.id == model:
            return spec
    dated = [spec for spec in known if model.startswith(spec.id + "-")]
    return max(dated, key=lambda spec: len(spec.id)) if dated else None


def newest(
    family: str,
    catalogue: Iterable[ModelSpec] = CATALOGUE,
    *,
    structured_outputs: bool = True,
) -> ModelSpec | None:
    """The newest model of ``family`` (by release date), or None.

    Only models that support structured outputs count, unless ``structured_outputs`` is
    False.
    """
    fitting = [
        spec
        for spec in catalogue
        if spec.family == family and (spec.structured_outputs or not structured_outputs)
    ]
    return max(fitting, key=lambda spec: spec.released) if fitting else None


def merge_listing(
    listed: Iterable[Mapping[str, object]], catalogue: Iterable[ModelSpec] = CATALOGUE
) -> tuple[ModelSpec, ...]:
    """The catalogue with the API's listing laid over it.

    Args:
        listed: the listing's models as mappings (``ModelInfo.model_dump()``, or the JSON
            of ``GET /v1/models``): ``id``, and when present ``line``, ``created_at``,
            ``max_input_tokens``, ``max_tokens`` and ``capabilities``
            (``structured_outputs``, ``batch``, ``thinking``, ``effort``, each with
            ``supported``).
        catalogue: the built-in table.

    Returns:
        The listed models in the listing's order, then the table's models the listing did
        not name. A listed model the table knows (by id or dated id) keeps the table's
        prices, cache minimum and default thinking and effort; its limits and capabilities
        come from the listing where the listing gives them. A model only the listing knows
        gets ``prices=None`` (shown as "price unknown"), the strictest cache minimum, and
        thinking read from its capabilities. Every listed entry has ``listed=True``.
    """
    table = tuple(catalogue)
    merged: list[ModelSpec] = []
    named: set[str] = set()
    for item in listed:
        model_id = item.get("id")
        if not isinstance(model_id, str) or not model_id or model_id in named:
            continue
        named.add(model_id)
        known = spec_for(model_id, table)
        if known is not None:
            named.add(known.id)
        merged.append(_merged(item, model_id, known))
    merged.extend(spec for spec in table if spec.id not in named)
    return tuple(merged)


def _merged(item: Mapping[str, object], model_id: str, known: ModelSpec | None) -> ModelSpec:
    caps = _mapping(item.get("capabilities"))
    structured = _supported(caps, "structured_outputs")
    batch = _supported(caps, "batch")
    thinking_caps = _mapping(caps.get("thinking")) if caps else {}
    types = _mapping(thinking_caps.get("types"))
    thinking_types = tuple(name for name in types if _supported(types, name))
    effort_caps = _mapping(caps.get("effort")) if caps else {}
    efforts: tuple[str, ...] | None = None
    if effort_caps:
        efforts = (
            tuple(level for level in EFFORTS if _supported(effort_caps, level))
            if effort_caps.get("supported") is True
            else ()
        )
    context = _positive_int(item.get("max_input_tokens"))
    output = _positive_int(item.get("max_tokens"))
    released = _iso_date(item.get("created_at"))
    if known is not None:
        return replace(
            known,
            id=model_id,
            context_tokens=context or known.context_tokens,
            max_output_tokens=output or known.max_output_tokens,
            structured_outputs=known.structured_outputs if structured is None else structured,
            batch=known.batch if batch is None else batch,
            released=released or known.released,
            efforts=known.efforts if efforts is None else efforts,
            thinking_types=thinking_types or known.thinking_types,
            default_effort=(
                known.default_effort if efforts is None or known.default_effort in efforts else None
            ),
            listed=True,
        )
    # A thinking model that does not list "disabled" is assumed to always think (the
    # strictest reading: never send it ``thinking: disabled``); one that can turn thinking
    # off but has no adaptive mode (4.x) thinks only when asked.
    thinking = Thinking.OFF
    if thinking_caps.get("supported") is True and "disabled" not in thinking_types:
        thinking = Thinking.ALWAYS
    elif thinking_caps.get("supported") is True and "adaptive" in thinking_types:
        thinking = Thinking.ADAPTIVE
    line = item.get("line")
    return ModelSpec(
        id=model_id,
        family=line if isinstance(line, str) and line else _family_from_id(model_id),
        # Unknown limits: the smallest any current model has, so nothing asks for more.
        context_tokens=context or 200_000,
        max_output_tokens=output or 64_000,
        thinking=thinking,
        # The strictest reading: an unknown thinking model is assumed to think hard.
        default_effort=("high" if "high" in (efforts or ()) else None)
        if thinking is not Thinking.OFF
        else None,
        cache_minimum=UNKNOWN_CACHE_MINIMUM,
        prices=None,
        structured_outputs=bool(structured),
        batch=bool(batch),
        released=released,
        efforts=efforts or (),
        thinking_types=thinking_types,
        listed=True,
    )


def _mapping(value: object) -> Mapping[str, object]:
    return value if isinstance(value, Mapping) else {}


def _supported(caps: Mapping[str, object], name: str) -> bool | None:
    """``caps[name].supported``, or None when the listing does not say."""
    entry = caps.get(name)
    if isinstance(entry, Mapping):
        flag = entry.get("supported")
        if isinstance(flag, bool):
            return flag
    return None


def _positive_int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _iso_date(value: object) -> str:
    if isinstance(value, str):
        return value[:10]
    isoformat = getattr(value, "isoformat", None)
    if callable(isoformat):
        text = isoformat()
        return text[:10] if isinstance(text, str) else ""
    return ""


def _family_from_id(model_id: str) -> str:
    """``claude-<family>-…`` → family; anything else: the id itself."""
    parts = model_id.split("-")
    return parts[1] if len(parts) > 2 and parts[0] == "claude" else model_id
