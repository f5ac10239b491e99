"""Analyse several highlights in one request, as the seed describes batch labelling.

The model reads every passage with its context first, then labels each one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from reader_app.ai.errors import AiErrorKind
from reader_app.ai.multi import compose_many
from reader_app.ai.pricing import estimate_cost
from reader_app.ai.prompt import PassageContext, extract_context, prompt_settings
from reader_app.ai.selection import choose_examples
from reader_app.core.errors import StorageError
from reader_app.core.records import NewAnalysis

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

log = logging.getLogger(__name__)
MAX_TOGETHER = 20  # passages per request: more would make one answer very long


@dataclass
class _GroupJob:
    highlight_ids: list[int]
    request: ToneRequest
    saved: dict[int, int] = field(default_factory=dict)  # item index → analysis id


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
        book: Callable[[], Book | None],
        highlights: HighlightController,
        analyses: AnalysisRepository,
        examples: ExampleRepository,
        service: ToneService,
        settings: Callable[[], Settings],
        default_model: Callable[[], str],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._book = book
        self._highlights = highlights
        self._analyses = analyses
        self._examples = examples
        self._service = service
        self._settings = settings
        self._default_model = default_model
        self._jobs: dict[int, _GroupJob] = {}
        service.item_analysed.connect(self._on_item)
        service.analysis_finished.connect(self._on_finished)
        service.analysis_failed.connect(self._on_failed)

    def unanalysed_in_chapter(self, chapter: int) -> list[int]:
        """The chapter's highlights that have no analysis yet."""
        book = self._book()
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
        book = self._book()
        items = [self._highlights.get(h) for h in highlight_ids]
        chosen = [h for h in items if h is not None and not h.orphaned]
        if book is None or not chosen:
            return []
        chosen.sort(key=lambda h: (h.chapter, h.start))
        jobs = []
        for first in range(0, len(chosen), MAX_TOGETHER):
            group = chosen[first : first + MAX_TOGETHER]
            request = self.compose(book, group)
            job = self._service.analyse_many(request)
            self._jobs[job] = _GroupJob([h.id for h in group], request)
            jobs.append(job)
        self.progress.emit(0, len(chosen))
        return jobs

    def compose(self, book: Book, group: Sequence[Highlight]) -> ToneRequest:
        """The request for a group: each passage with its context, read together."""
        settings = self._settings()
        contexts = []
        for item in group:
            text = book.chapters[item.chapter].text
            before, after = extract_context(text, item.start, item.end, settings.context_paragraphs)
            contexts.append(
                PassageContext(
                    book.title,
                    ", ".join(book.authors),
                    book.section_title(item.chapter, item.start),
                    item.quote,
                    before,
                    after,
                )
            )
        pool, fixed = self._examples.for_request(book.book_id, settings.fixed_set)
        joined = " ".join(h.quote for h in group)
        choice = choose_examples(
            pool, settings.example_strategy, joined, k=settings.example_k, fixed=fixed
        )
        return compose_many(
            prompt_settings(settings, self._default_model()),
            choice.static,
            contexts,
            similar=choice.dynamic,
            notes=choice.notes,
        )

    def _on_item(self, job_id: int, index: int, checked: CheckedAnalysis) -> None:
        job = self._jobs.get(job_id)
        if job is None or index >= len(job.highlight_ids):
            return
        highlight_id = job.highlight_ids[index]
        analysis = checked.analysis
        try:
            record = self._analyses.add(
                NewAnalysis(
                    highlight_id=highlight_id,
                    status="ok",
                    model=job.request.model,
                    prompt_version=job.request.prompt_version,
                    tone=analysis.tone,
                    polarity=analysis.polarity,
                    dominant_emotion=analysis.dominant_emotion,
                    result=analysis.model_dump(),
                    dropped_evidence=checked.dropped_evidence,
                )
            )
        except StorageError as exc:
            self.finished.emit(exc.message)
            return
        job.saved[index] = record.id
        self._highlights.set_color(highlight_id, analysis.dominant_emotion)
        self.analysed.emit(highlight_id)
        self.progress.emit(len(job.saved), len(job.highlight_ids))

    def _on_finished(self, job_id: int, outcome: object) -> None:
        job = self._jobs.pop(job_id, None)
        if job is None:
            return
        if not isinstance(outcome, tuple):
            return
        results: ItemResults = outcome[0]
        raw: RawAnswer = outcome[1]
        self._share_usage(job, raw)
        self._record_failures(job, results.failed, "")
        done = len(job.saved)
        total = len(job.highlight_ids)
        message = self.tr("Labelled {done} of {total} passages in one request.").format(
            done=done, total=total
        )
        if done < total:
            message += " " + self.tr("The others are kept, not analysed; try them again.")
        self.finished.emit(message)

    def _on_failed(self, job_id: int, error: AiError) -> None:
        job = self._jobs.pop(job_id, None)
        if job is None:
            return
        missing = {i: "" for i in range(len(job.highlight_ids)) if i not in job.saved}
        if error.kind is not AiErrorKind.CANCELLED:
            self._record_failures(job, missing, error.kind.value, str(error))
        self.finished.emit(
            self.tr("{saved} of {total} passages were labelled before: {error}").format(
                saved=len(job.saved), total=len(job.highlight_ids), error=str(error)
            )
        )

    def _record_failures(
        self,
        job: _GroupJob,
        failed: dict[int, str] | ItemResults | object,
        kind: str,
        message: str = "",
    ) -> None:
        if not isinstance(failed, dict):
            return
        for index, why in failed.items():
            if index in job.saved or index >= len(job.highlight_ids):
                continue
            try:
                self._analyses.add(
                    NewAnalysis(
                        highlight_id=job.highlight_ids[index],
                        status="failed",
                        model=job.request.model,
                        prompt_version=job.request.prompt_version,
                        error_kind=kind or AiErrorKind.SCHEMA.value,
                        error_message=message or f"The answer for this passage failed: {why}.",
                    )
                )
            except StorageError:
                log.info("Could not record a failed item")

    def _share_usage(self, job: _GroupJob, raw: RawAnswer) -> None:
        """One request's tokens and cost, shared evenly by the answers it produced."""
        if not job.saved:
            return
        n = len(job.saved)
        usage = raw.usage
        share = (
            usage.input_tokens // n,
            usage.output_tokens // n,
            usage.cache_creation_input_tokens // n,
            usage.cache_read_input_tokens // n,
        )
        cost = estimate_cost(raw.model, usage, self._settings().prices) / n
        for analysis_id in job.saved.values():
            try:
                self._analyses.set_usage(
                    analysis_id, share, cost, raw.ttft_ms, raw.total_ms, raw.request_id
                )
            except StorageError:
                log.info("Could not record usage of a group answer")
