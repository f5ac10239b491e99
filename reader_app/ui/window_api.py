"""The main window as its menus and command objects see it.

``MainWindow`` builds ``WindowActions``, ``ToneCommands`` and ``AnnotationCommands``; they
call back into the window. Naming the window's class there would make the modules import
each other, so they ask for these shapes instead, and ``MainWindow`` fits them (mypy checks
that where the window hands itself over).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from pathlib import Path

    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QDockWidget

    from reader_app.config.settings import Settings
    from reader_app.core.records import Highlight
    from reader_app.ui.highlights_panel import HighlightsPanel
    from reader_app.ui.reader_pane import ReaderPane
    from reader_app.ui.search_panel import SearchPanel
    from reader_app.ui.tone_panel import TonePanel


class ToneActions(Protocol):
    """The tone commands the menus offer."""

    def analyse_selection(self) -> None:
        """Analyse the selected passage (or the highlight under the cursor)."""
        ...

    def analyse_selected_together(self) -> None:
        """Analyse the highlights selected in the list in one request."""
        ...

    def send_selected_as_batch(self) -> None:
        """Send the selected highlights as a Message Batches job."""
        ...

    def analyse_chapter_together(self) -> None:
        """Analyse the chapter's unanalysed highlights in one request."""
        ...

    @property
    def stop_labelling(self) -> QAction:
        """Stops the passages being labelled together; enabled while they are."""
        ...

    def show_examples(self) -> None:
        """The Examples window."""
        ...

    def show_evaluation(self) -> None:
        """The Evaluate window."""
        ...

    def show_key_setup(self) -> None:
        """The Connect Claude card in the Tone panel (the API key)."""
        ...


class LearningActions(Protocol):
    """The learning views the menus offer: voices, characters, the glossary."""

    def map_section_voices(self) -> None:
        """Label every spoken line of the section being read, after asking."""
        ...

    def show_characters(self) -> None:
        """The Characters window."""
        ...

    def show_glossary(self) -> None:
        """The Tone Glossary window."""
        ...

    def show_practice(self) -> None:
        """The Practice window."""
        ...

    @property
    def characters_dock(self) -> QDockWidget:
        """The dock holding the characters of the open book, beside the Tone panel."""
        ...


class ReadingWindow(Protocol):
    """What the tone and annotation commands use of the window: the page and its panels."""

    @property
    def pane(self) -> ReaderPane:
        """The page."""
        ...

    @property
    def tone_panel(self) -> TonePanel:
        """The Tone panel."""
        ...

    @property
    def highlights_panel(self) -> HighlightsPanel:
        """The Highlights list."""
        ...

    @property
    def tone_dock(self) -> QDockWidget:
        """The dock holding the Tone panel."""
        ...

    def status_message(self, text: str) -> None:
        """A passing note in the status bar."""
        ...

    def highlight(self, highlight_id: int) -> Highlight | None:
        """A highlight of the open book."""
        ...

    def jump_to_highlight(self, highlight_id: int) -> None:
        """Show a highlight on the page."""
        ...

    def open_path(self, path: str | Path) -> None:
        """Open a book file."""
        ...


class WindowCommands(ReadingWindow, Protocol):
    """Everything the menus, the toolbar and the shortcuts trigger."""

    @property
    def search(self) -> SearchPanel:
        """The search panel."""
        ...

    @property
    def tone(self) -> ToneActions:
        """The tone commands."""
        ...

    @property
    def learning(self) -> LearningActions:
        """The voice map, the Characters and Glossary windows."""
        ...

    @property
    def toc_dock(self) -> QDockWidget:
        """The dock holding the contents."""
        ...

    @property
    def search_dock(self) -> QDockWidget:
        """The dock holding the search panel."""
        ...

    @property
    def highlights_dock(self) -> QDockWidget:
        """The dock holding the Highlights list."""
        ...

    @property
    def settings(self) -> Settings:
        """The settings in force."""
        ...

    def choose_file(self) -> None:
        """File → Open."""
        ...

    def show_library(self) -> None:
        """File → Library."""
        ...

    def export_annotations(self) -> None:
        """File → Export Annotations."""
        ...

    def import_annotations(self) -> None:
        """File → Import Annotations."""
        ...

    def show_search(self) -> None:
        """Edit → Search in Book."""
        ...

    def show_annotations(self) -> None:
        """The annotations browser."""
        ...

    def open_settings(self) -> None:
        """The tone analysis settings dialog."""
        ...

    def highlight_selection(self, color: str = "yellow") -> None:
        """Highlight the selected text."""
        ...

    def edit_note(self, highlight_id: int | None = None) -> None:
        """Edit a highlight's note."""
        ...

    def delete_highlight(self) -> None:
        """Delete the highlight under the cursor."""
        ...

    def undo_delete(self) -> None:
        """Bring back the last deleted highlight."""
        ...

    def update_settings(self, **changes: object) -> None:
        """Change settings, apply them and save them."""
        ...
