"""Run Message Batches jobs: submit, poll, collect and save, surviving a restart.

A job is written to the library before anything is sent, and every step after that is
recorded on it, so that closing the app at any moment loses nothing: :meth:`resume`
picks up every open job at the next start. Network calls run on the injected thread
pool; the database is only touched on the GUI thread (the sqlite3 connection belongs to
it), in the callbacks.
"""

from __future__ import annotations

import functools
import logging
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal

from reader_app.ai.errors import AiError, AiErrorKind
from reader_app.core.errors import ReaderError, StorageError
from reader_app.services.tasks import TaskRunner
from reader_app.usecases.analysis_records import failure_row, success_row

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from reader_app.ai.batches import BatchClient, BatchItemResult, BatchStatus
    from reader_app.ai.request import ToneRequest
    from reader_app.core.records import BatchJob, NewAnalysis
    from reader_app.storage.analyses import AnalysisRepository
    from reader_app.storage.batch_jobs import BatchJobRepository

log = logging.getLogger(__name__)

DEFAULT_POLL_INTERVAL_MS = 30_000

# Errors after which polling can never succeed: the batch id is unknown to the server.
# Everything else (offline, 5xx, 429, no key yet) is retried at the next tick.
_FATAL_POLL_KINDS = (AiErrorKind.BAD_REQUEST, AiErrorKind.MODEL_NOT_FOUND)
# Said of a job cut off before the API gave it an id: if the API did get it, nothing can
# find it again, so its results cannot be collected either way.
_NEVER_SENT = (
    "Tone Reader closed while this batch was being sent, so its results cannot be collected."
    " Send it again."
)
# Statuses in which a job still has work on the server.
_RUNNING = ("in_progress", "canceling")


def _one_line(exc: BaseException) -> str:
    """The message for the user: a ReaderError's own line, else a generic one (a bug)."""
    if isinstance(exc, ReaderError):
        return " ".join(str(exc).split())
    return f"An unexpected error stopped the batch ({type(exc).__name__})."


class BatchService(QObject):
    """Sends highlights to the Message Batches API and saves each result as an analysis.

    The job and analysis repositories must share one connection: an item's analysis and
    its "saved" mark are written in one transaction, which makes saving idempotent.

    Signals:
        job_changed(object): a BatchJob was created or changed (status, counts, error).
        result_saved(int, str): an item's result was stored for this highlight id, with
            the dominant emotion ("" when the item failed), so the reader can recolour it.
        job_failed(int, str): the job with this id cannot go on; a one-line message.
    """

    job_changed = Signal(object)
    result_saved = Signal(int, str)
    job_failed = Signal(int, str)

    def __init__(
        self,
        pool: QThreadPool,
        factory: Callable[[], BatchClient],
        jobs: BatchJobRepository,
        analyses: AnalysisRepository,
        *,
        on_result: Callable[[int, str | None], None] | None = None,
        poll_interval_ms: int = DEFAULT_POLL_INTERVAL_MS,
        prices: Callable[[], Sequence[tuple[str, float, float]]] = tuple,
        parent: QObject | None = None,
    ) -> None:
        """Wire the service; nothing is polled until :meth:`submit` or :meth:`resume`.

        Args:
            pool: runs the network calls.
            factory: builds a BatchClient for the current key. It runs on a worker
                thread (reading the key may wait on the keyring) and may raise AiError
                (NO_KEY, NO_KEYRING), which fails the call that needed it.
            jobs: where jobs are kept.
            analyses: where results are stored (same connection as ``jobs``).
            on_result: called on the GUI thread for each stored result, with the
                highlight id and its dominant emotion (None for a failed item).
            poll_interval_ms: time between two status checks of the open jobs.
            prices: gives the editable price table in force, asked for each result's
                cost estimate (so a change in Settings counts at once; empty: the defaults).
            parent: the Qt parent.
        """
        super().__init__(parent)
        self._tasks = TaskRunner(pool, self)
        self._factory = factory
        self._jobs = jobs
        self._analyses = analyses
        self._on_result = on_result
        self._prices = prices
        # Jobs with a network call in flight: never start a second one for them.
        self._busy: set[int] = set()
        # Cancels asked for while the job was still being sent.
        self._cancel_when_sent: set[int] = set()
        self._timer = QTimer(self)
        self._timer.setInterval(poll_interval_ms)
        self._timer.timeout.connect(self._poll)

    # -- public API -----------------------------------------------------------------------
    def submit(self, book_id: str, items: list[tuple[int, ToneRequest]]) -> int:
        """Record a job for these highlights and send it in the background.

        Args:
            book_id: the book the highlights belong to.
            items: (highlight id, composed request) pairs.

        Returns:
            The job id; watch :attr:`job_changed` for its progress.

        Raises:
            ValueError: ``items`` is empty.
            StorageError: the job could not be recorded (then nothing is sent).
        """
        if not items:
            raise ValueError("a batch needs at least one highlight")
        records: list[dict[str, Any]] = []
        pairs: list[tuple[str, ToneRequest]] = []
        for index, (highlight_id, request) in enumerate(items):
            # Unique within the batch even if a highlight comes twice, and in the API's
            # custom_id alphabet.
            custom_id = f"h{highlight_id}-{index}"
            pairs.append((custom_id, request))
            records.append(
                {
                    "custom_id": custom_id,
                    "highlight_id": highlight_id,
                    "prompt_version": request.prompt_version,
                    "model": request.model,
                    # Kept so that results can be validated after a restart.
                    "passage": request.passage,
                    "saved": False,
                }
            )
        # Written first: a crash while sending then shows as a job stuck in "submitting".
        job = self._jobs.add(book_id, records)
        self.job_changed.emit(job)
        self._busy.add(job.id)
        factory = self._factory
        self._tasks.submit(
            lambda: factory().submit(pairs),
            functools.partial(self._on_submitted, job.id),
            functools.partial(self._on_submit_failed, job.id),
        )
        return job.id

    def resume(self) -> None:
        """Carry on with every open job; call once at start-up.

        A job still "submitting" was cut off before the API gave it an id, so it can never
        be found again: it is marked failed. The others are polled at once, then on the
        timer.
        """
        for job in self._open_jobs():
            if job.id in self._busy:
                continue
            if not job.remote_id:
                self._fail(job.id, _NEVER_SENT)
            else:
                self.job_changed.emit(job)
        self._poll()

    def cancel(self, job_id: int) -> None:
        """Ask the API to stop a job. Results already done are still saved.

        The job goes to "canceling", and on to "canceled" once its results are in.
        """
        job = self._jobs.get(job_id)
        if job is None or job.status not in ("submitting", *_RUNNING):
            return
        if not job.remote_id:
            if job_id in self._busy:
                self._cancel_when_sent.add(job_id)  # no id to cancel yet
            else:
                self._update(job_id, status="canceled")
            return
        if self._update(job_id, status="canceling", error="") is None:
            return
        factory, remote_id = self._factory, job.remote_id
        self._tasks.submit(
            lambda: factory().cancel(remote_id),
            functools.partial(self._on_cancel_sent, job_id),
            functools.partial(self._on_cancel_failed, job_id),
        )

    def jobs(self) -> list[BatchJob]:
        """The newest jobs, for the status list."""
        return self._jobs.recent()

    def stop(self) -> None:
        """Stop polling (on quit). Open jobs carry on at the next :meth:`resume`."""
        self._timer.stop()

    @property
    def polling(self) -> bool:
        """Whether the poll timer is running."""
        return self._timer.isActive()

    # -- submitting -----------------------------------------------------------------------
    def _on_submitted(self, job_id: int, remote_id: object) -> None:
        self._busy.discard(job_id)
        if self._update(job_id, remote_id=str(remote_id), status="in_progress") is None:
            # Sent, but not recorded: say which batch, so it can be found by hand.
            log.warning("Batch job %d was sent as %s but could not be recorded", job_id, remote_id)
            return
        if not self._timer.isActive():
            self._timer.start()
        if job_id in self._cancel_when_sent:
            self._cancel_when_sent.discard(job_id)
            self.cancel(job_id)

    def _on_submit_failed(self, job_id: int, exc: BaseException) -> None:
        self._busy.discard(job_id)
        self._cancel_when_sent.discard(job_id)
        self._log_failure("Sending batch job %d failed", job_id, exc)
        self._fail(job_id, _one_line(exc))

    # -- polling --------------------------------------------------------------------------
    def _poll(self) -> None:
        """One timer tick: check every open job that has nothing in flight."""
        jobs = [job for job in self._open_jobs() if job.remote_id]
        if not jobs:
            self._timer.stop()  # restarted by the next submit
            return
        if not self._timer.isActive():
            self._timer.start()
        for job in jobs:
            if job.id in self._busy:
                continue
            if job.status == "ended":
                self._collect(job)  # results not all saved yet (a crash, a full disk)
            else:
                self._check(job)

    def _check(self, job: BatchJob) -> None:
        self._busy.add(job.id)
        factory, remote_id = self._factory, job.remote_id
        self._tasks.submit(
            lambda: factory().status(remote_id),
            functools.partial(self._on_status, job.id),
            functools.partial(self._on_poll_failed, job.id),
        )

    def _on_status(self, job_id: int, status: object) -> None:
        self._busy.discard(job_id)
        job = self._apply_status(job_id, status)
        if job is not None and job.status == "ended":
            self._collect(job)  # at once: the user has waited long enough

    def _apply_status(self, job_id: int, status: object) -> BatchJob | None:
        """Record what the API said about a job.

        Returns:
            The job afterwards (unchanged when it is no longer polled), or None when it
            is gone or the change could not be written.
        """
        # Typed by cast, not checked: importing ai.batches here would pull pydantic (via
        # the schema) onto the start-up path, and only BatchClient produces these.
        status = cast("BatchStatus", status)
        job = self._jobs.get(job_id)
        # "submitting" with a batch id cannot normally be seen (both are written at once),
        # but polling is what would move such a job on.
        if job is None or job.status not in ("submitting", *_RUNNING, "ended"):
            return job
        new_status = "ended" if status.ended else status.processing_status
        if new_status not in (*_RUNNING, "ended"):
            new_status = "in_progress"
        if job.status == "ended":
            new_status = "ended"  # a late answer must not reopen a finished poll
        if (job.status, job.counts, job.error) == (new_status, status.request_counts, ""):
            return job  # nothing new: spare the disk a write every tick
        return self._update(job_id, status=new_status, counts=status.request_counts, error="")

    def _on_poll_failed(self, job_id: int, exc: BaseException) -> None:
        self._busy.discard(job_id)
        message = _one_line(exc)
        if isinstance(exc, AiError) and exc.kind not in _FATAL_POLL_KINDS:
            # Offline, overloaded, no key yet…: keep the job and try at the next tick,
            # showing why it is waiting.
            log.info("Batch job %d: poll failed (%s): %s", job_id, exc.kind.value, exc.detail)
            job = self._jobs.get(job_id)
            if job is not None and job.error != message:
                self._update(job_id, error=message)
            return
        self._log_failure("Polling batch job %d failed", job_id, exc)
        self._fail(job_id, message)

    # -- collecting -----------------------------------------------------------------------
    def _collect(self, job: BatchJob) -> None:
        """Fetch the results of an ended job, for the items not saved yet."""
        if job.id in self._busy:
            return  # a poll or a fetch is in flight; it will collect when it lands
        pending = [item for item in job.items if not item.get("saved")]
        if not pending:
            self._finish(job)
            return
        passages = {str(i["custom_id"]): str(i.get("passage", "")) for i in pending}
        versions = {str(i["custom_id"]): str(i.get("prompt_version", "")) for i in pending}
        self._busy.add(job.id)
        factory, remote_id = self._factory, job.remote_id
        self._tasks.submit(
            lambda: factory().results(remote_id, passages, versions),
            functools.partial(self._on_results, job.id),
            functools.partial(self._on_poll_failed, job.id),
        )

    def _on_results(self, job_id: int, results: object) -> None:
        self._busy.discard(job_id)
        assert isinstance(results, dict)
        job = self._jobs.get(job_id)
        if job is None:
            return
        for item in job.items:
            result = results.get(item["custom_id"])
            if item.get("saved") or result is None:
                continue
            new = self._analysis(item, result)
            try:
                stored = self._jobs.save_item(
                    job_id, str(item["custom_id"]), functools.partial(self._analyses.add, new)
                )
            except StorageError as exc:
                # The job stays "ended"; the next tick tries the unsaved items again.
                log.warning("Batch job %d: a result could not be saved: %s", job_id, exc)
                self.job_failed.emit(job_id, exc.message)
                return
            if stored:
                highlight_id = int(item["highlight_id"])
                self.result_saved.emit(highlight_id, new.dominant_emotion)
                if self._on_result is not None:
                    self._on_result(highlight_id, new.dominant_emotion or None)
        job = self._jobs.get(job_id)
        if job is not None:
            self._finish(job)

    def _analysis(self, item: dict[str, Any], result: BatchItemResult) -> NewAnalysis:
        """The analysis row for one item's result (answers at the Batches API's price)."""
        highlight_id = int(item["highlight_id"])
        model = str(item.get("model", ""))
        if result.outcome is None:
            error = result.error or AiError(AiErrorKind.SERVER, "no result")
            return failure_row(highlight_id, model, str(item.get("prompt_version", "")), error)
        return success_row(highlight_id, result.outcome, self._prices(), batch=True, model=model)

    def _finish(self, job: BatchJob) -> None:
        # Canceled items mean the batch was stopped early, whoever asked for it.
        status = "canceled" if job.counts.get("canceled") else "done"
        self._update(job.id, status=status)

    # -- canceling ------------------------------------------------------------------------
    def _on_cancel_sent(self, job_id: int, status: object) -> None:
        job = self._apply_status(job_id, status)
        if job is not None and job.status == "ended":
            self._collect(job)
        elif not self._timer.isActive():
            self._timer.start()

    def _on_cancel_failed(self, job_id: int, exc: BaseException) -> None:
        # The batch runs on; the next poll shows its real status again.
        log.info("Batch job %d: cancel failed: %s", job_id, exc)
        job = self._jobs.get(job_id)
        if job is not None and job.status == "canceling":
            self._update(job_id, status="in_progress", error=_one_line(exc))

    # -- helpers --------------------------------------------------------------------------
    def _open_jobs(self) -> list[BatchJob]:
        try:
            return self._jobs.open_jobs()
        except StorageError as exc:
            log.warning("Batch jobs could not be read: %s", exc)
            return []

    def _update(self, job_id: int, **changes: Any) -> BatchJob | None:
        """Change a job and announce it; None when the library could not be written."""
        try:
            job = self._jobs.update(job_id, **changes)
        except StorageError as exc:
            log.warning("Batch job %d could not be updated: %s", job_id, exc)
            self.job_failed.emit(job_id, exc.message)
            return None
        self.job_changed.emit(job)
        return job

    def _fail(self, job_id: int, message: str) -> None:
        if self._update(job_id, status="failed", error=message) is not None:
            self.job_failed.emit(job_id, message)

    @staticmethod
    def _log_failure(what: str, job_id: int, exc: BaseException) -> None:
        if isinstance(exc, AiError):
            log.info(what + ": %s %s", job_id, exc.kind.value, exc.detail)
        elif isinstance(exc, ReaderError):
            log.info(what + ": %s", job_id, exc)
        else:
            log.error(what, job_id, exc_info=exc)  # a bug: keep the traceback
