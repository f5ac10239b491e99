"""Print the fuzz figures (inputs, errors, worst time and heap) after the run."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.fuzz.harness import STATS, max_rss_bytes

if TYPE_CHECKING:
    import pytest


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not STATS.targets:
        return
    terminalreporter.section("fuzz figures")
    for name, stats in sorted(STATS.targets.items()):
        terminalreporter.write_line(
            f"{name:<22} inputs {stats.inputs:>5}  expected errors {stats.expected_errors:>5}"
            f"  worst {stats.worst_seconds * 1000:7.1f} ms"
            f"  heap peak {stats.worst_peak / 2**20:6.1f} MB"
        )
    terminalreporter.write_line(f"process peak RSS {max_rss_bytes() / 2**20:.0f} MB")
