"""``tone-reader eval`` against hostile input and a misbehaving API: bounded, one line each.

A real process, the real SDK, real HTTP to the fake API.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import TYPE_CHECKING

from tests.fake_api import VALID_KEY
from tests.test_cli_eval import ROOT, SAMPLE, run

if TYPE_CHECKING:
    from pathlib import Path

    from tests.fake_api import FakeAnthropic

COLUMNS = ("--text-column", "verse_text", "--label-column", "label")


def test_a_fifo_dataset_is_refused_at_once(fake_api: FakeAnthropic, tmp_path: Path) -> None:
    fifo = tmp_path / "set.csv"
    os.mkfifo(fifo)
    started = time.perf_counter()
    result = run(fake_api, tmp_path, str(fifo), *COLUMNS)  # a 60 s timeout, never reached
    assert time.perf_counter() - started < 30
    assert result.returncode == 2
    assert result.stderr == (
        "tone-reader: “set.csv” is not a regular file (a pipe, a device or a system file).\n"
    )


def test_each_item_has_an_idle_time_out(fake_api: FakeAnthropic, tmp_path: Path) -> None:
    fake_api.reply_stall(30.0)
    fake_api.reply_stall(30.0)
    started = time.perf_counter()
    result = run(fake_api, tmp_path, str(SAMPLE), *COLUMNS, "--limit", "2", "--concurrency", "1",
                 "--idle-timeout", "0.5")  # fmt: skip
    took = time.perf_counter() - started
    assert result.returncode == 1
    assert "2 item(s) failed (timeout): The Anthropic API took too long to answer." in result.stderr
    assert "every item failed" in result.stderr
    assert "Traceback" not in result.stderr
    assert took < 20


def test_each_item_has_a_deadline(fake_api: FakeAnthropic, tmp_path: Path) -> None:
    fake_api.reply_pings(0.05)  # never idle, never done
    result = run(fake_api, tmp_path, str(SAMPLE), *COLUMNS, "--limit", "1", "--deadline", "1",
                 "--idle-timeout", "0.5", "--json")  # fmt: skip
    assert result.returncode == 1
    assert "(timeout)" in result.stderr
    assert "no complete answer within 1 s" in result.stderr


def test_limit_reads_only_the_first_rows(fake_api: FakeAnthropic, tmp_path: Path) -> None:
    """``eval --limit 1`` read a whole 1 GB CSV (4.2 GB of RAM); now memory stays flat."""
    big = tmp_path / "big.csv"
    header, first = SAMPLE.read_text(encoding="utf-8").splitlines()[:2]
    filler = (first + "\n").encode() * 20_000
    with big.open("wb") as handle:
        handle.write(header.encode() + b"\n")
        while handle.tell() < 200 << 20:
            handle.write(filler)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    env.update(ANTHROPIC_BASE_URL=fake_api.base_url, NO_PROXY="127.0.0.1,localhost",
               ANTHROPIC_API_KEY=VALID_KEY, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")  # fmt: skip
    # The child reports its own peak (VmHWM belongs to the new process image; the rusage
    # of a child also counts the parent's memory at the fork, here a large pytest).
    code = (
        "import runpy, sys\n"
        "try:\n"
        "    runpy.run_module('reader_app', run_name='__main__', alter_sys=True)\n"
        "finally:\n"
        "    with open('/proc/self/status') as status:\n"
        "        sys.stderr.write(next(l for l in status if l.startswith('VmHWM')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, "--profile-dir", str(tmp_path), "eval", str(big),
         *COLUMNS, "--limit", "1", "--json"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert len(fake_api.requests_to("/v1/messages")) == 1
    peak_kb = int(result.stderr.splitlines()[-1].split()[1])
    # The SDK and the library cost about 90 MB; the file's 200 MB is not read.
    assert peak_kb < 150 << 10, peak_kb
