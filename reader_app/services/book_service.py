"""Open books in the background so the window never waits for a parser."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from reader_app.core.book import Book
from reader_app.core.errors import ReaderError
from reader_app.core.loaders import load_book

if TYPE_CHECKING:
    from reader_app.core.book_cache import BookCache
    from reader_app.services.tasks import TaskRunner

log = logging.getLogger(__name__)


class BookService(QObject):
    """Loads one book at a time; a newer request supersedes an older one.

    Signals:
        load_started(str): the path being opened.
        book_previewed(object): a first part of the Book to show while the rest is read
            (only for books slow to parse), on the GUI thread; book_loaded follows.
        book_loaded(object): the Book, on the GUI thread.
        load_failed(str, str): the path and a one-line message for the user.
    """

    load_started = Signal(str)
    book_previewed = Signal(object)
    book_loaded = Signal(object)
    load_failed = Signal(str, str)
    # Emitted on the loading thread, received on the GUI thread: (opening, first part).
    _preview_ready = Signal(int, object)

    def __init__(
        self, tasks: TaskRunner, cache: BookCache | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._cache = cache
        self._job = 0
        self._pending = ""
        self._opening = 0  # counts open() calls: a preview of a superseded one is dropped
        self._preview_ready.connect(self._on_preview)

    def open(self, path: Path) -> None:
        """Start loading ``path``; the answer comes as book_loaded or load_failed."""
        if self._job:
            self._tasks.discard(self._job)
        text = str(path)
        self._pending = text
        self.load_started.emit(text)
        self._opening += 1
        opening = self._opening

        def preview(book: Book) -> None:
            self._preview_ready.emit(opening, _prepared(book))

        self._job = self._tasks.submit(
            lambda: _prepared(load_book(path, self._cache, preview)),
            self._on_loaded,
            lambda exc: self._on_failed(text, exc),
        )

    @property
    def busy(self) -> bool:
        """Whether a book is being opened."""
        return self._job != 0

    @property
    def pending_path(self) -> str:
        """The path being opened, or "" when idle."""
        return self._pending if self._job else ""

    def _on_preview(self, opening: int, book: object) -> None:
        if opening == self._opening and self._job:
            self.book_previewed.emit(book)

    def _on_loaded(self, book: object) -> None:
        self._job = 0
        assert isinstance(book, Book)
        self.book_loaded.emit(book)

    def _on_failed(self, path: str, exc: BaseException) -> None:
        self._job = 0
        if isinstance(exc, ReaderError):
            self.load_failed.emit(path, exc.message)
            return
        # A parser bug must not take the window down: report it and keep it in the log.
        log.error("Unexpected failure opening %s", path, exc_info=exc)
        name = Path(path).name
        self.load_failed.emit(path, f"“{name}” could not be opened because of an internal error.")


def _prepared(book: Book) -> Book:
    """The book with what showing it needs worked out here, on the loading thread.

    The sections Next and Previous step through are pure Python over the whole text
    (20 ms of War and Peace's 3 MB on a slow machine): made on the GUI thread they
    froze the window for that long on every open.
    """
    book.steps()
    book.sections()
    return book
