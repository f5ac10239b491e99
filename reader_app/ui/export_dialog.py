"""File → Export Annotations: which annotations, which format, where."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QWidget,
)

from reader_app.core.exporters import EXPORTERS
from reader_app.ui.screen_fit import fit_on_show

if TYPE_CHECKING:
    from collections.abc import Callable


class ExportDialog(QDialog):
    """Choose the scope and format; the file name is asked next."""

    def __init__(self, book_title: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Export Annotations"))
        fit_on_show(self)
        self.scope = QComboBox(self)
        if book_title is not None:
            self.scope.addItem(self.tr("This book: {title}").format(title=book_title), "book")
        self.scope.addItem(self.tr("All books"), "all")
        self.format = QComboBox(self)
        for key, fmt in EXPORTERS.items():
            self.format.addItem(f"{self.tr(fmt.name)} ({fmt.suffix})", key)
        note = QLabel(
            self.tr("Every export says which model and prompt version made each analysis."),
            self,
        )
        note.setWordWrap(True)
        self.choose_path: Callable[[str, str], Path | None] = self._choose_path
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(self.tr("Annotations:"), self.scope)
        form.addRow(self.tr("Format:"), self.format)
        form.addRow(note)
        form.addRow(buttons)

    def choice(self) -> tuple[str, str]:
        """(scope "book" or "all", format key)."""
        return str(self.scope.currentData()), str(self.format.currentData())

    def _choose_path(self, suggested: str, suffix: str) -> Path | None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export Annotations"), suggested, f"*{suffix}"
        )
        if not path:
            return None
        chosen = Path(path)
        return chosen if chosen.suffix else chosen.with_suffix(suffix)
