"""The emotional arc of a book: its analysed passages by position, coloured by emotion."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from reader_app.core.emotions import EMOTIONS, PLUTCHIK_COLORS

if TYPE_CHECKING:
    from collections.abc import Sequence

    from reader_app.core.annotations import Annotation

_MARGIN_LEFT = 44.0
_MARGIN = 16.0
_HIT = 8.0


@dataclass(frozen=True, slots=True)
class ArcPoint:
    """One analysed passage on the chart."""

    highlight_id: int
    position: float  # 0..1 through the book
    emotion: str
    intensity: float
    tone: str
    chapter: int


def arc_points(annotations: Sequence[Annotation], chapter_lengths: Sequence[int]) -> list[ArcPoint]:
    """Place each analysed, anchored annotation by its character position in the book."""
    total = sum(chapter_lengths) or 1
    before = [0]
    for length in chapter_lengths:
        before.append(before[-1] + length)
    points = []
    for item in annotations:
        result = item.tone_result
        if item.orphaned or not result.emotions:
            continue
        if not 0 <= item.chapter < len(chapter_lengths):
            continue
        top = result.emotions[0]  # the strongest
        position = (before[item.chapter] + item.start) / total
        points.append(
            ArcPoint(item.highlight_id, position, top.name, top.intensity, result.tone,
                     item.chapter)
        )  # fmt: skip
    points.sort(key=lambda p: p.position)
    return points


class ArcChart(QWidget):
    """Dots for passages, joined in reading order; faint lines where chapters begin.

    A dot's height is the intensity of the passage's strongest emotion, its colour that
    emotion's. Clicking a dot asks to jump to its passage.

    Signals:
        point_clicked(int): the highlight id of the dot clicked.
    """

    point_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("arcChart")
        self.setAccessibleName(self.tr("Emotional arc of the book"))
        self.setMinimumHeight(220)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMouseTracking(True)
        self._points: list[ArcPoint] = []
        self._chapters: list[float] = []
        self.empty_text = self.tr("No analysed passages in this book yet.")

    def set_data(self, points: Sequence[ArcPoint], chapter_starts: Sequence[float]) -> None:
        """The passages and where chapters begin (0..1)."""
        self._points = list(points)
        self._chapters = list(chapter_starts)
        self.update()

    @property
    def points(self) -> list[ArcPoint]:
        """What is drawn."""
        return list(self._points)

    def sizeHint(self) -> QSize:
        """Wide."""
        return QSize(700, 260)

    def _plot(self) -> QRectF:
        return QRectF(
            _MARGIN_LEFT,
            _MARGIN,
            self.width() - _MARGIN_LEFT - _MARGIN,
            self.height() - 2 * _MARGIN - 18,
        )

    def _xy(self, point: ArcPoint) -> QPointF:
        plot = self._plot()
        return QPointF(plot.left() + plot.width() * point.position,
                       plot.bottom() - plot.height() * point.intensity)  # fmt: skip

    def paintEvent(self, _event: QPaintEvent) -> None:
        """Axes, chapter lines, the arc and its dots, and a legend."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text = self.palette().windowText().color()
        faint = QColor(text)
        faint.setAlpha(40)
        plot = self._plot()
        painter.setPen(QPen(faint, 1))
        for x in self._chapters:
            px = plot.left() + plot.width() * x
            painter.drawLine(QPointF(px, plot.top()), QPointF(px, plot.bottom()))
        painter.setPen(QPen(text, 1))
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        painter.drawLine(plot.bottomLeft(), plot.topLeft())
        for value in (0.0, 0.5, 1.0):
            y = plot.bottom() - plot.height() * value
            painter.drawText(QRectF(0, y - 8, _MARGIN_LEFT - 6, 16),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             f"{round(value * 100)}%")  # fmt: skip
        painter.drawText(
            QRectF(plot.left(), plot.bottom() + 2, plot.width(), 16),
            Qt.AlignmentFlag.AlignCenter,
            self.tr("position in the book →"),
        )
        if not self._points:
            painter.drawText(plot, Qt.AlignmentFlag.AlignCenter, self.empty_text)
            painter.end()
            return
        path = QPainterPath(self._xy(self._points[0]))
        for point in self._points[1:]:
            path.lineTo(self._xy(point))
        line = QColor(text)
        line.setAlpha(90)
        painter.setPen(QPen(line, 1.2))
        painter.drawPath(path)
        for point in self._points:
            color = QColor(PLUTCHIK_COLORS.get(point.emotion, "#888888"))
            painter.setPen(QPen(text, 0.8))
            painter.setBrush(color)
            painter.drawEllipse(self._xy(point), 5.0, 5.0)
        self._legend(painter, plot, text)
        painter.end()

    def _legend(self, painter: QPainter, plot: QRectF, text: QColor) -> None:
        shown = [e for e in EMOTIONS if any(p.emotion == e for p in self._points)]
        x = plot.right() - 10
        for name in reversed(shown):
            width = painter.fontMetrics().horizontalAdvance(name) + 22
            x -= width
            painter.setBrush(QColor(PLUTCHIK_COLORS[name]))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawEllipse(QPointF(x + 6, plot.top() + 8), 4.5, 4.5)
            painter.setPen(text)
            painter.drawText(QPointF(x + 14, plot.top() + 12), name)

    def point_at(self, pos: QPointF) -> ArcPoint | None:
        """The dot under a point of the widget."""
        best = None
        distance = _HIT
        for point in self._points:
            d = (self._xy(point) - pos).manhattanLength()
            if d <= distance:
                best, distance = point, d
        return best

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        """A tooltip names the passage's tone."""
        point = self.point_at(event.position())
        self.setToolTip(
            f"{point.tone} — {point.emotion} {round(point.intensity * 100)}%" if point else ""
        )
        self.setCursor(Qt.CursorShape.PointingHandCursor if point else Qt.CursorShape.ArrowCursor)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """Jump to the dot clicked."""
        point = self.point_at(event.position())
        if point is not None:
            self.point_clicked.emit(point.highlight_id)
