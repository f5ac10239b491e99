"""A one-line label that shortens its text with "…" instead of widening the window."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QLabel, QSizePolicy

if TYPE_CHECKING:
    from PySide6.QtGui import QPaintEvent, QResizeEvent
    from PySide6.QtWidgets import QWidget


class ElidedLabel(QLabel):
    """Plain text on one line, elided at the right when it does not fit.

    ``text()`` stays whole (for screen readers and the tooltip); only the painting is
    shortened. A long poem title in the footer ("Lines Written a Few Miles Above Tintern
    Abbey, on Revisiting…") would otherwise set the reading pane's minimum width.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def setText(self, text: str) -> None:
        """Show ``text``; the whole of it is the tooltip when it is cut."""
        super().setText(text)
        self._update_tooltip()

    def minimumSizeHint(self) -> QSize:
        """As narrow as a few letters; as tall as a line."""
        hint = super().minimumSizeHint()
        return QSize(self.fontMetrics().averageCharWidth() * 6, hint.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        """A new width may cut the text, or no longer need to."""
        super().resizeEvent(event)
        self._update_tooltip()

    def _update_tooltip(self) -> None:
        cut = self.fontMetrics().horizontalAdvance(self.text()) > self.contentsRect().width()
        self.setToolTip(self.text() if cut else "")

    def paintEvent(self, event: QPaintEvent) -> None:
        """Draw the text, elided to the width."""
        del event
        painter = QPainter(self)
        rect = self.contentsRect()
        shown = self.fontMetrics().elidedText(
            self.text(), Qt.TextElideMode.ElideRight, rect.width()
        )
        self.style().drawItemText(
            painter,
            rect,
            int(self.alignment()),
            self.palette(),
            self.isEnabled(),
            shown,
            self.foregroundRole(),
        )
        painter.end()
