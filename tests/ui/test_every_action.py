"""Every menu command and every listed shortcut, in the app as tone-reader starts it.

Each one must do something the reader can see: open a window or dialog, show or raise a
panel, change what the window shows (chapter, selection, highlights, theme, size, ...) or
say in the status bar or banner why it cannot. A silent command fails the test, named by its
menu path (Edit → Tone Analysis Settings… once did nothing in the app as users start it).
"""

from __future__ import annotations

import functools
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pytest
import shiboken6
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QDialog,
    QDockWidget,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QTextEdit,
    QWidget,
)

from reader_app.app import run_gui
from reader_app.ui.main_window import MainWindow
from reader_app.ui.shortcuts_dialog import ShortcutsDialog, plain
from tests.fake_api import VALID_KEY, FakeAnthropic
from tests.ui.conftest import CORPUS, MemoryKeyring

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from pytestqt.qtbot import QtBot

    from reader_app.config.paths import AppPaths

BOOK = CORPUS / "books" / "frankenstein_pg84_ascii.txt"
# A short second book, so that File → Open Recent has a book to switch to.
OTHER_BOOK = CORPUS / "books" / "songs-of-innocence-and-of-experience_blake.md"
# A passage well inside the first chapter's text: offsets into the chapter.
PASSAGE = (200, 260)
# How long a command may take to show its effect (background work, a dialog opening).
EFFECT_MS = 2000

Snapshot = dict[str, object]


def visible_state(window: MainWindow) -> Snapshot:
    """What the reader can see in the main window, widget by widget, and the clipboard."""
    state: Snapshot = {
        "full screen": window.isFullScreen(),
        "settings": window.settings,
        "clipboard": QGuiApplication.clipboard().text(),
    }
    for number, widget in enumerate(window.findChildren(QWidget)):
        if not shiboken6.isValid(widget) or widget.window() is not window:
            continue  # gone while the list was read, or in a window of its own
        if not widget.isVisible():
            continue
        key = f"{type(widget).__name__}#{widget.objectName()}@{number}"
        if isinstance(widget, QDockWidget):
            state[key] = not widget.visibleRegion().isEmpty()  # raised, not behind a tab
        elif isinstance(widget, QLabel):
            state[key] = widget.text()
        elif isinstance(widget, QAbstractButton):
            state[key] = (widget.text(), widget.isChecked())
        elif isinstance(widget, QLineEdit):
            state[key] = widget.text()
        elif isinstance(widget, QTextEdit):
            cursor = widget.textCursor()
            marks = [
                (m.cursor.selectionStart(), m.cursor.selectionEnd(), m.format.background().color())
                for m in widget.extraSelections()
            ]  # highlights are drawn as extra selections
            state[key] = (
                hash(widget.toHtml()),
                marks,
                cursor.selectionStart(),
                cursor.selectionEnd(),
                widget.verticalScrollBar().value(),
            )
        elif isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            rows = [str(model.index(r, 0).data()) for r in range(min(model.rowCount(), 200))]
            state[key] = (rows, widget.currentIndex().row())
    return state


def changes(before: Snapshot, after: Snapshot) -> list[str]:
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def menu_actions(menu: QMenu, path: str) -> Iterator[tuple[str, QAction]]:
    """Every command of a menu and its submenus, with its path ("View → Theme → Dark")."""
    for action in menu.actions():
        if action.isSeparator():
            continue
        name = f"{path} → {action.text().replace('&', '')}"
        sub = action.menu()
        if isinstance(sub, QMenu):
            yield from menu_actions(sub, name)
        else:
            yield name, action


class CloseCatcher(QObject):
    """Turns a close request into a record, so Quit can be checked without ending the run."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.requests = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Close:
            self.requests += 1
            event.ignore()
            return True
        return False


@dataclass
class Driver:
    """Walks the window's menus and shortcuts and says which did nothing visible."""

    window: MainWindow
    # Stop Labelling acts on passages being labelled: for it alone, a key and an API that
    # is slow to answer are lent.
    api: FakeAnthropic
    env: pytest.MonkeyPatch
    problems: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    shortcuts: list[tuple[str, str]] = field(default_factory=list)
    opened: list[QWidget] = field(default_factory=list)
    last_box_text: str = ""
    listed_shortcuts: list[tuple[str, str, str]] = field(default_factory=list)

    # -- closing what a command opens -------------------------------------------------------

    def sweep(self, before: set[int]) -> None:
        """Record and close every window that was not open before the command."""
        for widget in QApplication.topLevelWidgets():
            if widget is self.window or id(widget) in before or not widget.isVisible():
                continue
            if isinstance(widget, QMenu):
                widget.close()  # a popup is not an effect on its own
                continue
            self.opened.append(widget)
            if isinstance(widget, QMessageBox):
                self.last_box_text = widget.text()
            if isinstance(widget, ShortcutsDialog):
                self.listed_shortcuts = widget.listed()
            if isinstance(widget, QDialog):
                widget.reject()
            else:
                widget.close()

    def visible_windows(self) -> set[int]:
        return {id(w) for w in QApplication.topLevelWidgets() if w.isVisible()}

    # -- one command --------------------------------------------------------------------------

    def check(self, label: str, fire: Callable[[], None]) -> None:
        """Fire a command and record a problem unless something visible happened."""
        w = self.window
        w.status_message("")  # a repeated message must still count as new
        w.pane.banner.hide()
        QTest.qWait(20)
        before_windows = self.visible_windows()
        before = visible_state(w)
        self.opened.clear()
        sweeper = QTimer()
        sweeper.setInterval(30)
        sweeper.timeout.connect(lambda: self.sweep(before_windows))
        sweeper.start()  # fires inside the nested loop of a blocking dialog too
        fire()
        seen: list[str] = []
        for _ in range(EFFECT_MS // 50):
            QTest.qWait(50)
            seen = changes(before, visible_state(w))
            if self.opened or seen:
                break
        QTest.qWait(60)
        sweeper.stop()
        self.sweep(before_windows)
        crashed = [o for o in self.opened if type(o).__name__ == "CrashDialog"]
        self.checked.append(label)
        if crashed:
            self.problems.append(f"{label}: it raised an error (the crash dialog opened)")
        elif not self.opened and not seen:
            self.problems.append(f"{label}: nothing visible happened")

    # -- putting the window in a state where a command can act --------------------------------

    def select_passage(self) -> None:
        w = self.window
        if w.pane.chapter != 1:
            w.pane.go_to(1, 0, remember=False)
        w.pane.view.select_range(*PASSAGE)
        w.pane.view.setFocus()

    def ensure_highlight(self) -> None:
        """A highlight on the passage, selected so that it is the one "under the cursor"."""
        self.select_passage()
        if self.window.pane.view.selected_range() is None:
            return
        hid = self.window._highlights.at(1, PASSAGE[0] + 1)
        if hid is None:
            self.window.highlight_selection()
            QTest.qWait(50)
            self.select_passage()

    def run_search(self) -> None:
        panel = self.window.search
        if panel.model.rowCount() == 0:
            self.window.show_search()
            panel.query.setText("monster")
            panel.query.returnPressed.emit()
            for _ in range(100):
                if panel.model.rowCount():
                    break
                QTest.qWait(50)
        self.window.pane.view.setFocus()

    def prepare(self, action: QAction) -> None:
        """Put the window in the state the command is for (its menu says what it needs)."""
        w = self.window
        a = w.actions_
        if action in (a.highlight, a.analyse, *a.colors):
            self.select_passage()
        elif action in (a.note, a.delete_highlight):
            self.ensure_highlight()
        elif action is a.undo:
            self.ensure_highlight()
            w.delete_highlight()
            QTest.qWait(50)
        elif action in (a.find_next, a.find_prev):
            self.run_search()
        elif action is a.back:
            self.run_search()
            w.search.step(1)  # following a result is a jump Back returns from
            QTest.qWait(50)
        elif action in (a.prev_chapter, a.next_chapter):
            # They step through the contents: away from its first and last sections.
            book = w.pane.book
            steps = book.steps() if book is not None else None
            place = w.pane.reading_place()
            if steps is not None and (
                steps.previous_place(*place) is None or steps.next_index(*place) is None
            ):
                w.pane.go_to(2, 0, remember=False)
        elif action is w.tone.stop_labelling:
            self.start_labelling()
        elif action is a.reset_size:
            w.update_settings(font_size=17)
        for name, theme in a.themes.items():
            if action is theme and w.settings.theme == name:
                w.update_settings(theme="sepia" if name != "sepia" else "dark")
        for percent, spacing in a.spacings.items():
            if action is spacing and abs(w.settings.line_height - percent) < 10:
                w.update_settings(line_height=185 if percent != 185 else 120)
        if not action.isEnabled():
            self.problems.append(
                f"{action.text().replace('&', '')}: still disabled in the state made for it"
            )

    def start_labelling(self) -> None:
        """The chapter's unanalysed highlight being labelled, its answer slow to come."""
        self.env.setenv("ANTHROPIC_BASE_URL", self.api.base_url)
        self.env.setenv("ANTHROPIC_API_KEY", VALID_KEY)
        self.api.reply_stall(30)
        self.ensure_highlight()
        self.window.actions_.analyse_chapter.trigger()
        for _ in range(200):
            if self.window.tone.stop_labelling.isEnabled():
                return
            QTest.qWait(25)

    def end_labelling(self) -> None:
        """Back to no key, as the rest of the run expects."""
        self.env.delenv("ANTHROPIC_API_KEY")
        self.env.delenv("ANTHROPIC_BASE_URL")
        for _ in range(200):
            if not self.window.tone.group.busy:
                return
            QTest.qWait(25)
        self.problems.append("Stop Labelling: the labelling went on")

    # -- the whole run ------------------------------------------------------------------------

    def run(self) -> None:
        w = self.window
        w.activateWindow()
        self.check_detector_is_quiet()
        # Disabled at the start, for a reason: nothing deleted yet, no jump made yet.
        for action in (w.actions_.undo, w.actions_.back):
            if action.isEnabled():
                self.problems.append(f"{action.text()}: enabled with nothing to do")
        # Two books read, so that File → Open Recent lists one to switch to.
        self.open_book(str(OTHER_BOOK))
        self.open_book(str(BOOK))
        quit_action = w.actions_.quit
        recent = w.actions_.recent_menu
        for top in w.menuBar().actions():
            sub = top.menu()
            assert isinstance(sub, QMenu)
            # Listed before any is fired: opening a book rebuilds Open Recent.
            listed = list(menu_actions(sub, top.text().replace("&", "")))
            in_recent = {id(a) for a in recent.actions()}
            recent_checked = False
            for label, action in listed:
                if id(action) in in_recent:
                    if not recent_checked:  # the whole submenu at once, at its first entry
                        self.check_recent(label.rsplit(" → ", 1)[0])
                        recent_checked = True
                    continue
                if action is quit_action:
                    continue
                self.prepare(action)
                keys = ", ".join(s.toString() for s in action.shortcuts())
                self.check(f"{label} ({keys})" if keys else label, action.trigger)
                if action is w.actions_.analyse:
                    self.check_says_no_key(label)
                if action is w.tone.stop_labelling:
                    self.end_labelling()
        self.check_shortcuts()

    def check_says_no_key(self, label: str) -> None:
        """With no API key, the Tone panel must say so (the highlight is still made)."""
        texts = [lb.text() for lb in self.window.tone_panel.findChildren(QLabel) if lb.isVisible()]
        if not any("API key" in text for text in texts):
            self.problems.append(f"{label}: no API key, and the Tone panel shows only {texts}")

    def wait_loaded(self) -> None:
        w = self.window
        for _ in range(400):
            QTest.qWait(25)
            if w.pane.book is not None and not w._book_service.busy and not w._highlights.busy:
                return
        self.problems.append("a book did not finish opening within 10 s")

    def open_book(self, path: str) -> None:
        self.window.open_path(path)
        self.wait_loaded()

    def check_recent(self, menu_path: str) -> None:
        """Each book in File → Open Recent, chosen while another book is open."""
        w = self.window
        recent = w.actions_.recent_menu
        entries = [(a.text(), a.toolTip()) for a in recent.actions()]
        if len(entries) < 2:
            self.problems.append(f"{menu_path}: lists {entries} after two books were read")
            return
        for title, path in entries:
            book = w.pane.book
            if book is not None and book.title == title:
                self.open_book(next(p for t, p in entries if p != path))
            action = next(a for a in recent.actions() if a.toolTip() == path)
            self.check(f"{menu_path} → {title}", action.trigger)
            self.wait_loaded()
        self.open_book(str(BOOK))

    def check_detector_is_quiet(self) -> None:
        before = visible_state(self.window)
        QTest.qWait(300)
        noise = changes(before, visible_state(self.window))
        if noise:
            self.problems.append(f"the window changes on its own, so no check means much: {noise}")

    def check_shortcuts(self) -> None:
        w = self.window
        # The list as Help → Keyboard Shortcuts shows it: one key per command, as its menu
        # shows it; every key of the command (Qt's alternates too) is pressed below.
        self.check("Help → Keyboard Shortcuts (F1, by key)", lambda: self.press("F1"))
        listed = {command.rsplit(" → ", 1)[-1]: key for _g, command, key in self.listed_shortcuts}
        self.shortcuts = sorted(listed.items())
        with_keys = {plain(a.text()): a for a in w.actions() if a.shortcuts()}
        if not with_keys.keys() <= listed.keys() or len(with_keys) < 20:
            self.problems.append(f"Help → Keyboard Shortcuts lists {self.shortcuts}")
        for name, action in sorted(with_keys.items()):
            for sequence in action.shortcuts():
                key = sequence.toString(QKeySequence.SequenceFormat.NativeText)
                if action is w.actions_.quit or key == "F1":
                    continue
                self.prepare(action)
                self.check(f"shortcut {key} ({name})", functools.partial(self.press, key))

    def press(self, key: str) -> None:
        """Press a key as the reader does: in the window, on the widget that has the focus."""
        self.window.activateWindow()
        for _ in range(40):
            if QApplication.activeWindow() is self.window:
                break
            QTest.qWait(25)
        target = QApplication.focusWidget() or self.window.pane.view
        sequence = QKeySequence(key, QKeySequence.SequenceFormat.NativeText)
        combo = sequence[0]  # type: ignore[index]  # the stubs lack QKeySequence.__getitem__
        QTest.keyClick(target, combo.key(), combo.keyboardModifiers())


@dataclass
class Outcome:
    """What the run inside the app saw, read once the app has quit."""

    driver: Driver | None = None
    error: BaseException | None = None
    quit_keys: list[str] = field(default_factory=list)
    quit_requests: int = 0
    open_after_quit: bool = True


# QTest says so when it presses a key with no character, such as the Open or Undo key.
@pytest.mark.qt_log_ignore("keyToAscii Unhandled key code")
def test_every_menu_command_and_shortcut_shows_something(
    qtbot: QtBot,
    profile: AppPaths,
    monkeypatch: pytest.MonkeyPatch,
    memory_keyring: MemoryKeyring,
    fake_api: FakeAnthropic,
) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # run_gui installs its own
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    outcome = Outcome()

    def drive(window: MainWindow) -> None:
        driver = outcome.driver = Driver(window, fake_api, monkeypatch)
        try:
            driver.run()
            catcher = CloseCatcher(window)
            window.installEventFilter(catcher)
            outcome.quit_keys = [s.toString() for s in window.actions_.quit.shortcuts()]
            for key in outcome.quit_keys:
                driver.press(key)
                QTest.qWait(50)
            outcome.quit_requests = catcher.requests
            window.removeEventFilter(catcher)
        except BaseException as exc:  # the run must end even when the driver breaks
            outcome.error = exc
        # Last: File → Quit, found in the menu as a user finds it, must close the window.
        file_menu = window.menuBar().actions()[0].menu()
        assert isinstance(file_menu, QMenu)
        for _label, action in menu_actions(file_menu, "File"):
            if action is window.actions_.quit:
                action.trigger()
        outcome.open_after_quit = window.isVisible()
        # Only fires when Quit left the window open; never after the window is gone.
        QTimer.singleShot(3000, window, window.close)

    def poll() -> None:
        for widget in QApplication.topLevelWidgets():
            if (
                isinstance(widget, MainWindow)
                and widget.isVisible()
                and widget.pane.book is not None
                and not widget._book_service.busy
                and not widget._highlights.busy
            ):
                drive(widget)
                return
        QTimer.singleShot(50, poll)

    QTimer.singleShot(50, poll)
    code = run_gui(profile, str(BOOK), ["tone-reader"])
    if outcome.error is not None:
        raise AssertionError("the driver broke") from outcome.error
    assert code == 0
    driver = outcome.driver
    assert driver is not None
    assert not outcome.open_after_quit, "File → Quit: the window stayed open"
    # Offscreen, Qt's platform theme gives Quit no standard key; the list then has none.
    assert outcome.quit_requests == len(outcome.quit_keys), (
        f"shortcuts {outcome.quit_keys} (Quit): the window was not asked to close"
    )
    assert len(driver.checked) > 80  # every command by menu and by each of its keys
    assert not driver.problems, "Silent or broken commands:\n" + "\n".join(driver.problems)
