"""The window's tone-analysis commands: one passage, several together, or a batch job.

Built by the app once the analysis objects exist; the window's actions call into it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from PySide6.QtWidgets import QWidget

    from reader_app.ai.request import ToneRequest
    from reader_app.core.eval_data import EvalItem
    from reader_app.core.records import BatchJob, Highlight
    from reader_app.services.analysis_controller import AnalysisController
    from reader_app.services.batch_service import BatchService
    from reader_app.services.eval_service import EvalService
    from reader_app.services.group_analysis import GroupAnalysis
    from reader_app.ui.eval_window import EvalWindow
    from reader_app.ui.examples_dialog import ExamplesDialog
    from reader_app.ui.ports import EvalLibrary, ExampleLibrary
    from reader_app.ui.window_api import ReadingWindow


class ToneCommands(QObject):
    """Connects the window's widgets to the analysis controller, groups and batch jobs."""

    def __init__(self, window: QWidget, host: ReadingWindow) -> None:
        """Commands of ``window`` (the parent of their dialogs), using its parts in ``host``."""
        super().__init__(window)
        self._window = window
        self._w = host
        self.analysis: AnalysisController | None = None
        self.group: GroupAnalysis | None = None
        self.batches: BatchService | None = None
        self._compose: Callable[[Highlight], ToneRequest] | None = None
        self._examples: ExampleLibrary | None = None
        self.examples_dialog: ExamplesDialog | None = None
        self._evaluation: (
            tuple[EvalLibrary, EvalService, Callable[[str, str], list[EvalItem]], Path | None]
            | None
        ) = None
        self.eval_window: EvalWindow | None = None

    def attach_examples(self, repo: ExampleLibrary) -> None:
        """The example library the Examples window edits."""
        self._examples = repo

    def attach_evaluation(
        self,
        repo: EvalLibrary,
        service: EvalService,
        sources: Callable[[str, str], list[EvalItem]],
        sample: Path | None,
    ) -> None:
        """What the Evaluate window works with."""
        self._evaluation = (repo, service, sources, sample)

    def show_evaluation(self) -> None:
        """The Evaluate window (one, non-modal)."""
        if self._evaluation is None:
            return
        if self.eval_window is None:
            from reader_app.ui.eval_window import EvalWindow

            self.eval_window = EvalWindow(*self._evaluation, parent=self._window)
        self.eval_window.show()
        self.eval_window.raise_()

    def show_examples(self) -> None:
        """The Examples window (one, non-modal), for the open book."""
        if self._examples is None:
            return
        book = self._w.pane.book
        book_id = book.book_id if book is not None else ""
        if self.examples_dialog is None:
            from reader_app.ui.examples_dialog import ExamplesDialog

            self.examples_dialog = ExamplesDialog(self._examples, book_id, self._window)
        else:
            self.examples_dialog.set_book(book_id)
        self.examples_dialog.show()
        self.examples_dialog.raise_()

    def attach_analysis(self, controller: AnalysisController) -> None:
        """Connect the window to the tone analysis (built by the app after the window)."""
        self.analysis = controller
        controller.message.connect(self._w.status_message)
        self._w.pane.view.mark_clicked.connect(self._show_tone_of)
        self._w.highlights_panel.currentItemChanged.connect(
            lambda _c, _p: self._show_tone_of(self._w.highlights_panel.current_id())
        )

    def attach_group(self, group: GroupAnalysis) -> None:
        """Connect the window to analysing several highlights in one request."""
        self.group = group
        group.progress.connect(
            lambda done, total: self._w.status_message(
                self.tr("Labelled {done} of {total}…").format(done=done, total=total)
            )
        )
        group.finished.connect(self._w.status_message)
        group.analysed.connect(self.refresh_tone_of)

    def analyse_selected_together(self) -> None:
        """Analyse the highlights selected in the list, in one request."""
        ids = self._w.highlights_panel.selected_ids()
        if len(ids) < 2:
            self._w.status_message(
                self.tr("Select two or more highlights in the Highlights list (Ctrl+click).")
            )
            return
        if self.group is not None:
            self.group.analyse(ids)

    def attach_batches(
        self, batches: BatchService, compose: Callable[[Highlight], ToneRequest]
    ) -> None:
        """Connect the window to Message Batches jobs."""
        self.batches = batches
        self._compose = compose
        batches.job_changed.connect(self._on_batch_changed)
        batches.job_failed.connect(lambda _id, message: self._w.pane.banner.show_error(message))

    def send_selected_as_batch(self) -> None:
        """Send the selected highlights as a Message Batches job (cheaper; answers later)."""
        book = self._w.pane.book
        ids = self._w.highlights_panel.selected_ids()
        items = [self._w.highlight(h) for h in ids]
        chosen = [h for h in items if h is not None and not h.orphaned]
        if self.batches is None or book is None or not chosen:
            self._w.status_message(self.tr("Select highlights in the Highlights list first."))
            return
        compose = self._compose
        assert compose is not None
        self.batches.submit(book.book_id, [(h.id, compose(h)) for h in chosen])

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
        if self.group is None or self._w.pane.book is None:
            return
        ids = self.group.unanalysed_in_chapter(self._w.pane.chapter)
        if not ids:
            self._w.status_message(self.tr("Every highlight in this chapter is analysed."))
            return
        self.group.analyse(ids)

    def refresh_tone_of(self, highlight_id: int) -> None:
        """Show a highlight's new analysis if the panel is about it."""
        if self.analysis is not None and self.analysis.current_highlight == highlight_id:
            self.analysis.show_highlight(highlight_id)

    def analyse_selection(self) -> None:
        """Analyse the selected passage (highlighting it), or the highlight in the panel."""
        if self.analysis is None or self._w.pane.book is None:
            return
        self._w.tone_dock.show()
        self._w.tone_dock.raise_()
        self.analysis.analyse_selection()
        cursor = self._w.pane.view.textCursor()
        cursor.clearSelection()
        self._w.pane.view.setTextCursor(cursor)

    def _show_tone_of(self, highlight_id: int | None) -> None:
        if self.analysis is not None and highlight_id is not None:
            self.analysis.show_highlight(highlight_id)
