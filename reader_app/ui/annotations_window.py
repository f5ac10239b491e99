"""The annotations browser: every highlight of a book or the library, filtered and charted."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from reader_app.core.characters import characters_of
from reader_app.core.emotions import EMOTIONS
from reader_app.core.errors import StorageError
from reader_app.ui.annotations_model import (
    ANNOTATION_ROLE,
    POSITION_ROLE,
    AnnotationFilter,
    AnnotationFilterProxy,
    AnnotationTableModel,
)
from reader_app.ui.arc_chart import ArcChart, arc_points
from reader_app.ui.screen_fit import fit_on_show
from reader_app.ui.themes import HIGHLIGHT_COLORS

if TYPE_CHECKING:
    from collections.abc import Callable

    from reader_app.core.annotations import Annotation
    from reader_app.core.book import Book
    from reader_app.core.records import Highlight
    from reader_app.ui.ports import AnnotationSource, HighlightEdits


class AnnotationsWindow(QDialog):
    """Browse, filter, edit, delete (with undo) and chart annotations.

    Signals:
        jump_requested(str, int): book id and highlight id to show in the reader.
        changed(str): annotations of this book id changed (a note, a deletion, an undo).
    """

    jump_requested = Signal(str, int)
    changed = Signal(str)

    def __init__(
        self,
        query: AnnotationSource,
        highlights: HighlightEdits,
        book: Callable[[], Book | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Annotations"))
        self.resize(1000, 640)
        fit_on_show(self)
        self._query = query
        self._highlights = highlights
        self._book = book
        self._deleted: list[Highlight] = []
        self.ask_note: Callable[[str], str | None] = self._ask_note
        self.scope = QComboBox(self)
        self.scope.addItem(self.tr("This book"), "book")
        self.scope.addItem(self.tr("All books"), "all")
        self.scope.setAccessibleName(self.tr("Which books"))
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.tr("Passage, tone, note or explanation"))
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName(self.tr("Search annotations"))
        self.emotion = self._combo(self.tr("Any emotion"), [(e.capitalize(), e) for e in EMOTIONS])
        self.emotion.setAccessibleName(self.tr("Emotion filter"))
        self.polarity = self._combo(self.tr("Any polarity"), [
            (self.tr("Negative"), "negative"), (self.tr("Neutral"), "neutral"),
            (self.tr("Positive"), "positive"), (self.tr("Mixed"), "mixed")])  # fmt: skip
        self.polarity.setAccessibleName(self.tr("Polarity filter"))
        colours = [(n.capitalize(), n) for n in HIGHLIGHT_COLORS] + [
            (e.capitalize(), e) for e in EMOTIONS
        ]
        self.color = self._combo(self.tr("Any colour"), colours)
        self.color.setAccessibleName(self.tr("Colour filter"))
        self.speaker = self._combo(self.tr("Any speaker"), [])
        self.speaker.setAccessibleName(self.tr("Speaker filter"))
        self.speaker.setToolTip(
            self.tr("Who speaks the passage, as the Characters view names them")
        )
        self._speaker_names: dict[str, frozenset[str]] = {}
        self.state = self._combo(self.tr("Analysed or not"), [
            (self.tr("Analysed"), "analysed"), (self.tr("Not analysed"), "unanalysed"),
            (self.tr("Not found in the book"), "orphaned")])  # fmt: skip
        self.state.setAccessibleName(self.tr("Analysis filter"))
        self.order = self._combo(None, [(self.tr("By position"), "position"),
                                        (self.tr("Newest first"), "date")])  # fmt: skip
        self.order.setAccessibleName(self.tr("Sort order"))
        self.model = AnnotationTableModel(self)
        self.proxy = AnnotationFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.setAccessibleName(self.tr("Annotations"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.horizontalHeader().setResizeContentsPrecision(200)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.count = QLabel(self)
        self.undo_button = QPushButton(self.tr("Undo Delete"), self)
        self.undo_button.setEnabled(False)
        self.chart = ArcChart(self)
        self.tabs = QTabWidget(self)
        list_page = QWidget(self)
        list_layout = QVBoxLayout(list_page)
        list_layout.addWidget(self.table, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count, 1)
        bottom.addWidget(self.undo_button)
        list_layout.addLayout(bottom)
        self.tabs.addTab(list_page, self.tr("List"))
        self.tabs.addTab(self.chart, self.tr("Emotional Arc"))
        filters = QHBoxLayout()
        for widget in (self.scope, self.search, self.emotion, self.polarity, self.color,
                       self.speaker, self.state, self.order):  # fmt: skip
            filters.addWidget(widget, 3 if widget is self.search else 0)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.tabs, 1)
        self._connect()
        self.reload()

    def _combo(self, everything: str | None, items: list[tuple[str, str]]) -> QComboBox:
        box = QComboBox(self)
        if everything is not None:
            box.addItem(everything, "")
        for label, value in items:
            box.addItem(label, value)
        box.currentIndexChanged.connect(lambda _i: self._apply_filter())
        return box

    def _connect(self) -> None:
        self.scope.currentIndexChanged.connect(lambda _i: self.reload())
        self.search.textChanged.connect(lambda _t: self._apply_filter())
        self.table.doubleClicked.connect(self._on_double_click)
        self.table.activated.connect(self._jump)
        self.table.customContextMenuRequested.connect(self._menu)
        self.undo_button.clicked.connect(self.undo)
        self.chart.point_clicked.connect(self._chart_jump)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.table, self.delete_selected)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Undo), self, self.undo)

    # -- content ----------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the annotations again (scope: this book, or all books)."""
        book = self._book()
        try:
            if self.scope.currentData() == "all" or book is None:
                rows = self._query.all()
            else:
                rows = self._query.for_book(book.book_id)
        except StorageError as exc:
            self.count.setText(exc.message)
            return
        self.model.set_annotations(rows)
        self._fill_speakers(rows)
        self.table.setColumnHidden(4, self.scope.currentData() != "all" and book is not None)
        self._apply_filter()
        self._fit_columns()
        self._update_chart(rows, book)

    def _fill_speakers(self, rows: list[Annotation]) -> None:
        # The characters of the rows shown, each with every name the analyses gave them.
        chosen = self.speaker.currentData()
        self.speaker.blockSignals(True)
        while self.speaker.count() > 1:
            self.speaker.removeItem(1)
        self._speaker_names = {}
        for character in characters_of(rows):
            self.speaker.addItem(f"{character.name} ({character.passages})", character.name)
            self._speaker_names[character.name] = frozenset((character.name, *character.aliases))
        self.speaker.setCurrentIndex(max(0, self.speaker.findData(chosen)))
        self.speaker.blockSignals(False)

    def _update_chart(self, rows: list[Annotation], book: Book | None) -> None:
        if book is None:
            self.chart.empty_text = self.tr("Open a book to see its emotional arc.")
            self.chart.set_data([], [])
            return
        lengths = [len(c.text) for c in book.chapters]
        total = sum(lengths) or 1
        starts, seen = [], 0
        for length in lengths:
            starts.append(seen / total)
            seen += length
        own = [a for a in rows if a.book_id == book.book_id]
        self.chart.set_data(arc_points(own, lengths), starts[1:])

    def _fit_columns(self) -> None:
        # Sized from the rows on screen (not all of them: fast with thousands), then capped
        # so the passage keeps most of the width.
        header = self.table.horizontalHeader()
        cap = self.fontMetrics().averageCharWidth() * 28
        for column in range(1, self.model.columnCount()):
            self.table.resizeColumnToContents(column)
            header.resizeSection(column, min(header.sectionSize(column), cap))
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)

    def _apply_filter(self) -> None:
        state = self.state.currentData()
        self.proxy.set_criteria(
            AnnotationFilter(
                text=self.search.text().strip(),
                emotion=str(self.emotion.currentData() or ""),
                polarity=str(self.polarity.currentData() or ""),
                color=str(self.color.currentData() or ""),
                analysed=True if state == "analysed" else False if state == "unanalysed" else None,
                orphaned=True if state == "orphaned" else None,
                speakers=self._speaker_names.get(
                    str(self.speaker.currentData() or ""), frozenset()
                ),
            )
        )
        if self.order.currentData() == "date":
            self.proxy.setSortRole(Qt.ItemDataRole.DisplayRole)
            self.proxy.sort(6, Qt.SortOrder.DescendingOrder)
        else:
            self.proxy.setSortRole(POSITION_ROLE)
            self.proxy.sort(0, Qt.SortOrder.AscendingOrder)
        self.count.setText(
            self.tr("{shown} of {total} annotations").format(
                shown=f"{self.proxy.rowCount():,}", total=f"{self.model.rowCount():,}"
            )
        )

    def selected(self) -> list[Annotation]:
        """The selected annotations."""
        rows = {i.row() for i in self.table.selectionModel().selectedRows()}
        return [self.proxy.index(r, 0).data(ANNOTATION_ROLE) for r in sorted(rows)]

    # -- actions ----------------------------------------------------------------------------

    def _jump(self, index: QModelIndex) -> None:
        item = index.data(ANNOTATION_ROLE)
        if item is not None and not item.orphaned:
            self.jump_requested.emit(item.book_id, item.highlight_id)

    def _on_double_click(self, index: QModelIndex) -> None:
        if index.column() == 3:
            self.edit_note(index.data(ANNOTATION_ROLE))
        else:
            self._jump(index)

    def _chart_jump(self, highlight_id: int) -> None:
        book = self._book()
        if book is not None:
            self.jump_requested.emit(book.book_id, highlight_id)

    def _menu(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        item = index.data(ANNOTATION_ROLE) if index.isValid() else None
        if item is None:
            return
        menu = QMenu(self)
        go = menu.addAction(self.tr("Go to Passage"), lambda: self._jump(index))
        go.setEnabled(not item.orphaned)
        menu.addAction(self.tr("Edit Note…"), lambda: self.edit_note(item))
        menu.addSeparator()
        menu.addAction(self.tr("Delete"), self.delete_selected)
        menu.exec(self.table.viewport().mapToGlobal(pos))

    def edit_note(self, item: Annotation) -> None:
        """Change the note of an annotation."""
        text = self.ask_note(item.note)
        if text is None:
            return
        try:
            self._highlights.set_note(item.highlight_id, text.strip())
        except StorageError as exc:
            self.count.setText(exc.message)
            return
        self.reload()
        self.changed.emit(item.book_id)

    def delete_selected(self) -> None:
        """Delete the selected annotations; Undo brings them back."""
        items = self.selected()
        books: set[str] = set()
        for item in items:
            try:
                removed = self._highlights.delete(item.highlight_id)
            except StorageError as exc:
                self.count.setText(exc.message)
                break
            if removed is not None:
                self._deleted.append(removed)
                books.add(item.book_id)
        self.undo_button.setEnabled(bool(self._deleted))
        self.reload()
        for book_id in books:
            self.changed.emit(book_id)

    def undo(self) -> None:
        """Bring back the last deleted annotation."""
        if not self._deleted:
            return
        item = self._deleted.pop()
        try:
            self._highlights.restore(item)
        except StorageError as exc:
            self.count.setText(exc.message)
            return
        self.undo_button.setEnabled(bool(self._deleted))
        self.reload()
        self.changed.emit(item.book_id)

    def _ask_note(self, current: str) -> str | None:
        text, ok = QInputDialog.getMultiLineText(self, self.tr("Note"), self.tr("Note:"), current)
        return text if ok else None
