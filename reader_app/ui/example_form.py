"""Parts of the Examples dialog: the form, the table model and its filter, file choosing.

The form adds or edits one example; the model shows the library as a table whose excerpt
column can be ticked to choose the members of a set. They live apart from
``examples_dialog.py`` to keep each file a readable size.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QIcon, QPalette, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QSlider,
    QSpinBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from reader_app.core.emotions import EMOTIONS, PLUTCHIK_COLORS
from reader_app.core.examples import Example, ExampleFormatError
from reader_app.ui.screen_fit import fit_on_show
from reader_app.usecases.examples import example_from_fields

if TYPE_CHECKING:
    from collections.abc import Sequence

    from reader_app.core.records import StoredExample

MIN_EMOTION_ROWS = 3
_DEFAULT_INTENSITY = 50

ID_ROLE = Qt.ItemDataRole.UserRole
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 1
TAGS_ROLE = Qt.ItemDataRole.UserRole + 2

_Index = QModelIndex | QPersistentModelIndex
_EXCERPT_CHARS = 300


def emotion_icon(name: str) -> QIcon:
    """A small square in the emotion's colour on Plutchik's wheel."""
    pixmap = QPixmap(12, 12)
    pixmap.fill(QColor(PLUTCHIK_COLORS[name]))
    return QIcon(pixmap)


class EmotionRow(QWidget):
    """One emotion: which of Plutchik's eight (or none), and how strong, 0–100 %."""

    def __init__(self, number: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = QComboBox(self)
        self.name.addItem(self.tr("(none)"), "")
        for emotion in EMOTIONS:
            self.name.addItem(emotion_icon(emotion), self.tr(emotion.capitalize()), emotion)
        self.name.setAccessibleName(self.tr("Emotion {n}").format(n=number))
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setRange(0, 100)
        self.slider.setPageStep(10)
        self.slider.setAccessibleName(self.tr("Intensity of emotion {n}").format(n=number))
        self.spin = QSpinBox(self)
        self.spin.setRange(0, 100)
        self.spin.setSuffix(" %")
        self.spin.setAccessibleName(self.tr("Intensity of emotion {n}, percent").format(n=number))
        # The slider is for a quick feel, the spin box for an exact number: keep them equal.
        self.slider.valueChanged.connect(self.spin.setValue)
        self.spin.valueChanged.connect(self.slider.setValue)
        self.name.currentIndexChanged.connect(self._name_changed)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.name)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.spin)
        self.set_value(None)

    def set_value(self, value: tuple[str, float] | None) -> None:
        """Show an emotion and its intensity (0–1), or no emotion."""
        name, intensity = value if value is not None else ("", 0.0)
        self.name.setCurrentIndex(max(0, self.name.findData(name)))
        self.spin.setValue(round(intensity * 100) if value is not None else _DEFAULT_INTENSITY)
        self._name_changed()

    def value(self) -> tuple[str, float] | None:
        """The chosen emotion and its intensity (0–1), or None."""
        name = str(self.name.currentData() or "")
        return (name, self.spin.value() / 100) if name else None

    def _name_changed(self) -> None:
        chosen = bool(self.name.currentData())
        self.slider.setEnabled(chosen)
        self.spin.setEnabled(chosen)


class ExampleFormDialog(QDialog):
    """Add or edit one example: excerpt, tone, emotions, explanation, speaker, source, tags.

    Open it with ``open()``: the form is window-modal but does not block the event loop.

    Signals:
        example_accepted(object): the new ``Example``, when OK is pressed on a valid form.
    """

    example_accepted = Signal(object)

    def __init__(
        self,
        example: Example | None = None,
        tones: Sequence[str] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Add Example") if example is None else self.tr("Edit Example"))
        self.resize(560, 520)
        fit_on_show(self)
        self.excerpt = QPlainTextEdit(self)
        # Tab moves on to the next field: an excerpt needs no tab characters, and a
        # keyboard user must be able to leave the box.
        self.excerpt.setTabChangesFocus(True)
        self.excerpt.setAccessibleName(self.tr("Excerpt"))
        self.excerpt.setPlaceholderText(self.tr("The passage, as in the book"))
        self.tone = QLineEdit(self)
        self.tone.setAccessibleName(self.tr("Tone"))
        self.tone.setPlaceholderText(self.tr("e.g. Wry and Resigned"))
        if tones:
            # Reusing a label exactly keeps the examples consistent for the model.
            completer = QCompleter(sorted(set(tones), key=str.casefold), self.tone)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            self.tone.setCompleter(completer)
        shown = example.emotions if example is not None else ()
        self.emotion_rows = [
            EmotionRow(n + 1, self) for n in range(max(MIN_EMOTION_ROWS, len(shown)))
        ]
        for row, value in zip(self.emotion_rows, shown, strict=False):
            row.set_value(value)
        self.explanation = QPlainTextEdit(self)
        self.explanation.setTabChangesFocus(True)
        self.explanation.setAccessibleName(self.tr("Explanation"))
        self.explanation.setPlaceholderText(self.tr("Why this tone, in plain words (optional)"))
        self.source = QLineEdit(self)
        self.source.setAccessibleName(self.tr("Source"))
        self.source.setPlaceholderText(self.tr("Author, title (optional)"))
        self.tags = QLineEdit(self)
        self.tags.setAccessibleName(self.tr("Tags"))
        self.tags.setPlaceholderText(self.tr("Comma-separated, e.g. irony, poetry"))
        # Who speaks, and to whom: examples teach the model to attribute lines as well.
        self.speaker = QLineEdit(self)
        self.speaker.setAccessibleName(self.tr("Speaker"))
        self.speaker.setPlaceholderText(self.tr("a name, or narrator (optional)"))
        self.addressee = QLineEdit(self)
        self.addressee.setAccessibleName(self.tr("Spoken to"))
        self.addressee.setPlaceholderText(self.tr("to whom (optional)"))
        self.error = QLabel(self)
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setWordWrap(True)
        self.error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self._lay_out()
        if example is not None:
            self.excerpt.setPlainText(example.excerpt)
            self.tone.setText(example.tone)
            self.explanation.setPlainText(example.explanation)
            self.source.setText(example.source)
            self.tags.setText(", ".join(example.tags))
            self.speaker.setText(example.speaker)
            self.addressee.setText(example.addressee)
        self.excerpt.textChanged.connect(self._update_ok)
        self.tone.textChanged.connect(self._update_ok)
        self._update_ok()
        self.excerpt.setFocus()

    def _lay_out(self) -> None:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        rows: list[tuple[str, QWidget]] = [
            (self.tr("E&xcerpt:"), self.excerpt),
            (self.tr("&Tone:"), self.tone),
        ]
        for number, row in enumerate(self.emotion_rows):
            rows.append((self.tr("E&motions:") if number == 0 else "", row))
        rows += [
            (self.tr("Ex&planation:"), self.explanation),
            (self.tr("Spea&ker:"), self.speaker),
            (self.tr("Spoken t&o:"), self.addressee),
            (self.tr("&Source:"), self.source),
            (self.tr("Ta&gs:"), self.tags),
        ]
        for text, widget in rows:
            label = QLabel(text, self)
            # The label's mnemonic (Alt+letter) moves the focus to its field.
            label.setBuddy(widget.name if isinstance(widget, EmotionRow) else widget)
            form.addRow(label, widget)
        self.explanation.setMaximumHeight(self.fontMetrics().lineSpacing() * 5 + 12)
        layout = QVBoxLayout(self)
        layout.addLayout(form, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def example(self) -> Example:
        """The example the form describes.

        Returns:
            The example, emotions strongest first.

        Raises:
            ExampleFormatError: a required field is empty, or an emotion is chosen twice.
        """
        emotions = [value for row in self.emotion_rows if (value := row.value()) is not None]
        names = [name for name, _ in emotions]
        for name in names:
            if names.count(name) > 1:
                raise ExampleFormatError(
                    self.tr("{name} is chosen twice.").format(name=name.capitalize())
                )
        # Checked as ``tone-reader examples add`` checks the same fields.
        return example_from_fields(
            self.excerpt.toPlainText(),
            self.tone.text(),
            emotions,
            self.explanation.toPlainText(),
            self.source.text(),
            self.tags.text(),
            self.speaker.text(),
            self.addressee.text(),
        )

    def accept(self) -> None:
        """Close with the example, unless the form needs a fix first."""
        try:
            example = self.example()
        except ExampleFormatError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        self.example_accepted.emit(example)
        super().accept()

    def _update_ok(self) -> None:
        ready = bool(self.excerpt.toPlainText().strip() and self.tone.text().strip())
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(ready)
        ok.setToolTip("" if ready else self.tr("An example needs an excerpt and a tone."))


def _plain_tooltip(text: str) -> str:
    # Qt shows a tooltip as HTML when it merely looks like HTML; an excerpt with "<" must
    # appear as written, line breaks included.
    return f"<p style='white-space:pre-wrap'>{html.escape(text)}</p>"


class ExamplesTableModel(QAbstractTableModel):
    """Examples in library order: Excerpt, Tone, Emotions, Tags.

    With a named set chosen, the Excerpt column gets a check box per example that says
    whether it belongs to the set.

    Signals:
        membership_toggled(int, bool): the example id, and whether it is now in the set.
    """

    membership_toggled = Signal(int, bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[StoredExample] = []
        self._members: set[int] | None = None
        self._headers = (self.tr("Excerpt"), self.tr("Tone"), self.tr("Emotions"), self.tr("Tags"))

    def set_rows(self, rows: Sequence[StoredExample]) -> None:
        """Show these examples."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def set_members(self, members: set[int] | None) -> None:
        """The ids in the chosen set, or None when no set is chosen (no check boxes)."""
        self.beginResetModel()
        self._members = None if members is None else set(members)
        self.endResetModel()

    def members(self) -> set[int]:
        """The ids ticked now."""
        return set(self._members or ())

    def stored(self, row: int) -> StoredExample:
        """The example shown in a row."""
        return self._rows[row]

    def examples(self) -> list[StoredExample]:
        """All examples, in library order."""
        return list(self._rows)

    def row_of(self, example_id: int) -> int | None:
        """The row of an example, if it is shown."""
        return next((r for r, s in enumerate(self._rows) if s.id == example_id), None)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        """Examples (a table has no children)."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        """Excerpt, Tone, Emotions, Tags."""
        return 0 if parent.isValid() else len(self._headers)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column names."""
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        """Selectable; the excerpt is checkable while a set is chosen."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
        if self._members is not None and index.column() == 0:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """The cell's text, tooltip, colour swatch, check state, id or search text."""
        if not index.isValid():
            return None
        stored = self._rows[index.row()]
        example, column = stored.example, index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(example, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 0:
                source = f"\n\n— {example.source}" if example.source else ""
                return _plain_tooltip(example.excerpt + source)
            if column == 1 and example.explanation:
                return _plain_tooltip(example.explanation)
            return None
        if role == Qt.ItemDataRole.DecorationRole and column == 2 and example.emotions:
            return emotion_icon(example.emotions[0][0])
        if role == Qt.ItemDataRole.CheckStateRole and column == 0 and self._members is not None:
            return Qt.CheckState.Checked if stored.id in self._members else Qt.CheckState.Unchecked
        if role == ID_ROLE:
            return stored.id
        if role == SEARCH_ROLE:
            fields = (example.excerpt, example.tone, example.explanation, *example.tags)
            return "\n".join(fields).casefold()
        if role == TAGS_ROLE:
            return example.tags
        return None

    def _display(self, example: Example, column: int) -> str:
        if column == 0:
            # One line per row: the tooltip has the excerpt with its line breaks.
            text = " ".join(example.excerpt.split())
            return text if len(text) <= _EXCERPT_CHARS else text[: _EXCERPT_CHARS - 1] + "…"
        if column == 1:
            return example.tone
        if column == 2:
            return ", ".join(f"{n} {round(i * 100)}%" for n, i in example.emotions)
        return ", ".join(example.tags)

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        """Tick or untick an example's membership of the chosen set."""
        if role != Qt.ItemDataRole.CheckStateRole or self._members is None or index.column():
            return False
        example_id = self._rows[index.row()].id
        checked = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value)
        if checked:
            self._members.add(example_id)
        else:
            self._members.discard(example_id)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        self.membership_toggled.emit(example_id, checked)
        return True


class ExamplesFilterModel(QSortFilterProxyModel):
    """Shows the examples whose text has every search word, and the chosen tag."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._words: list[str] = []
        self._tag: str | None = None
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setSortLocaleAware(True)

    def set_query(self, text: str) -> None:
        """Search excerpt, tone, explanation and tags for all of these words."""
        self.beginFilterChange()
        self._words = text.casefold().split()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_tag(self, tag: str | None) -> None:
        """Show only examples with this tag; None shows all."""
        self.beginFilterChange()
        self._tag = tag
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        """Whether a row passes the search and the tag filter."""
        model = self.sourceModel()
        index = model.index(source_row, 0, source_parent)
        if self._tag is not None and self._tag not in (model.data(index, TAGS_ROLE) or ()):
            return False
        text = str(model.data(index, SEARCH_ROLE) or "")
        return all(word in text for word in self._words)


class CheckBoxDelegate(QStyledItemDelegate):
    """Draws item check boxes with an outline that shows on dark backgrounds too."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: _Index) -> None:
        """Give the check box a Window colour halfway between the cell and its text."""
        super().initStyleOption(option, index)
        # Fusion outlines a check box in the Window colour made darker: on a dark theme's
        # Base that outline disappears. Window is not used for anything else in a cell.
        palette = option.palette
        base = palette.color(QPalette.ColorRole.Base)
        text = palette.color(QPalette.ColorRole.Text)
        middle = QColor(
            (base.red() + text.red()) // 2,
            (base.green() + text.green()) // 2,
            (base.blue() + text.blue()) // 2,
        )
        palette.setColor(QPalette.ColorRole.Window, middle)
        option.palette = palette


class ExamplesFileChooser:
    """Asks for a file to import from or export to, starting where the last one was."""

    def __init__(self, parent: QWidget) -> None:
        self._parent = parent
        self._folder = Path.home()

    def choose(self, save: bool) -> Path | None:
        """Show the platform's file dialog (modal); None when cancelled.

        Args:
            save: ask for a file to write (export) rather than one to read (import).
        """
        tr = self._parent.tr
        if save:
            name, chosen = QFileDialog.getSaveFileName(
                self._parent,
                tr("Export Examples"),
                str(self._folder / "examples.jsonl"),
                tr("JSON Lines (*.jsonl);;CSV (*.csv)"),
            )
            if name and not Path(name).suffix:
                # The format follows the name, so a name without one gets the filter's.
                name += ".csv" if "csv" in chosen else ".jsonl"
        else:
            name, _chosen = QFileDialog.getOpenFileName(
                self._parent,
                tr("Import Examples"),
                str(self._folder),
                tr("Examples (*.jsonl *.json *.csv);;All files (*)"),
            )
        if not name:
            return None
        self._folder = Path(name).parent
        return Path(name)


def plural(count: int, one: str, many: str, **values: str) -> str:
    """One of two whole sentences (not "example(s)"), so each translates as a whole."""
    return (one if count == 1 else many).format(n=count, **values)


def import_summary(widget: QWidget, count: int, bad: int, name: str) -> str:
    """The line shown after an import: how many came in, and how many rows had problems."""
    imported = plural(count, widget.tr("{n} example imported"), widget.tr("{n} examples imported"))
    if not count and not bad:
        return widget.tr("“{name}” holds no examples.").format(name=name)
    if bad:
        rows = plural(bad, widget.tr("{n} row had problems:"), widget.tr("{n} rows had problems:"))
        return f"{imported}; {rows}"
    return f"{imported}."


def ask_text(parent: QWidget, title: str, label: str) -> str | None:
    """A line of text from the user, or None if they cancelled."""
    text, ok = QInputDialog.getText(parent, title, label)
    return text if ok else None


def confirm(parent: QWidget, title: str, question: str) -> bool:
    """Yes or no."""
    answer = QMessageBox.question(parent, title, question)
    return answer == QMessageBox.StandardButton.Yes
