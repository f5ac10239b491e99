"""The Examples manager: the reader's worked examples, their tags and named sets.

Every change goes straight to the library, one transaction per action, and is announced
with ``examples_changed`` so that the tone panel can rebuild its prompt. A delete can be
undone (the example comes back with the same id, so in the same place, and in its sets).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from reader_app.core.errors import ReaderError
from reader_app.core.examples_io import read_examples, write_examples
from reader_app.ui.example_form import (
    ID_ROLE,
    CheckBoxDelegate,
    ExampleFormDialog,
    ExamplesFileChooser,
    ExamplesFilterModel,
    ExamplesTableModel,
    ask_text,
    confirm,
    import_summary,
    plural,
)
from reader_app.ui.screen_fit import fit_on_show

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from pathlib import Path

    from reader_app.core.examples import Example
    from reader_app.core.records import StoredExample
    from reader_app.ui.ports import ExampleLibrary


class ExamplesDialog(QDialog):
    """Add, edit, delete (with undo), tag, group, import and export examples.

    Not modal: it can stay open beside the book. Dialogs that would block (choosing a
    file, naming a set, confirming) go through the ``choose_file``, ``ask_text`` and
    ``confirm`` attributes, which tests replace.

    Signals:
        examples_changed(): an example, a set or the active set changed in the library.
    """

    examples_changed = Signal()

    def __init__(self, repo: ExampleLibrary, book_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._repo = repo
        self._book_id = book_id
        self._undo: list[StoredExample] = []
        self.form: ExampleFormDialog | None = None
        self._files = ExamplesFileChooser(self)
        self.choose_file: Callable[[bool], Path | None] = self._files.choose
        self.ask_text: Callable[[str, str], str | None] = lambda t, q: ask_text(self, t, q)
        self.confirm: Callable[[str], bool] = lambda q: confirm(self, self.tr("Examples"), q)
        self.setWindowTitle(self.tr("Examples"))
        self.setModal(False)
        self.resize(940, 580)
        fit_on_show(self)
        self._build()
        self._connect()
        self.reload()
        self.table.setFocus()

    # -- building --------------------------------------------------------------------------

    def _build(self) -> None:
        self.model = ExamplesTableModel(self)
        self.proxy = ExamplesFilterModel(self)
        self.proxy.setSourceModel(self.model)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.tr("Excerpt, tone, explanation or tag"))
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName(self.tr("Search examples"))
        self.tag_filter = QComboBox(self)
        self.tag_filter.setAccessibleName(self.tr("Show examples with tag"))
        self.tag_filter.setMinimumContentsLength(14)
        self.set_combo = QComboBox(self)
        self.set_combo.setAccessibleName(self.tr("Example set"))
        self.set_combo.setMinimumContentsLength(18)
        self.set_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.new_set_button = QPushButton(self.tr("&New Set…"), self)
        self.delete_set_button = QPushButton(self.tr("Delete Se&t"), self)
        self.use_for_book_button = QPushButton(self.tr("Use for This &Book"), self)
        self.use_for_all_button = QPushButton(self.tr("Use for A&ll Books"), self)
        self.active_label = self._plain_label()
        self.set_hint = self._plain_label(secondary=True)
        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.setAccessibleName(self.tr("Examples"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table, arrows move in it
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        self.table.setItemDelegateForColumn(0, CheckBoxDelegate(self.table))
        # Library order first (the order the prompt uses); a header click sorts, a third
        # click goes back to library order.
        header.setSortIndicatorClearable(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.status = self._plain_label()
        self.count_label = self._plain_label(secondary=True)
        self.add_button = QPushButton(self.tr("&Add…"), self)
        self.edit_button = QPushButton(self.tr("&Edit…"), self)
        self.delete_button = QPushButton(self.tr("&Delete"), self)
        self.undo_button = QPushButton(self.tr("&Undo"), self)
        self.import_button = QPushButton(self.tr("&Import…"), self)
        self.export_button = QPushButton(self.tr("E&xport…"), self)
        self.export_button.setToolTip(self.tr("Export the examples shown in the list"))
        self.close_button = QPushButton(self.tr("Close"), self)
        self.undo_action = QAction(self.tr("Undo Delete"), self)
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.addAction(self.undo_action)
        self.undo_button.setToolTip(
            self.tr("Bring back the last deleted example ({key})").format(
                key=self.undo_action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            )
        )
        self.edit_action = QAction(self.tr("Edit Example"), self.table)
        self.edit_action.setShortcuts(
            [QKeySequence(Qt.Key.Key_Return), QKeySequence(Qt.Key.Key_Enter)]
        )
        self.edit_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.table.addAction(self.edit_action)
        self.delete_action = QAction(self.tr("Delete Example"), self.table)
        self.delete_action.setShortcut(QKeySequence.StandardKey.Delete)
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.table.addAction(self.delete_action)
        self.report_label = self._plain_label()
        self.report_text = QPlainTextEdit(self)
        self.report_text.setReadOnly(True)
        self.report_text.setAccessibleName(self.tr("Import problems"))
        self.report_text.setMaximumHeight(self.fontMetrics().lineSpacing() * 6 + 12)
        self.report_close = QPushButton(self.tr("Hide"), self)
        self.report_close.setAccessibleName(self.tr("Hide import report"))
        for button in self.findChildren(QPushButton):
            # No default button: Return in the table edits the example, and must not
            # also press whichever button a dialog would make the default.
            button.setAutoDefault(False)
        self._lay_out()

    def _plain_label(self, *, secondary: bool = False) -> QLabel:
        label = QLabel(self)
        # Set names, excerpts and file names are the user's text, never markup.
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        if secondary:
            # A palette role, so the grey follows light and dark themes.
            label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        return label

    def _lay_out(self) -> None:
        search_label = QLabel(self.tr("&Search:"), self)
        search_label.setBuddy(self.search)
        tag_label = QLabel(self.tr("Ta&g:"), self)
        tag_label.setBuddy(self.tag_filter)
        top = QHBoxLayout()
        top.addWidget(search_label)
        top.addWidget(self.search, 1)
        top.addSpacing(12)
        top.addWidget(tag_label)
        top.addWidget(self.tag_filter)
        set_label = QLabel(self.tr("Se&t:"), self)
        set_label.setBuddy(self.set_combo)
        sets = QHBoxLayout()
        sets.addWidget(set_label)
        sets.addWidget(self.set_combo)
        sets.addWidget(self.new_set_button)
        sets.addWidget(self.delete_set_button)
        sets.addStretch(1)
        sets.addWidget(self.use_for_book_button)
        sets.addWidget(self.use_for_all_button)
        info = QHBoxLayout()
        info.addWidget(self.active_label, 1)
        info.addWidget(self.count_label, 0, Qt.AlignmentFlag.AlignRight)
        report_head = QHBoxLayout()
        report_head.addWidget(self.report_label, 1)
        report_head.addWidget(self.report_close)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.delete_button, self.undo_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.export_button)
        buttons.addSpacing(12)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(sets)
        layout.addLayout(info)
        layout.addWidget(self.set_hint)
        layout.addWidget(self.table, 1)
        layout.addLayout(report_head)
        layout.addWidget(self.report_text)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self._show_report(False)

    def _connect(self) -> None:
        self.search.textChanged.connect(self._filter_changed)
        self.tag_filter.currentIndexChanged.connect(self._filter_changed)
        self.set_combo.currentIndexChanged.connect(self._set_chosen)
        self.new_set_button.clicked.connect(self.new_set)
        self.delete_set_button.clicked.connect(self.delete_set)
        self.use_for_book_button.clicked.connect(lambda: self.use_set(for_book=True))
        self.use_for_all_button.clicked.connect(lambda: self.use_set(for_book=False))
        self.model.membership_toggled.connect(self._membership_toggled)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        # Not "activated": where one click activates (KDE), every click would open the form.
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        self.edit_action.triggered.connect(self.edit_selected)
        self.add_button.clicked.connect(self.add_example)
        self.edit_button.clicked.connect(self.edit_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.delete_action.triggered.connect(self.delete_selected)
        self.undo_button.clicked.connect(self.undo_delete)
        self.undo_action.triggered.connect(self.undo_delete)
        self.import_button.clicked.connect(self.import_file)
        self.export_button.clicked.connect(self.export_file)
        self.report_close.clicked.connect(lambda: self._show_report(False))
        self.close_button.clicked.connect(self.close)

    # -- showing ---------------------------------------------------------------------------

    def set_book(self, book_id: str) -> None:
        """Follow the book that is open now ("" when none is)."""
        self._book_id = book_id
        self._show_active()

    def reload(self, select: int | None = None) -> None:
        """Read the library again, keeping (or moving to) a selected example.

        Args:
            select: the id to select; by default the one selected now.
        """
        chosen = select if select is not None else self.selected_id()
        stored = self._repo.all()
        self.model.set_rows(stored)
        self._load_sets()
        self._load_tags(stored)
        self._load_members()
        self._show_active()
        self._update_count()
        self._fit_columns()
        if chosen is not None:
            self._select(chosen)
        self._update_buttons()

    def selected_id(self) -> int | None:
        """The id of the selected example, if any."""
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return int(self.proxy.data(rows[0], ID_ROLE))

    def _select(self, example_id: int) -> None:
        row = self.model.row_of(example_id)
        if row is None:
            return
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if index.isValid():
            self.table.selectRow(index.row())
            self.table.scrollTo(index)

    def _load_sets(self) -> None:
        current = self.current_set()
        self.set_combo.blockSignals(True)
        self.set_combo.clear()
        self.set_combo.addItem(self.tr("All examples"), None)
        for example_set in self._repo.sets():
            self.set_combo.addItem(
                self.tr("{name} ({n})").format(name=example_set.name, n=example_set.size),
                example_set.id,
            )
        self.set_combo.setCurrentIndex(max(0, self.set_combo.findData(current)))
        self.set_combo.blockSignals(False)
        self.delete_set_button.setEnabled(self.current_set() is not None)

    def _load_tags(self, stored: Sequence[StoredExample]) -> None:
        current = self.tag_filter.currentData()
        tags = sorted({t for s in stored for t in s.example.tags}, key=str.casefold)
        self.tag_filter.blockSignals(True)
        self.tag_filter.clear()
        self.tag_filter.addItem(self.tr("All tags"), None)
        for tag in tags:
            self.tag_filter.addItem(tag, tag)
        self.tag_filter.setCurrentIndex(max(0, self.tag_filter.findData(current)))
        self.tag_filter.blockSignals(False)
        self.proxy.set_tag(self.tag_filter.currentData())

    def _load_members(self) -> None:
        set_id = self.current_set()
        members = None if set_id is None else {s.id for s in self._repo.members(set_id)}
        chosen = self.selected_id()
        self.model.set_members(members)
        if chosen is not None:
            self._select(chosen)
        self.set_hint.setText(
            self.tr("Tick the examples that belong to {name}.").format(name=self._set_name(set_id))
            if set_id is not None
            else self.tr("Choose a set to pick its examples; without one, analyses use them all.")
        )

    def current_set(self) -> int | None:
        """The set chosen in the Set box; None for all examples."""
        value = self.set_combo.currentData()
        return int(value) if value is not None else None

    def _set_name(self, set_id: int | None) -> str:
        if set_id is None:
            return self.tr("all examples")
        names = {s.id: s.name for s in self._repo.sets()}
        return f"“{names.get(set_id, '?')}”"

    def _show_active(self) -> None:
        library = self._set_name(self._repo.active_set(""))
        if self._book_id:
            book = self._set_name(self._repo.active_set(self._book_id))
            text = self.tr("This book uses {book}; other books use {library}.")
            self.active_label.setText(text.format(book=book, library=library))
        else:
            self.active_label.setText(self.tr("All books use {library}.").format(library=library))
        self.use_for_book_button.setEnabled(bool(self._book_id))

    def _fit_columns(self) -> None:
        # Tone, emotions and tags as wide as they need, up to a limit; the excerpt,
        # which is never short, takes the rest.
        limit = self.fontMetrics().horizontalAdvance("M") * 18
        for column in (1, 2, 3):
            self.table.resizeColumnToContents(column)
            if self.table.columnWidth(column) > limit:
                self.table.setColumnWidth(column, limit)

    def _update_count(self) -> None:
        total, shown = self.model.rowCount(), self.proxy.rowCount()
        if total == 0:
            text = self.tr("No examples yet: add one, or import a file.")
        elif shown == total:
            text = plural(total, self.tr("{n} example"), self.tr("{n} examples"))
        else:
            text = self.tr("{shown} of {total} shown").format(shown=shown, total=total)
        self.count_label.setText(text)

    def _update_buttons(self) -> None:
        selected = self.selected_id() is not None
        self.edit_button.setEnabled(selected)
        self.delete_button.setEnabled(selected)
        self.edit_action.setEnabled(selected)
        self.delete_action.setEnabled(selected)
        self.undo_button.setEnabled(bool(self._undo))
        self.undo_action.setEnabled(bool(self._undo))

    def _filter_changed(self) -> None:
        self.proxy.set_query(self.search.text())
        self.proxy.set_tag(self.tag_filter.currentData())
        self._update_count()
        self._update_buttons()

    def _say(self, text: str) -> None:
        self.status.setText(text)

    def _changed(self, select: int | None = None) -> None:
        self.reload(select)
        self.examples_changed.emit()

    def _quote(self, example: Example) -> str:
        text = " ".join(example.excerpt.split())
        return f"“{text if len(text) <= 60 else text[:59] + '…'}”"

    # -- examples --------------------------------------------------------------------------

    def add_example(self) -> None:
        """Open the form for a new example."""
        self.form = ExampleFormDialog(None, [s.example.tone for s in self.model.examples()], self)
        self.form.example_accepted.connect(self._insert)
        self.form.open()

    def _insert(self, example: Example) -> None:
        try:
            example_id = self._repo.add(example)
        except ReaderError as exc:
            self._say(str(exc))
            return
        self._say(self.tr("Added {quote}.").format(quote=self._quote(example)))
        self._changed(example_id)

    def edit_selected(self) -> None:
        """Open the form on the selected example."""
        example_id = self.selected_id()
        stored = self._repo.get(example_id) if example_id is not None else None
        if stored is None:
            return
        self.form = ExampleFormDialog(
            stored.example, [s.example.tone for s in self.model.examples()], self
        )
        self.form.example_accepted.connect(lambda e: self._replace(stored.id, e))
        self.form.open()

    def _replace(self, example_id: int, example: Example) -> None:
        try:
            self._repo.update(example_id, example)
        except ReaderError as exc:
            self._say(str(exc))
            return
        self._say(self.tr("Saved {quote}.").format(quote=self._quote(example)))
        self._changed(example_id)

    def delete_selected(self) -> None:
        """Delete the selected example; Undo brings it back."""
        example_id = self.selected_id()
        if example_id is None:
            return
        # The next row keeps the focus, so Delete can be pressed again.
        view_row = self.table.selectionModel().selectedRows()[0].row()
        try:
            stored = self._repo.delete(example_id)
        except ReaderError as exc:
            self._say(str(exc))
            return
        if stored is None:
            return
        self._undo.append(stored)
        self._say(self.tr("Deleted {quote}.").format(quote=self._quote(stored.example)))
        self._changed()
        if self.proxy.rowCount():
            self.table.selectRow(min(view_row, self.proxy.rowCount() - 1))

    def undo_delete(self) -> None:
        """Bring back the example deleted last, in its place and its sets."""
        if not self._undo:
            return
        stored = self._undo.pop()
        try:
            self._repo.restore(stored)
        except ReaderError as exc:
            self._undo.append(stored)
            self._say(str(exc))
            return
        self._say(self.tr("Restored {quote}.").format(quote=self._quote(stored.example)))
        self._changed(stored.id)

    # -- sets ------------------------------------------------------------------------------

    def _set_chosen(self) -> None:
        self.delete_set_button.setEnabled(self.current_set() is not None)
        self._load_members()

    def _membership_toggled(self, _example_id: int, _checked: bool) -> None:
        set_id = self.current_set()
        if set_id is None:
            return
        members = sorted(self.model.members())
        try:
            self._repo.set_members(set_id, members)
        except ReaderError as exc:
            self._say(str(exc))
            self._load_members()  # show what the library really holds
            return
        self._load_sets()
        self.examples_changed.emit()

    def new_set(self) -> None:
        """Ask for a name and create an empty set, chosen so its examples can be ticked."""
        name = (self.ask_text(self.tr("New Set"), self.tr("Name of the new set:")) or "").strip()
        if not name:
            return
        existing = {s.name.casefold(): s.id for s in self._repo.sets()}
        set_id = existing.get(name.casefold())
        if set_id is None:
            try:
                set_id = self._repo.create_set(name)
            except ReaderError as exc:
                self._say(str(exc))
                return
            self._say(self.tr("Created the set “{name}”.").format(name=name))
            self.examples_changed.emit()
        else:
            self._say(self.tr("There is already a set called “{name}”.").format(name=name))
        self._load_sets()
        self.set_combo.setCurrentIndex(self.set_combo.findData(set_id))

    def delete_set(self) -> None:
        """Delete the chosen set after asking; its examples stay in the library."""
        set_id = self.current_set()
        if set_id is None:
            return
        name = self._set_name(set_id)
        question = self.tr("Delete the set {name}? Its examples stay in the library.")
        if not self.confirm(question.format(name=name)):
            return
        try:
            self._repo.delete_set(set_id)
        except ReaderError as exc:
            self._say(str(exc))
            return
        self.set_combo.setCurrentIndex(0)
        self._say(self.tr("Deleted the set {name}.").format(name=name))
        self._changed()

    def use_set(self, *, for_book: bool) -> None:
        """Make the chosen set (or all examples) the one analyses use.

        Args:
            for_book: for the open book only; otherwise for every book without its own
                choice.
        """
        if for_book and not self._book_id:
            return
        try:
            self._repo.set_active(self._book_id if for_book else "", self.current_set())
        except ReaderError as exc:
            self._say(str(exc))
            return
        self._show_active()
        self.examples_changed.emit()

    # -- files -----------------------------------------------------------------------------

    def import_file(self) -> None:
        """Add the examples in a JSONL or CSV file, all good rows in one transaction."""
        path = self.choose_file(False)
        if path is None:
            return
        try:
            report = read_examples(path)
            ids = self._repo.add_many(report.examples) if report.examples else []
        except ReaderError as exc:
            self._show_report(True, self.tr("Nothing was imported: {why}").format(why=exc))
            return
        count, bad = len(ids), len(report.problems)
        self._show_report(True, import_summary(self, count, bad, path.name), report.problems)
        if count:
            self._changed(ids[0])

    def export_file(self) -> None:
        """Write the examples shown in the list to a JSONL or CSV file."""
        path = self.choose_file(True)
        if path is None:
            return
        rows = sorted(
            self.proxy.mapToSource(self.proxy.index(r, 0)).row()
            for r in range(self.proxy.rowCount())
        )
        examples = [self.model.stored(r).example for r in rows]
        try:
            write_examples(path, examples)
        except ReaderError as exc:
            self._say(str(exc))
            return
        self._say(
            plural(
                len(examples),
                self.tr("Exported {n} example to {name}."),
                self.tr("Exported {n} examples to {name}."),
                name=path.name,
            )
        )

    def _show_report(self, visible: bool, summary: str = "", problems: Sequence[str] = ()) -> None:
        self.report_label.setText(summary)
        self.report_text.setPlainText("\n".join(problems))
        self.report_label.setVisible(visible)
        self.report_close.setVisible(visible)
        self.report_text.setVisible(visible and bool(problems))
