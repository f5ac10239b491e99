"""The real API's failure modes, each with its own message and action.

The real SDK over real HTTP against the fake API, made to fail as the real API does: an
overload ``event: error`` right after message_start (HTTP 200, which the SDK does not
retry), a stream kept open by pings alone, a spend-limit 429 without ``retry-after``, a
402 billing error, an edge's HTML error page, and a model without structured outputs.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

import pytest

import reader_app.ai.client as client_module
from reader_app.ai.client import IDLE_TIMEOUT, STALL_TIMEOUT, ClaudeToneAnalyzer
from reader_app.ai.errors import AiError, AiErrorKind
from reader_app.ai.model_check import structured_outputs_error, suggested_model
from reader_app.ai.transport import SLICE
from tests.ai.test_client import analyse_error, tone_request
from tests.fake_api import BATCHES, GOOD_ANSWER, MESSAGES, VALID_KEY

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from tests.fake_api import FakeAnthropic

SPEND_LINK = "https://console.anthropic.com/settings/limits"
BILLING_LINK = "https://console.anthropic.com/settings/billing"
EDGE_PAGE = (
    "<!DOCTYPE html>\n<html><head><title>413 Request Entity Too Large</title></head>\n"
    "<body><center><h1>413 Request Entity Too Large</h1></center><hr><center>cloudflare"
    "</center></body></html>\n"
)


@pytest.fixture
def make(fake_api: FakeAnthropic) -> Iterator[Callable[..., ClaudeToneAnalyzer]]:
    made: list[ClaudeToneAnalyzer] = []

    def build(**kwargs: Any) -> ClaudeToneAnalyzer:
        kwargs.setdefault("base_url", fake_api.base_url)
        kwargs.setdefault("max_retries", 2)  # the SDK's default: what it retries matters
        kwargs.setdefault("timeout", 5.0)
        analyzer = ClaudeToneAnalyzer(VALID_KEY, **kwargs)
        made.append(analyzer)
        return analyzer

    yield build
    for analyzer in made:
        analyzer.close()


@pytest.fixture
def quick_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client_module, "EARLY_ERROR_BACKOFF", 0.02)


def sent(fake_api: FakeAnthropic) -> int:
    return len(fake_api.requests_to(MESSAGES))


# -- an overload before any text ------------------------------------------------------------
@pytest.mark.parametrize("error_type", ["overloaded_error", "api_error"])
def test_an_error_event_before_any_text_is_retried(
    fake_api: FakeAnthropic, make, quick_backoff: None, error_type: str
) -> None:
    fake_api.reply_early_error(error_type, "try again", times=2)
    outcome = make().analyse(tone_request())
    assert outcome.analysis.tone == GOOD_ANSWER["tone"]
    assert sent(fake_api) == 3  # two error events, then the answer


def test_an_overload_before_text_fails_after_the_retries(
    fake_api: FakeAnthropic, make, quick_backoff: None
) -> None:
    fake_api.reply_early_error("overloaded_error", "Overloaded", times=5)
    error = analyse_error(make())
    assert error.kind is AiErrorKind.OVERLOADED
    assert str(error).startswith("Claude is overloaded at the moment; retries did not help.")
    assert "error event overloaded_error: Overloaded" in error.detail
    assert sent(fake_api) == 1 + client_module.EARLY_ERROR_RETRIES


def test_an_overload_after_text_is_not_retried(
    fake_api: FakeAnthropic, make, quick_backoff: None
) -> None:
    fake_api.reply_stream_error('{"tone": "Wist', "overloaded_error", "Overloaded")
    error = analyse_error(make())
    assert error.kind is AiErrorKind.OVERLOADED
    assert str(error) == (
        "Claude is overloaded at the moment; retries did not help. The answer broke off part way."
    )
    assert sent(fake_api) == 1


def test_cancel_is_heard_while_waiting_to_retry(
    fake_api: FakeAnthropic, make, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client_module, "EARLY_ERROR_BACKOFF", 30.0)
    fake_api.reply_early_error(times=3)
    analyzer = make()
    analyzer.sdk()
    cancelled = threading.Event()
    timer = threading.Timer(0.5, cancelled.set)
    timer.start()
    started = time.perf_counter()
    try:
        with pytest.raises(AiError) as info:
            analyzer.analyse(tone_request(), cancelled=cancelled)
    finally:
        timer.cancel()
    assert info.value.kind is AiErrorKind.CANCELLED
    assert time.perf_counter() - started < 1.5  # not the 22-30 s backoff
    assert sent(fake_api) == 1


# -- a stalled stream -------------------------------------------------------------------------
def test_pings_alone_are_a_stall(fake_api: FakeAnthropic, make) -> None:
    # Bytes keep coming (so the idle time-out never fires) and the deadline is far off.
    fake_api.reply_pings(0.05)
    analyzer = make(stall_timeout=0.6, timeout=5.0, deadline=60.0)
    analyzer.sdk()
    started = time.perf_counter()
    error = analyse_error(analyzer)
    took = time.perf_counter() - started
    assert error.kind is AiErrorKind.STALLED
    assert str(error) == (
        "The answer stalled: none of it came for 0.6 s (the connection was only kept alive),"
        " so it was given up."
    )
    assert "only pings" in error.detail
    assert 0.55 < took < 1.6
    assert sent(fake_api) == 1  # a stall is not retried


def test_a_slow_but_moving_answer_is_no_stall(fake_api: FakeAnthropic, make) -> None:
    fake_api.reply_json(GOOD_ANSWER, chunk_size=8, chunk_delay=0.1)  # about 3 s in all
    outcome = make(stall_timeout=0.6).analyse(tone_request())
    assert outcome.analysis.tone == GOOD_ANSWER["tone"]


def test_no_byte_at_all_is_given_up(fake_api: FakeAnthropic, make) -> None:
    fake_api.reply_stall(30.0)
    analyzer = make(timeout=0.5, stall_timeout=30.0)
    analyzer.sdk()
    started = time.perf_counter()
    error = analyse_error(analyzer)
    assert error.kind is AiErrorKind.TIMEOUT
    assert "no data for 0.5 s" in error.detail
    assert time.perf_counter() - started < 1.5


def test_the_default_limits_give_up_a_stall_within_90_s() -> None:
    analyzer = ClaudeToneAnalyzer(VALID_KEY)
    assert analyzer._stall_timeout == STALL_TIMEOUT == 60.0
    assert analyzer._timeout == IDLE_TIMEOUT == 60.0
    # Each limit is looked at every slice, so a stall ends within a slice of its limit.
    assert max(STALL_TIMEOUT, IDLE_TIMEOUT) + SLICE < 90.0


# -- spend limit and billing --------------------------------------------------------------------
def test_a_spend_limit_429_is_never_retried(fake_api: FakeAnthropic, make) -> None:
    fake_api.reply_error(429, "rate_limit_error", "You have reached your specified API usage"
                         " limits.", error_code="enforced_spend_limit_reached",
                         request_id="req_spend", times=3)  # fmt: skip
    error = analyse_error(make(max_retries=2))
    assert error.kind is AiErrorKind.SPEND_LIMIT
    assert str(error) == (
        "Your organisation's spend limit is reached (429), so no more requests will go through"
        f" until it is raised: {SPEND_LINK}"
    )
    assert error.link == SPEND_LINK
    assert not error.retryable
    assert error.request_id == "req_spend"
    assert sent(fake_api) == 1  # the SDK would have tried three times


def test_an_ordinary_429_is_still_retried_by_the_sdk(fake_api: FakeAnthropic, make) -> None:
    fake_api.reply_error(429, "rate_limit_error", "slow down", {"retry-after-ms": "10"})
    outcome = make(max_retries=2).analyse(tone_request())
    assert outcome.analysis.tone == GOOD_ANSWER["tone"]
    assert sent(fake_api) == 2


def test_a_402_billing_error(fake_api: FakeAnthropic, make) -> None:
    fake_api.reply_error(402, "billing_error", "Your credit balance is too low.",
                         error_code="credit_balance_too_low", times=3)  # fmt: skip
    error = analyse_error(make(max_retries=2))
    assert error.kind is AiErrorKind.BILLING
    assert str(error) == (
        "The API refused the request for billing reasons (402); check the plan and credit"
        f" balance: {BILLING_LINK}"
    )
    assert error.link == BILLING_LINK
    assert "credit balance is too low" in error.detail
    assert sent(fake_api) == 1


def test_batch_polling_gets_the_spend_limit_at_once(fake_api: FakeAnthropic, make) -> None:
    """The same client serves batches: a spend-limit 429 is not retried there either."""
    fake_api.reply_error(429, "rate_limit_error", "limit", error_code="enforced_spend_limit_reached",
                         path=BATCHES + "/msgbatch_1", times=3)  # fmt: skip
    analyzer = make(max_retries=2)
    with pytest.raises(AiError) as info:
        analyzer.sdk().messages.batches.retrieve("msgbatch_1")
    assert info.value.kind is AiErrorKind.SPEND_LIMIT
    assert len(fake_api.requests_to(BATCHES + "/msgbatch_1")) == 1


# -- a web page instead of JSON -----------------------------------------------------------------
def test_an_html_413_is_one_line(fake_api: FakeAnthropic, make) -> None:
    fake_api.reply_html(413, EDGE_PAGE)
    error = analyse_error(make())
    assert error.kind is AiErrorKind.WEB_PAGE
    assert str(error) == "The service answered with a web page, status 413."
    assert "<" not in error.detail
    assert "invalid" not in str(error)
    assert sent(fake_api) == 1


def test_an_html_502_is_retried_then_one_line(fake_api: FakeAnthropic, make) -> None:
    fake_api.reply_html(502, "<html><body><h1>502 Bad Gateway</h1></body></html>", times=3)
    error = analyse_error(make(max_retries=1))
    assert str(error) == "The service answered with a web page, status 502."
    assert sent(fake_api) == 2  # a 5xx is the SDK's to retry


# -- a model without structured outputs ---------------------------------------------------------
def test_a_model_without_structured_outputs_is_refused_before_sending(
    fake_api: FakeAnthropic, make
) -> None:
    for model in fake_api.models:
        supported = model["id"] != "claude-opus-4-5"
        model["capabilities"] = {"structured_outputs": {"supported": supported}}
    analyzer = make()
    analyzer.list_models()
    error = analyse_error(analyzer, tone_request(model="claude-opus-4-5"))
    assert error.kind is AiErrorKind.NO_STRUCTURED_OUTPUTS
    assert str(error) == (
        "The model claude-opus-4-5 cannot answer in the structured form a tone analysis needs;"
        " choose another model in Settings, such as claude-haiku-5-5."
    )
    assert sent(fake_api) == 0
    # A listed model that has them goes out as before.
    assert analyzer.analyse(tone_request(model="claude-haiku-5-5")).analysis.tone
    assert sent(fake_api) == 1


def test_the_suggestion_follows_the_listing() -> None:
    listed = {"claude-haiku-6": True, "claude-haiku-5-5": True, "claude-odd-1": False}
    assert suggested_model(listed) == "claude-haiku-6"
    assert suggested_model({}) == "claude-haiku-5-5"
    assert structured_outputs_error("claude-haiku-6", listed) is None
    assert structured_outputs_error("claude-unknown-9", listed) is None  # the API will say
    error = structured_outputs_error("claude-odd-1", listed)
    assert error is not None
    assert "claude-odd-1" in str(error)
    assert "claude-haiku-6" in str(error)
