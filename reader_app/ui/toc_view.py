"""The table of contents in a sidebar."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QTreeWidget, QTreeWidgetItem, QWidget

if TYPE_CHECKING:
    from reader_app.core.book import Book, TocEntry

_TARGET = Qt.ItemDataRole.UserRole


class TocView(QTreeWidget):
    """Shows a book's contents and follows the reading position.

    Signals:
        entry_activated(int, int): chapter index and offset of the chosen entry.
    """

    entry_activated = Signal(int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tocView")
        self.setAccessibleName(self.tr("Table of contents"))
        self.setHeaderHidden(True)
        self.setUniformRowHeights(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.itemActivated.connect(self._on_activated)
        self.itemClicked.connect(self._on_activated)
        self._ordered: list[tuple[int, int, QTreeWidgetItem]] = []
        # Where Next lands on a heading that joined its section ("Volume II" above
        # "Hart-Leap Well"): the section's entry is the one to select.
        self._named_at: dict[tuple[int, int], int] = {}

    def set_book(self, book: Book) -> None:
        """Fill the tree from the book's contents."""
        self.clear_book()
        self._named_at = {
            (s.chapter, s.offset): s.named_at for s in book.steps().steps if s.named_at != s.offset
        }
        for entry in book.toc:
            self.addTopLevelItem(self._item(entry))
        # Open books and parts, but not the stanza numbers or sections under a poem.
        self.expandToDepth(0 if len(self._ordered) > 60 else 1)
        self._ordered.sort(key=lambda t: (t[0], t[1]))

    def _item(self, entry: TocEntry) -> QTreeWidgetItem:
        item = QTreeWidgetItem([entry.title])
        item.setToolTip(0, entry.title)
        item.setData(0, _TARGET, (entry.chapter, entry.offset))
        self._ordered.append((entry.chapter, entry.offset, item))
        for child in entry.children:
            item.addChild(self._item(child))
        return item

    def clear_book(self) -> None:
        """Empty the tree: no book's contents to go to."""
        self.clear()
        self._ordered = []
        self._named_at = {}

    def follow(self, chapter: int, offset: int) -> None:
        """Select the entry for a reading position, without emitting anything."""
        offset = self._named_at.get((chapter, offset), offset)
        current = None
        for entry_chapter, entry_offset, item in self._ordered:
            if (entry_chapter, entry_offset) <= (chapter, offset):
                current = item
            else:
                break
        if current is None or current is self.currentItem():
            return
        self.blockSignals(True)
        self.setCurrentItem(current)
        self.scrollToItem(current)
        self.blockSignals(False)

    def _on_activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        chapter, offset = item.data(0, _TARGET)
        self.entry_activated.emit(int(chapter), int(offset))
