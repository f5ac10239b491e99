"""Run tone analyses on the thread pool and report their progress on the GUI thread."""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal

from reader_app.ai.errors import AiError, AiErrorKind
from reader_app.ai.multi import analyse_many
from reader_app.core.gc_pause import HeapFreezer
from reader_app.services.tasks import Mailbox

if TYPE_CHECKING:
    from reader_app.ai.request import AnalysisOutcome, RawAnswer, ToneRequest

log = logging.getLogger(__name__)

SETTLE_DELAY_MS = 3000  # after the last analysis, before the heap is set aside again


class ToneAnalyzer(Protocol):
    """What the service needs from an analyzer (ClaudeToneAnalyzer, or a test double)."""

    def analyse(
        self,
        request: ToneRequest,
        *,
        on_partial: Callable[[dict[str, Any]], None] | None = None,
        cancelled: threading.Event | None = None,
    ) -> AnalysisOutcome:
        """Run one analysis; raise AiError on failure."""
        ...

    def stream_answer(
        self,
        request: ToneRequest,
        *,
        on_partial: Callable[[dict[str, Any]], None] | None = None,
        on_snapshot: Callable[[str], None] | None = None,
        cancelled: threading.Event | None = None,
    ) -> RawAnswer:
        """Stream an answer without checking it (for several passages at once)."""
        ...


# Builds (or returns a cached) analyzer. Runs on a worker thread: reading the key from the
# keyring may wait on D-Bus, which must never happen on the GUI thread.
AnalyzerFactory = Callable[[], ToneAnalyzer]


class _Relay(QObject):
    started = Signal(int)
    partial = Signal(int)  # the job's mailbox has its newest partial answer
    item = Signal(int, int, object)
    finished = Signal(int, object)
    failed = Signal(int, object)


class _Job(QRunnable):
    """One request on a worker; it reports through ``relay``, never touching a widget."""

    def __init__(
        self, job_id: int, request: ToneRequest, factory: AnalyzerFactory,
        cancelled: threading.Event, relay: _Relay,
    ) -> None:  # fmt: skip
        super().__init__()
        self._job_id = job_id
        self._request = request
        self._factory = factory
        self._cancelled = cancelled
        self._relay = relay


class _ManyJob(_Job):
    """Several passages in one request; each item is reported as soon as it is parsed."""

    def run(self) -> None:
        job = self._job_id
        try:
            self._relay.started.emit(job)
            results, raw = analyse_many(
                self._factory(),
                self._request,
                lambda index, checked: self._relay.item.emit(job, index, checked),
                self._cancelled,
            )
        except AiError as exc:
            self._relay.failed.emit(job, exc)
        except Exception as exc:
            log.exception("Unexpected failure in a multi-passage analysis")
            self._relay.failed.emit(job, AiError(AiErrorKind.STREAM_ERROR, type(exc).__name__))
        else:
            self._relay.finished.emit(job, (results, raw))


class _AnalysisJob(_Job):
    """One passage, streamed: partial answers are reported as they arrive."""

    def __init__(
        self, job_id: int, request: ToneRequest, factory: AnalyzerFactory,
        cancelled: threading.Event, relay: _Relay, mailbox: Mailbox,
    ) -> None:  # fmt: skip
        super().__init__(job_id, request, factory, cancelled, relay)
        self._mailbox = mailbox

    def run(self) -> None:
        # Only computation and signal emission here; Qt queues the signals to the GUI.
        job = self._job_id
        try:
            if self._cancelled.is_set():
                raise AiError(AiErrorKind.CANCELLED)
            self._relay.started.emit(job)
            analyzer = self._factory()

            def partial(data: dict[str, Any]) -> None:
                if self._mailbox.put(data):
                    self._relay.partial.emit(job)

            outcome = analyzer.analyse(
                self._request,
                on_partial=partial,
                cancelled=self._cancelled,
            )
        except AiError as exc:
            self._relay.failed.emit(job, exc)
        except Exception as exc:  # a bug in the analysis must not kill the worker silently
            log.exception("Unexpected failure in an analysis")
            self._relay.failed.emit(job, AiError(AiErrorKind.STREAM_ERROR, type(exc).__name__))
        else:
            self._relay.finished.emit(job, outcome)


class ToneService(QObject):
    """Starts analyses; every job has an id and can be cancelled.

    Signals:
        analysis_started(int): the job's request is about to go out.
        partial_received(int, object): the answer's JSON so far (a dict).
        item_analysed(int, int, object): one passage of a multi-passage job is done: its
            index and CheckedAnalysis.
        analysis_finished(int, object): the AnalysisOutcome; for a multi-passage job, the
            (ItemResults, RawAnswer) pair.
        analysis_failed(int, object): the AiError (CANCELLED after a cancel).
    """

    analysis_started = Signal(int)
    partial_received = Signal(int, object)
    item_analysed = Signal(int, int, object)
    analysis_finished = Signal(int, object)
    analysis_failed = Signal(int, object)

    def __init__(
        self,
        pool: QThreadPool,
        factory: AnalyzerFactory,
        heap: HeapFreezer | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._pool = pool
        self._factory = factory
        self._heap = heap or HeapFreezer()
        # Once the last analysis is over and the reader is reading its result, the heap
        # is collected and set aside again (a pause of some 30 ms nobody is waiting on).
        self._settle_timer = QTimer(self)
        self._settle_timer.setSingleShot(True)
        self._settle_timer.setInterval(SETTLE_DELAY_MS)
        self._settle_timer.timeout.connect(self._heap.settle)
        self._ids = itertools.count(1)
        self._flags: dict[int, threading.Event] = {}
        self._mailboxes: dict[int, Mailbox] = {}  # each streamed analysis's newest partial
        self._relay = _Relay(self)
        self._relay.started.connect(self.analysis_started)
        self._relay.partial.connect(self._on_partial)
        self._relay.item.connect(self._on_item)
        self._relay.finished.connect(self._on_finished)
        self._relay.failed.connect(self._on_failed)

    def _begin(self) -> None:
        # Streaming answers on the workers make many short-lived objects, and the full
        # collections they trigger would rescan the whole heap (the open book, the
        # window) under the GIL, stalling the GUI for 100 ms and more. While analyses
        # run, what already exists is set aside from collection.
        self._settle_timer.stop()
        self._heap.hold()

    def _end(self, flag: threading.Event | None) -> None:
        # A job ends once; a second report of it (there should be none) must not end
        # another job's hold.
        if flag is not None and self._heap.release():
            self._settle_timer.start()

    def analyse(self, request: ToneRequest) -> int:
        """Queue an analysis; returns its job id."""
        self._begin()
        job_id = next(self._ids)
        flag = threading.Event()
        self._flags[job_id] = flag
        mailbox = self._mailboxes[job_id] = Mailbox()
        self._pool.start(_AnalysisJob(job_id, request, self._factory, flag, self._relay, mailbox))
        return job_id

    def analyse_many(self, request: ToneRequest) -> int:
        """Queue a request about several passages (``request.passages``)."""
        self._begin()
        job_id = next(self._ids)
        flag = threading.Event()
        self._flags[job_id] = flag
        self._pool.start(_ManyJob(job_id, request, self._factory, flag, self._relay))
        return job_id

    def cancel(self, job_id: int) -> None:
        """Ask a job to stop; it reports CANCELLED when it has."""
        flag = self._flags.get(job_id)
        if flag is not None:
            flag.set()

    def cancel_all(self) -> None:
        """Ask every running job to stop (on quit)."""
        for flag in self._flags.values():
            flag.set()

    @property
    def running(self) -> int:
        """How many jobs have not ended."""
        return len(self._flags)

    def _on_partial(self, job_id: int) -> None:
        flag, mailbox = self._flags.get(job_id), self._mailboxes.get(job_id)
        data = mailbox.take() if mailbox is not None else None
        if flag is not None and not flag.is_set() and data is not None:
            self.partial_received.emit(job_id, data)

    def _on_item(self, job_id: int, index: int, checked: object) -> None:
        # Items that were parsed are kept even if the job is cancelled afterwards.
        if job_id in self._flags:
            self.item_analysed.emit(job_id, index, checked)

    def _on_finished(self, job_id: int, outcome: object) -> None:
        flag = self._flags.pop(job_id, None)
        self._mailboxes.pop(job_id, None)
        self._end(flag)
        if flag is not None and flag.is_set():
            # Cancelled after the answer was complete: the user asked to drop it.
            self.analysis_failed.emit(job_id, AiError(AiErrorKind.CANCELLED))
            return
        self.analysis_finished.emit(job_id, outcome)

    def _on_failed(self, job_id: int, error: object) -> None:
        flag = self._flags.pop(job_id, None)
        self._mailboxes.pop(job_id, None)
        self._end(flag)
        self.analysis_failed.emit(job_id, error)
