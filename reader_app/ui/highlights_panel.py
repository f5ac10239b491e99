"""The list of the open book's highlights, including those that lost their place."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QIcon, QKeyEvent, QPixmap
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QMenu, QWidget

from reader_app.ui.themes import HIGHLIGHT_COLORS, highlight_color

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from reader_app.storage.highlights import Highlight

_ID = Qt.ItemDataRole.UserRole


def swatch(color: str) -> QIcon:
    """A small square of a highlight colour."""
    pixmap = QPixmap(14, 14)
    pixmap.fill(highlight_color(color, dark=False))
    return QIcon(pixmap)


class HighlightsPanel(QListWidget):
    """Highlights in reading order; orphans (text not found) are listed last, marked.

    Signals:
        jump_requested(int): go to the highlight with this id.
        delete_requested(int): delete it.
        note_requested(int): edit its note.
        color_requested(int, str): recolour it.
    """

    jump_requested = Signal(int)
    delete_requested = Signal(int)
    note_requested = Signal(int)
    color_requested = Signal(int, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("highlightsPanel")
        self.setAccessibleName(self.tr("Highlights"))
        self.setWordWrap(True)
        self.setAlternatingRowColors(False)
        self.setSpacing(2)
        self.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._menu)
        self.itemActivated.connect(self._jump)
        self.itemDoubleClicked.connect(self._jump)

    def set_highlights(self, items: Sequence[Highlight], where: Callable[[Highlight], str]) -> None:
        """Show a book's highlights; ``where`` names the place of each (its section)."""
        self.clear()
        if not items:
            placeholder = QListWidgetItem(self.tr("No highlights yet. Select text and press H."))
            placeholder.setFlags(Qt.ItemFlag.NoItemFlags)
            self.addItem(placeholder)
            return
        for h in items:
            quote = " ".join(h.quote.split())
            if len(quote) > 160:
                quote = quote[:157] + "…"
            place = self.tr("Not found in this edition") if h.orphaned else where(h)
            lines = [f"“{quote}”", place]
            if h.note:
                lines.insert(1, "✎ " + " ".join(h.note.split())[:200])
            item = QListWidgetItem(swatch(h.color), "\n".join(lines))
            item.setData(_ID, h.id)
            item.setToolTip(h.note or quote)
            if h.orphaned:
                item.setForeground(self.palette().placeholderText())
            self.addItem(item)

    def select_highlight(self, highlight_id: int) -> None:
        """Make a highlight the current row."""
        for row in range(self.count()):
            if self.item(row).data(_ID) == highlight_id:
                self.setCurrentRow(row)
                self.scrollToItem(self.item(row))
                return

    def selected_ids(self) -> list[int]:
        """The ids of every selected highlight, in list order."""
        rows = sorted(self.row(item) for item in self.selectedItems())
        ids = [self.item(r).data(_ID) for r in rows]
        return [int(i) for i in ids if i is not None]

    def current_id(self) -> int | None:
        """The id of the selected highlight."""
        item = self.currentItem()
        value = item.data(_ID) if item is not None else None
        return int(value) if value is not None else None

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Delete removes the selected highlight."""
        current = self.current_id()
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and current is not None:
            self.delete_requested.emit(current)
            return
        super().keyPressEvent(event)

    def _jump(self, item: QListWidgetItem) -> None:
        value = item.data(_ID)
        if value is not None:
            self.jump_requested.emit(int(value))

    def _menu(self, pos: QPoint) -> None:
        item = self.itemAt(pos)
        value = item.data(_ID) if item is not None else None
        if value is None:
            return
        hid = int(value)
        menu = QMenu(self)
        menu.addAction(self.tr("Go to Highlight"), lambda: self.jump_requested.emit(hid))
        menu.addAction(self.tr("Edit Note…"), lambda: self.note_requested.emit(hid))
        colors = menu.addMenu(self.tr("Colour"))
        for name in HIGHLIGHT_COLORS:
            colors.addAction(
                swatch(name),
                self.tr(name.capitalize()),
                lambda n=name: self.color_requested.emit(hid, n),
            )
        menu.addSeparator()
        menu.addAction(self.tr("Delete Highlight"), lambda: self.delete_requested.emit(hid))
        menu.exec(self.viewport().mapToGlobal(pos))
