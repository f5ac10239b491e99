"""The one place that tells the user about problems: a non-modal bar above the page."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget


class Banner(QWidget):
    """A dismissable message bar: errors stay until closed, notes fade after a while."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setAccessibleName(self.tr("Message"))
        self.setAutoFillBackground(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 6, 6)
        self._label = QLabel(self)
        self._label.setWordWrap(True)
        self._label.setTextFormat(Qt.TextFormat.PlainText)
        self._label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton(self)
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip(self.tr("Dismiss"))
        close.setAccessibleName(self.tr("Dismiss message"))
        close.clicked.connect(self.hide)
        layout.addWidget(self._label, 1)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self.hide)
        self.hide()

    @property
    def message(self) -> str:
        """The message shown (empty when hidden)."""
        return self._label.text() if self.isVisible() else ""

    def show_error(self, message: str) -> None:
        """A problem the user should read; stays until dismissed."""
        self._show(message, "#f8d7da", "#5c1a20", timeout=0)

    def show_info(self, message: str) -> None:
        """A passing note."""
        self._show(message, "#dbe9f9", "#1b3a5c", timeout=6000)

    def _show(self, message: str, background: str, text: str, timeout: int) -> None:
        self._label.setText(message)
        self.setStyleSheet(
            f"QWidget#banner {{ background: {background}; }} QLabel {{ color: {text}; }}"
            f" QToolButton {{ color: {text}; }}"
        )
        self.show()
        if timeout:
            self._timer.start(timeout)
        else:
            self._timer.stop()
