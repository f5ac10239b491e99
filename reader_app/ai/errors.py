"""Why an analysis failed, as a code the UI and CLI turn into words and actions."""

from __future__ import annotations

import enum

from reader_app.core.errors import ReaderError


class AiErrorKind(enum.Enum):
    """Each failure the tone panel explains differently."""

    NO_KEY = "no_key"
    NO_KEYRING = "no_keyring"
    AUTH = "auth"  # 401
    PERMISSION = "permission"  # 403
    MODEL_NOT_FOUND = "model_not_found"  # 404
    RATE_LIMITED = "rate_limited"  # 429
    OVERLOADED = "overloaded"  # 529, 503
    SERVER = "server"  # other 5xx
    BAD_REQUEST = "bad_request"  # 400, 413, 422
    OFFLINE = "offline"  # connection refused, DNS, no network
    TIMEOUT = "timeout"
    STREAM_ERROR = "stream_error"  # an error event in mid-stream
    TRUNCATED = "truncated"  # the stream ended without message_stop
    SCHEMA = "schema"  # the answer failed the schema
    REFUSAL = "refusal"
    CANCELLED = "cancelled"
    TOO_LARGE = "too_large"  # the answer passed the size cap
    MALFORMED = "malformed"  # the response was not a readable event stream
    REDIRECT = "redirect"  # a 3xx, which is never followed
    SPEND_LIMIT = "spend_limit"  # 429 enforced_spend_limit_reached: never retried
    BILLING = "billing"  # 402 billing_error: never retried
    WEB_PAGE = "web_page"  # an HTML page instead of the API's JSON (an edge or proxy)
    STALLED = "stalled"  # the stream sent nothing but pings for too long
    NO_STRUCTURED_OUTPUTS = "no_structured_outputs"  # the model cannot answer in the schema
    CUT_OFF = "cut_off"  # stop_reason max_tokens: the limit ran out (thinking counts)


_MESSAGES = {
    AiErrorKind.NO_KEY: (
        "No Anthropic API key is set. Add one in Settings, or set ANTHROPIC_API_KEY."
    ),
    AiErrorKind.NO_KEYRING: "The system keyring is not available, so the API key cannot be read.",
    AiErrorKind.AUTH: "The API key was rejected (401). Check it in Settings.",
    AiErrorKind.PERMISSION: "This API key may not use this model or feature (403).",
    AiErrorKind.MODEL_NOT_FOUND: "The model is not available (404). Choose another in Settings.",
    AiErrorKind.RATE_LIMITED: "Too many requests right now (429).",
    AiErrorKind.OVERLOADED: "Claude is overloaded at the moment; retries did not help.",
    AiErrorKind.SERVER: "The Anthropic API had an internal error; retries did not help.",
    AiErrorKind.BAD_REQUEST: "The request was refused as invalid.",
    AiErrorKind.OFFLINE: "Could not reach the Anthropic API. Check your network connection.",
    AiErrorKind.TIMEOUT: "The Anthropic API took too long to answer.",
    AiErrorKind.STREAM_ERROR: "The answer broke off with an error from the API.",
    AiErrorKind.TRUNCATED: "The answer stopped before it was complete.",
    AiErrorKind.SCHEMA: "The answer did not have the expected form.",
    AiErrorKind.REFUSAL: "Claude declined to analyse this passage.",
    AiErrorKind.CANCELLED: "The analysis was cancelled.",
    AiErrorKind.TOO_LARGE: "The answer was far larger than any analysis, so it was not kept.",
    AiErrorKind.MALFORMED: "The API sent a response that could not be read.",
    AiErrorKind.REDIRECT: (
        "The API address answered with a redirect, which is not followed. Check the API address."
    ),
    AiErrorKind.SPEND_LIMIT: (
        "Your organisation's spend limit is reached (429), so no more requests will go"
        " through until it is raised: https://console.anthropic.com/settings/limits"
    ),
    AiErrorKind.BILLING: (
        "The API refused the request for billing reasons (402); check the plan and"
        " credit balance: https://console.anthropic.com/settings/billing"
    ),
    AiErrorKind.WEB_PAGE: "The service answered with a web page, status {status}.",
    AiErrorKind.STALLED: (
        "The answer stalled: none of it came for {seconds} s (the connection was only kept"
        " alive), so it was given up."
    ),
    AiErrorKind.NO_STRUCTURED_OUTPUTS: (
        "The model {model} cannot answer in the structured form a tone analysis needs;"
        " choose another model in Settings, such as {instead}."
    ),
    AiErrorKind.CUT_OFF: (
        "The answer was cut off at {limit} tokens, the limit set for it (the model's"
        " thinking counts toward it)."
    ),
}

# Where the reader can act on a failure the app cannot fix: shown as a link.
CONSOLE_LINKS = {
    AiErrorKind.SPEND_LIMIT: "https://console.anthropic.com/settings/limits",
    AiErrorKind.BILLING: "https://console.anthropic.com/settings/billing",
}


class AiError(ReaderError):
    """An analysis that did not produce a result.

    Attributes:
        kind: what went wrong, for the UI to choose words and actions.
        retry_after: seconds the API asked us to wait (429, 529), when it said.
        detail: a technical line for the log and the details view (never the key).
        request_id: the API's request id, when there was a response.
    """

    def __init__(
        self,
        kind: AiErrorKind,
        detail: str = "",
        *,
        retry_after: float | None = None,
        request_id: str = "",
        hint: str = "",
        fields: dict[str, str] | None = None,
    ) -> None:
        # ``fields`` fill the message's placeholders ({status}, {seconds}, {model}, …).
        message = _MESSAGES[kind]
        if "{" in message:
            message = message.format_map(_Fields(fields or {}))
        super().__init__(message, hint)
        self.kind = kind
        self.detail = detail
        self.retry_after = retry_after
        self.request_id = request_id

    @property
    def link(self) -> str:
        """The console page where the reader can fix this failure, or ""."""
        return CONSOLE_LINKS.get(self.kind, "")

    @property
    def retryable(self) -> bool:
        """Whether trying again later may work without the user changing anything."""
        return self.kind not in (AiErrorKind.NO_KEY, AiErrorKind.NO_KEYRING, AiErrorKind.AUTH,
                                 AiErrorKind.PERMISSION, AiErrorKind.MODEL_NOT_FOUND,
                                 AiErrorKind.REFUSAL, AiErrorKind.REDIRECT,
                                 AiErrorKind.SPEND_LIMIT, AiErrorKind.BILLING,
                                 AiErrorKind.NO_STRUCTURED_OUTPUTS)  # fmt: skip


class _Fields(dict[str, str]):
    """A message's placeholders; one not given reads as "?" rather than failing."""

    def __missing__(self, key: str) -> str:
        return "?"
