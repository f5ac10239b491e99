"""Select → analyse → the panel fills as Claude writes → stored → reopened → shown again.

The real app objects, the real SDK, and the fake Messages API over HTTP.
"""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QTextDocument

from tests.fake_api import VALID_KEY, FakeAnthropic
from tests.ui.conftest import MakeApp, wait_for_book

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from reader_app.app import ReaderApp
    from reader_app.config.paths import AppPaths

PASSAGE = "We murder to dissect."
ANSWER = {
    "tone": "Harsh and Condemning",
    "polarity": "negative",
    "emotions": [{"name": "anger", "intensity": 0.55}, {"name": "disgust", "intensity": 0.75}],
    "evidence": [{"quote": "murder", "why": "a violent word"}, {"quote": "autopsy", "why": "?"}],
    "explanation": (
        "This is a short, hard sentence. The word murder is shocking: the speaker says that "
        "taking nature apart to study it kills what is alive in it."
    ),
    "confidence": 0.82,
}


@pytest.fixture
def api(fake_api: FakeAnthropic, monkeypatch: pytest.MonkeyPatch) -> FakeAnthropic:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_api.base_url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", VALID_KEY)
    return fake_api


def _open_ballads(qtbot: QtBot, make_app: MakeApp) -> ReaderApp:
    app = make_app()
    app.start(None)
    wait_for_book(qtbot, app, "Lyrical Ballads")
    item = app.window.toc.findItems(
        "The Tables Turned", Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive
    )[0]
    app.window.toc.itemClicked.emit(item, 0)
    return app


def _bold_words(doc: QTextDocument) -> list[str]:
    """The runs of bold text in a document (the evidence the panel marks)."""
    words: list[str] = []
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            if fragment.charFormat().fontWeight() >= QFont.Weight.Bold:
                words.append(fragment.text())
            it += 1
        block = block.next()
    return words


def _select(app: ReaderApp, text: str) -> None:
    view = app.window.pane.view
    start = view.text.index(text)
    view.select_range(start, start + len(text))


def test_analyse_streams_stores_and_comes_back(
    qtbot: QtBot, make_app: MakeApp, api: FakeAnthropic, profile: AppPaths
) -> None:
    api.reply_json(ANSWER, chunk_size=12, chunk_delay=0.01)
    app = _open_ballads(qtbot, make_app)
    panel = app.window.tone_panel
    explanations: list[str] = []
    app.tone_service.partial_received.connect(
        lambda _job, data: explanations.append(str(data.get("explanation", "")))
    )
    _select(app, PASSAGE)
    app.window.pane.view.setFocus()
    qtbot.keyClick(app.window.pane.view, Qt.Key.Key_A)
    # The highlight is there at once, before any answer.
    (highlight,) = app.highlights.highlights
    assert highlight.quote == PASSAGE
    assert panel.status.text() == "Analysing…"
    with qtbot.waitSignal(app.analysis.analysed, timeout=10_000):
        pass
    # The explanation grew while it was written.
    grown = [e for e in dict.fromkeys(explanations) if e]
    assert len(grown) >= 5
    assert all(grown[i + 1].startswith(grown[i]) for i in range(len(grown) - 1))
    assert panel.tone.text() == "Harsh and Condemning"
    assert panel.emotions.rows == [("disgust", 0.75), ("anger", 0.55)]
    assert panel.explanation.toPlainText() == ANSWER["explanation"]
    assert panel.passage.toPlainText() == PASSAGE
    assert _bold_words(panel.passage.document()) == ["murder"]
    assert "“murder” — a violent word" in panel.evidence.text()
    assert "left out" in panel.evidence.text()  # "autopsy" is not in the passage
    assert panel.answered_by.text().startswith("Answered by claude")
    # Coloured by the dominant emotion.
    assert app.highlights.highlights[0].color == "disgust"
    # The request carried the objective, the examples and the fenced passage.
    body = api.requests_to("/v1/messages")[0].body
    assert body["system"][-1]["cache_control"] == {"type": "ephemeral"}
    assert "We murder to dissect." in body["system"][-1]["text"]  # the seed example
    assert f"<passage>\n{PASSAGE}\n</passage>" in body["messages"][0]["content"]
    app.window.close()
    app.shutdown()

    with sqlite3.connect(profile.database) as conn:
        stored = conn.execute("SELECT status, tone, input_tokens FROM analyses").fetchall()
    assert stored[0][:2] == ("ok", "Harsh and Condemning")

    again = make_app()
    again.start(None)
    wait_for_book(qtbot, again, "Lyrical Ballads")
    hid = again.highlights.highlights[0].id
    again.window.pane.view.mark_clicked.emit(hid)
    assert again.window.tone_panel.tone.text() == "Harsh and Condemning"
    assert again.window.tone_panel.analyse_button.text() == "Re-analyse"


def test_rate_limit_shows_the_wait_and_keeps_the_highlight(
    qtbot: QtBot, make_app: MakeApp, api: FakeAnthropic
) -> None:
    api.reply_error(429, "rate_limit_error", "slow down", headers={"retry-after": "42"})
    app = _open_ballads(qtbot, make_app)
    _select(app, PASSAGE)
    app.window.actions_.analyse.trigger()
    panel = app.window.tone_panel
    qtbot.waitUntil(lambda: "Too many requests" in panel.status.text(), timeout=5000)
    assert "42 s" in panel.status.text()
    assert panel.analyse_button.text() == "Retry in 42 s"
    assert not panel.analyse_button.isEnabled()
    assert "not analysed" in panel.status.text()
    assert [h.quote for h in app.highlights.highlights] == [PASSAGE]
    assert len(api.requests_to("/v1/messages")) == 1  # no silent sleeping and retrying


@pytest.mark.parametrize(
    ("script", "words"),
    [
        (lambda api: api.reply_error(401, "authentication_error", "bad key"), "rejected (401)"),
        (lambda api: api.reply_error(404, "not_found_error", "model"), "not available (404)"),
        (lambda api: api.reply_stream_error('{"tone": "Ha', "overloaded_error"), "broke off"),
        (lambda api: api.reply_truncated('{"tone": "Ha'), "stopped before"),
        (lambda api: api.reply_json('{"tone": 3}'), "expected form"),
        (lambda api: api.reply_refusal(), "declined"),
    ],
)
def test_failures_explain_themselves_and_offer_retry(
    qtbot: QtBot,
    make_app: MakeApp,
    api: FakeAnthropic,
    script,
    words: str,  # type: ignore[no-untyped-def]
) -> None:
    script(api)
    app = _open_ballads(qtbot, make_app)
    _select(app, PASSAGE)
    app.window.actions_.analyse.trigger()
    panel = app.window.tone_panel
    qtbot.waitUntil(lambda: words in panel.status.text(), timeout=10_000)
    assert panel.analyse_button.text() == "Retry"
    assert panel.analyse_button.isEnabled()
    # Retry works once the API does.
    api.reply_json(ANSWER)
    with qtbot.waitSignal(app.analysis.analysed, timeout=10_000):
        panel.analyse_button.click()
    assert panel.tone.text() == "Harsh and Condemning"


def test_cancel_stops_a_slow_answer(qtbot: QtBot, make_app: MakeApp, api: FakeAnthropic) -> None:
    api.reply_json(ANSWER, chunk_size=4, chunk_delay=0.05)
    app = _open_ballads(qtbot, make_app)
    _select(app, PASSAGE)
    app.window.actions_.analyse.trigger()
    panel = app.window.tone_panel
    qtbot.waitUntil(lambda: panel.tone.text() != "", timeout=5000)  # it is streaming
    with qtbot.waitSignal(app.tone_service.analysis_failed, timeout=3000):
        panel.cancel_button.click()
    assert "Cancelled" in panel.status.text()
    assert app.tone_service.running == 0
    assert [h.quote for h in app.highlights.highlights] == [PASSAGE]


def test_no_key_says_what_to_do(
    qtbot: QtBot, make_app: MakeApp, fake_api: FakeAnthropic, monkeypatch: pytest.MonkeyPatch
) -> None:
    import keyring
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        app = _open_ballads(qtbot, make_app)
        _select(app, PASSAGE)
        app.window.actions_.analyse.trigger()
        panel = app.window.tone_panel
        qtbot.waitUntil(lambda: "keyring" in panel.status.text(), timeout=5000)
        assert fake_api.requests == []
    finally:
        keyring.set_keyring(previous)


def test_correct_and_save_as_example_feeds_the_next_request(
    qtbot: QtBot, make_app: MakeApp, api: FakeAnthropic, profile: AppPaths
) -> None:
    api.reply_json(ANSWER)
    app = _open_ballads(qtbot, make_app)
    _select(app, PASSAGE)
    with qtbot.waitSignal(app.analysis.analysed, timeout=10_000):
        app.window.actions_.analyse.trigger()
    panel = app.window.tone_panel
    panel.example_button.click()
    dialog = app.window.tone.correction_forms.dialog
    assert dialog is not None
    assert dialog.as_example.isChecked()
    assert dialog.tone.text() == "Harsh and Condemning"
    dialog.tone.setText("Bitter and Accusing")
    name, intensity = dialog.emotion_rows[0]
    name.setCurrentIndex(name.findData("anger"))
    intensity.setValue(0.9)
    dialog.explanation.setPlainText("He blames science in one bitter line.")
    dialog.speaker.setText("the poet")
    dialog.addressee.setText("his friend")
    dialog._accept()
    assert panel.tone.text() == "Bitter and Accusing"
    assert "Claude's answer was “Harsh and Condemning”" in panel.corrected_note.text()
    assert app.highlights.highlights[0].color == "anger"
    with sqlite3.connect(profile.database) as conn:
        original = conn.execute("SELECT tone FROM analyses").fetchone()[0]
        corrected = conn.execute("SELECT tone FROM corrections").fetchone()[0]
        example = conn.execute(
            "SELECT excerpt, tone, speaker, addressee FROM examples ORDER BY id DESC"
        ).fetchone()
    assert original == "Harsh and Condemning"  # the model's answer is kept too
    assert corrected == "Bitter and Accusing"
    # Who speaks goes into the example with the rest of the correction.
    assert example == (PASSAGE, "Bitter and Accusing", "the poet", "his friend")
    # The next request carries the new example in its cached examples block.
    api.reply_json(ANSWER)
    _select(app, "Sweet is the lore which Nature brings;")
    with qtbot.waitSignal(app.analysis.analysed, timeout=10_000):
        app.window.actions_.analyse.trigger()
    system = api.requests_to("/v1/messages")[-1].body["system"]
    assert "Bitter and Accusing" in system[-1]["text"]
    assert "<speaker>the poet</speaker>\n<addressee>his friend</addressee>" in system[-1]["text"]


def test_a_picture_alone_is_not_sent(qtbot: QtBot, make_app: MakeApp, api: FakeAnthropic) -> None:
    app = make_app()
    app.start(None)
    wait_for_book(qtbot, app, "Lyrical Ballads")
    view = app.window.pane.view
    picture = view.text.index("\ufffc")  # the title page's cover picture
    view.select_range(picture, picture + 1)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_A)
    assert "holds no words" in app.window._status.text()
    assert app.highlights.highlights == []
    assert api.requests == []


def test_the_speaker_is_corrected_like_the_rest_and_the_characters_follow(
    qtbot: QtBot, make_app: MakeApp, api: FakeAnthropic, profile: AppPaths
) -> None:
    api.reply_json({**ANSWER, "speaker": "unknown", "addressee": ""})
    app = _open_ballads(qtbot, make_app)
    _select(app, PASSAGE)
    with qtbot.waitSignal(app.analysis.analysed, timeout=10_000):
        app.window.actions_.analyse.trigger()
    app.window.tone_panel.correct_button.click()
    dialog = app.window.tone.correction_forms.dialog
    assert dialog is not None
    assert dialog.speaker.text() == "unknown"
    dialog.speaker.setText("the  speaker of the poem")
    dialog.addressee.setText("his friend")
    dialog._accept()
    assert "Spoken by the speaker of the poem → his friend" in app.window.tone_panel.facts.text()
    with sqlite3.connect(profile.database) as conn:
        (stored,) = conn.execute("SELECT result_json FROM corrections").fetchone()
    assert json.loads(stored)["speaker"] == "the speaker of the poem"
    app.window.actions_.characters.trigger()
    window = app.window.learning.characters_window
    assert window is not None
    assert [c.name for c in window.characters] == ["the speaker of the poem"]
