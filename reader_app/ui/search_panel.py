"""Full-text search across the whole book, with a list of results.

The results list may hold thousands of rows, so every row has the same height (the
chapter on one small line, the snippet on two), worked out once from the font (see
``fixed_rows``); only the rows on screen are ever laid out, each as one ``QTextLayout``
with the match in bold.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFont, QFontMetricsF, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QLabel,
    QLineEdit,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from reader_app.ui.fixed_rows import FixedRowList
from reader_app.ui.row_text import ELLIPSIS, LayoutCache, RowText, small_font

if TYPE_CHECKING:
    from collections.abc import Sequence

    from reader_app.core.search import SearchHit

HIT_ROLE = Qt.ItemDataRole.UserRole + 1
TITLE_ROLE = Qt.ItemDataRole.UserRole + 2
_Index = QModelIndex | QPersistentModelIndex
_PAD = 4  # pixels around a row's text
_SNIPPET_LINES = 2
# When the match would fall past the snippet's last line, the snippet is cut to begin
# this many characters before it, so the bold match is always on screen.
_LEAD_IN = 24


class SearchResultsModel(QAbstractListModel):
    """Search hits as rows: the chapter, then the snippet with the match in bold."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._hits: list[SearchHit] = []
        self._titles: list[str] = []

    def set_hits(self, hits: Sequence[SearchHit], chapter_titles: Sequence[str]) -> None:
        """Replace all rows in one reset."""
        self.beginResetModel()
        self._hits = list(hits)
        self._titles = list(chapter_titles)
        self.endResetModel()

    def hit(self, row: int) -> SearchHit:
        """The hit shown in a row."""
        return self._hits[row]

    def rowCount(self, parent: _Index | None = None) -> int:
        """One row per hit."""
        return 0 if parent is not None and parent.isValid() else len(self._hits)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """Plain text for display and accessibility; the hit and its chapter for painting."""
        if not index.isValid() or not 0 <= index.row() < len(self._hits):
            return None
        hit = self._hits[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return f"{self._title(hit)}: {hit.snippet}"
        if role in (Qt.ItemDataRole.ToolTipRole, TITLE_ROLE):
            return self._title(hit)
        if role == HIT_ROLE:
            return hit
        return None

    def _title(self, hit: SearchHit) -> str:
        return self._titles[hit.chapter] if 0 <= hit.chapter < len(self._titles) else ""


def snippet_text(hit: SearchHit, cut: int = 0) -> tuple[str, tuple[int, int]]:
    """A hit's snippet as shown, from character ``cut`` on, and where the match is in it."""
    lead = ELLIPSIS if hit.snippet_start or cut else ""
    body = hit.snippet[cut:]
    start = len(lead) + hit.snippet_start - cut
    return f"{lead}{body}{ELLIPSIS}", (start, start + hit.snippet_end - hit.snippet_start)


class HitDelegate(QStyledItemDelegate):
    """Draws a row: the chapter in small type, then two lines of snippet, the match bold.

    Every row is the same size, computed once per font; a row's layout is built when it
    is first painted and kept for repaints and scrolling back.
    """

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._sizes: dict[str, QSize] = {}
        self.layouts: LayoutCache[tuple[RowText, RowText]] = LayoutCache()

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        """The one row size, from font metrics alone."""
        key = option.font.key()
        size = self._sizes.get(key)
        if size is None:
            title = QFontMetricsF(small_font(option.font)).lineSpacing()
            text = QFontMetricsF(option.font).lineSpacing()
            height = 2 * _PAD + title + _SNIPPET_LINES * text
            size = self._sizes[key] = QSize(120, int(height + 0.999))
        return size

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        """Paint the background as usual, then the chapter and snippet."""
        hit = index.data(HIT_ROLE)
        if hit is None:
            return
        self.initStyleOption(option, index)
        option.text = ""
        widget = option.widget
        style = widget.style() if widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, widget)
        width = option.rect.width() - 2 * _PAD
        title, snippet = self._row(
            index.row(), hit, str(index.data(TITLE_ROLE)), option.font, width
        )
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.save()
        painter.setClipRect(option.rect)
        painter.setPen(option.palette.color(role))
        origin = QPointF(option.rect.left() + _PAD, option.rect.top() + _PAD)
        title.draw(painter, origin)
        snippet.draw(painter, origin + QPointF(0, title.height))
        painter.restore()

    def _row(
        self, row: int, hit: SearchHit, title: str, font: QFont, width: int
    ) -> tuple[RowText, RowText]:
        key = (row, width, font.key())
        found = self.layouts.get(key)
        if found is not None:
            return found
        heading = RowText(title, small_font(font), width, 1)
        text, bold = snippet_text(hit)
        snippet = RowText(text, font, width, _SNIPPET_LINES, bold)
        if snippet.shown < bold[1] and hit.snippet_start > _LEAD_IN:
            # A narrow list: start the snippet closer to the match, at a word if one is near.
            cut = hit.snippet_start - _LEAD_IN
            space = hit.snippet.find(" ", cut, hit.snippet_start)
            cut = space + 1 if space >= 0 else cut
            text, bold = snippet_text(hit, cut)
            snippet = RowText(text, font, width, _SNIPPET_LINES, bold)
        self.layouts.put(key, (heading, snippet))
        return heading, snippet


class SearchPanel(QWidget):
    """A search box with results; searching starts as the user types.

    Signals:
        search_requested(str, bool): the query and whether case must match.
        hit_activated(object): the SearchHit chosen.
    """

    search_requested = Signal(str, bool)
    hit_activated = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("searchPanel")
        self.query = QLineEdit(self)
        self.query.setPlaceholderText(self.tr("Search the whole book"))
        self.query.setAccessibleName(self.tr("Search text"))
        self.query.setClearButtonEnabled(True)
        self.match_case = QCheckBox(self.tr("Match case"), self)
        self.status = QLabel(self)
        self.status.setObjectName("searchStatus")
        self.results = FixedRowList(self)
        self.results.setAccessibleName(self.tr("Search results"))
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.model = SearchResultsModel(self)
        self.results.setModel(self.model)
        self.delegate = HitDelegate(self.results)
        self.results.setItemDelegate(self.delegate)
        self.model.modelReset.connect(self.delegate.layouts.clear)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.query)
        layout.addWidget(self.match_case)
        layout.addWidget(self.status)
        layout.addWidget(self.results, 1)
        self._debounce = QTimer(self, singleShot=True, interval=300)
        self._debounce.timeout.connect(self._request)
        self.query.textEdited.connect(lambda _t: self._debounce.start())
        self.query.returnPressed.connect(self._request)
        self.match_case.toggled.connect(lambda _c: self._request())
        self.results.activated.connect(self._on_activated)
        self.results.clicked.connect(self._on_activated)
        self._current = -1

    def focus_query(self) -> None:
        """Put the cursor in the search box with its text selected."""
        self.query.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.query.selectAll()

    def _request(self) -> None:
        self._debounce.stop()
        text = self.query.text()
        # The last query's rows go at once: painted while the search runs on a worker
        # (a raised dock, a resize), they competed with it for Python's lock, and they no
        # longer answer what the box asks.
        self.clear()
        if len(text.strip()) < 2:
            if text.strip():
                self.status.setText(self.tr("Type at least two letters."))
            return
        self.status.setText(self.tr("Searching…"))
        self.search_requested.emit(text, self.match_case.isChecked())

    def show_results(
        self, query: str, hits: Sequence[SearchHit], total: int, chapter_titles: Sequence[str]
    ) -> None:
        """Show the answer to a query, unless the box has changed since."""
        if query != self.query.text():
            return
        self.model.set_hits(hits, chapter_titles)
        self._current = -1
        if total == 0:
            self.status.setText(self.tr("No matches."))
        else:
            chapters = len({h.chapter for h in hits})
            matches = (
                self.tr("1 match") if total == 1 else self.tr("{n} matches").format(n=f"{total:,}")
            )
            where = (
                self.tr("in 1 chapter")
                if chapters == 1
                else self.tr("in {n} chapters").format(n=chapters)
            )
            text = f"{matches} {where}"
            if total > len(hits):
                text += " · " + self.tr("first {n} shown").format(n=f"{len(hits):,}")
            self.status.setText(text)

    def clear(self) -> None:
        """No results and no status: a new book is open (the query stays in the box)."""
        self.model.set_hits([], [])
        self.status.setText("")
        self._current = -1

    def step(self, delta: int) -> None:
        """Go to the next (+1) or previous (−1) result."""
        rows = self.model.rowCount()
        if rows == 0:
            return
        self._current = (self._current + delta) % rows
        index = self.model.index(self._current)
        self.results.setCurrentIndex(index)
        self.hit_activated.emit(self.model.hit(self._current))

    def _on_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self._current = index.row()
            self.hit_activated.emit(self.model.hit(index.row()))
