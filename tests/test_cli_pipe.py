"""A reader of the output that goes away early (``tone-reader inspect … | head``)."""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

from tests.cli_run import REPO

if TYPE_CHECKING:
    from pathlib import Path

BOOK = REPO.parent / "shared" / "corpus" / "books" / "war-and-peace_pg2600_utf8-bom.txt"


def test_a_closed_pipe_ends_the_command_quietly(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "reader_app", "--profile-dir", str(tmp_path), "inspect",
               str(BOOK), "--json"]  # fmt: skip
    with subprocess.Popen(
        command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as process:
        assert process.stdout is not None
        assert process.stdout.read(10).startswith(b"{")
        process.stdout.close()  # the reader stops after the first line, as head does
        assert process.stderr is not None
        errors = process.stderr.read().decode("utf-8")
        assert process.wait(timeout=60) == 1
    assert errors == ""
