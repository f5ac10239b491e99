"""The fake Messages API behaves as the documented API does (tests/fake_rules.py).

Driven with the real SDK over HTTP, so what the app meets in every other test is known.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import TYPE_CHECKING, Any

import anthropic
import pytest

from reader_app.ai.output_schema import output_schema
from tests.fake_api import GOOD_ANSWER, MESSAGES, VALID_KEY
from tests.fake_rules import THINKING_TOKENS, cache_minimum, chars_for, tokens

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.fake_api import FakeAnthropic

SCHEMA = {"format": {"type": "json_schema", "schema": output_schema()}}


@pytest.fixture
def client(fake_api: FakeAnthropic) -> Iterator[anthropic.Anthropic]:
    sdk = anthropic.Anthropic(api_key=VALID_KEY, base_url=fake_api.base_url, max_retries=0)
    yield sdk
    sdk.close()


def ask(client: anthropic.Anthropic, model: str = "claude-haiku-4-5", **params: Any) -> Any:
    params.setdefault("max_tokens", 1200)
    params.setdefault("messages", [{"role": "user", "content": "How does this sound?"}])
    return client.messages.create(model=model, **params)


def stream(client: anthropic.Anthropic, model: str, **params: Any) -> tuple[list[str], Any]:
    params.setdefault("max_tokens", 1200)
    params.setdefault("messages", [{"role": "user", "content": "How does this sound?"}])
    with client.messages.stream(model=model, **params) as events:
        deltas = [e.delta.type for e in events if e.type == "content_block_delta"]
        return deltas, events.get_final_message()


def post(fake_api: FakeAnthropic, path: str, headers: dict[str, str]) -> int:
    body = json.dumps({"model": "claude-haiku-4-5", "max_tokens": 10,
                       "messages": [{"role": "user", "content": "hi"}]}).encode()  # fmt: skip
    request = urllib.request.Request(fake_api.base_url + path, data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


# -- the key ------------------------------------------------------------------------------
def test_every_path_needs_the_key_as_bearer_or_x_api_key(fake_api: FakeAnthropic) -> None:
    for path in (MESSAGES, "/v1/models", "/v1/messages/batches", "/v1/messages/count_tokens"):
        assert post(fake_api, path, {}) == 401
        assert post(fake_api, path, {"x-api-key": "sk-ant-wrong"}) == 401
    assert post(fake_api, MESSAGES, {"x-api-key": VALID_KEY}) == 200
    assert post(fake_api, MESSAGES, {"authorization": f"Bearer {VALID_KEY}"}) == 200


# -- models -------------------------------------------------------------------------------
def test_models_are_listed_with_capabilities_and_limits(
    fake_api: FakeAnthropic, client: anthropic.Anthropic
) -> None:
    fake_api.max_page_size = 2
    listed = {m.id: m for m in client.models.list(limit=2)}  # pages through all
    assert list(listed) == [m["id"] for m in fake_api.models]
    haiku = listed["claude-haiku-5-5"]
    assert haiku.capabilities is not None
    assert haiku.capabilities.structured_outputs.supported is True
    assert haiku.capabilities.effort.low.supported is True
    assert haiku.capabilities.thinking.types.adaptive.supported is True
    assert (haiku.line, haiku.lifecycle) == ("haiku", "active")
    assert haiku.max_tokens
    assert haiku.max_input_tokens
    old = listed["claude-haiku-4-5"].capabilities
    assert old is not None
    assert old.thinking.types.adaptive.supported is False
    assert len(fake_api.requests_to("/v1/models")) == len(fake_api.models) // 2


def test_a_model_without_structured_outputs_refuses_a_schema(
    fake_api: FakeAnthropic, client: anthropic.Anthropic
) -> None:
    listed = next(m for m in fake_api.models if m["id"] == "claude-haiku-4-5")
    listed["capabilities"] = {"structured_outputs": {"supported": False}}
    with pytest.raises(anthropic.BadRequestError, match="does not support structured outputs"):
        ask(client, output_config=SCHEMA)
    assert ask(client).content[0].text == json.dumps(GOOD_ANSWER)  # without a schema: fine


# -- structured outputs -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("keyword", "change"),
    [
        ("minimum", {"confidence": {"type": "number", "minimum": 0}}),
        ("maximum", {"confidence": {"type": "number", "maximum": 1}}),
        ("exclusiveMinimum", {"confidence": {"type": "number", "exclusiveMinimum": 0}}),
        ("multipleOf", {"confidence": {"type": "number", "multipleOf": 0.1}}),
        ("maxLength", {"tone": {"type": "string", "maxLength": 120}}),
        ("minLength", {"tone": {"type": "string", "minLength": 1}}),
        ("maxItems", {"evidence": {"type": "array", "items": {"type": "string"}, "maxItems": 3}}),
        ("minItems", {"evidence": {"type": "array", "items": {"type": "string"}, "minItems": 2}}),
        ("additionalProperties", {"extra": {"type": "object", "properties": {}}}),
    ],
)
def test_unsupported_schema_keywords_are_a_400_naming_them(
    fake_api: FakeAnthropic, client: anthropic.Anthropic, keyword: str, change: dict[str, Any]
) -> None:
    schema = output_schema()
    schema["properties"].update(change)
    with pytest.raises(anthropic.BadRequestError, match=keyword):
        ask(client, output_config={"format": {"type": "json_schema", "schema": schema}})


def test_the_apps_schema_is_accepted(client: anthropic.Anthropic) -> None:
    assert ask(client, output_config=SCHEMA).stop_reason == "end_turn"


# -- thinking -----------------------------------------------------------------------------
def test_a_model_that_thinks_by_default_answers_after_a_thinking_block(
    client: anthropic.Anthropic,
) -> None:
    deltas, final = stream(client, "claude-haiku-5-5")
    assert deltas[0] == "thinking_delta"
    assert "signature_delta" in deltas
    assert [b.type for b in final.content] == ["thinking", "text"]
    thought = THINKING_TOKENS["medium"]  # Haiku 5.5's default effort
    text = final.content[1].text
    assert final.usage.output_tokens == thought + tokens(text, "claude-haiku-5-5")
    assert final.stop_reason == "end_turn"


def test_thinking_counts_toward_max_tokens_and_can_leave_no_text(
    client: anthropic.Anthropic,
) -> None:
    deltas, final = stream(client, "claude-sonnet-5-5", max_tokens=1200)  # effort high: 1400
    assert "text_delta" not in deltas  # cut off while thinking: no text at all
    assert [b.type for b in final.content] == ["thinking"]
    assert (final.stop_reason, final.usage.output_tokens) == ("max_tokens", 1200)
    # Room for some text, not all of it.
    deltas, final = stream(client, "claude-haiku-5-5", max_tokens=THINKING_TOKENS["medium"] + 20)
    assert final.stop_reason == "max_tokens"
    assert len(final.content[1].text) == chars_for(20, "claude-haiku-5-5")


def test_thinking_controls_are_checked_per_model(client: anthropic.Anthropic) -> None:
    _deltas, final = stream(client, "claude-haiku-5-5", thinking={"type": "disabled"},
                            output_config={"effort": "low"})  # fmt: skip
    assert [b.type for b in final.content] == ["text"]
    _deltas, final = stream(client, "claude-opus-5-5", output_config={"effort": "low"})
    assert final.usage.output_tokens > THINKING_TOKENS["low"]
    with pytest.raises(anthropic.BadRequestError, match="'disabled' is not supported"):
        ask(client, "claude-opus-5-5", thinking={"type": "disabled"})
    with pytest.raises(anthropic.BadRequestError, match="'adaptive' is not supported"):
        ask(client, "claude-haiku-4-5", thinking={"type": "adaptive"})
    with pytest.raises(anthropic.BadRequestError, match="effort"):
        ask(client, "claude-haiku-4-5", output_config={"effort": "low"})
    with pytest.raises(anthropic.BadRequestError, match="at effort 'max'"):
        ask(client, "claude-haiku-5-5", thinking={"type": "disabled"},
            output_config={"effort": "max"})  # fmt: skip
    assert [b.type for b in ask(client, "claude-haiku-4-5").content] == ["text"]  # no thinking


# -- caching ------------------------------------------------------------------------------
def cached_request(prefix: str, ttl: str = "5m", question: str = "Which tone?") -> dict[str, Any]:
    return {
        "system": [{"type": "text", "text": prefix,
                    "cache_control": {"type": "ephemeral", "ttl": ttl}}],
        "messages": [{"role": "user", "content": question}],
    }  # fmt: skip


def test_a_prefix_above_the_minimum_is_written_then_read(
    fake_api: FakeAnthropic, client: anthropic.Anthropic
) -> None:
    model = "claude-haiku-4-5"
    prefix = "x" * chars_for(cache_minimum(model) + 10, model)
    size = tokens(prefix, model)
    first = ask(client, model, **cached_request(prefix, "1h")).usage
    assert (first.cache_creation_input_tokens, first.cache_read_input_tokens) == (size, 0)
    assert first.cache_creation is not None
    assert first.cache_creation.ephemeral_1h_input_tokens == size
    assert first.cache_creation.ephemeral_5m_input_tokens == 0
    assert first.input_tokens == tokens(prefix + "Which tone?", model) - size
    second = ask(client, model, **cached_request(prefix, "1h", "And now?")).usage
    assert (second.cache_creation_input_tokens, second.cache_read_input_tokens) == (0, size)
    fake_api.advance_clock(3601)  # past the TTL: written again
    third = ask(client, model, **cached_request(prefix, "1h")).usage
    assert (third.cache_creation_input_tokens, third.cache_read_input_tokens) == (size, 0)


def test_a_prefix_below_the_minimum_is_never_cached(client: anthropic.Anthropic) -> None:
    model = "claude-haiku-5-5"
    prefix = "y" * chars_for(cache_minimum(model) - 5, model)
    for _ in range(2):
        usage = ask(client, model, thinking={"type": "disabled"}, **cached_request(prefix)).usage
        assert (usage.cache_creation_input_tokens, usage.cache_read_input_tokens) == (0, 0)
        assert usage.input_tokens == tokens(prefix + "Which tone?", model)


def test_more_than_four_breakpoints_is_a_400(client: anthropic.Anthropic) -> None:
    marked = {"type": "ephemeral"}
    system = [{"type": "text", "text": f"part {i}", "cache_control": marked} for i in range(5)]
    with pytest.raises(anthropic.BadRequestError, match="maximum of 4"):
        ask(client, system=system)
    # The top-level cache_control is a breakpoint too.
    with pytest.raises(anthropic.BadRequestError, match="Found 5"):
        ask(client, system=system[:4], cache_control=marked)
    assert ask(client, system=system[:4]).stop_reason == "end_turn"


# -- failures -----------------------------------------------------------------------------
def test_scripted_usage_and_failures_are_sent_as_scripted(
    fake_api: FakeAnthropic, client: anthropic.Anthropic
) -> None:
    fake_api.reply_json(GOOD_ANSWER, usage={"input_tokens": 25, "output_tokens": 7})
    usage = ask(client, "claude-haiku-5-5").usage
    assert (usage.input_tokens, usage.output_tokens) == (25, 7)
    fake_api.reply_error(429, "rate_limit_error", "spend limit reached",
                         error_code="enforced_spend_limit_reached")  # fmt: skip
    with pytest.raises(anthropic.RateLimitError) as info:
        ask(client)
    assert info.value.error_code == "enforced_spend_limit_reached"
    assert "retry-after" not in info.value.response.headers
    fake_api.reply_html(413, "<html><body>Request Entity Too Large</body></html>")
    with pytest.raises(anthropic.APIStatusError) as html:
        ask(client)
    assert html.value.status_code == 413
    assert html.value.response.headers["content-type"].startswith("text/html")
    fake_api.reply_early_error()
    with pytest.raises(anthropic.APIStatusError, match="Overloaded"):
        stream(client, "claude-haiku-4-5")
