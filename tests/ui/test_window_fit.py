"""Windows that fit: the app on a 1366×768 laptop screen and on a 1024×600 netbook screen.

A process has one set of screens, so each size runs ``at_screen_size.py`` in a child
pytest whose offscreen platform is given that screen (its ``configfile`` option).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QRect, QSize
from PySide6.QtWidgets import QDialog, QWidget

from reader_app.ui.screen_fit import FRAME_GUESS, fit_on_show, fit_window, fits

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


@pytest.mark.parametrize("size", ["1366x768", "1024x600"])
def test_windows_fit_the_screen(size: str, tmp_path: Path) -> None:
    width, height = (int(n) for n in size.split("x"))
    screens = {
        "screens": [
            {"name": "test", "x": 0, "y": 0, "width": width, "height": height,
             "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1},
        ],
    }  # fmt: skip
    config = tmp_path / "screens.json"
    config.write_text(json.dumps(screens), "utf-8")
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": f"offscreen:configfile={config}",
        "TONE_READER_TEST_SCREEN": size,
    }
    env.pop("TONE_READER_HOME", None)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(HERE / "at_screen_size.py")],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=300, check=False,
    )  # fmt: skip
    tail = run.stdout[-6000:] + run.stderr[-2000:]
    assert run.returncode == 0, tail
    assert re.search(r"\b3 passed\b", run.stdout), tail


def test_a_window_larger_than_the_free_area_is_cut_down_and_kept_on_it(qtbot: QtBot) -> None:
    window = QWidget()
    area = window.screen().availableGeometry()
    window.resize(area.width() * 2, area.height() * 2)
    assert not fits(window)
    fit_window(window)
    size = window.size()
    assert size.width() == area.width() - FRAME_GUESS.left() - FRAME_GUESS.right()
    assert size.height() == area.height() - FRAME_GUESS.top() - FRAME_GUESS.bottom()
    assert fits(window)
    window.deleteLater()


def test_a_dialog_is_fitted_when_shown_and_centred_over_its_window(qtbot: QtBot) -> None:
    parent = QWidget()
    area = parent.screen().availableGeometry()
    parent.setGeometry(QRect(area.left() + 40, area.top() + 40, 400, 300))
    parent.show()
    dialog = QDialog(parent)
    dialog.resize(QSize(area.width() + 500, 200))  # wider than the screen
    fit_on_show(dialog)
    dialog.show()
    frame = dialog.frameGeometry()
    assert area.contains(frame)
    assert dialog.width() < area.width()
    # Its height was no problem: kept, and centred over the parent as far as it fits.
    assert dialog.height() == 200
    assert abs(frame.center().y() - parent.frameGeometry().center().y()) <= 1
    dialog.close()
    parent.close()
    parent.deleteLater()
