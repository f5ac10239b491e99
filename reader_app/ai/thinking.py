"""How much a request lets the model think, and the ``max_tokens`` that leaves room for it.

A tone label needs no long deliberation, and on the current models thinking is on by
default and its tokens count toward ``max_tokens``: a request that says nothing can spend
its whole limit thinking and stop (``stop_reason: "max_tokens"``) before a word of the
answer. So every request names its effort and, where the model allows it, turns thinking
off; the reader's "Think more" choice allows thinking at a higher effort for hard passages.

What each model accepts comes from the catalogue (:mod:`reader_app.ai.catalogue`); facts
from the platform documentation (the thinking troubleshooting page, each model's "what's
new" page) this module relies on:

- ``{"type": "disabled"}`` and ``{"type": "between_tools"}`` are accepted only at effort
  ``low``, ``medium`` or ``high`` (400 at ``xhigh`` / ``max``).
- Claude Sonnet 5.5 turns thinking off with ``between_tools`` and rejects ``disabled``; it
  is the only model that accepts ``between_tools``. Without tools its answer is text only.
- Opus 5.5 and Fable 5.1 always think: only the effort can lower it.
- Omitting ``thinking`` means the model's default, which every model accepts. A model
  the catalogue does not know is read the strictest way: it may think (adaptive), so it
  gets the thinking headroom, and nothing it might reject is sent but the effort.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reader_app.ai.catalogue import Thinking, spec_for
from reader_app.ai.errors import AiError, AiErrorKind

if TYPE_CHECKING:
    from reader_app.ai.catalogue import ModelSpec

# The effort a tone analysis asks for, and the one "Think more" asks for.
DEFAULT_EFFORT = "low"
THINK_MORE_EFFORT = "medium"
# Tokens of thinking allowed on top of the answer, by effort, when thinking may happen.
# The answer itself is about 300-600 tokens; these leave thinking room to finish.
THINKING_HEADROOM = {"low": 3_000, "medium": 8_000, "high": 16_000}
# For a model without an effort parameter asked to think more (extended thinking).
THINKING_BUDGET = 4_096
# The largest max_tokens sent to a model whose limit is not known.
UNKNOWN_MAX_OUTPUT = 32_000
# The efforts a model the catalogue does not know is assumed to accept.
_ASSUMED_EFFORTS = ("low", "medium", "high")


@dataclass(frozen=True, slots=True)
class ThinkingControls:
    """The thinking-related parameters of one request.

    Attributes:
        thinking: the ``thinking`` parameter, or None to leave it out (the model's default).
        effort: ``output_config.effort``, or None to leave it out (the model takes none).
        max_tokens: the answer's limit, with room for thinking when thinking may happen.
        thinks: whether the model may think under these parameters.
    """

    thinking: dict[str, Any] | None
    effort: str | None
    max_tokens: int
    thinks: bool

    def label(self) -> str:
        """A few words for logs and the panel: "effort low, no thinking"."""
        effort = f"effort {self.effort}" if self.effort else "no effort setting"
        return f"{effort}, {'thinking allowed' if self.thinks else 'no thinking'}"


def max_output(model: str) -> int:
    """The largest ``max_tokens`` the model accepts (a safe guess when it is unknown)."""
    spec = spec_for(model)
    return spec.max_output_tokens if spec is not None else UNKNOWN_MAX_OUTPUT


def controls_for(model: str, answer_tokens: int, *, think_more: bool = False) -> ThinkingControls:
    """Thinking, effort and ``max_tokens`` for a request whose answer needs ``answer_tokens``.

    Args:
        model: the model id (a dated id counts as its alias).
        answer_tokens: room for the answer itself (the JSON), without thinking.
        think_more: the reader's "Think more": a higher effort, and thinking allowed.

    Returns:
        The parameters to send; ``max_tokens`` never exceeds the model's maximum.
    """
    spec = spec_for(model)
    effort = _effort(spec, THINK_MORE_EFFORT if think_more else DEFAULT_EFFORT)
    thinking = _thinking(spec, think_more)
    thinks = _thinks(spec, thinking)
    headroom = 0
    if thinking is not None and thinking.get("type") == "enabled":
        headroom = int(thinking["budget_tokens"])
    elif thinks:
        headroom = THINKING_HEADROOM.get(effort or "high", THINKING_HEADROOM["high"])
    limit = spec.max_output_tokens if spec is not None else UNKNOWN_MAX_OUTPUT
    return ThinkingControls(thinking, effort, min(answer_tokens + headroom, limit), thinks)


def larger_limit(model: str, current: int) -> int | None:
    """The limit a retry after a ``max_tokens`` stop asks for.

    Double ``current``, up to the model's maximum; None when it is that maximum already.
    """
    ceiling = max_output(model)
    if current >= ceiling:
        return None
    return min(max(current, 1) * 2, ceiling)


def cut_off_error(
    limit: int, output_tokens: int, request_id: str = "", *, no_text: bool = False
) -> AiError:
    """The error for a ``max_tokens`` stop: CUT_OFF, naming the limit.

    Args:
        limit: the request's ``max_tokens`` (0 when not known: the output tokens stand in).
        output_tokens: what the answer used, thinking included.
        request_id: the API's request id.
        no_text: the limit ran out before any answer text (thinking used all of it).
    """
    shown = limit or output_tokens
    detail = f"stop_reason=max_tokens after {output_tokens} output tokens (limit {shown})"
    if no_text:
        detail += "; no answer text: thinking used the whole limit"
    return AiError(AiErrorKind.CUT_OFF, detail, request_id=request_id,
                   fields={"limit": f"{shown:,}"})  # fmt: skip


def _effort(spec: ModelSpec | None, wanted: str) -> str | None:
    efforts = spec.efforts if spec is not None else _ASSUMED_EFFORTS
    if not efforts:
        return None  # the model takes no effort parameter (Haiku 4.5)
    if wanted in efforts:
        return wanted
    # The nearest level the model has, cheapest first.
    return next((e for e in ("low", "medium", "high") if e in efforts), None)


def _thinking(spec: ModelSpec | None, think_more: bool) -> dict[str, Any] | None:
    if spec is None:
        return None  # the default is accepted by every model
    types = spec.thinking_types
    if think_more:
        if spec.thinking is not Thinking.OFF:
            return None  # adaptive is the default: it thinks as much as the effort says
        if "adaptive" in types:
            return {"type": "adaptive"}
        if "enabled" in types:
            return {"type": "enabled", "budget_tokens": THINKING_BUDGET}
        return None
    if spec.thinking is Thinking.ALWAYS:
        return None  # cannot be turned off; the low effort keeps it short
    if spec.thinking is Thinking.OFF:
        return None  # off unless asked
    # Sonnet 5.5 turns thinking off with between_tools and rejects disabled; only it
    # accepts between_tools, so where it is listed it is the switch to use.
    if "between_tools" in types:
        return {"type": "between_tools"}
    if "disabled" in types:
        return {"type": "disabled"}
    return None


def _thinks(spec: ModelSpec | None, thinking: dict[str, Any] | None) -> bool:
    if thinking is not None:
        return thinking.get("type") in ("adaptive", "enabled")
    return spec is None or spec.thinking is not Thinking.OFF
