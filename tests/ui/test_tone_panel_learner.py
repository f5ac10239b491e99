"""The Tone panel as a learner meets it: right-click menus, the toolbar, model names, cost, Details.

The real app, the real SDK and the fake Messages API over HTTP; menus are opened the way a
right-click opens them and their entries are chosen by their text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QAction, QContextMenuEvent, QImage
from PySide6.QtWidgets import QApplication, QMenu, QToolBar, QToolButton

from reader_app.config.discovered_model import write_discovered_model
from reader_app.config.settings import Settings, save_settings
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
    "emotions": [{"name": "disgust", "intensity": 0.75}, {"name": "anger", "intensity": 0.55}],
    "evidence": [{"quote": "murder", "why": "a violent word"}],
    "explanation": "A short, hard sentence: the word murder shocks.",
    "confidence": 0.82,
}
USAGE = {"input_tokens": 412, "output_tokens": 231, "cache_creation_input_tokens": 9012}
# The first answer of a test run waits for the SDK's import (about a second, far longer
# on a busy machine).
ANSWER_WAIT_MS = 30_000


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


def _menu_entries(menu: QMenu) -> list[str]:
    return [a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()]


def _right_click(qtbot: QtBot, open_menu: object, choose: str | None) -> list[str]:
    """Open a context menu (``open_menu()``), note its entries, then choose one by its text."""
    seen: list[str] = []

    def pick() -> None:
        menu = QApplication.activePopupWidget()
        assert isinstance(menu, QMenu)
        seen.extend(_menu_entries(menu))
        chosen = next((a for a in menu.actions() if a.text().replace("&", "") == choose), None)
        menu.close()
        if chosen is not None:
            chosen.trigger()

    QTimer.singleShot(0, pick)
    open_menu()  # type: ignore[operator]
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    return seen


def _page_menu(app: ReaderApp, offset: int) -> object:
    """Right-click on the page over a chapter offset, as the mouse sends it."""
    view = app.window.pane.view

    def open_menu() -> None:
        point = _point_of(app, offset)
        event = QContextMenuEvent(
            QContextMenuEvent.Reason.Mouse, point, view.viewport().mapToGlobal(point)
        )
        QApplication.sendEvent(view.viewport(), event)

    return open_menu


def _point_of(app: ReaderApp, offset: int) -> QPoint:
    """A point of the viewport over a chapter offset (the view scrolls it into sight)."""
    view = app.window.pane.view
    selection = view.textCursor()
    view.select_range(offset, offset)
    point = view.cursorRect().center() + QPoint(2, 0)
    view.setTextCursor(selection)
    return point


def _select(app: ReaderApp, text: str) -> int:
    view = app.window.pane.view
    start = view.text.index(text)
    view.select_range(start, start + len(text))
    return start


def test_analyse_tone_from_the_selections_right_click_menu(
    qtbot: QtBot, make_app: MakeApp, api: FakeAnthropic
) -> None:
    api.reply_json(ANSWER, usage=USAGE)
    app = _open_ballads(qtbot, make_app)
    panel = app.window.tone_panel
    start = _select(app, PASSAGE)
    with qtbot.waitSignal(app.analysis.analysed, timeout=ANSWER_WAIT_MS):
        entries = _right_click(qtbot, _page_menu(app, start + 4), "Analyse Tone")
    # Analyse Tone leads the selection's own entries, with its key.
    assert entries[:2] == ["Analyse Tone", "Highlight Selection"]
    assert app.window.actions_.analyse.shortcut().toString() == "A"
    (highlight,) = app.highlights.highlights
    assert highlight.quote == PASSAGE
    assert panel.tone.text() == "Harsh and Condemning"
    assert app.window.tone_dock.isVisible()
    assert len(api.requests_to("/v1/messages")) == 1


def test_an_analysed_highlight_offers_show_analysis_and_re_analyse(
    qtbot: QtBot, make_app: MakeApp, api: FakeAnthropic
) -> None:
    api.reply_json(ANSWER, usage=USAGE)
    app = _open_ballads(qtbot, make_app)
    panel = app.window.tone_panel
    start = _select(app, PASSAGE)
    with qtbot.waitSignal(app.analysis.analysed, timeout=ANSWER_WAIT_MS):
        app.window.actions_.analyse.trigger()
    (highlight,) = app.highlights.highlights
    # Another place is shown; the highlight's analysis is one right-click away.
    app.analysis.show_highlight(None)
    assert panel.tone.text() == ""
    entries = _right_click(qtbot, _page_menu(app, start + 4), "Show Analysis")
    assert entries[:4] == ["Show Analysis", "Re-analyse", "Edit Note…", "Delete Highlight"]
    assert panel.tone.text() == "Harsh and Condemning"
    assert app.window.highlights_panel.current_id() == highlight.id

    api.reply_json({**ANSWER, "tone": "Bitterly Scornful"}, usage=USAGE)
    with qtbot.waitSignal(app.analysis.analysed, timeout=ANSWER_WAIT_MS):
        _right_click(qtbot, _page_menu(app, start + 4), "Re-analyse")
    assert panel.tone.text() == "Bitterly Scornful"
    assert len(api.requests_to("/v1/messages")) == 2
    # Both answers are kept: the panel's history lists them.
    assert panel.history.count() == 2


def test_the_highlights_list_menu_analyses_and_shows(
    qtbot: QtBot, make_app: MakeApp, api: FakeAnthropic
) -> None:
    api.reply_json(ANSWER, usage=USAGE)
    app = _open_ballads(qtbot, make_app)
    window = app.window
    _select(app, PASSAGE)
    window.actions_.highlight.trigger()  # highlighted, not analysed
    listing = window.highlights_panel
    window.highlights_dock.show()
    window.highlights_dock.raise_()
    qtbot.waitUntil(lambda: listing.count() == 1)
    row = listing.visualRect(listing.model().index(0, 0)).center()

    def open_menu() -> None:
        listing.customContextMenuRequested.emit(row)

    with qtbot.waitSignal(app.analysis.analysed, timeout=ANSWER_WAIT_MS):
        entries = _right_click(qtbot, open_menu, "Analyse Tone")
    assert "Show Analysis" not in entries  # nothing to show yet
    assert window.tone_panel.tone.text() == "Harsh and Condemning"
    app.analysis.show_highlight(None)
    entries = _right_click(qtbot, open_menu, "Show Analysis")
    assert "Re-analyse" in entries
    assert window.tone_panel.tone.text() == "Harsh and Condemning"


def test_the_header_names_the_model_that_will_answer_and_each_answer_the_one_that_did(
    qtbot: QtBot, make_app: MakeApp, api: FakeAnthropic, profile: AppPaths
) -> None:
    save_settings(profile.settings_file, Settings(model="claude-sonnet-5-5"))
    # The API answers with a model the catalogue has no price for.
    api.reply_json(ANSWER, usage=USAGE, model="claude-mystery-7")
    app = _open_ballads(qtbot, make_app)
    panel = app.window.tone_panel
    assert "Next analysis: claude-sonnet-5-5" in panel.profile.text()
    _select(app, PASSAGE)
    with qtbot.waitSignal(app.analysis.analysed, timeout=ANSWER_WAIT_MS):
        app.window.actions_.analyse.trigger()
    assert api.requests_to("/v1/messages")[0].body["model"] == "claude-sonnet-5-5"
    assert panel.answered_by.text() == "Answered by claude-mystery-7"
    assert panel.answered_by.isVisible()
    details = panel.meta.text()
    assert "Cost unknown" in details
    assert "$" not in details
    assert "Next analysis: claude-sonnet-5-5" in panel.profile.text()


def test_with_no_model_chosen_the_header_names_the_listed_default(
    qtbot: QtBot, make_app: MakeApp, api: FakeAnthropic, profile: AppPaths
) -> None:
    write_discovered_model(profile.cache_dir, "claude-haiku-4-5")
    api.reply_json(ANSWER, usage=USAGE)
    app = _open_ballads(qtbot, make_app)
    assert "Next analysis: claude-haiku-4-5" in app.window.tone_panel.profile.text()
    _select(app, PASSAGE)
    with qtbot.waitSignal(app.analysis.analysed, timeout=ANSWER_WAIT_MS):
        app.window.actions_.analyse.trigger()
    # The header and the request agree on the model.
    assert api.requests_to("/v1/messages")[0].body["model"] == "claude-haiku-4-5"


def test_details_are_folded_away_until_opened_and_stay_as_the_reader_left_them(
    qtbot: QtBot, make_app: MakeApp, api: FakeAnthropic
) -> None:
    api.reply_json(ANSWER, usage=USAGE)
    app = _open_ballads(qtbot, make_app)
    panel = app.window.tone_panel
    _select(app, PASSAGE)
    with qtbot.waitSignal(app.analysis.analysed, timeout=ANSWER_WAIT_MS):
        app.window.actions_.analyse.trigger()
    # The reading text carries no figures; the Details line is closed.
    assert panel.details.isVisible()
    assert not panel.meta.isVisible()
    for reading in (panel.tone.text(), panel.facts.text(), panel.evidence.text()):
        assert "tokens" not in reading.lower()
        assert "$" not in reading
    qtbot.mouseClick(panel.details.toggle, Qt.MouseButton.LeftButton)
    assert panel.meta.isVisible()
    lines = panel.meta.text().splitlines()
    assert lines[0] == "Tokens: 9,424 in / 231 out"
    assert lines[1].startswith("Cost: $")
    assert lines[2].startswith("First words: ")
    assert lines[3].startswith("Whole answer: ")
    assert lines[4] == "Cache: 9,012 saved for next time"
    # Each figure on its own short line: none wraps at the panel's usual width.
    metrics = panel.meta.fontMetrics()
    assert max(metrics.horizontalAdvance(line) for line in lines) < 300
    assert app.settings.current.tone_details is True
    app.window.close()
    app.shutdown()

    again = make_app()
    again.start(None)
    wait_for_book(qtbot, again, "Lyrical Ballads")
    assert again.window.tone_panel.details.is_open()
    qtbot.mouseClick(again.window.tone_panel.details.toggle, Qt.MouseButton.LeftButton)
    assert again.settings.current.tone_details is False


def _ink(image: QImage) -> int:
    return sum(
        1
        for y in range(image.height())
        for x in range(image.width())
        if image.pixelColor(x, y).alpha() > 0
    )


def test_the_toolbar_has_one_icon_set_and_no_menu_arrow(
    qtbot: QtBot, make_app: MakeApp, api: FakeAnthropic
) -> None:
    del api
    app = make_app()
    app.window.show()
    qtbot.waitExposed(app.window)
    bar = app.window.findChild(QToolBar, "mainToolBar")
    assert isinstance(bar, QToolBar)
    actions = [a for a in bar.actions() if not a.isSeparator()]
    texts = [a.iconText().replace("&", "") for a in actions]
    assert "Analyse Tone" in texts
    drawings: set[bytes] = set()
    for action in actions:
        button = bar.widgetForAction(action)
        assert isinstance(button, QToolButton)
        assert button.menu() is None, f"{action.iconText()} carries a menu arrow"
        assert button.popupMode() != QToolButton.ToolButtonPopupMode.MenuButtonPopup
        assert not action.icon().isNull(), f"{action.iconText()} has no icon"
        image = action.icon().pixmap(24, 24).toImage()
        assert _ink(image) > 20, f"{action.iconText()}'s icon is blank"
        drawings.add(bytes(image.constBits()))
    assert len(drawings) == len(actions)  # each its own drawing
    # The set is drawn in the theme's text colour: light strokes on the dark theme.
    analyse = next(a for a in actions if a.iconText() == "Analyse Tone")
    assert isinstance(analyse, QAction)
    app.settings.update(theme="dark")
    image = analyse.icon().pixmap(24, 24).toImage()
    strokes = [
        image.pixelColor(x, y)
        for y in range(24)
        for x in range(24)
        if image.pixelColor(x, y).alpha() == 255
    ]
    assert strokes
    assert min(c.lightness() for c in strokes) > 150
