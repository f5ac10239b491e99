"""The window's learning views: the voice map of a section, the Characters and Glossary windows.

Mapping asks first: how many spoken lines the section has, how many requests they go in
and the most that can cost. Nothing is highlighted or sent before the reader agrees.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMessageBox, QWidget

from reader_app.usecases.cost import cost_text

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from reader_app.core.characters import Character
    from reader_app.ui.characters_window import CharactersWindow
    from reader_app.ui.glossary_window import GlossaryWindow
    from reader_app.ui.ports import AnnotationSource
    from reader_app.ui.practice_window import PracticeWindow
    from reader_app.ui.tone_commands import ToneParts
    from reader_app.ui.window_api import ReadingWindow
    from reader_app.usecases.voices import VoicePlan


REFRESH_MS = 250


class LearningCommands(QObject):
    """Maps a section's voices; keeps the Characters, Glossary and Practice windows."""

    def __init__(
        self,
        window: QWidget,
        host: ReadingWindow,
        tone: ToneParts,
        query: AnnotationSource,
        send_batch: Callable[[Sequence[int]], bool] | None = None,
    ) -> None:
        """Commands of ``window`` (the parent of their dialogs), using its parts in ``host``.

        ``tone`` holds the services they use; ``query`` reads the book's analyses, and
        ``send_batch`` sends highlights as a Message Batches job.
        """
        super().__init__(window)
        self._window = window
        self._w = host
        self._group = tone.group
        self._query = query
        self._glossary = tone.glossary
        self._guesses = tone.guesses
        self._speaker_names = tone.speaker_names
        self._send_batch = send_batch
        self.practice_window: PracticeWindow | None = None
        self.prompt: QMessageBox | None = None
        self.characters_window: CharactersWindow | None = None
        self.glossary_window: GlossaryWindow | None = None
        # Answers of a voice map arrive line by line: the open windows are read again once
        # they pause, not for every line (each read goes through the whole library).
        self._refresh_soon = QTimer(self, singleShot=True, interval=REFRESH_MS)
        self._refresh_soon.timeout.connect(self._refresh)
        self._group.finished.connect(self._schedule_refresh)
        self._group.analysed.connect(self._schedule_refresh)
        tone.analysis.analysed.connect(self._schedule_refresh)
        # The Characters dock: its panel is made the first time the dock is in view.
        self.characters_dock = QDockWidget(self.tr("Characters"), window)
        self.characters_dock.setObjectName("charactersDock")
        self.characters_dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
        )
        self.characters_panel: CharactersWindow | None = None
        self._panel_book = ""
        self.characters_dock.visibilityChanged.connect(self._dock_shown)
        host.pane.location_changed.connect(self._follow_book)
        if isinstance(window, QMainWindow):
            window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.characters_dock)
            window.tabifyDockWidget(host.tone_dock, self.characters_dock)
            host.tone_dock.raise_()

    def map_section_voices(self) -> None:
        """Find the spoken lines of the section being read, and ask before labelling them."""
        pane = self._w.pane
        plan = self._group.plan_voices(*pane.reading_place()) if pane.book is not None else None
        if plan is None:
            return
        if not plan.places:
            self._w.status_message(
                self.tr("No spoken lines were found in “{title}”.").format(title=plan.title)
            )
            return
        if not plan.todo:
            self._w.status_message(
                self.tr(
                    "Every spoken line of “{title}” is labelled already; Re-analyse in a"
                    " line's right-click menu asks again."
                ).format(title=plan.title)
            )
            return
        prompt = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Map Voices"),
            self._question(plan),
            QMessageBox.StandardButton.Cancel,
            self._window,
        )
        go = prompt.addButton(self.tr("Map Voices"), QMessageBox.ButtonRole.AcceptRole)
        prompt.setDefaultButton(go)
        go.clicked.connect(lambda: self._start(plan))
        if plan.requests > 1 and self._send_batch is not None:
            # A long section: the Message Batches API costs half, answers later and resumes
            # after a restart; each line is then read with its own context, not together.
            later = prompt.addButton(
                self.tr("Send as a Batch Job"), QMessageBox.ButtonRole.ActionRole
            )
            later.setToolTip(self.tr("Half the price; the answers come later"))
            later.clicked.connect(lambda: self._start_batch(plan))
        self.prompt = prompt
        prompt.open()

    def _question(self, plan: VoicePlan) -> str:
        lines = len(plan.places)
        text = self.tr(
            "“{title}” has {lines} spoken lines. Claude will read them together and label"
            " each with who says it, to whom, its tone and its emotions."
        ).format(title=plan.title, lines=lines)
        labelled = lines - len(plan.todo)
        if labelled:
            text += " " + self.tr(
                "{n} of them are labelled already (from an earlier run); the other {m} are sent."
            ).format(n=labelled, m=len(plan.todo))
        elif plan.highlighted:
            text += " " + self.tr(
                "{n} of them are highlighted already; the others become highlights."
            ).format(n=plan.highlighted)
        cost = cost_text(plan.most_usd if plan.known_price else None)
        requests = (
            self.tr("one request")
            if plan.requests == 1
            else self.tr("{n} requests").format(n=plan.requests)
        )
        text += "\n\n" + self.tr("This takes {requests}, costing at most {cost}.").format(
            requests=requests, cost=cost
        )
        if plan.requests > 1 and self._send_batch is not None:
            text += " " + self.tr(
                "A batch job costs half and answers later; each line is then read on its own."
            )
        return text

    def _start(self, plan: VoicePlan) -> None:
        jobs = self._group.map_voices(plan)
        if jobs:
            self._w.status_message(
                self.tr("Mapping the voices of “{title}”: {lines} lines…").format(
                    title=plan.title, lines=len(plan.todo)
                )
            )

    def _start_batch(self, plan: VoicePlan) -> None:
        assert self._send_batch is not None
        if self._send_batch(self._group.lines_to_label(plan)):
            self._w.status_message(
                self.tr("The voices of “{title}” went as a batch job: {lines} lines.").format(
                    title=plan.title, lines=len(plan.todo)
                )
            )

    def show_characters(self) -> None:
        """The Characters window (one, non-modal), for the open book."""
        if self.characters_window is None:
            from reader_app.ui.characters_window import CharactersWindow

            self.characters_window = CharactersWindow(
                self._query, lambda: self._w.pane.book, self._window, self._speaker_names
            )
            self.characters_window.jump_requested.connect(self._w.jump_to_highlight)
            self.characters_window.map_requested.connect(self.map_section_voices)
        else:
            self.characters_window.reload()
        self.characters_window.show()
        self.characters_window.raise_()

    def characters(self) -> list[Character]:
        """The characters of the open book's analysed passages, with the reader's names."""
        book = self._w.pane.book
        if book is None:
            return []
        from reader_app.core.characters import characters_of

        names = self._speaker_names.for_book(book.book_id) if self._speaker_names else {}
        return characters_of(self._query.for_book(book.book_id), names)

    def _dock_shown(self, visible: bool) -> None:
        if not visible:
            return
        if self.characters_panel is None:
            from reader_app.ui.characters_window import CharactersWindow

            panel = CharactersWindow(
                self._query, lambda: self._w.pane.book, None, self._speaker_names, docked=True
            )
            panel.jump_requested.connect(self._w.jump_to_highlight)
            panel.map_requested.connect(self.map_section_voices)
            self.characters_dock.setWidget(panel)
            self.characters_panel = panel
        else:
            self.characters_panel.reload()
        book = self._w.pane.book
        self._panel_book = book.book_id if book is not None else ""

    def _follow_book(self, *_place: object) -> None:
        # Another book on the page: the dock, if in view, shows its characters.
        book = self._w.pane.book
        if book is not None and book.book_id != self._panel_book:
            self._panel_book = book.book_id
            if self.characters_panel is not None and self.characters_panel.isVisible():
                self.characters_panel.reload()

    def show_glossary(self) -> None:
        """The Tone Glossary window (one, non-modal)."""
        if self._glossary is None:
            return
        if self.glossary_window is None:
            from reader_app.ui.glossary_window import GlossaryWindow

            self.glossary_window = GlossaryWindow(self._glossary, self._window)
            self.glossary_window.jump_requested.connect(self._w.jump_to_highlight)
        else:
            self.glossary_window.reload()
        self.glossary_window.show()
        self.glossary_window.raise_()

    def show_practice(self) -> None:
        """The Practice window: the learner's guesses beside the answers."""
        if self._guesses is None:
            return
        if self.practice_window is None:
            from reader_app.ui.practice_window import PracticeWindow

            self.practice_window = PracticeWindow(self._guesses, self._window)
            self.practice_window.jump_requested.connect(self._w.jump_to_highlight)
        else:
            self.practice_window.reload()
        self.practice_window.show()
        self.practice_window.raise_()

    def _schedule_refresh(self, *_why: object) -> None:
        # Not QTimer.start itself: an answer's highlight id would become its interval.
        self._refresh_soon.start()

    def _refresh(self, *_args: object) -> None:
        if self.characters_window is not None and self.characters_window.isVisible():
            self.characters_window.reload()
        if self.characters_panel is not None and self.characters_panel.isVisible():
            self.characters_panel.reload()
        if self.glossary_window is not None and self.glossary_window.isVisible():
            self.glossary_window.reload()
