"""Next and Previous step through the table of contents, as a reader presses them."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from tests.ui.conftest import CORPUS, MakeApp, wait_for_book

if TYPE_CHECKING:
    from PySide6.QtGui import QAction
    from pytestqt.qtbot import QtBot

    from reader_app.ui.reader_pane import ReaderPane

PRIDE = CORPUS / "books" / "pride-and-prejudice_pg1342_epub2.epub"
BALLADS = CORPUS / "books" / "lyrical-ballads_standardebooks_epub3.epub"
FOOTER = re.compile(r"^(?P<title>.+)  ·  (?P<number>\d+) of (?P<total>\d+)$")


def _press(qtbot: QtBot, pane: ReaderPane, action: QAction) -> None:
    """Press the action's first shortcut on the page, as the reader does."""
    combo = QKeySequence(action.shortcuts()[0])[0]  # type: ignore[index]
    pane.view.setFocus()
    qtbot.keyClick(pane.view, combo.key(), combo.keyboardModifiers())


def _top_line(pane: ReaderPane) -> str:
    """The line of text at the top of the page."""
    text = pane.view.text
    top = pane.view.first_visible_offset()
    start = text.rfind("\n", 0, top) + 1
    end = text.find("\n", top)
    return text[start : end if end >= 0 else len(text)]


def _footer(pane: ReaderPane) -> tuple[str, int, int]:
    found = FOOTER.match(pane.chapter_label.text())
    assert found, pane.chapter_label.text()
    return found["title"], int(found["number"]), int(found["total"])


def _footer_title(pane: ReaderPane) -> str:
    found = FOOTER.match(pane.chapter_label.text())
    return found["title"] if found else ""


def _percent(pane: ReaderPane) -> int:
    return int(pane.progress_label.text().rstrip("%"))


def test_pride_and_prejudice_next_and_previous_go_chapter_by_chapter(
    qtbot: QtBot, make_app: MakeApp
) -> None:
    app = make_app()
    app.start(str(PRIDE))  # as `tone-reader book.epub` opens it
    wait_for_book(qtbot, app, "Pride and Prejudice")
    window, pane = app.window, app.window.pane
    next_action, previous_action = window.actions_.next_chapter, window.actions_.prev_chapter
    assert pane.chapter == 0

    # The title page's entry, then every chapter in turn: the footer names it and its
    # place in the contents, and its heading is the first line on the page.
    for _ in range(2):
        if _footer_title(pane) == "Chapter 1":
            break
        assert _footer_title(pane) in ("PRIDE AND PREJUDICE", "")
        _press(qtbot, pane, next_action)
    percent = 0
    files_seen = set()
    for chapter in range(1, 62):
        if chapter > 1:
            _press(qtbot, pane, next_action)
        # The title entry comes first: 61 chapters and it make 62 places.
        assert _footer(pane) == (f"Chapter {chapter}", chapter + 1, 62)
        assert _top_line(pane) == f"Chapter {chapter}", f"Next to Chapter {chapter}"
        assert window.toc.currentItem().text(0) == f"Chapter {chapter}"
        assert _percent(pane) >= percent
        percent = _percent(pane)
        files_seen.add(pane.chapter)
    assert files_seen == set(range(14))
    assert percent >= 98
    assert not pane.next_button.isEnabled()
    _press(qtbot, pane, next_action)  # at the last chapter, Next stays
    assert _footer(pane)[0] == "Chapter 61"

    # Previous at a chapter's start: the chapter before, across file boundaries too.
    for chapter in range(60, 50, -1):
        _press(qtbot, pane, previous_action)
        assert _footer(pane)[:2] == (f"Chapter {chapter}", chapter + 1)
        assert _top_line(pane) == f"Chapter {chapter}"

    # Well into a chapter, Previous returns to its start first, then goes on.
    for _ in range(3):
        qtbot.keyClick(pane.view, Qt.Key.Key_PageDown)
    qtbot.waitUntil(lambda: pane.view.first_visible_offset() > 0)
    assert _footer(pane)[0] == "Chapter 51"
    assert _top_line(pane) != "Chapter 51"
    _press(qtbot, pane, previous_action)
    assert _top_line(pane) == "Chapter 51"
    _press(qtbot, pane, previous_action)
    assert _top_line(pane) == "Chapter 50"
    # Next from the middle of a chapter: the start of the following one.
    qtbot.keyClick(pane.view, Qt.Key.Key_PageDown)
    _press(qtbot, pane, next_action)
    assert _footer(pane)[0] == "Chapter 51"
    assert _top_line(pane) == "Chapter 51"


def test_lyrical_ballads_next_goes_poem_by_poem_into_the_second_volume(
    qtbot: QtBot, make_app: MakeApp
) -> None:
    app = make_app()
    app.start(str(BALLADS))
    wait_for_book(qtbot, app, "Lyrical Ballads")
    window, pane = app.window, app.window.pane
    found = window.toc.findItems(
        "Lines Written a Few Miles Above Tintern Abbey",
        Qt.MatchFlag.MatchStartsWith | Qt.MatchFlag.MatchRecursive,
    )
    assert len(found) == 1
    last_of_first = found[0]  # the last poem of Volume I
    window.toc.itemClicked.emit(last_of_first, 0)
    title, number, _total = _footer(pane)
    assert title.startswith("Lines Written a Few Miles Above Tintern Abbey")
    volume = pane.chapter
    # Next: the first poem of Volume II, with the volume's heading above it.
    _press(qtbot, pane, window.actions_.next_chapter)
    assert pane.chapter == volume + 1
    assert _footer(pane)[:2] == ("Hart-Leap Well", number + 1)
    assert _top_line(pane) == "Volume II"
    assert window.toc.currentItem().text(0) == "Hart-Leap Well"  # not "Volume II"
    # Then the poems one by one: Hart-Leap Well's "Part Second" is not a stop.
    _press(qtbot, pane, window.actions_.next_chapter)
    assert _footer(pane)[:2] == ("There Was a Boy", number + 2)
    assert _top_line(pane).startswith("There was a Boy")
    _press(qtbot, pane, window.actions_.next_chapter)
    assert _footer(pane)[0] == "The Brothers"
    # And back again.
    _press(qtbot, pane, window.actions_.prev_chapter)
    _press(qtbot, pane, window.actions_.prev_chapter)
    assert _footer(pane)[0] == "Hart-Leap Well"
    _press(qtbot, pane, window.actions_.prev_chapter)
    assert pane.chapter == volume
    assert _footer(pane)[0].startswith("Lines Written a Few Miles Above Tintern Abbey")


def test_a_long_title_is_cut_in_the_footer_and_its_place_kept(
    qtbot: QtBot, make_app: MakeApp
) -> None:
    app = make_app()
    app.start(str(BALLADS))
    wait_for_book(qtbot, app, "Lyrical Ballads")
    window, pane = app.window, app.window.pane
    found = window.toc.findItems(
        "Lines Written a Few Miles Above Tintern Abbey",
        Qt.MatchFlag.MatchStartsWith | Qt.MatchFlag.MatchRecursive,
    )
    window.toc.itemClicked.emit(found[0], 0)
    label = pane.chapter_label
    whole = label.text()
    assert whole.startswith("Lines Written a Few Miles Above Tintern Abbey, on Revisiting")
    # The footer never asks for the width of the whole title.
    assert label.minimumSizeHint().width() < 100
    label.resize(320, label.height())
    shown = label._shortened(320)
    assert shown.endswith(f"…  ·  {_footer(pane)[1]} of {_footer(pane)[2]}")
    assert label.fontMetrics().horizontalAdvance(shown) <= 320
    assert label.text() == whole  # for screen readers
    assert label.toolTip() == whole
