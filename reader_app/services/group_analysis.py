"""Analyse several highlights in one request, as the seed describes batch labelling.

The model reads every passage with its context first, then labels each one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from reader_app.ai.errors import AiErrorKind
from reader_app.core.errors import StorageError
from reader_app.usecases.analysis import AnalysisComposer, groups_of, place_of
from reader_app.usecases.analysis_records import AnalysisRecorder
from reader_app.usecases.voices import VoicePlan, plan_voices, section_lines

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Sequence

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
    """Labels groups of highlights, each group in one request, saving each answer as parsed.

    The requests started together make one run: its progress and its summary count them
    all, and stop() ends all of them, keeping every answer already saved.

    Signals:
        running(bool): a run started (True) or ended (False).
        progress(int, int): answers saved so far in the run, and how many were asked for.
        analysed(int): a highlight got its analysis (its id).
        finished(str): a one-line summary of the run for the status bar.
    """

    running = Signal(bool)
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
        self._run = _Run()
        service.item_analysed.connect(self._on_item)
        service.analysis_finished.connect(self._on_finished)
        service.analysis_failed.connect(self._on_failed)

    @property
    def busy(self) -> bool:
        """Whether a run has requests still answering."""
        return bool(self._jobs)

    def stop(self) -> None:
        """End the run: the answers saved so far are kept, the other passages stay unlabelled.

        The run ends at once; its requests stop on their own threads (a first one may
        still be loading the SDK), and what they parse after this is dropped.
        """
        if not self._jobs:
            return
        self._run.stopped = True
        for job in list(self._jobs):
            self._service.cancel(job)
        self._jobs.clear()
        self._end_of_job()

    def unanalysed_in_chapter(self, chapter: int) -> list[int]:
        """The chapter's highlights that have no analysis yet."""
        book = self._highlights.book
        if book is None:
            return []
        done = self._analysed(book.book_id)
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
        starting = not self._jobs
        if starting:
            self._run = _Run()
        jobs = []
        for group in groups:
            request = self.compose(book, group)
            job = self._service.analyse_many(request)
            self._jobs[job] = self._recorder.group([h.id for h in group], request)
            jobs.append(job)
        self._run.total += sum(len(group) for group in groups)
        self._run.requests += len(groups)
        if starting:
            self.running.emit(True)
        self.progress.emit(self._run.saved, self._run.total)
        return jobs

    def plan_voices(self, chapter: int, offset: int) -> VoicePlan | None:
        """What mapping the voices of the section at a place would send; None without a book."""
        book = self._highlights.book
        if book is None:
            return None
        title, places = section_lines(book, chapter, offset)
        return plan_voices(
            book, title, places, self._highlights.highlights, self._composer.for_group,
            self._settings().prices, self._analysed(book.book_id),
        )  # fmt: skip

    def map_voices(self, plan: VoicePlan) -> list[int]:
        """Highlight each spoken line of a plan and label those still unlabelled together.

        Returns:
            The job ids.
        """
        ids = self.lines_to_label(plan)
        return self.analyse(ids) if ids else []

    def lines_to_label(self, plan: VoicePlan) -> list[int]:
        """Highlight each spoken line of a plan; the ids of the lines still to label.

        A line already highlighted keeps its own highlight.
        """
        ids = self._highlights.add_many(plan.places)
        todo = set(plan.todo)
        return [hid for hid, place in zip(ids, plan.places, strict=False) if place in todo]

    def compose(self, book: Book, group: Sequence[Highlight]) -> ToneRequest:
        """The request for a group: each passage with its context, read together."""
        return self._composer.for_group(book, [place_of(h) for h in group])

    def _analysed(self, book_id: str) -> Collection[int]:
        try:
            return self._analyses.latest_ok_for_book(book_id).keys()
        except StorageError:
            return ()

    def _on_item(self, job_id: int, index: int, checked: CheckedAnalysis) -> None:
        record = self._jobs.get(job_id)
        if record is None:
            return
        try:
            highlight_id = record.item(index, checked)
        except StorageError as exc:
            self._run.problem = exc.message
            return
        if highlight_id is None:
            return
        self._run.saved += 1
        self.analysed.emit(highlight_id)
        self.progress.emit(self._run.saved, self._run.total)

    def _on_finished(self, job_id: int, outcome: object) -> None:
        record = self._jobs.pop(job_id, None)
        if record is None:
            return
        if isinstance(outcome, tuple):
            results: ItemResults = outcome[0]
            raw: RawAnswer = outcome[1]
            record.finish(results, raw)
        self._end_of_job()

    def _on_failed(self, job_id: int, error: AiError) -> None:
        record = self._jobs.pop(job_id, None)
        if record is None:
            return
        record.fail(error)
        if error.kind is not AiErrorKind.CANCELLED:
            self._run.problem = self._run.problem or str(error)
        self._end_of_job()

    def _end_of_job(self) -> None:
        if self._jobs:
            return
        self.running.emit(False)
        self.finished.emit(self._summary())

    def _summary(self) -> str:
        run = self._run
        done, total = run.saved, run.total
        if run.stopped:
            return self.tr(
                "Stopped: {done} of {total} passages labelled. The rest are kept as"
                " highlights; the same command labels them later."
            ).format(done=done, total=total)
        if run.problem:
            return self.tr("{saved} of {total} passages were labelled before: {error}").format(
                saved=done, total=total, error=run.problem
            )
        if run.requests == 1:
            message = self.tr("Labelled {done} of {total} passages in one request.")
        else:
            message = self.tr("Labelled {done} of {total} passages in {n} requests.")
        message = message.format(done=done, total=total, n=run.requests)
        if done < total:
            message += " " + self.tr("The others are kept, not analysed; try them again.")
        return message


@dataclass(slots=True)
class _Run:
    """The tally of the requests started together."""

    total: int = 0
    saved: int = 0
    requests: int = 0
    stopped: bool = False
    problem: str = ""  # the first failure, as a line for the reader
