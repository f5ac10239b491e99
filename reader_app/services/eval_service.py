"""Evaluation runs in the background, each answer stored as it arrives, resumable."""

from __future__ import annotations

import itertools
import logging
import threading
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from reader_app.ai.errors import AiError
from reader_app.core.errors import ReaderError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from reader_app.ai.eval_runner import EvalRunner
    from reader_app.core.eval_data import EvalAnswer, EvalItem
    from reader_app.storage.evals import EvalRepository

log = logging.getLogger(__name__)


class _Relay(QObject):
    answer = Signal(int, int, object)
    finished = Signal(int, bool)
    failed = Signal(int, str)


class _RunJob(QRunnable):
    """Runs the runner on a worker thread; answers go to the GUI thread to be stored."""

    def __init__(
        self,
        run_id: int,
        runner: EvalRunner,
        items: Sequence[tuple[int, EvalItem]],
        cancelled: threading.Event,
        relay: _Relay,
    ) -> None:
        super().__init__()
        self._run_id = run_id
        self._runner = runner
        self._items = items
        self._cancelled = cancelled
        self._relay = relay

    def run(self) -> None:
        run_id = self._run_id
        try:
            self._runner.run(
                self._items,
                lambda item_id, answer: self._relay.answer.emit(run_id, item_id, answer),
                self._cancelled,
            )
        except AiError as exc:
            self._relay.failed.emit(run_id, str(exc))
        except Exception as exc:
            log.exception("Unexpected failure in an evaluation run")
            self._relay.failed.emit(
                run_id,
                "The run stopped because of an internal error"
                + (f" ({exc})." if str(exc).strip() else "."),
            )
        else:
            self._relay.finished.emit(run_id, self._cancelled.is_set())


class EvalService(QObject):
    """Starts, resumes and cancels evaluation runs.

    Signals:
        answer_saved(int, int, int): run id, answers stored so far, items in the set.
        run_ended(int, str): run id and its final status ("done" or "canceled").
        run_failed(int, str): run id and a one-line message (the run stays resumable).
    """

    answer_saved = Signal(int, int, int)
    run_ended = Signal(int, str)
    run_failed = Signal(int, str)

    def __init__(
        self,
        pool: QThreadPool,
        repo: EvalRepository,
        make_runner: Callable[[str, int, bool], EvalRunner],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._pool = pool
        self._repo = repo
        self._make_runner = make_runner
        self.concurrency = 4
        self.judge = False
        self._flags: dict[int, threading.Event] = {}
        self._totals: dict[int, int] = {}
        self._started: dict[int, float] = {}
        self._ids = itertools.count(1)
        self._relay = _Relay(self)
        self._relay.answer.connect(self._on_answer)
        self._relay.finished.connect(self._on_finished)
        self._relay.failed.connect(self._on_failed)

    def set_concurrency(self, value: int) -> None:
        """The most requests a run has in flight at once."""
        self.concurrency = max(1, value)

    @property
    def running(self) -> list[int]:
        """The runs in progress."""
        return list(self._flags)

    def start(self, set_id: int, field: str) -> int:
        """A new run over a set with the settings in force; returns the run id."""
        runner = self._make_runner(field, self.concurrency, self.judge)
        run_id = self._repo.create_run(set_id, field, runner.config())
        self._launch(run_id, runner, self._repo.items(set_id))
        return run_id

    def resume(self, run_id: int, *, retry_failed: bool = False) -> bool:
        """Carry on a run that was cancelled or cut short; False if nothing is left."""
        info = self._repo.run(run_id)
        if info is None or run_id in self._flags:
            return False
        items = self._repo.unanswered(run_id, include_failed=retry_failed)
        if not items:
            self._repo.finish_run(run_id, "done")
            return False
        self._launch(run_id, self._make_runner(info.field, self.concurrency, self.judge), items)
        return True

    def cancel(self, run_id: int) -> None:
        """Stop starting new items; answers in flight are dropped, the rest resumable."""
        flag = self._flags.get(run_id)
        if flag is not None:
            flag.set()

    def cancel_all(self) -> None:
        """Stop every run (on quit)."""
        for flag in self._flags.values():
            flag.set()

    def _launch(
        self, run_id: int, runner: EvalRunner, items: Sequence[tuple[int, EvalItem]]
    ) -> None:
        flag = threading.Event()
        self._flags[run_id] = flag
        info = self._repo.run(run_id)
        set_size = len(self._repo.items(info.set_id)) if info is not None else len(items)
        self._totals[run_id] = set_size
        self._started[run_id] = time.monotonic()
        self._pool.start(_RunJob(run_id, runner, items, flag, self._relay))

    def _on_answer(self, run_id: int, _item_id: int, answer: EvalAnswer) -> None:
        try:
            self._repo.save_answer(run_id, answer)
        except ReaderError as exc:
            # The disk is full or the library read-only: stop rather than lose answers.
            self.cancel(run_id)
            self.run_failed.emit(run_id, exc.message)
            return
        done = len(self._repo.answers(run_id))
        self.answer_saved.emit(run_id, done, self._totals.get(run_id, done))

    def _on_finished(self, run_id: int, cancelled: bool) -> None:
        self._flags.pop(run_id, None)
        status = "canceled" if cancelled else "done"
        try:
            self._repo.finish_run(run_id, status)
        except ReaderError as exc:
            self.run_failed.emit(run_id, exc.message)
            return
        self.run_ended.emit(run_id, status)

    def _on_failed(self, run_id: int, message: str) -> None:
        self._flags.pop(run_id, None)
        self.run_failed.emit(run_id, message)

    def elapsed(self, run_id: int) -> float | None:
        """Seconds since a run in progress (re)started."""
        started = self._started.get(run_id)
        return time.monotonic() - started if started is not None else None
