"""``tone-reader analyze --batch-api``: created once, and ended cleanly (a real process)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from reader_app.ai.batch_limits import RESULTS_GONE
from tests.fake_api import BATCHES
from tests.test_cli_analyze import ANSWER, BALLADS, run

if TYPE_CHECKING:
    from pathlib import Path

    from tests.fake_api import FakeAnthropic

ARGS = ("--find", "We murder to dissect.", "--find", "We murder", "--batch-api",
        "--poll-interval", "0.01", "--json")  # fmt: skip


def test_a_create_that_fails_after_landing_sends_one_batch(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    fake_api.batch_default_answer = ANSWER
    fake_api.batch_fail_after_create = (502,)  # created, then the answer is lost
    result = run(fake_api, tmp_path, str(BALLADS), *ARGS)
    assert result.returncode == 0, result.stderr
    assert [r["tone"] for r in json.loads(result.stdout)] == [ANSWER["tone"]] * 2
    assert len(fake_api.batches) == 1
    assert sum(1 for r in fake_api.requests_to(BATCHES) if r.method == "POST") == 1


def test_archived_results_end_with_one_line(fake_api: FakeAnthropic, tmp_path: Path) -> None:
    fake_api.batch_archived = True
    result = run(fake_api, tmp_path, str(BALLADS), *ARGS)
    assert result.returncode == 1
    assert RESULTS_GONE in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_the_spend_limit_ends_with_one_line(fake_api: FakeAnthropic, tmp_path: Path) -> None:
    fake_api.batch_spend_limited = True
    result = run(fake_api, tmp_path, str(BALLADS), *ARGS)
    assert result.returncode == 1
    assert "spend limit" in result.stderr.lower()
    assert "Traceback" not in result.stderr
    (batch_id,) = fake_api.batches
    assert len(fake_api.requests_to(f"{BATCHES}/{batch_id}")) <= 3  # the SDK's retries at most
