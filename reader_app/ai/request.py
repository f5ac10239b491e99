"""What goes to Claude and what comes back, as plain data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reader_app.ai.schema import ToneAnalysis


@dataclass(frozen=True, slots=True)
class ToneRequest:
    """A composed request, ready for the Messages API.

    Attributes:
        model: the model id.
        system: system text blocks, static first; the last static one has cache_control.
        messages: the user turn(s).
        max_tokens: the answer's limit, thinking included (thinking tokens count toward it).
        prompt_version: a short hash of the system blocks and settings.
        passage: the passage analysed (evidence quotes must be found in it).
        output_schema: the JSON schema for structured output.
        notes: things the reader should know about this request (examples left out).
        passages: for a request about several passages, each of them in order.
        thinking: the ``thinking`` parameter, or None for the model's default.
        effort: ``output_config.effort``, or None when the model takes none.
    """

    model: str
    system: list[dict[str, Any]]
    messages: list[dict[str, Any]]
    max_tokens: int
    prompt_version: str
    passage: str
    output_schema: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    passages: tuple[str, ...] = ()
    thinking: dict[str, Any] | None = None
    effort: str | None = None

    def api_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``client.messages.stream``."""
        kwargs: dict[str, Any] = {
            "model": self.model,
            "max_tokens": self.max_tokens,
            "system": self.system,
            "messages": self.messages,
        }
        output_config: dict[str, Any] = {}
        if self.output_schema:
            output_config["format"] = {"type": "json_schema", "schema": self.output_schema}
        if self.effort:
            output_config["effort"] = self.effort
        if output_config:
            kwargs["output_config"] = output_config
        if self.thinking is not None:
            kwargs["thinking"] = self.thinking
        return kwargs


@dataclass(frozen=True, slots=True)
class Usage:
    """Token counts of one answer.

    ``cache_creation_1h_input_tokens`` is the part of ``cache_creation_input_tokens``
    written with the 1-hour TTL (the API's ``cache_creation.ephemeral_1h_input_tokens``);
    the rest was written for 5 minutes. Build it from the SDK's usage with
    :meth:`from_api`.
    """

    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0
    cache_creation_1h_input_tokens: int = 0

    @classmethod
    def from_api(cls, usage: object) -> Usage:
        """The counts of an SDK ``Usage`` (or its JSON as a dict); missing fields are 0."""

        def count(source: object, name: str) -> int:
            value = source.get(name) if isinstance(source, dict) else getattr(source, name, 0)
            return value if isinstance(value, int) and not isinstance(value, bool) else 0

        split = usage.get("cache_creation") if isinstance(usage, dict) else None
        if split is None and not isinstance(usage, dict):
            split = getattr(usage, "cache_creation", None)
        five, hour = (
            count(split, "ephemeral_5m_input_tokens"),
            count(split, "ephemeral_1h_input_tokens"),
        )
        return cls(
            input_tokens=count(usage, "input_tokens"),
            output_tokens=count(usage, "output_tokens"),
            cache_creation_input_tokens=count(usage, "cache_creation_input_tokens") or five + hour,
            cache_read_input_tokens=count(usage, "cache_read_input_tokens"),
            cache_creation_1h_input_tokens=hour,
        )

    @property
    def total_input(self) -> int:
        """Every input token, cached or not."""
        return self.input_tokens + self.cache_creation_input_tokens + self.cache_read_input_tokens


@dataclass(frozen=True, slots=True)
class AnalysisOutcome:
    """A successful analysis with everything measured about it."""

    analysis: ToneAnalysis
    dropped_evidence: int
    usage: Usage
    model: str
    request_id: str
    prompt_version: str
    ttft_ms: float
    total_ms: float
    raw_text: str


@dataclass(frozen=True, slots=True)
class RawAnswer:
    """A complete streamed answer, before its JSON is checked.

    ``text`` holds the answer's text blocks only, never thinking; ``max_tokens`` is the
    limit the request had (0 when not known), for the message of a ``max_tokens`` stop.
    """

    text: str
    stop_reason: str
    usage: Usage
    model: str
    request_id: str
    ttft_ms: float
    total_ms: float
    max_tokens: int = 0
