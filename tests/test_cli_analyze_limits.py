"""``tone-reader analyze`` against a failing or misbehaving API: bounded, one line, nothing lost.

A real process, the real SDK and real HTTP to the fake API; the library is read back
with sqlite3 afterwards.
"""

from __future__ import annotations

import sqlite3
import time
from typing import TYPE_CHECKING

import pytest

from tests.test_cli_analyze import ANSWER, BALLADS, run

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from tests.fake_api import FakeAnthropic

PASSAGE = "We murder to dissect."
# Small limits, so that each misbehaving server is given up on within a second or two.
LIMITS = ("--idle-timeout", "0.5", "--deadline", "1.5")


def library(profile: Path) -> sqlite3.Connection:
    return sqlite3.connect(profile / "data" / "library.sqlite3")


@pytest.mark.parametrize(
    ("script", "words", "kind"),
    [
        (lambda api: api.reply_error(401, "authentication_error", "invalid x-api-key"),
         "rejected (401)", "auth"),
        (lambda api: api.reply_error(529, "overloaded_error", "Overloaded", times=3),
         "overloaded", "overloaded"),
        (lambda api: api.reply_stall(30.0), "took too long", "timeout"),
        (lambda api: api.reply_pings(0.05), "took too long", "timeout"),
        (lambda api: api.reply_raw(b"event: content_block_delta\ndata: {oops\n\n"),
         "could not be read", "malformed"),
        (lambda api: api.reply_stream_error('{"tone": "Ha', "api_error", "boom"),
         "internal error", "server"),
    ],
    ids=["401", "529", "stall", "pings", "malformed", "error-event"],
)  # fmt: skip
def test_save_keeps_the_highlight_when_the_api_fails(
    fake_api: FakeAnthropic,
    tmp_path: Path,
    script: Callable[[FakeAnthropic], object],
    words: str,
    kind: str,
) -> None:
    script(fake_api)
    started = time.perf_counter()
    result = run(fake_api, tmp_path, str(BALLADS), "--find", PASSAGE, "--save", *LIMITS)
    took = time.perf_counter() - started
    assert result.returncode == 1, result.stderr
    assert result.stderr.count("\n") == 1  # one line, no traceback
    assert words in result.stderr
    assert "The highlight is kept, not analysed (highlight 1)." in result.stderr
    assert took < 15  # the process start and SDK import included
    with library(tmp_path) as conn:
        highlights = conn.execute("SELECT id, quote, color FROM highlights").fetchall()
        analyses = conn.execute("SELECT highlight_id, status, error_kind FROM analyses").fetchall()
    assert highlights == [(1, PASSAGE, highlights[0][2])]
    assert analyses == [(1, "failed", kind)]


def test_save_after_a_failure_then_success_keeps_both(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    fake_api.reply_stall(30.0)
    failed = run(fake_api, tmp_path, str(BALLADS), "--find", PASSAGE, "--save", *LIMITS)
    assert failed.returncode == 1
    fake_api.reply_json(ANSWER)
    done = run(fake_api, tmp_path, str(BALLADS), "--find", PASSAGE, "--save", "--json")
    assert done.returncode == 0, done.stderr
    with library(tmp_path) as conn:
        rows = conn.execute(
            "SELECT h.id, h.color, a.status FROM highlights h JOIN analyses a"
            " ON a.highlight_id = h.id ORDER BY a.id"
        ).fetchall()
    # One passage is one highlight: the answer joins the failed attempt in its history,
    # and the highlight takes the answer's colour.
    assert rows == [(1, "disgust", "failed"), (1, "disgust", "ok")]


def test_a_stalled_api_without_save_is_one_line_and_exit_1(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    fake_api.reply_stall(30.0, before_headers=True)
    result = run(fake_api, tmp_path, str(BALLADS), "--find", PASSAGE, *LIMITS)
    assert result.returncode == 1
    assert result.stderr == "tone-reader: The Anthropic API took too long to answer.\n"
    assert not (tmp_path / "data" / "library.sqlite3").exists() or _count(tmp_path) == 0


def _count(profile: Path) -> int:
    with library(profile) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM highlights").fetchone()[0])


def test_an_endless_answer_fails_and_stores_no_analysis(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    fake_api.reply_endless("la la la la la la la la ")
    result = run(fake_api, tmp_path, str(BALLADS), "--find", PASSAGE, "--save")
    assert result.returncode == 1
    assert "far larger than any analysis" in result.stderr
    with library(tmp_path) as conn:
        assert conn.execute("SELECT status, error_kind FROM analyses").fetchall() == [
            ("failed", "too_large")
        ]


def test_several_passages_are_kept_when_the_request_fails(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    fake_api.reply_error(401, "authentication_error", "invalid x-api-key")
    result = run(fake_api, tmp_path, str(BALLADS), "--find", PASSAGE,
                 "--find", "Sweet is the lore which Nature brings;", "--save")  # fmt: skip
    assert result.returncode == 1
    assert "The highlights are kept, not analysed (highlights 1, 2)." in result.stderr
    assert result.stderr.count("\n") == 1
    with library(tmp_path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM highlights").fetchone()[0] == 2
        assert conn.execute("SELECT status FROM analyses").fetchall() == [("failed",)] * 2


def test_bad_limits_are_bad_input(fake_api: FakeAnthropic, tmp_path: Path) -> None:
    result = run(fake_api, tmp_path, str(BALLADS), "--find", PASSAGE, "--deadline", "0")
    assert result.returncode == 2
    assert result.stderr == "tone-reader: --deadline must be between 0 and 86400 seconds\n"
    assert fake_api.requests == []  # the fake was never asked
