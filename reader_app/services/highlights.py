"""Highlights of the open book: create, place, recolour, annotate, delete and undo.

The work itself is ``reader_app.usecases.highlights``; this service keeps the open book's
list, runs the placing on a worker and tells the widgets through its signals.
"""

from __future__ import annotations

import bisect
import logging
import threading
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from reader_app.core.errors import ReaderError, StorageError
from reader_app.core.marks import Mark
from reader_app.storage.placement import library_file
from reader_app.usecases.highlights import (
    PlacedHighlights,
    PlacingCancelled,
    highlight_selection,
    place_highlights,
    place_highlights_apart,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from reader_app.core.book import Book
    from reader_app.core.records import Highlight
    from reader_app.services.tasks import Report, TaskRunner
    from reader_app.storage.highlights import HighlightRepository

log = logging.getLogger(__name__)


class HighlightController(QObject):
    """Keeps the open book's highlights in step with the database and the page.

    Every change is one transaction in the repository; a failure is reported through
    ``failed`` and leaves both the database and the page as they were.

    Placing a book's highlights when it opens (adopting those imported for it, checking
    each still sits on its quote, re-anchoring the rest) runs on a worker of ``tasks``, on
    a connection of its own, so the first chapter is painted while it runs. Until it is
    done the book shows no highlights; they all appear at once when placed.

    Signals:
        changed(): the list of highlights changed (added, edited, deleted, placed).
        failed(str): a one-line message for the user.
        placing(int, int): progress of placing the open book's highlights (done, total).
        placed(int, int): they are all placed: how many highlights, how many orphaned.
    """

    changed = Signal()
    failed = Signal(str)
    placing = Signal(int, int)
    placed = Signal(int, int)

    def __init__(
        self,
        repo: HighlightRepository,
        tasks: TaskRunner | None = None,
        parent: QObject | None = None,
    ) -> None:
        """Keep highlights through ``repo``; place them on ``tasks`` when given.

        Args:
            repo: the highlights of the library.
            tasks: runs the placing on a worker; without it (or with an in-memory
                library, which other connections cannot see) placing runs in place.
            parent: the Qt parent.
        """
        super().__init__(parent)
        self._repo = repo
        self._tasks = tasks
        self._database = library_file(repo.connection)
        self._book: Book | None = None
        self._texts: list[str] = []
        self._items: list[Highlight] = []
        self._deleted: list[Highlight] = []
        self._job = 0
        self._cancel = threading.Event()
        self._edited_while_placing = False
        # Placing may wait a moment, for the page to be painted first (see open_book).
        self._waiting: Callable[[Report], PlacedHighlights] | None = None
        self._start = QTimer(self, singleShot=True)
        self._start.timeout.connect(self._start_placing)

    @property
    def highlights(self) -> list[Highlight]:
        """All highlights of the open book, orphans last."""
        return list(self._items)

    @property
    def can_undo(self) -> bool:
        """Whether a deletion can be undone."""
        return bool(self._deleted)

    def get(self, highlight_id: int) -> Highlight | None:
        """One highlight of the open book."""
        return next((h for h in self._items if h.id == highlight_id), None)

    @property
    def book(self) -> Book | None:
        """The open book these highlights belong to (None before the first opens)."""
        return self._book

    @property
    def busy(self) -> bool:
        """Whether the open book's highlights are still being placed."""
        return self._job != 0

    def open_book(self, book: Book, *, after_ms: int = 0) -> None:
        """Show the book's highlights once each is placed in the current text.

        A highlight whose text moved is re-anchored and saved where it is now; one that
        cannot be found is kept as an orphan, never dropped, and tried again next time.
        Highlights imported for this title and author before it was opened are adopted.
        With ``after_ms``, the worker starts that much later: the window paints the new
        page first instead of sharing Python's lock with it.
        """
        self.cancel_placing()
        self._book = book
        self._texts = [c.text for c in book.chapters]
        self._deleted.clear()
        self._items = []
        self._edited_while_placing = False
        self.changed.emit()
        if self._tasks is None or self._database is None:
            try:
                self._placed(place_highlights(self._repo.connection, book))
            except StorageError as exc:
                self._placing_failed(exc)
            return
        cancel = self._cancel = threading.Event()
        database = self._database

        def work(report: Report) -> PlacedHighlights:
            return place_highlights_apart(database, book, progress=report, cancelled=cancel.is_set)

        self._waiting = work
        self._job = _WAITING  # busy already: an edit meanwhile is noticed
        self._start.start(after_ms)

    def _start_placing(self) -> None:
        work, self._waiting = self._waiting, None
        if work is None or self._tasks is None:
            return
        self._job = self._tasks.submit_reporting(
            work, self._on_placed, self._placing_failed, self.placing.emit
        )

    def cancel_placing(self) -> None:
        """Stop placing the open book's highlights; nothing of it is written."""
        self._cancel.set()
        self._start.stop()
        self._waiting = None
        if self._job > 0 and self._tasks is not None:
            self._tasks.discard(self._job)
        self._job = 0

    def _on_placed(self, result: object) -> None:
        self._job = 0
        assert isinstance(result, PlacedHighlights)
        self._placed(result)

    def _placed(self, result: PlacedHighlights) -> None:
        if self._edited_while_placing:
            # The reader changed a highlight meanwhile: the worker's list may predate that.
            self._reload()
        else:
            self._items = result.highlights
            self.changed.emit()
        self.placed.emit(len(self._items), sum(1 for h in self._items if h.orphaned))

    def _placing_failed(self, exc: BaseException) -> None:
        self._job = 0
        if isinstance(exc, PlacingCancelled):
            return
        if isinstance(exc, ReaderError):
            self.failed.emit(exc.message)
        else:
            log.error("Placing the highlights failed", exc_info=exc)
            self.failed.emit(self.tr("The highlights of this book could not be placed."))
        # Show them where they were stored; the next opening tries again.
        self._reload()

    def marks(self, chapter: int) -> list[Mark]:
        """What to draw over a chapter."""
        return [
            Mark(h.start, h.end, h.color, h.id)
            for h in self._items
            if h.chapter == chapter and not h.orphaned
        ]

    def at(self, chapter: int, offset: int) -> Highlight | None:
        """The highlight under a place of a chapter, if any."""
        hits = [
            h
            for h in self._items
            if h.chapter == chapter and not h.orphaned and h.start <= offset < h.end
        ]
        return min(hits, key=lambda h: h.end - h.start) if hits else None

    def add(self, chapter: int, start: int, end: int, color: str = "yellow") -> Highlight | None:
        """Highlight a range; an identical existing highlight is returned instead."""
        if self._book is None:
            return None
        existing = next(
            (h for h in self._items if (h.chapter, h.start, h.end) == (chapter, start, end)), None
        )
        if existing is not None:
            return existing
        self._edited_while_placing = self.busy
        try:
            created = highlight_selection(
                self._repo, self._book, chapter, start, end, color, texts=self._texts
            )
        except StorageError as exc:
            self.failed.emit(exc.message)
            return None
        if all(h.id != created.id for h in self._items):
            # In reading order, as the library lists them: reading all of a book's
            # highlights back after each new one cost 12 ms a press with a few dozen.
            items = list(self._items)  # a new list: a listener may hold the old one
            bisect.insort(items, created, key=_reading_order)
            self._items = items
        self.changed.emit()
        return created

    def add_many(self, places: Sequence[tuple[int, int, int]]) -> list[int]:
        """Highlight several ranges at once (one reload); existing ones are reused.

        Returns:
            The highlights' ids, in the order of ``places``; a range that could not be
            stored is left out (the failure is reported once).
        """
        if self._book is None:
            return []
        by_place = {(h.chapter, h.start, h.end): h.id for h in self._items}
        self._edited_while_placing = self.busy
        ids: list[int] = []
        try:
            for chapter, start, end in places:
                known = by_place.get((chapter, start, end))
                if known is None:
                    created = highlight_selection(
                        self._repo, self._book, chapter, start, end, "yellow", texts=self._texts
                    )
                    known = by_place[(chapter, start, end)] = created.id
                ids.append(known)
        except StorageError as exc:
            self.failed.emit(exc.message)
        self._reload()
        return ids

    def set_color(self, highlight_id: int, color: str) -> None:
        """Recolour a highlight."""
        self._apply(lambda: self._repo.set_color(highlight_id, color))

    def set_note(self, highlight_id: int, note: str) -> None:
        """Replace a highlight's note."""
        self._apply(lambda: self._repo.set_note(highlight_id, note.strip()))

    def delete(self, highlight_id: int) -> None:
        """Delete a highlight; it can be brought back with undo()."""
        self._edited_while_placing = self.busy
        try:
            removed = self._repo.delete(highlight_id)
        except StorageError as exc:
            self.failed.emit(exc.message)
            return
        if removed is not None:
            self._deleted.append(removed)
        self._reload()

    def undo(self) -> None:
        """Bring back the last deleted highlight."""
        if not self._deleted:
            return
        item = self._deleted.pop()
        self._apply(lambda: self._repo.restore(item))

    def refresh(self) -> None:
        """Read the open book's highlights again (they changed elsewhere)."""
        self._reload()

    def _apply(self, change: object) -> None:
        self._edited_while_placing = self.busy
        try:
            change()  # type: ignore[operator]
        except StorageError as exc:
            self.failed.emit(exc.message)
            return
        self._reload()

    def _reload(self) -> None:
        if self._book is None:
            return
        try:
            self._items = self._repo.list_for_book(self._book.book_id)
        except StorageError as exc:
            self.failed.emit(exc.message)
            return
        self.changed.emit()


_WAITING = -1  # the job id while the placing waits to start


def _reading_order(item: Highlight) -> tuple[bool, int, int, int, int]:
    # The order of HighlightRepository.list_for_book: orphans last, then by place.
    return (item.orphaned, item.chapter, item.start, item.end, item.id)
