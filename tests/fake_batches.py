"""The Message Batches part of the fake API (shared/notes/anthropic-sdk.md §7).

``POST /v1/messages/batches`` creates a batch that stays "in_progress" for
``batch_polls_in_progress`` retrieves and then ends; ``batch_answers`` scripts each
request's result by custom_id, and the JSONL results come back shuffled, never in request
order. :class:`FakeBatches` is mixed into :class:`tests.fake_api.FakeAnthropic`, which
holds the state and the HTTP helpers it uses.

As the API reference describes it: at most 100,000 requests and 256 MB per create (a 413
beyond); ``GET /v1/messages/batches`` lists newest first in pages (``limit`` 1-1000,
default 20; ``after_id`` / ``before_id`` cursors; ``has_more``, ``first_id``,
``last_id``); a batch carries no metadata and its requests are not shown, only counted;
once archived (or past the 29-day retention) ``results_url`` is null. Failures the API can
give are scripted here too: ``batch_fail_after_create`` answers the next creates with
these statuses *after* creating the batch (a 5xx that a naive retry turns into two
batches), ``batch_archived`` archives every batch as it ends, ``batch_spend_limited``
answers retrieves with the spend-limit 429 (``enforced_spend_limit_reached``, no
retry-after), and ``batch_thinking`` starts each message with a thinking block.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import threading

BATCHES = "/v1/messages/batches"
MAX_BATCH_REQUESTS = 100_000
MAX_BATCH_BYTES = 256 * 1000 * 1000
# Scripted batch results that are not an answer (any other string is sent as the text).
BATCH_ERROR = "error"  # errored with an api_error
BATCH_EXPIRED = "expired"
BATCH_CANCELED = "canceled"
BATCH_BAD_JSON = "bad-json"  # succeeded, but the text is not JSON
BATCH_REFUSAL = "refusal"  # succeeded with stop_reason "refusal"


def _rfc3339(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class FakeBatch:
    """A Message Batch as the fake keeps it."""

    id: str
    requests: list[dict[str, Any]]
    created_at: datetime
    polls: int = 0  # retrieves so far
    ended_at: datetime | None = None
    cancel_initiated_at: datetime | None = None
    canceled_ids: set[str] = field(default_factory=set)  # not run because of a cancel
    archived_at: datetime | None = None  # the results are gone

    @property
    def custom_ids(self) -> list[str]:
        return [str(r["custom_id"]) for r in self.requests]


def answer_text(answer: dict[str, Any] | str) -> str:
    """A scripted answer as the text the model would send (a dict as JSON)."""
    return answer if isinstance(answer, str) else json.dumps(answer)


class FakeBatches:
    """Serves Message Batches; mixed into FakeAnthropic."""

    batches: dict[str, FakeBatch]
    batch_answers: dict[str, dict[str, Any] | str]
    batch_default_answer: dict[str, Any] | str
    batch_polls_in_progress: int
    batch_finished_on_cancel: int
    batch_usage: dict[str, int]
    batch_seed: int
    _lock: threading.Lock
    # Scripted failures (class defaults; a test sets them on its instance).
    batch_fail_after_create: tuple[int, ...] = ()
    batch_archived: bool = False
    batch_spend_limited: bool = False
    batch_thinking: bool = False
    batch_body_limit: int = MAX_BATCH_BYTES

    def _create_batch(self, h: Any, body: dict[str, Any]) -> None:
        requests = body.get("requests")
        if not isinstance(requests, list) or not requests:
            self._api_error(h, 400, "invalid_request_error", "requests: at least one is required")
            return
        if len(requests) > MAX_BATCH_REQUESTS:
            self._api_error(h, 400, "invalid_request_error", "requests: at most 100000 items")
            return
        if int(h.headers.get("content-length") or 0) > self.batch_body_limit:
            self._api_error(h, 413, "request_too_large", "Request exceeds the maximum size")
            return
        ids = [r.get("custom_id") for r in requests]
        if len(set(ids)) != len(ids) or not all(isinstance(i, str) and i for i in ids):
            self._api_error(h, 400, "invalid_request_error", "custom_id must be unique")
            return
        batch_id = f"msgbatch_fake{next(self._batch_ids):04d}"
        batch = FakeBatch(batch_id, requests, datetime.now(UTC))
        with self._lock:
            self.batches[batch_id] = batch
            payload = self._batch_json(batch)
            failures = self.batch_fail_after_create
            if failures:
                self.batch_fail_after_create = failures[1:]
        if failures:
            # Created all the same: the answer is lost on the way back.
            self._api_error(h, failures[0], "api_error", "Internal server error")
            return
        self._send_json(h, 200, payload, {"request-id": self._request_id()})

    def _list_batches(self, h: Any, query: dict[str, list[str]]) -> None:
        """``GET /v1/messages/batches``: newest first, a page at a time."""
        try:
            limit = int((query.get("limit") or ["20"])[0])
        except ValueError:
            limit = 0
        if not 1 <= limit <= 1000:
            self._api_error(h, 400, "invalid_request_error", "limit: must be 1 to 1000")
            return
        with self._lock:
            newest_first = sorted(self.batches.values(), key=lambda b: b.id, reverse=True)
            ids = [b.id for b in newest_first]
            after, before = query.get("after_id", [""])[0], query.get("before_id", [""])[0]
            if after:
                start = ids.index(after) + 1 if after in ids else len(ids)
                page = newest_first[start : start + limit]
                more = start + limit < len(ids)
            elif before:
                end = ids.index(before) if before in ids else 0
                page = newest_first[max(0, end - limit) : end]
                more = end - limit > 0
            else:
                page, more = newest_first[:limit], len(ids) > limit
            data = [self._batch_json(b) for b in page]
        self._send_json(h, 200, {"data": data, "has_more": more,
                                 "first_id": data[0]["id"] if data else None,
                                 "last_id": data[-1]["id"] if data else None})  # fmt: skip

    def _batch_route(self, h: Any, parts: list[str]) -> None:
        with self._lock:
            batch = self.batches.get(parts[0])
        if batch is None:
            self._api_error(h, 404, "not_found_error", f"batch {parts[0]} not found")
            return
        route = (h.command, tuple(parts[1:]))
        if route == ("GET", ()) and self.batch_spend_limited:
            # The organisation's spend limit: a 429 with no retry-after that never heals.
            body = {"type": "error", "request_id": self._request_id(),
                    "error": {"type": "rate_limit_error",
                              "message": "You have reached your specified API usage limits.",
                              "details": {"error_code": "enforced_spend_limit_reached"}}}  # fmt: skip
            self._send_json(h, 429, body)
            return
        if route == ("GET", ()):
            with self._lock:
                batch.polls += 1
                if batch.ended_at is None and (
                    batch.cancel_initiated_at is not None
                    or batch.polls > self.batch_polls_in_progress
                ):
                    batch.ended_at = datetime.now(UTC)
                    if self.batch_archived:
                        batch.archived_at = batch.ended_at
                payload = self._batch_json(batch)
            self._send_json(h, 200, payload, {"request-id": self._request_id()})
        elif route == ("POST", ("cancel",)):
            with self._lock:
                if batch.ended_at is None and batch.cancel_initiated_at is None:
                    batch.cancel_initiated_at = datetime.now(UTC)
                    batch.canceled_ids = set(batch.custom_ids[self.batch_finished_on_cancel :])
                payload = self._batch_json(batch)
            self._send_json(h, 200, payload, {"request-id": self._request_id()})
        elif route == ("GET", ("results",)):
            if batch.archived_at is not None:
                self._api_error(h, 404, "not_found_error", "the results have been archived")
                return
            if batch.ended_at is None:
                self._api_error(h, 400, "invalid_request_error", "the batch has not ended yet")
                return
            self._send_jsonl(h, self.batch_results(batch.id))
        else:
            self._api_error(h, 404, "not_found_error", f"no route {h.command} {h.path}")

    def _batch_json(self, batch: FakeBatch) -> dict[str, Any]:
        counts = dict.fromkeys(("processing", "succeeded", "errored", "canceled", "expired"), 0)
        if batch.ended_at is None:
            counts["processing"] = len(batch.requests)
            status = "in_progress" if batch.cancel_initiated_at is None else "canceling"
        else:
            status = "ended"
            for line in self._batch_lines(batch):
                counts[line["result"]["type"]] += 1

        def stamp(moment: datetime | None) -> str | None:
            return None if moment is None else _rfc3339(moment)

        return {
            "id": batch.id,
            "type": "message_batch",
            "processing_status": status,
            "request_counts": counts,
            "created_at": _rfc3339(batch.created_at),
            "expires_at": _rfc3339(batch.created_at + timedelta(hours=24)),
            "ended_at": stamp(batch.ended_at),
            "archived_at": stamp(batch.archived_at),
            "cancel_initiated_at": stamp(batch.cancel_initiated_at),
            # Relative, as the notes found the SDK accepts; it joins it to base_url. Null
            # before the end, and again once the batch is archived.
            "results_url": (
                f"{BATCHES}/{batch.id}/results"
                if batch.ended_at and batch.archived_at is None
                else None
            ),
        }

    def _batch_lines(self, batch: FakeBatch) -> list[dict[str, Any]]:
        """One results line per request, in request order."""
        lines = []
        for n, request in enumerate(batch.requests, start=1):
            custom_id = str(request["custom_id"])
            script = self.batch_answers.get(custom_id, self.batch_default_answer)
            if custom_id in batch.canceled_ids:
                script = BATCH_CANCELED
            lines.append({"custom_id": custom_id,
                          "result": self._batch_result(batch, n, request, script)})  # fmt: skip
        return lines

    def _batch_result(
        self, batch: FakeBatch, n: int, request: dict[str, Any], script: dict[str, Any] | str
    ) -> dict[str, Any]:
        if script == BATCH_ERROR:
            error = {"type": "api_error", "message": "Internal server error"}
            return {"type": "errored", "error": {"type": "error", "error": error,
                                                 "request_id": f"req_{batch.id}_{n}"}}  # fmt: skip
        if script in (BATCH_EXPIRED, BATCH_CANCELED):
            return {"type": script}
        text = "{not json" if script == BATCH_BAD_JSON else answer_text(script)
        stop_reason = "end_turn"
        if script == BATCH_REFUSAL:
            text, stop_reason = "", "refusal"
        params = request.get("params") or {}
        # A model that thinks answers with a thinking block first; it is never the answer.
        thinking = [{"type": "thinking", "thinking": "{\"tone\": \"not this\"}",
                     "signature": "sig"}] if self.batch_thinking else []  # fmt: skip
        message = {
            "id": f"msg_{batch.id}_{n:03d}", "type": "message", "role": "assistant",
            "model": params.get("model", "claude-haiku-4-5"),
            "content": [*thinking, {"type": "text", "text": text}],
            "stop_reason": stop_reason, "stop_sequence": None,
            "usage": {**self.batch_usage, "service_tier": "batch"},
        }  # fmt: skip
        return {"type": "succeeded", "message": message}

    def batch_results(self, batch_id: str) -> list[dict[str, Any]]:
        """The results lines of a batch, in the (shuffled) order they are served."""
        with self._lock:
            lines = self._batch_lines(self.batches[batch_id])
        order = list(range(len(lines)))
        random.Random(self.batch_seed).shuffle(order)
        if order == sorted(order):
            order.reverse()  # the API promises no order; make sure tests cannot rely on one
        return [lines[i] for i in order]

    def _send_jsonl(self, h: Any, lines: list[dict[str, Any]]) -> None:
        payload = b"".join(json.dumps(line).encode() + b"\n" for line in lines)
        h.send_response(200)
        h.send_header("content-type", "application/x-jsonl")
        h.send_header("content-length", str(len(payload)))
        h.send_header("request-id", self._request_id())
        h.send_header("connection", "close")
        h.end_headers()
        h.wfile.write(payload)
