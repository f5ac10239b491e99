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
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar, cast

from reader_app.ai.batch_limits import RESULTS_GONE, BatchStopped
from reader_app.ai.errors import AiError, AiErrorKind
from reader_app.ai.prompt import batch_cache_ttl, with_cache_ttl
from reader_app.ai.request import AnalysisOutcome, Usage
from reader_app.ai.schema import SchemaMismatch, validate_answer
from reader_app.ai.sdk_errors import map_sdk_error, one_line

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Mapping, Sequence

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
# HTTP statuses after which asking again about a batch cannot succeed: the key, the
# organisation's billing or the batch itself has to change first.
_PERMANENT_STATUSES = (401, 402, 403, 404)
SPEND_LIMIT_CODE = "enforced_spend_limit_reached"
# Failures of a create after which the batch may exist all the same (the request may
# have landed before the answer was lost): look for it before sending again.
_AMBIGUOUS_KINDS = (AiErrorKind.SERVER, AiErrorKind.OVERLOADED, AiErrorKind.TIMEOUT,
                    AiErrorKind.OFFLINE, AiErrorKind.TRUNCATED, AiErrorKind.MALFORMED)  # fmt: skip
# Failures of a create after which the batch surely does not exist and trying again may
# work (a plain 429 rejects the request).
_SAFE_TO_RETRY_KINDS = (AiErrorKind.RATE_LIMITED,)
CREATE_ATTEMPTS = 3
# How far before the first attempt to send a part a batch may have been created and still
# be taken for that part: the server's clock and ours may disagree.
CLOCK_SKEW = timedelta(minutes=10)
_LIST_PAGE = 100


@dataclass(frozen=True, slots=True)
class BatchStatus:
    """Where a batch is, as the API reports it.

    Attributes:
        processing_status: "in_progress", "canceling" or "ended".
        request_counts: how many requests are processing, succeeded, errored, canceled
            and expired (all but ``processing`` stay 0 until the batch has ended).
        ended: whether processing has ended, so the results can be fetched.
        results_gone: the batch has ended but its results can no longer be fetched
            (``results_url`` is null, or ``archived_at`` is set).
    """

    processing_status: str
    request_counts: dict[str, int]
    ended: bool
    results_gone: bool = False


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
        """Send one batch of requests, once: the SDK does not retry the create.

        The SDK would retry ``POST /v1/messages/batches`` after a 5xx or a timeout without
        an idempotency key, so a first attempt that landed would make a second, billed
        batch. Use :meth:`submit_once` to retry safely.

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
        # The requests of a batch may run far apart: the prefix is cached for an hour.
        ttl = batch_cache_ttl(len(items))
        # The same parameters as a single analysis, minus streaming: the batch API runs
        # each request as a plain messages.create. The SDK's TypedDicts cannot describe a
        # dict built at run time, hence the cast.
        requests = cast(
            "Any",
            [
                {"custom_id": cid, "params": with_cache_ttl(request, ttl).api_kwargs()}
                for cid, request in items
            ],
        )
        client = self._analyzer.sdk().with_options(max_retries=0)
        batch = self._call(
            lambda: client.messages.batches.create(requests=requests),
            not_found=AiErrorKind.MODEL_NOT_FOUND,
        )
        return str(batch.id)

    def submit_once(
        self,
        items: Sequence[tuple[str, ToneRequest]],
        prefix: str,
        since: datetime,
        *,
        exclude: Collection[str] = (),
        look_first: bool = False,
        attempts: int = CREATE_ATTEMPTS,
        sleep: Callable[[float], None] = time.sleep,
    ) -> str:
        """Create the batch for one part of a job, never twice.

        Each attempt is a single create (no SDK retries). After a failure that may hide a
        created batch (5xx, 529, a timeout, a broken connection), and before the first
        attempt when ``look_first`` (an earlier session may have sent it), recent batches
        are listed and one that matches the part (:meth:`find`) is adopted instead of
        creating another.

        Args:
            items: the part's (custom_id, request) pairs; every id starts with ``prefix``.
            prefix: the part's custom_id prefix (its marker).
            since: when the part was first sent (or is being sent now).
            exclude: batch ids that belong to other parts or jobs.
            look_first: look for the batch before the first attempt.
            attempts: creates at most.
            sleep: waits between attempts (1 s, then 2 s, …).

        Returns:
            The id of the batch created or adopted.

        Raises:
            ValueError: as :meth:`submit`, or an id without the prefix.
            AiError: the batch could not be created, and none was found.
        """
        if any(not custom_id.startswith(prefix) for custom_id, _ in items):
            raise ValueError(f"every custom_id of this part must start with {prefix!r}")
        for attempt in range(attempts):
            if look_first or attempt:
                found = self.find(prefix, len(items), since, exclude=exclude)
                if found is not None:
                    return found
            try:
                return self.submit(items)
            except AiError as exc:
                retry = exc.kind in _AMBIGUOUS_KINDS or exc.kind in _SAFE_TO_RETRY_KINDS
                if not retry or _spend_limited(exc) or attempt == attempts - 1:
                    if exc.kind in _AMBIGUOUS_KINDS:
                        # The last attempt may have landed too: one more look.
                        found = self.find(prefix, len(items), since, exclude=exclude)
                        if found is not None:
                            return found
                    raise
                sleep(min(max(2.0**attempt, exc.retry_after or 0.0), 30.0))
        raise AssertionError("unreachable")  # pragma: no cover

    def find(
        self, prefix: str, size: int, since: datetime, *, exclude: Collection[str] = ()
    ) -> str | None:
        """The batch already created for a part, if there is one.

        How a batch is matched: the API has no batch metadata and shows the custom_ids only
        in the results, so recent batches (newest first, page after page, until one was
        created more than :data:`CLOCK_SKEW` before ``since``) are candidates when they
        hold ``size`` requests and are not in ``exclude``. An ended candidate whose results
        can be read is taken only when its custom_ids all start with ``prefix``; a
        candidate still running cannot be checked that way and is taken by its creation
        time and size (its results are checked against the part's custom_ids when
        collected: a stranger's batch would give no result for any item).

        Returns:
            The batch id, or None when no batch matches.

        Raises:
            AiError: the batches could not be listed.
        """
        client = self._analyzer.sdk()
        oldest = _aware(since) - CLOCK_SKEW

        def candidates() -> list[Any]:
            found: list[Any] = []
            for batch in client.messages.batches.list(limit=_LIST_PAGE):
                if _aware(batch.created_at) < oldest:
                    break  # newest first: the rest are older still
                if batch.id in exclude or _total(batch) != size:
                    continue
                found.append(batch)
            return found

        running: list[Any] = []
        for batch in self._call(candidates):
            if getattr(batch, "processing_status", "") == ENDED:
                if batch.results_url and self._ids_start_with(str(batch.id), prefix):
                    return str(batch.id)
            else:
                running.append(batch)
        if running:
            return str(min(running, key=lambda b: b.created_at).id)
        return None

    def _ids_start_with(self, batch_id: str, prefix: str) -> bool:
        """Whether every results line of an ended batch has a custom_id with ``prefix``."""
        client = self._analyzer.sdk()

        def ids() -> list[str]:
            decoder = client.messages.batches.results(batch_id)
            try:
                return [str(getattr(line, "custom_id", "")) for line in decoder]
            finally:
                decoder.close()

        try:
            seen = self._call(ids)
        except AiError:
            return False
        return bool(seen) and all(i.startswith(prefix) for i in seen)

    def status(self, batch_id: str) -> BatchStatus:
        """The batch's processing status and request counts.

        Raises:
            BatchStopped: asking again cannot help (the key, billing or spend limit, or
                the batch is not on the server any more).
            AiError: the status could not be fetched this time (offline, 5xx, 529, …).
        """
        client = self._analyzer.sdk()
        batch = self._call(lambda: client.messages.batches.retrieve(batch_id), stop=True)
        return _status(batch)

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
            BatchStopped: the results are no longer available (archived, or past the
                29-day retention), or asking again cannot help (as for :meth:`status`).
            AiError: the results could not be fetched this time (the batch has not
                ended, the connection broke, …). Failures of single items are results.
        """
        client = self._analyzer.sdk()
        if self.status(batch_id).results_gone:
            raise BatchStopped(AiErrorKind.SERVER, "results_url is null", message=RESULTS_GONE)

        def fetch() -> list[Any]:
            # The SDK retrieves the batch first and follows its results_url; the JSONL
            # body is streamed, so errors can also come while iterating.
            decoder = client.messages.batches.results(batch_id)
            try:
                return list(decoder)
            finally:
                decoder.close()

        lines = self._call(fetch, stop=True)
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
        self,
        operation: Callable[[], _T],
        *,
        not_found: AiErrorKind = AiErrorKind.BAD_REQUEST,
        stop: bool = False,
    ) -> _T:
        """Run one SDK call and turn its failures into AiErrors.

        With ``stop``, failures that asking again cannot heal (:data:`_PERMANENT_STATUSES`,
        a spend-limit 429, results that are gone) raise :class:`BatchStopped` instead.
        """
        try:
            return operation()
        except AiError as exc:
            # The analyzer's middleware already said what happened (a long wait, the
            # spend limit): stop on what will not heal, except a key not set yet.
            if stop and _never_heals(exc) and not isinstance(exc, BatchStopped):
                raise BatchStopped.of(exc) from exc
            raise
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
            status = getattr(exc, "status_code", None)
            permanent = status in _PERMANENT_STATUSES or _spend_limited(exc)
            if stop and (permanent or _never_heals(mapped)):
                raise BatchStopped.of(mapped) from exc
            raise mapped from exc


def _status(batch: anthropic.types.messages.MessageBatch) -> BatchStatus:
    """A BatchStatus from the SDK's MessageBatch (parsed leniently: fields may be None)."""
    counts = batch.request_counts
    request_counts = {name: int(getattr(counts, name, 0) or 0) for name in COUNT_NAMES}
    # Read with getattr: a gateway's reply may lack the field, and the SDK does not check.
    processing = str(getattr(batch, "processing_status", None) or IN_PROGRESS)
    ended = processing == ENDED
    gone = ended and (
        not getattr(batch, "results_url", None) or getattr(batch, "archived_at", None) is not None
    )
    return BatchStatus(processing, request_counts, ended=ended, results_gone=gone)


def _aware(moment: datetime) -> datetime:
    """``moment`` with a time zone (UTC when it has none)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _total(batch: Any) -> int:
    """How many requests a listed batch holds (its counts always add up to that)."""
    counts = getattr(batch, "request_counts", None)
    return sum(int(getattr(counts, name, 0) or 0) for name in COUNT_NAMES)


def _never_heals(error: AiError) -> bool:
    """Whether asking again about a batch cannot succeed until something changes.

    A key not set yet (or an unreadable keyring) is the exception: the reader may add one,
    and the job then carries on.
    """
    if error.kind in (AiErrorKind.NO_KEY, AiErrorKind.NO_KEYRING):
        return False
    return not error.retryable or _spend_limited(error)


def _spend_limited(exc: BaseException) -> bool:
    """Whether a failure is the organisation's spend limit (a 429 that never heals).

    The SDK reads ``error.details.error_code`` into ``APIStatusError.error_code``; the
    message is checked too, for a gateway that passes the code on only in the text.
    """
    cause = exc.__cause__ if isinstance(exc, AiError) else exc
    code = getattr(cause, "error_code", None)
    text = f"{getattr(cause, 'message', '')} {getattr(exc, 'detail', '')}"
    return code == SPEND_LIMIT_CODE or SPEND_LIMIT_CODE in text


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
        AiError: REFUSAL, TRUNCATED (the answer hit max_tokens) or SCHEMA.
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
        if stop_reason in ("max_tokens", "model_context_window_exceeded"):
            output = getattr(usage, "output_tokens", 0)
            detail = f"stop_reason={stop_reason} after {output} tokens"
            raise AiError(AiErrorKind.TRUNCATED, detail, request_id=message_id) from exc
        detail = f"{exc} (stop_reason={stop_reason})"
        raise AiError(AiErrorKind.SCHEMA, detail, request_id=message_id) from exc
    return AnalysisOutcome(
        analysis=checked.analysis,
        dropped_evidence=checked.dropped_evidence,
        # Batches write the 1-hour cache: the split prices those writes at its rate.
        usage=Usage.from_api(usage),
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
