"""The window and every dialog on a screen of a given size (run by test_window_fit.py).

This file is not collected by a plain ``pytest`` run (its name does not start with
``test_``): ``test_window_fit.py`` runs it in a child process whose offscreen screen is
``TONE_READER_TEST_SCREEN`` (e.g. ``1024x600``), since a process has one set of screens.
"""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QApplication, QDialog, QMenu, QToolBar, QWidget

from reader_app.app import _install_excepthook
from reader_app.ui.main_window import MainWindow
from tests.fake_api import VALID_KEY, FakeAnthropic, Reply
from tests.ui.conftest import MakeApp, wait_for_book

if TYPE_CHECKING:
    from pathlib import Path

    from pytestqt.qtbot import QtBot

    from reader_app.app import ReaderApp

ANSWER = {
    "tone": "Gentle",
    "polarity": "positive",
    "emotions": [{"name": "joy", "intensity": 0.6}],
    "evidence": [],
    "explanation": "Calm.",
    "confidence": 0.6,
}
# The keyring is the in-memory one: no D-Bus connection is left open.
pytestmark = pytest.mark.usefixtures("memory_keyring")
# How far a centred window's middle may sit from the middle of the free area: the frame
# is guessed until the window is first shown.
CENTRED_WITHIN = 40


def screen_size() -> tuple[int, int]:
    wanted = os.environ.get("TONE_READER_TEST_SCREEN", "")
    assert wanted, "run through tests/ui/test_window_fit.py, which sets the screen"
    width, height = (int(n) for n in wanted.split("x"))
    return width, height


@pytest.fixture
def area() -> QRect:
    """The free area of the screen, which must be the size asked for."""
    screen = QGuiApplication.primaryScreen()
    assert (screen.geometry().width(), screen.geometry().height()) == screen_size()
    return screen.availableGeometry()


@pytest.fixture
def api(fake_api: FakeAnthropic, monkeypatch: pytest.MonkeyPatch) -> FakeAnthropic:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_api.base_url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", VALID_KEY)
    fake_api.default_reply = Reply("stream", text=json.dumps(ANSWER))
    return fake_api


def assert_fits(window: QWidget, area: QRect, what: str) -> None:
    frame = window.frameGeometry()
    assert area.contains(frame), f"{what}: {frame} is not inside the free area {area}"
    off = frame.center() - area.center()
    assert abs(off.x()) <= CENTRED_WITHIN, f"{what} is not centred: {frame} in {area}"
    assert abs(off.y()) <= CENTRED_WITHIN, f"{what} is not centred: {frame} in {area}"


def open_windows() -> set[int]:
    return {id(w) for w in QApplication.topLevelWidgets() if w.isVisible()}


def opened_by(qtbot: QtBot, fire: object, before: set[int]) -> QWidget:
    """The window that ``fire()`` opened."""
    fire()  # type: ignore[operator]
    found: list[QWidget] = []

    def appeared() -> None:
        found[:] = [
            w
            for w in QApplication.topLevelWidgets()
            if w.isVisible() and id(w) not in before and not isinstance(w, (QMenu, MainWindow))
        ]
        assert found

    qtbot.waitUntil(appeared, timeout=5000)
    return found[0]


def check_dialog(qtbot: QtBot, area: QRect, name: str, fire: object) -> QWidget:
    """Open a window, check that it fits, close it."""
    window = opened_by(qtbot, fire, open_windows())
    assert_fits(window, area, name)
    if isinstance(window, QDialog):
        window.reject()
    else:
        window.close()
    return window


def menu_action(window: MainWindow, action: QAction) -> object:
    """Trigger ``action`` as its menu does (it must be in one of the window's menus)."""

    def held(menu: QMenu) -> bool:
        return any(
            a is action or (isinstance(a.menu(), QMenu) and held(a.menu()))  # type: ignore[arg-type]
            for a in menu.actions()
        )

    menus = [a.menu() for a in window.menuBar().actions()]
    assert any(isinstance(m, QMenu) and held(m) for m in menus), action.text()
    return action.trigger


def test_the_window_fits_and_its_parts_stay_usable(
    qtbot: QtBot, make_app: MakeApp, area: QRect
) -> None:
    app = make_app()
    app.start(None)
    wait_for_book(qtbot, app, "Lyrical Ballads")
    window = app.window
    qtbot.waitExposed(window)
    assert_fits(window, area, "the main window")
    inside = window.rect()
    # The status bar (where "Select a passage first, then press A" shows) is on screen.
    status = window.statusBar()
    assert status.isVisible()
    assert inside.contains(status.geometry())
    # Every toolbar button is shown, none pushed into an overflow menu.
    for bar in window.findChildren(QToolBar):
        for action in bar.actions():
            if action.isSeparator() or not action.isVisible():
                continue
            button = bar.widgetForAction(action)
            assert button is not None
            assert button.isVisible(), f"toolbar: {action.text()} is hidden"
            assert bar.rect().contains(button.geometry()), f"toolbar: {action.text()} is cut"
    # The page is wide and tall enough to read, its footer shown.
    view = window.pane.view
    assert view.width() >= 360, view.width()
    assert view.height() >= 240, view.height()
    assert window.pane.next_button.isVisible()
    assert window.pane.chapter_label.isVisible()
    # The panels left and right keep a usable width, the Tone panel a usable height.
    window.tone_dock.show()
    window.tone_dock.raise_()
    qtbot.waitUntil(lambda: not window.tone_dock.visibleRegion().isEmpty())
    for dock in (window.toc_dock, window.tone_dock):
        assert dock.isVisible()
        assert dock.width() >= 180, (dock.objectName(), dock.width())
        assert dock.height() >= 240, (dock.objectName(), dock.height())


@pytest.mark.usefixtures("allow_log_warnings")  # the crash dialog's error is logged
def test_every_dialog_opened_from_the_menus_fits(
    qtbot: QtBot,
    make_app: MakeApp,
    area: QRect,
    api: FakeAnthropic,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = make_app()
    app.start(None)
    wait_for_book(qtbot, app, "Lyrical Ballads")
    window = app.window
    a = window.actions_
    for name in ("library", "export", "annotations", "examples", "evaluate", "preferences",
                 "font", "shortcuts", "about"):  # fmt: skip
        action = getattr(a, name)
        check_dialog(qtbot, area, action.text(), menu_action(window, action))
    # Whatever else the Help menu opens (a guide, say) fits too.
    help_menu = window.menuBar().actions()[-1].menu()
    assert isinstance(help_menu, QMenu)
    for action in help_menu.actions():
        if action.isSeparator() or action in (a.shortcuts, a.about):
            continue
        check_dialog(qtbot, area, action.text(), action.trigger)
    # The windows opened from those windows.
    a.examples.trigger()
    examples = window.tone.examples_dialog
    assert examples is not None
    check_dialog(qtbot, area, "Examples → Add", examples.add_button.click)
    examples.close()
    a.evaluate.trigger()
    evaluate = window.tone.eval_window
    assert evaluate is not None
    table = tmp_path / "set.csv"
    table.write_text("text,label\nA quiet morning.,positive\nA cold night.,negative\n", "utf-8")
    evaluate.choose_file = lambda: table
    mapping = opened_by(qtbot, evaluate.import_button.click, open_windows())
    assert_fits(mapping, area, "Evaluate → Import File")
    assert isinstance(mapping, QDialog)
    mapping.accept()  # a set of two passages, to run twice
    assert "2 items" in evaluate.sets.currentText()
    for _ in range(2):
        with qtbot.waitSignal(app.eval_service.run_ended, timeout=30_000):
            evaluate.run_button.click()
    evaluate.runs.selectAll()
    check_dialog(qtbot, area, "Evaluate → Compare", evaluate.compare_button.click)
    evaluate.close()
    analyse_a_passage(qtbot, app)
    panel = window.tone_panel
    saved = check_dialog(qtbot, area, "Save as Example", panel.example_button.click)
    assert saved.windowTitle() == "Save as Example"
    corrected = check_dialog(qtbot, area, "Correct…", panel.correct_button.click)
    assert corrected.windowTitle() == "Correct the Answer"
    # The crash dialog, as the app's own error hook opens it.
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    _install_excepthook(app)

    def crash() -> None:
        try:
            raise RuntimeError("a bug")
        except RuntimeError as exc:
            sys.excepthook(type(exc), exc, exc.__traceback__)

    check_dialog(qtbot, area, "the crash dialog", crash)


def analyse_a_passage(qtbot: QtBot, app: ReaderApp) -> None:
    item = app.window.toc.findItems(
        "The Tables Turned", Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive
    )[0]
    app.window.toc.itemClicked.emit(item, 0)
    view = app.window.pane.view
    start = view.text.index("We murder to dissect.")
    view.select_range(start, start + len("We murder to dissect."))
    with qtbot.waitSignal(app.analysis.analysed, timeout=10_000):
        app.window.actions_.analyse.trigger()


def test_a_saved_place_is_kept_only_while_it_fits(
    qtbot: QtBot, make_app: MakeApp, area: QRect
) -> None:
    first = make_app()
    first.start(None)
    wait_for_book(qtbot, first, "Lyrical Ballads")
    qtbot.waitExposed(first.window)
    # The reader makes the window smaller and puts it in a corner: it comes back there.
    small = QRect(area.left() + 20, area.top() + 30, area.width() - 100, area.height() - 80)
    first.window.setGeometry(small)
    qtbot.waitUntil(lambda: first.window.geometry() == small)
    first.window.close()
    first.shutdown()
    second = make_app()
    second.start(None)
    wait_for_book(qtbot, second, "Lyrical Ballads")
    qtbot.waitExposed(second.window)
    assert second.window.geometry() == small
    # A place that no longer fits (saved on a larger screen) is not restored.
    second.window.setGeometry(QRect(0, 0, area.width() + 300, area.height() + 200))
    second.window.close()
    second.shutdown()
    third = make_app()
    third.start(None)
    wait_for_book(qtbot, third, "Lyrical Ballads")
    qtbot.waitExposed(third.window)
    assert_fits(third.window, area, "the window saved too large")
