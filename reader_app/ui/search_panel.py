"""Full-text search across the whole book, with a list of results."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QRectF,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import (
    QCheckBox,
    QLabel,
    QLineEdit,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from reader_app.core.search import SearchHit

HTML_ROLE = Qt.ItemDataRole.UserRole + 1
_Index = QModelIndex | QPersistentModelIndex


class SearchResultsModel(QAbstractListModel):
    """Search hits as rows: the chapter, then the snippet with the match in bold."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._hits: list[SearchHit] = []
        self._titles: list[str] = []

    def set_hits(self, hits: Sequence[SearchHit], chapter_titles: Sequence[str]) -> None:
        """Replace all rows."""
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
        """Plain text for display and accessibility; HTML for the delegate."""
        if not index.isValid() or not 0 <= index.row() < len(self._hits):
            return None
        hit = self._hits[index.row()]
        title = self._titles[hit.chapter] if hit.chapter < len(self._titles) else ""
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return f"{title}: {hit.snippet}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return title
        if role == HTML_ROLE:
            before = html.escape(hit.snippet[: hit.snippet_start])
            match = html.escape(hit.snippet[hit.snippet_start : hit.snippet_end])
            after = html.escape(hit.snippet[hit.snippet_end :])
            return (
                f"<small>{html.escape(title)}</small><br>"
                f"{'…' if hit.snippet_start else ''}{before}<b>{match}</b>{after}…"
            )
        return None


class _HitDelegate(QStyledItemDelegate):
    """Draws a row's HTML (chapter, snippet, bold match)."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        """Paint the background as usual, then the rich text."""
        self.initStyleOption(option, index)
        style = option.widget.style() if option.widget else None
        text_html = str(index.data(HTML_ROLE) or "")
        option.text = ""
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        doc = self._document(text_html, option)
        painter.save()
        painter.translate(option.rect.topLeft())
        doc.drawContents(painter, QRectF(0, 0, option.rect.width(), option.rect.height()))
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        """Two or three lines of text."""
        doc = self._document(str(index.data(HTML_ROLE) or ""), option)
        return QSize(int(doc.idealWidth()), int(doc.size().height()) + 4)

    def _document(self, text_html: str, option: QStyleOptionViewItem) -> QTextDocument:
        doc = QTextDocument()
        doc.setDefaultFont(option.font)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        color = option.palette.color(role).name()
        doc.setDefaultStyleSheet(f"body {{ color: {color}; }}")
        doc.setHtml(f"<body>{text_html}</body>")
        doc.setTextWidth(max(50, option.rect.width() if option.rect.width() > 0 else 260))
        doc.setDocumentMargin(4)
        return doc


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
        self.results = QListView(self)
        self.results.setAccessibleName(self.tr("Search results"))
        self.results.setUniformItemSizes(False)
        self.results.setWordWrap(True)
        self.model = SearchResultsModel(self)
        self.results.setModel(self.model)
        self.results.setItemDelegate(_HitDelegate(self.results))
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
        if len(text.strip()) < 2:
            self.model.set_hits([], [])
            self.status.setText("" if not text.strip() else self.tr("Type at least two letters."))
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
