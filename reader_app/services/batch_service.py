"""Run Message Batches jobs: submit, poll, collect and save, surviving a restart.

A job is written to the library before anything is sent, and every step after that is
recorded on it, so that closing the app at any moment loses nothing: :meth:`resume`
picks up every open job at the next start. Network calls run on the injected thread
pool; the database is only touched on the GUI thread (the sqlite3 connection belongs to
it), in the callbacks.

A job is split into parts that each fit one batch (100,000 requests, 256 MB), done when
every part has ended and every result is saved. Each part is created once: its custom_ids
carry the job's marker (stored before sending), which finds a batch that a failed create
or a restart left behind (:meth:`reader_app.ai.batches.BatchClient.submit_once`).
"""

from __future__ import annotations

import functools
import logging
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal

from reader_app.ai import batch_limits
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
# The longest wait between two polls of a job whose polls keep failing (5xx, 529, offline).
MAX_BACKOFF_S = 15 * 60.0

# Errors after which polling can never succeed (BatchClient raises BatchStopped for the
# others that never heal: 401, 402, 403, 404, a spend-limit 429, results gone). Everything
# else (offline, 5xx, 529, a plain 429, no key yet) is retried, later each time.
_FATAL_POLL_KINDS = (AiErrorKind.BAD_REQUEST, AiErrorKind.MODEL_NOT_FOUND)
# Said of a job cut off before the API gave it an id, when no batch of it was found on
# the server (or it predates the markers that find one).
_NEVER_SENT = (
    "Tone Reader closed while this batch was being sent, so its results cannot be collected."
    " Send it again."
)
# The UTC time as the parts record it (ISO 8601).
_now = functools.partial(datetime.now, UTC)
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
        limits: tuple[int, int] = (batch_limits.MAX_REQUESTS, batch_limits.MAX_BODY_BYTES),
        parent: QObject | None = None,
    ) -> None:
        """Wire the service; nothing is polled until :meth:`submit` or :meth:`resume`.

        Args:
            pool: runs the network calls.
            factory: builds a BatchClient for the current key, on a worker thread (the
                keyring may wait); its AiError (NO_KEY, …) fails the call that needed it.
            jobs: where jobs are kept.
            analyses: where results are stored (same connection as ``jobs``).
            on_result: called on the GUI thread for each stored result, with the
                highlight id and its dominant emotion (None for a failed item).
            poll_interval_ms: time between two status checks of the open jobs.
            prices: the editable price table in force, asked for each result's cost.
            limits: the most requests and request-body bytes in one batch (the API's
                limits; smaller in tests).
            parent: the Qt parent.
        """
        super().__init__(parent)
        self._tasks = TaskRunner(pool, self)
        self._factory = factory
        self._jobs = jobs
        self._analyses = analyses
        self._on_result = on_result
        self._prices = prices
        self._limits = limits
        self._interval_s = poll_interval_ms / 1000
        # Jobs with a network call in flight: never start a second one for them.
        self._busy: set[int] = set()
        # Cancels asked for while the job was still being sent.
        self._cancel_when_sent: set[int] = set()
        # The requests of parts not sent yet, by job and part (only in this session).
        self._unsent: dict[int, dict[int, list[tuple[str, ToneRequest]]]] = {}
        # Jobs whose polls failed: (failures in a row, monotonic time of the next try).
        self._backoff: dict[int, tuple[int, float]] = {}
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
            ValueError: ``items`` is empty, or one request is too large for a batch.
            StorageError: the job could not be recorded (then nothing is sent).
        """
        if not items:
            raise ValueError("a batch needs at least one highlight")
        max_requests, max_bytes = self._limits
        plan = batch_limits.plan(items, max_requests=max_requests, max_bytes=max_bytes)
        # Written first: a crash while sending shows as a job stuck in "submitting".
        job = self._jobs.add(book_id, plan.records, plan.parts)
        self.job_changed.emit(job)
        self._unsent[job.id] = plan.requests
        self._send_next(job.id)
        return job.id

    def resume(self) -> None:
        """Carry on with every open job; call once at start-up.

        A job still "submitting" was cut off while being sent: the recent batches are
        searched for its parts by their markers; a part found is adopted, and a job of
        which nothing is found is marked failed. The others are polled at once, then on
        the timer.
        """
        for job in self._open_jobs():
            if job.id in self._busy:
                continue
            if job.status == "submitting":
                self._adopt(job)
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
        if job.status == "submitting":
            if job_id in self._busy:
                self._cancel_when_sent.add(job_id)  # no id to cancel yet
            else:
                self._unsent.pop(job_id, None)
                self._update(job_id, status="canceled")
            return
        running = self._running(job_id)
        if self._update(job_id, status="canceling", error="") is None:
            return
        factory = self._factory

        def cancel_all() -> dict[int, BatchStatus]:
            client = factory()
            return {n: client.cancel(remote_id) for n, remote_id in running}

        self._tasks.submit(
            cancel_all,
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
    def _send_next(self, job_id: int) -> None:
        """Send the job's next part not sent yet, or start polling when all are."""
        unsent = self._unsent.get(job_id, {})
        if not unsent:
            self._unsent.pop(job_id, None)
            self._all_sent(job_id)
            return
        part = min(unsent)
        pairs = unsent[part]
        record = self._jobs.parts(job_id)[part]
        look_first = bool(record["sent_at"])  # tried before: it may have landed
        if not look_first:
            record["sent_at"] = _now().isoformat()
            if self._update_part(job_id, part, sent_at=record["sent_at"]) is None:
                self._unsent.pop(job_id, None)
                return
        since = datetime.fromisoformat(str(record["sent_at"]))
        exclude = self._known_ids()
        factory, prefix = self._factory, str(record["marker"])
        self._busy.add(job_id)
        self._tasks.submit(
            lambda: factory().submit_once(
                pairs, prefix, since, exclude=exclude, look_first=look_first
            ),
            functools.partial(self._on_submitted, job_id, part),
            functools.partial(self._on_submit_failed, job_id, part),
        )

    def _on_submitted(self, job_id: int, part: int, remote_id: object) -> None:
        self._busy.discard(job_id)
        self._unsent.get(job_id, {}).pop(part, None)
        if self._update_part(job_id, part, remote_id=str(remote_id), status="in_progress") is None:
            # Sent, but not recorded: say which batch, so it can be found by hand.
            log.warning("Batch job %d was sent as %s but could not be recorded", job_id, remote_id)
            self._unsent.pop(job_id, None)
            return
        self._send_next(job_id)

    def _all_sent(self, job_id: int) -> None:
        if self._update(job_id, status="in_progress") is None:
            return
        if not self._timer.isActive():
            self._timer.start()
        if job_id in self._cancel_when_sent:
            self._cancel_when_sent.discard(job_id)
            self.cancel(job_id)

    def _on_submit_failed(self, job_id: int, part: int, exc: BaseException) -> None:
        self._busy.discard(job_id)
        self._log_failure("Sending batch job %d failed", job_id, exc)
        self._unsent.pop(job_id, None)
        self._give_up_unsent(job_id, _one_line(exc))

    def _adopt(self, job: BatchJob) -> None:
        """Find the parts of a job cut off while being sent, or give them up."""
        wanted = [
            (n, str(p["marker"]), int(p["size"]), datetime.fromisoformat(str(p["sent_at"])))
            for n, p in enumerate(self._jobs.parts(job.id))
            if not p["remote_id"] and p["marker"] and p["sent_at"] and p["size"]
        ]
        if not wanted:
            self._give_up_unsent(job.id, _NEVER_SENT)
            return
        factory, exclude = self._factory, self._known_ids()

        def find() -> dict[int, str | None]:
            client = factory()
            return {n: client.find(prefix, size, since, exclude=exclude)
                    for n, prefix, size, since in wanted}  # fmt: skip

        self._busy.add(job.id)
        self._tasks.submit(
            find,
            functools.partial(self._on_adopted, job.id),
            functools.partial(self._on_adopt_failed, job.id),
        )

    def _on_adopted(self, job_id: int, found: object) -> None:
        self._busy.discard(job_id)
        for part, remote_id in cast("dict[int, str | None]", found).items():
            if remote_id is not None:
                log.info("Batch job %d: part %d found on the server as %s", job_id, part, remote_id)
                self._update_part(job_id, part, remote_id=remote_id, status="in_progress")
        self._give_up_unsent(job_id, _NEVER_SENT)

    def _on_adopt_failed(self, job_id: int, exc: BaseException) -> None:
        # Offline at start-up, say: the job stays "submitting" and is looked for again at
        # the next start (nothing is sent meanwhile, so nothing can be sent twice).
        self._busy.discard(job_id)
        self._log_failure("Looking for batch job %d failed", job_id, exc)
        if isinstance(exc, AiError) and exc.retryable:
            self._update(job_id, error=_one_line(exc))
        else:
            self._fail(job_id, _one_line(exc))

    def _give_up_unsent(self, job_id: int, message: str) -> None:
        """Go on with the parts that were sent; the others' items fail with ``message``.

        With no part sent at all, the job fails and the highlights stay untouched.
        """
        parts = self._jobs.parts(job_id)
        if not any(p["remote_id"] for p in parts):
            self._fail(job_id, message)
            return
        job = self._jobs.get(job_id)
        if job is None:
            return
        error = AiError(AiErrorKind.CANCELLED, message)
        lost = {n for n, p in enumerate(parts) if not p["remote_id"]}
        for item in job.items:
            if int(item.get("part", 0)) in lost and not item.get("saved"):
                row = failure_row(int(item["highlight_id"]), str(item.get("model", "")),
                                  str(item.get("prompt_version", "")), error)  # fmt: skip
                self._save(job_id, item, row)
        for part in lost:
            self._update_part(job_id, part, status="ended")
        self._update(job_id, status="in_progress", error=message if lost else "")
        if not self._timer.isActive():
            self._timer.start()

    # -- polling --------------------------------------------------------------------------
    def _poll(self) -> None:
        """One timer tick: check every open job that has nothing in flight."""
        jobs = [job for job in self._open_jobs() if job.status != "submitting"]
        if not jobs and not self._busy:
            self._timer.stop()  # restarted by the next submit
            return
        if not self._timer.isActive():
            self._timer.start()
        now = time.monotonic()
        for job in jobs:
            if job.id in self._busy or self._backoff.get(job.id, (0, 0.0))[1] > now:
                continue
            if job.status == "ended":
                self._collect(job)  # results not all saved yet (a crash, a full disk)
            else:
                self._check(job)

    def _check(self, job: BatchJob) -> None:
        running = self._running(job.id)
        if not running:
            self._after_status(job.id)
            return
        self._busy.add(job.id)
        factory = self._factory

        def statuses() -> dict[int, BatchStatus]:
            client = factory()
            return {n: client.status(remote_id) for n, remote_id in running}

        self._tasks.submit(
            statuses,
            functools.partial(self._on_status, job.id),
            functools.partial(self._on_poll_failed, job.id),
        )

    def _on_status(self, job_id: int, statuses: object) -> None:
        # Typed by cast: importing ai.batches here would load pydantic at start-up.
        self._busy.discard(job_id)
        self._backoff.pop(job_id, None)
        job = self._apply_statuses(job_id, cast("dict[int, BatchStatus]", statuses))
        if job is not None and job.status == "ended":
            self._collect(job)  # at once: the user has waited long enough

    def _apply_statuses(self, job_id: int, statuses: dict[int, BatchStatus]) -> BatchJob | None:
        """Record what the API said about a job's parts.

        Returns:
            The job afterwards (unchanged when it is no longer polled), or None when it
            is gone, failed, or the change could not be written.
        """
        job = self._jobs.get(job_id)
        if job is None or job.status not in (*_RUNNING, "ended"):
            return job
        parts = self._jobs.parts(job_id)
        for part, status in statuses.items():
            if status.ended and status.results_gone:
                self._fail(job_id, batch_limits.RESULTS_GONE)
                return None
            new = "ended" if status.ended else status.processing_status
            if parts[part]["status"] == "ended" or new not in (*_RUNNING, "ended"):
                new = "ended" if parts[part]["status"] == "ended" else "in_progress"
            counts = status.request_counts
            changed = (parts[part]["status"], parts[part]["counts"]) != (new, counts)
            if changed and self._update_part(job_id, part, status=new, counts=counts) is None:
                return None
        return self._after_status(job_id)

    def _after_status(self, job_id: int) -> BatchJob | None:
        """Set the job's status from its parts': "ended" once every part has ended."""
        job = self._jobs.get(job_id)
        if job is None:
            return None
        statuses = {str(p["status"]) for p in self._jobs.parts(job_id)}
        if statuses == {"ended"}:
            new = "ended"
        elif job.status == "canceling" or "canceling" in statuses:
            new = "canceling"
        else:
            new = "in_progress"
        if job.status == "ended":
            new = "ended"  # a late answer must not reopen a finished poll
        if (job.status, job.error) == (new, ""):
            return job  # nothing new: spare the disk a write every tick
        return self._update(job_id, status=new, error="")

    def _on_poll_failed(self, job_id: int, exc: BaseException) -> None:
        self._busy.discard(job_id)
        message = _one_line(exc)
        stopped = isinstance(exc, batch_limits.BatchStopped)  # 401, 403, spend limit, …
        if isinstance(exc, AiError) and not stopped and exc.kind not in _FATAL_POLL_KINDS:
            # Offline, overloaded, no key yet…: keep the job and try again later (twice
            # as late each time, up to MAX_BACKOFF_S), showing why it is waiting.
            failures = self._backoff.get(job_id, (0, 0.0))[0] + 1
            wait = min(self._interval_s * 2**failures, MAX_BACKOFF_S)
            if exc.retry_after:
                wait = min(max(wait, exc.retry_after), MAX_BACKOFF_S)
            self._backoff[job_id] = (failures, time.monotonic() + wait)
            log.info("Batch job %d: poll failed (%s): %s; next try in %.0f s",
                     job_id, exc.kind.value, exc.detail, wait)  # fmt: skip
            job = self._jobs.get(job_id)
            if job is not None and job.error != message:
                self._update(job_id, error=message)
            return
        # BatchStopped (401, 402, 403, 404, spend limit, results gone) and the like: one
        # line, no more polling.
        self._backoff.pop(job_id, None)
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
        parts = self._jobs.parts(job.id)
        wanted: dict[str, tuple[dict[str, str], dict[str, str]]] = {}
        for item in pending:
            remote_id = str(parts[int(item.get("part", 0))]["remote_id"])
            passages, versions = wanted.setdefault(remote_id, ({}, {}))
            passages[str(item["custom_id"])] = str(item.get("passage", ""))
            versions[str(item["custom_id"])] = str(item.get("prompt_version", ""))
        self._busy.add(job.id)
        factory = self._factory

        def fetch() -> dict[str, BatchItemResult]:
            client = factory()
            results: dict[str, BatchItemResult] = {}
            for remote_id, (passages, versions) in wanted.items():
                results.update(client.results(remote_id, passages, versions))
            return results

        self._tasks.submit(
            fetch,
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
            if not self._save(job_id, item, self._analysis(item, result)):
                return
        job = self._jobs.get(job_id)
        if job is not None:
            self._finish(job)

    def _save(self, job_id: int, item: dict[str, Any], new: NewAnalysis) -> bool:
        """Store one item's analysis once; False when the library could not be written."""
        try:
            stored = self._jobs.save_item(
                job_id, str(item["custom_id"]), functools.partial(self._analyses.add, new)
            )
        except StorageError as exc:
            # The job stays "ended"; the next tick tries the unsaved items again.
            log.warning("Batch job %d: a result could not be saved: %s", job_id, exc)
            self.job_failed.emit(job_id, exc.message)
            return False
        if stored:
            highlight_id = int(item["highlight_id"])
            self.result_saved.emit(highlight_id, new.dominant_emotion)
            if self._on_result is not None:
                self._on_result(highlight_id, new.dominant_emotion or None)
        return True

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
    def _on_cancel_sent(self, job_id: int, statuses: object) -> None:
        job = self._apply_statuses(job_id, cast("dict[int, BatchStatus]", statuses))
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

    def _running(self, job_id: int) -> list[tuple[int, str]]:
        """(part, batch id) of the parts still running on the server."""
        parts = enumerate(self._jobs.parts(job_id))
        return [(n, str(p["remote_id"])) for n, p in parts if p["status"] in _RUNNING]

    def _known_ids(self) -> frozenset[str]:
        """The batch ids the library already holds: never adopted for another part."""
        ids: set[str] = set()
        for job in self._jobs.recent(limit=1000):
            ids.update(i for i in job.remote_id.split(",") if i)
        return frozenset(ids)

    def _update(self, job_id: int, **changes: Any) -> BatchJob | None:
        """Change a job and announce it; None when the library could not be written."""
        return self._update_part(job_id, None, **changes)

    def _update_part(self, job_id: int, part: int | None, **changes: Any) -> BatchJob | None:
        """Change a job (or one part) and announce it; None when it could not be written."""
        try:
            if part is None:
                job = self._jobs.update(job_id, **changes)
            else:
                job = self._jobs.update_part(job_id, part, **changes)
        except StorageError as exc:
            log.warning("Batch job %d could not be updated: %s", job_id, exc)
            self.job_failed.emit(job_id, exc.message)
            return None
        self.job_changed.emit(job)
        return job

    def _fail(self, job_id: int, message: str) -> None:
        self._backoff.pop(job_id, None)
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
