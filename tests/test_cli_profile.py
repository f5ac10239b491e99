"""What the command line says about the profile: a broken settings file, a damaged library."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader_app.cli.profile import writes_library
from reader_app.config.paths import AppPaths
from tests.cli_run import assert_one_error_line, run_cli

REPO = Path(__file__).resolve().parents[1]
PRIDE = REPO.parent / "shared" / "corpus" / "books" / "pride-and-prejudice_pg1342_utf8-bom.txt"


def test_a_broken_settings_file_is_set_aside_and_said_once(tmp_path: Path) -> None:
    paths = AppPaths.for_profile(tmp_path / "profile")
    paths.ensure()
    paths.settings_file.write_bytes(b'{"theme": ')
    first = run_cli(tmp_path / "profile", "examples", "list")
    assert first.returncode == 0
    assert first.stderr == (
        "tone-reader: Your settings file was damaged, so the defaults are in use; the old"
        f" file was kept as {paths.settings_file}.bad.\n"
    )
    assert Path(f"{paths.settings_file}.bad").read_bytes() == b'{"theme": '
    # Said once: the next run finds no broken file.
    assert run_cli(tmp_path / "profile", "examples", "list").stderr == ""


def test_a_damaged_library_is_one_line_and_exit_2(tmp_path: Path) -> None:
    paths = AppPaths.for_profile(tmp_path / "profile")
    paths.ensure()
    paths.database.write_bytes(b"this is not a library " * 300)
    result = run_cli(tmp_path / "profile", "examples", "list")
    assert result.returncode == 2
    assert_one_error_line(result)
    assert result.stderr == (
        "tone-reader: The library file is damaged or is not a Tone Reader library. Open Tone"
        " Reader's window to set it aside and recover what can be read.\n"
    )
    # The command line leaves the file for the window to deal with.
    assert paths.database.read_bytes() == b"this is not a library " * 300
    # A command that does not use the library still works.
    assert run_cli(tmp_path / "profile", "inspect", str(PRIDE)).returncode == 0


def test_an_empty_library_file_is_reported_not_taken_for_a_new_one(tmp_path: Path) -> None:
    paths = AppPaths.for_profile(tmp_path / "profile")
    paths.ensure()
    paths.database.write_bytes(b"")
    result = run_cli(tmp_path / "profile", "import", str(tmp_path / "none.txt"))
    assert result.returncode == 2
    assert result.stderr == (
        "tone-reader: The library file is empty (0 bytes). Open Tone Reader's window to set"
        " it aside and recover what can be read.\n"
    )
    assert paths.database.stat().st_size == 0


@pytest.mark.parametrize(
    ("argv", "writes"),
    [
        (["import", "clips.txt"], True),
        (["eval", "data.csv"], True),
        (["analyze", "book.txt", "--find", "x", "--save"], True),
        (["analyze", "book.txt", "--find", "x"], False),
        (["examples", "add", "--text", "t"], True),
        (["examples", "import", "e.jsonl"], True),
        (["examples", "list"], False),
        (["examples", "export", "-o", "e.jsonl"], False),
        (["export", "--all", "--format", "md"], False),
    ],
)
def test_only_commands_that_write_take_the_profile_lock(argv: list[str], writes: bool) -> None:
    assert writes_library(argv[0], argv[1:]) is writes
