"""Keeping what an analysis produced: an answer, a failure, or a group's answers.

Every attempt is stored, so re-analysing keeps the history: an answer becomes an "ok"
analysis (with its tokens, estimated cost and timings) and the highlight takes the colour
of its dominant emotion; a failure becomes a "failed" analysis that says why, and the
highlight stays, "not analysed". The tone panel, the group and batch analyses and
``tone-reader analyze --save`` all record here.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from reader_app.ai.errors import AiErrorKind
from reader_app.ai.request import AnalysisOutcome
from reader_app.core.errors import StorageError
from reader_app.core.records import NewAnalysis
from reader_app.storage.analyses import success_from_outcome
from reader_app.usecases.cost import answer_cost, cost_share, stored_cost, usage_share

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from reader_app.ai.errors import AiError
    from reader_app.ai.multi import ItemResults
    from reader_app.ai.request import RawAnswer, ToneRequest
    from reader_app.ai.schema import CheckedAnalysis
    from reader_app.core.records import AnalysisRecord
    from reader_app.storage.analyses import AnalysisRepository

log = logging.getLogger(__name__)


def success_row(
    highlight_id: int,
    outcome: AnalysisOutcome,
    prices: Sequence[tuple[str, float, float]],
    *,
    batch: bool = False,
    model: str = "",
) -> NewAnalysis:
    """The stored form of an answer, priced with the table in force.

    Args:
        highlight_id: the highlight it answers.
        outcome: the answer and its measurements.
        prices: the price table in force (empty: the defaults).
        batch: whether it came through the Message Batches API (the batch rate).
        model: the model to record when the outcome names none.

    An unknown price is kept as 0.0 (the table's column is a number); what people see
    shows it as "price unknown" (:func:`~reader_app.usecases.cost.shown_cost`).
    """
    model = outcome.model or model
    cost = stored_cost(answer_cost(model, outcome.usage, prices, batch=batch))
    return success_from_outcome(highlight_id, outcome, cost, model)


def failure_row(highlight_id: int, model: str, prompt_version: str, error: AiError) -> NewAnalysis:
    """The stored form of a failed attempt: what went wrong, on one line.

    Args:
        highlight_id: the highlight that stays "not analysed".
        model: the model the request went to.
        prompt_version: the request's prompt version.
        error: why there is no answer.
    """
    return NewAnalysis(
        highlight_id=highlight_id,
        status="failed",
        model=model,
        prompt_version=prompt_version,
        request_id=error.request_id,
        error_kind=error.kind.value,
        error_message=" ".join(str(error).split()),
    )


def item_failure_message(why: str) -> str:
    """Why one passage of a group request got no valid answer, as it is stored."""
    return f"The answer for this passage failed: {why}."


def item_outcome(
    checked: CheckedAnalysis, raw: RawAnswer, request: ToneRequest, answers: int
) -> AnalysisOutcome:
    """One passage's answer in a group request, with its even share of the tokens.

    Args:
        checked: the passage's checked answer.
        raw: the whole request's answer (its usage, model, timings).
        request: the group request.
        answers: how many passages got an answer (they share the usage).
    """
    return AnalysisOutcome(
        checked.analysis,
        checked.dropped_evidence,
        usage_share(raw.usage, answers),
        raw.model,
        raw.request_id,
        request.prompt_version,
        raw.ttft_ms,
        raw.total_ms,
        raw.text,
    )


def _recolour(colour: Callable[[int, str], object], highlight_id: int, emotion: str) -> None:
    # An answer that names no emotion leaves the highlight's colour as it was.
    if emotion:
        colour(highlight_id, emotion)


class AnalysisRecorder:
    """Stores outcomes in the library, and colours each analysed highlight.

    Raises (from each method that stores): StorageError when the library cannot be written;
    nothing of that attempt is then kept.
    """

    def __init__(
        self,
        analyses: AnalysisRepository,
        colour: Callable[[int, str], object],
        prices: Callable[[], Sequence[tuple[str, float, float]]] = tuple,
    ) -> None:
        """Keep where outcomes go.

        Args:
            analyses: where analyses are stored.
            colour: gives a highlight (by id) the colour of an emotion. The window passes
                its highlights controller (so its marks repaint), the command line the
                repository.
            prices: the price table in force, asked for each answer's cost.
        """
        self._analyses = analyses
        self._colour = colour
        self._prices = prices

    def success(
        self, highlight_id: int, outcome: AnalysisOutcome, *, batch: bool = False
    ) -> AnalysisRecord:
        """Store an answer; the highlight takes the colour of its dominant emotion."""
        row = success_row(highlight_id, outcome, self._prices(), batch=batch)
        record = self._analyses.add(row)
        _recolour(self._colour, highlight_id, outcome.analysis.dominant_emotion)
        return record

    def failure(self, highlight_id: int, request: ToneRequest, error: AiError) -> AnalysisRecord:
        """Store why a highlight got no answer; it stays, "not analysed"."""
        return self._analyses.add(
            failure_row(highlight_id, request.model, request.prompt_version, error)
        )

    def group(self, highlight_ids: Sequence[int], request: ToneRequest) -> GroupRecord:
        """Start recording the answers of a request about several highlights.

        Args:
            highlight_ids: the highlights, in the order the request numbers them.
            request: the group request.
        """
        return GroupRecord(self._analyses, self._colour, self._prices, highlight_ids, request)


class GroupRecord:
    """The answers of one request about several highlights, kept as each one is parsed.

    An answer is stored as soon as it arrives (:meth:`item`), so a request that breaks off
    later loses only the passages not answered yet. When the request ends, the answers share
    its tokens and cost evenly and every passage without an answer gets a failed attempt
    (:meth:`finish`); when it fails, the passages not answered yet do (:meth:`fail`).

    Attributes:
        highlight_ids: the highlights, in the order the request numbers them.
        request: the group request.
        saved: analysis id of each answer stored so far, by passage index.
    """

    def __init__(
        self,
        analyses: AnalysisRepository,
        colour: Callable[[int, str], object],
        prices: Callable[[], Sequence[tuple[str, float, float]]],
        highlight_ids: Sequence[int],
        request: ToneRequest,
    ) -> None:
        """Made by :meth:`AnalysisRecorder.group`, which passes its own collaborators."""
        self._analyses = analyses
        self._colour = colour
        self._prices = prices
        self.highlight_ids = list(highlight_ids)
        self.request = request
        self.saved: dict[int, int] = {}

    @property
    def total(self) -> int:
        """How many highlights the request is about."""
        return len(self.highlight_ids)

    def item(self, index: int, checked: CheckedAnalysis) -> int | None:
        """Store the answer for passage ``index``; the highlight takes its colour.

        Returns:
            The highlight's id, or None when the index is not one of the request's
            passages or that passage already has its answer.

        Raises:
            StorageError: the answer could not be stored.
        """
        if index >= self.total or index in self.saved:
            return None
        highlight_id = self.highlight_ids[index]
        analysis = checked.analysis
        record = self._analyses.add(
            NewAnalysis(
                highlight_id=highlight_id,
                status="ok",
                model=self.request.model,
                prompt_version=self.request.prompt_version,
                tone=analysis.tone,
                polarity=analysis.polarity,
                dominant_emotion=analysis.dominant_emotion,
                result=analysis.model_dump(),
                dropped_evidence=checked.dropped_evidence,
            )
        )
        self.saved[index] = record.id
        _recolour(self._colour, highlight_id, analysis.dominant_emotion)
        return highlight_id

    def finish(self, results: ItemResults, raw: RawAnswer) -> None:
        """The request ended: share its usage, and record the passages it did not answer.

        A row that cannot be written is logged and skipped: the answers are already kept.
        """
        answers = len(self.saved)
        share = usage_share(raw.usage, answers)
        tokens = (
            share.input_tokens,
            share.output_tokens,
            share.cache_creation_input_tokens,
            share.cache_read_input_tokens,
        )
        cost = stored_cost(cost_share(raw.model, raw.usage, self._prices(), answers))
        for analysis_id in self.saved.values():
            try:
                self._analyses.set_usage(
                    analysis_id, tokens, cost, raw.ttft_ms, raw.total_ms, raw.request_id
                )
            except StorageError:
                log.info("Could not record usage of a group answer")
        for index, why in results.failed.items():
            self._record_failure(index, AiErrorKind.SCHEMA.value, item_failure_message(why))

    def fail(self, error: AiError) -> None:
        """The request failed: each passage not answered yet gets a failed attempt.

        A cancelled request records nothing: the reader stopped it, nothing went wrong.
        """
        if error.kind is AiErrorKind.CANCELLED:
            return
        message = " ".join(str(error).split())
        for index in range(self.total):
            self._record_failure(index, error.kind.value, message, error.request_id)

    def _record_failure(self, index: int, kind: str, message: str, request_id: str = "") -> None:
        if index in self.saved or index >= self.total:
            return
        try:
            self._analyses.add(
                NewAnalysis(
                    highlight_id=self.highlight_ids[index],
                    status="failed",
                    model=self.request.model,
                    prompt_version=self.request.prompt_version,
                    request_id=request_id,
                    error_kind=kind,
                    error_message=message,
                )
            )
        except StorageError:
            log.info("Could not record a failed item")
