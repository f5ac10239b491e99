"""Run an evaluation set through the tone analyser, a few requests at a time.

Each item is composed exactly as a passage of a book would be (the same prompt, examples
and strategy), with the item's context as the text before it, so a run measures what the
reader gets. Items go out on a small thread pool: the SDK call is blocking I/O, and
``concurrency`` bounds the requests in flight, which keeps a large set inside the rate
limits while the SDK's own retries handle the occasional 429 or 529.

Answers are handed back as they complete, on the thread that called :meth:`EvalRunner.run`,
so the caller can store each at once (a SQLite connection belongs to one thread). An item
that fails is an answer too, with the error's kind; only a cancelled item goes unanswered,
so that a resumed run picks it up.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, Any, Protocol

from reader_app.ai.errors import AiError, AiErrorKind
from reader_app.ai.pricing import estimate_cost
from reader_app.ai.prompt import PassageContext, compose
from reader_app.ai.request import Usage
from reader_app.ai.selection import choose_examples
from reader_app.core.eval_data import EvalAnswer, EvalItem
from reader_app.core.evaluation import FIELDS, match_label

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from reader_app.ai.judge import Verdict
    from reader_app.ai.prompt import PromptSettings
    from reader_app.ai.request import AnalysisOutcome, ToneRequest
    from reader_app.ai.schema import ToneAnalysis
    from reader_app.core.examples import Example

__all__ = ["EVAL_BOOK_TITLE", "Analyzer", "EvalAnswer", "EvalRunner", "predicted_label"]

EVAL_BOOK_TITLE = "Evaluation set"
# How often the loop looks at the cancel flag while requests are in flight.
_POLL_SECONDS = 0.05


class Analyzer(Protocol):
    """What the runner needs from an analyser (ClaudeToneAnalyzer, or a test double)."""

    def analyse(
        self,
        request: ToneRequest,
        *,
        on_partial: Callable[[dict[str, Any]], None] | None = None,
        cancelled: threading.Event | None = None,
    ) -> AnalysisOutcome:
        """Run one analysis; raise AiError on failure."""
        ...


def predicted_label(analysis: ToneAnalysis, field: str) -> str:
    """The label an analysis gives for the evaluated field.

    Args:
        analysis: the validated answer.
        field: "tone" (the tone label), "polarity", "emotion" (the dominant emotion) or
            "speaker".
    """
    if field == "polarity":
        return analysis.polarity
    if field == "emotion":
        return analysis.dominant_emotion
    if field == "speaker":
        return analysis.speaker
    return analysis.tone


class EvalRunner:
    """Analyses the items of a set and scores each answer as it arrives.

    One runner may run several times (a run, then its resumption); it keeps no state
    between runs.
    """

    def __init__(
        self,
        analyzer_factory: Callable[[], Analyzer],
        settings: PromptSettings,
        *,
        pool: Sequence[Example] = (),
        fixed: Sequence[Example] = (),
        field: str = "tone",
        concurrency: int = 4,
        prices: Sequence[tuple[str, float, float]] = (),
        judge: Callable[[str, str], Verdict] | None = None,
        cancel_grace: float = 2.0,
    ) -> None:
        """Set the run up; nothing is sent yet.

        Args:
            analyzer_factory: gives the analyser, once per run, on the calling thread. The
                runner does not close it: whoever owns it does (the app's provider, the CLI).
            settings: the prompt settings; the examples strategy and k come from them.
            pool: the examples in use (the active set, or the library).
            fixed: the fixed set's examples, for the "fixed" strategy.
            field: "tone", "polarity" or "emotion".
            concurrency: the most requests in flight at once.
            prices: the price table for the cost estimate (empty: the built-in one).
            judge: asked ``judge(predicted, expected)`` when a tone label does not match
                by the rules; its verdict is recorded as judged. Tone only.
            cancel_grace: seconds a cancelled run waits for requests in flight to stop.

        Raises:
            ValueError: an unknown field, or a concurrency below 1.
        """
        if field not in FIELDS:
            raise ValueError(f"unknown field {field!r}")
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self._factory = analyzer_factory
        self._settings = settings
        self._pool = tuple(pool)
        self._fixed = tuple(fixed)
        self._field = field
        self._concurrency = concurrency
        self._prices = tuple(prices)
        self._judge = judge if field == "tone" else None
        self._grace = cancel_grace

    def request_for(self, item: EvalItem) -> ToneRequest:
        """The request for one item, composed as for a passage of a book."""
        ctx = PassageContext(
            book_title=EVAL_BOOK_TITLE,
            author="",
            chapter_title="",
            passage=item.text,
            before=item.context,
        )
        choice = choose_examples(
            self._pool,
            self._settings.example_strategy,
            item.text,
            k=self._settings.example_k,
            fixed=self._fixed,
        )
        return compose(self._settings, choice.static, ctx, similar=choice.dynamic)

    def config(self) -> dict[str, Any]:
        """What shapes the answers, to store with the run (and compare runs by)."""
        settings = self._settings
        return {
            "model": settings.model,
            # The version does not depend on the passage: any item gives the same one.
            "prompt_version": self.request_for(EvalItem("", "")).prompt_version,
            "objective": settings.objective,
            "level": settings.level,
            "language": settings.language,
            "context_paragraphs": settings.context_paragraphs,
            "max_tokens": settings.max_tokens,
            "think_more": settings.think_more,
            "strategy": settings.example_strategy,
            "k": settings.example_k,
            "examples": len(self._fixed if settings.example_strategy == "fixed" else self._pool),
            "concurrency": self._concurrency,
            "judge": self._judge is not None,
        }

    def run(
        self,
        items: Sequence[tuple[int, EvalItem]],
        on_answer: Callable[[int, EvalAnswer], None],
        cancelled: threading.Event,
    ) -> None:
        """Analyse ``items``, reporting each answer as soon as it completes.

        Returns when every item is answered, or soon after ``cancelled`` is set: no new
        item starts, requests in flight stop at their next stream event, and items that
        did not finish are not reported (they stay unanswered, for a resume).

        Args:
            items: (item id, item) pairs.
            on_answer: called with (item id, answer) on this thread, one at a time.
            cancelled: set by the caller to stop.

        Raises:
            AiError: the analyser could not be made (NO_KEY, …).
            Exception: whatever ``on_answer`` raised; the run stops first.
        """
        if not items or cancelled.is_set():
            return
        analyzer = self._factory()
        # Set on cancel, and when on_answer fails: stops new items and breaks off streams.
        halt = threading.Event()
        executor = ThreadPoolExecutor(max_workers=self._concurrency, thread_name_prefix="eval")
        pending: set[Future[EvalAnswer | None]] = {
            executor.submit(self._answer, analyzer, item_id, item, halt) for item_id, item in items
        }
        try:
            while pending and not cancelled.is_set():
                done, pending = wait(pending, timeout=_POLL_SECONDS, return_when=FIRST_COMPLETED)
                _report(done, on_answer)
            halt.set()
            executor.shutdown(wait=False, cancel_futures=True)
            # wait() never sees a future cancelled before it started as done; drop them.
            running = {f for f in pending if not f.cancelled()}
            # Answers that complete while the streams wind down are real: keep them.
            done, _late = wait(running, timeout=self._grace)
            _report(done, on_answer)
        finally:
            halt.set()
            executor.shutdown(wait=False, cancel_futures=True)

    def _answer(
        self, analyzer: Analyzer, item_id: int, item: EvalItem, halt: threading.Event
    ) -> EvalAnswer | None:
        """Analyse and score one item on a worker thread; None when it was cancelled."""
        if halt.is_set():
            return None
        started = time.perf_counter()
        try:
            outcome = analyzer.analyse(self.request_for(item), cancelled=halt)
        except AiError as exc:
            if exc.kind is AiErrorKind.CANCELLED:
                return None
            message = f"{exc} ({exc.detail})" if exc.detail else str(exc)
            return EvalAnswer(
                item_id=item_id,
                status="failed",
                expected=item.expected,
                latency_ms=(time.perf_counter() - started) * 1000,
                error_kind=exc.kind.value,
                error_message=message,
            )
        label = predicted_label(outcome.analysis, self._field)
        correct = match_label(label, item.expected, self._field)
        usage = outcome.usage
        # An unknown price is kept as 0.0; the report shows it as "price unknown".
        cost = estimate_cost(outcome.model, usage, self._prices) or 0.0
        judged, note = False, ""
        if not correct and self._judge is not None and not halt.is_set():
            try:
                verdict = self._judge(label, item.expected)
            except AiError as exc:
                # The rules' verdict stands; the note says the judge was asked and failed.
                note = f"judge failed: {exc}"
            else:
                correct, judged, note = verdict.same, True, verdict.why
                model = verdict.model or self._settings.model
                cost += estimate_cost(model, verdict.usage, self._prices) or 0.0
                usage = _add(usage, verdict.usage)
        return EvalAnswer(
            item_id=item_id,
            status="ok",
            expected=item.expected,
            predicted=label,
            correct=correct,
            judged=judged,
            judge_note=note,
            latency_ms=outcome.total_ms,
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cache_creation_tokens=usage.cache_creation_input_tokens,
            cache_read_tokens=usage.cache_read_input_tokens,
            cost_usd=cost,
            answer=outcome.analysis.model_dump(),
        )


def _report(
    done: set[Future[EvalAnswer | None]], on_answer: Callable[[int, EvalAnswer], None]
) -> None:
    """Hand finished answers to the caller (a worker's bug is re-raised here)."""
    for future in done:
        answer = future.result()
        if answer is not None:
            on_answer(answer.item_id, answer)


def _add(one: Usage, two: Usage) -> Usage:
    return Usage(
        input_tokens=one.input_tokens + two.input_tokens,
        output_tokens=one.output_tokens + two.output_tokens,
        cache_creation_input_tokens=one.cache_creation_input_tokens
        + two.cache_creation_input_tokens,
        cache_read_input_tokens=one.cache_read_input_tokens + two.cache_read_input_tokens,
        cache_creation_1h_input_tokens=one.cache_creation_1h_input_tokens
        + two.cache_creation_1h_input_tokens,
    )
