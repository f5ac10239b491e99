"""A clipping imported before its book was ever opened is placed when the book opens."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from reader_app.core.importers.clippings import parse_clippings, to_annotations
from reader_app.storage.db import open_database
from reader_app.usecases.importing import import_annotations
from tests.ui.conftest import CORPUS, MakeApp, wait_for_book

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from reader_app.config.paths import AppPaths

PRIDE = CORPUS / "books" / "pride-and-prejudice_pg1342_utf8-bom.txt"
OPENING = (
    "It is a truth universally acknowledged, that a single man in possession of a good"
    " fortune, must be in want of a wife."
)
CLIPPINGS = (
    "\ufeffPride and Prejudice (Austen, Jane)\r\n"
    "- Your Highlight on page 1 | Location 10-12 | Added on Monday, April 21, 2014 10:08:07 PM"
    f"\r\n\r\n{OPENING}\r\n==========\r\n"
    "Pride and Prejudice (Austen, Jane)\r\n"
    "- Your Note on page 1 | Location 12 | Added on Monday, April 21, 2014 10:08:30 PM"
    "\r\n\r\nThe famous first line.\r\n==========\r\n"
)


def test_an_imported_clipping_is_placed_and_drawn_when_its_book_opens(
    qtbot: QtBot, make_app: MakeApp, profile: AppPaths
) -> None:
    conn = open_database(profile.database)
    try:
        result = import_annotations(
            conn, to_annotations(parse_clippings(CLIPPINGS).clippings), source="kindle"
        )
    finally:
        conn.close()
    assert (result.imported, result.orphans) == (1, 1)

    app = make_app()
    app.window.show()
    app.window.open_path(PRIDE)
    wait_for_book(qtbot, app, "Pride and Prejudice")

    (item,) = app.highlights.highlights
    assert not item.orphaned
    assert (item.chapter, item.start, item.end) == (0, 45, 45 + len(OPENING))
    assert (item.note, item.source, item.section) == (
        "The famous first line.",
        "kindle",
        "Chapter 1",
    )
    pane = app.window.pane
    assert pane.chapter == 0
    assert any(s.cursor.selectedText() == OPENING for s in pane.view.extraSelections())
    assert "could not be placed" not in pane.banner.message
    assert "The famous first line." in app.window.highlights_panel.item(0).text()
    # The placeholder book is gone; the highlight belongs to the real one.
    with sqlite3.connect(profile.database) as db:
        books = db.execute("SELECT id, placeholder FROM books").fetchall()
    assert books == [(item.book_id, 0)]
