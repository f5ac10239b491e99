"""Two processes on one profile: a second window is refused, a writing command waits then
says so, reading commands go ahead. Real processes, real locks.

A window and a command once wrote to the same library behind each other's back, and a
deleted ``-wal`` then lost 500 committed rows when the window closed.
"""

from __future__ import annotations

import fcntl
import os
import signal
import sqlite3
import time
from pathlib import Path
from typing import TYPE_CHECKING

from reader_app.config.paths import AppPaths
from reader_app.config.profile_lock import WAIT_SECONDS, ProfileLock, lock_for_command
from tests.cli_run import assert_one_error_line, run_cli
from tests.durability.gui_child import start_gui

if TYPE_CHECKING:
    import subprocess

    import pytest

ROOT = Path(__file__).resolve().parents[2]
PRIDE = ROOT.parent / "shared" / "corpus" / "books" / "pride-and-prejudice_pg1342_utf8-bom.txt"
OPENING = (
    "It is a truth universally acknowledged, that a single man in possession of a good"
    " fortune, must be in want of a wife."
)
CLIPPINGS = (
    "Pride and Prejudice (Austen, Jane)\r\n- Your Highlight on page 1 | Location 10-12 |"
    f" Added on Monday, April 21, 2014 10:08:07 PM\r\n\r\n{OPENING}\r\n==========\r\n"
)


def wait_until_window_holds(paths: AppPaths, child: subprocess.Popen[str]) -> None:
    """Poll (with a shared lock, which the window waits out) until the window has the profile."""
    for _ in range(300):
        assert child.poll() is None, child.communicate()[1]
        if paths.lock_file.exists():
            fd = os.open(paths.lock_file, os.O_RDONLY)
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return
            finally:
                os.close(fd)
        time.sleep(0.1)
    raise AssertionError("the window never took the profile")


def highlights_in(paths: AppPaths) -> int:
    conn = sqlite3.connect(paths.database)
    try:
        return int(conn.execute("SELECT count(*) FROM highlights").fetchone()[0])
    finally:
        conn.close()


def test_a_second_window_and_a_writing_command_are_refused(tmp_path: Path) -> None:
    root = tmp_path / "profile"
    paths = AppPaths.for_profile(root)
    clippings = tmp_path / "My Clippings.txt"
    clippings.write_text(CLIPPINGS, "utf-8")
    window = start_gui(root, str(PRIDE))
    try:
        wait_until_window_holds(paths, window)
        # A second window: one line, at once.
        second = start_gui(root)
        _out, err = second.communicate(timeout=60)
        assert second.returncode == 2
        assert err == "tone-reader: Tone Reader is already open with this profile.\n"
        # Reading commands need no lock.
        assert run_cli(root, "inspect", str(PRIDE)).returncode == 0
        listed = run_cli(root, "examples", "list")
        assert listed.returncode == 0, listed.stderr
        # A command that writes (what lost the rows) waits for the window, then says so.
        started = time.monotonic()
        refused = run_cli(root, "import", str(clippings))
        waited = time.monotonic() - started
        assert refused.returncode == 2
        assert_one_error_line(refused)
        assert "Tone Reader is open with this profile" in refused.stderr
        assert waited >= WAIT_SECONDS  # it waited for the window before giving up
    finally:
        window.send_signal(signal.SIGTERM)
        window.communicate(timeout=60)
    # The window is gone (killed, even): the kernel let its locks go, and the import runs.
    assert highlights_in(paths) == 0
    done = run_cli(root, "import", str(clippings))
    assert done.returncode == 0, done.stderr
    assert highlights_in(paths) == 1


def test_writing_commands_share_the_profile_but_never_with_a_window(tmp_path: Path) -> None:
    lock = tmp_path / "profile.lock"
    window = tmp_path / "window.lock"
    first = lock_for_command(lock, wait=0)
    second = lock_for_command(lock, wait=0)  # two imports at once: SQLite orders them
    assert first.held
    assert second.held
    exclusive = ProfileLock(lock, shared=False)
    assert not exclusive.acquire(wait=0.3)
    first.release()
    second.release()
    assert exclusive.acquire(wait=0)
    assert not ProfileLock(lock, shared=True).acquire(wait=0)
    exclusive.release()
    assert ProfileLock(window, shared=False).acquire(wait=0)


def test_the_lock_file_does_not_leak_into_the_profile_listing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Commands that read only take no lock, so they run beside a window and leave nothing.
    root = tmp_path / "profile"
    assert run_cli(root, "inspect", str(PRIDE)).returncode == 0
    assert not AppPaths.for_profile(root).lock_file.exists()
    assert run_cli(root, "examples", "list").returncode == 0
    assert not AppPaths.for_profile(root).lock_file.exists()
