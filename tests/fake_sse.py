"""The event sequence the fake API streams for a scripted reply (notes §3.2).

Besides the API's own events, the sequence holds steps for the server: ``wait`` (sleep),
``raw`` (send bytes as they are) and ``close`` (hang up), which is how a reply misbehaves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.fake_api import Reply


def stream_events(reply: Reply, request: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The SSE events of a scripted reply, with "wait", "raw" and "close" steps between.

    A reply with ``thinking`` starts with a thinking block (thinking deltas, then its
    signature), as the 5.x models answer; with no ``text`` it has no text block at all
    (thinking used the whole limit).
    """
    events = _reply_events(reply, request)
    return _thinking_first(events, reply) if reply.thinking else events


def _reply_events(reply: Reply, request: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    usage = {"input_tokens": 25, "cache_creation_input_tokens": 0,
             "cache_read_input_tokens": 0, **reply.usage}  # fmt: skip
    output_tokens = usage.pop("output_tokens", max(1, len(reply.text) // 4))
    message = {
        "id": "msg_fake01", "type": "message", "role": "assistant",
        "model": reply.model or request.get("model", "claude-haiku-4-5"),
        "content": [], "stop_reason": None, "stop_sequence": None,
        "usage": {**usage, "output_tokens": 1},
    }  # fmt: skip
    yield "message_start", {"type": "message_start", "message": message}
    if reply.ending == "early_error":  # an overload before any content, after HTTP 200
        yield "error", {"type": "error", "error": {"type": reply.error_type,
                                                   "message": reply.message}}  # fmt: skip
        yield "close", {}
        return
    if reply.ending == "stall":
        yield "wait", {"seconds": reply.stall}
        yield "close", {}
        return
    block = {"type": "text", "text": ""}
    yield (
        "content_block_start",
        {"type": "content_block_start", "index": 0, "content_block": block},
    )
    if reply.ending == "raw":
        yield "raw", {"bytes": reply.raw}
        yield "close", {}
        return
    yield "ping", {"type": "ping"}
    if reply.ending == "pings":
        while True:  # until the client hangs up or the server stops
            yield "wait", {"seconds": reply.ping_interval}
            yield "ping", {"type": "ping"}
    if reply.ending == "endless":
        while True:
            if reply.chunk_delay:
                yield "wait", {"seconds": reply.chunk_delay}
            delta = {"type": "text_delta", "text": reply.text}
            yield "content_block_delta", {"type": "content_block_delta", "index": 0,
                                          "delta": delta}  # fmt: skip
    size = max(1, reply.chunk_size)
    for i in range(0, len(reply.text), size):
        if reply.chunk_delay:
            yield "wait", {"seconds": reply.chunk_delay}
        delta = {"type": "text_delta", "text": reply.text[i : i + size]}
        yield "content_block_delta", {"type": "content_block_delta", "index": 0, "delta": delta}
    if reply.ending == "error":
        error = {"type": reply.error_type, "message": reply.message}
        yield "error", {"type": "error", "error": error}
        yield "close", {}
        return
    if reply.ending == "truncated":
        yield "close", {}
        return
    yield "content_block_stop", {"type": "content_block_stop", "index": 0}
    delta_stop = {"stop_reason": reply.stop_reason, "stop_sequence": None}
    yield "message_delta", {"type": "message_delta", "delta": delta_stop,
                            "usage": {"output_tokens": output_tokens}}  # fmt: skip
    yield "message_stop", {"type": "message_stop"}


def thinking_block(reply: Reply) -> dict[str, Any]:
    """The complete thinking block of a reply, as a non-streamed message holds it."""
    return {"type": "thinking", "thinking": reply.thinking, "signature": "sig_fake"}


def _thinking_first(
    events: Iterator[tuple[str, dict[str, Any]]], reply: Reply
) -> Iterator[tuple[str, dict[str, Any]]]:
    """``events`` with a thinking block at index 0 and the text block moved to index 1."""
    for name, data in events:
        if name == "message_start":
            yield name, data
            start = {"type": "thinking", "thinking": "", "signature": ""}
            yield "content_block_start", {"type": "content_block_start", "index": 0,
                                          "content_block": start}  # fmt: skip
            size = max(1, reply.chunk_size)
            for i in range(0, len(reply.thinking), size):
                delta = {"type": "thinking_delta", "thinking": reply.thinking[i : i + size]}
                yield "content_block_delta", {"type": "content_block_delta", "index": 0,
                                              "delta": delta}  # fmt: skip
            signature = {"type": "signature_delta", "signature": "sig_fake"}
            yield "content_block_delta", {"type": "content_block_delta", "index": 0,
                                          "delta": signature}  # fmt: skip
            yield "content_block_stop", {"type": "content_block_stop", "index": 0}
        elif name.startswith("content_block_"):
            if not reply.text:
                continue  # no answer text came: no text block
            yield name, {**data, "index": data["index"] + 1}
        else:
            yield name, data
