"""Map a chapter's voices and see the characters, from the window's menus.

Pride and Prejudice, Chapter 1: the Bennets' dialogue. The fake model labels every line
it is sent, alternating the two speakers, as a real one would name them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from tests.fake_api import VALID_KEY, FakeAnthropic
from tests.ui.conftest import MakeApp, wait_for_book

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from reader_app.app import ReaderApp

EPUB = (
    Path(__file__).resolve().parents[3]
    / "shared" / "corpus" / "books" / "pride-and-prejudice_pg1342_epub2.epub"
)  # fmt: skip
SPEAKERS = [("Mrs. Bennet", "Mr. Bennet", "anticipation"), ("Mr Bennet", "his wife", "joy")]


def _answer(count: int) -> dict[str, Any]:
    items = []
    for number in range(1, count + 1):
        speaker, addressee, emotion = SPEAKERS[number % 2]
        if number % 6 == 1:
            speaker = "Mr. Bennet"  # the same man, written as the book writes him
        items.append({
            "passage": number, "tone": "Eager" if emotion != "joy" else "Dry and Teasing",
            "polarity": "mixed", "emotions": [{"name": emotion, "intensity": 0.6}],
            "evidence": [], "explanation": "How the line sounds.", "confidence": 0.7,
            "speaker": speaker, "addressee": addressee,
        })  # fmt: skip
    return {"items": items}


@pytest.fixture
def api(fake_api: FakeAnthropic, monkeypatch: pytest.MonkeyPatch) -> FakeAnthropic:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_api.base_url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", VALID_KEY)
    return fake_api


def _accept(prompt: QMessageBox) -> None:
    next(
        b for b in prompt.buttons() if prompt.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole
    ).click()


def _open_chapter_one(qtbot: QtBot, make_app: MakeApp) -> ReaderApp:
    app = make_app()
    app.start(str(EPUB))
    wait_for_book(qtbot, app, "Pride and Prejudice")
    item = app.window.toc.findItems("Chapter 1", Qt.MatchFlag.MatchRecursive)[0]
    app.window.toc.itemClicked.emit(item, 0)
    return app


def test_mapping_asks_with_the_cost_then_labels_every_line_and_fills_the_characters(
    qtbot: QtBot, make_app: MakeApp, api: FakeAnthropic
) -> None:
    app = _open_chapter_one(qtbot, make_app)
    app.window.actions_.map_voices.trigger()
    prompt = app.window.learning.prompt
    assert prompt is not None
    assert prompt.isVisible()
    question = prompt.text()
    found = re.search(r"has (\d+) spoken lines", question)
    assert found is not None, question
    lines = int(found.group(1))
    assert 20 < lines < 60  # the chapter is mostly the Bennets' talk
    assert "“Chapter 1”" in question
    assert "2 requests, costing at most $" in question
    assert api.requests == []  # nothing is sent, or highlighted, before the reader agrees
    assert app.highlights.highlights == []

    # The two requests may reach the fake API in either order: each reply labels twenty
    # lines, and the shorter request's extra labels are left out.
    api.reply_json(_answer(20))
    api.reply_json(_answer(20))
    _accept(prompt)

    def all_labelled() -> None:
        marks = app.highlights.highlights
        assert len(marks) == lines
        assert all(h.color in ("anticipation", "joy") for h in marks)

    qtbot.waitUntil(all_labelled, timeout=20_000)
    requests = api.requests_to("/v1/messages")
    assert len(requests) == 2
    sent = [r.body["messages"][0]["content"].count("<passage id=") for r in requests]
    assert sorted(sent) == sorted([20, lines - 20])
    first = min(app.highlights.highlights, key=lambda h: h.start)
    assert first.quote.startswith('"My dear Mr. Bennet," said his lady')

    app.window.actions_.characters.trigger()
    window = app.window.learning.characters_window
    assert window is not None
    assert window.isVisible()
    names = {c.name: c for c in window.characters}
    assert set(names) == {"Mrs. Bennet", "Mr Bennet"}  # the form met most often is shown
    assert names["Mr Bennet"].aliases == ("Mr. Bennet",)
    assert names["Mrs. Bennet"].passages + names["Mr Bennet"].passages == lines
    lanes = window.timeline.lanes
    assert [name for name, _dots in lanes] == [c.name for c in window.characters]
    assert sum(len(dots) for _name, dots in lanes) == lines
    # Clicking a passage shows it on the page.
    target = lanes[0][1][-1]
    with qtbot.waitSignal(window.jump_requested):
        window.timeline.dot_clicked.emit(target.highlight_id)
    assert window.toward.topLevelItemCount() >= 1

    # The Characters dock, a tab beside the Tone panel, shows them too, and View →
    # Characters puts it away.
    dock = app.window.learning.characters_dock
    view_menu = next(a.menu() for a in app.window.menuBar().actions() if a.text() == "&View")
    entry = next(a for a in view_menu.actions() if a.text() == "Ch&aracters")
    assert entry.isChecked()
    assert app.window.tabifiedDockWidgets(app.window.tone_dock).count(dock) == 1
    dock.raise_()
    qtbot.waitUntil(lambda: app.window.learning.characters_panel is not None)
    docked = app.window.learning.characters_panel
    assert docked is not None
    assert [c.name for c in docked.characters] == [c.name for c in window.characters]
    assert docked.window() is app.window  # in the window, not a window of its own
    assert docked.isVisible()
    entry.trigger()
    assert not dock.isVisible()

    # The Highlights list shows one speaker's lines: the speakers are read as the list of
    # them opens, the way a click on the box opens it.
    app.window.highlights_dock.raise_()
    box = app.window.highlights_area.speaker
    panel = app.window.highlights_panel
    assert panel.count() == lines
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    popup = box.view()
    qtbot.waitUntil(popup.isVisible)
    husband_row = box.findData("Mr Bennet")
    assert box.itemText(husband_row) == f"Mr Bennet ({names['Mr Bennet'].passages})"
    # A combo box ignores a release that comes sooner than a double click after it opened.
    qtbot.wait(QApplication.doubleClickInterval() + 50)
    qtbot.mouseClick(
        popup.viewport(),
        Qt.MouseButton.LeftButton,
        pos=popup.visualRect(box.model().index(husband_row, 0)).center(),
    )
    assert box.currentText().startswith("Mr Bennet")
    assert panel.count() == names["Mr Bennet"].passages
    spoken = {p.highlight_id for p in names["Mr Bennet"].points}
    assert {panel.item(row).highlight_id for row in range(panel.count())} == spoken
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Home)  # back to all speakers from the keyboard
    assert panel.count() == lines

    # The annotations browser filters by character, every name of theirs included.
    app.window.actions_.annotations.trigger()
    browser = app.window.annotations.browser
    assert browser is not None
    husband = browser.speaker.findData("Mr Bennet")
    assert browser.speaker.itemText(husband) == f"Mr Bennet ({names['Mr Bennet'].passages})"
    browser.speaker.setCurrentIndex(husband)
    assert browser.proxy.rowCount() == names["Mr Bennet"].passages
    browser.speaker.setCurrentIndex(0)
    assert browser.proxy.rowCount() == lines


def test_a_section_without_dialogue_says_so_and_sends_nothing(
    qtbot: QtBot, make_app: MakeApp, api: FakeAnthropic
) -> None:
    app = make_app()
    app.start(None)
    wait_for_book(qtbot, app, "Lyrical Ballads")
    item = app.window.toc.findItems(
        "Tintern Abbey", Qt.MatchFlag.MatchContains | Qt.MatchFlag.MatchRecursive
    )[0]
    app.window.toc.itemClicked.emit(item, 0)
    app.window.actions_.map_voices.trigger()
    assert app.window.learning.prompt is None
    assert app.window._status.text().startswith("No spoken lines were found in “Lines Written")
    assert api.requests == []


def test_characters_are_renamed_merged_and_split_by_the_reader(
    qtbot: QtBot, make_app: MakeApp, api: FakeAnthropic
) -> None:
    app = _open_chapter_one(qtbot, make_app)
    app.window.actions_.map_voices.trigger()
    prompt = app.window.learning.prompt
    assert prompt is not None
    found = re.search(r"has (\d+) spoken lines", prompt.text())
    assert found is not None
    lines = int(found.group(1))
    api.reply_json(_answer(20))
    api.reply_json(_answer(20))
    _accept(prompt)
    qtbot.waitUntil(lambda: len(app.highlights.highlights) == lines and all(
        h.color != "yellow" for h in app.highlights.highlights), timeout=20_000)  # fmt: skip
    app.window.actions_.characters.trigger()
    window = app.window.learning.characters_window
    assert window is not None

    def named(name: str):  # type: ignore[no-untyped-def]
        return next(c for c in window.characters if c.name == name)

    husband = named("Mr Bennet")
    window.split(husband)  # "Mr. Bennet" comes apart from "Mr Bennet"
    assert {c.name for c in window.characters} == {"Mrs. Bennet", "Mr Bennet", "Mr. Bennet"}
    window.merge([named("Mr Bennet"), named("Mr. Bennet")])
    assert {c.name for c in window.characters} == {"Mrs. Bennet", "Mr Bennet"}
    window.ask_name = lambda _current: "  Thomas   Bennet "
    window.rename(named("Mr Bennet"))
    names = {c.name: c for c in window.characters}
    assert set(names) == {"Mrs. Bennet", "Thomas Bennet"}
    assert names["Thomas Bennet"].passages + names["Mrs. Bennet"].passages == lines
    window.forget()
    assert {c.name for c in window.characters} == {"Mrs. Bennet", "Mr Bennet"}


def test_a_long_section_can_go_as_a_batch_job(
    qtbot: QtBot, make_app: MakeApp, api: FakeAnthropic
) -> None:
    app = _open_chapter_one(qtbot, make_app)
    app.window.actions_.map_voices.trigger()
    prompt = app.window.learning.prompt
    assert prompt is not None
    assert "A batch job costs half" in prompt.text()
    found = re.search(r"has (\d+) spoken lines", prompt.text())
    assert found is not None
    later = next(b for b in prompt.buttons() if b.text() == "Send as a Batch Job")
    later.click()
    qtbot.waitUntil(lambda: bool(api.requests_to("/v1/messages/batches")), timeout=20_000)
    (created,) = [r for r in api.requests_to("/v1/messages/batches") if r.method == "POST"]
    assert len(created.body["requests"]) == int(found.group(1))
    assert len(app.highlights.highlights) == int(found.group(1))
    assert api.requests_to("/v1/messages") == []  # nothing went the expensive way


def test_a_voice_map_is_stopped_from_the_status_bar_and_resumed_where_it_stopped(
    qtbot: QtBot, make_app: MakeApp, api: FakeAnthropic
) -> None:
    app = _open_chapter_one(qtbot, make_app)
    window = app.window
    stop_button = window.tone.stop_button
    stop_entry = window.tone.stop_labelling
    assert not stop_button.isVisible()
    assert not stop_entry.isEnabled()
    window.actions_.map_voices.trigger()
    prompt = window.learning.prompt
    assert prompt is not None
    found = re.search(r"has (\d+) spoken lines", prompt.text())
    assert found is not None
    lines = int(found.group(1))
    # Slow answers: a line's label every second or so.
    api.reply_json(_answer(20), chunk_delay=0.05)
    api.reply_json(_answer(20), chunk_delay=0.05)
    _accept(prompt)
    qtbot.waitUntil(stop_button.isVisible, timeout=5_000)
    assert stop_entry.isEnabled()
    assert stop_button.text() == "Stop Labelling"

    def labelled() -> list[int]:
        return [h.id for h in app.highlights.highlights if h.color != "yellow"]

    qtbot.waitUntil(lambda: len(labelled()) >= 2, timeout=20_000)
    with qtbot.waitSignal(app.group.finished, timeout=10_000) as stopped:
        qtbot.mouseClick(stop_button, Qt.MouseButton.LeftButton)
    message = stopped.args[0]
    assert message.startswith("Stopped: "), message
    assert window._status.text() == message
    done = int(re.search(r"Stopped: (\d+) of", message).group(1))  # type: ignore[union-attr]
    assert 2 <= done < lines
    assert f"of {lines} passages labelled" in message
    assert not stop_button.isVisible()
    assert not stop_entry.isEnabled()
    # Every line is kept as a highlight; those answered before the stop keep their labels.
    assert len(app.highlights.highlights) == lines
    kept = labelled()
    assert len(kept) == done
    qtbot.wait(1500)  # the requests were still streaming: nothing they send now is kept
    assert labelled() == kept

    # Mapping the section again sends only the lines still without a label.
    first_run = len(api.requests_to("/v1/messages"))
    window.actions_.map_voices.trigger()
    again = window.learning.prompt
    assert again is not None
    assert again is not prompt
    assert f"{done} of them are labelled already" in again.text()
    assert f"the other {lines - done} are sent" in again.text()
    api.reply_json(_answer(20))
    api.reply_json(_answer(20))
    _accept(again)
    qtbot.waitUntil(lambda: len(labelled()) == lines, timeout=20_000)
    resumed = api.requests_to("/v1/messages")[first_run:]
    sent = sum(r.body["messages"][0]["content"].count("<passage id=") for r in resumed)
    assert sent == lines - done
    assert set(kept) <= set(labelled())

    # With every line labelled, a third time says so and sends nothing.
    qtbot.waitUntil(lambda: not app.group.busy, timeout=5_000)
    window.actions_.map_voices.trigger()
    assert window.learning.prompt is again  # no new question was asked
    assert "is labelled already" in window._status.text()
    assert len(api.requests_to("/v1/messages")) == first_run + len(resumed)
