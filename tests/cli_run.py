"""Run ``tone-reader`` in a child process, as a user or a script would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run_cli(profile: Path, command: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``tone-reader --profile-dir PROFILE COMMAND ARGS…``; its output as text.

    The parent's profile override and terminal width are left out, so help and errors
    read the same on every machine.
    """
    env = {k: v for k, v in os.environ.items() if k not in ("TONE_READER_HOME", "COLUMNS")}
    return subprocess.run(
        [sys.executable, "-m", "reader_app", "--profile-dir", str(profile), command, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=60,
        check=False,
    )


def assert_one_error_line(result: subprocess.CompletedProcess[str]) -> None:
    """The command failed with one line on stderr and no traceback."""
    assert result.stderr.startswith("tone-reader")
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
