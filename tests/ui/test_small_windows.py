"""The smaller windows: Keyboard Shortcuts, Evaluate's buttons and empty state, Save as
Example's title, and the Prices table, each opened and driven as the reader does."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMenu, QTabWidget, QWidget

from reader_app.ui.settings_dialog import SettingsDialog
from reader_app.ui.shortcuts_dialog import GROUPS, ShortcutsDialog, plain
from tests.fake_api import VALID_KEY, FakeAnthropic, Reply
from tests.ui.conftest import MakeApp, wait_for_book

if TYPE_CHECKING:
    from collections.abc import Iterator

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

pytestmark = pytest.mark.usefixtures("memory_keyring")


@pytest.fixture
def api(fake_api: FakeAnthropic, monkeypatch: pytest.MonkeyPatch) -> FakeAnthropic:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_api.base_url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", VALID_KEY)
    fake_api.default_reply = Reply("stream", text=json.dumps(ANSWER))
    return fake_api


def started(qtbot: QtBot, make_app: MakeApp) -> ReaderApp:
    app = make_app()
    app.start(None)
    wait_for_book(qtbot, app, "Lyrical Ballads")
    return app


def shown(kind: type[QWidget]) -> QWidget:
    found = [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]
    assert len(found) == 1, found
    return found[0]


def menu_commands(menu: QMenu, path: str = "") -> Iterator[tuple[str, QAction]]:
    for action in menu.actions():
        sub = action.menu()
        if action.isSeparator():
            continue
        if isinstance(sub, QMenu):
            yield from menu_commands(sub, f"{path}{plain(action.text())} → ")
        else:
            yield f"{path}{plain(action.text())}", action


def test_keyboard_shortcuts_list_every_menu_key_once_grouped(
    qtbot: QtBot, make_app: MakeApp
) -> None:
    app = started(qtbot, make_app)
    window = app.window
    window.actions_.shortcuts.trigger()  # Help → Keyboard Shortcuts
    dialog = shown(ShortcutsDialog)
    assert isinstance(dialog, ShortcutsDialog)
    assert dialog.windowTitle() == "Keyboard Shortcuts"
    listed = dialog.listed()
    headings = list(dict.fromkeys(group for group, _c, _k in listed))
    assert headings[: len(GROUPS)] == list(GROUPS)
    lines = {(command, key) for _g, command, key in listed}
    # Every command of every menu with a key is there, with the key its menu shows.
    with_keys = []
    for top in window.menuBar().actions():
        menu = top.menu()
        assert isinstance(menu, QMenu)
        for name, action in menu_commands(menu):
            key = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            if key:
                with_keys.append(name)
                assert (name, key) in lines, f"{name} ({key}) is not listed"
    assert len(with_keys) >= 30
    keys = {key for _g, _c, key in listed}
    for expected in ("F1", "F9", "F10", "F11", "A", "H", "Space", "Shift+Space", "Ctrl+Z"):
        assert expected in keys, expected
    # One readable key per line: none of Qt's alternates ("Ctrl+Z, F14, Undo").
    assert all(", " not in key for key in keys)
    assert not keys & {"F14", "Undo", "Find", "Open"}
    assert len(listed) == len({command for _g, command, _k in listed})
    by_group = {command: group for group, command, _k in listed}
    assert by_group["Analyse Tone"] == "Tone analysis"
    assert by_group["Undo Delete Highlight"] == "Highlights and notes"
    assert by_group["Next Chapter"] == "Reading and navigation"
    assert by_group["Full Screen"] == "View"
    dialog.reject()


def test_evaluate_buttons_follow_the_run_and_say_what_to_do(
    qtbot: QtBot, make_app: MakeApp, api: FakeAnthropic
) -> None:
    api.default_reply = Reply("stream", text=json.dumps(ANSWER), chunk_delay=0.05, chunk_size=40)
    app = started(qtbot, make_app)
    app.window.actions_.evaluate.trigger()  # Edit → Evaluate Answers
    window = app.window.tone.eval_window
    assert window is not None
    qtbot.waitExposed(window)

    def buttons() -> tuple[bool, bool, bool]:
        return (window.run_button.isEnabled(), window.cancel_button.isEnabled(),
                window.resume_button.isEnabled())  # fmt: skip

    # No set yet: the window says how to get one, and nothing can run.
    assert window.empty_state.isVisible()
    guide = window.empty_state.text()
    assert "No evaluation set yet" in guide
    assert "Add Sample Set" in guide
    assert "Import File" in guide
    assert not window.runs.isVisible()
    assert buttons() == (False, False, False)
    # A set, no run: press Run.
    window.sample_button.click()
    assert "No run of this set yet" in window.empty_state.text()
    assert "40 passages" in window.empty_state.text()
    assert buttons() == (True, False, False)
    # Running: only Cancel; no figure until an answer counts.
    window.run_button.click()
    assert buttons() == (False, True, False)
    assert window.runs.isVisible()
    assert not window.empty_state.isVisible()
    assert window.runs.item(0, 5).text() == "—"
    assert window.runs.item(0, 7).text().startswith("running")
    figures = figure_values(window)
    assert figures["Accuracy"] == "—"
    assert figures["95% interval (Wilson)"] == "—"
    qtbot.waitUntil(lambda: window.progress.value() >= 2, timeout=20_000)
    assert window.runs.item(0, 5).text() != "—"
    with qtbot.waitSignal(app.eval_service.run_ended, timeout=20_000):
        window.cancel_button.click()
    # Stopped part-way: it can be resumed, or a new run started.
    assert buttons() == (True, False, True)
    assert window.runs.item(0, 7).text().startswith("cancelled")
    api.default_reply = Reply("stream", text=json.dumps(ANSWER))
    with qtbot.waitSignal(app.eval_service.run_ended, timeout=30_000):
        window.resume_button.click()
        assert buttons() == (False, True, False)
    # Done: nothing left to resume.
    assert buttons() == (True, False, False)
    assert window.runs.item(0, 7).text() == "done"
    assert "of 40" in window.runs.item(0, 5).text()


def figure_values(window: object) -> dict[str, str]:
    grid = window.report.grid  # type: ignore[attr-defined]
    values = {}
    for row in range(grid.rowCount()):
        for column in range(0, grid.columnCount(), 2):
            name, value = grid.itemAtPosition(row, column), grid.itemAtPosition(row, column + 1)
            if name is not None and value is not None:
                values[name.widget().text()] = value.widget().text()
    return values


def test_save_as_example_is_titled_for_what_it_does(
    qtbot: QtBot, make_app: MakeApp, api: FakeAnthropic
) -> None:
    app = started(qtbot, make_app)
    item = app.window.toc.findItems(
        "The Tables Turned", Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive
    )[0]
    app.window.toc.itemClicked.emit(item, 0)
    view = app.window.pane.view
    start = view.text.index("We murder to dissect.")
    view.select_range(start, start + len("We murder to dissect."))
    with qtbot.waitSignal(app.analysis.analysed, timeout=10_000):
        app.window.actions_.analyse.trigger()
    panel = app.window.tone_panel
    panel.example_button.click()
    dialog = app.window.tone.correction_forms.dialog
    assert dialog is not None
    assert dialog.isVisible()
    assert dialog.windowTitle() == "Save as Example"
    save = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save)
    assert save.text() == "Save Example"
    assert dialog.as_example.isChecked()
    assert not dialog.as_example.isVisible()  # always kept as an example: not asked again
    dialog.reject()
    panel.correct_button.click()
    dialog = app.window.tone.correction_forms.dialog
    assert dialog.windowTitle() == "Correct the Answer"
    assert dialog.as_example.isVisible()
    assert not dialog.as_example.isChecked()
    dialog.reject()


def test_prices_headers_are_not_cut(qtbot: QtBot, make_app: MakeApp) -> None:
    app = started(qtbot, make_app)
    app.window.actions_.preferences.trigger()  # Edit → Tone Analysis Settings
    dialog = shown(SettingsDialog)
    assert isinstance(dialog, SettingsDialog)
    table = dialog.prices
    tabs = dialog.findChild(QTabWidget)
    assert tabs.tabText(2) == "Prices"
    tabs.setCurrentIndex(2)
    qtbot.waitExposed(table)
    header = table.horizontalHeader()
    metrics = header.fontMetrics()
    for column in range(table.columnCount()):
        text = table.horizontalHeaderItem(column).text()
        assert header.sectionSize(column) >= metrics.horizontalAdvance(text) + 8, text
        # The numbers fit too.
        widget = table.cellWidget(0, column)
        if widget is not None:
            assert header.sectionSize(column) >= widget.sizeHint().width()
    assert not table.verticalHeader().isVisible()
    assert header.sectionSize(1) >= metrics.horizontalAdvance("Input $/M tokens")
    dialog.reject()
