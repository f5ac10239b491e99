"""ClaudeToneAnalyzer: the real SDK against the fake Messages API, over real HTTP."""

from __future__ import annotations

import itertools
import json
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from reader_app.ai.catalogue import spec_for
from reader_app.ai.client import ClaudeToneAnalyzer, ModelChoice
from reader_app.ai.errors import AiError, AiErrorKind
from reader_app.ai.models import choose_default_model
from reader_app.ai.request import ToneRequest
from reader_app.ai.schema import output_schema
from reader_app.ai.sdk_errors import retry_after_seconds
from tests.fake_api import GOOD_ANSWER, MESSAGES, VALID_KEY, Reply

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from tests.fake_api import FakeAnthropic

ROOT = Path(__file__).resolve().parents[2]
PASSAGE = (
    "I wandered lonely as a cloud\nThat floats on high o'er vales and hills,\n"
    "When all at once I saw a crowd,\nA host, of golden daffodils;"
)


def tone_request(model: str = "claude-haiku-4-5", max_tokens: int = 1024) -> ToneRequest:
    return ToneRequest(
        model=model,
        system=[
            {"type": "text", "text": "You describe the tone of passages."},
            {"type": "text", "text": "Examples…", "cache_control": {"type": "ephemeral"}},
        ],
        messages=[{"role": "user", "content": f"<passage>{PASSAGE}</passage>"}],
        max_tokens=max_tokens,
        prompt_version="pv-test-1",
        passage=PASSAGE,
        output_schema=output_schema(),
    )


@pytest.fixture
def make_analyzer(fake_api: FakeAnthropic) -> Iterator[Callable[..., ClaudeToneAnalyzer]]:
    """Build analysers pointed at the fake (no SDK retries unless asked); closed afterwards."""
    made: list[ClaudeToneAnalyzer] = []

    def make(key: str = VALID_KEY, **kwargs: Any) -> ClaudeToneAnalyzer:
        kwargs.setdefault("base_url", fake_api.base_url)
        kwargs.setdefault("max_retries", 0)
        kwargs.setdefault("timeout", 5.0)
        analyzer = ClaudeToneAnalyzer(key, **kwargs)
        made.append(analyzer)
        return analyzer

    yield make
    for analyzer in made:
        analyzer.close()


def analyse_error(analyzer: ClaudeToneAnalyzer, request: ToneRequest | None = None) -> AiError:
    with pytest.raises(AiError) as info:
        analyzer.analyse(request or tone_request())
    return info.value


# -- success --------------------------------------------------------------------------------
def test_streamed_answer_partials_and_outcome(fake_api: FakeAnthropic, make_analyzer) -> None:
    answer = dict(GOOD_ANSWER)
    answer["evidence"] = [
        {"quote": "wandered lonely", "why": "solitude"},
        {"quote": "golden daffodils", "why": "sudden brightness"},
        {"quote": "a quote that is not there", "why": "invented"},
    ]
    usage = {"input_tokens": 40, "cache_creation_input_tokens": 1200,
             "cache_read_input_tokens": 3000, "output_tokens": 97}  # fmt: skip
    fake_api.reply_json(answer, chunk_size=7, usage=usage, model="claude-haiku-4-5-20251001",
                        request_id="req_0123abc")  # fmt: skip
    partials: list[dict[str, Any]] = []

    outcome = make_analyzer().analyse(tone_request(), on_partial=partials.append)

    explanations = [p["explanation"] for p in partials if "explanation" in p]
    assert len(set(explanations)) > 5  # it grew chunk by chunk
    for shorter, longer in itertools.pairwise(explanations):
        assert longer.startswith(shorter)
    assert explanations[-1] == GOOD_ANSWER["explanation"]
    assert all(a != b for a, b in itertools.pairwise(partials))  # only changes
    assert outcome.analysis.tone == "Wistful and Tender"
    assert [e.quote for e in outcome.analysis.evidence] == ["wandered lonely", "golden daffodils"]
    assert outcome.dropped_evidence == 1
    assert outcome.usage.input_tokens == 40
    assert outcome.usage.output_tokens == 97
    assert outcome.usage.cache_creation_input_tokens == 1200
    assert outcome.usage.cache_read_input_tokens == 3000
    assert outcome.model == "claude-haiku-4-5-20251001"  # from the response, not the request
    assert outcome.request_id == "req_0123abc"
    assert outcome.prompt_version == "pv-test-1"
    assert json.loads(outcome.raw_text) == answer
    assert 0 < outcome.ttft_ms <= outcome.total_ms

    (sent,) = fake_api.requests
    assert sent.headers["authorization"] == f"Bearer {VALID_KEY}"
    assert sent.body["stream"] is True
    assert sent.body["model"] == "claude-haiku-4-5"
    assert sent.body["output_config"]["format"] == {
        "type": "json_schema",
        "schema": output_schema(),
    }
    assert sent.body["system"][-1]["cache_control"] == {"type": "ephemeral"}


def test_base_url_comes_from_the_environment(
    fake_api: FakeAnthropic, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_api.base_url)
    analyzer = ClaudeToneAnalyzer(VALID_KEY, max_retries=0)
    try:
        assert analyzer.analyse(tone_request()).analysis.polarity == "mixed"
    finally:
        analyzer.close()
    assert len(fake_api.requests) == 1


def test_concurrent_threads_share_one_client(fake_api: FakeAnthropic, make_analyzer) -> None:
    analyzer = make_analyzer()
    outcomes: list[str] = []
    clients: list[object] = []

    def work() -> None:
        clients.append(analyzer._sdk())
        outcomes.append(analyzer.analyse(tone_request()).analysis.tone)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert outcomes == ["Wistful and Tender"] * 6
    assert len({id(c) for c in clients}) == 1


# -- failures before and at the HTTP level ---------------------------------------------------
def test_no_key_fails_before_any_request(fake_api: FakeAnthropic, make_analyzer) -> None:
    analyzer = make_analyzer("  \n")
    calls: list[Callable[[], object]] = [
        lambda: analyzer.analyse(tone_request()),
        analyzer.list_models,
        analyzer.check_key,
        lambda: analyzer.count_tokens(tone_request()),
    ]
    for call in calls:
        with pytest.raises(AiError) as info:
            call()
        assert info.value.kind is AiErrorKind.NO_KEY
    assert fake_api.requests == []


def test_wrong_key_is_auth(fake_api: FakeAnthropic, make_analyzer) -> None:
    error = analyse_error(make_analyzer("sk-ant-wrong-key"))
    assert error.kind is AiErrorKind.AUTH
    assert error.request_id.startswith("req_fake_")
    assert "authentication_error" in error.detail
    assert not error.retryable


@pytest.mark.parametrize(
    ("status", "error_type", "kind"),
    [
        (400, "invalid_request_error", AiErrorKind.BAD_REQUEST),
        (403, "permission_error", AiErrorKind.PERMISSION),
        (404, "not_found_error", AiErrorKind.MODEL_NOT_FOUND),
        (413, "request_too_large", AiErrorKind.BAD_REQUEST),
        (422, "invalid_request_error", AiErrorKind.BAD_REQUEST),
        (500, "api_error", AiErrorKind.SERVER),
        (503, "api_error", AiErrorKind.OVERLOADED),
        (529, "overloaded_error", AiErrorKind.OVERLOADED),
    ],
)
def test_status_errors(
    fake_api: FakeAnthropic, make_analyzer, status: int, error_type: str, kind: AiErrorKind
) -> None:
    fake_api.reply_error(status, error_type, "something went wrong", request_id="req_status")
    error = analyse_error(make_analyzer())
    assert error.kind is kind
    assert error.request_id == "req_status"
    assert f"HTTP {status} {error_type}" in error.detail


def test_unknown_model_is_model_not_found(fake_api: FakeAnthropic, make_analyzer) -> None:
    fake_api.reply_error(404, "not_found_error", "model: claude-nonesuch")
    error = analyse_error(make_analyzer(), tone_request(model="claude-nonesuch"))
    assert error.kind is AiErrorKind.MODEL_NOT_FOUND
    assert "claude-nonesuch" in error.detail
    assert fake_api.requests[0].body["model"] == "claude-nonesuch"


@pytest.mark.parametrize(
    ("status", "error_type", "headers", "kind", "wait"),
    [
        (429, "rate_limit_error", {"retry-after": "3600"}, AiErrorKind.RATE_LIMITED, 3600.0),
        (429, "rate_limit_error", {"retry-after-ms": "42500"}, AiErrorKind.RATE_LIMITED, 42.5),
        (529, "overloaded_error", {"retry-after": "30"}, AiErrorKind.OVERLOADED, 30.0),
    ],
)
def test_long_retry_after_is_raised_at_once(
    fake_api: FakeAnthropic,
    make_analyzer,
    status: int,
    error_type: str,
    headers: dict[str, str],
    kind: AiErrorKind,
    wait: float,
) -> None:
    fake_api.reply_error(status, error_type, "wait", headers, request_id="req_wait")
    analyzer = make_analyzer(max_retries=2, long_wait=10.0)
    started = time.perf_counter()
    error = analyse_error(analyzer)
    assert time.perf_counter() - started < 2.0  # the SDK did not sleep on it
    assert error.kind is kind
    assert error.retry_after == pytest.approx(wait)
    assert error.request_id == "req_wait"
    assert len(fake_api.requests) == 1


def test_short_retry_after_is_retried_by_the_sdk(fake_api: FakeAnthropic, make_analyzer) -> None:
    fake_api.reply_error(429, "rate_limit_error", "slow down", {"retry-after-ms": "10"})
    outcome = make_analyzer(max_retries=2).analyse(tone_request())
    assert outcome.analysis.tone == "Wistful and Tender"
    counts = [r.headers["x-stainless-retry-count"] for r in fake_api.requests]
    assert counts == ["0", "1"]


def test_rate_limited_after_retries_keeps_the_wait(fake_api: FakeAnthropic, make_analyzer) -> None:
    fake_api.reply_error(429, "rate_limit_error", "slow down", {"retry-after": "2"}, times=2)
    error = analyse_error(make_analyzer(max_retries=0))
    assert error.kind is AiErrorKind.RATE_LIMITED
    assert error.retry_after == 2.0


def test_repeated_overload_is_overloaded_after_retries(
    fake_api: FakeAnthropic, make_analyzer
) -> None:
    fake_api.reply_error(529, "overloaded_error", "Overloaded", {"retry-after-ms": "10"}, times=3)
    error = analyse_error(make_analyzer(max_retries=2))
    assert error.kind is AiErrorKind.OVERLOADED
    assert error.retryable
    assert [r.headers["x-stainless-retry-count"] for r in fake_api.requests] == ["0", "1", "2"]


def test_connection_refused_is_offline(fake_api: FakeAnthropic, make_analyzer) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    error = analyse_error(make_analyzer(base_url=f"http://127.0.0.1:{port}"))
    assert error.kind is AiErrorKind.OFFLINE
    assert "Connect" in error.detail


@pytest.mark.parametrize("before_headers", [False, True])
def test_stalled_answer_is_timeout(
    fake_api: FakeAnthropic, make_analyzer, before_headers: bool
) -> None:
    fake_api.reply_stall(5.0, before_headers=before_headers)
    started = time.perf_counter()
    error = analyse_error(make_analyzer(timeout=0.3))
    assert time.perf_counter() - started < 2.0
    assert error.kind is AiErrorKind.TIMEOUT


# -- failures inside the stream --------------------------------------------------------------
def test_error_event_mid_stream(fake_api: FakeAnthropic, make_analyzer) -> None:
    fake_api.reply_stream_error('{"tone": "Wist', "overloaded_error", "Overloaded")
    error = analyse_error(make_analyzer(max_retries=2))
    assert error.kind is AiErrorKind.OVERLOADED  # the event's type, as a 529 would be
    assert "error event overloaded_error" in error.detail
    assert error.request_id.startswith("req_fake_")
    assert len(fake_api.requests) == 1  # the SDK does not retry an error event


@pytest.mark.parametrize("chunked", [False, True])
def test_truncated_stream(fake_api: FakeAnthropic, make_analyzer, chunked: bool) -> None:
    # Plain: a clean EOF the SDK takes for the end. Chunked: httpx2 raises
    # RemoteProtocolError mid-iteration, which the SDK does not wrap.
    fake_api.reply_truncated('{"tone": "Wistful", "polarity": "mi', chunked=chunked)
    error = analyse_error(make_analyzer())
    assert error.kind is AiErrorKind.TRUNCATED
    assert error.request_id.startswith("req_fake_")
    assert ("RemoteProtocolError" in error.detail) is chunked


def test_chunked_stream_completes(fake_api: FakeAnthropic, make_analyzer) -> None:
    fake_api.enqueue(Reply("stream", text=json.dumps(GOOD_ANSWER), chunked=True))
    assert make_analyzer().analyse(tone_request()).analysis.tone == "Wistful and Tender"


def test_max_tokens_with_cut_json_is_cut_off(fake_api: FakeAnthropic, make_analyzer) -> None:
    # A max_tokens stop has its own kind (issue 13), which names the limit for a retry.
    fake_api.reply_json('{"tone": "Wistful", "polarity": "mi', stop_reason="max_tokens")
    error = analyse_error(make_analyzer())
    assert error.kind is AiErrorKind.CUT_OFF
    assert "max_tokens" in error.detail


@pytest.mark.parametrize(
    "answer",
    [
        # What can be repaired is (tests/ai/test_schema_repair.py); no tone cannot be.
        {k: v for k, v in GOOD_ANSWER.items() if k != "tone"},  # no tone at all
        [GOOD_ANSWER],  # not an object
        "The tone is wistful.",  # not JSON at all
    ],
)
def test_answer_failing_the_schema(
    fake_api: FakeAnthropic, make_analyzer, answer: dict[str, Any] | list[Any] | str
) -> None:
    fake_api.reply_json(answer if not isinstance(answer, list) else json.dumps(answer))
    error = analyse_error(make_analyzer())
    assert error.kind is AiErrorKind.SCHEMA
    assert "end_turn" in error.detail


def test_refusal(fake_api: FakeAnthropic, make_analyzer) -> None:
    fake_api.reply_refusal()
    error = analyse_error(make_analyzer())
    assert error.kind is AiErrorKind.REFUSAL
    assert not error.retryable


def test_cancel_mid_stream(fake_api: FakeAnthropic, make_analyzer) -> None:
    fake_api.reply_json(GOOD_ANSWER, chunk_size=4, chunk_delay=0.05)  # about 4 s in all
    analyzer = make_analyzer()
    cancelled = threading.Event()
    first_partial = threading.Event()
    results: list[BaseException | object] = []

    def work() -> None:
        try:
            results.append(analyzer.analyse(tone_request(), on_partial=lambda _: first_partial.set(),
                                            cancelled=cancelled))  # fmt: skip
        except AiError as exc:
            results.append(exc)

    worker = threading.Thread(target=work)
    worker.start()
    assert first_partial.wait(5)
    cancelled.set()
    worker.join(1.0)
    assert not worker.is_alive()
    (error,) = results
    assert isinstance(error, AiError)
    assert error.kind is AiErrorKind.CANCELLED


def test_cancelled_before_start_sends_nothing(fake_api: FakeAnthropic, make_analyzer) -> None:
    cancelled = threading.Event()
    cancelled.set()
    with pytest.raises(AiError) as info:
        make_analyzer().analyse(tone_request(), cancelled=cancelled)
    assert info.value.kind is AiErrorKind.CANCELLED
    assert fake_api.requests == []


# -- models, key check, token count ----------------------------------------------------------
def test_list_models_active_only_newest_first(fake_api: FakeAnthropic, make_analyzer) -> None:
    fake_api.models = fake_api.models[::-1]  # served oldest first: the client must sort
    fake_api.max_page_size = 2  # and follow the pages
    models = make_analyzer().list_models()
    assert [m.id for m in models] == [
        "claude-sonnet-5-5", "claude-haiku-5-5", "claude-opus-4-5", "claude-haiku-4-5"
    ]  # fmt: skip
    haiku = models[1]
    assert (haiku.id, haiku.display_name, haiku.line, haiku.created_at) == (
        "claude-haiku-5-5", "Claude Haiku 5.5", "haiku", "2026-08-15T00:00:00+00:00")  # fmt: skip
    # The listing's capabilities and limits (the fake lists the catalogue's).
    spec = spec_for("claude-haiku-5-5")
    assert spec is not None
    assert (haiku.structured_outputs, haiku.batch, haiku.thinking) == (True, True, True)
    assert set(haiku.efforts or ()) == set(spec.efforts)
    assert (haiku.max_input_tokens, haiku.max_tokens) == (
        spec.context_tokens, spec.max_output_tokens)  # fmt: skip
    assert len(fake_api.requests_to("/v1/models")) == 3
    assert choose_default_model(models) == "claude-haiku-5-5"


def test_list_models_without_lifecycle_field(fake_api: FakeAnthropic, make_analyzer) -> None:
    # An older gateway may not send lifecycle or line: keep the model, not crash.
    fake_api.models = [
        {"id": "claude-x", "display_name": "X", "created_at": "2025-01-01T00:00:00Z",
         "capabilities": None, "max_input_tokens": None, "max_tokens": None}
    ]  # fmt: skip
    assert make_analyzer().list_models() == [
        ModelChoice("claude-x", "X", None, "2025-01-01T00:00:00+00:00")
    ]


def test_list_models_errors_are_mapped(fake_api: FakeAnthropic, make_analyzer) -> None:
    fake_api.reply_error(500, "api_error", "boom", path="/v1/models")
    with pytest.raises(AiError) as info:
        make_analyzer().list_models()
    assert info.value.kind is AiErrorKind.SERVER


def test_check_key(fake_api: FakeAnthropic, make_analyzer) -> None:
    make_analyzer().check_key()
    (sent,) = fake_api.requests
    assert (sent.method, sent.path, sent.query["limit"]) == ("GET", "/v1/models", ["1"])
    with pytest.raises(AiError) as info:
        make_analyzer("sk-ant-not-this-one").check_key()
    assert info.value.kind is AiErrorKind.AUTH


def test_count_tokens(fake_api: FakeAnthropic, make_analyzer) -> None:
    count = make_analyzer().count_tokens(tone_request())
    (sent,) = fake_api.requests_to(MESSAGES + "/count_tokens")
    assert count == len(sent.raw) // 4 > 0  # the fake's estimate
    assert "max_tokens" not in sent.body
    assert sent.body["model"] == "claude-haiku-4-5"
    assert sent.body["system"] == tone_request().system
    assert sent.body["output_config"]["format"]["type"] == "json_schema"


# -- hygiene ---------------------------------------------------------------------------------
def test_importing_the_client_does_not_import_anthropic() -> None:
    code = "import reader_app.ai.client, sys; print('anthropic' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_the_key_never_appears_in_errors(fake_api: FakeAnthropic, make_analyzer) -> None:
    secret = "sk-ant-api03-TOPSECRET-value"
    errors: list[AiError] = [analyse_error(make_analyzer(secret))]  # a rejected key
    fake_api.valid_key = secret
    # A careless gateway echoing the key in its message must not leak it either.
    fake_api.reply_error(400, "invalid_request_error", f"bad header Bearer {secret}")
    errors.append(analyse_error(make_analyzer(secret)))
    fake_api.reply_stream_error("{", "api_error", f"key {secret} broke")
    errors.append(analyse_error(make_analyzer(secret)))
    fake_api.reply_error(429, "rate_limit_error", secret, {"retry-after": "99"})
    errors.append(analyse_error(make_analyzer(secret)))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    errors.append(analyse_error(make_analyzer(secret, base_url=f"http://127.0.0.1:{port}")))
    assert [e.kind for e in errors] == [
        AiErrorKind.AUTH, AiErrorKind.BAD_REQUEST, AiErrorKind.SERVER,
        AiErrorKind.RATE_LIMITED, AiErrorKind.OFFLINE,
    ]  # fmt: skip
    for error in errors:
        for text in (
            str(error),
            repr(error),
            error.message,
            error.detail,
            error.hint,
            *map(str, error.args),
        ):
            assert secret not in text


def test_retry_after_seconds_forms() -> None:
    assert retry_after_seconds({"retry-after-ms": "1500", "retry-after": "9"}) == 1.5
    assert retry_after_seconds({"retry-after": "2.5"}) == 2.5
    assert retry_after_seconds({}) is None
    assert retry_after_seconds({"retry-after": "soon"}) is None
    later = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 120))
    assert retry_after_seconds({"retry-after": later}) == pytest.approx(120, abs=2)
