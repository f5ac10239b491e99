"""Annotations as a Qt table model, with a filter proxy: fast enough for tens of thousands."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor

from reader_app.core.emotions import PLUTCHIK_COLORS
from reader_app.ui.themes import highlight_color

if TYPE_CHECKING:
    from collections.abc import Sequence

    from PySide6.QtCore import QObject

    from reader_app.core.annotations import Annotation

_Index = QModelIndex | QPersistentModelIndex
ANNOTATION_ROLE = Qt.ItemDataRole.UserRole + 1
POSITION_ROLE = Qt.ItemDataRole.UserRole + 2

COLUMNS = ("Passage", "Tone", "Emotion", "Note", "Book", "Section", "Date")


class AnnotationTableModel(QAbstractTableModel):
    """One row per annotation; the Annotation itself is under ANNOTATION_ROLE."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Annotation] = []

    def set_annotations(self, rows: Sequence[Annotation]) -> None:
        """Replace every row."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def annotation(self, row: int) -> Annotation:
        """The annotation of a row."""
        return self._rows[row]

    def replace(self, updated: Annotation) -> None:
        """Show a changed annotation (a new note) in place."""
        for row, current in enumerate(self._rows):
            if current.highlight_id == updated.highlight_id:
                self._rows[row] = updated
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
                return

    def remove(self, highlight_id: int) -> None:
        """Take a deleted annotation out."""
        for row, current in enumerate(self._rows):
            if current.highlight_id == highlight_id:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._rows[row]
                self.endRemoveRows()
                return

    def rowCount(self, parent: _Index | None = None) -> int:
        """One row per annotation."""
        return 0 if parent is not None and parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index | None = None) -> int:
        """The fixed columns."""
        return 0 if parent is not None and parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        """Column titles."""
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(COLUMNS[section]) if 0 <= section < len(COLUMNS) else None
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """Plain text (never HTML) for every cell; colours as decorations."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        item = self._rows[index.row()]
        column = index.column()
        if role == ANNOTATION_ROLE:
            return item
        if role == POSITION_ROLE:
            return (
                item.book_title.casefold(),
                item.book_id,
                item.orphaned,
                item.chapter,
                item.start,
            )
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._text(item, column, tooltip=role == Qt.ItemDataRole.ToolTipRole)
        if role == Qt.ItemDataRole.DecorationRole:
            if column == 0:
                return highlight_color(item.color, dark=False)
            if column == 2 and item.dominant_emotion:
                return QColor(PLUTCHIK_COLORS.get(item.dominant_emotion, "#888888"))
        return None

    def _text(self, item: Annotation, column: int, *, tooltip: bool) -> str:
        if column == 0:
            quote = " ".join(item.quote.split())
            if item.orphaned:
                quote += "  " + self.tr("(not found in the book)")
            return quote if tooltip else quote[:200]
        if column == 1:
            return item.tone
        if column == 2:
            emotions = item.tone_result.emotions
            return ", ".join(f"{e.name} {round(e.intensity * 100)}%" for e in emotions)
        if column == 3:
            return " ".join(item.note.split())
        if column == 4:
            return item.book_title
        if column == 5:
            return item.section
        return item.created_at[:16].replace("T", " ")


@dataclass
class AnnotationFilter:
    """What the browser shows; empty fields let everything through."""

    text: str = ""  # in the passage, tone, note or explanation
    emotion: str = ""
    polarity: str = ""
    color: str = ""
    analysed: bool | None = None
    orphaned: bool | None = None
    speakers: frozenset[str] = frozenset()  # one character's names, as the analyses give them


class AnnotationFilterProxy(QSortFilterProxyModel):
    """Filters by the fields of the Annotation objects (no string parsing per row)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.criteria = AnnotationFilter()
        self.setSortRole(POSITION_ROLE)

    def set_criteria(self, criteria: AnnotationFilter) -> None:
        """Apply new criteria."""
        self.criteria = criteria
        self.beginFilterChange()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        """The row's annotation against the criteria."""
        model = self.sourceModel()
        if not isinstance(model, AnnotationTableModel):
            return True
        item = model.annotation(source_row)
        c = self.criteria
        if c.emotion and item.dominant_emotion != c.emotion:
            return False
        if c.polarity and item.polarity != c.polarity:
            return False
        if c.color and item.color != c.color:
            return False
        if c.analysed is not None and (item.analysis is not None) != c.analysed:
            return False
        if c.orphaned is not None and item.orphaned != c.orphaned:
            return False
        if c.speakers and " ".join(item.tone_result.speaker.split()) not in c.speakers:
            return False
        if c.text:
            needle = c.text.casefold()
            explanation = item.tone_result.explanation
            haystack = f"{item.quote}\n{item.tone}\n{item.note}\n{explanation}".casefold()
            if needle not in haystack:
                return False
        return True

    def lessThan(self, left: _Index, right: _Index) -> bool:
        """By reading position, or by the column's text (dates sort as ISO text)."""
        role = self.sortRole()
        a = left.data(role)
        b = right.data(role)
        if role == POSITION_ROLE and a is not None and b is not None:
            return bool(a < b)
        return str(a or "") < str(b or "")
