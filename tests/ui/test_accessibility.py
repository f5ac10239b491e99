"""Every control can be named by a screen reader, and every menu command reached by keyboard."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from reader_app.ui.about_dialog import AboutDialog
from reader_app.ui.crash_dialog import CrashDialog

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from PySide6.QtGui import QAction
    from pytestqt.qtbot import QtBot

    from reader_app.app import ReaderApp
    from tests.ui.conftest import MakeApp

CONTROLS = (
    QAbstractButton,
    QLineEdit,
    QComboBox,
    QAbstractItemView,
    QAbstractSpinBox,
    QPlainTextEdit,
    QTextEdit,
)


def _describe(widget: QWidget) -> str:
    chain = []
    current: QWidget | None = widget
    while current is not None:
        chain.append(current.objectName() or type(current).__name__)
        current = current.parentWidget()
    return " < ".join(chain)


def _ancestor(widget: QWidget) -> QWidget | None:
    parent = widget.parentWidget()
    return parent.parentWidget() if parent is not None else None


def unnamed_controls(top: QWidget, *, visible_only: bool = True) -> list[str]:
    """The controls under ``top`` that a screen reader would announce without a name."""
    buddies = {id(label.buddy()) for label in top.findChildren(QLabel) if label.buddy()}
    missing = []
    for widget in top.findChildren(QWidget):
        if not isinstance(widget, CONTROLS) or (visible_only and not widget.isVisible()):
            continue
        if widget.accessibleName() or id(widget) in buddies:
            continue
        if isinstance(widget, QAbstractButton) and widget.text().replace("&", "").strip():
            continue
        # A combo's editor and a spin box's editor are announced through their owner.
        parent = widget.parentWidget()
        if isinstance(widget, QLineEdit) and isinstance(parent, (QComboBox, QAbstractSpinBox)):
            continue
        # A line edit's clear button and a combo's pop-up list belong to Qt, and are
        # announced through their owner.
        if isinstance(parent, QLineEdit) or isinstance(_ancestor(widget), QComboBox):
            continue
        # Qt's own helpers (a table's corner button) are not ours to name.
        if widget.objectName().startswith("qt_"):
            continue
        # Headers are announced as the column titles of the table that owns them.
        if isinstance(widget, QHeaderView) and isinstance(parent, QAbstractItemView):
            continue
        missing.append(_describe(widget))
    return missing


@pytest.fixture(autouse=True)
def no_system_keyring() -> Iterator[None]:
    """Keep the settings dialog away from the real keyring and its D-Bus connection."""
    import keyring
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def _settings(app: ReaderApp) -> None:
    app.open_settings()


def _examples(app: ReaderApp) -> None:
    app.window.tone.show_examples()


def _evaluation(app: ReaderApp) -> None:
    app.window.tone.show_evaluation()


def _annotations(app: ReaderApp) -> None:
    app.window.show_annotations()


def _export(app: ReaderApp) -> None:
    app.window.export_annotations()


def _about(app: ReaderApp) -> None:
    app.window.actions_.about.trigger()


def _library(app: ReaderApp) -> None:
    app.window.show_library()


OPENERS: dict[str, Callable[[ReaderApp], None]] = {
    "settings": _settings,
    "examples": _examples,
    "evaluation": _evaluation,
    "annotations": _annotations,
    "export": _export,
    "about": _about,
    "library": _library,
}


def test_main_window_controls_have_names(make_app: MakeApp, qtbot: QtBot) -> None:
    app = make_app()
    app.window.show()
    qtbot.waitExposed(app.window)
    # Hidden ones too: the tone panel's parts appear only once there is an answer.
    missing = unnamed_controls(app.window, visible_only=False)
    assert missing == [], "\n".join(missing)


@pytest.mark.parametrize("name", sorted(OPENERS))
def test_dialog_controls_have_names(make_app: MakeApp, qtbot: QtBot, name: str) -> None:
    app = make_app()
    app.window.show()
    qtbot.waitExposed(app.window)
    before = {id(w) for w in QApplication.topLevelWidgets() if w.isVisible()}
    OPENERS[name](app)
    opened = [w for w in QApplication.topLevelWidgets() if w.isVisible() and id(w) not in before]
    assert opened, f"no {name} window opened"
    try:
        for top in opened:
            missing = unnamed_controls(top, visible_only=False)
            assert missing == [], "\n".join(missing)
    finally:
        for top in opened:
            top.close()


def test_about_and_crash_dialogs_have_names(qtbot: QtBot, tmp_path: Path) -> None:
    for dialog in (AboutDialog(), CrashDialog(tmp_path / "tone-reader.log")):
        qtbot.addWidget(dialog)
        dialog.show()
        assert unnamed_controls(dialog, visible_only=False) == []


def test_every_menu_command_is_reachable_by_keyboard(make_app: MakeApp) -> None:
    app = make_app()
    bar = app.window.menuBar()
    problems = []

    def clashes(actions: list[QAction], path: str) -> None:
        # Two entries with one mnemonic need the key pressed twice: each must be unique.
        seen: dict[str, str] = {}
        for action in actions:
            key = mnemonic(action.text())
            if key and key in seen and action.isVisible():
                problems.append(f"{path}: {seen[key]!r} and {action.text()!r} share &{key}")
            seen.setdefault(key, action.text())

    def walk(menu: QMenu, path: str) -> None:
        clashes(menu.actions(), path)
        for action in menu.actions():
            if action.isSeparator() or not action.isVisible():
                continue
            label = f"{path} > {action.text()}"
            sub = action.menu()
            if isinstance(sub, QMenu):
                if "&" not in action.text():
                    problems.append(f"submenu without mnemonic: {label}")
                walk(sub, label)
            elif "&" not in action.text() and action.shortcut().isEmpty():
                problems.append(f"no mnemonic or shortcut: {label}")

    clashes(bar.actions(), "menu bar")
    for action in bar.actions():
        menu = action.menu()
        if not isinstance(menu, QMenu):
            continue
        if "&" not in action.text():
            problems.append(f"menu without mnemonic: {action.text()}")
        walk(menu, action.text())
    assert problems == []


def mnemonic(text: str) -> str:
    """The letter after a single "&", lower-cased; "" when there is none."""
    cleaned = text.replace("&&", "")
    at = cleaned.find("&")
    return cleaned[at + 1].lower() if 0 <= at < len(cleaned) - 1 else ""
