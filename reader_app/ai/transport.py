"""Deadlines, idle time-outs, a size cap and a prompt Cancel for the SDK's HTTP connections.

The SDK can only time out *between* bytes (shared/notes/anthropic-sdk.md §1), so a server
that drips bytes, sends ``ping`` events for ever or streams without end keeps a call
running for as long as it likes, and ``stream.close()`` from another thread does not wake
a read that is blocked (§3.4). So every socket the SDK opens is wrapped: while a call is
watched (:func:`watching`), each blocking read waits in slices of :data:`SLICE` seconds,
and between slices looks at the call's cancel flag and deadline; it counts the bytes
received against a cap, and gives up when no byte has come for the idle time-out. It
then raises :class:`StreamAborted`, which the SDK neither wraps nor retries (it is an
``AnthropicError``), whether the request is still waiting for its headers or its
answer is streaming.

Redirects are not followed: the SDK's default client would resend the request, body and
API key included, to wherever a 307 or 308 points.

This module imports the SDK: load it only when a call is about to be made.
"""

from __future__ import annotations

import contextlib
import threading
import time
from typing import TYPE_CHECKING, Any

import anthropic
import httpcore2

if TYPE_CHECKING:
    import ssl
    from collections.abc import Iterable, Iterator

    import httpx2

# A blocked read looks at the cancel flag and the deadline at least this often (seconds).
SLICE = 0.25
# What a watched response may send in all: framing and pings included, far above what any
# real answer needs, and it bounds by work a server that streams without end.
MAX_RESPONSE_BYTES = 32 << 20

_current = threading.local()


class StreamAborted(anthropic.AnthropicError):
    """A watched call was stopped by the app, not by the server.

    Attributes:
        reason: "cancelled", "deadline", "idle", "stalled" or "too_large".
        detail: one technical line saying what happened.
        limit: the limit that was passed, in seconds, for "stalled".
    """

    def __init__(self, reason: str, detail: str, limit: float | None = None) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.limit = limit


class Guard:
    """The limits of one call, checked by every read made on its thread.

    Attributes:
        deadline: seconds the whole call may take, retries included; None for no limit.
        idle: seconds without a single byte after which the call gives up.
        quiet: seconds without progress (an event other than ``ping``) after which the
            call gives up, however many pings keep the connection busy; None for no such
            limit. The clock starts with each attempt (:meth:`progress`).
        max_bytes: the most the responses may send in all.
        cancelled: once set, the call stops within :data:`SLICE` seconds.
    """

    def __init__(
        self,
        *,
        deadline: float | None,
        idle: float,
        max_bytes: int = MAX_RESPONSE_BYTES,
        cancelled: threading.Event | None = None,
        quiet: float | None = None,
    ) -> None:
        self.deadline = deadline
        self.idle = idle
        self.quiet = quiet
        self._last_progress = time.monotonic()
        self.max_bytes = max_bytes
        self.cancelled = cancelled
        self._ends_at = None if deadline is None else time.monotonic() + deadline
        self.received = 0

    def remaining(self) -> float | None:
        """Seconds left before the deadline, or None when there is none."""
        return None if self._ends_at is None else self._ends_at - time.monotonic()

    def progress(self) -> None:
        """The answer moved on (an attempt began, an event came): restart the quiet clock."""
        self._last_progress = time.monotonic()

    def check(self) -> None:
        """Raise StreamAborted when the call is cancelled, late or quiet for too long."""
        if self.cancelled is not None and self.cancelled.is_set():
            raise StreamAborted("cancelled", "cancelled by the user")
        left = self.remaining()
        if left is not None and left <= 0:
            raise StreamAborted("deadline", f"no complete answer within {self.deadline:g} s")
        if self.quiet is not None and time.monotonic() - self._last_progress >= self.quiet:
            detail = f"no answer content for {self.quiet:g} s, only pings or nothing"
            raise StreamAborted("stalled", detail, self.quiet)

    def count(self, size: int) -> None:
        """Add ``size`` received bytes; raise StreamAborted past ``max_bytes``."""
        self.received += size
        if self.received > self.max_bytes:
            raise StreamAborted(
                "too_large", f"the response passed {self.max_bytes // (1 << 20)} MB"
            )


def current_guard() -> Guard | None:
    """The guard of the call running on this thread, if it is watched."""
    guard: Guard | None = getattr(_current, "guard", None)
    return guard


@contextlib.contextmanager
def watching(guard: Guard) -> Iterator[Guard]:
    """Watch the calls made on this thread inside the ``with`` block with ``guard``."""
    outer = current_guard()
    _current.guard = guard
    try:
        yield guard
    finally:
        _current.guard = outer


class _GuardedStream(httpcore2.NetworkStream):
    """A socket whose blocking reads obey the current thread's guard."""

    def __init__(self, inner: httpcore2.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        guard = current_guard()
        if guard is None:
            return self._inner.read(max_bytes, timeout)
        # The stricter of the SDK's own read timeout and the guard's idle time-out.
        idle = guard.idle if timeout is None else min(timeout, guard.idle)
        started = time.monotonic()
        while True:
            guard.check()
            waited = time.monotonic() - started
            if waited >= idle:
                raise StreamAborted("idle", f"no data for {idle:g} s")
            step = min(SLICE, idle - waited)
            left = guard.remaining()
            if left is not None:
                step = min(step, left)
            try:
                data = self._inner.read(max_bytes, max(step, 0.001))
            except httpcore2.ReadTimeout:
                continue  # only a slice ran out: look at the flag and the clock again
            guard.count(len(data))
            return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        guard = current_guard()
        if guard is not None:
            guard.check()
            timeout = guard.idle if timeout is None else min(timeout, guard.idle)
        self._inner.write(buffer, timeout)

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore2.NetworkStream:
        return _GuardedStream(self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _GuardedBackend(httpcore2.NetworkBackend):
    """Opens connections as the wrapped backend does, and guards their sockets."""

    def __init__(self, inner: httpcore2.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore2.NetworkStream:
        guard = current_guard()
        if guard is not None:
            guard.check()
            left = guard.remaining()
            if left is not None:
                timeout = left if timeout is None else min(timeout, max(left, 0.001))
        stream = self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        return _GuardedStream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore2.NetworkStream:
        return _GuardedStream(self._inner.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def guarded_http_client(timeout: anthropic.Timeout) -> httpx2.Client:
    """The SDK's default HTTP client, without redirects, with every socket guarded.

    Args:
        timeout: the client's time-outs (the read time-out applies between bytes).

    Returns:
        A client to pass to ``anthropic.Anthropic(http_client=…)``.
    """
    client = anthropic.DefaultHttpxClient(timeout=timeout, follow_redirects=False)
    for transport in _transports(client):
        # httpx2 offers no way to hand its transports a network backend, so the pool's
        # is wrapped after the fact; no connection has been made yet. The tests of
        # Cancel on a stalled server fail if a new httpx2 moves this.
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if not isinstance(backend, httpcore2.NetworkBackend):
            raise RuntimeError(f"cannot guard the connections of {type(transport).__name__}")
        pool._network_backend = _GuardedBackend(backend)  # type: ignore[union-attr]
    return client


def _transports(client: httpx2.Client) -> Iterator[httpx2.BaseTransport]:
    """The default transport and every proxy transport of ``client``."""
    yield client._transport
    for transport in client._mounts.values():
        if transport is not None:
            yield transport
