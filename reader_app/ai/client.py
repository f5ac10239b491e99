"""The Claude tone analyser: one streamed, structured Messages API call per passage.

Everything that talks to the ``anthropic`` SDK lives here, and every way a call can fail
leaves this module as an :class:`~reader_app.ai.errors.AiError` (shared/notes/anthropic-sdk.md
lists the SDK facts this relies on). ``anthropic`` is imported on first use only: it costs
about a second, which must not be paid on the start-up path (DESIGN.md §6).
"""

from __future__ import annotations

import logging
import os
import random
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reader_app.ai.errors import AiError, AiErrorKind
from reader_app.ai.model_check import listed_structured_outputs, structured_outputs_error
from reader_app.ai.models import listed_capabilities
from reader_app.ai.request import AnalysisOutcome, RawAnswer, Usage
from reader_app.ai.schema import SchemaMismatch, validate_answer
from reader_app.ai.sdk_errors import (
    StreamProgress,
    map_decode_error,
    map_sdk_error,
    one_line,
    retry_after_seconds,
    spend_limit_error,
)
from reader_app.ai.thinking import cut_off_error

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from contextlib import AbstractContextManager

    import anthropic

    from reader_app.ai.request import ToneRequest
    from reader_app.ai.transport import Guard


log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.anthropic.com"
# No byte at all for this long and a call gives up (a stalled server, a lost network).
IDLE_TIMEOUT = 60.0
# No event but pings for this long (the real API pings a quiet stream to keep it open)
# and a streamed answer gives up too: a stall ends within this, whatever keeps the line busy.
STALL_TIMEOUT = 60.0
# An `event: error` of these types before any answer text (after HTTP 200, so the SDK
# does not retry it) is retried by the app this many times, after these waits (seconds,
# doubled each time, with jitter), unless cancelled.
EARLY_ERROR_RETRIES = 2
EARLY_ERROR_BACKOFF = 1.0
# The whole of one analysis, retries included: a fixed allowance plus time for the answer
# to stream at a slow rate, so a 32,000-token multi-passage answer gets longer than one.
DEADLINE_BASE = 120.0
DEADLINE_TOKENS_PER_SECOND = 50.0
# An answer's text past this is no analysis (one is about 2 KB, ten passages about 30 KB):
# the call stops, and nothing is kept.
MAX_ANSWER_CHARS = 256 * 1024
# The panel's partial view is parsed from the whole text so far on every delta; past this
# size that would cost more than it shows, so the partial view stops growing.
PARTIAL_LIMIT = 64 * 1024
# Listing models, checking a key, counting tokens: small answers, retries included.
SMALL_CALL_DEADLINE = 30.0

# Statuses whose retry-after we refuse to sleep through silently, and what they mean.
_WAIT_KINDS = {
    429: AiErrorKind.RATE_LIMITED,
    503: AiErrorKind.OVERLOADED,
    529: AiErrorKind.OVERLOADED,
}


@dataclass(frozen=True, slots=True)
class ModelChoice:
    """A model the user can pick.

    Attributes:
        id: the model id sent to the API.
        display_name: the name shown to people.
        line: the model family ("haiku", "sonnet", …), when the API says.
        created_at: the release time, ISO 8601.
        structured_outputs, batch, thinking: the listing's ``capabilities``: whether the
            model takes a JSON schema, Message Batches, thinking (None: not listed).
        efforts: the ``output_config.effort`` levels it takes (None: not listed).
        max_input_tokens, max_tokens: its limits, when listed.

    :func:`reader_app.ai.models.as_listing` gives it back in the listing's shape, for
    :func:`reader_app.ai.catalogue.merge_listing`.
    """

    id: str
    display_name: str
    line: str | None
    created_at: str
    structured_outputs: bool | None = None
    batch: bool | None = None
    thinking: bool | None = None
    efforts: tuple[str, ...] | None = None
    max_input_tokens: int | None = None
    max_tokens: int | None = None


class ClaudeToneAnalyzer:
    """Analyses passages with Claude through one lazily built, reused SDK client.

    Safe to share between worker threads: the SDK client is thread-safe, and building
    it is guarded by a lock.
    """

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str | None = None,
        timeout: float = IDLE_TIMEOUT,
        max_retries: int = 2,
        long_wait: float = 10.0,
        deadline: float | None = None,
        max_answer_chars: int = MAX_ANSWER_CHARS,
        stall_timeout: float = STALL_TIMEOUT,
    ) -> None:
        """Remember the settings; nothing is imported or sent yet.

        Args:
            api_key: the Anthropic API key (surrounding white space from a paste is dropped).
            base_url: the API host; else ``ANTHROPIC_BASE_URL``; else the public API.
            timeout: the idle time-out: seconds to wait for the next bytes of an answer.
            max_retries: the SDK's own retries for 429/5xx/connection errors.
            long_wait: a retry-after longer than this many seconds is raised at once as an
                AiError (with ``retry_after``) instead of being slept through.
            deadline: seconds one analysis may take in all, retries included; None for
                :func:`deadline_for` the request (longer answers get longer).
            max_answer_chars: the longest answer text kept; a longer one fails TOO_LARGE.
            stall_timeout: seconds a streamed answer may send nothing but pings.
        """
        self._api_key = api_key.strip()
        # Passed explicitly so that an SDK profile on disk can never redirect the key.
        self._base_url = base_url or os.environ.get("ANTHROPIC_BASE_URL") or DEFAULT_BASE_URL
        self._timeout = timeout
        self._max_retries = max_retries
        self._long_wait = long_wait
        self._deadline = deadline
        self._max_answer_chars = max_answer_chars
        self._stall_timeout = stall_timeout
        # model id → structured outputs supported, as the last listing said (newest first).
        self._structured: dict[str, bool] = {}
        self._client: anthropic.Anthropic | None = None
        self._lock = threading.Lock()

    # -- the SDK client ---------------------------------------------------------------------
    def _sdk(self) -> anthropic.Anthropic:
        """The SDK client, built on first use."""
        if not self._api_key:
            raise AiError(AiErrorKind.NO_KEY)
        with self._lock:
            if self._client is None:
                import anthropic  # deliberately lazy: see the module docstring

                from reader_app.ai.transport import guarded_http_client

                # The read timeout applies between bytes; connecting should be quick.
                timeout = anthropic.Timeout(self._timeout, connect=min(self._timeout, 5.0))
                self._client = anthropic.Anthropic(
                    api_key=self._api_key,
                    base_url=self._base_url,
                    timeout=timeout,
                    # Guarded sockets (deadline, Cancel, size cap) and no redirects.
                    http_client=guarded_http_client(timeout),
                    max_retries=self._max_retries,
                    middleware=[self._refuse_long_waits],
                )
            return self._client

    def sdk(self) -> anthropic.Anthropic:
        """The shared SDK client, built on first use, for other API families (batches).

        Returns:
            The same client that :meth:`analyse` uses, so its key, base URL, timeouts
            and long-wait middleware apply as well.

        Raises:
            AiError: NO_KEY when there is no key.
        """
        return self._sdk()

    def close(self) -> None:
        """Release the connection pool. A later call builds a new client."""
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()

    def _refuse_long_waits(
        self, request: anthropic.APIRequest, call_next: anthropic.CallNext
    ) -> anthropic.APIResponse[Any]:
        """SDK middleware: turn a long retry-after into an AiError instead of a silent sleep.

        The SDK obeys any retry-after, even an hour. The app would rather show a countdown
        and let the user decide, so a long wait ends the call at once. Short waits fall
        through to the SDK's own retries. A watched call past its deadline, or cancelled
        while the SDK slept before a retry, makes no further attempt.
        """
        from reader_app.ai.transport import current_guard

        guard = current_guard()
        if guard is not None:
            guard.check()
            guard.progress()  # each attempt gets the whole stall allowance
        response = call_next(request)
        http = response.http_response
        refused = spend_limit_error(http)
        if refused is not None:
            http.close()
            raise refused
        kind = _WAIT_KINDS.get(http.status_code)
        wait = retry_after_seconds(http.headers) if kind else None
        if kind is None or wait is None or wait <= self._long_wait:
            return response
        http.close()
        raise AiError(
            kind,
            f"HTTP {http.status_code}; the API asks to wait {wait:.0f} s",
            retry_after=wait,
            request_id=http.headers.get("request-id") or "",
        )

    def watch(
        self, cancelled: threading.Event | None = None, deadline: float | None = None
    ) -> AbstractContextManager[object]:
        """Bound the calls made on this thread inside the ``with`` block.

        For calls made through :meth:`sdk` (the judge, batches): they get the idle
        time-out, ``deadline`` and a prompt stop once ``cancelled`` is set, failing
        with an SDK exception that :func:`~reader_app.ai.sdk_errors.map_sdk_error` maps.

        Args:
            cancelled: stops the calls within a quarter of a second once set.
            deadline: seconds the calls may take in all; None for no deadline.
        """
        self._sdk()  # loads the SDK and its transport
        from reader_app.ai.transport import Guard, watching

        return watching(Guard(deadline=deadline, idle=self._timeout, cancelled=cancelled))

    def deadline_for(self, request: ToneRequest) -> float:
        """Seconds ``request`` may take in all: the one set, or one scaled to its answer."""
        if self._deadline is not None:
            return self._deadline
        return DEADLINE_BASE + request.max_tokens / DEADLINE_TOKENS_PER_SECOND

    # -- analysis ---------------------------------------------------------------------------
    def analyse(
        self,
        request: ToneRequest,
        *,
        on_partial: Callable[[dict[str, Any]], None] | None = None,
        cancelled: threading.Event | None = None,
    ) -> AnalysisOutcome:
        """Stream one structured analysis of ``request.passage``.

        Args:
            request: the composed request.
            on_partial: called on the worker thread with the answer's JSON parsed so far,
                each time it changes (the panel shows ``partial["explanation"]`` growing).
            cancelled: once set, the call stops within a quarter of a second, even while
                the server sends nothing.

        Returns:
            The validated analysis with its usage and timings.

        Raises:
            AiError: for every failure, including cancellation (kind CANCELLED).
        """
        raw = self.stream_answer(request, on_partial=on_partial, cancelled=cancelled)
        try:
            checked = validate_answer(raw.text, request.passage)
        except SchemaMismatch as exc:
            raise self.schema_error(raw, exc) from exc
        return AnalysisOutcome(
            analysis=checked.analysis,
            dropped_evidence=checked.dropped_evidence,
            usage=raw.usage,
            model=raw.model,
            request_id=raw.request_id,
            prompt_version=request.prompt_version,
            ttft_ms=raw.ttft_ms,
            total_ms=raw.total_ms,
            raw_text=raw.text,
        )

    @staticmethod
    def schema_error(raw: RawAnswer, exc: Exception) -> AiError:
        """The error for an answer whose JSON failed: cut off by a limit, or malformed.

        A ``max_tokens`` stop (thinking may have used the whole limit, leaving no text)
        is CUT_OFF, which says the limit, so that a retry can ask for more.
        """
        if raw.stop_reason == "max_tokens":
            return cut_off_error(raw.max_tokens, raw.usage.output_tokens, raw.request_id,
                                 no_text=not raw.text.strip())  # fmt: skip
        if raw.stop_reason == "model_context_window_exceeded":
            detail = f"stop_reason={raw.stop_reason} after {raw.usage.output_tokens} tokens"
            return AiError(AiErrorKind.TRUNCATED, detail, request_id=raw.request_id)
        detail = f"{exc} (stop_reason={raw.stop_reason})"
        return AiError(AiErrorKind.SCHEMA, detail, request_id=raw.request_id)

    def stream_answer(
        self,
        request: ToneRequest,
        *,
        on_partial: Callable[[dict[str, Any]], None] | None = None,
        on_snapshot: Callable[[str], None] | None = None,
        cancelled: threading.Event | None = None,
    ) -> RawAnswer:
        """Stream an answer and return its text unchecked (the caller validates it).

        ``on_partial`` gets the JSON parsed so far; ``on_snapshot`` the raw text so far.

        A model that cannot give a structured answer is refused before anything is sent.
        An overload or API error event that arrives before any answer text is retried
        (:data:`EARLY_ERROR_RETRIES` times, with backoff, Cancel heard while waiting).
        The call ends with an AiError when ``cancelled`` is set (within a quarter of a
        second), when no byte has come for the idle time-out (TIMEOUT), when nothing but
        pings has come for the stall time-out (STALLED), at the deadline (TIMEOUT), or
        when the answer grows past the size cap (TOO_LARGE).

        Raises:
            AiError: for every failure of the request or the stream, a refusal, a stream
                that ended early, an unreadable stream, and cancellation.
        """
        if request.output_schema:
            refused = structured_outputs_error(request.model, self._structured)
            if refused is not None:
                raise refused
        client = self._sdk()
        from reader_app.ai.transport import Guard

        guard = Guard(deadline=self.deadline_for(request), idle=self._timeout,
                      cancelled=cancelled, quiet=self._stall_timeout)  # fmt: skip
        retries = 0
        while True:
            if cancelled is not None and cancelled.is_set():
                raise AiError(AiErrorKind.CANCELLED)
            attempt = StreamProgress()
            try:
                return self._stream_once(client, guard, request, attempt,
                                         on_partial, on_snapshot, cancelled)  # fmt: skip
            except AiError as exc:
                if not attempt.early_error(exc) or retries >= EARLY_ERROR_RETRIES:
                    raise
                retries += 1
                wait = EARLY_ERROR_BACKOFF * 2 ** (retries - 1) * random.uniform(0.75, 1.0)
                left = guard.remaining()
                if left is not None and left <= wait:
                    raise
                log.info("Retrying after %s before any text (%s) in %.1f s",
                         exc.kind.value, exc.request_id, wait)  # fmt: skip
                if cancelled is not None and cancelled.wait(wait):
                    raise AiError(AiErrorKind.CANCELLED, request_id=exc.request_id) from exc
                if cancelled is None:
                    time.sleep(wait)

    def _stream_once(
        self,
        client: anthropic.Anthropic,
        guard: Guard,
        request: ToneRequest,
        attempt: StreamProgress,
        on_partial: Callable[[dict[str, Any]], None] | None,
        on_snapshot: Callable[[str], None] | None,
        cancelled: threading.Event | None,
    ) -> RawAnswer:
        """One streamed request (with the SDK's own retries) under ``guard``."""
        from reader_app.ai.transport import watching

        started = time.perf_counter()
        first_text: float | None = None
        request_id = ""
        final: anthropic.types.Message | None = None
        last_partial: dict[str, Any] | None = None
        try:
            # The HTTP request and the SDK's retries happen when the block is entered.
            with watching(guard), client.messages.stream(**request.api_kwargs()) as stream:
                attempt.responded = True  # errors from now on break off an answer
                request_id = stream.request_id or ""
                for event in _events(stream, self._api_key, request_id):
                    guard.progress()  # the SDK swallows pings: this is the answer moving
                    if cancelled is not None and cancelled.is_set():
                        raise AiError(AiErrorKind.CANCELLED, request_id=request_id)
                    if event.type in ("text", "thinking"):
                        self._check_size(event.snapshot, request_id)
                    if event.type == "text":
                        if first_text is None:
                            first_text = time.perf_counter()
                            attempt.text = True
                        if on_snapshot is not None:
                            on_snapshot(event.snapshot)
                        if on_partial is not None and len(event.snapshot) <= PARTIAL_LIMIT:
                            partial = _parse_partial(event.snapshot)
                            if partial is not None and partial != last_partial:
                                last_partial = partial
                                on_partial(partial)
                    elif event.type == "message_stop":
                        final = event.message
        except AiError:
            raise
        except Exception as exc:
            # Only the SDK's and the HTTP stack's errors are expected; the rest are bugs.
            mapped = self._map_error(exc, request_id, streaming=attempt.responded)
            if mapped is None:
                raise
            raise mapped from exc
        finished = time.perf_counter()
        if final is None or final.stop_reason is None:
            # EOF without message_stop: the SDK ends such a stream silently (notes §3.4).
            raise AiError(AiErrorKind.TRUNCATED, "the stream ended early", request_id=request_id)
        if final.stop_reason == "refusal":
            raise AiError(AiErrorKind.REFUSAL, "stop_reason=refusal", request_id=request_id)
        usage = final.usage
        total_ms = (finished - started) * 1000.0
        return RawAnswer(
            # Text blocks only: thinking (and redacted thinking) is never the answer.
            text="".join(block.text for block in final.content if block.type == "text"),
            stop_reason=final.stop_reason,
            # With the cache writes' 5-minute / 1-hour split, each priced at its rate.
            usage=Usage.from_api(usage),
            model=final.model or request.model,
            request_id=request_id,
            ttft_ms=total_ms if first_text is None else (first_text - started) * 1000.0,
            total_ms=total_ms,
            max_tokens=request.max_tokens,
        )

    def _check_size(self, snapshot: str, request_id: str) -> None:
        """Stop an answer that has grown past the cap, before it costs more."""
        if len(snapshot) > self._max_answer_chars:
            detail = f"the answer passed {self._max_answer_chars // 1024} KB of text"
            raise AiError(AiErrorKind.TOO_LARGE, detail, request_id=request_id)

    # -- models and tokens ------------------------------------------------------------------
    def list_models(self) -> list[ModelChoice]:
        """The active models this key may use, newest first.

        Raises:
            AiError: when the list cannot be fetched.
        """
        client = self._sdk()
        try:
            # Iterating the page follows has_more/last_id through every page.
            with self.watch(deadline=SMALL_CALL_DEADLINE):
                infos = list(client.models.list(limit=100))
        except Exception as exc:
            mapped = self._map_error(exc)
            if mapped is None:
                raise
            raise mapped from exc
        # Responses are parsed leniently, so an older gateway's missing field reads as None.
        active = [m for m in infos if getattr(m, "lifecycle", None) in (None, "active")]
        active.sort(key=lambda m: m.created_at.timestamp() if m.created_at else 0.0, reverse=True)
        self._structured = listed_structured_outputs(active)
        return [
            ModelChoice(
                id=m.id,
                display_name=m.display_name or m.id,
                line=getattr(m, "line", None),
                created_at=m.created_at.isoformat() if m.created_at else "",
                **listed_capabilities(m),
            )
            for m in active
        ]

    def check_key(self) -> None:
        """Make the cheapest authenticated call, to validate a key the user just saved.

        Raises:
            AiError: NO_KEY, AUTH, OFFLINE, … as for any call.
        """
        client = self._sdk()
        try:
            with self.watch(deadline=SMALL_CALL_DEADLINE):
                client.models.list(limit=1)
        except Exception as exc:
            mapped = self._map_error(exc)
            if mapped is None:
                raise
            raise mapped from exc

    def count_tokens(self, request: ToneRequest) -> int:
        """The input tokens ``request`` would use, as the API counts them.

        Raises:
            AiError: when the count cannot be made.
        """
        client = self._sdk()
        kwargs = request.api_kwargs()
        kwargs.pop("max_tokens")  # count_tokens takes everything but the answer's limit
        try:
            with self.watch(deadline=SMALL_CALL_DEADLINE):
                return client.messages.count_tokens(**kwargs).input_tokens
        except Exception as exc:
            mapped = self._map_error(exc)
            if mapped is None:
                raise
            raise mapped from exc

    # -- errors -----------------------------------------------------------------------------
    def _redact(self, text: str) -> str:
        """``text`` cut to one short line, without the API key (a gateway might echo it)."""
        return one_line(text, self._api_key)

    def _map_error(
        self, exc: BaseException, request_id: str = "", *, streaming: bool = False
    ) -> AiError | None:
        """The AiError for an SDK or HTTP failure, or None when ``exc`` is not one (a bug)."""
        return map_sdk_error(exc, secret=self._api_key, request_id=request_id, streaming=streaming)


def _events(stream: Iterable[Any], secret: str, request_id: str) -> Iterator[Any]:
    """The stream's events; what the SDK raises while decoding them becomes MALFORMED.

    The SDK parses each ``data:`` line with ``json.loads`` and applies the events to its
    snapshot as they come, so a garbled stream raises plain Python errors from inside the
    iteration: bad JSON (ValueError), JSON nested too deep (RecursionError), a delta for
    a block never started (IndexError, KeyError). Only the iteration is covered, so a bug
    in the app's own handling of an event is still a bug.
    """
    iterator = iter(stream)
    while True:
        try:
            event = next(iterator)
        except StopIteration:
            return
        except (ValueError, RecursionError, IndexError, KeyError, TypeError, AttributeError,
                AssertionError) as exc:  # fmt: skip
            raise map_decode_error(exc, secret=secret, request_id=request_id) from exc
        yield event


def _parse_partial(snapshot: str) -> dict[str, Any] | None:
    """The answer's JSON so far, completing a trailing string, or None if not yet an object."""
    import jiter  # the SDK's own partial-JSON parser, loaded with it

    try:
        value = jiter.from_json(snapshot.encode("utf-8"), partial_mode="trailing-strings")
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
