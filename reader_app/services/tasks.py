"""Run blocking work on a thread pool and get the answer back on the GUI thread."""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)

Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]
Report = Callable[[int, int], None]
"""How a job says how far it got: (done, total)."""


class Throttle:
    """Says whether enough time has passed to send the GUI thread another update.

    Each call a worker queues to the GUI thread costs that thread a turn at the GIL, up
    to a switch interval of waiting. A worker that queues a thousand a second keeps the
    GUI thread busy taking those turns, and its timers and paints wait: a placing job
    reporting each percent in 50 ms froze the window for as long. Twenty a second is
    smooth to the eye and costs the GUI thread nothing.
    """

    def __init__(self, interval_s: float = 0.05) -> None:
        """Allow one update per ``interval_s`` seconds; the first is always allowed."""
        self._interval = interval_s
        self._next = 0.0

    def ready(self) -> bool:
        """True (and the clock restarts) if an update may be sent now."""
        now = time.monotonic()
        if now < self._next:
            return False
        self._next = now + self._interval
        return True


class Mailbox:
    """The newest of a stream of values, handed from a worker to the GUI thread.

    The worker queues a call to the GUI thread only when the box was empty, so at most
    one is queued however fast values come (see :class:`Throttle` for why that matters),
    the GUI thread takes the newest value, and none is held back for later: the last
    chunk of a stream that then stalls is shown at once.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._value: object = None
        self._full = False

    def put(self, value: object) -> bool:
        """Keep ``value`` in place of any older one; True if the GUI should be told."""
        with self._lock:
            was_full, self._full, self._value = self._full, True, value
        return not was_full

    def take(self) -> object:
        """The newest value (None if the box is empty), emptying the box."""
        with self._lock:
            value, self._value, self._full = self._value, None, False
        return value


class _Relay(QObject):
    """Lives on the GUI thread; workers emit through it so Qt queues the call there."""

    finished = Signal(int, object)
    failed = Signal(int, object)
    progressed = Signal(int, int, int)  # job id, done, total


def _ran() -> object:
    raise RuntimeError("a job runs once")


class _Job(QRunnable):
    def __init__(self, job_id: int, work: Callable[[], object], relay: _Relay) -> None:
        super().__init__()
        self._job_id = job_id
        self._work = work
        self._relay = relay

    def run(self) -> None:
        # No widget is touched here: compute, then hand the result to the GUI thread.
        # The binding may keep this job's wrapper after Qt deletes the runnable; let go of
        # the work (and whatever its closure holds, a whole book) as soon as it has run.
        work, self._work = self._work, _ran
        try:
            result = work()
        except BaseException as exc:
            self._relay.failed.emit(self._job_id, exc)
        else:
            self._relay.finished.emit(self._job_id, result)


class _ReportingJob(_Job):
    def __init__(self, job_id: int, work: Callable[[Report], object], relay: _Relay) -> None:
        # The work gets a function that queues (done, total) to the GUI thread.
        super().__init__(job_id, lambda: work(self._report), relay)
        self._throttle = Throttle()

    def _report(self, done: int, total: int) -> None:
        # The last report always goes: the GUI should see the work complete.
        if self._throttle.ready() or done >= total:
            self._relay.progressed.emit(self._job_id, done, total)


class TaskRunner(QObject):
    """Starts one-shot jobs on an injected pool and calls back on the GUI thread.

    A job whose callbacks were discarded (superseded, or its owner went away) finishes
    quietly: its result is dropped.
    """

    def __init__(self, pool: QThreadPool, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = pool
        self._relay = _Relay(self)
        self._relay.finished.connect(self._on_finished)
        self._relay.failed.connect(self._on_failed)
        self._relay.progressed.connect(self._on_progressed)
        self._ids = itertools.count(1)
        self._callbacks: dict[int, tuple[Done, Failed]] = {}
        self._reports: dict[int, Report] = {}

    def submit(self, work: Callable[[], object], on_done: Done, on_failed: Failed) -> int:
        """Run ``work`` in the pool; returns the job id."""
        job_id = next(self._ids)
        self._callbacks[job_id] = (on_done, on_failed)
        self._pool.start(_Job(job_id, work, self._relay))
        return job_id

    def submit_reporting(
        self,
        work: Callable[[Report], object],
        on_done: Done,
        on_failed: Failed,
        on_progress: Report,
    ) -> int:
        """Like :meth:`submit`, for work that reports its progress.

        Args:
            work: runs in the pool; it is given a function to call with (done, total).
            on_done: called on the GUI thread with the result.
            on_failed: called on the GUI thread with the exception.
            on_progress: called on the GUI thread with each (done, total) reported.

        Returns:
            The job id.
        """
        job_id = next(self._ids)
        self._callbacks[job_id] = (on_done, on_failed)
        self._reports[job_id] = on_progress
        self._pool.start(_ReportingJob(job_id, work, self._relay))
        return job_id

    def discard(self, job_id: int) -> None:
        """Forget a job: its result and progress will not be delivered."""
        self._callbacks.pop(job_id, None)
        self._reports.pop(job_id, None)

    def _on_progressed(self, job_id: int, done: int, total: int) -> None:
        report = self._reports.get(job_id)
        if report is not None:
            report(done, total)

    def _on_finished(self, job_id: int, result: object) -> None:
        self._reports.pop(job_id, None)
        callbacks = self._callbacks.pop(job_id, None)
        if callbacks is not None:
            callbacks[0](result)

    def _on_failed(self, job_id: int, exc: object) -> None:
        self._reports.pop(job_id, None)
        callbacks = self._callbacks.pop(job_id, None)
        if callbacks is None:
            return
        assert isinstance(exc, BaseException)
        callbacks[1](exc)
