"""The default model: listed once by the window, kept in the profile, read by the CLI."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from reader_app.ai.client import ClaudeToneAnalyzer
from reader_app.ai.errors import AiError, AiErrorKind
from reader_app.ai.models import DEFAULT_MODEL
from reader_app.config.discovered_model import FILE_NAME
from reader_app.usecases.models import discover_default_model, known_default_model
from tests.fake_api import VALID_KEY

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from tests.fake_api import FakeAnthropic


@pytest.fixture
def analyzer(fake_api: FakeAnthropic) -> Iterator[ClaudeToneAnalyzer]:
    made = ClaudeToneAnalyzer(VALID_KEY, base_url=fake_api.base_url, max_retries=0, timeout=5.0)
    yield made
    made.close()


def test_before_any_listing_the_built_in_default_answers(tmp_path: Path) -> None:
    assert known_default_model(tmp_path / "cache") == DEFAULT_MODEL


def test_a_listing_picks_the_newest_fast_model_and_keeps_it_for_later_runs(
    fake_api: FakeAnthropic, analyzer: ClaudeToneAnalyzer, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"  # not made yet: the first listing makes it
    assert discover_default_model(analyzer, cache) == "claude-haiku-5-5"
    assert len(fake_api.requests_to("/v1/models")) >= 1
    # The next run, or the command line, knows it without asking the API.
    asked = len(fake_api.requests)
    assert known_default_model(cache) == "claude-haiku-5-5"
    assert len(fake_api.requests) == asked
    assert json.loads((cache / FILE_NAME).read_text("utf-8")) == {"model": "claude-haiku-5-5"}


def test_a_failed_listing_keeps_what_was_known(
    fake_api: FakeAnthropic, analyzer: ClaudeToneAnalyzer, tmp_path: Path
) -> None:
    assert discover_default_model(analyzer, tmp_path) == "claude-haiku-5-5"
    fake_api.reply_error(500, "api_error", "boom", path="/v1/models")
    with pytest.raises(AiError) as info:
        discover_default_model(analyzer, tmp_path)
    assert info.value.kind is AiErrorKind.SERVER
    assert known_default_model(tmp_path) == "claude-haiku-5-5"


def test_a_double_that_cannot_list_gives_the_built_in_default_and_keeps_nothing(
    tmp_path: Path,
) -> None:
    assert discover_default_model(object(), tmp_path) == DEFAULT_MODEL
    assert not (tmp_path / FILE_NAME).exists()


@pytest.mark.parametrize(
    "content",
    [
        "",
        "not json",
        "[]",
        '{"model": 7}',
        '{"model": "claude haiku; rm -rf"}',
        '{"model": "' + "x" * 500 + '"}',
        '{"other": "claude-haiku-4-5"}',
    ],
)
def test_a_damaged_or_hostile_file_is_ignored(tmp_path: Path, content: str) -> None:
    (tmp_path / FILE_NAME).write_text(content, encoding="utf-8")
    assert known_default_model(tmp_path) == DEFAULT_MODEL


def test_a_cache_that_cannot_be_written_is_no_error(
    analyzer: ClaudeToneAnalyzer, tmp_path: Path
) -> None:
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("", encoding="utf-8")
    assert discover_default_model(analyzer, blocked) == "claude-haiku-5-5"
    assert known_default_model(blocked) == DEFAULT_MODEL
