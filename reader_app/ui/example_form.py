"""The small form that adds or edits one example."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from reader_app.core.emotions import EMOTIONS, PLUTCHIK_COLORS
from reader_app.core.examples import Example, ExampleFormatError, example_from_dict
from reader_app.core.examples_io import split_tags

if TYPE_CHECKING:
    from collections.abc import Sequence

MIN_EMOTION_ROWS = 3
_DEFAULT_INTENSITY = 50


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
    """Add or edit one example: excerpt, tone, emotions, explanation, source and tags.

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
        return example_from_dict(
            {
                "excerpt": self.excerpt.toPlainText(),
                "tone": self.tone.text(),
                "emotions": [{"name": n, "intensity": i} for n, i in emotions],
                "explanation": self.explanation.toPlainText(),
                "source": self.source.text(),
                "tags": list(split_tags(self.tags.text(), ",")),
            }
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
