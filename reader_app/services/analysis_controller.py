"""From a highlight to a stored, shown tone analysis: compose, stream, keep, colour.

The controller knows no widget. It says what the tone panel should show through its
``show_*`` signals, and takes the reader's intents (analyse, cancel, pick an earlier
answer, correct) through its slots; the composition root connects both to the panel.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from reader_app.ai.errors import AiError, AiErrorKind
from reader_app.ai.models import DEFAULT_MODEL, model_to_use
from reader_app.ai.thinking import larger_limit, max_output
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

log = logging.getLogger(__name__)


@dataclass
class _Job:
    highlight_id: int
    request: ToneRequest


# Failures the reader fixes with a key: there is none, or it was rejected.
_NO_KEY_KINDS = (AiErrorKind.NO_KEY.value, AiErrorKind.NO_KEYRING.value)
_BAD_KEY_KINDS = (AiErrorKind.AUTH.value, AiErrorKind.PERMISSION.value)


def _built_in_model() -> str:
    return DEFAULT_MODEL


class AnalysisController(QObject):
    """Analyses highlights of the open book and says what the tone panel should show.

    Signals:
        message(str): a one-line note for the status bar.
        analysed(int): a highlight got a new analysis (its id).
        show_idle(): no highlight is chosen.
        show_passage(str, bool): a highlight's passage, and whether it has an analysis
            (False: it has none yet, or its analysis was cancelled).
        show_pending(str, str): the passage being analysed, and notes about the request
            (examples left out), "" when there are none.
        show_partial(object): the answer so far, a dict of the fields written yet.
        show_record(str, object, object): the passage, its AnalysisRecord, and the reader's
            correction of it (the corrected answer, a dict) or None.
        show_error(str, str, object): the passage, why it has no analysis, and the seconds
            to wait before retrying (a float) or None.
        show_history(object, object): every attempt for the highlight (AnalysisRecords,
            newest first), and the id of the one shown or None.
        show_status(str): a line for the panel's status (a cancelled analysis).
        key_needed(bool): the failure just shown is about the API key (none, no keyring,
            rejected); True when there is no key at all, False when it was rejected.
        correction_wanted(int, int, str, object, bool): the reader asked to correct the
            answer shown: the highlight id, the analysis id, the passage, the answer to
            start from (a dict: the latest correction, else the model's answer), and whether
            to keep it as an example. Whoever opens the form hands the correction back to
            :meth:`save_correction`.
    """

    message = Signal(str)
    analysed = Signal(int)
    show_idle = Signal()
    show_passage = Signal(str, bool)
    show_pending = Signal(str, str)
    show_partial = Signal(object)
    show_record = Signal(str, object, object)
    show_error = Signal(str, str, object)
    show_history = Signal(object, object)
    show_status = Signal(str)
    key_needed = Signal(bool)
    correction_wanted = Signal(int, int, str, object, bool)

    def __init__(
        self,
        highlights: HighlightController,
        analyses: AnalysisRepository,
        examples: ExampleRepository,
        service: ToneService,
        corrections: CorrectionRepository,
        settings: Callable[[], Settings],
        default_model: Callable[[], str] = _built_in_model,
        parent: QObject | None = None,
    ) -> None:
        """Wire the controller to its collaborators; the panel is connected by the caller.

        Args:
            highlights: the open book and its highlights.
            analyses: where analyses are kept.
            examples: the example library.
            service: runs the requests.
            corrections: where the reader's corrections are kept.
            settings: the settings in force.
            default_model: the default model the API listed (else the built-in one).
            parent: the Qt parent.
        """
        super().__init__(parent)
        self._highlights = highlights
        self._analyses = analyses
        self._examples = examples
        self._service = service
        self._corrections = corrections
        self._settings = settings
        self._default_model = default_model
        self._composer = AnalysisComposer(examples, settings, default_model, analyses)
        self._recorder = AnalysisRecorder(analyses, self._colour, lambda: settings().prices)
        # Highlights whose new colour waits: in practice mode the colour would give the
        # answer away before the learner has guessed.
        self._held_colours: dict[int, str | None] = {}
        self._shown: int | None = None  # the analysis shown in the panel
        self._jobs: dict[int, _Job] = {}
        self._current: int | None = None  # the highlight shown in the panel
        # Highlights whose answer was cut off at its token limit: the limit a Retry asks
        # for (double the last, up to the model's maximum), until an answer comes.
        self._larger: dict[int, int] = {}
        service.partial_received.connect(self._on_partial)
        service.analysis_finished.connect(self._on_finished)
        service.analysis_failed.connect(self._on_failed)

    # -- what the panel shows -------------------------------------------------------------

    def hold_colour(self, highlight_id: int) -> None:
        """Keep a highlight's colour as it is until :meth:`release_colour`."""
        self._held_colours.setdefault(highlight_id, None)

    def release_colour(self, highlight_id: int) -> None:
        """Give a held highlight the colour its answer brought, if one came."""
        colour = self._held_colours.pop(highlight_id, None)
        if colour:
            self._highlights.set_color(highlight_id, colour)

    def _colour(self, highlight_id: int, emotion: str) -> None:
        if highlight_id in self._held_colours:
            self._held_colours[highlight_id] = emotion
            return
        self._highlights.set_color(highlight_id, emotion)

    @property
    def current_highlight(self) -> int | None:
        """The highlight the panel is about."""
        return self._current

    def model_in_force(self) -> str:
        """The model the next analysis goes to: the reader's choice, else the listed default."""
        return model_to_use(self._settings().model, self._default_model())

    def has_analysis(self, highlight_id: int) -> bool:
        """Whether a highlight has an answer to show (False when the library cannot say)."""
        try:
            return any(r.status == "ok" for r in self._analyses.history(highlight_id))
        except StorageError:
            return False

    def show_highlight(self, highlight_id: int | None) -> None:
        """Show a highlight's latest analysis (or that it has none yet)."""
        self._current = highlight_id
        item = self._highlights.get(highlight_id) if highlight_id is not None else None
        if item is None:
            self._current = None
            self.show_idle.emit()
            return
        if self._job_for(item.id) is not None:
            self.show_pending.emit(item.quote, "")
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
            self.show_error.emit(item.quote, history[0].error_message, None)
            self._say_if_key_needed(history[0].error_kind)
        else:
            self.show_passage.emit(item.quote, False)
        self.show_history.emit(history, latest_ok.id if latest_ok else None)

    def show_history_item(self, analysis_id: int) -> None:
        """Show an earlier attempt of the highlight in the panel (the panel's history list)."""
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
        self.show_record.emit(quote, record, correction.result if correction else None)

    # -- the reader's corrections ---------------------------------------------------------

    def correct(self, as_example: bool) -> None:
        """Ask for the correction form for the answer shown (see ``correction_wanted``)."""
        item = self._highlights.get(self._current) if self._current is not None else None
        record = self._analyses.get(self._shown) if self._shown is not None else None
        if item is None or record is None:
            return
        try:
            correction = self._corrections.latest_for_analysis(record.id)
        except StorageError as exc:
            self.message.emit(exc.message)
            return
        start = correction.result if correction else (record.result or {})
        self.correction_wanted.emit(item.id, record.id, item.quote, start, as_example)

    def save_correction(
        self, highlight_id: int, analysis_id: int, result: dict[str, Any], as_example: bool
    ) -> int | None:
        """Keep the reader's correction of an analysis (and the example made from it).

        Args:
            highlight_id: the highlight the analysis is about.
            analysis_id: the analysis corrected; it stays as the model gave it.
            result: the corrected answer.
            as_example: also keep it as an example for later answers.

        Returns:
            The correction's id, or None when it could not be kept (the reason is said).
        """
        item = self._highlights.get(highlight_id)
        if item is None:
            return None  # deleted while the form was open: nothing to attach it to
        try:
            kept = keep_correction(
                self._corrections, self._examples, item, analysis_id, result,
                as_example=as_example, source=example_source(self._highlights.book, item),
            )  # fmt: skip
        except StorageError as exc:
            self.message.emit(exc.message)
            return None
        if kept.dominant_emotion:  # a corrected answer may name no emotion
            self._highlights.set_color(item.id, kept.dominant_emotion)
        self.message.emit(
            self.tr("Your correction is saved, and kept as an example.")
            if kept.example_id is not None
            else self.tr("Your correction is saved.")
        )
        if self._current == item.id:
            self.show_highlight(item.id)
        return kept.correction_id

    def _job_for(self, highlight_id: int) -> int | None:
        return next((j for j, job in self._jobs.items() if job.highlight_id == highlight_id), None)

    # -- starting -------------------------------------------------------------------------

    def analyse_selection(self, selected: tuple[int, int, int] | None) -> None:
        """Highlight the selection (chapter, start, end) if it is new and analyse it.

        With nothing selected, the highlight in the panel is analysed again.
        """
        if selected is not None and not self._has_words(*selected):
            # A picture alone (its object character) or white space: nothing to hear.
            self.message.emit(
                self.tr("The selection holds no words: select some text, then press A.")
            )
            return
        if selected is not None:
            created = self._highlights.add(*selected)
            if created is None:
                return
            self.analyse(created.id)
        elif self._current is not None:
            self.analyse(self._current)
        else:
            self.message.emit(self.tr("Select a passage first, then press A."))

    def _has_words(self, chapter: int, start: int, end: int) -> bool:
        book = self._highlights.book
        if book is None or not 0 <= chapter < len(book.chapters):
            return True  # the highlight store gives its own answer
        return any(c.isalnum() for c in book.chapters[chapter].text[start:end])

    def analyse_current(self) -> None:
        """The panel's Analyse / Re-analyse / Retry button."""
        if self._current is not None:
            self.analyse(self._current)

    def analyse(self, highlight_id: int) -> int | None:
        """Start analysing one highlight; returns the job id."""
        item = self._highlights.get(highlight_id)
        book = self._highlights.book
        if item is None or book is None or item.orphaned:
            return None
        running = self._job_for(item.id)
        if running is not None:
            return running
        request = self.compose_for(item)
        larger = self._larger.get(item.id)
        if larger is not None and larger > request.max_tokens:
            limit = min(larger, max_output(request.model))
            request = dataclasses.replace(request, max_tokens=limit)
        job = self._service.analyse(request)
        self._jobs[job] = _Job(item.id, request)
        self._current = item.id
        self.show_pending.emit(item.quote, " ".join(request.notes))
        for note in request.notes:
            self.message.emit(note)
        return job

    def compose_for(self, item: Highlight) -> ToneRequest:
        """The request for a highlight, with its context, examples and earlier answers."""
        book = self._highlights.book
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
            self.show_partial.emit(data)

    def _on_finished(self, job_id: int, outcome: AnalysisOutcome) -> None:
        job = self._jobs.pop(job_id, None)
        if job is None:
            return
        self._larger.pop(job.highlight_id, None)
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
                self.show_passage.emit(item.quote, False)
                self.show_status.emit(self.tr("Cancelled. The highlight is kept, not analysed."))
            return
        log.info("Analysis failed: %s (%s) %s", error.kind.value, error.request_id, error.detail)
        try:
            self._recorder.failure(job.highlight_id, job.request, error)
        except StorageError as exc:
            self.message.emit(exc.message)
        if job.highlight_id == self._current and item is not None:
            self.show_error.emit(item.quote, self._explained(job, error), error.retry_after)
            self._say_if_key_needed(error.kind.value)

    def _say_if_key_needed(self, kind: str) -> None:
        """Offer the key set-up beside a failure that a key would fix."""
        if kind in _NO_KEY_KINDS:
            self.key_needed.emit(True)
        elif kind in _BAD_KEY_KINDS:
            self.key_needed.emit(False)

    def _explained(self, job: _Job, error: AiError) -> str:
        """The failure as the panel says it.

        An answer cut off at its limit also says what the Retry button will ask for: twice
        the limit, up to the model's maximum.
        """
        if error.kind is not AiErrorKind.CUT_OFF:
            return str(error)
        larger = larger_limit(job.request.model, job.request.max_tokens)
        if larger is None:
            self._larger.pop(job.highlight_id, None)
            more = self.tr("That is the model's maximum; try a shorter passage or another model.")
        else:
            self._larger[job.highlight_id] = larger
            more = self.tr("Retry asks for up to {n} tokens.").format(n=f"{larger:,}")
        return f"{error} {more}"
