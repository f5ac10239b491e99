"""``tone-reader analyze --json`` reports the cache as the API's usage says, through the fake.

The fake caches a prefix only when it holds the model's minimum (tests/fake_rules.py): on a
fresh profile the shipped example library makes the prefix long enough, so the second
analysis in a chapter reads the first one's cache; a library of one example is too short
to cache, and the report says so instead of giving a share.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from reader_app.config.paths import AppPaths
from reader_app.storage.db import open_database
from reader_app.usecases.examples import seeded_examples
from tests.test_cli_analyze import ANSWER, BALLADS, run

if TYPE_CHECKING:
    from pathlib import Path

    from tests.fake_api import FakeAnthropic

FIRST = "We murder to dissect."
SECOND = "Close up these barren leaves;"  # the same poem, so the same chapter


def _analyse(fake: FakeAnthropic, profile: Path, passage: str, *extra: str) -> dict[str, object]:
    fake.reply_json(ANSWER)
    result = run(fake, profile, str(BALLADS), "--find", passage, *extra)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout) if "--json" in extra else {"text": result.stdout}


def test_the_second_analysis_in_a_chapter_reads_the_cache(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    first = _analyse(fake_api, tmp_path, FIRST, "--json")
    second = _analyse(fake_api, tmp_path, SECOND, "--json")
    assert first["chapter"] == second["chapter"]
    assert int(first["cache_creation_tokens"]) > 4_096  # type: ignore[call-overload]
    assert first["cache_read_tokens"] == 0
    assert first["cached_share"] == 0.0
    assert first["cache_note"] is None
    read = int(second["cache_read_tokens"])  # type: ignore[call-overload]
    assert read > 4_096
    assert second["cache_creation_tokens"] == 0
    usage = second["usage"]
    assert isinstance(usage, dict)
    assert usage["cache_read_input_tokens"] == read  # the same count, under both names
    total = usage["input_tokens"] + usage["cache_creation_input_tokens"] + read
    assert second["cached_share"] == round(read / total, 4)
    assert float(second["cached_share"]) > 0.8  # type: ignore[arg-type]
    assert second["cache_note"] is None
    # What the fake was sent: the same prefix, marked once, at the end of the system blocks.
    bodies = [r.body for r in fake_api.requests_to("/v1/messages")]
    assert bodies[0]["system"] == bodies[1]["system"]
    assert bodies[1]["system"][-1]["cache_control"] == {"type": "ephemeral"}


def test_a_library_of_one_example_is_too_short_to_cache(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    paths = AppPaths.for_profile(tmp_path)
    paths.ensure()
    conn = open_database(paths.database)
    try:
        examples = seeded_examples(conn)  # the shipped ones, seeded as the app does
        for stored in examples.all()[1:]:
            examples.delete(stored.id)
        assert len(examples.all()) == 1
    finally:
        conn.close()
    reports = [_analyse(fake_api, tmp_path, p, "--json") for p in (FIRST, SECOND)]
    for report in reports:
        assert report["cache_read_tokens"] == report["cache_creation_tokens"] == 0
        assert report["cached_share"] is None
        note = str(report["cache_note"])
        assert note.startswith("prefix too short to cache: about ")
        assert note.endswith("the model caches 4,096 or more")
    text = _analyse(fake_api, tmp_path, FIRST)["text"]
    assert "prefix too short to cache" in str(text)
