"""From a highlight to a stored, shown tone analysis: compose, stream, keep, colour."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from reader_app.ai.errors import AiError, AiErrorKind
from reader_app.ai.models import DEFAULT_MODEL
from reader_app.core.errors import StorageError
from reader_app.usecases.analysis import AnalysisComposer
from reader_app.usecases.analysis_records import AnalysisRecorder
from reader_app.usecases.correction import example_source, keep_correction

if TYPE_CHECKING:
    from collections.abc import Callable

    from reader_app.ai.request import AnalysisOutcome, ToneRequest
    from reader_app.config.settings import Settings
    from reader_app.core.records import AnalysisRecord, Highlight
    from reader_app.services.highlights import HighlightController
    from reader_app.services.tone_service import ToneService
    from reader_app.storage.analyses import AnalysisRepository
    from reader_app.storage.corrections import CorrectionRepository
    from reader_app.storage.examples import ExampleRepository
    from reader_app.ui.correction_dialog import CorrectionDialog
    from reader_app.ui.reader_pane import ReaderPane
    from reader_app.ui.tone_panel import TonePanel

log = logging.getLogger(__name__)


@dataclass
class _Job:
    highlight_id: int
    request: ToneRequest


class AnalysisController(QObject):
    """Analyses highlights of the open book and keeps the tone panel in step.

    Signals:
        message(str): a one-line note for the status bar.
        analysed(int): a highlight got a new analysis (its id).
    """

    message = Signal(str)
    analysed = Signal(int)

    def __init__(
        self,
        pane: ReaderPane,
        panel: TonePanel,
        highlights: HighlightController,
        analyses: AnalysisRepository,
        examples: ExampleRepository,
        service: ToneService,
        corrections: CorrectionRepository,
        settings: Callable[[], Settings],
        default_model: Callable[[], str] = lambda: DEFAULT_MODEL,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._pane = pane
        self._panel = panel
        self._highlights = highlights
        self._analyses = analyses
        self._examples = examples
        self._service = service
        self._corrections = corrections
        self._composer = AnalysisComposer(examples, settings, default_model, analyses)
        self._recorder = AnalysisRecorder(analyses, highlights.set_color, lambda: settings().prices)
        self._shown: int | None = None  # the analysis shown in the panel
        self.correction_dialog: CorrectionDialog | None = None
        self._jobs: dict[int, _Job] = {}
        self._current: int | None = None  # the highlight shown in the panel
        service.partial_received.connect(self._on_partial)
        service.analysis_finished.connect(self._on_finished)
        service.analysis_failed.connect(self._on_failed)
        panel.analyse_requested.connect(self.analyse_current)
        panel.cancel_requested.connect(self.cancel_current)
        panel.history_chosen.connect(self._show_history_item)
        panel.correct_requested.connect(self.correct)

    # -- what the panel shows -------------------------------------------------------------

    @property
    def current_highlight(self) -> int | None:
        """The highlight the panel is about."""
        return self._current

    def show_highlight(self, highlight_id: int | None) -> None:
        """Show a highlight's latest analysis (or that it has none yet)."""
        self._current = highlight_id
        item = self._highlights.get(highlight_id) if highlight_id is not None else None
        if item is None:
            self._current = None
            self._panel.show_idle()
            return
        if self._job_for(item.id) is not None:
            self._panel.show_pending(item.quote)
            return
        try:
            history = self._analyses.history(item.id)
        except StorageError as exc:
            self.message.emit(exc.message)
            history = []
        latest_ok = next((r for r in history if r.status == "ok"), None)
        self._shown = latest_ok.id if latest_ok is not None else None
        if latest_ok is not None:
            self._show_record(item.quote, latest_ok)
        elif history:
            last = history[0]
            self._panel.show_error(item.quote, last.error_message, retry_after=None)
        else:
            self._panel.show_passage(item.quote, analysed=False)
        self._panel.set_history(history, latest_ok.id if latest_ok else None)

    def _show_history_item(self, analysis_id: int) -> None:
        item = self._highlights.get(self._current) if self._current is not None else None
        record = self._analyses.get(analysis_id)
        if item is not None and record is not None:
            self._shown = record.id
            self._show_record(item.quote, record)

    def _show_record(self, quote: str, record: AnalysisRecord) -> None:
        try:
            correction = self._corrections.latest_for_analysis(record.id)
        except StorageError:
            correction = None
        self._panel.show_record(quote, record, correction.result if correction else None)

    # -- the reader's corrections ---------------------------------------------------------

    def correct(self, as_example: bool) -> None:
        """Open the correction form for the answer shown (non-modal; the panel stays usable)."""
        item = self._highlights.get(self._current) if self._current is not None else None
        record = self._analyses.get(self._shown) if self._shown is not None else None
        if item is None or record is None:
            return
        from reader_app.ui.correction_dialog import CorrectionDialog

        correction = self._corrections.latest_for_analysis(record.id)
        dialog = CorrectionDialog(
            item.quote, correction.result if correction else (record.result or {}),
            as_example=as_example, parent=self._panel.window(),
        )  # fmt: skip
        dialog.accepted.connect(lambda: self._save_correction(item, record, dialog))
        self.correction_dialog = dialog
        dialog.open()

    def _save_correction(
        self, item: Highlight, record: AnalysisRecord, dialog: CorrectionDialog
    ) -> None:
        result = dialog.corrected()
        try:
            kept = keep_correction(
                self._corrections, self._examples, item, record.id, result,
                as_example=dialog.as_example.isChecked(),
                source=example_source(self._pane.book, item),
            )  # fmt: skip
        except StorageError as exc:
            self.message.emit(exc.message)
            return
        self._highlights.set_color(item.id, kept.dominant_emotion)
        example_id = kept.example_id
        self.message.emit(
            self.tr("Your correction is saved, and kept as an example.")
            if example_id is not None
            else self.tr("Your correction is saved.")
        )
        if self._current == item.id:
            self.show_highlight(item.id)

    def _job_for(self, highlight_id: int) -> int | None:
        return next((j for j, job in self._jobs.items() if job.highlight_id == highlight_id), None)

    # -- starting -------------------------------------------------------------------------

    def analyse_selection(self) -> None:
        """Highlight the selection (if it is new) and analyse it; else the current one."""
        selected = self._pane.view.selected_range()
        if selected is not None:
            created = self._highlights.add(self._pane.chapter, *selected)
            if created is None:
                return
            self.analyse(created.id)
        elif self._current is not None:
            self.analyse(self._current)
        else:
            self.message.emit(self.tr("Select a passage first, then press A."))

    def analyse_current(self) -> None:
        """The panel's Analyse / Re-analyse / Retry button."""
        if self._current is not None:
            self.analyse(self._current)

    def analyse(self, highlight_id: int) -> int | None:
        """Start analysing one highlight; returns the job id."""
        item = self._highlights.get(highlight_id)
        book = self._pane.book
        if item is None or book is None or item.orphaned:
            return None
        running = self._job_for(item.id)
        if running is not None:
            return running
        request = self.compose_for(item)
        job = self._service.analyse(request)
        self._jobs[job] = _Job(item.id, request)
        self._current = item.id
        self._panel.show_pending(item.quote, " ".join(request.notes))
        for note in request.notes:
            self.message.emit(note)
        return job

    def compose_for(self, item: Highlight) -> ToneRequest:
        """The request for a highlight, with its context, examples and earlier answers."""
        book = self._pane.book
        assert book is not None
        return self._composer.for_highlight(book, item, self._highlights.highlights)

    def cancel_current(self) -> None:
        """Stop the analysis of the highlight in the panel."""
        if self._current is not None:
            job = self._job_for(self._current)
            if job is not None:
                self._service.cancel(job)

    # -- results --------------------------------------------------------------------------

    def _on_partial(self, job_id: int, data: object) -> None:
        job = self._jobs.get(job_id)
        if job is not None and job.highlight_id == self._current and isinstance(data, dict):
            self._panel.show_partial(data)

    def _on_finished(self, job_id: int, outcome: AnalysisOutcome) -> None:
        job = self._jobs.pop(job_id, None)
        if job is None:
            return
        try:
            self._recorder.success(job.highlight_id, outcome)
            stored = True
        except StorageError as exc:
            self.message.emit(exc.message)
            stored = False
        if job.highlight_id == self._current:
            self.show_highlight(job.highlight_id)
        if stored:
            self.analysed.emit(job.highlight_id)

    def _on_failed(self, job_id: int, error: AiError) -> None:
        job = self._jobs.pop(job_id, None)
        if job is None:
            return
        item = self._highlights.get(job.highlight_id)
        if error.kind is AiErrorKind.CANCELLED:
            if job.highlight_id == self._current and item is not None:
                self._panel.show_passage(item.quote, analysed=False)
                self._panel.status.setText(
                    self.tr("Cancelled. The highlight is kept, not analysed.")
                )
            return
        log.info("Analysis failed: %s (%s) %s", error.kind.value, error.request_id, error.detail)
        try:
            self._recorder.failure(job.highlight_id, job.request, error)
        except StorageError as exc:
            self.message.emit(exc.message)
        if job.highlight_id == self._current and item is not None:
            self._panel.show_error(item.quote, str(error), retry_after=error.retry_after)
