"""Cancel in the real window stops an analysis whose server sends nothing at all.

Before, the worker stayed blocked in a socket read until the server sent a byte or the
60 s read time-out passed; the app could not even quit cleanly meanwhile.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest

from tests.fake_api import VALID_KEY
from tests.ui.test_tone_flow import PASSAGE, _open_ballads, _select

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from tests.fake_api import FakeAnthropic
    from tests.ui.conftest import MakeApp


@pytest.fixture
def api(fake_api: FakeAnthropic, monkeypatch: pytest.MonkeyPatch) -> FakeAnthropic:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_api.base_url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", VALID_KEY)
    return fake_api


@pytest.mark.parametrize("before_headers", [False, True])
def test_cancel_stops_an_analysis_stalled_on_the_network(
    qtbot: QtBot,
    make_app: MakeApp,
    api: FakeAnthropic,
    before_headers: bool,
) -> None:
    api.reply_stall(60.0, before_headers=before_headers)
    app = _open_ballads(qtbot, make_app)
    _select(app, PASSAGE)
    app.window.actions_.analyse.trigger()
    panel = app.window.tone_panel
    qtbot.waitUntil(lambda: len(api.requests_to("/v1/messages")) == 1, timeout=10_000)
    qtbot.wait(300)  # the worker is now blocked, waiting for bytes that never come
    assert app.tone_service.running == 1
    clicked = time.perf_counter()
    with qtbot.waitSignal(app.tone_service.analysis_failed, timeout=2000):
        panel.cancel_button.click()
    assert time.perf_counter() - clicked < 1.0
    assert "Cancelled" in panel.status.text()
    assert app.tone_service.running == 0
    assert [h.quote for h in app.highlights.highlights] == [PASSAGE]
