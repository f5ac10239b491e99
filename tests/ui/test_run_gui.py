"""Starting the window from the command line, as a file manager does."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from reader_app.app import run_gui
from reader_app.ui.main_window import MainWindow
from tests.ui.conftest import CORPUS

if TYPE_CHECKING:
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
