"""The window's tone-analysis commands: one passage, several together, or a batch job.

The window builds them with the analysis services the composition root made first; the
window's actions call into them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QToolButton

from reader_app.ui.correction_dialog import CorrectionForms
from reader_app.ui.guess_card import GuessCard, GuessGate
from reader_app.ui.icons import action_icon

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from pathlib import Path

    from PySide6.QtWidgets import QMenu, QWidget

    from reader_app.core.eval_data import EvalItem
    from reader_app.core.records import BatchJob
    from reader_app.services.analysis_controller import AnalysisController
    from reader_app.services.batch_service import BatchService
    from reader_app.services.eval_service import EvalService
    from reader_app.services.glossary_service import GlossaryService
    from reader_app.services.group_analysis import GroupAnalysis
    from reader_app.ui.connect_card import KeySetup
    from reader_app.ui.eval_window import EvalWindow
    from reader_app.ui.examples_dialog import ExamplesDialog
    from reader_app.ui.ports import EvalLibrary, ExampleLibrary, GuessStore, SpeakerNames
    from reader_app.ui.tone_panel import TonePanel
    from reader_app.ui.window_api import ReadingWindow


@dataclass(frozen=True)
class Evaluation:
    """What the Evaluate window works with.

    Attributes:
        repo: the evaluation sets and runs.
        service: runs an evaluation on its own pool.
        sources: the labelled items of a source ("examples", "corrections") for a field.
        sample: the shipped sample set, if it was installed.
    """

    repo: EvalLibrary
    service: EvalService
    sources: Callable[[str, str], list[EvalItem]]
    sample: Path | None


@dataclass(frozen=True)
class ToneParts:
    """The services the tone commands drive, made before the window.

    Attributes:
        analysis: analyses one highlight at a time and says what the Tone panel shows.
        group: analyses several highlights in one request.
        batches: Message Batches jobs.
        examples: the example library the Examples window edits.
        evaluation: what the Evaluate window works with.
        key_setup: what the Connect Claude card tests and keeps the API key with.
        glossary: the tone glossary, for its window (None: no glossary window).
        guesses: where practice-mode guesses are kept (None: no practice mode).
        speaker_names: the reader's own grouping of speaker names (None: the rules only).
    """

    analysis: AnalysisController
    group: GroupAnalysis
    batches: BatchService
    examples: ExampleLibrary
    evaluation: Evaluation
    key_setup: KeySetup
    glossary: GlossaryService | None = None
    guesses: GuessStore | None = None
    speaker_names: SpeakerNames | None = None


def connect_panel(
    analysis: AnalysisController, panel: TonePanel, gate: GuessGate | None = None
) -> None:
    """The panel renders what the controller says and hands it the reader's intents.

    With a ``gate`` (practice mode), the answer passes through it: it is held back until
    the learner has guessed.
    """
    analysis.show_idle.connect(panel.show_idle)
    analysis.show_passage.connect(panel.show_passage)
    if gate is None:
        analysis.show_pending.connect(panel.show_pending)
        analysis.show_partial.connect(panel.show_partial)
        analysis.show_record.connect(panel.show_record)
    else:
        analysis.show_pending.connect(gate.pending)
        analysis.show_partial.connect(gate.partial)
        analysis.show_record.connect(gate.record)
        analysis.show_idle.connect(gate.other)
        analysis.show_passage.connect(gate.other)
        analysis.show_error.connect(gate.failed)
    analysis.show_error.connect(panel.show_error)
    if gate is None:
        analysis.show_history.connect(panel.set_history)
    else:
        analysis.show_history.connect(gate.history)
    analysis.show_status.connect(panel.status.setText)
    panel.analyse_requested.connect(analysis.analyse_current)
    panel.cancel_requested.connect(analysis.cancel_current)
    panel.history_chosen.connect(analysis.show_history_item)
    panel.correct_requested.connect(analysis.correct)
    analysis.key_needed.connect(panel.offer_key_setup)


class ToneCommands(QObject):
    """Connects the window's widgets to the analysis controller, groups and batch jobs."""

    def __init__(self, window: QWidget, host: ReadingWindow, parts: ToneParts) -> None:
        """Commands of ``window`` (the parent of their dialogs), using its parts in ``host``."""
        super().__init__(window)
        self._window = window
        self._w = host
        self.analysis = parts.analysis
        self.group = parts.group
        self.batches = parts.batches
        self._examples = parts.examples
        self._evaluation = parts.evaluation
        self.examples_dialog: ExamplesDialog | None = None
        self.eval_window: EvalWindow | None = None
        self.correction_forms = CorrectionForms(window, self.analysis.save_correction)

        self.guess_card: GuessCard | None = None
        gate = None
        if parts.guesses is not None:
            self.guess_card = GuessCard(host.tone_panel)
            host.tone_panel.add_card(self.guess_card)
            gate = GuessGate(
                host.tone_panel, self.guess_card, lambda: host.tone_panel.guess_first.isChecked(),
                parts.guesses, self._insist, lambda: self.analysis.current_highlight,
                (self.analysis.hold_colour, self.analysis.release_colour),
            )  # fmt: skip
        else:
            host.tone_panel.guess_first.hide()
        connect_panel(self.analysis, host.tone_panel, gate)
        self.analysis.correction_wanted.connect(self.correction_forms.open)
        self.analysis.message.connect(host.status_message)
        host.pane.view.mark_clicked.connect(self._show_tone_of)
        host.highlights_panel.currentItemChanged.connect(self._on_list_choice)
        host.highlights_panel.menu_opening.connect(self._extend_list_menu)
        self.group.progress.connect(self._on_group_progress)
        self.group.finished.connect(host.status_message)
        # Passages labelled together (a chapter, a voice map) can run for a minute: the
        # status bar offers to stop them while they run, as the Highlights menu does.
        self._stop = QAction(self.tr("&Stop Labelling"), window)
        self._stop.setToolTip(self.tr("Stop labelling; the answers saved so far are kept"))
        self._stop.setEnabled(False)
        self._stop.triggered.connect(self.group.stop)
        self.stop_button = QToolButton(window)
        self.stop_button.setDefaultAction(self._stop)
        self.stop_button.hide()
        if isinstance(window, QMainWindow):
            window.statusBar().addPermanentWidget(self.stop_button)
        self.group.running.connect(self._on_group_running)
        self.group.analysed.connect(self.refresh_tone_of)
        self.batches.job_changed.connect(self._on_batch_changed)
        self.batches.job_failed.connect(self._on_batch_failed)
        panel = host.tone_panel
        panel.key_setup_requested.connect(self.show_key_setup)
        if panel.key_card is not None:
            panel.key_card.key_missing.connect(self._on_key_missing)
            panel.key_card.key_found.connect(self._on_key_dismissed)
            panel.key_card.dismissed.connect(self._on_key_dismissed)
            panel.key_card.connected.connect(self._on_key_connected)

    def _insist(self, highlight_id: int, analysis_id: int, result: dict[str, Any]) -> int | None:
        return self.analysis.save_correction(highlight_id, analysis_id, result, False)

    def show_key_setup(self) -> None:
        """Bring up the Connect Claude card in the Tone panel, the cursor in its key field."""
        panel = self._w.tone_panel
        self._w.tone_dock.show()
        self._w.tone_dock.raise_()
        panel.show_key_card(True)
        if panel.key_card is not None:
            panel.key_card.refresh()
            panel.key_card.focus_field()

    def _on_key_missing(self) -> None:
        self._w.tone_panel.show_key_card(True)

    def _on_key_dismissed(self) -> None:
        self._w.tone_panel.show_key_card(False)

    def _on_key_connected(self, text: str) -> None:
        panel = self._w.tone_panel
        panel.show_key_card(False)
        retry = not panel.key_button.isHidden()
        panel.key_button.hide()
        panel.status.setText(
            text
            + " "
            + (
                self.tr("Press Retry to analyse the passage.")
                if retry
                else self.tr("Select a passage and press A.")
            )
        )
        panel.status.show()
        self._w.status_message(text)

    def show_evaluation(self) -> None:
        """The Evaluate window (one, non-modal)."""
        if self.eval_window is None:
            from reader_app.ui.eval_window import EvalWindow

            e = self._evaluation
            self.eval_window = EvalWindow(
                e.repo, e.service, e.sources, e.sample, parent=self._window
            )
            self.eval_window.key_setup_requested.connect(self.show_key_setup)
        self.eval_window.show()
        self.eval_window.raise_()

    def show_examples(self) -> None:
        """The Examples window (one, non-modal), for the open book."""
        book = self._w.pane.book
        book_id = book.book_id if book is not None else ""
        if self.examples_dialog is None:
            from reader_app.ui.examples_dialog import ExamplesDialog

            self.examples_dialog = ExamplesDialog(self._examples, book_id, self._window)
        else:
            self.examples_dialog.set_book(book_id)
        self.examples_dialog.show()
        self.examples_dialog.raise_()

    def _on_list_choice(self, _current: object, _previous: object) -> None:
        self._show_tone_of(self._w.highlights_panel.current_id())

    @property
    def stop_labelling(self) -> QAction:
        """Stops the passages being labelled together; enabled while they are."""
        return self._stop

    def _on_group_running(self, running: bool) -> None:
        self._stop.setEnabled(running)
        self.stop_button.setVisible(running)

    def _on_group_progress(self, done: int, total: int) -> None:
        self._w.status_message(
            self.tr("Labelled {done} of {total}…").format(done=done, total=total)
        )

    def _on_batch_failed(self, _job_id: int, message: str) -> None:
        self._w.pane.banner.show_error(message)

    def analyse_selected_together(self) -> None:
        """Analyse the highlights selected in the list, in one request."""
        ids = self._w.highlights_panel.selected_ids()
        if len(ids) < 2:
            self._w.status_message(
                self.tr("Select two or more highlights in the Highlights list (Ctrl+click).")
            )
            return
        self.group.analyse(ids)

    def send_selected_as_batch(self) -> None:
        """Send the selected highlights as a Message Batches job (cheaper; answers later)."""
        if not self.send_as_batch(self._w.highlights_panel.selected_ids()):
            self._w.status_message(self.tr("Select highlights in the Highlights list first."))

    def send_as_batch(self, ids: Sequence[int]) -> bool:
        """Send highlights as a Message Batches job; False when there is nothing to send."""
        book = self._w.pane.book
        items = [self._w.highlight(h) for h in ids]
        chosen = [h for h in items if h is not None and not h.orphaned]
        if book is None or not chosen:
            return False
        compose = self.analysis.compose_for
        self.batches.submit(book.book_id, [(h.id, compose(h)) for h in chosen])
        return True

    def _on_batch_changed(self, job: BatchJob) -> None:
        done = sum(1 for item in job.items if item.get("saved"))
        states = {
            "submitting": self.tr("sending"),
            "in_progress": self.tr("in progress at Anthropic"),
            "canceling": self.tr("cancelling"),
            "ended": self.tr("collecting answers"),
            "done": self.tr("done"),
            "canceled": self.tr("cancelled"),
            "failed": self.tr("failed"),
        }
        self._w.status_message(
            self.tr("Batch job {id}: {state}, {done} of {total} answers saved.").format(
                id=job.id,
                state=states.get(job.status, job.status),
                done=done,
                total=len(job.items),
            )
        )

    def analyse_chapter_together(self) -> None:
        """Analyse every highlight of this chapter that has no analysis yet, together."""
        if self._w.pane.book is None:
            return
        ids = self.group.unanalysed_in_chapter(self._w.pane.chapter)
        if not ids:
            self._w.status_message(self.tr("Every highlight in this chapter is analysed."))
            return
        self.group.analyse(ids)

    def refresh_tone_of(self, highlight_id: int) -> None:
        """Show a highlight's new analysis if the panel is about it."""
        if self.analysis.current_highlight == highlight_id:
            self.analysis.show_highlight(highlight_id)

    def analyse_selection(self) -> None:
        """Analyse the selected passage (highlighting it), or the highlight in the panel."""
        pane = self._w.pane
        if pane.book is None:
            return
        self._w.tone_dock.show()
        self._w.tone_dock.raise_()
        span = pane.view.selected_range()
        self.analysis.analyse_selection((pane.chapter, *span) if span is not None else None)
        cursor = self._w.pane.view.textCursor()
        cursor.clearSelection()
        self._w.pane.view.setTextCursor(cursor)

    def highlight_menu_actions(
        self, menu: QMenu, highlight_id: int, *, reanalyse: bool = True
    ) -> list[QAction]:
        """A highlight's tone entries for a right-click menu (owned by ``menu``).

        Show Analysis when it has one; Re-analyse (or Analyse Tone, when it has none)
        unless ``reanalyse`` is False (a selection's own Analyse Tone is in the menu).
        """
        analysed = self.analysis.has_analysis(highlight_id)
        actions: list[QAction] = []
        if analysed:
            show = QAction(self.tr("Show Analysis"), menu)
            show.triggered.connect(functools.partial(self.show_analysis, highlight_id))
            actions.append(show)
        if reanalyse:
            text = self.tr("Re-analyse") if analysed else self.tr("Analyse Tone")
            again = QAction(action_icon("analyse"), text, menu)
            again.triggered.connect(functools.partial(self.analyse_highlight, highlight_id))
            actions.append(again)
        return actions

    def _extend_list_menu(self, menu: QMenu, highlight_id: int) -> None:
        menu.addSeparator()
        for action in self.highlight_menu_actions(menu, highlight_id):
            menu.addAction(action)

    def show_analysis(self, highlight_id: int, *_checked: object) -> None:
        """Bring the Tone panel up with a highlight's latest analysis."""
        self._w.tone_dock.show()
        self._w.tone_dock.raise_()
        self._w.highlights_panel.select_highlight(highlight_id)
        self.analysis.show_highlight(highlight_id)

    def analyse_highlight(self, highlight_id: int, *_checked: object) -> None:
        """Analyse a highlight (again), in the Tone panel; earlier answers are kept."""
        self._w.tone_dock.show()
        self._w.tone_dock.raise_()
        self._w.highlights_panel.select_highlight(highlight_id)
        self.analysis.analyse(highlight_id)

    def _show_tone_of(self, highlight_id: int | None) -> None:
        if highlight_id is not None:
            self.analysis.show_highlight(highlight_id)
