"""``tone-reader import`` and ``examples import`` on hostile files: a FIFO and deep JSON.

Real child processes (run with a time-out, so a hang fails instead of blocking the run).
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING

import pytest

from tests.cli_run import assert_one_error_line, run_cli

if TYPE_CHECKING:
    from pathlib import Path

NOT_REGULAR = "is not a regular file (a pipe, a device or a system file)."
DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize(
    ("command", "name"),
    [(("import",), "annotations.json"), (("examples", "import"), "examples.jsonl")],
)
def test_a_fifo_is_refused_not_waited_on(
    tmp_path: Path, command: tuple[str, ...], name: str
) -> None:
    fifo = tmp_path / name
    os.mkfifo(fifo)
    started = time.perf_counter()
    result = run_cli(tmp_path / "profile", command[0], *command[1:], str(fifo))
    assert time.perf_counter() - started < 30  # run_cli's own time-out is 60 s
    assert result.returncode == 2
    assert_one_error_line(result)
    assert f"“{name}” {NOT_REGULAR}" in result.stderr


def test_an_annotations_file_nested_too_deeply(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"items": ' + DEEP + "}", encoding="utf-8")
    result = run_cli(tmp_path / "profile", "import", str(path))
    assert result.returncode == 2
    assert_one_error_line(result)
    assert "its JSON is nested too deeply" in result.stderr


@pytest.mark.parametrize("name", ["deep.jsonl", "deep.json"])
def test_an_examples_file_nested_too_deeply(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    good = '{"excerpt": "I wandered lonely as a cloud", "tone": "Wistful"}'
    deep = '{"excerpt": ' + DEEP + "}"
    body = f"{deep}\n{good}\n" if name.endswith(".jsonl") else f"[{deep}, {good}]"
    path.write_text(body, encoding="utf-8")
    result = run_cli(tmp_path / "profile", "examples", "import", str(path))
    assert "Traceback" not in result.stderr
    assert result.returncode == 2  # some rows could not be used
    assert "line 1: not valid JSON (it is nested too deeply)" in result.stderr
    # A bad line of JSON lines costs only itself; a broken array cannot be read past it.
    imported = 1 if name.endswith(".jsonl") else 0
    assert result.stdout == f"Imported {imported} example{'' if imported == 1 else 's'}.\n"
