"""Highlights of the open book: create, re-anchor, recolour, annotate, delete and undo."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from reader_app.core.anchors import TextAnchor, make_anchor, resolve_anchor
from reader_app.core.errors import StorageError
from reader_app.storage.highlights import Highlight, HighlightRepository, NewHighlight
from reader_app.storage.imports import adopt_placeholders
from reader_app.ui.reader_view import Mark

if TYPE_CHECKING:
    from reader_app.core.book import Book

log = logging.getLogger(__name__)


class HighlightController(QObject):
    """Keeps the open book's highlights in step with the database and the page.

    Every change is one transaction in the repository; a failure is reported through
    ``failed`` and leaves both the database and the page as they were.

    Signals:
        changed(): the list of highlights changed (added, edited, deleted, re-anchored).
        failed(str): a one-line message for the user.
    """

    changed = Signal()
    failed = Signal(str)

    def __init__(self, repo: HighlightRepository, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._repo = repo
        self._book: Book | None = None
        self._texts: list[str] = []
        self._items: list[Highlight] = []
        self._deleted: list[Highlight] = []

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

    def open_book(self, book: Book) -> None:
        """Load the book's highlights and place each one in the current text.

        A highlight whose text moved is re-anchored and saved where it is now; one that
        cannot be found is kept as an orphan, never dropped, and tried again next time.
        Highlights imported for this title and author before it was opened are adopted.
        """
        self._book = book
        self._texts = [c.text for c in book.chapters]
        self._deleted.clear()
        try:
            # Highlights imported before the book was in the library come over as orphans
            # first, so the re-anchoring below places them. The repository owns the
            # connection; adopting is one transaction on it, like any repository write.
            adopt_placeholders(self._repo.connection, book)
        except StorageError as exc:
            self.failed.emit(exc.message)  # they stay on their placeholder for next time
        try:
            stored = self._repo.list_for_book(book.book_id)
            for item in stored:
                self._reanchor(item)
            self._items = self._repo.list_for_book(book.book_id)
        except StorageError as exc:
            self._items = []
            self.failed.emit(exc.message)
        self.changed.emit()

    def _reanchor(self, item: Highlight) -> None:
        anchor = TextAnchor(
            item.chapter, item.start, item.end, item.quote, item.prefix, item.suffix
        )
        place = resolve_anchor(anchor, self._texts)
        if place is None:
            if not item.orphaned:
                log.info("Highlight %s no longer found in the text", item.id)
                self._repo.move(item.id, item.chapter, item.start, item.end, orphaned=True)
            return
        if (place.chapter, place.start, place.end) != (item.chapter, item.start, item.end) or (
            item.orphaned
        ):
            self._repo.move(item.id, place.chapter, place.start, place.end, orphaned=False)
        assert self._book is not None
        section = self._book.section_title(place.chapter, place.start)
        if section != item.section:
            self._repo.set_section(item.id, section)

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
        anchor = make_anchor(self._texts, chapter, start, end)
        new = NewHighlight(
            book_id=self._book.book_id,
            chapter=chapter,
            chapter_key=self._book.chapters[chapter].key,
            start=anchor.start,
            end=anchor.end,
            quote=anchor.quote,
            prefix=anchor.prefix,
            suffix=anchor.suffix,
            color=color,
            section=self._book.section_title(chapter, anchor.start),
        )
        try:
            created = self._repo.add(new)
        except StorageError as exc:
            self.failed.emit(exc.message)
            return None
        self._reload()
        return created

    def set_color(self, highlight_id: int, color: str) -> None:
        """Recolour a highlight."""
        self._apply(lambda: self._repo.set_color(highlight_id, color))

    def set_note(self, highlight_id: int, note: str) -> None:
        """Replace a highlight's note."""
        self._apply(lambda: self._repo.set_note(highlight_id, note.strip()))

    def delete(self, highlight_id: int) -> None:
        """Delete a highlight; it can be brought back with undo()."""
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
