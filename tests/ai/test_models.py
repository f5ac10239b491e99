"""The model catalogue: the default, the fallback list, choosing from a listing, and the
model a request goes to. No SDK and no Qt."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from reader_app.ai.models import (
    DEFAULT_MODEL,
    FALLBACK_MODELS,
    choose_default_model,
    model_to_use,
)

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Listed:
    """A listed model: the two fields the choice reads."""

    id: str
    line: str | None


def test_default_and_fallbacks() -> None:
    assert DEFAULT_MODEL == "claude-haiku-4-5"
    assert FALLBACK_MODELS == ("claude-haiku-4-5", "claude-sonnet-4-6", "claude-opus-4-6")
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
