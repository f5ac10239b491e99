"""Every command of the main window, with its shortcut, and the menus that hold them."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QMenu,
    QMenuBar,
    QToolBar,
)

from reader_app import APP_NAME
from reader_app.ui.highlights_panel import swatch
from reader_app.ui.icons import action_icon
from reader_app.ui.side_panel import SidePanel
from reader_app.ui.themes import HIGHLIGHT_COLORS, THEME_NAMES

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow

    from reader_app.config.paths import AppPaths
    from reader_app.config.settings import Settings
    from reader_app.ui.window_api import WindowCommands

StandardKey = QKeySequence.StandardKey


class WindowActions(QObject):
    """Owns the window's QActions so they can be reached by menu, shortcut and tests."""

    def __init__(
        self, window: QMainWindow, commands: WindowCommands, about_paths: AppPaths | None
    ) -> None:
        """The actions of ``window``, triggering ``commands`` (the window itself, in the app).

        ``about_paths`` says where the data lives, for the About dialog.
        """
        super().__init__(window)
        self._w = window
        self._commands = commands
        self._about_paths = about_paths
        w = commands
        self.open = self._act(self.tr("&Open…"), w.choose_file, StandardKey.Open)
        self.library = self._act(self.tr("&Library…"), w.show_library, "Ctrl+L")
        self.quit = self._act(self.tr("&Quit"), window.close, StandardKey.Quit)
        self.export = self._act(
            self.tr("&Export Annotations…"), w.export_annotations, "Ctrl+Shift+S"
        )
        self.import_ = self._act(
            self.tr("&Import Annotations…"), w.import_annotations, "Ctrl+Shift+I"
        )
        self.undo = self._act(self.tr("&Undo Delete Highlight"), self._undo, StandardKey.Undo)
        self.find = self._act(self.tr("&Search in Book…"), w.show_search, StandardKey.Find)
        self.find_next = self._act(
            self.tr("Next &Result"), lambda: w.search.step(1), StandardKey.FindNext
        )
        self.find_prev = self._act(
            self.tr("&Previous Result"), lambda: w.search.step(-1), StandardKey.FindPrevious
        )
        self.next_chapter = self._act(
            self.tr("&Next Chapter"), w.pane.next_chapter, "Ctrl+Right", "]"
        )
        self.prev_chapter = self._act(
            self.tr("&Previous Chapter"), w.pane.previous_chapter, "Ctrl+Left", "["
        )
        self.back = self._act(self.tr("&Back"), w.pane.back, StandardKey.Back)
        self.highlight = self._act(self.tr("&Highlight Selection"), w.highlight_selection, "H")
        self.note = self._act(self.tr("Edit &Note…"), w.edit_note, "N")
        self.analyse = self._act(self.tr("&Analyse Tone"), w.tone.analyse_selection, "A")
        self.analyse_together = self._act(
            self.tr("Analyse Selected Highlights &Together"),
            w.tone.analyse_selected_together,
            "Ctrl+Shift+A",
        )
        self.send_batch = self._act(
            self.tr("Send Selected Highlights as a &Batch Job (cheaper, answers later)"),
            w.tone.send_selected_as_batch,
        )
        self.analyse_chapter = self._act(
            self.tr("Analyse &Unanalysed Highlights in Chapter"), w.tone.analyse_chapter_together
        )
        self.map_voices = self._act(
            self.tr("&Map Voices of This Section…"), w.learning.map_section_voices, "Ctrl+Shift+M"
        )
        self.characters = self._act(
            self.tr("Cha&racters…"), w.learning.show_characters, "Ctrl+Shift+K"
        )
        self.glossary = self._act(
            self.tr("Tone &Glossary…"), w.learning.show_glossary, "Ctrl+Shift+Y"
        )
        self.practice = self._act(self.tr("&Practice Progress…"), w.learning.show_practice)
        self.annotations = self._act(self.tr("Ann&otations…"), w.show_annotations, "Ctrl+Shift+N")
        self.examples = self._act(
            self.tr("&Examples…"), lambda: w.tone.show_examples(), "Ctrl+Shift+E"
        )
        self.evaluate = self._act(
            self.tr("E&valuate Answers…"), lambda: w.tone.show_evaluation(), "Ctrl+Shift+V"
        )
        self.preferences = self._act(
            self.tr("Tone Analysis Se&ttings…"), lambda: w.open_settings(), StandardKey.Preferences
        )
        if not self.preferences.shortcuts():
            self.preferences.setShortcut(QKeySequence("Ctrl+,"))
        self.delete_highlight = self._act(
            self.tr("&Delete Highlight"), w.delete_highlight, "Shift+Del"
        )
        self.colors: list[QAction] = []
        for number, name in enumerate(HIGHLIGHT_COLORS, start=1):
            action = self._act(
                self.tr(name.capitalize()), lambda n=name: w.highlight_selection(n), str(number)
            )
            action.setIcon(swatch(name))
            self.colors.append(action)
        self.larger = self._act(
            self.tr("&Larger Text"), lambda: self._font_step(1), StandardKey.ZoomIn
        )
        self.smaller = self._act(
            self.tr("S&maller Text"), lambda: self._font_step(-1), StandardKey.ZoomOut
        )
        self.reset_size = self._act(
            self.tr("&Default Size"), lambda: w.update_settings(font_size=13), "Ctrl+0"
        )
        self.font = self._act(self.tr("&Font…"), self._choose_font)
        self.full_screen = self._act(self.tr("F&ull Screen"), self._toggle_full_screen)
        self.full_screen.setCheckable(True)
        # F11 everywhere: the platform's own binding is empty on many X11 desktops.
        self._full_screen_keys = [QKeySequence("F11")] + [
            k for k in QKeySequence.keyBindings(StandardKey.FullScreen) if k != QKeySequence("F11")
        ]
        self.full_screen.setShortcuts(self._full_screen_keys)
        window.installEventFilter(self)  # full screen left or entered by any means
        self.side_panel = SidePanel(
            window, (w.toc_dock, w.search_dock, w.highlights_dock, w.tone_dock), w.toc_dock
        )
        self.shortcuts = self._act(self.tr("&Keyboard Shortcuts"), self._show_shortcuts, "F1")
        self.getting_started = self._act(self.tr("&Getting Started"), self._show_getting_started)
        self.about = self._act(self.tr("&About {app}").format(app=APP_NAME), self._show_about)
        self.theme_group = QActionGroup(self)
        self.themes: dict[str, QAction] = {}
        labels = {
            "system": self.tr("&System"),
            "light": self.tr("&Light"),
            "dark": self.tr("&Dark"),
            "sepia": self.tr("Se&pia"),
        }
        for name in THEME_NAMES:
            action = self._act(labels[name], lambda n=name: w.update_settings(theme=n))
            action.setCheckable(True)
            self.theme_group.addAction(action)
            self.themes[name] = action
        self.recent_menu = QMenu(self.tr("Open &Recent"), window)
        self.spacing_group = QActionGroup(self)
        self.spacings: dict[int, QAction] = {}
        # In percent of the font size: Normal sets lines 1.5 font sizes apart.
        for percent, label in ((130, self.tr("&Compact")), (150, self.tr("&Normal")),
                               (180, self.tr("&Relaxed"))):  # fmt: skip
            action = self._act(label, lambda p=percent: w.update_settings(line_height=p))
            action.setCheckable(True)
            self.spacing_group.addAction(action)
            self.spacings[percent] = action

    def _act(self, text: str, slot: object, *keys: QKeySequence.StandardKey | str) -> QAction:
        action = QAction(text, self._w)
        sequences: list[QKeySequence] = []
        for key in keys:
            if isinstance(key, QKeySequence.StandardKey):
                sequences.extend(QKeySequence.keyBindings(key))
            else:
                sequences.append(QKeySequence(key))
        if sequences:
            action.setShortcuts(sequences)
        action.triggered.connect(lambda _checked=False: slot())  # type: ignore[operator]
        self._w.addAction(action)  # shortcuts work even with the menu bar hidden
        return action

    def build_menus(self, bar: QMenuBar) -> None:
        """Fill the menu bar."""
        file_menu = bar.addMenu(self.tr("&File"))
        file_menu.addAction(self.open)
        file_menu.addMenu(self.recent_menu)
        file_menu.addAction(self.library)
        file_menu.addSeparator()
        file_menu.addAction(self.import_)
        file_menu.addAction(self.export)
        file_menu.addSeparator()
        file_menu.addAction(self.quit)
        edit = bar.addMenu(self.tr("&Edit"))
        edit.addAction(self.undo)
        edit.addSeparator()
        edit.addAction(self.find)
        edit.addAction(self.find_next)
        edit.addAction(self.find_prev)
        edit.addSeparator()
        edit.addAction(self.examples)
        edit.addAction(self.evaluate)
        edit.addAction(self.preferences)
        view = bar.addMenu(self.tr("&View"))
        c = self._commands
        view.addAction(self.side_panel.action)
        panels = ((c.toc_dock, "", self.tr("&Contents")), (c.search_dock, "", self.tr("Sea&rch")),
                  (c.highlights_dock, "F10", self.tr("&Highlights")),
                  (c.tone_dock, "", self.tr("T&one")),
                  (c.learning.characters_dock, "", self.tr("Ch&aracters")))  # fmt: skip
        for dock, key, label in panels:
            toggle = dock.toggleViewAction()
            # The dock's title has no mnemonic; the menu entry needs one to be reached by keyboard.
            toggle.setText(label)
            if key:
                toggle.setShortcut(QKeySequence(key))
            view.addAction(toggle)
        view.addSeparator()
        themes = view.addMenu(self.tr("&Theme"))
        for action in self.themes.values():
            themes.addAction(action)
        view.addAction(self.font)
        view.addAction(self.larger)
        view.addAction(self.smaller)
        view.addAction(self.reset_size)
        spacing = view.addMenu(self.tr("Line &Spacing"))
        for action in self.spacings.values():
            spacing.addAction(action)
        view.addSeparator()
        view.addAction(self.full_screen)
        go = bar.addMenu(self.tr("&Go"))
        go.addAction(self.next_chapter)
        go.addAction(self.prev_chapter)
        go.addAction(self.back)
        marks = bar.addMenu(self.tr("H&ighlights"))
        marks.addAction(self.annotations)
        marks.addSeparator()
        marks.addAction(self.analyse)
        marks.addAction(self.analyse_together)
        marks.addAction(self.analyse_chapter)
        marks.addAction(self.send_batch)
        marks.addAction(self._commands.tone.stop_labelling)
        marks.addSeparator()
        marks.addAction(self.map_voices)
        marks.addAction(self.characters)
        marks.addAction(self.glossary)
        marks.addAction(self.practice)
        marks.addSeparator()
        marks.addAction(self.highlight)
        colors = marks.addMenu(self.tr("Highlight in &Colour"))
        for action in self.colors:
            colors.addAction(action)
        marks.addAction(self.note)
        marks.addAction(self.delete_highlight)
        help_menu = bar.addMenu(self.tr("&Help"))
        help_menu.addAction(self.getting_started)
        help_menu.addAction(self.shortcuts)
        help_menu.addAction(self.about)

    def build_toolbar(self, bar: QToolBar) -> None:
        """The few commands a reader reaches for most, drawn from one icon set.

        No button carries a menu: a menu button's arrow sits against the next button's
        text and reads as part of it ("▾ Analyse Tone"). The colours are one key away
        (1-5), and in the Highlights menu and the page's right-click menu.
        """
        toc = self._commands.toc_dock.toggleViewAction()
        for action, name in ((self.open, "open"), (toc, "contents"),
                             (self.prev_chapter, "previous"), (self.next_chapter, "next"),
                             (self.find, "search"), (self.highlight, "highlight"),
                             (self.analyse, "analyse")):  # fmt: skip
            action.setIcon(action_icon(name))
        self.highlight.setIconText(self.tr("Highlight"))
        self.analyse.setIconText(self.tr("Analyse Tone"))
        self.find.setIconText(self.tr("Search"))
        self.prev_chapter.setIconText(self.tr("Previous"))
        self.next_chapter.setIconText(self.tr("Next"))
        self.analyse.setToolTip(self.tr("Analyse the tone of the selected passage (A)"))
        bar.addAction(self.open)
        bar.addAction(toc)
        bar.addSeparator()
        bar.addAction(self.prev_chapter)
        bar.addAction(self.next_chapter)
        bar.addSeparator()
        bar.addAction(self.find)
        bar.addAction(self.highlight)
        bar.addAction(self.analyse)

    def refresh_recent(self, entries: list[tuple[str, str]]) -> None:
        """Rebuild File → Open Recent from (title, path) pairs."""
        self.recent_menu.clear()
        for title, path in entries:
            action = self.recent_menu.addAction(title)
            action.triggered.connect(functools.partial(self._commands.open_path, path))
            action.setToolTip(path)
        self.recent_menu.setEnabled(bool(entries))

    def sync(self, settings: Settings) -> None:
        """Check the theme in force."""
        action = self.themes.get(settings.theme)
        if action is not None:
            action.setChecked(True)
        nearest = min(self.spacings, key=lambda p: abs(p - settings.line_height))
        self.spacings[nearest].setChecked(True)

    def update_enabled(
        self, *, has_book: bool, has_selection: bool, can_back: bool, can_undo: bool
    ) -> None:
        """Enable what makes sense now."""
        book_actions = (
            self.find,
            self.find_next,
            self.find_prev,
            self.next_chapter,
            self.prev_chapter,
            self.note,
            self.delete_highlight,
            self.analyse,
        )
        for action in book_actions:
            action.setEnabled(has_book)
        self.highlight.setEnabled(has_book)
        for action in self.colors:
            action.setEnabled(has_book)
        self.back.setEnabled(can_back)
        self.undo.setEnabled(can_undo)
        del has_selection  # H with no selection explains itself in the status bar

    def _undo(self) -> None:
        self._commands.undo_delete()

    def _font_step(self, delta: int) -> None:
        size = self._commands.settings.font_size + delta
        self._commands.update_settings(font_size=max(8, min(40, size)))

    def _choose_font(self) -> None:
        from reader_app.ui.font_picker import FontPicker

        dialog = FontPicker(self._commands.settings, self._w)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.font_chosen.connect(self._set_font)
        dialog.open()

    def _set_font(self, family: str, size: int) -> None:
        self._commands.update_settings(font_family=family, font_size=max(8, min(40, size)))

    def _toggle_full_screen(self) -> None:
        # The state flag alone: a maximised window is maximised again after full screen.
        self._w.setWindowState(self._w.windowState() ^ Qt.WindowState.WindowFullScreen)
        self._sync_full_screen()

    def _sync_full_screen(self) -> None:
        full = self._w.isFullScreen()
        self.full_screen.setChecked(full)
        # Esc leaves full screen, and only then: elsewhere it belongs to the widget in use.
        keys = [*self._full_screen_keys, QKeySequence("Esc")] if full else self._full_screen_keys
        if self.full_screen.shortcuts() != keys:
            self.full_screen.setShortcuts(keys)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Follow the window in and out of full screen, however it got there."""
        if watched is self._w and event.type() == QEvent.Type.WindowStateChange:
            self._sync_full_screen()
        return False

    def _show_getting_started(self) -> None:
        from reader_app.ui.getting_started import GettingStartedDialog

        w = self._commands
        dialog = GettingStartedDialog(
            w.choose_file, w.tone.show_key_setup, w.export_annotations, self._w
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def _show_shortcuts(self) -> None:
        from reader_app.ui.shortcuts_dialog import ShortcutsDialog

        # Read from the menus as they are now: a command added with a key is listed too.
        dialog = ShortcutsDialog(self, self._w.menuBar(), self._w)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def _show_about(self) -> None:
        from reader_app.ui.about_dialog import AboutDialog

        dialog = AboutDialog(self._about_paths, self._w)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
