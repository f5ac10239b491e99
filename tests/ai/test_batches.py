"""BatchClient: the real SDK's Message Batches calls against the fake API, over real HTTP."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from reader_app.ai.batches import BatchClient, BatchStatus
from reader_app.ai.client import ClaudeToneAnalyzer
from reader_app.ai.errors import AiError, AiErrorKind
from reader_app.ai.prompt import PassageContext, PromptSettings, compose, with_cache_ttl
from reader_app.ai.schema import output_schema
from tests.fake_api import (
    BATCH_BAD_JSON,
    BATCH_ERROR,
    BATCH_EXPIRED,
    BATCH_REFUSAL,
    BATCHES,
    GOOD_ANSWER,
    VALID_KEY,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from reader_app.ai.request import ToneRequest
    from tests.fake_api import FakeAnthropic

ROOT = Path(__file__).resolve().parents[2]
PASSAGES = [
    "I wandered lonely as a cloud That floats on high o'er vales and hills",
    "When all at once I saw a crowd, A host, of golden daffodils",
    "Beside the lake, beneath the trees, Fluttering and dancing in the breeze.",
    "Continuous as the stars that shine And twinkle on the milky way",
    "Ten thousand saw I at a glance, Tossing their heads in sprightly dance.",
]


def request_for(passage: str) -> ToneRequest:
    ctx = PassageContext("Poems, in Two Volumes", "William Wordsworth", "Daffodils", passage)
    return compose(PromptSettings(model="claude-haiku-4-5"), [], ctx)


def answer(tone: str, emotion: str, quote: str) -> dict[str, Any]:
    return {**GOOD_ANSWER, "tone": tone, "emotions": [{"name": emotion, "intensity": 0.7}],
            "evidence": [{"quote": quote, "why": "it says so"}]}  # fmt: skip


@pytest.fixture
def make_client(fake_api: FakeAnthropic) -> Iterator[Callable[..., BatchClient]]:
    analyzers: list[ClaudeToneAnalyzer] = []

    def make(key: str = VALID_KEY, **kwargs: Any) -> BatchClient:
        kwargs.setdefault("base_url", fake_api.base_url)
        kwargs.setdefault("max_retries", 0)
        kwargs.setdefault("timeout", 5.0)
        analyzer = ClaudeToneAnalyzer(key, **kwargs)
        analyzers.append(analyzer)
        return BatchClient(analyzer)

    yield make
    for analyzer in analyzers:
        analyzer.close()


def submit_all(client: BatchClient, n: int = len(PASSAGES)) -> tuple[str, dict[str, str]]:
    items = [(f"item-{i}", request_for(PASSAGES[i])) for i in range(n)]
    batch_id = client.submit(items)
    return batch_id, {cid: request.passage for cid, request in items}


# -- the request ---------------------------------------------------------------------------
def test_submit_sends_the_analysis_params_per_request(fake_api: FakeAnthropic, make_client) -> None:
    batch_id, _ = submit_all(make_client(), 2)

    assert batch_id.startswith("msgbatch_")
    (sent,) = fake_api.requests_to(BATCHES)
    assert sent.method == "POST"
    assert sent.headers["authorization"] == f"Bearer {VALID_KEY}"
    assert [r["custom_id"] for r in sent.body["requests"]] == ["item-0", "item-1"]
    for raw, passage in zip(sent.body["requests"], PASSAGES, strict=False):
        params = raw["params"]
        expected = request_for(passage)
        assert "stream" not in params  # each request runs as a plain messages.create
        assert params["model"] == "claude-haiku-4-5"
        assert params["max_tokens"] == expected.max_tokens
        assert params["system"] == with_cache_ttl(expected, "1h").system
        # The static prefix ends in the cache marker, so a batch reuses the cache too; its
        # requests run far apart, so the entry lives an hour.
        assert params["system"][-1]["cache_control"] == {"type": "ephemeral", "ttl": "1h"}
        assert all("cache_control" not in block for block in params["system"][:-1])
        assert params["messages"] == expected.messages
        assert passage in params["messages"][0]["content"]
        assert params["output_config"] == {
            "format": {"type": "json_schema", "schema": output_schema()}
        }


@pytest.mark.parametrize(
    "ids",
    [[], ["a", "a"], ["has space"], ["x" * 65], [""], ["ok", "semi;colon"]],
)
def test_bad_custom_ids_are_refused_before_sending(
    fake_api: FakeAnthropic, make_client, ids: list[str]
) -> None:
    with pytest.raises(ValueError, match=r"custom_id|at least one"):
        make_client().submit([(cid, request_for(PASSAGES[0])) for cid in ids])
    assert fake_api.requests == []


# -- status and results -------------------------------------------------------------------
def test_status_stays_in_progress_then_ends(fake_api: FakeAnthropic, make_client) -> None:
    fake_api.batch_polls_in_progress = 2
    client = make_client()
    batch_id, _ = submit_all(client, 3)

    first, second, third = (client.status(batch_id) for _ in range(3))

    running = {"processing": 3, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0}
    assert first == second == BatchStatus("in_progress", running, ended=False)
    ended = {"processing": 0, "succeeded": 3, "errored": 0, "canceled": 0, "expired": 0}
    assert third == BatchStatus("ended", ended, ended=True)


def test_results_are_matched_by_custom_id_not_by_order(
    fake_api: FakeAnthropic, make_client
) -> None:
    emotions = ["sadness", "joy", "trust", "anticipation", "surprise"]
    quotes = ["wandered lonely", "golden daffodils", "beneath the trees", "stars", "glance"]
    fake_api.batch_answers = {
        f"item-{i}": answer(f"Tone {i}", emotions[i], quotes[i]) for i in range(5)
    }
    fake_api.batch_polls_in_progress = 0
    client = make_client()
    batch_id, passages = submit_all(client)
    client.status(batch_id)
    # The fake really does answer out of request order.
    sdk = client._analyzer.sdk()
    order = [line.custom_id for line in sdk.messages.batches.results(batch_id)]
    assert sorted(order) == list(passages) != order

    results = client.results(batch_id, passages, {cid: f"pv-{cid}" for cid in passages})

    assert sorted(results) == sorted(passages)
    for i in range(5):
        result = results[f"item-{i}"]
        assert result.ok
        assert result.error is None
        outcome = result.outcome
        assert outcome is not None
        assert outcome.analysis.tone == f"Tone {i}"
        assert outcome.analysis.dominant_emotion == emotions[i]
        assert [e.quote for e in outcome.analysis.evidence] == [quotes[i]]
        assert outcome.prompt_version == f"pv-item-{i}"
        assert outcome.request_id == f"msg_{batch_id}_{i + 1:03d}"
        assert outcome.model == "claude-haiku-4-5"
        assert outcome.usage.input_tokens == 30
        assert outcome.usage.output_tokens == 90
        assert outcome.usage.cache_read_input_tokens == 1500
        assert json.loads(outcome.raw_text)["tone"] == f"Tone {i}"


def test_partial_failure_keeps_every_item(fake_api: FakeAnthropic, make_client) -> None:
    fake_api.batch_answers = {
        "item-1": BATCH_ERROR,
        "item-2": BATCH_EXPIRED,
        "item-3": BATCH_BAD_JSON,
        "item-4": BATCH_REFUSAL,
        # Evidence that is not in the passage is dropped and counted, as for one analysis.
        "item-0": answer("Lonely", "sadness", "not in the passage at all"),
    }
    fake_api.batch_polls_in_progress = 0
    client = make_client()
    batch_id, passages = submit_all(client)
    status = client.status(batch_id)
    assert status.request_counts == {
        "processing": 0, "succeeded": 3, "errored": 1, "canceled": 0, "expired": 1,
    }  # fmt: skip

    # Ask for one more id than was sent: it must come back as an error, not go missing.
    results = client.results(batch_id, {**passages, "item-9": "x"}, {})

    assert set(results) == {*passages, "item-9"}
    good = results["item-0"].outcome
    assert good is not None
    assert (good.analysis.tone, good.dropped_evidence, good.analysis.evidence) == ("Lonely", 1, [])
    kinds = {cid: r.error.kind for cid, r in results.items() if r.error is not None}
    assert kinds == {
        "item-1": AiErrorKind.SERVER,
        "item-2": AiErrorKind.TIMEOUT,
        "item-3": AiErrorKind.SCHEMA,
        "item-4": AiErrorKind.REFUSAL,
        "item-9": AiErrorKind.SERVER,
    }
    errored = results["item-1"].error
    assert errored is not None
    assert "api_error" in errored.detail
    assert errored.request_id == f"req_{batch_id}_2"
    expired = results["item-2"].error
    assert expired is not None
    assert "expired" in expired.detail
    assert all(r.outcome is None for cid, r in results.items() if cid != "item-0")


def test_cancel_ends_with_the_unfinished_items_canceled(
    fake_api: FakeAnthropic, make_client
) -> None:
    fake_api.batch_polls_in_progress = 1000
    fake_api.batch_finished_on_cancel = 2
    client = make_client()
    batch_id, passages = submit_all(client, 4)
    assert client.status(batch_id).processing_status == "in_progress"

    canceling = client.cancel(batch_id)
    ended = client.status(batch_id)

    assert (canceling.processing_status, canceling.ended) == ("canceling", False)
    assert ended.ended
    assert ended.request_counts["canceled"] == 2
    assert ended.request_counts["succeeded"] == 2
    results = client.results(batch_id, passages, {})
    assert [results[f"item-{i}"].ok for i in range(4)] == [True, True, False, False]
    error = results["item-3"].error
    assert error is not None
    assert error.kind is AiErrorKind.CANCELLED
    (cancel,) = fake_api.requests_to(f"{BATCHES}/{batch_id}/cancel")
    assert cancel.method == "POST"


# -- failures -----------------------------------------------------------------------------
def test_no_key_fails_before_any_request(fake_api: FakeAnthropic, make_client) -> None:
    client = make_client("")
    calls: list[Callable[[], object]] = [
        lambda: client.submit([("a", request_for(PASSAGES[0]))]),
        lambda: client.status("msgbatch_x"),
        lambda: client.cancel("msgbatch_x"),
        lambda: client.results("msgbatch_x", {"a": "p"}, {}),
    ]
    for call in calls:
        with pytest.raises(AiError) as info:
            call()
        assert info.value.kind is AiErrorKind.NO_KEY
    assert fake_api.requests == []


def test_wrong_key_is_auth(fake_api: FakeAnthropic, make_client) -> None:
    with pytest.raises(AiError) as info:
        submit_all(make_client("sk-ant-wrong"), 1)
    assert info.value.kind is AiErrorKind.AUTH
    assert "sk-ant-wrong" not in f"{info.value} {info.value.detail}"


@pytest.mark.parametrize(
    ("status", "error_type", "kind"),
    [
        (400, "invalid_request_error", AiErrorKind.BAD_REQUEST),
        (404, "not_found_error", AiErrorKind.MODEL_NOT_FOUND),
        (429, "rate_limit_error", AiErrorKind.RATE_LIMITED),
        (500, "api_error", AiErrorKind.SERVER),
        (529, "overloaded_error", AiErrorKind.OVERLOADED),
    ],
)
def test_create_status_errors(
    fake_api: FakeAnthropic, make_client, status: int, error_type: str, kind: AiErrorKind
) -> None:
    fake_api.reply_error(status, error_type, "no", request_id="req_batch", path=BATCHES)
    with pytest.raises(AiError) as info:
        submit_all(make_client(), 1)
    assert info.value.kind is kind
    assert info.value.request_id == "req_batch"
    assert f"HTTP {status} {error_type}" in info.value.detail


def test_unknown_batch_is_gone_not_a_missing_model(fake_api: FakeAnthropic, make_client) -> None:
    client = make_client()
    for call in (client.status, client.cancel):
        with pytest.raises(AiError) as info:
            call("msgbatch_unknown")
        assert info.value.kind is AiErrorKind.BAD_REQUEST
        assert "no longer on the Anthropic server" in str(info.value)


def test_results_before_the_end_fail_cleanly(fake_api: FakeAnthropic, make_client) -> None:
    fake_api.batch_polls_in_progress = 1000
    client = make_client()
    batch_id, passages = submit_all(client, 1)
    with pytest.raises(AiError) as info:
        client.results(batch_id, passages, {})
    assert info.value.kind is AiErrorKind.SERVER
    assert "results_url" in info.value.detail


def test_connection_refused_is_offline(fake_api: FakeAnthropic, make_client) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = make_client(base_url=f"http://127.0.0.1:{port}")
    with pytest.raises(AiError) as info:
        client.status("msgbatch_x")
    assert info.value.kind is AiErrorKind.OFFLINE


def test_importing_batches_does_not_import_anthropic() -> None:
    code = "import reader_app.ai.batches, sys; print('anthropic' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
