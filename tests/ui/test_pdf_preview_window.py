"""A long PDF's first chapter is on the page to read while the rest of it is parsed."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from reader_app.core.book import BookFormat
from tests.ui.conftest import CORPUS, MakeApp, drop_file, wait_for_book

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

NOVEL = Path(__file__).resolve().parents[1] / "data" / "pdf" / "pride-and-prejudice.pdf"


def test_a_dropped_pdf_is_readable_before_it_is_whole(qtbot: QtBot, make_app: MakeApp) -> None:
    app = make_app()
    window = app.window
    window.show()
    window.open_path(CORPUS / "books" / "frankenstein_pg84_ascii.txt")
    wait_for_book(qtbot, app, "Frankenstein")
    assert window.toc.topLevelItemCount() > 0

    with qtbot.waitSignal(app.book_service.book_previewed, timeout=10_000):
        drop_file(window, NOVEL)
    pane = window.pane
    # The first pages are on the page; nothing can be marked until the whole book is in.
    assert pane.book is None
    assert pane.previewing
    assert "Pride" in pane.view.toPlainText() or "PRIDE" in pane.view.toPlainText()
    assert "reading the rest of the book" in pane.chapter_label.text()
    assert window.windowTitle().startswith("Pride and Prejudice — ")  # not Frankenstein
    assert window.toc.topLevelItemCount() == 0  # Frankenstein's contents are gone
    pane.view.selectAll()
    assert not window.actions_.highlight.isEnabled()
    assert not window.actions_.analyse.isEnabled()
    assert not pane.next_button.isEnabled()

    wait_for_book(qtbot, app)
    book = pane.book
    assert book is not None
    assert book.format is BookFormat.PDF
    assert not pane.previewing
    assert len(book.chapters) > 60
    assert window.toc.topLevelItemCount() > 0
    assert "reading the rest" not in pane.chapter_label.text()
    pane.view.selectAll()
    assert window.actions_.highlight.isEnabled()


def test_a_pdf_read_before_opens_whole_at_its_place(qtbot: QtBot, make_app: MakeApp) -> None:
    app = make_app()
    window = app.window
    window.show()
    window.open_path(NOVEL)
    wait_for_book(qtbot, app)
    window.pane.go_to(5)
    window.open_path(CORPUS / "books" / "frankenstein_pg84_ascii.txt")
    wait_for_book(qtbot, app, "Frankenstein")

    previews: list[object] = []
    app.book_service.book_previewed.connect(previews.append)
    window.open_path(NOVEL)
    wait_for_book(qtbot, app)
    assert previews == []  # cached: it is whole at once, at the chapter left
    assert window.pane.chapter == 5
