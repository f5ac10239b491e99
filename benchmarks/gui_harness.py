"""Shared pieces of the in-window benchmarks: the app as tone-reader builds it, a paint probe
and a GUI-stall heartbeat.

The app is built like ``run_gui`` does (Fusion style, a real profile, the real library),
without ``exec()``: the benchmark pumps the event loop itself so it can time each step.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import (  # noqa: E402
    QCoreApplication,
    QEvent,
    QObject,
    QTimer,
    qInstallMessageHandler,
)
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from reader_app.app import ReaderApp  # noqa: E402
from reader_app.config.paths import AppPaths  # noqa: E402
from reader_app.config.settings import load_settings  # noqa: E402
from reader_app.storage.db import open_database  # noqa: E402

BOOKS = ROOT.parent / "shared" / "corpus" / "books"
WAR = BOOKS / "war-and-peace_pg2600_utf8-bom.txt"


def _quiet(_kind, _context, message: str) -> None:  # type: ignore[no-untyped-def]
    # The offscreen platform says it cannot propagate size hints, once per dock: not news.
    if "propagateSizeHints" not in message:
        print(message, file=sys.stderr)


def qt_app() -> QApplication:
    qInstallMessageHandler(_quiet)
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    app.setStyle("Fusion")
    return app


def build_app(profile: Path) -> ReaderApp:
    paths = AppPaths.for_profile(profile)
    paths.ensure()
    settings, _warning = load_settings(paths.settings_file)
    app = ReaderApp(paths, open_database(paths.database), settings)
    app.window.show()
    return app


def pump_until(done, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    """Run the event loop until ``done()`` is true."""
    deadline = time.perf_counter() + timeout
    while not done():
        if time.perf_counter() > deadline:
            raise TimeoutError("the window did not get there in time")
        QCoreApplication.processEvents()
        time.sleep(0.001)


def settle(ms: float) -> None:
    """Let the event loop run for ``ms`` milliseconds."""
    end = time.perf_counter() + ms / 1000
    while time.perf_counter() < end:
        QCoreApplication.processEvents()
        time.sleep(0.001)


class PaintProbe(QObject):
    """Records when a widget last received a Paint event (after ``condition`` holds)."""

    def __init__(self, widget: QWidget, condition) -> None:  # type: ignore[no-untyped-def]
        super().__init__(widget)
        self._condition = condition
        self.painted_at: float | None = None
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self.painted_at is None and self._condition():
            # The widget paints after this filter returns; post a zero-time marker so the
            # time taken includes the paint itself.
            QTimer.singleShot(0, self._mark)
        return False

    def _mark(self) -> None:
        if self.painted_at is None:
            self.painted_at = time.perf_counter()

    def reset(self) -> None:
        self.painted_at = None


class Heartbeat(QObject):
    """A 5 ms timer on the GUI thread; the longest gap between ticks is the longest stall."""

    def __init__(self, interval_ms: int = 5) -> None:
        super().__init__()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)
        self._last = 0.0
        self.longest = 0.0

    def start(self) -> None:
        self.longest = 0.0
        self._last = time.perf_counter()
        self._timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self._last)
        self._last = now

    def stop(self) -> float:
        self._tick()
        self._timer.stop()
        return self.longest * 1000
