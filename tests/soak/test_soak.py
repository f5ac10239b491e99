"""A long session of ordinary use leaves the app alive, its memory flat and its window responsive.

PySide6 6.12.0 on Python 3.11 dropped a reference to ``None`` on every void Qt call and
the reader aborted after about 32,000 of them: ~97 highlights, the 3rd–4th 2,000-hit
search, the 41st reopen of War and Peace, 40 presses of ``]``. This test runs
``tests/soak/session.py`` in a child process (an abort there fails this test instead of
killing pytest): 50 cycles of reopening two books from File → Open Recent, turning
chapters, making and deleting highlights, and searching. That is 3,000 highlights, 200
searches (about 100 of them with ~2,000 results), 500+ chapter turns, 50 reopens of each
book and millions of calls into Qt.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CYCLES = 50
WARM_UP = 2  # Qt's font, glyph and style caches fill during the first cycles
STALL_LIMIT_MS = 50.0  # the issue: no GUI stall over 50 ms
# A lone stall past this is the app's, however busy the machine: three times the limit.
NOISE_CEILING_MS = 150.0
RSS_GROWTH_LIMIT_KB = 30 * 1024
OBJECT_GROWTH_LIMIT = 2_000  # fewer than one object per four actions
NONE_LOSS_LIMIT = 1_000  # a binding losing one reference per void call loses 100,000s
# The offscreen platform says these for every top-level window; not the app's problem.
QT_NOISE = ("This plugin does not support",)


def _run_session(tmp_path: Path) -> tuple[dict[str, object], str]:
    report_file = tmp_path / "soak.json"
    env = {
        name: value
        for name, value in os.environ.items()
        # No API key or gateway: the session never talks to the network.
        if not name.upper().startswith("ANTHROPIC_")
    }
    env["QT_QPA_PLATFORM"] = "offscreen"
    # Never read or write the keyring of whoever runs the tests.
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    command = [
        sys.executable,
        "-X",
        "faulthandler",  # an abort prints where it happened
        "-m",
        "tests.soak.session",
        "--profile-dir",
        str(tmp_path / "profile"),
        "--report",
        str(report_file),
        "--cycles",
        str(CYCLES),
        "--warm-up",
        str(WARM_UP),
    ]
    # A 2-core machine sharing its cores took over 14 minutes: 25 leaves room for a slow
    # one while a hang still ends long before the CI's limit.
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1500, check=False
    )
    if done.returncode < 0:
        name = signal.Signals(-done.returncode).name
        pytest.fail(f"the app died of {name} during the session:\n{done.stderr[-6000:]}")
    assert report_file.exists(), f"no report (exit {done.returncode}):\n{done.stderr[-6000:]}"
    report = json.loads(report_file.read_text(encoding="utf-8"))
    assert "error" not in report, f"{report['error']}\n{done.stderr[-3000:]}"
    assert done.returncode == 0, done.stderr[-6000:]
    return report, done.stderr


def _figures(report: dict[str, object], key: str) -> dict[str, int]:
    figures = report[key]
    assert isinstance(figures, dict), key
    return figures


@pytest.mark.soak
@pytest.mark.gui
@pytest.mark.timeout(1560)
def test_a_long_session_stays_alive_flat_and_responsive(tmp_path: Path) -> None:
    report, stderr = _run_session(tmp_path)
    table = str(report["stall_table"])
    start, warm, end = (_figures(report, key) for key in ("start", "warm", "end"))
    counts = _figures(report, "counts")
    print(f"\nSoak: {CYCLES} cycles in {report['elapsed_s']} s; {json.dumps(counts)}")
    print(f"Qt calls from Python per cycle: {report['qt_calls_per_cycle']:,}")
    print(f"start {start}\nwarm  {warm}\nend   {end}")
    print(f"None's count change by action: {report['none_drift_by_action']}")
    print(f"Python's garbage collector: {report['gc_pauses']}")
    print(table)

    # The workload the issue describes was really done.
    assert counts["highlight"] >= 3_000
    assert counts["search"] >= 200
    assert counts["chapter turn"] >= 500
    assert counts["reopen War and Peace"] >= CYCLES
    assert counts["reopen Moby-Dick"] >= CYCLES
    qt_calls = int(str(report["qt_calls_per_cycle"])) * CYCLES
    assert qt_calls > 1_000_000, f"only about {qt_calls:,} calls into Qt"

    # Every health check is made, so that one run reports every problem at once.
    problems: list[str] = []

    # Alive: the session ended with File → Quit and a clean exit, nothing logged as wrong.
    if report["exit_code"] != 0:
        problems.append(f"the app exited with {report['exit_code']}")
    logged = report["log_problems"]
    assert isinstance(logged, list)
    problems += [f"logged: {line}" for line in logged]
    problems += [
        f"printed: {line}"
        for line in stderr.splitlines()
        if line.strip() and not line.startswith("cycle ") and not line.startswith(QT_NOISE)
    ][:40]

    # None keeps its references: 6.12.0 would have lost one per void call, millions here.
    # (Its count may rise: that cannot free None, and the report shows where it rises.)
    for label, before, after in (
        ("start → end", start["none_refs"], end["none_refs"]),
        ("warm-up → end", warm["none_refs"], end["none_refs"]),
        ("start → after shutdown", start["none_refs"], report["none_refs_after_shutdown"]),
    ):
        if after - before <= -NONE_LOSS_LIMIT:
            problems.append(f"None lost {before - after:,} references ({label})")

    # Memory flat: every cycle ends in the same state (its highlights deleted, the same
    # search shown), so growth between the end of the warm-up and the end is a leak.
    grown_kb = end["rss_kb"] - warm["rss_kb"]
    if grown_kb >= RSS_GROWTH_LIMIT_KB:
        problems.append(f"RSS grew {grown_kb / 1024:.1f} MB after the warm-up")
    grown = end["objects"] - warm["objects"]
    if grown >= OBJECT_GROWTH_LIMIT:
        problems.append(f"{grown:,} more Python objects after the warm-up")

    # Responsive: no action froze the window for longer than the limit. This machine
    # cannot tell the app's work from its own hiccups: benchmarks/machine_noise.py ran
    # the same 20-30 ms of work 1,115 times and saw a p99.9 of 2.8x the median and a
    # worst of 4.6x, with the thread's CPU clock counting all of it and no steal
    # recorded. So a stray run over the limit is put down to the machine when it is rare
    # (one run, or one in 200 of a frequent action) and under NOISE_CEILING_MS; more
    # runs over, or one longer than that, are the app's and fail.
    stalls = report["stalls"]
    assert isinstance(stalls, dict)
    problems += [
        f"GUI stall in {name}: {item['over_50']} of {item['runs']} runs over"
        f" {STALL_LIMIT_MS:.0f} ms, max {item['max_ms']:.0f} ms"
        f" ({item['cpu_ms_of_max']:.0f} ms of it on the CPU)"
        for name, item in stalls.items()
        if item["max_ms"] > NOISE_CEILING_MS or item["over_50"] > max(1, item["runs"] // 200)
    ]
    assert not problems, "\n".join(problems) + "\n" + table
