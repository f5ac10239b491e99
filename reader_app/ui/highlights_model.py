"""The open book's highlights as a list model, for a view of any length.

Filling it is one reset over a Python list: no Qt object is made per highlight. What a row
shows (the quote cut short, its place in the book) is worked out when the row is first
asked for, which for a long list means only for the rows on screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QIcon, QPixmap

from reader_app.ui.themes import highlight_color

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from reader_app.core.records import Highlight

ID_ROLE = Qt.ItemDataRole.UserRole
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
COLOR_ROLE = Qt.ItemDataRole.UserRole + 2
_Index = QModelIndex | QPersistentModelIndex
_QUOTE_MAX = 160
QUOTE_MARKS = "\"“”„‘’‚«»‹›「『'"
_NOTE_MAX = 200

_swatches: dict[str, QIcon] = {}


def swatch(color: str) -> QIcon:
    """A small square of a highlight colour (one icon per colour, made once)."""
    icon = _swatches.get(color)
    if icon is None:
        pixmap = QPixmap(14, 14)
        pixmap.fill(highlight_color(color, dark=False))
        icon = _swatches[color] = QIcon(pixmap)
    return icon


@dataclass(frozen=True, slots=True)
class PanelRow:
    """What one row of the list says.

    Attributes:
        highlight_id: the highlight's id.
        quote: the passage on one line, cut to 160 characters.
        note: the note on one line, cut to 200 characters, or empty.
        place: the section it is in, or that it was not found in this edition.
        orphaned: True when the passage is no longer found in the book.
    """

    highlight_id: int
    quote: str
    note: str
    place: str
    orphaned: bool

    @property
    def shown_quote(self) -> str:
        """The quote as the list shows it: a spoken line brings its own quotation marks."""
        return self.quote if self.quote[:1] in QUOTE_MARKS else f"“{self.quote}”"

    def text(self) -> str:
        """The row as plain text: the quote, the note if any, then the place."""
        lines = [self.shown_quote, self.place]
        if self.note:
            lines.insert(1, "✎ " + self.note)
        return "\n".join(lines)


class HighlightsModel(QAbstractListModel):
    """One row per highlight, in the order given (reading order, orphans last)."""

    def __init__(self, orphan_place: str, parent: QAbstractListModel | None = None) -> None:
        """Make an empty list.

        Args:
            orphan_place: the place shown for a highlight not found in this edition.
            parent: the Qt parent.
        """
        super().__init__(parent)
        self._orphan_place = orphan_place
        self._items: list[Highlight] = []
        self._rows: list[PanelRow | None] = []
        self._by_id: dict[int, int] = {}
        self._where: Callable[[Highlight], str] = lambda _h: ""

    def set_highlights(self, items: Sequence[Highlight], where: Callable[[Highlight], str]) -> None:
        """Replace every row in one reset; ``where`` names the place of each."""
        self.beginResetModel()
        self._items = list(items)
        self._rows = [None] * len(self._items)
        self._by_id = {h.id: row for row, h in enumerate(self._items)}
        self._where = where
        self.endResetModel()

    def row_of(self, highlight_id: int) -> int | None:
        """The row of a highlight, if it is listed."""
        return self._by_id.get(highlight_id)

    def row(self, row: int) -> PanelRow:
        """What a row says (worked out once, on first use)."""
        made = self._rows[row]
        if made is None:
            h = self._items[row]
            quote = " ".join(h.quote.split())
            if len(quote) > _QUOTE_MAX:
                quote = quote[: _QUOTE_MAX - 3] + "…"
            note = " ".join(h.note.split())[:_NOTE_MAX] if h.note else ""
            place = self._orphan_place if h.orphaned else self._where(h)
            made = self._rows[row] = PanelRow(h.id, quote, note, place, h.orphaned)
        return made

    def rowCount(self, parent: _Index | None = None) -> int:
        """One row per highlight."""
        return 0 if parent is not None and parent.isValid() else len(self._items)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """The row's text, id, colour swatch and tooltip."""
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        if role == ID_ROLE:
            return self._items[index.row()].id
        if role == COLOR_ROLE:
            return self._items[index.row()].color
        if role == Qt.ItemDataRole.DecorationRole:
            return swatch(self._items[index.row()].color)
        row = self.row(index.row())
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return row.text()
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._items[index.row()].note or row.quote
        if role == ROW_ROLE:
            return row
        return None
