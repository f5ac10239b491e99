"""Thinking against the fake API's rules (tests/fake_rules.py): a thinking model spends part
of ``max_tokens`` thinking, and a limit that is too small stops the answer, or leaves no
answer at all. Nothing is scripted: the fake answers as the model would."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import pytest

from reader_app.ai.client import ClaudeToneAnalyzer
from reader_app.ai.errors import AiError, AiErrorKind
from reader_app.ai.prompt import PassageContext, PromptSettings, compose
from reader_app.ai.thinking import larger_limit
from tests.fake_api import GOOD_ANSWER, MESSAGES, VALID_KEY
from tests.fake_rules import THINKING_TEXT, THINKING_TOKENS

if TYPE_CHECKING:
    from collections.abc import Iterator

    from reader_app.ai.request import ToneRequest
    from tests.fake_api import FakeAnthropic

PASSAGE = "I wandered lonely as a cloud\nThat floats on high o'er vales and hills,"


def _request(model: str) -> ToneRequest:
    ctx = PassageContext(book_title="Poems", author="Wordsworth", chapter_title="I",
                         passage=PASSAGE)  # fmt: skip
    return compose(PromptSettings(model=model), (), ctx)


@pytest.fixture
def analyzer(fake_api: FakeAnthropic) -> Iterator[ClaudeToneAnalyzer]:
    made = ClaudeToneAnalyzer(VALID_KEY, base_url=fake_api.base_url, max_retries=0, timeout=5.0)
    yield made
    made.close()


def test_an_always_thinking_model_answers_within_the_headroom(
    fake_api: FakeAnthropic, analyzer: ClaudeToneAnalyzer
) -> None:
    outcome = analyzer.analyse(_request("claude-opus-5-5"))
    assert outcome.analysis.tone == GOOD_ANSWER["tone"]
    assert THINKING_TEXT.strip() not in outcome.raw_text  # the thinking is not the answer
    assert outcome.usage.output_tokens > THINKING_TOKENS["low"]  # it did think, at low effort


def test_haiku_5_5_does_not_think_when_told_not_to(
    fake_api: FakeAnthropic, analyzer: ClaudeToneAnalyzer
) -> None:
    request = _request("claude-haiku-5-5")
    outcome = analyzer.analyse(request)
    assert outcome.analysis.tone == GOOD_ANSWER["tone"]
    assert fake_api.requests_to(MESSAGES)[-1].body["thinking"] == {"type": "disabled"}
    assert outcome.usage.output_tokens < request.max_tokens


@pytest.mark.parametrize("limit", [THINKING_TOKENS["low"] // 2, THINKING_TOKENS["low"] + 40])
def test_a_limit_thinking_eats_is_a_cut_off_and_twice_the_limit_is_enough(
    fake_api: FakeAnthropic, analyzer: ClaudeToneAnalyzer, limit: int
) -> None:
    request = dataclasses.replace(_request("claude-opus-5-5"), max_tokens=limit)
    with pytest.raises(AiError) as info:
        analyzer.analyse(request)
    assert info.value.kind is AiErrorKind.CUT_OFF
    assert info.value.message.startswith(f"The answer was cut off at {limit} tokens")
    no_text = limit < THINKING_TOKENS["low"]
    assert ("thinking used the whole limit" in info.value.detail) is no_text
    retry, kinds, outcome = limit, [], None
    while outcome is None:  # what the Retry button does, until the answer fits
        larger = larger_limit(request.model, retry)
        assert larger is not None
        retry = larger
        try:
            outcome = analyzer.analyse(dataclasses.replace(request, max_tokens=retry))
        except AiError as exc:
            kinds.append(exc.kind)
    assert set(kinds) <= {AiErrorKind.CUT_OFF}
    assert outcome.analysis.tone == GOOD_ANSWER["tone"]
    assert retry <= 8 * limit
