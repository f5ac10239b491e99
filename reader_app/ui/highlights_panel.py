"""The list of the open book's highlights, including those that lost their place.

A book can carry tens of thousands of highlights, so the list is a view over a model (no
widget item per highlight) whose rows all have one fixed height (see ``fixed_rows``): the
quote on up to two lines, or one line and the note, then its place in small type.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QPointF,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont, QFontMetricsF, QIcon, QKeyEvent, QPainter, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QMenu,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from reader_app.ui.fixed_rows import FixedRowList
from reader_app.ui.highlights_model import (
    COLOR_ROLE,
    ID_ROLE,
    ROW_ROLE,
    HighlightsModel,
    PanelRow,
    swatch,
)
from reader_app.ui.row_text import LayoutCache, RowText, small_font
from reader_app.ui.themes import HIGHLIGHT_COLORS, highlight_color

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from reader_app.core.records import Highlight

__all__ = ["HighlightsPanel", "PanelRow", "swatch"]

_Index = QModelIndex | QPersistentModelIndex
_PAD = 4
_GAP = 2  # above and below each row
_SWATCH = 12


class _HighlightDelegate(QStyledItemDelegate):
    """Draws a row: a colour swatch, the quote (and note), then the place."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._sizes: dict[str, QSize] = {}
        self.layouts: LayoutCache[tuple[RowText, RowText | None, RowText]] = LayoutCache()

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        """The one row size, from font metrics alone."""
        key = option.font.key()
        size = self._sizes.get(key)
        if size is None:
            text = QFontMetricsF(option.font).lineSpacing()
            place = QFontMetricsF(small_font(option.font)).lineSpacing()
            height = 2 * _GAP + 2 * _PAD + 2 * text + place
            size = self._sizes[key] = QSize(120, int(height + 0.999))
        return size

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        """Paint the background as the style does, then the swatch and the text."""
        row = index.data(ROW_ROLE)
        if not isinstance(row, PanelRow):
            return
        self.initStyleOption(option, index)
        option.rect = option.rect.adjusted(0, _GAP, 0, -_GAP)  # rows apart, as in a list
        # The swatch is drawn below; the style would otherwise paint the icon into an
        # empty rectangle (and warn about it).
        option.text = ""
        option.icon = QIcon()
        option.features &= ~QStyleOptionViewItem.ViewItemFeature.HasDecoration
        widget = option.widget
        style = widget.style() if widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, widget)
        rect = option.rect
        left = rect.left() + _PAD + _SWATCH + 6
        width = rect.right() - _PAD - left
        quote, note, place = self._row(index.row(), row, option.font, width)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            role = QPalette.ColorRole.HighlightedText
        elif row.orphaned:
            role = QPalette.ColorRole.PlaceholderText
        else:
            role = QPalette.ColorRole.Text
        painter.save()
        painter.setClipRect(rect)
        color = highlight_color(str(index.data(COLOR_ROLE)), dark=False)
        painter.fillRect(QRect(rect.left() + _PAD, rect.top() + _PAD + 3, _SWATCH, _SWATCH), color)
        painter.setPen(option.palette.color(role))
        origin = QPointF(left, rect.top() + _PAD)
        quote.draw(painter, origin)
        origin.setY(origin.y() + quote.height)
        if note is not None:
            note.draw(painter, origin)
            origin.setY(origin.y() + note.height)
        place.draw(painter, QPointF(left, rect.bottom() - _PAD - place.height))
        painter.restore()

    def _row(
        self, row: int, content: PanelRow, font: QFont, width: int
    ) -> tuple[RowText, RowText | None, RowText]:
        key = (row, width, font.key())
        found = self.layouts.get(key)
        if found is not None:
            return found
        quote = RowText(content.shown_quote, font, width, 1 if content.note else 2)
        note = RowText("✎ " + content.note, font, width, 1) if content.note else None
        place = RowText(content.place, small_font(font), width, 1)
        made = (quote, note, place)
        self.layouts.put(key, made)
        return made


class HighlightsPanel(FixedRowList):
    """Highlights in reading order; orphans (text not found) are listed last, marked.

    Signals:
        jump_requested(int): go to the highlight with this id.
        delete_requested(int): delete it.
        note_requested(int): edit its note.
        color_requested(int, str): recolour it.
        menu_opening(object, int): its right-click menu (a QMenu) is about to open for the
            highlight with this id; a connected slot may add entries (the tone commands).
        currentItemChanged(object, object): the current row changed (the new and the old
            PanelRow, or None), as a QListWidget says it.
    """

    jump_requested = Signal(int)
    delete_requested = Signal(int)
    note_requested = Signal(int)
    color_requested = Signal(int, str)
    menu_opening = Signal(object, int)
    currentItemChanged = Signal(object, object)  # the QListWidget name callers use

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("highlightsPanel")
        self.setAccessibleName(self.tr("Highlights"))
        self.setAlternatingRowColors(False)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.model_ = HighlightsModel(self.tr("Not found in this edition"))
        self.model_.setParent(self)
        self.setModel(self.model_)
        self.delegate = _HighlightDelegate(self)
        self.setItemDelegate(self.delegate)
        self.model_.modelReset.connect(self.delegate.layouts.clear)
        self.selectionModel().currentChanged.connect(self._on_current_changed)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._menu)
        self.activated.connect(self._jump)
        self.doubleClicked.connect(self._jump)
        # Shown over the empty list; a label, so screen readers find it too.
        self.empty_hint = QLabel(self.tr("No highlights yet. Select text and press H."))
        self.empty_hint.setParent(self.viewport())
        self.empty_hint.setWordWrap(True)
        self.empty_hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.model_.modelReset.connect(self._update_hint)
        self._fit_hint()

    def set_highlights(self, items: Sequence[Highlight], where: Callable[[Highlight], str]) -> None:
        """Show a book's highlights; ``where`` names the place of each (its section)."""
        self.model_.set_highlights(items, where)

    # -- reading the list, as QListWidget callers do ---------------------------------------

    def count(self) -> int:
        """How many highlights are listed."""
        return self.model_.rowCount()

    def item(self, row: int) -> PanelRow:
        """What a row shows."""
        return self.model_.row(row)

    def setCurrentRow(self, row: int) -> None:  # the QListWidget name callers use
        """Make a row the current one, and the only one selected."""
        self.setCurrentIndex(self.model_.index(row))

    def select_highlight(self, highlight_id: int) -> None:
        """Make a highlight the current row."""
        row = self.model_.row_of(highlight_id)
        if row is not None:
            index = self.model_.index(row)
            self.setCurrentIndex(index)
            self.scrollTo(index)

    def selected_ids(self) -> list[int]:
        """The ids of every selected highlight, in list order."""
        rows = sorted(index.row() for index in self.selectionModel().selectedRows())
        return [int(self.model_.index(r).data(ID_ROLE)) for r in rows]

    def current_id(self) -> int | None:
        """The id of the selected highlight."""
        index = self.currentIndex()
        value = index.data(ID_ROLE) if index.isValid() else None
        return int(value) if value is not None else None

    # -- events -----------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Delete removes the selected highlight."""
        current = self.current_id()
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and current is not None:
            self.delete_requested.emit(current)
            return
        super().keyPressEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Keep the empty-list hint as wide as the list."""
        super().resizeEvent(event)
        self._fit_hint()

    def _fit_hint(self) -> None:
        area = self.viewport().rect().adjusted(8, 8, -8, -8)
        self.empty_hint.setGeometry(
            area.left(), area.top(), area.width(), self.empty_hint.heightForWidth(area.width())
        )

    def _update_hint(self) -> None:
        self.empty_hint.setVisible(self.model_.rowCount() == 0)

    def _on_current_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        def row(index: QModelIndex) -> PanelRow | None:
            return self.model_.row(index.row()) if index.isValid() else None

        self.currentItemChanged.emit(row(current), row(previous))

    def _jump(self, index: QModelIndex) -> None:
        value = index.data(ID_ROLE) if index.isValid() else None
        if value is not None:
            self.jump_requested.emit(int(value))

    def _menu(self, pos: QPoint) -> None:
        index = self.indexAt(pos)
        value = index.data(ID_ROLE) if index.isValid() else None
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
        self.menu_opening.emit(menu, hid)
        menu.addSeparator()
        menu.addAction(self.tr("Delete Highlight"), lambda: self.delete_requested.emit(hid))
        menu.exec(self.viewport().mapToGlobal(pos))
