"""The real window against the real API's failure modes.

Cancel ends an analysis whose stream is kept open by pings alone (the real API pings a
quiet stream, so bytes keep coming while no answer does); a spend limit says so with a
link to the console; an edge's web page is one line.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest

from tests.fake_api import MESSAGES, VALID_KEY
from tests.ui.test_tone_flow import PASSAGE, _open_ballads, _select

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from reader_app.app import ReaderApp
    from tests.fake_api import FakeAnthropic
    from tests.ui.conftest import MakeApp


@pytest.fixture
def api(fake_api: FakeAnthropic, monkeypatch: pytest.MonkeyPatch) -> FakeAnthropic:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_api.base_url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", VALID_KEY)
    return fake_api


def _analyse(qtbot: QtBot, make_app: MakeApp) -> ReaderApp:
    app = _open_ballads(qtbot, make_app)
    _select(app, PASSAGE)
    app.window.actions_.analyse.trigger()
    return app


def test_cancel_ends_an_analysis_kept_alive_by_pings(
    qtbot: QtBot, make_app: MakeApp, api: FakeAnthropic
) -> None:
    api.reply_pings(0.05)
    app = _analyse(qtbot, make_app)
    panel = app.window.tone_panel
    qtbot.waitUntil(lambda: len(api.requests_to(MESSAGES)) == 1, timeout=10_000)
    qtbot.wait(500)  # pings flow; no answer comes
    assert app.tone_service.running == 1
    clicked = time.perf_counter()
    with qtbot.waitSignal(app.tone_service.analysis_failed, timeout=2000):
        panel.cancel_button.click()
    assert time.perf_counter() - clicked < 1.0
    assert "Cancelled" in panel.status.text()
    assert app.tone_service.running == 0
    assert len(api.requests_to(MESSAGES)) == 1


def test_a_spend_limit_shows_the_console_link(
    qtbot: QtBot, make_app: MakeApp, api: FakeAnthropic
) -> None:
    api.reply_error(429, "rate_limit_error", "You have reached your specified API usage limits.",
                    error_code="enforced_spend_limit_reached", times=3)  # fmt: skip
    app = _analyse(qtbot, make_app)
    panel = app.window.tone_panel
    qtbot.waitUntil(lambda: panel.console_link.isVisible(), timeout=10_000)
    assert "spend limit is reached (429)" in panel.status.text()
    assert "\n" not in panel.status.text()
    assert 'href="https://console.anthropic.com/settings/limits"' in panel.console_link.text()
    assert panel.console_link.openExternalLinks()
    assert len(api.requests_to(MESSAGES)) == 1  # not retried


def test_an_html_page_is_one_line_and_no_link(
    qtbot: QtBot, make_app: MakeApp, api: FakeAnthropic
) -> None:
    api.reply_html(413, "<html><body><h1>413 Request Entity Too Large</h1></body></html>")
    app = _analyse(qtbot, make_app)
    panel = app.window.tone_panel
    qtbot.waitUntil(lambda: "web page" in panel.status.text(), timeout=10_000)
    assert panel.status.text() == (
        "The service answered with a web page, status 413. The highlight is kept, not analysed."
    )
    assert not panel.console_link.isVisible()
