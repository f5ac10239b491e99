"""A fake Anthropic Messages API on 127.0.0.1 that the real SDK talks to over HTTP.

It speaks the wire format of the real API as described in shared/notes/anthropic-sdk.md
§3.2: SSE streams with ``event:``/``data:`` pairs, JSON error bodies with a ``request-id``
header, paged ``/v1/models`` and ``/v1/messages/count_tokens``. Tests script the answers
with the ``reply_*`` methods; each request to the scripted path takes the next one, and
an empty queue falls back to ``default_reply``.

``responder`` (optional) picks the reply for a ``POST /v1/messages`` from the request
itself when nothing is queued, e.g. by the passage it asks about; ``in_flight`` and
``max_in_flight`` count such requests being served at once. A request without
``"stream": true`` gets the reply as one JSON message, as ``messages.create`` expects.

It can also misbehave as a broken server or network would, for the limits of the client:
``reply_delayed`` (a late first byte), ``reply_drip`` (one byte at a time),
``reply_pings`` (ping events for ever), ``reply_endless`` (text deltas for ever),
``reply_stall`` (nothing more after message_start, or before the headers), ``reply_raw``
(a malformed stream) and ``reply_redirect`` (a 3xx to elsewhere).

Message Batches are served too (tests/fake_batches.py).

It is as strict as the documented API (the rules and their sources: tests/fake_rules.py):
the key is required on every path (``Authorization: Bearer`` or ``x-api-key``); models are
listed with ``capabilities`` and limits; a model that thinks by default (or is asked to)
answers with a thinking block first, whose tokens count toward ``max_tokens`` and
``output_tokens`` (``max_tokens`` reached → ``stop_reason: "max_tokens"``, possibly before
any text); usage is worked out from the request, and a prefix up to a ``cache_control``
breakpoint is cached only above the model's minimum; unsupported JSON-schema keywords,
more than four breakpoints, a thinking setting the model refuses and a schema for a model
without structured outputs are each a 400. A reply scripted with its own ``usage``,
``thinking`` or ``stop_reason`` other than ``end_turn`` is sent as scripted.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import SplitResult, parse_qs, urlsplit

from reader_app.ai.catalogue import spec_for
from tests.fake_batches import (
    BATCH_BAD_JSON,
    BATCH_CANCELED,
    BATCH_ERROR,
    BATCH_EXPIRED,
    BATCH_REFUSAL,
    BATCHES,
    FakeBatch,
    FakeBatches,
    answer_text,
)
from tests.fake_rules import (
    THINKING_TEXT,
    THINKING_TOKENS,
    PromptCache,
    RequestRefused,
    capabilities,
    chars_for,
    check_output_format,
    thinking_tokens,
    tokens,
)
from tests.fake_sse import stream_events, thinking_block

__all__ = [
    "BATCHES", "BATCH_BAD_JSON", "BATCH_CANCELED", "BATCH_ERROR", "BATCH_EXPIRED",
    "BATCH_REFUSAL", "GOOD_ANSWER", "MESSAGES", "VALID_KEY", "FakeAnthropic", "FakeBatch",
    "RecordedRequest", "Reply",
]  # fmt: skip

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import TracebackType

VALID_KEY = "sk-ant-test-0123456789"
MESSAGES = "/v1/messages"

# A valid answer of the app's schema (reader_app.ai.schema), for the default reply.
GOOD_ANSWER: dict[str, Any] = {
    "tone": "Wistful and Tender",
    "polarity": "mixed",
    "emotions": [{"name": "sadness", "intensity": 0.6}, {"name": "joy", "intensity": 0.3}],
    "evidence": [{"quote": "wandered lonely", "why": "solitude, gently said"}],
    "explanation": "The speaker feels alone but calm, and the memory of the flowers makes him happy.",
    "confidence": 0.8,
}

DEFAULT_MODELS: list[dict[str, Any]] = [
    # Newest first, as the real API lists them.
    {"id": "claude-sonnet-5-5", "display_name": "Claude Sonnet 5.5", "line": "sonnet",
     "created_at": "2026-09-01T00:00:00Z", "lifecycle": "active"},
    {"id": "claude-haiku-5-5", "display_name": "Claude Haiku 5.5", "line": "haiku",
     "created_at": "2026-08-15T00:00:00Z", "lifecycle": "active"},
    {"id": "claude-opus-4-5", "display_name": "Claude Opus 4.5", "line": "opus",
     "created_at": "2025-11-01T00:00:00Z", "lifecycle": "active"},
    {"id": "claude-haiku-4-5", "display_name": "Claude Haiku 4.5", "line": "haiku",
     "created_at": "2025-10-01T00:00:00Z", "lifecycle": "active"},
    {"id": "claude-sonnet-4-5", "display_name": "Claude Sonnet 4.5", "line": "sonnet",
     "created_at": "2025-09-29T00:00:00Z", "lifecycle": "deprecated"},
    {"id": "claude-3-5-haiku-20241022", "display_name": "Claude Haiku 3.5", "line": "haiku",
     "created_at": "2024-10-22T00:00:00Z", "lifecycle": "retired"},
]  # fmt: skip


@dataclass
class RecordedRequest:
    """One request as the fake received it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: Any  # the parsed JSON body, or None
    raw: bytes  # the body as sent
    received_at: float  # time.perf_counter() when the body had fully arrived


@dataclass
class Reply:
    """A scripted answer: an SSE stream (``kind`` stream/…) or a JSON error."""

    kind: str  # "stream", "error"
    text: str = ""
    chunk_size: int = 16
    chunk_delay: float = 0.0
    usage: dict[str, int] = field(default_factory=dict)
    stop_reason: str | None = "end_turn"
    model: str | None = None
    request_id: str | None = None
    # How a stream ends: "complete", "error" (an error event), "truncated" (EOF), "stall",
    # "pings" (ping events for ever), "endless" (text deltas for ever), "raw" (``raw``
    # sent as it is after message_start, then EOF).
    ending: str = "complete"
    error_type: str = ""
    message: str = ""
    stall: float = 0.0
    stall_before_headers: bool = False
    chunked: bool = False  # send the body with transfer-encoding: chunked
    first_byte_delay: float = 0.0  # wait this long before the status line, then answer
    drip_delay: float = 0.0  # send the stream one byte at a time, this long apart
    ping_interval: float = 0.05  # for "pings"
    raw: bytes = b""  # for "raw"
    thinking: str = ""  # a thinking block before the text (none when empty)
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    error_code: str = ""  # for "error": sent as error.details.error_code
    html: str = ""  # for "error": the body is this web page (text/html), as from an edge
    # (time.perf_counter(), text) of each text delta as it was written to the socket.
    sent: list[tuple[float, str]] = field(default_factory=list)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeAnthropic

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up mid-answer (cancel, timeout) is expected, not a failure.
        import sys

        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    timeout = 10  # a vanished client must not hold a handler thread forever

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # keep test output clean

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        with contextlib.suppress(ConnectionError, TimeoutError):
            self.server.fake._handle(self)
        # Every response closes its connection: no keep-alive state to reason about.
        self.close_connection = True


class FakeAnthropic(FakeBatches):
    """The fake API server. Use as a context manager, or ``start()`` / ``stop()``.

    Attributes:
        base_url: ``http://127.0.0.1:<port>``, to pass as the SDK's ``base_url``.
        requests: every request received, in order.
        valid_key: the API key accepted as ``Authorization: Bearer <key>``.
        models: the model list served by ``GET /v1/models``, in the order served.
        max_page_size: the largest page ``/v1/models`` returns, whatever ``limit`` says.
        default_reply: what ``POST /v1/messages`` gets when the queue is empty.
        batches: the Message Batches created, by id.
        batch_answers: custom_id → the result of that batch request: an answer dict (or
            its text), or one of "error", "expired", "canceled", "bad-json", "refusal".
        batch_default_answer: the result of batch requests not in ``batch_answers``.
        batch_polls_in_progress: how many retrieves of a batch say "in_progress" before
            it has ended.
        batch_finished_on_cancel: how many requests (in request order) had already run
            when a cancel arrives; the rest end as "canceled".
        batch_usage: the usage of each succeeded batch message.
        batch_seed: seeds the shuffle of the results lines.
        responder: when set, picks the reply for a ``POST /v1/messages`` that has none
            queued (it may return None for ``default_reply``). Runs on the server's
            handler threads.
        in_flight: ``POST /v1/messages`` requests being served right now.
        max_in_flight: the most of them served at once so far.
    """

    def __init__(self, valid_key: str = VALID_KEY) -> None:
        self.valid_key = valid_key
        self.requests: list[RecordedRequest] = []
        self.models: list[dict[str, Any]] = [dict(m) for m in DEFAULT_MODELS]
        self.max_page_size = 1000
        self.default_reply = Reply("stream", text=json.dumps(GOOD_ANSWER))
        self.batches: dict[str, FakeBatch] = {}
        self.batch_answers: dict[str, dict[str, Any] | str] = {}
        self.batch_default_answer: dict[str, Any] | str = dict(GOOD_ANSWER)
        self.batch_polls_in_progress = 1
        self.batch_finished_on_cancel = 0
        self.batch_usage: dict[str, int] = {"input_tokens": 30, "output_tokens": 90,
                                            "cache_creation_input_tokens": 0,
                                            "cache_read_input_tokens": 1500}  # fmt: skip
        self.batch_seed = 7
        self.responder: Callable[[RecordedRequest], Reply | None] | None = None
        self.in_flight = 0
        self.max_in_flight = 0
        self.thinking_tokens: dict[str, int] = dict(THINKING_TOKENS)
        self.cache = PromptCache()
        self.clock_offset = 0.0  # added to time.monotonic() for cache TTLs (advance_clock)
        self._queue: deque[tuple[str, Reply]] = deque()
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._batch_ids = itertools.count(1)
        self._stopping = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        host, port = self._server.server_address[:2]
        self.base_url = f"http://{host!s}:{port}"

    # -- life cycle ---------------------------------------------------------------------
    def start(self) -> FakeAnthropic:
        """Serve in a daemon thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; stalled or slow answers are cut short."""
        self._stopping.set()
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(5)
        self._server.server_close()

    def __enter__(self) -> FakeAnthropic:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- scripting ----------------------------------------------------------------------
    def enqueue(self, reply: Reply, *, times: int = 1, path: str = MESSAGES) -> Reply:
        """Queue ``reply`` for the next ``times`` requests to ``path``."""
        with self._lock:
            self._queue.extend((path, reply) for _ in range(times))
        return reply

    def reply_json(
        self,
        answer: dict[str, Any] | str,
        *,
        chunk_size: int = 16,
        chunk_delay: float = 0.0,
        usage: dict[str, int] | None = None,
        stop_reason: str | None = "end_turn",
        model: str | None = None,
        request_id: str | None = None,
        times: int = 1,
    ) -> Reply:
        """Stream ``answer`` (a dict is sent as JSON) as text deltas of ``chunk_size``."""
        reply = Reply("stream", text=answer_text(answer), chunk_size=chunk_size,
                      chunk_delay=chunk_delay, usage=dict(usage or {}), stop_reason=stop_reason,
                      model=model, request_id=request_id)  # fmt: skip
        return self.enqueue(reply, times=times)

    def reply_error(
        self,
        status: int,
        error_type: str,
        message: str,
        headers: dict[str, str] | None = None,
        *,
        request_id: str | None = None,
        times: int = 1,
        path: str = MESSAGES,
        error_code: str = "",
    ) -> Reply:
        """Answer with an HTTP error and the API's JSON error body (``error_code`` in
        ``error.details``, as the spend-limit 429 has it)."""
        reply = Reply("error", status=status, error_type=error_type, message=message,
                      headers=dict(headers or {}), request_id=request_id,
                      error_code=error_code)  # fmt: skip
        return self.enqueue(reply, times=times, path=path)

    def reply_html(self, status: int, html: str, *, times: int = 1, path: str = MESSAGES) -> Reply:
        """Answer with a web page (``text/html``) and ``status``, as an edge or proxy does."""
        return self.enqueue(Reply("error", status=status, html=html), times=times, path=path)

    def reply_early_error(
        self, error_type: str = "overloaded_error", message: str = "Overloaded", *, times: int = 1
    ) -> Reply:
        """HTTP 200 and message_start, then at once ``event: error`` (no text at all)."""
        reply = Reply("stream", ending="early_error", error_type=error_type, message=message)
        return self.enqueue(reply, times=times)

    def reply_stream_error(
        self, after_text: str, error_type: str = "overloaded_error", message: str = "Overloaded"
    ) -> Reply:
        """Start streaming ``after_text``, then send ``event: error``."""
        reply = Reply("stream", text=after_text, ending="error", error_type=error_type,
                      message=message)  # fmt: skip
        return self.enqueue(reply)

    def reply_truncated(self, after_text: str, *, chunked: bool = False) -> Reply:
        """Stream ``after_text``, then close the connection with no message_stop.

        With ``chunked`` the body is chunk-encoded and the closing empty chunk is never
        sent, so the HTTP layer itself sees the body break off, not just the SSE stream.
        """
        reply = Reply("stream", text=after_text, ending="truncated", chunked=chunked)
        return self.enqueue(reply)

    def reply_refusal(self, text: str = "") -> Reply:
        """A stream that ends with ``stop_reason: "refusal"``."""
        return self.enqueue(Reply("stream", text=text, stop_reason="refusal"))

    def reply_stall(self, seconds: float, *, before_headers: bool = False) -> Reply:
        """Send the headers and message_start (or nothing at all), then wait ``seconds``."""
        reply = Reply("stream", ending="stall", stall=seconds,
                      stall_before_headers=before_headers)  # fmt: skip
        return self.enqueue(reply)

    def reply_delayed(self, seconds: float, answer: dict[str, Any] | str = GOOD_ANSWER) -> Reply:
        """Send nothing for ``seconds`` (not even the status line), then ``answer``."""
        return self.enqueue(Reply("stream", text=answer_text(answer), first_byte_delay=seconds))

    def reply_drip(self, delay: float, answer: dict[str, Any] | str = GOOD_ANSWER) -> Reply:
        """Stream ``answer`` one byte at a time, ``delay`` seconds apart."""
        return self.enqueue(Reply("stream", text=answer_text(answer), drip_delay=delay))

    def reply_pings(self, interval: float = 0.05) -> Reply:
        """Start a text block, then send ``ping`` events every ``interval`` s for ever."""
        return self.enqueue(Reply("stream", ending="pings", ping_interval=interval))

    def reply_endless(self, chunk: str = "la ", delay: float = 0.0) -> Reply:
        """Stream text deltas of ``chunk`` for ever (``delay`` apart)."""
        return self.enqueue(Reply("stream", text=chunk, ending="endless", chunk_delay=delay))

    def reply_raw(self, raw: bytes) -> Reply:
        """Send message_start, then ``raw`` as it is (a malformed stream), then EOF."""
        return self.enqueue(Reply("stream", ending="raw", raw=raw))

    def reply_redirect(self, location: str, status: int = 307) -> Reply:
        """Answer with a redirect to ``location`` (no body), as a misconfigured proxy might."""
        reply = Reply("error", status=status, headers={"location": location})
        return self.enqueue(reply)

    def advance_clock(self, seconds: float) -> None:
        """Let ``seconds`` pass for the prompt cache (TTLs of 5 min and 1 h)."""
        self.clock_offset += seconds

    def model_info(self, model: str) -> dict[str, Any] | None:
        """The listed model ``model`` (a dated id finds its alias), or None."""
        for info in self.models:
            if model == info["id"] or model.startswith(info["id"] + "-"):
                return info
        return None

    def requests_to(self, path: str) -> list[RecordedRequest]:
        """The recorded requests whose path is ``path``."""
        return [r for r in self.requests if r.path == path]

    # -- serving ------------------------------------------------------------------------
    def _next_reply(self, path: str) -> Reply | None:
        with self._lock:
            for i, (queued_path, reply) in enumerate(self._queue):
                if queued_path == path:
                    del self._queue[i]
                    return reply
        return None

    def _handle(self, h: _Handler) -> None:
        url = urlsplit(h.path)
        body = self._read_body(h)
        recorded = RecordedRequest(
            method=h.command,
            path=url.path,
            query=parse_qs(url.query),
            headers={k.lower(): v for k, v in h.headers.items()},
            body=json.loads(body) if body else None,
            raw=body,
            received_at=time.perf_counter(),
        )
        self.requests.append(recorded)
        tracked = h.command == "POST" and url.path == MESSAGES
        if tracked:
            with self._lock:
                self.in_flight += 1
                self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            self._route(h, url, body, recorded)
        finally:
            if tracked:
                with self._lock:
                    self.in_flight -= 1

    def _route(self, h: _Handler, url: SplitResult, body: bytes, recorded: RecordedRequest) -> None:
        keys = (h.headers.get("authorization"), f"Bearer {h.headers.get('x-api-key')}")
        if f"Bearer {self.valid_key}" not in keys:
            self._send_error(h, Reply("error", status=401, error_type="authentication_error",
                                      message="invalid x-api-key"))  # fmt: skip
            return
        if h.command == "POST" and url.path in (MESSAGES, MESSAGES + "/count_tokens"):
            try:
                self._check_request(json.loads(body or b"{}"))
            except (RequestRefused, ValueError) as exc:
                self._api_error(h, 400, "invalid_request_error", str(exc))
                return
        reply = self._next_reply(url.path)
        if (
            reply is None
            and self.responder is not None
            and (recorded.method, recorded.path) == ("POST", MESSAGES)
        ):
            reply = self.responder(recorded)
        if reply is not None and reply.kind == "error":
            self._send_error(h, reply)
        elif h.command == "POST" and url.path == MESSAGES:
            request = json.loads(body)
            shaped = self._shape(reply or self.default_reply, request)
            if request.get("stream") is True:
                self._send_stream(h, shaped, request)
            else:
                self._send_message(h, shaped, request)
        elif h.command == "POST" and url.path == MESSAGES + "/count_tokens":
            self._send_json(h, 200, {"input_tokens": max(1, len(body) // 4)})
        elif h.command == "POST" and url.path == BATCHES:
            self._create_batch(h, json.loads(body or b"{}"))
        elif h.command == "GET" and url.path == BATCHES:
            self._list_batches(h, parse_qs(url.query))
        elif url.path.startswith(BATCHES + "/"):
            self._batch_route(h, url.path.removeprefix(BATCHES + "/").split("/"))
        elif h.command == "GET" and url.path == "/v1/models":
            # A queued non-error reply here only slows the page down (delay, drip).
            self._send_json(h, 200, self._models_page(parse_qs(url.query)), slow=reply)
        elif h.command == "GET" and url.path.startswith("/v1/models/"):
            found = [m for m in self.models if m["id"] == url.path.rsplit("/", 1)[1]]
            if found:
                self._send_json(h, 200, {"type": "model", **_listed(found[0])})
            else:
                self._send_error(h, Reply("error", status=404, error_type="not_found_error",
                                          message="model not found"))  # fmt: skip
        else:
            self._send_error(h, Reply("error", status=404, error_type="not_found_error",
                                      message=f"no route {h.command} {url.path}"))  # fmt: skip

    def _check_request(self, request: dict[str, Any]) -> None:
        """Refuse what the real API refuses with a 400 (tests/fake_rules.py).

        Raises:
            RequestRefused: the request breaks a rule.
        """
        if not isinstance(request, dict):
            raise RequestRefused("the body is not a JSON object")
        model = str(request.get("model", ""))
        info = self.model_info(model)
        check_output_format(request, info)
        limit = _listed({"id": model, **(info or {})})["max_tokens"]
        if isinstance(limit, int) and int(request.get("max_tokens") or 0) > limit:
            raise RequestRefused(f"max_tokens: {request['max_tokens']} > {limit} for {model}")
        if "max_tokens" in request:  # not on count_tokens
            thinking_tokens(request, self.thinking_tokens)
        PromptCache().usage(request, 0.0)  # the breakpoints alone: more than 4 is a 400

    def _shape(self, reply: Reply, request: dict[str, Any]) -> Reply:
        """The reply as the model would send it: thinking first, usage from the request,
        and cut at ``max_tokens``. A reply's own usage, thinking or stop reason stands."""
        if reply.kind != "stream" or reply.ending != "complete":
            return reply
        model = str(request.get("model", ""))
        usage = dict(reply.usage)
        if not {"input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens"} & set(
            usage
        ):
            usage.update(self.cache.usage(request, time.monotonic() + self.clock_offset))
        if "output_tokens" in usage or reply.thinking or reply.stop_reason != "end_turn":
            return dataclasses.replace(reply, usage=usage)
        budget = int(request.get("max_tokens") or 0) or 1 << 30
        thought = min(thinking_tokens(request, self.thinking_tokens), budget)
        thinking = (THINKING_TEXT * (1 + chars_for(thought, model) // len(THINKING_TEXT)))[
            : chars_for(thought, model)
        ]
        text, stop = reply.text, reply.stop_reason
        if thought + tokens(text, model) > budget:
            text, stop = text[: chars_for(budget - thought, model)], "max_tokens"
        usage["output_tokens"] = max(1, thought + tokens(text, model))
        return dataclasses.replace(
            reply, text=text, thinking=thinking, stop_reason=stop, usage=usage
        )

    @staticmethod
    def _read_body(h: _Handler) -> bytes:
        if h.headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while size := int(h.rfile.readline().strip() or b"0", 16):
                parts.append(h.rfile.read(size))
                h.rfile.readline()
            h.rfile.readline()
            return b"".join(parts)
        return h.rfile.read(int(h.headers.get("content-length") or 0))

    def _models_page(self, query: dict[str, list[str]]) -> dict[str, Any]:
        limit = min(int(query.get("limit", ["20"])[0]), self.max_page_size)
        ids = [m["id"] for m in self.models]
        after = query.get("after_id", [None])[0]
        start = ids.index(after) + 1 if after in ids else 0
        data = [{"type": "model", **_listed(m)} for m in self.models[start : start + limit]]
        return {
            "data": data,
            "has_more": start + limit < len(ids),
            "first_id": data[0]["id"] if data else None,
            "last_id": data[-1]["id"] if data else None,
        }

    def _request_id(self, reply: Reply | None = None) -> str:
        return (reply.request_id if reply else None) or f"req_fake_{next(self._ids):04d}"

    def _send_json(
        self,
        h: _Handler,
        status: int,
        obj: Any,
        headers: dict[str, str] | None = None,
        *,
        slow: Reply | None = None,
    ) -> None:
        payload = json.dumps(obj).encode()
        if slow is not None and not self._wait(slow.first_byte_delay):
            return
        h.send_response(status)
        h.send_header("content-type", "application/json")
        h.send_header("content-length", str(len(payload)))
        h.send_header("connection", "close")
        for name, value in (headers or {}).items():
            h.send_header(name, value)
        h.end_headers()
        if slow is not None and slow.drip_delay:
            for at in range(len(payload)):
                h.wfile.write(payload[at : at + 1])
                if not self._wait(slow.drip_delay):
                    return
            return
        h.wfile.write(payload)

    def _api_error(self, h: _Handler, status: int, error_type: str, message: str) -> None:
        """Answer with the API's JSON error body."""
        self._send_error(h, Reply("error", status=status, error_type=error_type, message=message))

    def _send_error(self, h: _Handler, reply: Reply) -> None:
        if not self._wait(reply.first_byte_delay):
            return
        request_id = self._request_id(reply)
        if 300 <= reply.status < 400:
            h.send_response(reply.status)
            h.send_header("content-length", "0")
            h.send_header("connection", "close")
            h.send_header("request-id", request_id)
            for name, value in reply.headers.items():
                h.send_header(name, value)
            h.end_headers()
            return
        if reply.html:
            page = reply.html.encode()
            h.send_response(reply.status)
            h.send_header("content-type", "text/html; charset=utf-8")
            h.send_header("content-length", str(len(page)))
            h.send_header("connection", "close")
            h.end_headers()
            h.wfile.write(page)
            return
        body = {
            "type": "error",
            "error": {"type": reply.error_type, "message": reply.message},
            "request_id": request_id,
        }
        if reply.error_code:
            body["error"]["details"] = {"error_code": reply.error_code}  # type: ignore[index]
        self._send_json(h, reply.status, body, {"request-id": request_id, **reply.headers})

    def _wait(self, seconds: float) -> bool:
        """Sleep unless the server is stopping; False means stop now."""
        return seconds <= 0 or not self._stopping.wait(seconds)

    def _send_message(self, h: _Handler, reply: Reply, request: dict[str, Any]) -> None:
        """A non-streaming answer: the whole message as one JSON body."""
        if not self._wait(reply.stall if reply.stall_before_headers else reply.first_byte_delay):
            return
        if reply.stall_before_headers:
            return
        usage = {"input_tokens": 25, "cache_creation_input_tokens": 0,
                 "cache_read_input_tokens": 0, **reply.usage}  # fmt: skip
        usage.setdefault("output_tokens", max(1, len(reply.text) // 4))
        message = {
            "id": "msg_fake02", "type": "message", "role": "assistant",
            "model": reply.model or request.get("model", "claude-haiku-4-5"),
            "content": [*([thinking_block(reply)] if reply.thinking else []),
                        *([{"type": "text", "text": reply.text}] if reply.text or not reply.thinking
                          else [])],
            "stop_reason": reply.stop_reason, "stop_sequence": None, "usage": usage,
        }  # fmt: skip
        self._send_json(h, 200, message, {"request-id": self._request_id(reply)})

    def _send_stream(self, h: _Handler, reply: Reply, request: dict[str, Any]) -> None:
        if reply.stall_before_headers:
            self._wait(reply.stall)
            return
        if not self._wait(reply.first_byte_delay):
            return
        h.send_response(200)
        h.send_header("content-type", "text/event-stream")
        h.send_header("cache-control", "no-cache")
        h.send_header("request-id", self._request_id(reply))
        h.send_header("connection", "close")
        if reply.chunked:
            h.send_header("transfer-encoding", "chunked")
        h.end_headers()
        for name, data in stream_events(reply, request):
            if name == "wait":
                if not self._wait(data["seconds"]):
                    return
                continue
            if name == "close":
                return
            if name == "raw":
                event = data["bytes"]
            else:
                event = f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()
            if reply.drip_delay:
                for byte in range(len(event)):
                    h.wfile.write(event[byte : byte + 1])
                    if not self._wait(reply.drip_delay):
                        return
                continue
            h.wfile.write(b"%x\r\n%s\r\n" % (len(event), event) if reply.chunked else event)
            if name == "content_block_delta":
                reply.sent.append((time.perf_counter(), data["delta"].get("text", "")))
        if reply.chunked and reply.ending == "complete":
            h.wfile.write(b"0\r\n\r\n")


def _listed(model: dict[str, Any]) -> dict[str, Any]:
    """A model as ``GET /v1/models`` lists it: with limits and capabilities (SDK 2.16
    ``ModelInfo``); what a test set on the model itself wins."""
    spec = spec_for(str(model["id"]))
    return {"max_input_tokens": spec.context_tokens if spec else 200_000,
            "max_tokens": spec.max_output_tokens if spec else 64_000,
            "capabilities": capabilities(str(model["id"])), **model}  # fmt: skip
