"""Starting the window from the command line, as a file manager does."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from reader_app.app import run_gui
from reader_app.config.opening_mark import set_mark
from reader_app.core.loaders import load_book
from reader_app.storage.backup import make_backup
from reader_app.storage.books import BookRepository
from reader_app.storage.db import open_database
from reader_app.ui.main_window import MainWindow
from tests.storage.test_recover import PAGE, fill, spoil_pages
from tests.ui.conftest import CORPUS

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    import pytest
    from pytestqt.qtbot import QtBot

    from reader_app.config.paths import AppPaths

FRANKENSTEIN = CORPUS / "books" / "frankenstein_pg84_ascii.txt"
PRIDE = CORPUS / "books" / "pride-and-prejudice_pg1342_utf8-bom.txt"


def test_several_files_open_the_first_and_say_so(
    qtbot: QtBot, profile: AppPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # run_gui installs its own
    seen: dict[str, str] = {}

    def look_then_close() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, MainWindow) and widget.isVisible():
                book = widget.pane.book
                seen["title"] = book.title if book is not None else ""
                seen["banner"] = widget.pane.banner.message
                widget.close()

    QTimer.singleShot(2000, look_then_close)
    code = run_gui(profile, str(FRANKENSTEIN), ["tone-reader"], also_given=[str(PRIDE)])
    assert code == 0
    assert "Frankenstein" in seen["title"]
    assert seen["banner"] == (
        "Tone Reader shows one book at a time, so only the first of the 2 files was opened."
    )
    # The window's delayed start-up work (model list, batch resume) must find it gone.
    qtbot.wait(5200)


def run_and_look(
    profile: AppPaths, look: Callable[[MainWindow], bool], file: str | None = None
) -> int:
    """Run the window as tone-reader does; ``look`` is polled until it returns True."""

    def poll() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, MainWindow) and widget.isVisible() and look(widget):
                widget.close()
                return
        QTimer.singleShot(50, poll)

    QTimer.singleShot(50, poll)
    return run_gui(profile, file, ["tone-reader"])


def settled(window: MainWindow) -> bool:
    # Opened and all shown: the title names the book once its contents and notes are in.
    book = window.pane.book
    return not window._book_service.busy and (
        book is None or window.windowTitle().startswith(book.title)
    )


def test_a_book_whose_open_never_finished_is_not_reopened(
    qtbot: QtBot,
    profile: AppPaths,
    monkeypatch: pytest.MonkeyPatch,
    allow_log_warnings: None,
) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    conn = open_database(profile.database)
    book = load_book(FRANKENSTEIN)
    BookRepository(conn).record_opened(
        book.book_id, str(FRANKENSTEIN), book.title, book.authors, "en", "TXT", 1, 1
    )
    conn.close()
    # What a crash in the middle of opening it leaves behind.
    set_mark(profile.opening_mark, str(FRANKENSTEIN))
    seen: dict[str, object] = {}

    def look(window: MainWindow) -> bool:
        seen["book"] = window.pane.book
        seen["banner"] = window.pane.banner.message
        return settled(window)

    assert run_and_look(profile, look) == 0
    assert seen["book"] is None
    assert seen["banner"] == (
        "Tone Reader closed while opening “frankenstein_pg84_ascii.txt” last time,"
        " so it was not reopened."
    )
    assert not profile.opening_mark.exists()


def test_an_open_that_finishes_clears_its_mark(
    qtbot: QtBot, profile: AppPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    marks: list[bool] = []

    def look(window: MainWindow) -> bool:
        marks.append(profile.opening_mark.exists())
        return window.pane.book is not None and not profile.opening_mark.exists()

    assert run_and_look(profile, look, str(FRANKENSTEIN)) == 0
    assert marks[0]  # down while the book was opening
    assert not profile.opening_mark.exists()


def test_a_damaged_library_is_set_aside_and_its_rows_recovered(
    qtbot: QtBot,
    profile: AppPaths,
    monkeypatch: pytest.MonkeyPatch,
    allow_log_warnings: None,
) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    quotes = fill(profile.database)
    spoil_pages(profile.database, profile.database.stat().st_size // PAGE // 2, 3)
    seen: dict[str, str] = {}

    def look(window: MainWindow) -> bool:
        banner = window.pane.banner
        if "first" not in seen and settled(window) and banner.action_button.isVisible():
            seen["first"] = banner.message
            seen["button"] = banner.action_button.text()
            banner.action_button.click()  # Recover…
        seen["last"] = banner.message
        return banner.message.startswith("Recovered")

    assert run_and_look(profile, look) == 0
    moved = sorted(profile.data_dir.glob("library.sqlite3.damaged-*"))
    assert len(moved) == 1
    assert seen["first"] == (
        f"The library file was damaged, so it was moved aside as {moved[0].name} and a new"
        " library was started. Press Recover to copy back what can be read from it."
    )
    assert seen["button"] == "Recover…"
    conn = open_database(profile.database, check=True)
    back = conn.execute("SELECT count(*) FROM highlights").fetchone()[0]
    # Rows under a lost interior page cannot be reached; the rest come back.
    assert len(quotes) * 0.5 < back < len(quotes)
    assert seen["last"].startswith("Recovered ")
    assert f" books, {back:,} highlights); " in seen["last"]
    conn.close()


def test_a_broken_settings_file_is_named_in_the_banner(
    qtbot: QtBot, profile: AppPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    profile.settings_file.write_text('{"theme": "dark",', "utf-8")
    seen: dict[str, object] = {}

    def look(window: MainWindow) -> bool:
        seen["book"] = window.pane.book
        seen["banner"] = window.pane.banner.message
        return window.pane.book is not None and settled(window)

    assert run_and_look(profile, look) == 0  # the sample book opens; the note stays
    assert seen["banner"] == (
        "Your settings file was damaged, so the defaults are in use; the old file was kept"
        f" as {profile.settings_file}.bad."
    )


# Opens File → Open (Qt's own dialog offscreen, which saves its state in QSettings),
# cancels it and quits.
FILE_DIALOG_CHILD = r"""
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog

original_exec = QApplication.exec

def exec_with_dialog(self):
    from reader_app.ui.main_window import MainWindow

    def cancel():
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QFileDialog) and widget.isVisible():
                widget.reject()
        QTimer.singleShot(200, lambda: [w.close() for w in QApplication.topLevelWidgets()
                                        if isinstance(w, MainWindow)])

    def open_dialog():
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, MainWindow) and widget.isVisible():
                QTimer.singleShot(500, cancel)
                widget.actions_.open.trigger()
                return
        QTimer.singleShot(100, open_dialog)

    QTimer.singleShot(300, open_dialog)
    return original_exec()

QApplication.exec = exec_with_dialog
from reader_app.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_qt_keeps_its_settings_in_the_profile_not_in_home(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    root = tmp_path / "profile"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("XDG_") and k not in ("TONE_READER_HOME", "HOME")
    }
    env.update(HOME=str(home), QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", FILE_DIALOG_CHILD, "--profile-dir", str(root)],
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert sorted(home.rglob("*")) == []
    # The dialog did save its state: in the profile.
    assert (root / "config" / "QtProject.conf").read_text("utf-8").startswith("[FileDialog]")


def test_an_emptied_library_is_recovered_from_the_latest_backup(
    qtbot: QtBot,
    profile: AppPaths,
    monkeypatch: pytest.MonkeyPatch,
    allow_log_warnings: None,
) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    quotes = fill(profile.database)
    make_backup(profile.database, profile.backups_dir, datetime.now().astimezone())
    profile.database.write_bytes(b"")  # emptied outside SQLite
    seen: dict[str, str] = {}

    def look(window: MainWindow) -> bool:
        banner = window.pane.banner
        if "first" not in seen and settled(window) and banner.action_button.isVisible():
            seen["first"] = banner.message
            banner.action_button.click()
        return banner.message.startswith("Recovered")

    assert run_and_look(profile, look) == 0
    assert seen["first"].startswith("The library file was empty, so it was moved aside as")
    assert seen["first"].endswith(
        "Press Recover to copy back what can be read from the latest backup."
    )
    conn = open_database(profile.database)
    assert conn.execute("SELECT count(*) FROM highlights").fetchone()[0] == len(quotes)
    conn.close()
