"""``tone-reader analyze`` when the answer is cut off at its token limit: one line, exit 1,
the ``--max-tokens`` to try again with; and that option on the wire."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from tests.fake_api import GOOD_ANSWER, Reply
from tests.test_cli_analyze import ANSWER, BALLADS, run

if TYPE_CHECKING:
    from pathlib import Path

    from tests.fake_api import FakeAnthropic

FIND = ("--find", "We murder to dissect.", "--model", "claude-haiku-5-5")


def test_a_cut_off_answer_says_which_limit_to_try(fake_api: FakeAnthropic, tmp_path: Path) -> None:
    # Thinking used the whole limit: no answer text at all.
    fake_api.enqueue(Reply("stream", text="", thinking=json.dumps(GOOD_ANSWER),
                           stop_reason="max_tokens", usage={"output_tokens": 1200}))  # fmt: skip
    result = run(fake_api, tmp_path, str(BALLADS), *FIND, "--json")
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "The answer was cut off at 1,200 tokens" in lines[0]
    assert lines[0].endswith("Try again with --max-tokens 2400.")
    assert "Traceback" not in result.stderr

    fake_api.reply_json(ANSWER)
    again = run(fake_api, tmp_path, str(BALLADS), *FIND, "--json", "--max-tokens", "2400")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["tone"] == ANSWER["tone"]
    first, second = fake_api.requests_to("/v1/messages")
    assert (first.body["max_tokens"], second.body["max_tokens"]) == (1200, 2400)
    assert second.body["thinking"] == {"type": "disabled"}
    assert second.body["output_config"]["effort"] == "low"


def test_max_tokens_is_capped_and_checked(fake_api: FakeAnthropic, tmp_path: Path) -> None:
    fake_api.reply_json(ANSWER)
    capped = run(fake_api, tmp_path, str(BALLADS), *FIND, "--max-tokens", "999999")
    assert capped.returncode == 0, capped.stderr
    assert fake_api.requests_to("/v1/messages")[-1].body["max_tokens"] == 128_000
    bad = run(fake_api, tmp_path, str(BALLADS), *FIND, "--max-tokens", "0")
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines() == [bad.stderr.strip()]
