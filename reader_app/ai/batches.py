"""Message Batches: many tone analyses in one asynchronous request, at a lower price.

A batch is sent once, processed by the API within 24 hours, polled for its status, and
its results are fetched as JSON Lines when it has ended (shared/notes/anthropic-sdk.md §7).
Each request carries the same non-streaming parameters as a single analysis, so the cached
system prefix and the structured-output schema work the same way.

Like :mod:`reader_app.ai.client`, every failure leaves this module as an
:class:`~reader_app.ai.errors.AiError`; nothing here imports Qt, and ``anthropic`` is only
touched through the analyzer's lazily built client.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, cast

from reader_app.ai.errors import AiError, AiErrorKind
from reader_app.ai.request import AnalysisOutcome, Usage
from reader_app.ai.schema import SchemaMismatch, validate_answer
from reader_app.ai.sdk_errors import map_sdk_error, one_line

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    import anthropic

    from reader_app.ai.client import ClaudeToneAnalyzer
    from reader_app.ai.request import ToneRequest

_T = TypeVar("_T")

# processing_status values, in the order a batch goes through them.
IN_PROGRESS = "in_progress"
CANCELING = "canceling"
ENDED = "ended"
COUNT_NAMES = ("processing", "succeeded", "errored", "canceled", "expired")

# What the API accepts as a custom_id; checked before sending so that a bad id fails
# here with a clear ValueError instead of as a 400 for the whole batch.
_CUSTOM_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
# A key echoed back by a gateway must not reach the log or the details view.

# The API's error type for one errored item, and the kind the UI explains it with.
_ITEM_ERROR_KINDS = {
    "invalid_request_error": AiErrorKind.BAD_REQUEST,
    "authentication_error": AiErrorKind.AUTH,
    "permission_error": AiErrorKind.PERMISSION,
    "billing_error": AiErrorKind.PERMISSION,
    "not_found_error": AiErrorKind.MODEL_NOT_FOUND,
    "rate_limit_error": AiErrorKind.RATE_LIMITED,
    "overloaded_error": AiErrorKind.OVERLOADED,
    "timeout_error": AiErrorKind.TIMEOUT,
    "api_error": AiErrorKind.SERVER,
}
_GONE_HINT = "The batch is no longer on the Anthropic server."


@dataclass(frozen=True, slots=True)
class BatchStatus:
    """Where a batch is, as the API reports it.

    Attributes:
        processing_status: "in_progress", "canceling" or "ended".
        request_counts: how many requests are processing, succeeded, errored, canceled
            and expired (all but ``processing`` stay 0 until the batch has ended).
        ended: whether processing has ended, so the results can be fetched.
    """

    processing_status: str
    request_counts: dict[str, int]
    ended: bool


@dataclass(frozen=True, slots=True)
class BatchItemResult:
    """The result of one request of a batch: an analysis, or why there is none.

    Attributes:
        custom_id: the id the request was sent with.
        outcome: the validated analysis (``request_id`` is the message id, and the
            timings are 0: a batch has no per-item latency).
        error: set instead of ``outcome`` for errored, canceled and expired items, and
            for answers that were refused or failed the schema.
    """

    custom_id: str
    outcome: AnalysisOutcome | None = None
    error: AiError | None = None

    @property
    def ok(self) -> bool:
        """Whether the item produced an analysis."""
        return self.outcome is not None


class BatchClient:
    """Sends, polls, collects and cancels Message Batches of tone requests.

    Uses the analyzer's SDK client, so the key, base URL, timeouts and the refusal to
    sleep through long retry-after waits are the same as for single analyses. Safe to use
    from worker threads; no method keeps state between calls.
    """

    def __init__(self, analyzer: ClaudeToneAnalyzer) -> None:
        """Wrap an analyzer; nothing is sent yet.

        Args:
            analyzer: the analyzer whose SDK client (and key) to use.
        """
        self._analyzer = analyzer

    def submit(self, items: Sequence[tuple[str, ToneRequest]]) -> str:
        """Send one batch of requests.

        Args:
            items: (custom_id, request) pairs. Ids must be unique, 1-64 characters of
                letters, digits, ``_`` and ``-``: results are matched on them.

        Returns:
            The batch id ("msgbatch_…").

        Raises:
            ValueError: no items, or a missing, malformed or repeated custom_id.
            AiError: the batch could not be created (NO_KEY, AUTH, OFFLINE, …).
        """
        if not items:
            raise ValueError("a batch needs at least one request")
        seen: set[str] = set()
        for custom_id, _request in items:
            if not _CUSTOM_ID.fullmatch(custom_id) or custom_id in seen:
                raise ValueError(f"bad or repeated custom_id {custom_id!r}")
            seen.add(custom_id)
        # The same parameters as a single analysis, minus streaming: the batch API runs
        # each request as a plain messages.create. The SDK's TypedDicts cannot describe a
        # dict built at run time, hence the cast.
        requests = cast(
            "Any",
            [{"custom_id": cid, "params": request.api_kwargs()} for cid, request in items],
        )
        client = self._analyzer.sdk()
        batch = self._call(
            lambda: client.messages.batches.create(requests=requests),
            not_found=AiErrorKind.MODEL_NOT_FOUND,
        )
        return str(batch.id)

    def status(self, batch_id: str) -> BatchStatus:
        """The batch's processing status and request counts.

        Raises:
            AiError: the status could not be fetched; BAD_REQUEST with a hint when the
                batch is not on the server (any more).
        """
        client = self._analyzer.sdk()
        return _status(self._call(lambda: client.messages.batches.retrieve(batch_id)))

    def cancel(self, batch_id: str) -> BatchStatus:
        """Ask the API to stop the batch; items already done keep their results.

        Returns:
            The status right after the request, usually "canceling". The batch ends
            later, with the items it had not run counted as canceled.

        Raises:
            AiError: the cancel request failed.
        """
        client = self._analyzer.sdk()
        return _status(self._call(lambda: client.messages.batches.cancel(batch_id)))

    def results(
        self,
        batch_id: str,
        passages: Mapping[str, str],
        prompt_versions: Mapping[str, str],
    ) -> dict[str, BatchItemResult]:
        """Fetch the results of an ended batch and validate every answer.

        Results come in any order and are matched on custom_id. An item of ``passages``
        that has no line in the results gets an error result, so nothing goes missing
        silently; lines for unknown ids are ignored.

        Args:
            batch_id: the batch.
            passages: custom_id → the passage analysed (evidence quotes must be in it).
            prompt_versions: custom_id → the prompt version the request was built with.

        Returns:
            custom_id → result, one for each key of ``passages``.

        Raises:
            AiError: the results could not be fetched (the batch has not ended, the
                connection broke, …). Failures of single items are results, not raised.
        """
        client = self._analyzer.sdk()

        def fetch() -> list[Any]:
            # The SDK retrieves the batch first and follows its results_url; the JSONL
            # body is streamed, so errors can also come while iterating.
            decoder = client.messages.batches.results(batch_id)
            try:
                return list(decoder)
            finally:
                decoder.close()

        lines = self._call(fetch)
        found: dict[str, BatchItemResult] = {}
        for line in lines:
            custom_id = str(getattr(line, "custom_id", "") or "")
            if custom_id not in passages or custom_id in found:
                continue
            found[custom_id] = _item(
                custom_id, line.result, passages[custom_id], prompt_versions.get(custom_id, "")
            )
        for custom_id in passages:
            if custom_id not in found:
                missing = AiError(AiErrorKind.SERVER, "the results have no line for this request")
                found[custom_id] = BatchItemResult(custom_id, error=missing)
        return found

    def _call(
        self, operation: Callable[[], _T], *, not_found: AiErrorKind = AiErrorKind.BAD_REQUEST
    ) -> _T:
        """Run one SDK call and turn its failures into AiErrors."""
        try:
            return operation()
        except AiError:
            raise  # the analyzer's long-wait middleware already said what happened
        except RecursionError as exc:
            # A results line nested too deeply for the SDK's json.loads.
            raise AiError(AiErrorKind.TRUNCATED, "bad results line: nested too deeply") from exc
        except ValueError as exc:
            # A results line that is not JSON: the download broke off or was garbled.
            if not isinstance(exc, json.JSONDecodeError):
                raise
            raise AiError(AiErrorKind.TRUNCATED, f"bad results line: {exc.msg}") from exc
        except Exception as exc:
            mapped = _map_error(exc, not_found)
            if mapped is None:
                raise  # not an SDK or HTTP failure: a bug for the crash handler
            raise mapped from exc


def _status(batch: anthropic.types.messages.MessageBatch) -> BatchStatus:
    """A BatchStatus from the SDK's MessageBatch (parsed leniently: fields may be None)."""
    counts = batch.request_counts
    request_counts = {name: int(getattr(counts, name, 0) or 0) for name in COUNT_NAMES}
    # Read with getattr: a gateway's reply may lack the field, and the SDK does not check.
    processing = str(getattr(batch, "processing_status", None) or IN_PROGRESS)
    return BatchStatus(processing, request_counts, ended=processing == ENDED)


def _item(custom_id: str, result: Any, passage: str, prompt_version: str) -> BatchItemResult:
    """One results line as a BatchItemResult."""
    kind = getattr(result, "type", None)
    if kind == "succeeded":
        try:
            outcome = _outcome(result.message, passage, prompt_version)
        except AiError as exc:
            return BatchItemResult(custom_id, error=exc)
        return BatchItemResult(custom_id, outcome=outcome)
    if kind == "errored":
        response = result.error
        error = getattr(response, "error", None)
        error_type = str(getattr(error, "type", "") or "unknown_error")
        detail = _redact(f"errored {error_type}: {getattr(error, 'message', '') or ''}")
        request_id = str(getattr(response, "request_id", "") or "")
        item_kind = _ITEM_ERROR_KINDS.get(error_type, AiErrorKind.SERVER)
        return BatchItemResult(custom_id, error=AiError(item_kind, detail, request_id=request_id))
    if kind == "canceled":
        detail = "the batch was canceled before this request ran"
        return BatchItemResult(custom_id, error=AiError(AiErrorKind.CANCELLED, detail))
    if kind == "expired":
        # There is no "expired" kind; a timeout says the same to the reader: try again.
        detail = "the batch expired (24 h) before this request ran"
        return BatchItemResult(custom_id, error=AiError(AiErrorKind.TIMEOUT, detail))
    detail = _redact(f"unknown result type {kind!r}")
    return BatchItemResult(custom_id, error=AiError(AiErrorKind.SERVER, detail))


def _outcome(message: Any, passage: str, prompt_version: str) -> AnalysisOutcome:
    """Validate one succeeded message, as ClaudeToneAnalyzer does for a streamed one.

    Raises:
        AiError: REFUSAL, CUT_OFF (the answer hit max_tokens, perhaps all of it thinking:
            only text blocks are the answer), TRUNCATED or SCHEMA.
    """
    message_id = str(getattr(message, "id", "") or "")
    stop_reason = getattr(message, "stop_reason", None)
    if stop_reason == "refusal":
        raise AiError(AiErrorKind.REFUSAL, "stop_reason=refusal", request_id=message_id)
    content = getattr(message, "content", None) or []
    text = "".join(block.text for block in content if getattr(block, "type", "") == "text")
    usage = message.usage
    try:
        checked = validate_answer(text, passage)
    except SchemaMismatch as exc:
        if stop_reason == "max_tokens":
            from reader_app.ai.thinking import cut_off_error

            output = int(getattr(usage, "output_tokens", 0) or 0)
            raise cut_off_error(0, output, message_id, no_text=not text.strip()) from exc
        if stop_reason == "model_context_window_exceeded":
            output = getattr(usage, "output_tokens", 0)
            detail = f"stop_reason={stop_reason} after {output} tokens"
            raise AiError(AiErrorKind.TRUNCATED, detail, request_id=message_id) from exc
        detail = f"{exc} (stop_reason={stop_reason})"
        raise AiError(AiErrorKind.SCHEMA, detail, request_id=message_id) from exc
    return AnalysisOutcome(
        analysis=checked.analysis,
        dropped_evidence=checked.dropped_evidence,
        usage=Usage(
            input_tokens=int(getattr(usage, "input_tokens", 0) or 0),
            output_tokens=int(getattr(usage, "output_tokens", 0) or 0),
            cache_creation_input_tokens=int(getattr(usage, "cache_creation_input_tokens", 0) or 0),
            cache_read_input_tokens=int(getattr(usage, "cache_read_input_tokens", 0) or 0),
        ),
        model=str(getattr(message, "model", "") or ""),
        request_id=message_id,
        prompt_version=prompt_version,
        ttft_ms=0.0,
        total_ms=0.0,
        raw_text=text,
    )


def _redact(text: str) -> str:
    """``text`` as one short line without anything that looks like an API key."""
    return one_line(text)


def _map_error(exc: BaseException, not_found: AiErrorKind) -> AiError | None:
    """The AiError for an SDK or HTTP failure, or None when ``exc`` is neither (a bug).

    Args:
        exc: what the SDK raised.
        not_found: the kind for a 404, which for a batch id can mean the batch is gone.
    """
    return map_sdk_error(exc, not_found=not_found, gone_hint=_GONE_HINT)
