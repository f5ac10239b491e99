"""A Project Gutenberg book opens on its own first page; its wrapping is one click away."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from tests.ui.conftest import CORPUS, MakeApp, wait_for_book

if TYPE_CHECKING:
    from PySide6.QtGui import QAction
    from pytestqt.qtbot import QtBot

    from reader_app.ui.reader_pane import ReaderPane

BALLADS = CORPUS / "books" / "lyrical-ballads-1798_pg9622_latin1.html"


def _press(qtbot: QtBot, pane: ReaderPane, action: QAction) -> None:
    """Press the action's first shortcut on the page, as the reader does."""
    combo = QKeySequence(action.shortcuts()[0])[0]  # type: ignore[index]
    pane.view.setFocus()
    qtbot.keyClick(pane.view, combo.key(), combo.keyboardModifiers())


def _page_to_the_end(qtbot: QtBot, pane: ReaderPane) -> None:
    """Space (a page down) until the page shows the chapter's last line."""
    bar = pane.view.verticalScrollBar()
    for _ in range(200):
        if bar.value() >= bar.maximum():
            return
        qtbot.keyClick(pane.view, Qt.Key.Key_Space)
    raise AssertionError("Space never reached the end of the chapter")


def test_about_this_file_is_in_the_contents_and_out_of_the_reading(
    qtbot: QtBot, make_app: MakeApp
) -> None:
    app = make_app()
    app.start(str(BALLADS))  # as `tone-reader FILE` opens it
    wait_for_book(qtbot, app, "Lyrical Ballads 1798")
    window, pane = app.window, app.window.pane
    book = pane.book
    assert book is not None

    # The first page is the book's title page, with no licence header above it.
    assert pane.chapter == 0
    assert pane.view.text.startswith("LYRICAL BALLADS,\nWITH A FEW OTHER POEMS.")
    assert "Gutenberg" not in pane.view.text
    assert pane.progress_label.text() == "0%"

    # The contents end with "About this file", which opens the header and licence.
    toc = window.toc
    last = toc.topLevelItem(toc.topLevelItemCount() - 1)
    assert last.text(0) == "About this file"
    toc.itemClicked.emit(last, 0)
    about = len(book.chapters) - 1
    assert pane.chapter == about
    assert pane.view.text.startswith("About this file\nThe Project Gutenberg EBook of Lyrical")
    assert "Produced by Jonathan Ingram" in pane.view.text
    assert "Project Gutenberg-tm" in pane.view.text
    assert pane.chapter_label.text() == "About this file"

    # Previous leads back into the book: the start of its last poem.
    _press(qtbot, pane, window.actions_.prev_chapter)
    assert pane.chapter == about - 1
    assert pane.view.text.startswith("LINES WRITTEN A FEW MILES ABOVE TINTERN ABBEY")
    # There is no section after it: Next stays, and so does paging past the end.
    assert not pane.next_button.isEnabled()
    _press(qtbot, pane, window.actions_.next_chapter)
    assert pane.chapter == about - 1
    _page_to_the_end(qtbot, pane)
    assert pane.view.text.endswith("END.")
    qtbot.keyClick(pane.view, Qt.Key.Key_PageDown)
    qtbot.keyClick(pane.view, Qt.Key.Key_Space)
    assert pane.chapter == about - 1
    # The last page of the book is (about) 100 %: the licence is left out of the count,
    # where it would make the end 86 %.
    qtbot.waitUntil(lambda: int(pane.progress_label.text().rstrip("%")) >= 98)
