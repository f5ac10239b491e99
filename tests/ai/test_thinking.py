"""Thinking under control: per-model thinking / effort / max_tokens, thinking never the answer,
and a max_tokens stop with its own message, against the fake API over real HTTP."""

from __future__ import annotations

import json
import threading
from typing import TYPE_CHECKING, Any

import pytest

from reader_app.ai.client import ClaudeToneAnalyzer
from reader_app.ai.errors import AiError, AiErrorKind
from reader_app.ai.judge import judge_labels
from reader_app.ai.multi import analyse_many, compose_many
from reader_app.ai.prompt import PassageContext, PromptSettings, compose
from reader_app.ai.thinking import (
    THINKING_BUDGET,
    THINKING_HEADROOM,
    UNKNOWN_MAX_OUTPUT,
    controls_for,
    larger_limit,
)
from tests.fake_api import GOOD_ANSWER, MESSAGES, VALID_KEY, Reply

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.fake_api import FakeAnthropic

PASSAGE = "I wandered lonely as a cloud\nThat floats on high o'er vales and hills,"
# What the model thinks looks like an answer too: it must never be taken for one.
THOUGHT = json.dumps({**GOOD_ANSWER, "tone": "Furious and Bitter"})


def _ctx(passage: str = PASSAGE) -> PassageContext:
    return PassageContext(book_title="Poems", author="Wordsworth", chapter_title="I",
                          passage=passage)  # fmt: skip


def _request(model: str, *, think_more: bool = False, answer: int = 1200) -> Any:
    settings = PromptSettings(model=model, max_tokens=answer, think_more=think_more)
    return compose(settings, (), _ctx())


@pytest.fixture
def analyzer(fake_api: FakeAnthropic) -> Iterator[ClaudeToneAnalyzer]:
    made = ClaudeToneAnalyzer(VALID_KEY, base_url=fake_api.base_url, max_retries=0, timeout=5.0)
    yield made
    made.close()


def _sent(fake_api: FakeAnthropic) -> dict[str, Any]:
    body = fake_api.requests_to(MESSAGES)[-1].body
    assert isinstance(body, dict)
    return body


# -- what each model is sent ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("model", "thinking", "effort", "max_tokens"),
    [
        # Haiku 5.5 thinks by default; "disabled" is accepted at low effort.
        ("claude-haiku-5-5", {"type": "disabled"}, "low", 1200),
        # Sonnet 5.5 rejects "disabled"; between_tools is its off switch.
        ("claude-sonnet-5-5", {"type": "between_tools"}, "low", 1200),
        # Opus 5.5 and Fable 5.1 always think: only the effort goes down, with headroom.
        ("claude-opus-5-5", None, "low", 1200 + THINKING_HEADROOM["low"]),
        ("claude-fable-5-1", None, "low", 1200 + THINKING_HEADROOM["low"]),
        # Haiku 4.5 does not think unless asked and takes no effort parameter.
        ("claude-haiku-4-5", None, None, 1200),
        ("claude-haiku-4-5-20251001", None, None, 1200),
        # Unknown: the strictest reading (it may think), nothing it could reject but effort.
        ("claude-novel-9", None, "low", 1200 + THINKING_HEADROOM["low"]),
    ],
)
def test_each_model_gets_its_own_thinking_effort_and_limit(
    fake_api: FakeAnthropic,
    analyzer: ClaudeToneAnalyzer,
    model: str,
    thinking: dict[str, str] | None,
    effort: str | None,
    max_tokens: int,
) -> None:
    analyzer.analyse(_request(model))
    body = _sent(fake_api)
    assert body.get("thinking") == thinking
    assert body["output_config"].get("effort") == effort
    assert body["output_config"]["format"]["type"] == "json_schema"
    assert body["max_tokens"] == max_tokens


@pytest.mark.parametrize(
    ("model", "thinking", "effort", "max_tokens"),
    [
        ("claude-haiku-5-5", None, "medium", 1200 + THINKING_HEADROOM["medium"]),
        ("claude-opus-5-5", None, "medium", 1200 + THINKING_HEADROOM["medium"]),
        # No effort parameter: extended thinking with a budget, which must fit under the limit.
        (
            "claude-haiku-4-5",
            {"type": "enabled", "budget_tokens": THINKING_BUDGET},
            None,
            1200 + THINKING_BUDGET,
        ),
    ],
)
def test_think_more_allows_thinking_at_a_higher_effort(
    fake_api: FakeAnthropic,
    analyzer: ClaudeToneAnalyzer,
    model: str,
    thinking: dict[str, Any] | None,
    effort: str | None,
    max_tokens: int,
) -> None:
    analyzer.analyse(_request(model, think_more=True))
    body = _sent(fake_api)
    assert body.get("thinking") == thinking
    assert body["output_config"].get("effort") == effort
    assert body["max_tokens"] == max_tokens


def test_the_limit_never_passes_the_models_maximum() -> None:
    assert controls_for("claude-haiku-4-5", 100_000).max_tokens == 64_000
    assert controls_for("claude-haiku-5-5", 200_000, think_more=True).max_tokens == 128_000
    assert controls_for("claude-novel-9", 100_000).max_tokens == UNKNOWN_MAX_OUTPUT


def test_a_retry_doubles_the_limit_up_to_the_maximum() -> None:
    assert larger_limit("claude-haiku-5-5", 1200) == 2400
    assert larger_limit("claude-haiku-4-5", 40_000) == 64_000
    assert larger_limit("claude-haiku-4-5", 64_000) is None


def test_several_passages_and_the_judge_are_controlled_too(
    fake_api: FakeAnthropic, analyzer: ClaudeToneAnalyzer
) -> None:
    settings = PromptSettings(model="claude-haiku-5-5")
    many = compose_many(settings, (), [_ctx(), _ctx("A host, of golden daffodils;")])
    assert many.thinking == {"type": "disabled"}
    assert many.effort == "low"
    assert many.max_tokens == 300 + 2 * 1200
    assert many.api_kwargs()["output_config"]["effort"] == "low"

    fake_api.enqueue(Reply("stream", text=json.dumps({"same": True, "why": "Synonyms."})))
    verdict = judge_labels(analyzer, "Sad", "Melancholy", model="claude-opus-5-5")
    assert verdict.same is True
    body = _sent(fake_api)
    assert "stream" not in body
    assert "thinking" not in body  # Opus 5.5 cannot turn it off
    assert body["output_config"]["effort"] == "low"
    assert body["max_tokens"] == 300 + THINKING_HEADROOM["low"]  # not 300, which thinking eats


# -- thinking is never the answer -------------------------------------------------------------
def test_a_streamed_answer_that_starts_with_thinking_shows_only_the_text(
    fake_api: FakeAnthropic, analyzer: ClaudeToneAnalyzer
) -> None:
    fake_api.enqueue(Reply("stream", text=json.dumps(GOOD_ANSWER), thinking=THOUGHT,
                           chunk_size=24))  # fmt: skip
    partials: list[dict[str, Any]] = []
    outcome = analyzer.analyse(_request("claude-opus-5-5"), on_partial=partials.append)
    assert outcome.analysis.tone == "Wistful and Tender"
    assert outcome.raw_text == json.dumps(GOOD_ANSWER)  # what is stored: the text only
    assert partials, "the answer streamed into the panel"
    assert all("Wistful and Tender".startswith(str(p.get("tone", ""))) for p in partials)
    assert all("Furious" not in json.dumps(p) for p in partials)


def test_several_passages_answer_from_text_not_thinking(
    fake_api: FakeAnthropic, analyzer: ClaudeToneAnalyzer
) -> None:
    settings = PromptSettings(model="claude-opus-5-5")
    request = compose_many(settings, (), [_ctx()])
    item = {"passage": 1, **GOOD_ANSWER}
    thought = json.dumps({"items": [{"passage": 1, **json.loads(THOUGHT)}]})
    fake_api.enqueue(Reply("stream", text=json.dumps({"items": [item]}), thinking=thought))
    handed: list[str] = []
    results, _raw = analyse_many(analyzer, request, lambda _i, c: handed.append(c.analysis.tone))
    assert handed == ["Wistful and Tender"]
    assert results.done[0].analysis.tone == "Wistful and Tender"


def test_the_judge_reads_its_verdict_from_text_not_thinking(
    fake_api: FakeAnthropic, analyzer: ClaudeToneAnalyzer
) -> None:
    fake_api.enqueue(Reply("stream", text=json.dumps({"same": False, "why": "Opposites."}),
                           thinking=json.dumps({"same": True, "why": "thinking"})))  # fmt: skip
    verdict = judge_labels(analyzer, "Joyful", "Grieving", model="claude-haiku-5-5")
    assert (verdict.same, verdict.why) == (False, "Opposites.")


def test_a_batch_result_that_starts_with_thinking_is_read_from_its_text() -> None:
    import anthropic

    from reader_app.ai.batches import _outcome

    message = anthropic.types.Message.model_validate({
        "id": "msg_b1", "type": "message", "role": "assistant", "model": "claude-haiku-5-5",
        "content": [{"type": "thinking", "thinking": THOUGHT, "signature": "sig"},
                    {"type": "redacted_thinking", "data": "xyz"},
                    {"type": "text", "text": json.dumps(GOOD_ANSWER)}],
        "stop_reason": "end_turn", "stop_sequence": None,
        "usage": {"input_tokens": 10, "output_tokens": 300},
    })  # fmt: skip
    outcome = _outcome(message, PASSAGE, "pv")
    assert outcome.analysis.tone == "Wistful and Tender"
    assert outcome.raw_text == json.dumps(GOOD_ANSWER)


# -- a max_tokens stop ------------------------------------------------------------------------
def test_thinking_that_eats_the_whole_limit_is_a_cut_off_with_the_limit(
    fake_api: FakeAnthropic, analyzer: ClaudeToneAnalyzer
) -> None:
    request = _request("claude-opus-5-5")
    fake_api.enqueue(Reply("stream", text="", thinking=THOUGHT, stop_reason="max_tokens",
                           usage={"output_tokens": request.max_tokens}))  # fmt: skip
    with pytest.raises(AiError) as info:
        analyzer.analyse(request, cancelled=threading.Event())
    error = info.value
    assert error.kind is AiErrorKind.CUT_OFF
    assert error.message.startswith(f"The answer was cut off at {request.max_tokens:,} tokens")
    assert "thinking used the whole limit" in error.detail
    assert error.retryable


def test_a_cut_off_verdict_says_so(fake_api: FakeAnthropic, analyzer: ClaudeToneAnalyzer) -> None:
    fake_api.enqueue(Reply("stream", text='{"same": tr', stop_reason="max_tokens"))
    with pytest.raises(AiError) as info:
        judge_labels(analyzer, "Sad", "Melancholy", model="claude-haiku-4-5")
    assert info.value.kind is AiErrorKind.CUT_OFF
    assert "cut off at 300 tokens" in info.value.message


def test_a_batch_sends_the_same_thinking_and_effort(
    fake_api: FakeAnthropic, analyzer: ClaudeToneAnalyzer
) -> None:
    from reader_app.ai.batches import BatchClient
    from tests.fake_api import BATCHES

    BatchClient(analyzer).submit([("a", _request("claude-sonnet-5-5")),
                                  ("b", _request("claude-opus-5-5", think_more=True))])  # fmt: skip
    (create,) = [r for r in fake_api.requests_to(BATCHES) if r.method == "POST"]
    first, second = (item["params"] for item in create.body["requests"])
    assert first["thinking"] == {"type": "between_tools"}
    assert first["output_config"]["effort"] == "low"
    assert first["max_tokens"] == 1200
    assert "thinking" not in second
    assert second["output_config"]["effort"] == "medium"
    assert second["max_tokens"] == 1200 + THINKING_HEADROOM["medium"]


def test_an_eval_run_sends_what_the_settings_say(
    fake_api: FakeAnthropic, analyzer: ClaudeToneAnalyzer
) -> None:
    from reader_app.ai.eval_runner import EvalRunner
    from reader_app.core.eval_data import EvalItem

    item = EvalItem(PASSAGE, "Wistful")
    for think_more, effort in ((False, "low"), (True, "medium")):
        settings = PromptSettings(model="claude-haiku-5-5", think_more=think_more)
        request = EvalRunner(lambda: analyzer, settings).request_for(item)
        analyzer.analyse(request)
        body = _sent(fake_api)
        assert body["output_config"]["effort"] == effort
        assert ("thinking" in body) is not think_more
        assert EvalRunner(lambda: analyzer, settings).config()["think_more"] is think_more
