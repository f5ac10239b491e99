"""The Tone Glossary window, from the Highlights menu: words met, defined, marked, exported."""

from __future__ import annotations

import zipfile
from typing import TYPE_CHECKING, Any

import pytest
from PySide6.QtCore import Qt

from tests.fake_api import VALID_KEY, FakeAnthropic
from tests.ui.conftest import MakeApp, wait_for_book

if TYPE_CHECKING:
    from pathlib import Path

    from pytestqt.qtbot import QtBot

PASSAGES = [("Our meddling intellect", "Regretful and Accusatory"),
            ("We murder to dissect.", "Harsh and Accusatory")]  # fmt: skip


def _item(number: int, tone: str) -> dict[str, Any]:
    return {
        "passage": number, "tone": tone, "polarity": "negative",
        "emotions": [{"name": "sadness", "intensity": 0.6}], "evidence": [],
        "explanation": "x", "confidence": 0.7, "speaker": "narrator", "addressee": "reader",
    }  # fmt: skip


@pytest.fixture
def api(fake_api: FakeAnthropic, monkeypatch: pytest.MonkeyPatch) -> FakeAnthropic:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_api.base_url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", VALID_KEY)
    return fake_api


def test_the_glossary_defines_marks_and_exports_the_tone_words(
    qtbot: QtBot, make_app: MakeApp, api: FakeAnthropic, tmp_path: Path
) -> None:
    app = make_app()
    app.start(None)
    wait_for_book(qtbot, app, "Lyrical Ballads")
    item = app.window.toc.findItems("The Tables Turned", Qt.MatchFlag.MatchRecursive)[0]
    app.window.toc.itemClicked.emit(item, 0)
    text = app.window.pane.view.text
    for passage, _tone in PASSAGES:
        start = text.index(passage)
        app.highlights.add(app.window.pane.chapter, start, start + len(passage))
    api.reply_json({"items": [_item(i + 1, tone) for i, (_p, tone) in enumerate(PASSAGES)]})
    app.window.highlights_panel.selectAll()
    with qtbot.waitSignal(app.group.finished, timeout=10_000):
        app.window.actions_.analyse_together.trigger()

    app.window.actions_.glossary.trigger()
    window = app.window.learning.glossary_window
    assert window is not None
    assert window.isVisible()
    assert [e.word for e in window.entries] == ["accusatory", "harsh", "regretful"]
    assert window.list.topLevelItem(0).text(1) == "(not defined yet)"
    assert window.windowTitle() == "Tone Glossary — B1, English"

    api.reply_json({"definitions": [
        {"word": "accusatory", "definition": "Saying that someone did something wrong."},
        {"word": "harsh", "definition": "Hard and unkind."},
        {"word": "regretful", "definition": "Sad about something you did."},
    ]})  # fmt: skip
    window.define_button.click()
    assert window.status.text() == "Asking Claude for definitions…"

    def defined() -> None:
        assert window.list.topLevelItem(0).text(1) == "Saying that someone did something wrong."

    qtbot.waitUntil(defined, timeout=10_000)
    body = api.requests_to("/v1/messages")[-1].body
    assert "CEFR level B1" in body["system"]
    assert not window.define_button.isEnabled()  # nothing left to define

    harsh = window.list.findItems("harsh", Qt.MatchFlag.MatchExactly)[0]
    harsh.setCheckState(0, Qt.CheckState.Checked)
    assert next(e for e in window.entries if e.word == "harsh").known
    window.hide_known.setChecked(True)
    assert window.list.topLevelItemCount() == 2
    window.search.setText("sad")
    assert window.list.topLevelItemCount() == 1

    deck = tmp_path / "words.apkg"
    window.choose_export_file = lambda _kind, _name: deck
    window.anki_button.click()
    assert window.status.text() == f"Exported the glossary to {deck}."
    with zipfile.ZipFile(deck) as archive:
        assert "collection.anki2" in archive.namelist()
