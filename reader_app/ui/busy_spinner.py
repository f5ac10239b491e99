"""A small turning arc that says "working", at the cost of a repaint of its own 16 pixels."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

_SIZE, _STEP_MS, _STEP_DEGREES = 16, 80, 30


class BusySpinner(QWidget):
    """Turns while something runs; blank, yet keeping its place, when idle.

    The status bar used an indeterminate ``QProgressBar``: with the Fusion style each of
    its animation frames, and each show and hide, laid the main window out again (8-25 ms
    with the docks), which froze a first open for over 50 ms. This widget never changes
    size or visibility, so it only ever repaints itself.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        """Make an idle spinner."""
        super().__init__(parent)
        self.setFixedSize(_SIZE, _SIZE)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self._angle = 0
        self._timer = QTimer(self)
        self._timer.setInterval(_STEP_MS)
        self._timer.timeout.connect(self._turn)

    @property
    def spinning(self) -> bool:
        """Whether it shows that something runs."""
        return self._timer.isActive()

    def start(self, what: str) -> None:
        """Show that ``what`` runs (also read out by screen readers)."""
        self.setAccessibleName(what)
        self.setToolTip(what)
        self._timer.start()
        self.update()

    def stop(self) -> None:
        """Show that nothing runs."""
        self._timer.stop()
        self.setAccessibleName("")
        self.setToolTip("")
        self.update()

    def _turn(self) -> None:
        self._angle = (self._angle + _STEP_DEGREES) % 360
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        """Draw a three-quarter arc at the current angle, in the highlight colour."""
        if not self._timer.isActive():
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(self.palette().highlight().color(), 2)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        box = QRectF(2, 2, _SIZE - 4, _SIZE - 4)
        # Qt counts angles in sixteenths of a degree, counter-clockwise from three o'clock.
        painter.drawArc(box, -self._angle * 16, 270 * 16)
        painter.end()
