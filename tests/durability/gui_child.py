"""Start ``tone-reader`` in a child process as a user does, and report what its window shows.

The child runs the real command line (``reader_app.cli.main``) under the offscreen platform.
With ``TONE_PROBE=1`` a timer waits until no book is loading any more, prints one JSON line
(the book shown, the banner, the banner's button) and closes the window.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = r"""
import json, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

original_exec = QApplication.exec

def exec_with_probe(self):
    from reader_app.ui.main_window import MainWindow

    def look():
        for window in QApplication.topLevelWidgets():
            if isinstance(window, MainWindow) and window.isVisible():
                if window._book_service.busy:
                    break
                book = window.pane.book
                banner = window.pane.banner
                button = banner.action_button
                print(json.dumps({
                    "book": book.title if book is not None else None,
                    "banner": banner.message,
                    "action": button.text() if button.isVisible() else "",
                }), flush=True)
                window.close()
                return
        QTimer.singleShot(100, look)

    QTimer.singleShot(300, look)
    return original_exec()

QApplication.exec = exec_with_probe
from reader_app.cli import main
sys.exit(main(sys.argv[1:]))
"""


def gui_env(**extra: str) -> dict[str, str]:
    """The environment of a child window: offscreen, no profile override, no API settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k != "TONE_READER_HOME" and not k.startswith("ANTHROPIC_")
    }
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.update(extra)
    return env


def start_gui(profile: Path, *args: str, probe: bool = False) -> subprocess.Popen[str]:
    """``tone-reader --profile-dir PROFILE ARGS…`` in a child process."""
    command = ["-c", PROBE] if probe else ["-m", "reader_app"]
    return subprocess.Popen(
        [sys.executable, *command, "--profile-dir", str(profile), *args],
        cwd=ROOT,
        env=gui_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def probe_gui(profile: Path, *args: str) -> dict[str, str | None]:
    """Start the window, wait until it has settled, and return what it showed."""
    child = start_gui(profile, *args, probe=True)
    out, err = child.communicate(timeout=90)
    assert child.returncode == 0, err
    lines = [line for line in out.splitlines() if line.startswith("{")]
    assert lines, f"the window reported nothing: {err}"
    shown: dict[str, str | None] = json.loads(lines[-1])
    return shown
