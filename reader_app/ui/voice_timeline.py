"""Characters' voices across a book: one lane per character, a dot per analysed passage.

A dot sits at the passage's place in the book, coloured by its strongest emotion and
sized by that emotion's intensity. The axis spans the stretch of the book the dots cover
(a chapter's voice map is one chapter wide, not a sliver of the book), and is labelled
with the sections at its ends; a character's dots are joined in reading order, so
several characters' arcs can be compared lane by lane. Clicking a dot asks to jump to
its passage.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from reader_app.core.emotions import PLUTCHIK_COLORS

if TYPE_CHECKING:
    from collections.abc import Sequence

_NAME_WIDTH = 130.0
_MARGIN = 12.0
_LANE = 46.0
_HIT = 9.0


@dataclass(frozen=True, slots=True)
class TimelineDot:
    """One passage of a character, placed in the book."""

    highlight_id: int
    position: float  # 0..1 through the book
    emotion: str
    intensity: float
    tone: str
    quote: str
    addressee: str
    section: str = ""


class VoiceTimeline(QWidget):
    """Lanes of dots, one lane per character.

    Signals:
        dot_clicked(int): the highlight id of the passage clicked.
    """

    dot_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("voiceTimeline")
        self.setAccessibleName(self.tr("Characters' voices across the book"))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMouseTracking(True)
        self._lanes: list[tuple[str, list[TimelineDot]]] = []
        self._span = (0.0, 1.0)
        self._ends = ("", "")
        self.empty_text = self.tr("Choose characters in the list to see their voices here.")

    def set_lanes(self, lanes: Sequence[tuple[str, Sequence[TimelineDot]]]) -> None:
        """The characters shown, each with their passages."""
        self._lanes = [(name, sorted(dots, key=lambda d: d.position)) for name, dots in lanes]
        every = sorted((d for _n, dots in self._lanes for d in dots), key=lambda d: d.position)
        if every:
            low, high = every[0].position, every[-1].position
            pad = max((high - low) * 0.04, 1e-6)
            self._span = (low - pad, high + pad)
            self._ends = (every[0].section, every[-1].section)
        else:
            self._span, self._ends = (0.0, 1.0), ("", "")
        self.setMinimumHeight(int(2 * _MARGIN + 40 + _LANE * max(1, len(self._lanes))))
        self.updateGeometry()
        self.update()

    @property
    def lanes(self) -> list[tuple[str, list[TimelineDot]]]:
        """What is drawn."""
        return list(self._lanes)

    def sizeHint(self) -> QSize:
        """Wide, and as tall as its lanes."""
        return QSize(640, int(2 * _MARGIN + 40 + _LANE * max(2, len(self._lanes))))

    def _name_width(self) -> float:
        # Names take at most a third of a narrow timeline (docked beside the page).
        return min(_NAME_WIDTH, self.width() / 3)

    def _plot(self) -> QRectF:
        return QRectF(
            self._name_width(),
            _MARGIN,
            self.width() - self._name_width() - _MARGIN,
            _LANE * len(self._lanes),
        )

    def _xy(self, lane: int, dot: TimelineDot) -> QPointF:
        plot = self._plot()
        low, high = self._span
        x = (dot.position - low) / (high - low)
        return QPointF(plot.left() + plot.width() * x,
                       plot.top() + _LANE * lane + _LANE / 2)  # fmt: skip

    def paintEvent(self, _event: QPaintEvent) -> None:
        """Names, lanes, each character's arc and dots, and the book's axis."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text = self.palette().windowText().color()
        faint = QColor(text)
        faint.setAlpha(45)
        if not self._lanes:
            painter.setPen(text)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.empty_text)
            painter.end()
            return
        plot = self._plot()
        for index, (name, dots) in enumerate(self._lanes):
            middle = plot.top() + _LANE * index + _LANE / 2
            painter.setPen(text)
            label = painter.fontMetrics().elidedText(
                name, Qt.TextElideMode.ElideRight, int(self._name_width() - 12)
            )
            left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
            painter.drawText(QRectF(4, middle - 10, self._name_width() - 10, 20), left, label)
            painter.setPen(QPen(faint, 1))
            painter.drawLine(QPointF(plot.left(), middle), QPointF(plot.right(), middle))
            self._draw_dots(painter, index, dots, text)
        painter.setPen(text)
        bottom = plot.bottom() + 4
        first, last = self._ends
        low, high = self._span
        start = f"{first} ({max(0.0, low):.0%})" if first else f"{max(0.0, low):.0%}"
        end = f"{last} ({min(1.0, high):.0%})" if last else f"{min(1.0, high):.0%}"
        half = plot.width() / 2
        # Each end's label keeps to its half: in a narrow side panel they would overlap.
        metrics, room = painter.fontMetrics(), max(0, int(half) - 6)
        start = metrics.elidedText(start, Qt.TextElideMode.ElideRight, room)
        end = metrics.elidedText(end, Qt.TextElideMode.ElideLeft, room)
        painter.drawText(QRectF(plot.left(), bottom, half, 16), Qt.AlignmentFlag.AlignLeft, start)
        painter.drawText(QRectF(plot.left() + half, bottom, half, 16),
                         Qt.AlignmentFlag.AlignRight, end)  # fmt: skip
        painter.drawText(QRectF(plot.left(), bottom + 16, plot.width(), 16),
                         Qt.AlignmentFlag.AlignCenter, self.tr("reading order →"))  # fmt: skip
        painter.end()

    def _draw_dots(
        self, painter: QPainter, lane: int, dots: Sequence[TimelineDot], text: QColor
    ) -> None:
        line = QColor(text)
        line.setAlpha(80)
        painter.setPen(QPen(line, 1))
        for before, after in itertools.pairwise(dots):
            painter.drawLine(self._xy(lane, before), self._xy(lane, after))
        for dot in dots:
            painter.setPen(QPen(text, 0.8))
            painter.setBrush(QColor(PLUTCHIK_COLORS.get(dot.emotion, "#9e9e9e")))
            radius = 3.5 + 5.0 * max(0.0, min(1.0, dot.intensity))
            painter.drawEllipse(self._xy(lane, dot), radius, radius)

    def dot_at(self, pos: QPointF) -> TimelineDot | None:
        """The dot under a point of the widget."""
        best, distance = None, _HIT
        for lane, (_name, dots) in enumerate(self._lanes):
            for dot in dots:
                d = (self._xy(lane, dot) - pos).manhattanLength()
                if d <= distance:
                    best, distance = dot, d
        return best

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        """A tooltip quotes the passage, with its tone and to whom it is said."""
        dot = self.dot_at(event.position())
        if dot is None:
            self.setToolTip("")
            self.setCursor(Qt.CursorShape.ArrowCursor)
            return
        quote = dot.quote if len(dot.quote) <= 160 else dot.quote[:157].rstrip() + "…"
        to = self.tr(" (to {name})").format(name=dot.addressee) if dot.addressee else ""
        self.setToolTip(f"{dot.tone}{to}\n{dot.emotion} {round(dot.intensity * 100)}%\n“{quote}”")
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """Jump to the passage clicked."""
        dot = self.dot_at(event.position())
        if dot is not None:
            self.dot_clicked.emit(dot.highlight_id)
