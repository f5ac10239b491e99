"""Deadlines, idle time-outs, the answer's size cap, Cancel, malformed streams and redirects.

The real SDK over real HTTP against a fake API that misbehaves on purpose: it drips bytes,
pings for ever, streams without end, stalls, delays its first byte, garbles its events
and redirects. Every limit is made small so that each test runs in about a second.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

import pytest

from reader_app.ai.client import ClaudeToneAnalyzer
from reader_app.ai.errors import AiError, AiErrorKind
from tests.ai.test_client import analyse_error, tone_request
from tests.fake_api import GOOD_ANSWER, MESSAGES, VALID_KEY, FakeAnthropic, Reply

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator


@pytest.fixture
def make(fake_api: FakeAnthropic) -> Iterator[Callable[..., ClaudeToneAnalyzer]]:
    made: list[ClaudeToneAnalyzer] = []

    def build(**kwargs: Any) -> ClaudeToneAnalyzer:
        kwargs.setdefault("base_url", fake_api.base_url)
        kwargs.setdefault("max_retries", 0)
        kwargs.setdefault("timeout", 5.0)
        analyzer = ClaudeToneAnalyzer(VALID_KEY, **kwargs)
        made.append(analyzer)
        return analyzer

    yield build
    for analyzer in made:
        analyzer.close()


def timed_error(analyzer: ClaudeToneAnalyzer) -> tuple[AiError, float]:
    analyzer.sdk()  # importing the SDK the first time takes a second: not timed
    started = time.perf_counter()
    error = analyse_error(analyzer)
    return error, time.perf_counter() - started


# -- the overall deadline ---------------------------------------------------------------------
def test_a_server_that_drips_bytes_meets_the_deadline(fake_api: FakeAnthropic, make) -> None:
    # One byte every 20 ms: never idle, but the answer would take about 40 s.
    fake_api.reply_drip(0.02)
    error, took = timed_error(make(deadline=1.0, timeout=0.5))
    assert error.kind is AiErrorKind.TIMEOUT
    assert "within 1 s" in error.detail
    assert 0.9 < took < 2.0


def test_pings_for_ever_meet_the_deadline(fake_api: FakeAnthropic, make) -> None:
    fake_api.reply_pings(0.05)
    error, took = timed_error(make(deadline=1.0, timeout=0.5))
    assert error.kind is AiErrorKind.TIMEOUT
    assert "within 1 s" in error.detail
    assert took < 2.0
    assert str(error) == "The Anthropic API took too long to answer."


def test_the_deadline_covers_the_sdk_retries(fake_api: FakeAnthropic, make) -> None:
    # Each attempt takes 0.6 s to say "overloaded"; the SDK would retry five times.
    slow_overload = Reply("error", status=529, error_type="overloaded_error", message="busy",
                          headers={"retry-after-ms": "100"}, first_byte_delay=0.6)  # fmt: skip
    fake_api.enqueue(slow_overload, times=6)
    error, took = timed_error(make(deadline=1.0, max_retries=5))
    assert error.kind is AiErrorKind.TIMEOUT
    assert "within 1 s" in error.detail
    assert took < 1.6
    assert len(fake_api.requests_to(MESSAGES)) == 2  # no third attempt past the deadline


def test_the_default_deadline_grows_with_the_answer(make) -> None:
    analyzer = make()
    short = analyzer.deadline_for(tone_request(max_tokens=1024))
    long = analyzer.deadline_for(tone_request(max_tokens=32_000))
    assert 120 < short < 150  # an analysis never runs for ten minutes
    assert long > short
    assert make(deadline=3.0).deadline_for(tone_request(max_tokens=32_000)) == 3.0


# -- the idle time-out ------------------------------------------------------------------------
def test_a_stall_after_message_start_is_idle(fake_api: FakeAnthropic, make) -> None:
    fake_api.reply_stall(30.0)
    error, took = timed_error(make(timeout=0.5))
    assert error.kind is AiErrorKind.TIMEOUT
    assert "no data for 0.5 s" in error.detail
    assert took < 1.5


def test_a_late_first_byte_fails_once_without_retries(fake_api: FakeAnthropic, make) -> None:
    fake_api.reply_delayed(3.0)
    error, took = timed_error(make(timeout=0.5, max_retries=2))
    assert error.kind is AiErrorKind.TIMEOUT
    assert took < 1.5  # not three attempts of the idle time-out each
    assert len(fake_api.requests_to(MESSAGES)) == 1


def test_a_first_byte_within_the_idle_time_out_is_fine(fake_api: FakeAnthropic, make) -> None:
    fake_api.reply_delayed(0.6)
    outcome = make(timeout=2.0).analyse(tone_request())
    assert outcome.analysis.tone == GOOD_ANSWER["tone"]


# -- the size cap -----------------------------------------------------------------------------
def test_an_endless_answer_is_stopped_at_the_cap(fake_api: FakeAnthropic, make) -> None:
    fake_api.reply_endless("la la la ")
    error, took = timed_error(make(max_answer_chars=20_000))
    assert error.kind is AiErrorKind.TOO_LARGE
    assert "19 KB" in error.detail
    assert took < 3.0
    assert str(error) == "The answer was far larger than any analysis, so it was not kept."


def test_the_default_cap_stops_an_endless_answer_quickly(fake_api: FakeAnthropic, make) -> None:
    fake_api.reply_endless("la la la la la la ")
    started = time.process_time()
    error = analyse_error(make())
    cpu = time.process_time() - started
    assert error.kind is AiErrorKind.TOO_LARGE
    assert "256 KB" in error.detail
    assert cpu < 20.0  # was 165 s of CPU for a 10 MB answer, which was then stored


# -- Cancel -----------------------------------------------------------------------------------
@pytest.mark.parametrize("before_headers", [False, True])
def test_cancel_works_while_the_server_sends_nothing(
    fake_api: FakeAnthropic, make, before_headers: bool
) -> None:
    fake_api.reply_stall(30.0, before_headers=before_headers)
    analyzer = make(timeout=30.0)
    cancelled = threading.Event()
    results: list[object] = []

    def work() -> None:
        try:
            results.append(analyzer.analyse(tone_request(), cancelled=cancelled))
        except AiError as exc:
            results.append(exc)

    worker = threading.Thread(target=work)
    worker.start()
    deadline = time.monotonic() + 5
    while not fake_api.requests_to(MESSAGES) and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)  # the worker is now blocked reading
    asked = time.perf_counter()
    cancelled.set()
    worker.join(2.0)
    assert not worker.is_alive()
    assert time.perf_counter() - asked < 0.6  # within a slice of a quarter second
    (error,) = results
    assert isinstance(error, AiError)
    assert error.kind is AiErrorKind.CANCELLED


def test_cancel_works_while_pings_flow(fake_api: FakeAnthropic, make) -> None:
    # The SDK swallows ping events, so the app's loop never sees them.
    fake_api.reply_pings(0.02)
    analyzer = make()
    cancelled = threading.Event()
    timer = threading.Timer(0.3, cancelled.set)
    timer.start()
    try:
        with pytest.raises(AiError) as info:
            analyzer.analyse(tone_request(), cancelled=cancelled)
    finally:
        timer.cancel()
    assert info.value.kind is AiErrorKind.CANCELLED


def test_watch_bounds_other_calls(fake_api: FakeAnthropic, make) -> None:
    """The judge and batches call the SDK directly; ``watch`` gives them the same limits."""
    from reader_app.ai.sdk_errors import map_sdk_error
    from reader_app.ai.transport import StreamAborted

    fake_api.reply_stall(30.0, before_headers=True)
    analyzer = make(timeout=30.0)
    started = time.perf_counter()
    with pytest.raises(StreamAborted) as info, analyzer.watch(deadline=0.5):
        analyzer.sdk().messages.create(model="claude-haiku-4-5", max_tokens=10,
                                       messages=[{"role": "user", "content": "hi"}])  # fmt: skip
    assert time.perf_counter() - started < 1.5
    mapped = map_sdk_error(info.value)
    assert mapped is not None
    assert mapped.kind is AiErrorKind.TIMEOUT


# -- malformed streams ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "raw",
    [
        b"event: content_block_delta\ndata: {not json at all\n\n",
        b"event: content_block_delta\ndata: " + b"[" * 100_000 + b"\n\n",
        b'event: content_block_delta\ndata: {"type": "content_block_delta", "index": 5,'
        b' "delta": {"type": "text_delta", "text": "x"}}\n\n',
        b"event: message_delta\ndata: \xff\xfe\x00garbage\n\n",
    ],
    ids=["bad-json", "deep-json", "unknown-block", "not-utf8"],
)
def test_a_malformed_stream_is_a_clear_message(fake_api: FakeAnthropic, make, raw: bytes) -> None:
    fake_api.reply_raw(raw)
    error = analyse_error(make())
    assert error.kind is AiErrorKind.MALFORMED
    assert str(error) == "The API sent a response that could not be read."
    assert error.request_id.startswith("req_fake_")
    assert "\n" not in error.detail


def test_garbage_lines_end_as_an_incomplete_answer(fake_api: FakeAnthropic, make) -> None:
    # Lines that are no SSE field are ignored (as the SSE standard says): no answer came.
    fake_api.reply_raw(b"garbage\nmore garbage without a colon\n\n\x1b[31m\n\n")
    error = analyse_error(make())
    assert error.kind is AiErrorKind.TRUNCATED
    assert error.detail == "the stream ended early"


@pytest.mark.parametrize(
    ("error_type", "kind"),
    [
        ("overloaded_error", AiErrorKind.OVERLOADED),
        ("api_error", AiErrorKind.SERVER),
        ("rate_limit_error", AiErrorKind.RATE_LIMITED),
        ("something_new_error", AiErrorKind.STREAM_ERROR),
    ],
)
def test_an_error_event_mid_stream_is_mapped(
    fake_api: FakeAnthropic, make, error_type: str, kind: AiErrorKind
) -> None:
    fake_api.reply_stream_error('{"tone": "Wist', error_type, "went wrong")
    error = analyse_error(make(max_retries=2))
    assert error.kind is kind
    assert f"error event {error_type}: went wrong" in error.detail
    if kind is not AiErrorKind.STREAM_ERROR:
        assert error.hint == "The answer broke off part way."
    assert len(fake_api.requests) == 1


# -- redirects --------------------------------------------------------------------------------
@pytest.fixture
def elsewhere(fake_api: FakeAnthropic, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeAnthropic]:
    """A second server on another port, which records whatever reaches it."""
    with FakeAnthropic() as other:
        yield other


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_is_not_followed(
    fake_api: FakeAnthropic, elsewhere: FakeAnthropic, make, status: int
) -> None:
    fake_api.reply_redirect(elsewhere.base_url + MESSAGES, status)
    error = analyse_error(make(max_retries=2))
    assert error.kind is AiErrorKind.REDIRECT
    assert f"HTTP {status} redirect to {elsewhere.base_url}" in error.detail
    assert not error.retryable
    assert elsewhere.requests == []  # neither the body nor the key went there
    assert len(fake_api.requests) == 1


def test_the_sdk_default_client_would_resend_the_body(
    fake_api: FakeAnthropic, elsewhere: FakeAnthropic
) -> None:
    """Why the app passes its own HTTP client: the SDK's follows a 307 with the body."""
    import anthropic

    fake_api.reply_redirect(elsewhere.base_url + MESSAGES, 307)
    client = anthropic.Anthropic(api_key=VALID_KEY, base_url=fake_api.base_url, max_retries=0)
    try:
        with pytest.raises(anthropic.AuthenticationError):
            client.messages.create(model="claude-haiku-4-5", max_tokens=10,
                                   messages=[{"role": "user", "content": "my secret passage"}])  # fmt: skip
    finally:
        client.close()
    (resent,) = elsewhere.requests
    assert b"my secret passage" in resent.raw  # the passage went to the other host
    # httpx2 drops the Authorization header on a redirect to another origin.
    assert "authorization" not in resent.headers


def test_an_answer_nested_too_deeply_is_a_schema_error(fake_api: FakeAnthropic, make) -> None:
    # Its own usage keeps the fake from cutting it at max_tokens: a server past its limit.
    fake_api.reply_json("[" * 100_000, chunk_size=4096, usage={"output_tokens": 1200})
    partials: list[dict[str, Any]] = []
    with pytest.raises(AiError) as info:
        make().analyse(tone_request(), on_partial=partials.append)
    assert info.value.kind is AiErrorKind.SCHEMA
    assert "nested too deeply" in info.value.detail
    assert partials == []


def test_listing_models_has_a_deadline(fake_api: FakeAnthropic, make, monkeypatch) -> None:
    import reader_app.ai.client as client_module

    monkeypatch.setattr(client_module, "SMALL_CALL_DEADLINE", 0.5)
    fake_api.enqueue(Reply("stream", drip_delay=0.05), path="/v1/models")
    analyzer = make(timeout=5.0)
    analyzer.sdk()
    started = time.perf_counter()
    with pytest.raises(AiError) as info:
        analyzer.list_models()
    assert info.value.kind is AiErrorKind.TIMEOUT
    assert time.perf_counter() - started < 1.5
