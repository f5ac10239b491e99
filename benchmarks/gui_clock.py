"""Timing the real window: when it paints, and how long the GUI thread stalls.

Shared by the benchmarks that measure from a user's action to the painted result.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

if TYPE_CHECKING:
    from collections.abc import Callable

    from PySide6.QtWidgets import QWidget


class StallMeter(QObject):
    """A 5 ms heartbeat on the GUI thread; the longest gap between beats is the worst stall."""

    def __init__(self, interval_ms: int = 5) -> None:
        super().__init__()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._beat)
        self._last = 0.0
        self.longest = 0.0
        self.longest_at = 0.0  # when the longest stall began (perf_counter)

    def start(self) -> None:
        """Start measuring from now."""
        self._last, self.longest, self.longest_at = time.perf_counter(), 0.0, 0.0
        self._timer.start()

    def stop(self) -> float:
        """Stop; returns the longest gap in seconds."""
        self._beat()
        self._timer.stop()
        return self.longest

    def _beat(self) -> None:
        now = time.perf_counter()
        if now - self._last > self.longest:
            self.longest, self.longest_at = now - self._last, self._last
        self._last = now


class PaintWatch(QObject):
    """Notes the first paint of a widget once ``armed`` says the awaited content is there."""

    def __init__(self, widget: QWidget, armed: Callable[[], bool]) -> None:
        super().__init__()
        self._armed = armed
        self.painted_at = 0.0
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Record the time of the first paint after the content arrived."""
        if event.type() == QEvent.Type.Paint and not self.painted_at and self._armed():
            # The filter runs before the paint itself: the figure is taken when it is done.
            QTimer.singleShot(0, self._done)
        return False

    def _done(self) -> None:
        if not self.painted_at:
            self.painted_at = time.perf_counter()

    def reset(self) -> None:
        """Wait for the next paint after ``armed`` holds again."""
        self.painted_at = 0.0


def run_until(done: Callable[[], bool], timeout_s: float) -> bool:
    """Spin the event loop until ``done()`` or the timeout; returns whether it was done."""
    app = QApplication.instance()
    assert app is not None
    limit = time.perf_counter() + timeout_s
    while not done():
        if time.perf_counter() > limit:
            return False
        app.processEvents()
        time.sleep(0.001)
    return True
