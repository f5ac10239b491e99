"""Turn what the ``anthropic`` SDK raises into an :class:`AiError` with a one-line message.

One mapping for the single analysis, the batch service and the judge, so the same HTTP
status reads the same everywhere. The SDK and httpx2 are imported inside the functions:
they are loaded already by the call that failed, and the app's start must not load them.
"""

from __future__ import annotations

import email.utils
import json
import re
import time
from typing import TYPE_CHECKING

from reader_app.ai.errors import AiError, AiErrorKind
from reader_app.core.redaction import blank_secret

if TYPE_CHECKING:
    from collections.abc import Mapping

    import anthropic
    import httpx2

DETAIL_LIMIT = 300
# A gateway may echo the request's headers into an error body; no key is ever shown whole.
_KEY_PATTERN = re.compile(r"sk-ant-[A-Za-z0-9_-]+")
_STATUS_KINDS = {
    401: AiErrorKind.AUTH,
    403: AiErrorKind.PERMISSION,
    404: AiErrorKind.MODEL_NOT_FOUND,
    408: AiErrorKind.TIMEOUT,
    429: AiErrorKind.RATE_LIMITED,
    503: AiErrorKind.OVERLOADED,
    529: AiErrorKind.OVERLOADED,
}

# The error types an `event: error` can carry (types/shared/error_type.py), and what each
# means for the reader; an unknown one is a plain STREAM_ERROR.
_EVENT_KINDS = {
    "overloaded_error": AiErrorKind.OVERLOADED,
    "rate_limit_error": AiErrorKind.RATE_LIMITED,
    "api_error": AiErrorKind.SERVER,
    "timeout_error": AiErrorKind.TIMEOUT,
    "authentication_error": AiErrorKind.AUTH,
    "permission_error": AiErrorKind.PERMISSION,
    "invalid_request_error": AiErrorKind.BAD_REQUEST,
    "request_too_large": AiErrorKind.BAD_REQUEST,
    "billing_error": AiErrorKind.BILLING,
}
# The error code of a 429 that no wait will fix
# (anthropic/types/shared/enforced_spend_limit_reached_error.py).
SPEND_LIMIT_CODE = "enforced_spend_limit_reached"
_BROKE_OFF = "The answer broke off part way."
# Why the app stopped a call itself (reader_app.ai.transport.StreamAborted.reason).
_ABORT_KINDS = {
    "cancelled": AiErrorKind.CANCELLED,
    "deadline": AiErrorKind.TIMEOUT,
    "idle": AiErrorKind.TIMEOUT,
    "stalled": AiErrorKind.STALLED,
    "too_large": AiErrorKind.TOO_LARGE,
}


def one_line(text: str, secret: str = "") -> str:
    """``text`` as one short line without the API key or anything shaped like one.

    Args:
        text: an error's text.
        secret: the key in use, removed even when it does not look like an Anthropic key.
    """
    text = " ".join(text.split())
    if secret:
        text = text.replace(secret, "[key]")
    # Key-shaped runs go before pieces: a key's first characters ("sk-ant-api03") are
    # shared by every key, and blanking them alone would leave the rest of another one.
    text = _KEY_PATTERN.sub("[key]", text)
    return blank_secret(text, secret, "[key]")[:DETAIL_LIMIT]


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """The wait a response asks for, from ``retry-after-ms`` or ``retry-after``.

    The SDK reads the same headers in the same order, so the number shown to the user
    is the wait the SDK would have slept.

    Args:
        headers: response headers (case-insensitive mapping, as httpx gives).

    Returns:
        Seconds to wait, or None when the response does not say.
    """
    millis = headers.get("retry-after-ms")
    if millis:
        try:
            return float(millis) / 1000.0
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        parsed = email.utils.parsedate_tz(value)
        return None if parsed is None else max(0.0, email.utils.mktime_tz(parsed) - time.time())


def map_sdk_error(
    exc: BaseException,
    *,
    secret: str = "",
    request_id: str = "",
    streaming: bool = False,
    not_found: AiErrorKind = AiErrorKind.MODEL_NOT_FOUND,
    gone_hint: str = "",
) -> AiError | None:
    """The AiError for an SDK or HTTP failure, or None when ``exc`` is neither (a bug).

    Args:
        exc: what the SDK raised.
        secret: the API key in use, kept out of the message.
        request_id: the stream's request id, for failures that carry none.
        streaming: whether the answer had started; an error then is an ``error`` event.
        not_found: the kind for a 404: an unknown model for a message, but for a batch
            id, that the batch is gone.
        gone_hint: the hint for a 404 that maps to BAD_REQUEST.
    """
    import anthropic
    import httpx2

    from reader_app.ai.transport import StreamAborted

    if isinstance(exc, StreamAborted):
        fields = {"seconds": f"{exc.limit:g}"} if exc.limit is not None else None
        return AiError(_ABORT_KINDS[exc.reason], exc.detail, request_id=request_id, fields=fields)
    if isinstance(exc, anthropic.APIStatusError):
        return _map_status(exc, secret, request_id, streaming, not_found, gone_hint)
    # The SDK's connection errors say only "Connection error."; the cause says why.
    cause = exc.__cause__ if isinstance(exc, anthropic.APIConnectionError) else None
    detail = one_line(f"{type(exc).__name__}: {cause or exc!r}", secret)
    if isinstance(exc, (anthropic.APITimeoutError, httpx2.TimeoutException)):
        kind = AiErrorKind.TIMEOUT
    elif streaming and isinstance(cause, httpx2.RemoteProtocolError):
        # Newer SDKs wrap a body broken off mid-answer as a connection error; the answer
        # had started, so it was cut short rather than never reached.
        kind = AiErrorKind.TRUNCATED
    elif isinstance(exc, (anthropic.APIConnectionError, httpx2.NetworkError)):
        # Also a socket reset mid-answer: the fix is the same, check the network.
        kind = AiErrorKind.OFFLINE
    elif isinstance(exc, httpx2.HTTPError):
        # RemoteProtocolError and friends: the body broke off part way.
        kind = AiErrorKind.TRUNCATED
    elif isinstance(exc, anthropic.AnthropicError):
        kind = AiErrorKind.SERVER
    else:
        return None
    return AiError(kind, detail, request_id=request_id)


def is_spend_limit(status: int, error_code: str | None) -> bool:
    """Whether a response says the organisation's spend limit is reached (no wait helps)."""
    return status == 429 and error_code == SPEND_LIMIT_CODE


def is_web_page(response: httpx2.Response) -> bool:
    """Whether an error response is an HTML page (an edge's or proxy's) instead of JSON."""
    content_type = response.headers.get("content-type", "").lower()
    if "html" in content_type:
        return True
    if "json" in content_type:
        return False
    try:
        start = response.text.lstrip()[:64].lower()
    except Exception:  # a body that cannot be read or decoded is no web page we can tell
        return False
    return start.startswith(("<!doctype html", "<html"))


def map_decode_error(exc: BaseException, *, secret: str = "", request_id: str = "") -> AiError:
    """The AiError for a stream the SDK could not decode (garbage, bad JSON in ``data:``).

    Args:
        exc: what decoding raised: a ``ValueError`` for bad JSON, a ``RecursionError``
            for JSON nested too deep, an ``IndexError``/``KeyError`` for events that
            name content that was never started.
        secret: the API key in use, kept out of the message.
        request_id: the stream's request id.
    """
    detail = one_line(f"unreadable stream ({type(exc).__name__}: {exc})", secret)
    return AiError(AiErrorKind.MALFORMED, detail, request_id=request_id)


def _map_status(
    exc: anthropic.APIStatusError,
    secret: str,
    request_id: str,
    streaming: bool,
    not_found: AiErrorKind,
    gone_hint: str,
) -> AiError:
    status = exc.status_code
    request_id = exc.request_id or request_id
    error_type = exc.type or "unknown_error"
    if 300 <= status < 400:
        # Redirects are never followed: the request would go, body and key, elsewhere.
        where = exc.response.headers.get("location", "")
        detail = one_line(f"HTTP {status} redirect to {where or 'nowhere'}", secret)
        return AiError(AiErrorKind.REDIRECT, detail, request_id=request_id)
    if not streaming and status >= 400 and is_web_page(exc.response):
        # An edge or proxy's own error page (413, 502, …): never shown raw.
        detail = one_line(f"HTTP {status} {exc.response.headers.get('content-type', '')}")
        return AiError(AiErrorKind.WEB_PAGE, detail, request_id=request_id,
                       fields={"status": str(status)})  # fmt: skip
    if is_spend_limit(status, exc.error_code) or (status == 402 or error_type == "billing_error"):
        money = AiErrorKind.SPEND_LIMIT if status == 429 else AiErrorKind.BILLING
        detail = one_line(f"HTTP {status} {error_type} {exc.error_code or ''}: "
                          f"{exc.api_message or ''}", secret)  # fmt: skip
        return AiError(money, detail, request_id=request_id)
    if streaming or status < 400:
        # An `event: error` arrives with the stream's own status (200) and is not
        # retried by the SDK (notes §3.1). Its type says what failed, as a status would.
        detail = one_line(f"error event {error_type}: {exc.api_message or ''}", secret)
        event_kind = _EVENT_KINDS.get(error_type, AiErrorKind.STREAM_ERROR)
        hint = "" if event_kind is AiErrorKind.STREAM_ERROR else _BROKE_OFF
        return AiError(event_kind, detail, request_id=request_id, hint=hint)
    detail = one_line(f"HTTP {status} {error_type}: {exc.api_message or exc.message}", secret)
    kind = not_found if status == 404 else _STATUS_KINDS.get(status)
    if kind is None:
        kind = AiErrorKind.SERVER if status >= 500 else AiErrorKind.BAD_REQUEST
    if error_type == "overloaded_error":
        kind = AiErrorKind.OVERLOADED
    waits = kind in (AiErrorKind.RATE_LIMITED, AiErrorKind.OVERLOADED)
    return AiError(
        kind,
        detail,
        retry_after=retry_after_seconds(exc.response.headers) if waits else None,
        request_id=request_id,
        hint=gone_hint if status == 404 and kind is AiErrorKind.BAD_REQUEST else "",
    )


class StreamProgress:
    """How far one streamed request got, to tell an early error event from a late one."""

    __slots__ = ("responded", "text")

    def __init__(self) -> None:
        self.responded = False  # the stream began (HTTP 200 and its headers)
        self.text = False  # some answer text came

    def early_error(self, error: AiError) -> bool:
        """Whether ``error`` is an overload or API error event before any answer text.

        The SDK does not retry an ``event: error`` (it comes after HTTP 200, and the SDK
        raises a plain APIStatusError with status 200 from inside the iteration); before
        any text nothing is lost by asking again. Errors with an HTTP status are left to
        the SDK's own retries.
        """
        kinds = (AiErrorKind.OVERLOADED, AiErrorKind.SERVER)
        return self.responded and not self.text and error.kind in kinds


def spend_limit_error(http: httpx2.Response) -> AiError | None:
    """The AiError for a spend-limit 429, which the SDK would retry like any other 429.

    No wait helps until someone raises the limit, so the app makes no retry (neither the
    SDK's nor the batch poller's): SDK middleware raises this at once.

    Args:
        http: a response as it arrived, before the SDK's retry logic sees it.
    """
    if http.status_code != 429:
        return None
    try:
        body = http.read()
        details = json.loads(body).get("error", {}).get("details") or {}
    except Exception:  # an unreadable body is an ordinary 429 for the SDK to report
        return None
    code = details.get("error_code") if isinstance(details, dict) else None
    if not is_spend_limit(http.status_code, code if isinstance(code, str) else None):
        return None
    detail = f"HTTP 429 rate_limit_error {SPEND_LIMIT_CODE}"
    return AiError(AiErrorKind.SPEND_LIMIT, detail,
                   request_id=http.headers.get("request-id") or "")  # fmt: skip
