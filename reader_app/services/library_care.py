"""Looking after the library file off the GUI thread: daily backups, and recovery.

Both read or write the whole file, which can take seconds on a big library, so they run on
a pool of their own: a backup must never hold up opening a book or the window.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThreadPool

from reader_app.core.errors import StorageError
from reader_app.services.tasks import TaskRunner
from reader_app.storage.backup import BackupStopped, backup_due, make_backup
from reader_app.storage.recover import RecoveryReport, recover_into

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

log = logging.getLogger(__name__)


class LibraryCare(QObject):
    """Makes the day's backup and recovers rows from a damaged library, on a worker."""

    def __init__(self, database: Path, backups_dir: Path, parent: QObject | None = None) -> None:
        """Look after the library at ``database``.

        Args:
            database: the library file.
            backups_dir: where the daily copies go.
            parent: the owning QObject.
        """
        super().__init__(parent)
        self._database = database
        self._backups_dir = backups_dir
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._tasks = TaskRunner(self._pool, self)
        self._stop = threading.Event()
        self.last_backup: Path | None = None
        self.backup_error: str = ""

    def back_up(self, on_done: Callable[[], None] | None = None) -> None:
        """Make today's copy, unless it was made already.

        Args:
            on_done: called on the GUI thread when the work ended (made, skipped or failed).
        """

        def work() -> Path | None:
            now = datetime.now().astimezone()
            if not backup_due(self._backups_dir, now):
                return None
            return make_backup(self._database, self._backups_dir, now, stop=self._stop)

        def done(result: object) -> None:
            self.last_backup = result if result is not None else self.last_backup  # type: ignore[assignment]
            if result is not None:
                log.info("Library backed up to %s", result)
            if on_done is not None:
                on_done()

        def failed(exc: BaseException) -> None:
            if isinstance(exc, BackupStopped):
                log.info("Backup stopped: the app is closing")
            else:
                # Logged, not shown: a missed backup is retried at the next start.
                self.backup_error = str(exc)
                log.warning("Backup failed: %s", exc)
            if on_done is not None:
                on_done()

        self._tasks.submit(work, done, failed)

    def recover(
        self,
        source: Path,
        on_done: Callable[[RecoveryReport], None],
        on_failed: Callable[[str], None],
    ) -> None:
        """Copy what can be read from ``source`` into the library, on the worker.

        Args:
            source: the damaged library that was set aside, or a backup.
            on_done: given the report, on the GUI thread.
            on_failed: given a one-line message, on the GUI thread.
        """

        def failed(exc: BaseException) -> None:
            if isinstance(exc, StorageError):
                on_failed(exc.message)
            else:
                log.error("Recovery failed", exc_info=exc)
                on_failed("The damaged library could not be read.")

        self._tasks.submit(
            lambda: recover_into(source, self._database),
            lambda report: on_done(report),
            failed,
        )

    def stop(self) -> None:
        """Stop a backup under way and wait for the worker (on quit)."""
        self._stop.set()
        self._pool.waitForDone(10_000)
