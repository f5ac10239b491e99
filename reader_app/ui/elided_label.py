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
    """Plain text on one line, elided when it does not fit.

    ``text()`` stays whole (for screen readers and the tooltip); only the painting is
    shortened. A long poem title in the footer ("Lines Written a Few Miles Above Tintern
    Abbey, on Revisiting…") would otherwise set the reading pane's minimum width. What
    follows the last ``separator`` (the place, "25 of 67") is kept whole while it fits.
    """

    def __init__(self, parent: QWidget | None = None, separator: str = "") -> None:
        super().__init__(parent)
        self._separator = separator
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

    def _shortened(self, width: int) -> str:
        metrics = self.fontMetrics()
        text = self.text()
        if metrics.horizontalAdvance(text) <= width:
            return text
        head, found, tail = text.rpartition(self._separator) if self._separator else ("", "", "")
        kept = found + tail
        room = width - metrics.horizontalAdvance(kept)
        if head and room > metrics.averageCharWidth() * 4:
            return metrics.elidedText(head, Qt.TextElideMode.ElideRight, room) + kept
        return metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)

    def paintEvent(self, event: QPaintEvent) -> None:
        """Draw the text, elided to the width."""
        del event
        painter = QPainter(self)
        rect = self.contentsRect()
        shown = self._shortened(rect.width())
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
