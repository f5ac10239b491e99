"""The reader driven like a person would: open, navigate, search, highlight, reopen."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

from tests.ui.conftest import CORPUS, MakeApp, drop_file, wait_for_book

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from reader_app.app import ReaderApp
    from reader_app.config.paths import AppPaths

MOBY = CORPUS / "books" / "moby-dick_idpf_epub3.epub"
WAR = CORPUS / "books" / "war-and-peace_pg2600_utf8-bom.txt"


def _toc_item(app: ReaderApp, title: str):  # type: ignore[no-untyped-def]
    items = app.window.toc.findItems(title, Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive)
    assert items, f"no TOC entry {title!r}"
    return items[0]


def test_first_start_opens_the_bundled_book_and_toc_lands_on_the_poem(
    qtbot: QtBot, make_app: MakeApp
) -> None:
    app = make_app()
    app.start(None)
    wait_for_book(qtbot, app, "Lyrical Ballads")
    window = app.window
    assert window.windowTitle() == "Lyrical Ballads — Tone Reader"
    item = _toc_item(app, "The Tables Turned")
    window.toc.setCurrentItem(item)
    qtbot.keyClick(window.toc, Qt.Key.Key_Return)
    pane = window.pane
    chapter, offset = item.data(0, Qt.ItemDataRole.UserRole)
    assert pane.chapter == chapter
    top = pane.view.first_visible_offset()
    # The poem's title is the first line on the page.
    assert abs(top - offset) < 20
    assert pane.view.text[offset:].startswith("The Tables Turned")
    assert window.toc.currentItem() is item


def test_open_navigate_search_highlight_and_reopen(
    qtbot: QtBot, make_app: MakeApp, profile: AppPaths
) -> None:
    app = make_app()
    app.window.show()
    app.window.open_path(MOBY)
    wait_for_book(qtbot, app, "Moby-Dick")
    window, pane = app.window, app.window.pane
    assert len(pane.book.chapters) == 144  # type: ignore[union-attr]

    # Keyboard: next and previous chapter.
    start = pane.chapter
    qtbot.keyClick(pane.view, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert pane.chapter == start + 1
    qtbot.keyClick(pane.view, Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier)
    assert pane.chapter == start

    # Contents → Chapter 1.
    item = _toc_item(app, "Chapter 1. Loomings.")
    window.toc.itemClicked.emit(item, 0)
    loomings = pane.chapter
    assert "Call me Ishmael." in pane.view.text[:300]

    # Search the whole book.
    window.show_search()
    qtbot.keyClicks(window.search.query, "Queequeg")
    qtbot.keyClick(window.search.query, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.search.model.rowCount() > 100, timeout=5000)
    assert "matches" in window.search.status.text()
    hit = window.search.model.hit(0)
    window.search.results.activated.emit(window.search.model.index(5))
    hit = window.search.model.hit(5)
    assert pane.chapter == hit.chapter
    assert pane.view.text[hit.start : hit.end] == "Queequeg"
    assert pane.view.selected_range() == (hit.start, hit.end)

    # Back returns to Loomings.
    qtbot.keyClick(pane.view, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert pane.chapter == loomings

    # Select "Call me Ishmael." and press H.
    text = pane.view.text
    begin = text.index("Call me Ishmael.")
    pane.view.select_range(begin, begin + len("Call me Ishmael."))
    pane.view.setFocus()
    qtbot.keyClick(pane.view, Qt.Key.Key_H)
    highlights = app.highlights.highlights
    assert len(highlights) == 1
    assert highlights[0].quote == "Call me Ishmael."
    assert window.highlights_panel.count() == 1
    assert "Call me Ishmael." in window.highlights_panel.item(0).text()
    # It is drawn on the page.
    assert any(s.cursor.selectedText() == "Call me Ishmael." for s in pane.view.extraSelections())

    # Scroll a little way into the chapter and close: the place is saved.
    pane.view.verticalScrollBar().setValue(pane.view.verticalScrollBar().maximum() // 2)
    place = pane.location()
    window.close()
    app.shutdown()
    with sqlite3.connect(profile.database) as conn:
        row = conn.execute("SELECT position_chapter, position_offset FROM books").fetchone()
    assert tuple(row) == place

    # Reopen: last book, same place, highlight back.
    again = make_app()
    again.start(None)
    wait_for_book(qtbot, again, "Moby-Dick")
    assert again.window.pane.chapter == place[0]
    assert abs(again.window.pane.view.first_visible_offset() - place[1]) < 80
    assert [h.quote for h in again.highlights.highlights] == ["Call me Ishmael."]


def test_war_and_peace_chapter_switch_and_progress(qtbot: QtBot, make_app: MakeApp) -> None:
    app = make_app()
    app.window.show()
    app.window.open_path(WAR)
    wait_for_book(qtbot, app, "War and Peace")
    pane = app.window.pane
    item = _toc_item(app, "SECOND EPILOGUE")
    app.window.toc.itemClicked.emit(item, 0)
    assert pane.view.text.startswith("SECOND EPILOGUE\nCHAPTER I\nHistory is the life of nations")
    assert pane.progress() > 0.9
    assert pane.chapter_label.text().startswith("SECOND EPILOGUE")


def test_highlight_note_colour_delete_and_undo(qtbot: QtBot, make_app: MakeApp) -> None:
    app = make_app()
    app.window.show()
    app.window.open_path(CORPUS / "books" / "frankenstein_pg84_ascii.txt")
    wait_for_book(qtbot, app)
    window, pane = app.window, app.window.pane
    pane.go_to(1)
    pane.view.select_range(0, 8)
    window.actions_.colors[2].trigger()  # "3": blue
    (item,) = app.highlights.highlights
    assert item.color == "blue"
    app.highlights.set_note(item.id, "  Walton writes home.  ")
    assert app.highlights.highlights[0].note == "Walton writes home."
    assert "Walton writes home." in window.highlights_panel.item(0).text()
    window.highlights_panel.setCurrentRow(0)
    window.highlights_panel.setFocus()
    qtbot.keyClick(window.highlights_panel, Qt.Key.Key_Delete)
    assert app.highlights.highlights == []
    assert window.actions_.undo.isEnabled()
    window.actions_.undo.trigger()
    assert [h.note for h in app.highlights.highlights] == ["Walton writes home."]


def test_highlight_that_lost_its_text_is_kept_as_orphan(
    qtbot: QtBot, make_app: MakeApp, profile: AppPaths
) -> None:
    app = make_app()
    app.window.show()
    app.window.open_path(CORPUS / "books" / "die-verwandlung_pg22367_latin1_de.txt")
    wait_for_book(qtbot, app)
    book = app.window.pane.book
    assert book is not None
    app.highlights.add(1, 0, 20)
    app.window.close()
    app.shutdown()
    with sqlite3.connect(profile.database) as conn:
        conn.execute("UPDATE highlights SET quote = 'Dieser Satz steht nirgends im Buch.'")
    again = make_app()
    again.start(None)
    wait_for_book(qtbot, again)
    (item,) = again.highlights.highlights
    assert item.orphaned
    assert "Not found in this edition" in again.window.highlights_panel.item(0).text()
    assert again.window.pane.view.extraSelections() == []
    assert "could not be placed" in again.window.pane.banner.message


def test_broken_file_shows_one_line_and_keeps_the_book(qtbot: QtBot, make_app: MakeApp) -> None:
    app = make_app()
    app.window.show()
    app.window.open_path(CORPUS / "books" / "frankenstein_pg84_ascii.txt")
    wait_for_book(qtbot, app, "Frankenstein")
    app.window.open_path(
        CORPUS / "epub-samples" / "broken" / "epubcheck-zip-no-end-header-fatal.epub"
    )
    qtbot.waitUntil(lambda: app.window.pane.banner.message != "", timeout=5000)
    message = app.window.pane.banner.message
    assert "damaged or incomplete" in message
    assert "\n" not in message
    assert app.window.pane.book is not None
    assert app.window.pane.book.title == "Frankenstein"


def test_drop_a_file_opens_it(qtbot: QtBot, make_app: MakeApp) -> None:
    app = make_app()
    app.window.show()
    drop_file(app.window, CORPUS / "books" / "songs-of-innocence-and-of-experience_blake.md")
    wait_for_book(qtbot, app, "Songs of Innocence and of Experience")


def test_themes_and_font_size(qtbot: QtBot, make_app: MakeApp, profile: AppPaths) -> None:
    app = make_app()
    app.window.show()
    app.window.open_path(CORPUS / "books" / "frankenstein_pg84_ascii.txt")
    wait_for_book(qtbot, app)
    window = app.window
    window.actions_.themes["dark"].trigger()
    assert window.pane.view.palette().base().color().name() == "#1e1f22"
    window.actions_.themes["sepia"].trigger()
    assert window.pane.view.palette().base().color().name() == "#f4ecd8"
    size = window.settings.font_size
    window.actions_.larger.trigger()
    assert window.pane.view.document().defaultFont().pointSize() == size + 1
    window.close()
    saved = Path(profile.settings_file).read_text("utf-8")
    assert '"theme": "sepia"' in saved
    assert f'"font_size": {size + 1}' in saved


def test_opening_another_book_replaces_the_page(qtbot: QtBot, make_app: MakeApp) -> None:
    app = make_app()
    app.window.show()
    app.window.open_path(MOBY)
    wait_for_book(qtbot, app, "Moby-Dick")
    pane = app.window.pane
    assert pane.chapter == 0
    assert "res:" in pane.book.chapters[0].html  # type: ignore[union-attr]  # the cover image
    app.window.open_path(WAR)
    wait_for_book(qtbot, app, "War and Peace")
    assert pane.chapter == 0
    assert pane.view.text == pane.book.chapters[0].text  # type: ignore[union-attr]
    assert pane.view.toPlainText() == pane.view.text.replace("\xa0", " ")
    assert "CONTENTS" in pane.chapter_label.text()


def test_footer_names_the_poem_inside_a_volume(qtbot: QtBot, make_app: MakeApp) -> None:
    app = make_app()
    app.start(None)
    wait_for_book(qtbot, app, "Lyrical Ballads")
    item = _toc_item(app, "We Are Seven")
    app.window.toc.itemClicked.emit(item, 0)
    qtbot.waitUntil(lambda: app.window.pane.chapter_label.text().startswith("We Are Seven"))
    pane = app.window.pane
    start = pane.view.text.index("A simple child")
    app.highlights.add(pane.chapter, start, start + len("A simple child"))
    assert "We Are Seven" in app.window.highlights_panel.item(0).text()


def test_examples_window_shows_the_seed(qtbot: QtBot, make_app: MakeApp) -> None:
    app = make_app()
    app.start(None)
    wait_for_book(qtbot, app, "Lyrical Ballads")
    app.window.actions_.examples.trigger()
    dialog = app.window.tone.examples_dialog
    assert dialog is not None
    assert dialog.isVisible()
    assert dialog.model.rowCount() == len(app.examples.all()) >= 45  # the shipped library
    app.window.actions_.examples.trigger()  # one window, raised again
    assert app.window.tone.examples_dialog is dialog


def test_resizing_the_window_keeps_the_place(qtbot: QtBot, make_app: MakeApp) -> None:
    app = make_app()
    app.window.resize(1180, 800)
    app.window.show()
    app.window.open_path(MOBY)
    wait_for_book(qtbot, app, "Moby-Dick")
    pane = app.window.pane
    item = _toc_item(app, "Chapter 1. Loomings.")
    app.window.toc.itemClicked.emit(item, 0)
    bar = pane.view.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)
    before = pane.view.first_visible_offset()
    assert before > 1000
    # Narrower and wider again: every line re-wraps, and the text at the top stays within
    # a line or two of the top (before the fix it jumped by thousands of characters).
    for width in (700, 1300, 900):
        app.window.resize(width, 800)
        qtbot.waitUntil(lambda w=width: app.window.width() == w)  # type: ignore[misc]
        assert abs(pane.view.first_visible_offset() - before) < 200
