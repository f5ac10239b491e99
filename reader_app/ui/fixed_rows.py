"""A list of thousands of same-height rows that costs nothing until a row is painted.

A ``QListView`` walks every row of its model whenever it lays itself out (a Python call
per row for a Python model: 55-200 ms for 20,000 rows on a busy machine). A one-column
``QTableView`` whose rows have one fixed height never does: the vertical header knows
every row's place from the height alone, and only the rows on screen are asked for data.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)


class FixedRowList(QTableView):
    """A one-column table that looks and moves like a list, every row one height.

    The height is the item delegate's ``sizeHint`` for the view's font, asked once, and
    again when the font or style changes.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setTabKeyNavigation(False)  # Tab leaves the list, as from any list
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.horizontalHeader().hide()
        self.horizontalHeader().setStretchLastSection(True)
        self.verticalHeader().hide()
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)

    def setItemDelegate(self, delegate: QStyledItemDelegate) -> None:  # type: ignore[override]
        """Use ``delegate`` for every row, and its size for the row height."""
        super().setItemDelegate(delegate)
        self.fit_rows()

    def fit_rows(self) -> None:
        """Set the row height from the delegate, for the current font."""
        delegate = self.itemDelegate()
        option = QStyleOptionViewItem()
        option.initFrom(self)
        option.font = self.font()
        self.verticalHeader().setDefaultSectionSize(
            delegate.sizeHint(option, QModelIndex()).height()
        )

    def changeEvent(self, event: QEvent) -> None:
        """A new font or style changes the row height."""
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self.fit_rows()

    def moveCursor(
        self, cursorAction: QAbstractItemView.CursorAction, modifiers: Qt.KeyboardModifier
    ) -> QModelIndex:
        """Home and End go to the first and last row, as in a list."""
        if cursorAction in (
            QAbstractItemView.CursorAction.MoveHome,
            QAbstractItemView.CursorAction.MoveEnd,
        ):
            modifiers |= Qt.KeyboardModifier.ControlModifier
        return super().moveCursor(cursorAction, modifiers)
