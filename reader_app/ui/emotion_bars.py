"""Emotions as coloured bars in Plutchik's colours."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from reader_app.core.emotions import PLUTCHIK_COLORS

if TYPE_CHECKING:
    from collections.abc import Sequence

_ROW = 22


class EmotionBars(QWidget):
    """One row per emotion: its name, a bar as long as its intensity, and a percentage."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("emotionBars")
        self._rows: list[tuple[str, float]] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_emotions(self, rows: Sequence[tuple[str, float]]) -> None:
        """Show (name, intensity 0..1) rows, strongest first."""
        self._rows = [(name, max(0.0, min(1.0, value))) for name, value in rows]
        self.setAccessibleName(
            ", ".join(f"{name} {round(value * 100)} percent" for name, value in self._rows)
        )
        self.updateGeometry()
        self.update()

    @property
    def rows(self) -> list[tuple[str, float]]:
        """What is shown."""
        return list(self._rows)

    def sizeHint(self) -> QSize:
        """Tall enough for every row."""
        return QSize(220, max(1, len(self._rows)) * _ROW + 4)

    def minimumSizeHint(self) -> QSize:
        """As tall as the rows."""
        return QSize(120, len(self._rows) * _ROW + 4)

    def paintEvent(self, _event: QPaintEvent) -> None:
        """Draw the bars."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = self.fontMetrics()
        label_width = max(
            (metrics.horizontalAdvance(n.capitalize()) for n, _ in self._rows), default=0
        )
        value_width = metrics.horizontalAdvance("100%")
        text = self.palette().windowText().color()
        track = QColor(text)
        track.setAlpha(28)
        for row, (name, value) in enumerate(self._rows):
            top = row * _ROW + 2
            painter.setPen(text)
            painter.drawText(
                QRectF(0, top, label_width, _ROW - 4),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                name.capitalize(),
            )
            left = label_width + 8
            width = max(10.0, self.width() - left - value_width - 8)
            bar = QRectF(left, top + 5, width, _ROW - 14)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(track)
            painter.drawRoundedRect(bar, 3, 3)
            painter.setBrush(QColor(PLUTCHIK_COLORS.get(name, "#888888")))
            painter.drawRoundedRect(
                QRectF(bar.left(), bar.top(), bar.width() * value, bar.height()), 3, 3
            )
            painter.setPen(text)
            painter.drawText(
                QRectF(left + width + 6, top, value_width, _ROW - 4),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                f"{round(value * 100)}%",
            )
        painter.end()
