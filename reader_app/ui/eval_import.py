"""Map a file's columns to passage, expected label and context."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QWidget

from reader_app.ui.screen_fit import fit_on_show

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

_TEXT_GUESSES = ("text", "verse_text", "excerpt", "passage", "sentence")
_LABEL_GUESSES = ("label", "labels", "tone", "expected", "emotion", "polarity")


class ImportSetDialog(QDialog):
    """Which column holds what, and which field the labels are."""

    def __init__(self, path: Path, columns: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Import “{name}”").format(name=path.name))
        fit_on_show(self)
        self.text = QComboBox(self)
        self.label = QComboBox(self)
        self.context = QComboBox(self)
        self.context.addItem(self.tr("(none)"), "")
        for column in columns:
            for box in (self.text, self.label, self.context):
                box.addItem(column, column)
        self._guess(self.text, _TEXT_GUESSES)
        self._guess(self.label, _LABEL_GUESSES)
        self.field = QComboBox(self)
        for name, value in ((self.tr("Tone label (free text)"), "tone"),
                            (self.tr("Polarity (negative, neutral, positive, mixed)"), "polarity"),
                            (self.tr("Dominant emotion (Plutchik)"), "emotion")):  # fmt: skip
            self.field.addItem(name, value)
        label_name = self.label.currentText().lower()
        if "polar" in label_name or label_name == "label":
            self.field.setCurrentIndex(1)
        elif "emotion" in label_name:
            self.field.setCurrentIndex(2)
        form = QFormLayout(self)
        form.addRow(QLabel(self.tr("The file has {n} columns.").format(n=len(columns)), self))
        form.addRow(self.tr("Passage text:"), self.text)
        form.addRow(self.tr("Expected label:"), self.label)
        form.addRow(self.tr("Context (optional):"), self.context)
        form.addRow(self.tr("The labels are:"), self.field)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    @staticmethod
    def _guess(box: QComboBox, names: Sequence[str]) -> None:
        for name in names:
            index = box.findText(name)
            if index >= 0:
                box.setCurrentIndex(index)
                return

    def mapping(self) -> tuple[str, str, str, str]:
        """(text column, label column, context column or "", field)."""
        return (
            str(self.text.currentData()),
            str(self.label.currentData()),
            str(self.context.currentData() or ""),
            str(self.field.currentData()),
        )
