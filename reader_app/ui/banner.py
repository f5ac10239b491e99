"""The one place that tells the user about problems: a non-modal bar above the page."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

if TYPE_CHECKING:
    from collections.abc import Callable


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
        close = self._close = QToolButton(self)
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip(self.tr("Dismiss"))
        close.setAccessibleName(self.tr("Dismiss message"))
        close.clicked.connect(self.hide)
        # One button for a notice that offers something to do (Recover…).
        self.action_button = QPushButton(self)
        self.action_button.setObjectName("bannerAction")
        self.action_button.setAccessibleName(self.tr("Message action"))
        self.action_button.hide()
        self.action_button.clicked.connect(self._act)
        self._action: Callable[[], None] | None = None
        layout.addWidget(self._label, 1)
        layout.addWidget(self.action_button, 0, Qt.AlignmentFlag.AlignTop)
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

    def show_notice(
        self, message: str, action_text: str = "", action: Callable[[], None] | None = None
    ) -> None:
        """Something that happened at start that the user must not miss; stays until closed.

        Args:
            message: one line.
            action_text: the label of a button offering a remedy ("Recover…"), or "".
            action: called when the button is pressed; the button then goes away.
        """
        self._show(message, "#fff3cd", "#5c4400", timeout=0)
        if action is not None and action_text:
            self._action = action
            self.action_button.setText(action_text)
            self.action_button.setAccessibleName(action_text.rstrip("…"))
            self.action_button.show()

    def _act(self) -> None:
        action, self._action = self._action, None
        self.action_button.hide()
        if action is not None:
            action()

    def _show(self, message: str, background: str, text: str, timeout: int) -> None:
        self._action = None
        self.action_button.hide()
        self._label.setText(message)
        # Colours by palette: a style sheet set here re-polished the whole bar and cost
        # a book's first open 30 ms of a frozen window.
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor(background))
        palette.setColor(QPalette.ColorRole.WindowText, QColor(text))
        self.setPalette(palette)
        close = self._close.palette()
        close.setColor(QPalette.ColorRole.ButtonText, QColor(text))
        self._close.setPalette(close)
        self.show()
        if timeout:
            self._timer.start(timeout)
        else:
            self._timer.stop()
