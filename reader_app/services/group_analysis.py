"""Analyse several highlights in one request, as the seed describes batch labelling.

The model reads every passage with its context first, then labels each one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from reader_app.core.errors import StorageError
from reader_app.usecases.analysis import AnalysisComposer, groups_of, place_of
from reader_app.usecases.analysis_records import AnalysisRecorder
from reader_app.usecases.voices import VoicePlan, plan_voices, section_lines

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from reader_app.ai.errors import AiError
    from reader_app.ai.multi import ItemResults
    from reader_app.ai.request import RawAnswer, ToneRequest
    from reader_app.ai.schema import CheckedAnalysis
    from reader_app.config.settings import Settings
    from reader_app.core.book import Book
    from reader_app.core.records import Highlight
    from reader_app.services.highlights import HighlightController
    from reader_app.services.tone_service import ToneService
    from reader_app.storage.analyses import AnalysisRepository
    from reader_app.storage.examples import ExampleRepository
    from reader_app.usecases.analysis_records import GroupRecord


class GroupAnalysis(QObject):
    """Labels a group of highlights in one request, saving each answer as it is parsed.

    Signals:
        progress(int, int): answers saved so far, and how many were asked for.
        analysed(int): a highlight got its analysis (its id).
        finished(str): a one-line summary for the status bar.
    """

    progress = Signal(int, int)
    analysed = Signal(int)
    finished = Signal(str)

    def __init__(
        self,
        highlights: HighlightController,
        analyses: AnalysisRepository,
        examples: ExampleRepository,
        service: ToneService,
        settings: Callable[[], Settings],
        default_model: Callable[[], str],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._highlights = highlights
        self._analyses = analyses
        self._service = service
        self._settings = settings
        self._composer = AnalysisComposer(examples, settings, default_model)
        self._recorder = AnalysisRecorder(analyses, highlights.set_color, lambda: settings().prices)
        self._jobs: dict[int, GroupRecord] = {}
        service.item_analysed.connect(self._on_item)
        service.analysis_finished.connect(self._on_finished)
        service.analysis_failed.connect(self._on_failed)

    def unanalysed_in_chapter(self, chapter: int) -> list[int]:
        """The chapter's highlights that have no analysis yet."""
        book = self._highlights.book
        if book is None:
            return []
        try:
            done = self._analyses.latest_ok_for_book(book.book_id)
        except StorageError:
            return []
        return [
            h.id
            for h in self._highlights.highlights
            if h.chapter == chapter and not h.orphaned and h.id not in done
        ]

    def analyse(self, highlight_ids: Sequence[int]) -> list[int]:
        """Start one request per group of up to MAX_TOGETHER highlights; returns job ids."""
        book = self._highlights.book
        items = [self._highlights.get(h) for h in highlight_ids]
        groups = groups_of([h for h in items if h is not None])
        if book is None or not groups:
            return []
        jobs = []
        for group in groups:
            request = self.compose(book, group)
            job = self._service.analyse_many(request)
            self._jobs[job] = self._recorder.group([h.id for h in group], request)
            jobs.append(job)
        self.progress.emit(0, sum(len(group) for group in groups))
        return jobs

    def plan_voices(self, chapter: int, offset: int) -> VoicePlan | None:
        """What mapping the voices of the section at a place would send; None without a book."""
        book = self._highlights.book
        if book is None:
            return None
        title, places = section_lines(book, chapter, offset)
        return plan_voices(
            book, title, places, self._highlights.highlights, self._composer.for_group,
            self._settings().prices,
        )  # fmt: skip

    def map_voices(self, plan: VoicePlan) -> list[int]:
        """Highlight each spoken line of a plan and label them together; returns job ids."""
        ids = self.highlight_lines(plan)
        return self.analyse(ids) if ids else []

    def highlight_lines(self, plan: VoicePlan) -> list[int]:
        """Highlight each spoken line of a plan (a line already highlighted keeps its own)."""
        return self._highlights.add_many(plan.places)

    def compose(self, book: Book, group: Sequence[Highlight]) -> ToneRequest:
        """The request for a group: each passage with its context, read together."""
        return self._composer.for_group(book, [place_of(h) for h in group])

    def _on_item(self, job_id: int, index: int, checked: CheckedAnalysis) -> None:
        record = self._jobs.get(job_id)
        if record is None:
            return
        try:
            highlight_id = record.item(index, checked)
        except StorageError as exc:
            self.finished.emit(exc.message)
            return
        if highlight_id is None:
            return
        self.analysed.emit(highlight_id)
        self.progress.emit(len(record.saved), record.total)

    def _on_finished(self, job_id: int, outcome: object) -> None:
        record = self._jobs.pop(job_id, None)
        if record is None or not isinstance(outcome, tuple):
            return
        results: ItemResults = outcome[0]
        raw: RawAnswer = outcome[1]
        record.finish(results, raw)
        done = len(record.saved)
        total = record.total
        message = self.tr("Labelled {done} of {total} passages in one request.").format(
            done=done, total=total
        )
        if done < total:
            message += " " + self.tr("The others are kept, not analysed; try them again.")
        self.finished.emit(message)

    def _on_failed(self, job_id: int, error: AiError) -> None:
        record = self._jobs.pop(job_id, None)
        if record is None:
            return
        record.fail(error)
        self.finished.emit(
            self.tr("{saved} of {total} passages were labelled before: {error}").format(
                saved=len(record.saved), total=record.total, error=str(error)
            )
        )
