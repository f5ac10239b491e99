"""Search the open book off the GUI thread; only the newest query's answer is shown."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from reader_app.core.search import SearchHit, search_book

if TYPE_CHECKING:
    from collections.abc import Sequence

    from reader_app.services.tasks import TaskRunner

RESULT_LIMIT = 2000


class SearchService(QObject):
    """Runs full-text searches over a book's chapters.

    Signals:
        results_ready(str, object, int): the query, the list of SearchHit, the total count.
    """

    results_ready = Signal(str, object, int)

    def __init__(self, tasks: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._job = 0
        self._stop = threading.Event()

    def search(self, texts: Sequence[str], query: str, *, match_case: bool = False) -> None:
        """Start a search; an older one still running is superseded."""
        if self._job:
            self._tasks.discard(self._job)
        # A search superseded by a newer query stops at its next chapter: left running,
        # it would only compete with the window and the newer search for Python's lock.
        self._stop.set()
        stop = self._stop = threading.Event()
        snapshot = tuple(texts)

        def work() -> tuple[list[SearchHit], int]:
            return search_book(
                snapshot, query, match_case=match_case, limit=RESULT_LIMIT, cancelled=stop.is_set
            )

        def done(result: object) -> None:
            self._job = 0
            assert isinstance(result, tuple)
            hits, total = result
            self.results_ready.emit(query, hits, total)

        def failed(_exc: BaseException) -> None:
            self._job = 0
            self.results_ready.emit(query, [], 0)

        self._job = self._tasks.submit(work, done, failed)
