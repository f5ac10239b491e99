"""The model list is asked for when it may matter (Settings, the first analysis), never at
start: listing it needs the SDK, whose import costs about 75 MB and a stall of the window."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import TYPE_CHECKING

from reader_app.ai.models import DEFAULT_MODEL
from tests.fake_api import VALID_KEY

if TYPE_CHECKING:
    from pathlib import Path

    import pytest
    from pytestqt.qtbot import QtBot

    from tests.fake_api import FakeAnthropic
    from tests.ui.conftest import MakeApp

# Reports, 6.5 s after the window is up (past when the list used to be fetched, and past
# the resumption of batch jobs), whether the SDK was imported, then quits.
CHILD = r"""
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

original_exec = QApplication.exec

def exec_with_probe(self):
    def look():
        print("sdk imported:", "anthropic" in sys.modules, flush=True)
        QApplication.instance().closeAllWindows()
    QTimer.singleShot(6500, look)
    return original_exec()

QApplication.exec = exec_with_probe
from reader_app.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_the_sdk_is_not_imported_at_start_with_a_key_set(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TONE_READER_HOME"}
    # A key, and an API that is not there: nothing may even try it before the user asks.
    env.update(
        QT_QPA_PLATFORM="offscreen",
        ANTHROPIC_API_KEY=VALID_KEY,
        ANTHROPIC_BASE_URL="http://127.0.0.1:9",
    )
    done = subprocess.run(
        [sys.executable, "-c", CHILD, "--profile-dir", str(tmp_path / "profile")],
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "sdk imported: False" in done.stdout


def test_opening_settings_lists_the_models(
    qtbot: QtBot, make_app: MakeApp, fake_api: FakeAnthropic, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", VALID_KEY)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_api.base_url)
    app = make_app()
    app.window.show()
    qtbot.wait(200)
    assert app.default_model == DEFAULT_MODEL  # nothing asked at start
    app.window.actions_.preferences.trigger()  # Tone Analysis Settings…
    # The newest fast model of the fake API's list.
    qtbot.waitUntil(lambda: app.default_model == "claude-haiku-5-5", timeout=10_000)
