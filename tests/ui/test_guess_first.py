"""Guess first: the answer waits behind the learner's guess; the guess is kept, compared,
shown in the Practice window, and "Insist on My Reading" makes it a correction that the
evaluation's "corrections" source reads."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import Qt

from reader_app.core.exporters import EXPORTERS
from reader_app.core.exporters.common import tone_summary
from reader_app.storage.annotations import AnnotationQuery
from reader_app.storage.db import open_database
from reader_app.storage.eval_sources import items_from_corrections
from tests.fake_api import VALID_KEY, FakeAnthropic
from tests.ui.conftest import MakeApp, wait_for_book

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from reader_app.config.paths import AppPaths

PASSAGE = "We murder to dissect."
ANSWER = {
    "tone": "Harsh and Condemning", "polarity": "negative",
    "emotions": [{"name": "disgust", "intensity": 0.7}, {"name": "anger", "intensity": 0.4}],
    "evidence": [{"quote": "murder", "why": "a violent word"}], "explanation": "Hard words.",
    "confidence": 0.8, "speaker": "narrator", "addressee": "reader",
}  # fmt: skip


@pytest.fixture
def api(fake_api: FakeAnthropic, monkeypatch: pytest.MonkeyPatch) -> FakeAnthropic:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_api.base_url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", VALID_KEY)
    return fake_api


def test_the_answer_waits_for_the_guess_which_is_kept_and_can_be_insisted_on(
    qtbot: QtBot, make_app: MakeApp, api: FakeAnthropic, profile: AppPaths
) -> None:
    api.reply_json(ANSWER)
    app = make_app()
    app.start(None)
    wait_for_book(qtbot, app, "Lyrical Ballads")
    poem = app.window.toc.findItems("The Tables Turned", Qt.MatchFlag.MatchRecursive)[0]
    app.window.toc.itemClicked.emit(poem, 0)
    panel = app.window.tone_panel
    panel.guess_first.click()  # the toggle in the Tone panel, kept in the settings
    assert app.settings.current.guess_first
    view = app.window.pane.view
    start = view.text.index(PASSAGE)
    view.select_range(start, start + len(PASSAGE))
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_A)
    card = app.window.tone.guess_card
    assert card is not None
    assert card.isVisible()
    with qtbot.waitSignal(app.analysis.analysed, timeout=10_000):
        pass
    # The answer is in, but not shown: the learner guesses first. Its colour would give
    # the emotion away, so the highlight keeps its own until then.
    assert panel.tone.isHidden()
    assert panel.explanation.isHidden()
    assert [h.color for h in app.highlights.highlights] == ["yellow"]
    assert "Make your guess" in panel.status.text()

    card.findChild(type(card.polarity.buttons()[0]), "guess-negative").click()
    card.emotion_boxes["anger"].click()
    card.emotion_boxes["sadness"].click()
    card.emotion_boxes["fear"].click()  # a third is not allowed
    assert not card.emotion_boxes["fear"].isChecked()
    card.tone_word.setText("condemning")
    card.show_button.click()

    assert panel.tone.isVisible()
    assert panel.tone.text() == "Harsh and Condemning"
    assert [h.color for h in app.highlights.highlights] == ["disgust"]
    comparison = card.result.text()
    assert "✓ Polarity: you said negative, Claude negative." in comparison
    assert "1 of 2 emotions matched" in comparison
    assert "✓ Tone: you “condemning”" in comparison
    with sqlite3.connect(profile.database) as conn:
        rows = conn.execute("SELECT polarity, emotions_json, tone FROM guesses").fetchall()
    assert rows == [("negative", '["sadness", "anger"]', "condemning")]

    card.insist_button.click()
    assert "Kept as your correction" in card.result.text()
    conn = open_database(profile.database)
    try:
        items = items_from_corrections(conn, "polarity")
        emotions = items_from_corrections(conn, "emotion")
        annotations = AnnotationQuery(conn).all()
    finally:
        conn.close()
    # Exports carry the guess beside the answer.
    (annotation,) = annotations
    markdown = EXPORTERS["md"].export(annotations, generated_at="2026-01-01T00:00:00Z",
                                      app_version="test")  # fmt: skip
    assert "- **Your guess:** negative; sadness, anger; “condemning”" in str(markdown)
    assert "your guess: negative; sadness, anger" in tone_summary(annotation)
    assert [(i.text, i.expected) for i in items] == [(PASSAGE, "negative")]
    assert [i.expected for i in emotions] == ["sadness"]  # the learner's, strongest first

    app.window.actions_.practice.trigger()
    window = app.window.learning.practice_window
    assert window is not None
    assert window.isVisible()
    assert window.summary.text().startswith("One guess. Polarity: you agreed with Claude 100%")
    assert window.summary.text().endswith("Its score: 75%.")
    row = window.list.topLevelItem(0)
    assert row.text(1) == PASSAGE
    assert row.text(4) == "75% (insisted)"


def test_with_practice_off_the_answer_shows_at_once(
    qtbot: QtBot, make_app: MakeApp, api: FakeAnthropic
) -> None:
    api.reply_json(ANSWER)
    app = make_app()
    app.start(None)
    wait_for_book(qtbot, app, "Lyrical Ballads")
    poem = app.window.toc.findItems("The Tables Turned", Qt.MatchFlag.MatchRecursive)[0]
    app.window.toc.itemClicked.emit(poem, 0)
    view = app.window.pane.view
    start = view.text.index(PASSAGE)
    view.select_range(start, start + len(PASSAGE))
    with qtbot.waitSignal(app.analysis.analysed, timeout=10_000):
        app.window.actions_.analyse.trigger()
    assert app.window.tone_panel.tone.text() == "Harsh and Condemning"
    card = app.window.tone.guess_card
    assert card is not None
    assert card.isHidden()


def test_a_failed_analysis_takes_the_guess_card_away(
    qtbot: QtBot, make_app: MakeApp, api: FakeAnthropic
) -> None:
    api.reply_error(529, "overloaded_error", "Overloaded")
    api.reply_error(529, "overloaded_error", "Overloaded")
    api.reply_error(529, "overloaded_error", "Overloaded")
    app = make_app()
    app.start(None)
    wait_for_book(qtbot, app, "Lyrical Ballads")
    poem = app.window.toc.findItems("The Tables Turned", Qt.MatchFlag.MatchRecursive)[0]
    app.window.toc.itemClicked.emit(poem, 0)
    app.window.tone_panel.guess_first.setChecked(True)
    view = app.window.pane.view
    start = view.text.index(PASSAGE)
    view.select_range(start, start + len(PASSAGE))
    app.window.actions_.analyse.trigger()
    card = app.window.tone.guess_card
    assert card is not None
    assert card.isVisible()
    qtbot.waitUntil(lambda: card.isHidden(), timeout=20_000)
    assert [h.color for h in app.highlights.highlights] == ["yellow"]
