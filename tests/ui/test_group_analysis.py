"""Several highlights labelled together in one request, from the window."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import Qt

from tests.fake_api import VALID_KEY, FakeAnthropic
from tests.ui.conftest import MakeApp, wait_for_book

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from reader_app.config.paths import AppPaths

# In reading order, as the request numbers them.
PASSAGES = [
    "Sweet is the lore which Nature brings;",
    "Our meddling intellect",
    "We murder to dissect.",
]


def _item(number: int, tone: str, emotion: str, quote: str) -> dict[str, object]:
    return {
        "passage": number, "tone": tone, "polarity": "negative",
        "emotions": [{"name": emotion, "intensity": 0.7}],
        "evidence": [{"quote": quote, "why": "it carries the tone"}],
        "explanation": "Short.", "confidence": 0.7,
    }  # fmt: skip


@pytest.fixture
def api(fake_api: FakeAnthropic, monkeypatch: pytest.MonkeyPatch) -> FakeAnthropic:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_api.base_url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", VALID_KEY)
    return fake_api


def test_selected_highlights_are_labelled_in_one_request(
    qtbot: QtBot, make_app: MakeApp, api: FakeAnthropic, profile: AppPaths
) -> None:
    app = make_app()
    app.start(None)
    wait_for_book(qtbot, app, "Lyrical Ballads")
    item = app.window.toc.findItems("The Tables Turned", Qt.MatchFlag.MatchRecursive)[0]
    app.window.toc.itemClicked.emit(item, 0)
    text = app.window.pane.view.text
    poem = text.index("The Tables Turned")
    for passage in PASSAGES:
        start = text.index(passage, poem)
        app.highlights.add(app.window.pane.chapter, start, start + len(passage))
    # The request numbers the passages in reading order.
    order = [h.quote for h in sorted(app.highlights.highlights, key=lambda h: h.start)]
    assert order == PASSAGES
    api.reply_json(
        {"items": [
            {**_item(1, "Gentle", "joy", "Sweet"), "tone": ""},  # no tone: cannot be repaired
            _item(2, "Regretful and Accusatory", "sadness", "meddling"),
            _item(3, "Harsh and Condemning", "disgust", "murder"),
        ]},
        chunk_size=30,
    )  # fmt: skip
    app.window.highlights_panel.selectAll()
    with qtbot.waitSignal(app.group.finished, timeout=10_000) as done:
        app.window.actions_.analyse_together.trigger()
    assert "Labelled 2 of 3 passages in one request." in done.args[0]
    assert len(api.requests_to("/v1/messages")) == 1
    body = api.requests_to("/v1/messages")[0].body
    assert body["messages"][0]["content"].count("<passage id=") == 3
    colors = {h.quote: h.color for h in app.highlights.highlights}
    assert colors[PASSAGES[2]] == "disgust"
    assert colors[PASSAGES[1]] == "sadness"
    with sqlite3.connect(profile.database) as conn:
        rows = conn.execute(
            "SELECT h.quote, a.status, a.input_tokens FROM analyses a"
            " JOIN highlights h ON h.id = a.highlight_id ORDER BY a.id"
        ).fetchall()
    statuses = {quote: status for quote, status, _tokens in rows}
    assert statuses == {PASSAGES[0]: "failed", PASSAGES[1]: "ok", PASSAGES[2]: "ok"}
    # The request's tokens are shared by the answers it produced.
    assert all(tokens > 0 for _q, status, tokens in rows if status == "ok")


def test_chapter_action_takes_only_unanalysed_highlights(
    qtbot: QtBot, make_app: MakeApp, api: FakeAnthropic
) -> None:
    app = make_app()
    app.start(None)
    wait_for_book(qtbot, app, "Lyrical Ballads")
    app.window.actions_.analyse_chapter.trigger()
    assert (
        "Every highlight in this chapter is analysed." in app.window.statusBar().currentMessage()
        or (app.window._status.text() == "Every highlight in this chapter is analysed.")
    )
    assert api.requests == []
