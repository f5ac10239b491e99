"""An answer cut off at its token limit, in the Tone panel: the message names the limit and
what Retry will ask for, and Retry re-sends with twice the limit and succeeds."""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

from reader_app.ui.tone_commands import connect_panel
from reader_app.ui.tone_panel import TonePanel, profile_line
from tests.fake_api import GOOD_ANSWER, MESSAGES, Reply
from tests.services import test_analysis_controller as base

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from tests.fake_api import FakeAnthropic

# The controllers with a real library, the real tone service and the fake API.
reader = base.reader
MODEL = "claude-haiku-5-5"


def _panel(qtbot: QtBot, reader: base.Reader) -> TonePanel:
    panel = TonePanel()
    qtbot.addWidget(panel)
    connect_panel(reader.controller, panel)  # as the window wires them
    return panel


def test_retry_after_a_cut_off_asks_for_twice_the_limit(
    qtbot: QtBot, reader: base.Reader, fake_api: FakeAnthropic
) -> None:
    reader.library.settings = dataclasses.replace(reader.library.settings, model=MODEL)
    panel = _panel(qtbot, reader)
    # Thinking used the whole limit: a thinking block, then the stop, and no text at all.
    fake_api.enqueue(Reply("stream", text="", thinking=json.dumps(GOOD_ANSWER),
                           stop_reason="max_tokens", usage={"output_tokens": 1200}))  # fmt: skip
    reader.select(base.MURDER)
    with qtbot.waitSignal(reader.controller.show_error, timeout=base.WAIT_MS) as shown:
        reader.controller.analyse_selection(reader.selection)
    message = shown.args[1]
    assert message.startswith("The answer was cut off at 1,200 tokens")
    assert message.endswith("Retry asks for up to 2,400 tokens.")
    assert panel.status.text().startswith(message)
    assert panel.analyse_button.text() == "Retry"
    assert panel.analyse_button.isEnabled()
    # The thinking (which looks like an answer) was not shown as one.
    assert panel.tone.isHidden()
    assert panel.tone.text() == ""
    assert "Wistful" not in panel.explanation.toPlainText()
    (item,) = reader.highlights.highlights
    (failed,) = reader.library.analyses.history(item.id)
    assert (failed.status, failed.error_kind) == ("failed", "cut_off")

    fake_api.reply_json(base.ANSWER)
    with qtbot.waitSignal(reader.controller.analysed, timeout=base.WAIT_MS):
        qtbot.mouseClick(panel.analyse_button, Qt.MouseButton.LeftButton)
    first, second = (r.body for r in fake_api.requests_to(MESSAGES))
    assert (first["max_tokens"], second["max_tokens"]) == (1200, 2400)
    assert second["thinking"] == {"type": "disabled"}
    assert second["output_config"]["effort"] == "low"
    assert panel.tone.text() == base.ANSWER["tone"]
    assert [r.status for r in reader.library.analyses.history(item.id)] == ["ok", "failed"]

    # Once an answer came, the next analysis asks for the usual limit again.
    fake_api.reply_json(base.ANSWER)
    with qtbot.waitSignal(reader.controller.analysed, timeout=base.WAIT_MS):
        qtbot.mouseClick(panel.analyse_button, Qt.MouseButton.LeftButton)
    assert fake_api.requests_to(MESSAGES)[-1].body["max_tokens"] == 1200


def test_think_more_shows_in_the_header_and_in_the_request(
    qtbot: QtBot, reader: base.Reader, fake_api: FakeAnthropic
) -> None:
    settings = dataclasses.replace(reader.library.settings, model=MODEL, think_more=True)
    reader.library.settings = settings
    assert profile_line(settings).endswith(f"{MODEL} · Think more")
    assert "Think more" not in profile_line(dataclasses.replace(settings, think_more=False))
    fake_api.reply_json(base.ANSWER)
    reader.select(base.MURDER)
    with qtbot.waitSignal(reader.controller.analysed, timeout=base.WAIT_MS):
        reader.controller.analyse_selection(reader.selection)
    body = fake_api.requests_to(MESSAGES)[-1].body
    assert "thinking" not in body  # adaptive, the model's default
    assert body["output_config"]["effort"] == "medium"
    assert body["max_tokens"] > 1200
