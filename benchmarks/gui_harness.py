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

from gui_clock import run_until  # noqa: E402
from PySide6.QtCore import QCoreApplication, qInstallMessageHandler  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from reader_app.app import ReaderApp  # noqa: E402
from reader_app.config.paths import AppPaths  # noqa: E402
from reader_app.config.secrets import ApiKeys, KeyringSecretStore  # noqa: E402
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
    app = ReaderApp(
        paths,
        open_database(paths.database),
        settings,
        api_keys=ApiKeys(KeyringSecretStore(), os.environ),
    )
    app.window.show()
    return app


def pump_until(done, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    """Run the event loop until ``done()`` is true."""
    if not run_until(done, timeout):
        raise TimeoutError("the window did not get there in time")


def settle(ms: float) -> None:
    """Let the event loop run for ``ms`` milliseconds."""
    end = time.perf_counter() + ms / 1000
    while time.perf_counter() < end:
        QCoreApplication.processEvents()
        time.sleep(0.001)
