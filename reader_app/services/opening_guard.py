"""Keeps the profile's "opening a book" mark in step with the book service and the page.

The mark goes down when an open starts and comes off only after the book's first page has
been painted (or the book was refused with a message). A book that crashes or hangs the
window while being parsed, laid out or painted therefore leaves the mark behind, and the
next start knows not to open it again.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer

from reader_app.config.opening_mark import clear_mark, read_mark, set_mark

if TYPE_CHECKING:
    from reader_app.services.book_service import BookService


class OpeningGuard(QObject):
    """Sets and clears the mark; ``watch()`` the reading page so its paint clears it."""

    def __init__(self, mark: Path, books: BookService, parent: QObject | None = None) -> None:
        """Follow ``books``; connect before any book is opened.

        Args:
            mark: ``AppPaths.opening_mark``.
            books: the service that opens books.
            parent: the owning QObject.
        """
        super().__init__(parent)
        self._mark = mark
        self._awaiting_paint = False
        books.load_started.connect(self._on_started)
        books.load_failed.connect(lambda _path, _message: self._finish())
        books.book_loaded.connect(self._on_loaded)

    def watch(self, page: QObject) -> None:
        """Clear the mark after ``page`` (the reading view's viewport) has painted a book."""
        page.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """After the first paint of a loaded book, clear the mark."""
        if self._awaiting_paint and event.type() == QEvent.Type.Paint:
            self._awaiting_paint = False
            # Run after this paint has finished: a book that hangs in its paint (an SVG
            # bomb, say) must leave the mark in place.
            QTimer.singleShot(0, self, self._finish)
        return False

    def finish(self) -> None:
        """The app is closing normally: an open still under way did not crash it."""
        self._finish()

    def _on_started(self, path: str) -> None:
        self._awaiting_paint = False
        set_mark(self._mark, path)

    def _on_loaded(self, _book: object) -> None:
        # The window lays the book out after this signal; the paint that follows proves
        # the whole open went through.
        self._awaiting_paint = True

    def _finish(self) -> None:
        self._awaiting_paint = False
        clear_mark(self._mark)


def unfinished_open(mark: Path) -> str | None:
    """The book whose open never finished last time, and forget the mark.

    Args:
        mark: ``AppPaths.opening_mark``.

    Returns:
        The path ("" when the mark was unreadable), or None when the last open finished.
    """
    book = read_mark(mark)
    if book is not None:
        clear_mark(mark)
    return book


def same_file(a: str, b: str) -> bool:
    """Whether two paths name the same file (relative, ``..`` or a link included)."""
    try:
        return Path(a).resolve() == Path(b).resolve()
    except (OSError, RuntimeError):
        return a == b
