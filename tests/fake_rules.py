"""What the fake Messages API checks and works out as the real one does.

The rules, with where each was checked (shared/notes/anthropic-sdk.md section 00 and the
SDK 2.16 source; the platform documentation where named):

- **Tokens** are counted deterministically: ``ceil(characters / 3.5)`` on the 5.x models
  (their tokenizer counts about 30 % more than Haiku 4.5's) and ``ceil(characters / 4)``
  on every other model. Input is the text of the system blocks and the messages.
- **Caching** (prompt-caching page): a prefix ending at a ``cache_control`` breakpoint is
  cached only when it holds at least the model's minimum (:func:`cache_minimum`); below it
  nothing is cached and nothing is said. A first request reports
  ``cache_creation_input_tokens`` (split by TTL in ``cache_creation``), the same prefix
  again within its TTL ``cache_read_input_tokens``; ``input_tokens`` is the uncached rest.
  At most 4 breakpoints (the top-level ``cache_control`` counts as one).
- **Thinking** (thinking-troubleshooting page; what each model accepts is the catalogue's
  ``thinking_types`` and ``efforts``): Haiku 5.5 and Sonnet 5.5 think by default
  (adaptive, effort medium / high), Opus 5.5 and Fable 5.1 always (turning it off is a
  400); a ``thinking.type`` or effort the model does not take is a 400, and so is thinking
  off at effort ``xhigh`` / ``max``. Thinking tokens (:data:`THINKING_TOKENS` per effort)
  count toward ``max_tokens`` and ``output_tokens``.
- **Structured outputs** (structured-outputs page; ``lib/_parse/_transform.py`` keeps only
  what the API accepts): numeric bounds, string lengths, ``maxItems``, ``minItems`` other
  than 0 or 1, object property counts and an object without
  ``additionalProperties: false`` are each a 400 naming the keyword; so is a schema sent
  to a model whose ``capabilities.structured_outputs`` is not supported.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from reader_app.ai.catalogue import Thinking, spec_for

# Output tokens spent thinking, by effort, when the model thinks.
THINKING_TOKENS: dict[str, int] = {"low": 96, "medium": 480, "high": 1400, "xhigh": 2400,
                                   "max": 4000}  # fmt: skip
EFFORTS = tuple(THINKING_TOKENS)
# Documented minimums where the catalogue has no entry; the rest fall back to 1,024.
CACHE_MINIMUMS: dict[str, int] = {"claude-opus-5": 512, "claude-fable-5": 512,
                                  "claude-sonnet-5": 1024, "claude-sonnet-4-5": 1024,
                                  "claude-opus-4-5": 4096, "claude-opus-4-6": 4096}  # fmt: skip
DEFAULT_CACHE_MINIMUM = 1024
MAX_BREAKPOINTS = 4
TTL_SECONDS = {"5m": 300.0, "1h": 3600.0}
UNSUPPORTED_KEYWORDS = (
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
    "minLength", "maxLength", "maxItems", "minProperties", "maxProperties",
)  # fmt: skip
STRING_FORMATS = frozenset({"date-time", "time", "date", "duration", "email", "hostname",
                            "uri", "ipv4", "ipv6", "uuid"})  # fmt: skip
THINKING_TEXT = "The passage's words and rhythm suggest a tone; weighing each emotion. "


class RequestRefused(Exception):
    """The request breaks a rule of the API: answered with a 400 and this message."""


def is_5x(model: str) -> bool:
    """A model of the 5.x generation (the newer tokenizer)."""
    return re.match(r"claude-[a-z]+-5(\b|-)", model) is not None


def tokens(text: str, model: str) -> int:
    """The fake's token count of ``text`` for ``model`` (see the module's docstring)."""
    return math.ceil(len(text) / (3.5 if is_5x(model) else 4.0))


def chars_for(count: int, model: str) -> int:
    """How many characters make ``count`` tokens for ``model``."""
    return int(count * (3.5 if is_5x(model) else 4.0))


def cache_minimum(model: str) -> int:
    """The shortest prefix, in tokens, that ``model`` caches."""
    spec = spec_for(model)
    if spec is not None:
        return spec.cache_minimum
    known = [m for m in CACHE_MINIMUMS if model == m or model.startswith(m + "-")]
    return CACHE_MINIMUMS[max(known, key=len)] if known else DEFAULT_CACHE_MINIMUM


def capabilities(model: str) -> dict[str, Any]:
    """The ``capabilities`` object ``GET /v1/models`` lists for ``model`` (from the catalogue;
    an unknown model supports the usual things and thinks only when asked)."""
    spec = spec_for(model)
    types = spec.thinking_types if spec and spec.thinking_types else ("disabled", "enabled")
    efforts = spec.efforts if spec else ()

    def yes(flag: bool) -> dict[str, bool]:
        return {"supported": flag}

    return {
        "batch": yes(spec.batch if spec else True),
        "citations": yes(True),
        "code_execution": yes(is_5x(model)),
        "context_management": {"supported": True},
        "effort": {"supported": bool(efforts), **{e: yes(e in efforts) for e in EFFORTS}},
        "image_input": yes(True),
        "pdf_input": yes(True),
        "server_tools": {"supported": True},
        "structured_outputs": yes(spec.structured_outputs if spec else True),
        "thinking": {
            "supported": True,
            "types": {
                t: yes(t in types) for t in ("adaptive", "between_tools", "disabled", "enabled")
            },
        },
    }


def supports(model_info: dict[str, Any] | None, model: str, capability: str) -> bool:
    """Whether the listed model (or, unlisted, the catalogue) says it supports ``capability``."""
    caps = (model_info or {}).get("capabilities") or capabilities(model)
    return bool(caps.get(capability, {}).get("supported", True))


# -- thinking ------------------------------------------------------------------------------
def thinking_tokens(request: dict[str, Any], thinking_table: dict[str, int]) -> int:
    """How many output tokens the model spends thinking before it answers.

    What a model accepts is the catalogue's (``thinking_types``, ``efforts``); thinking
    off (``disabled``, ``between_tools``) is refused at effort ``xhigh`` or ``max``.

    Raises:
        RequestRefused: a ``thinking`` or ``effort`` the model does not accept.
    """
    model = str(request.get("model", ""))
    spec = spec_for(model)
    mode = spec.thinking if spec else Thinking.OFF
    config = request.get("thinking") or {}
    kind = config.get("type") if isinstance(config, dict) else None
    effort = (request.get("output_config") or {}).get("effort")
    if effort is not None and effort not in EFFORTS:
        raise RequestRefused(f"output_config.effort: {effort!r} is not one of {', '.join(EFFORTS)}")
    if effort is not None and spec is not None and effort not in spec.efforts:
        raise RequestRefused(f"output_config.effort: {effort!r} is not supported by {model}")
    if kind is not None and spec is not None and kind not in (spec.thinking_types or (kind,)):
        raise RequestRefused(f"thinking.type: {kind!r} is not supported by {model}")
    if kind in ("disabled", "between_tools"):
        if mode is Thinking.ALWAYS:
            raise RequestRefused(f"thinking.type: {kind!r} is not supported by {model}")
        if effort in ("xhigh", "max"):
            raise RequestRefused(f"thinking.type: {kind!r} is not accepted at effort {effort!r}")
        return 0
    default = (spec.default_effort if spec else None) or "high"
    if kind == "enabled":
        budget = config.get("budget_tokens")
        if not isinstance(budget, int) or budget < 1024:
            raise RequestRefused("thinking.budget_tokens: must be at least 1024")
        if budget >= int(request.get("max_tokens", 0)):
            raise RequestRefused("max_tokens must be greater than thinking.budget_tokens")
        return min(budget, thinking_table.get(effort or default, 0))
    if kind == "adaptive" or (kind is None and mode is not Thinking.OFF):
        return thinking_table.get(effort or default, 0)
    return 0


# -- caching -------------------------------------------------------------------------------
@dataclass
class Breakpoint:
    """A ``cache_control`` marker: the prefix that ends there, and its TTL."""

    prefix: str
    ttl: str


@dataclass
class PromptCache:
    """The prefixes cached so far, by model and text, with when each expires."""

    entries: dict[tuple[str, str], float] = field(default_factory=dict)

    def usage(self, request: dict[str, Any], now: float) -> dict[str, Any]:
        """The input side of the usage for ``request``, writing and reading the cache.

        Raises:
            RequestRefused: more than four breakpoints, or an unknown TTL.
        """
        model = str(request.get("model", ""))
        text, points = _segments(request)
        if len(points) > MAX_BREAKPOINTS:
            raise RequestRefused(
                f"A maximum of {MAX_BREAKPOINTS} blocks with cache_control may be provided. "
                f"Found {len(points)}."
            )
        total = tokens(text, model)
        minimum = cache_minimum(model)
        eligible = [p for p in points if tokens(p.prefix, model) >= minimum]
        read = 0
        for point in eligible:
            key = (model, point.prefix)
            if self.entries.get(key, -1.0) > now:
                read = max(read, tokens(point.prefix, model))
                self.entries[key] = now + TTL_SECONDS[point.ttl]  # a read refreshes the TTL
        written = {"5m": 0, "1h": 0}
        done = read
        for point in eligible:
            size = tokens(point.prefix, model)
            key = (model, point.prefix)
            if size > done and self.entries.get(key, -1.0) <= now:
                written[point.ttl] += size - done
                done = size
                self.entries[key] = now + TTL_SECONDS[point.ttl]
        creation = written["5m"] + written["1h"]
        return {
            "input_tokens": max(0, total - read - creation),
            "cache_creation_input_tokens": creation,
            "cache_read_input_tokens": read,
            "cache_creation": {"ephemeral_5m_input_tokens": written["5m"],
                               "ephemeral_1h_input_tokens": written["1h"]},
        }  # fmt: skip


def _ttl(marker: object) -> str:
    ttl = marker.get("ttl", "5m") if isinstance(marker, dict) else "5m"
    if ttl not in TTL_SECONDS:
        raise RequestRefused(f"cache_control.ttl: {ttl!r} is not one of 5m, 1h")
    return str(ttl)


def _segments(request: dict[str, Any]) -> tuple[str, list[Breakpoint]]:
    """The request's input text in order, and the breakpoints in it."""
    blocks: list[dict[str, Any]] = []
    system = request.get("system")
    if isinstance(system, str):
        blocks.append({"type": "text", "text": system})
    elif isinstance(system, list):
        blocks.extend(b for b in system if isinstance(b, dict))
    for message in request.get("messages") or []:
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, str):
            blocks.append({"type": "text", "text": content})
        elif isinstance(content, list):
            blocks.extend(b for b in content if isinstance(b, dict))
    text = ""
    points: list[Breakpoint] = []
    for index, block in enumerate(blocks):
        text += str(block.get("text", ""))
        automatic = index == len(blocks) - 1 and request.get("cache_control") is not None
        if "cache_control" in block:
            points.append(Breakpoint(text, _ttl(block["cache_control"])))
        if automatic:
            points.append(Breakpoint(text, _ttl(request["cache_control"])))
    return text, points


# -- structured outputs --------------------------------------------------------------------
def check_output_format(request: dict[str, Any], model_info: dict[str, Any] | None) -> None:
    """Refuse a schema the API would refuse, or any schema for a model without support.

    Raises:
        RequestRefused: naming the keyword and where it is.
    """
    fmt = (request.get("output_config") or {}).get("format")
    if not fmt:
        return
    model = str(request.get("model", ""))
    if not supports(model_info, model, "structured_outputs"):
        raise RequestRefused(f"output_config.format: {model} does not support structured outputs")
    if fmt.get("type") != "json_schema" or not isinstance(fmt.get("schema"), dict):
        raise RequestRefused("output_config.format: expected type 'json_schema' with a schema")
    _check_schema(fmt["schema"], "schema")


def _check_schema(schema: dict[str, Any], where: str) -> None:
    def refuse(keyword: str, why: str = "is not supported") -> None:
        raise RequestRefused(f"output_config.format.{where}: '{keyword}' {why}")

    for keyword in UNSUPPORTED_KEYWORDS:
        if keyword in schema:
            refuse(keyword)
    if schema.get("minItems", 0) not in (0, 1):
        refuse("minItems", f"of {schema['minItems']} is not supported (only 0 or 1)")
    if schema.get("type") == "object" and schema.get("additionalProperties") is not False:
        refuse("additionalProperties", "must be false on every object")
    if schema.get("type") == "string" and schema.get("format") not in (
        None,
        "text",
        *STRING_FORMATS,
    ):
        refuse("format", f"{schema['format']!r} is not supported")
    for name, sub in (schema.get("properties") or {}).items():
        _check_schema(sub, f"{where}.properties.{name}")
    if isinstance(schema.get("items"), dict):
        _check_schema(schema["items"], f"{where}.items")
    for name, sub in (schema.get("$defs") or {}).items():
        _check_schema(sub, f"{where}.$defs.{name}")
    for key in ("anyOf", "allOf"):
        for i, sub in enumerate(schema.get(key) or []):
            _check_schema(sub, f"{where}.{key}[{i}]")
