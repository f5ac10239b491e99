"""The model catalogue: the default, the fallback list, choosing from a listing, and the
model a request goes to. No SDK and no Qt."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reader_app.ai.client import ClaudeToneAnalyzer
from reader_app.ai.models import (
    DEFAULT_MODEL,
    FALLBACK_MODELS,
    choose_default_model,
    model_to_use,
    supports_structured_outputs,
)
from tests.fake_api import VALID_KEY

if TYPE_CHECKING:
    from tests.fake_api import FakeAnthropic

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Listed:
    """A listed model: the two fields the choice reads."""

    id: str
    line: str | None


def test_default_and_fallbacks() -> None:
    # The catalogue's newest Haiku that supports structured outputs, then the newest of
    # each better-quality family.
    assert DEFAULT_MODEL == "claude-haiku-5-5"
    assert FALLBACK_MODELS == (
        "claude-haiku-5-5", "claude-sonnet-5-5", "claude-opus-5-5", "claude-fable-5-1"
    )  # fmt: skip
    assert FALLBACK_MODELS[0] == DEFAULT_MODEL


def test_the_newest_haiku_is_chosen() -> None:
    newest_first = [
        Listed("claude-opus-5", "opus"),
        Listed("claude-haiku-5-5", "haiku"),
        Listed("claude-haiku-4-5", "haiku"),
    ]
    assert choose_default_model(newest_first) == "claude-haiku-5-5"


def test_without_a_line_the_id_names_the_family() -> None:
    assert choose_default_model([Listed("claude-haiku-9", None)]) == "claude-haiku-9"
    # A line that says otherwise wins over the id.
    listing = [Listed("claude-x", "sonnet"), Listed("claude-haiku-like", "opus")]
    assert choose_default_model(listing) == "claude-x"


def test_no_haiku_gives_the_newest_model() -> None:
    assert choose_default_model([Listed("claude-opus-5", "opus")]) == "claude-opus-5"


def test_an_empty_listing_gives_the_default() -> None:
    assert choose_default_model([]) == DEFAULT_MODEL


def test_a_client_model_choice_can_be_chosen_from() -> None:
    from reader_app.ai.client import ModelChoice

    listing = [ModelChoice("claude-haiku-5-5", "Claude Haiku 5.5", "haiku", "2026-08-15")]
    assert choose_default_model(listing) == "claude-haiku-5-5"


def test_the_model_to_use() -> None:
    assert model_to_use("claude-opus-5", "claude-haiku-5-5") == "claude-opus-5"
    assert model_to_use("", "claude-haiku-5-5") == "claude-haiku-5-5"
    assert model_to_use("", None) == DEFAULT_MODEL
    assert model_to_use("") == DEFAULT_MODEL  # the command line: nothing discovered
    assert model_to_use("claude-opus-5") == "claude-opus-5"


def test_the_catalogue_does_not_import_the_sdk() -> None:
    code = "import sys, reader_app.ai.models; print('anthropic' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def _caps(structured: bool) -> dict[str, Any]:
    return {"structured_outputs": {"supported": structured}, "batch": {"supported": True},
            "thinking": {"supported": True, "types": {"adaptive": {"supported": True},
                                                      "disabled": {"supported": True}}},
            "effort": {"supported": True, "low": {"supported": True},
                       "medium": {"supported": True}, "high": {"supported": False},
                       "max": {"supported": False}}}  # fmt: skip


def test_a_haiku_without_structured_outputs_is_skipped(fake_api: FakeAnthropic) -> None:
    fake_api.models = [
        {"id": "claude-haiku-6", "display_name": "Claude Haiku 6", "line": "haiku",
         "created_at": "2026-11-30T00:00:00Z", "lifecycle": "active",
         "capabilities": _caps(structured=False)},
        {"id": "claude-sonnet-5-5", "display_name": "Claude Sonnet 5.5", "line": "sonnet",
         "created_at": "2026-10-20T00:00:00Z", "lifecycle": "active",
         "capabilities": _caps(structured=True)},
        {"id": "claude-haiku-5-5", "display_name": "Claude Haiku 5.5", "line": "haiku",
         "created_at": "2026-10-07T00:00:00Z", "lifecycle": "active",
         "max_input_tokens": 1_000_000, "max_tokens": 128_000,
         "capabilities": _caps(structured=True)},
    ]  # fmt: skip
    analyzer = ClaudeToneAnalyzer(VALID_KEY, base_url=fake_api.base_url, max_retries=0)
    try:
        listed = analyzer.list_models()
    finally:
        analyzer.close()
    newest, _sonnet, haiku = listed
    # The listing's capabilities and limits are kept.
    assert (newest.id, newest.structured_outputs, newest.batch) == ("claude-haiku-6", False, True)
    assert (haiku.max_input_tokens, haiku.max_tokens) == (1_000_000, 128_000)
    assert (haiku.thinking, haiku.efforts) == (True, ("low", "medium"))
    assert choose_default_model(listed) == "claude-haiku-5-5"
    # With no Haiku that fits, the newest model that does.
    assert choose_default_model(listed[:2]) == "claude-sonnet-5-5"
    assert choose_default_model(listed[:1]) == DEFAULT_MODEL


def test_without_capabilities_the_catalogue_says() -> None:
    from reader_app.ai.client import ModelChoice

    # No capabilities listed: the catalogue knows claude-haiku-5-5 supports them.
    plain = ModelChoice("claude-haiku-5-5", "Claude Haiku 5.5", "haiku", "2026-10-07")
    assert supports_structured_outputs(plain)
    refused = ModelChoice("claude-haiku-5-5", "H", "haiku", "2026-10-07", structured_outputs=False)
    assert not supports_structured_outputs(refused)
