"""A crash while opening a book does not repeat at the next start.

The real ``tone-reader BOOK`` is killed with SIGKILL while it is opening the book (the
profile's opening mark is down); the next plain ``tone-reader`` must not open that book
again, must say why, and later starts must not try it either.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from reader_app.config.paths import AppPaths
from tests.durability.gui_child import probe_gui, start_gui

ROOT = Path(__file__).resolve().parents[2]
WAR = ROOT.parent / "shared" / "corpus" / "books" / "war-and-peace_pg2600_utf8-bom.txt"
ATTEMPTS = 5


def kill_while_opening(root: Path, book: Path) -> bool:
    """Start ``tone-reader BOOK`` and SIGKILL it as soon as the opening mark is down.

    Returns:
        True when the kill landed mid-open (the mark survived it).
    """
    mark = AppPaths.for_profile(root).opening_mark
    child = start_gui(root, str(book))
    try:
        for _ in range(20_000):  # bounded: about 20 s of polling at most
            if mark.exists() or child.poll() is not None:
                break
            time.sleep(0.001)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.communicate(timeout=60)
    return mark.exists()


def test_a_book_killed_mid_open_is_not_reopened(tmp_path: Path) -> None:
    root = tmp_path / "profile"
    paths = AppPaths.for_profile(root)
    # A normal start: the book opens, becomes the last one read, and the mark comes off.
    shown = probe_gui(root, str(WAR))
    assert shown["book"] == "War and Peace"
    assert not paths.opening_mark.exists()
    # Killed mid-open; the kill can race the end of the open, so try a few times.
    assert any(kill_while_opening(root, WAR) for _ in range(ATTEMPTS))
    shown = probe_gui(root)
    assert shown["book"] is None
    assert shown["banner"] == (
        "Tone Reader closed while opening “war-and-peace_pg2600_utf8-bom.txt” last time,"
        " so it was not reopened."
    )
    assert not paths.opening_mark.exists()
    # The start after that does not go back to it either, and says nothing.
    shown = probe_gui(root)
    assert shown["book"] != "War and Peace"
    assert shown["banner"] == ""
    # The user can still choose to open it.
    assert probe_gui(root, str(WAR))["book"] == "War and Peace"
