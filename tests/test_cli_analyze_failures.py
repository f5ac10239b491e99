"""``tone-reader analyze`` against the real API's failure modes: one line each, the documented
exit code, and only the requests that should be made.

A real process, the real SDK and real HTTP to the fake API.
"""

from __future__ import annotations

import sqlite3
import time
from typing import TYPE_CHECKING

from tests.fake_api import MESSAGES
from tests.test_cli_analyze import ANSWER, BALLADS, run

if TYPE_CHECKING:
    from pathlib import Path

    from tests.fake_api import FakeAnthropic

PASSAGE = "We murder to dissect."
EDGE_PAGE = (
    "<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\r\n"
    "<center><h1>413 Request Entity Too Large</h1></center>\r\n</body>\r\n</html>\r\n"
)


def analyze(fake_api: FakeAnthropic, profile: Path, *extra: str):  # type: ignore[no-untyped-def]
    return run(fake_api, profile, str(BALLADS), "--find", PASSAGE, *extra)


def test_a_spend_limit_is_one_line_exit_1_and_one_request(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    fake_api.reply_error(429, "rate_limit_error", "You have reached your specified API usage"
                         " limits.", error_code="enforced_spend_limit_reached", times=3)  # fmt: skip
    result = analyze(fake_api, tmp_path, "--save")
    assert result.returncode == 1, result.stderr
    assert result.stderr == (
        "tone-reader: Your organisation's spend limit is reached (429), so no more requests"
        " will go through until it is raised: https://console.anthropic.com/settings/limits"
        " The highlight is kept, not analysed (highlight 1).\n"
    )
    assert result.stdout == ""
    assert len(fake_api.requests_to(MESSAGES)) == 1  # neither the SDK nor the app retried
    with sqlite3.connect(tmp_path / "data" / "library.sqlite3") as conn:
        rows = conn.execute("SELECT status, error_kind FROM analyses").fetchall()
    assert rows == [("failed", "spend_limit")]


def test_a_billing_error_is_one_line_and_exit_1(fake_api: FakeAnthropic, tmp_path: Path) -> None:
    fake_api.reply_error(402, "billing_error", "Your credit balance is too low.", times=3)
    result = analyze(fake_api, tmp_path)
    assert result.returncode == 1, result.stderr
    assert result.stderr.count("\n") == 1
    assert "billing" in result.stderr
    assert "https://console.anthropic.com/settings/billing" in result.stderr
    assert len(fake_api.requests_to(MESSAGES)) == 1


def test_an_html_413_is_one_line_and_exit_1(fake_api: FakeAnthropic, tmp_path: Path) -> None:
    fake_api.reply_html(413, EDGE_PAGE)
    result = analyze(fake_api, tmp_path)
    assert result.returncode == 1, result.stderr
    assert result.stderr == "tone-reader: The service answered with a web page, status 413.\n"
    assert len(fake_api.requests_to(MESSAGES)) == 1


def test_a_stream_of_pings_alone_is_given_up(fake_api: FakeAnthropic, tmp_path: Path) -> None:
    fake_api.reply_pings(0.05)  # never idle; the deadline (two minutes) is far off
    started = time.perf_counter()
    result = analyze(fake_api, tmp_path, "--stall-timeout", "1")
    took = time.perf_counter() - started
    assert result.returncode == 1, result.stderr
    assert result.stderr == (
        "tone-reader: The answer stalled: none of it came for 1 s (the connection was only"
        " kept alive), so it was given up.\n"
    )
    assert took < 15  # the process start and SDK import included
    assert len(fake_api.requests_to(MESSAGES)) == 1


def test_an_overload_before_any_text_is_retried_and_succeeds(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    fake_api.reply_early_error("overloaded_error", "Overloaded")
    fake_api.reply_json(ANSWER)
    result = analyze(fake_api, tmp_path, "--json")
    assert result.returncode == 0, result.stderr
    assert '"tone": "Harsh and Condemning"' in result.stdout
    assert len(fake_api.requests_to(MESSAGES)) == 2


def test_a_bad_stall_timeout_is_bad_input(fake_api: FakeAnthropic, tmp_path: Path) -> None:
    result = analyze(fake_api, tmp_path, "--stall-timeout", "0")
    assert result.returncode == 2
    assert "--stall-timeout must be between 0 and 86400 seconds" in result.stderr
    assert fake_api.requests_to(MESSAGES) == []
