"""The dialog shown for a bug: what happened, where the log is, and details to copy."""

from __future__ import annotations

import traceback
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from reader_app.core.redaction import redact
from reader_app.ui.about_dialog import runtime_summary
from reader_app.ui.screen_fit import fit_on_show

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path
    from types import TracebackType


def crash_details(
    kind: type[BaseException],
    exc: BaseException,
    tb: TracebackType | None,
    secrets: Iterable[str] = (),
) -> str:
    """The text a user can paste into a bug report, with every API key blanked out.

    Args:
        kind: the exception's type.
        exc: the exception.
        tb: its traceback.
        secrets: known secret values to blank out besides anything shaped like a key.

    Returns:
        Exception, traceback and versions, redacted.
    """
    lines = [
        f"{kind.__qualname__}: {exc}",
        "",
        "".join(traceback.format_exception(kind, exc, tb)).rstrip(),
        "",
        runtime_summary(),
    ]
    return redact("\n".join(lines), secrets)


class CrashDialog(QDialog):
    """Non-modal: the reader can carry on, and later errors are added to the same dialog."""

    def __init__(self, log_file: Path, parent: QWidget | None = None) -> None:
        """Build the dialog; ``log_file`` is shown so the full log can be found."""
        super().__init__(parent)
        self.setObjectName("crashDialog")
        self.setWindowTitle(self.tr("Something Went Wrong"))
        self.setModal(False)
        self.resize(640, 460)
        fit_on_show(self)
        self.count = 0
        layout = QVBoxLayout(self)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        log_label = QLabel(self.tr("The full log is in {path}").format(path=log_file), self)
        log_label.setWordWrap(True)
        log_label.setTextFormat(Qt.TextFormat.PlainText)
        log_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        details_label = QLabel(self.tr("&Details:"), self)
        self.details = QPlainTextEdit(self)
        self.details.setReadOnly(True)
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.details.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.details.setAccessibleName(self.tr("Error details"))
        details_label.setBuddy(self.details)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.copy_button = QPushButton(self.tr("&Copy Details"), self)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy_details)
        buttons.rejected.connect(self.close)
        for widget in (self.summary, log_label, details_label):
            layout.addWidget(widget)
        layout.addWidget(self.details, 1)
        layout.addWidget(buttons)

    def add_error(self, kind_name: str, details: str) -> None:
        """Show an error; a later one goes on top of the earlier ones, which are kept below."""
        self.count += 1
        if self.count == 1:
            summary = self.tr(
                "Something went wrong ({kind}). Your highlights are saved; you can keep reading."
            ).format(kind=kind_name)
        else:
            summary = self.tr(
                "Something went wrong again ({kind}, {count} errors). Your highlights are saved."
            ).format(kind=kind_name, count=self.count)
        self.summary.setText(summary)
        previous = self.details.toPlainText()
        text = details if not previous else f"{details}\n\n{'-' * 60}\n\n{previous}"
        self.details.setPlainText(text)

    def copy_details(self) -> None:
        """Put the (already redacted) details on the clipboard."""
        QGuiApplication.clipboard().setText(self.details.toPlainText())
