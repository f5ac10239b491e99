"""The Highlights list with thousands of highlights: listing, selecting, jumping, the menu."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QHeaderView, QMenu

from reader_app.core.anchors import make_anchor
from reader_app.core.records import NewHighlight
from reader_app.storage.db import transaction
from reader_app.storage.highlights import HighlightRepository
from tests.ui.conftest import CORPUS, MakeApp, wait_for_book

if TYPE_CHECKING:
    from PySide6.QtCore import QPoint
    from pytestqt.qtbot import QtBot

    from reader_app.app import ReaderApp
    from reader_app.core.records import Highlight
    from reader_app.ui.highlights_panel import HighlightsPanel

MOBY = CORPUS / "books" / "moby-dick_idpf_epub3.epub"
COLORS = ("yellow", "green", "blue", "pink", "purple")


def _seed(app: ReaderApp, count: int) -> None:
    """Store ``count`` highlights over the open book's chapters, as one import would."""
    book = app.window.pane.book
    assert book is not None
    texts = [c.text for c in book.chapters]
    chapters = [i for i, t in enumerate(texts) if len(t) > 3000]
    per_chapter = -(-count // len(chapters))
    repo = HighlightRepository(app.conn)
    made = 0
    with transaction(app.conn):
        for chapter in chapters:
            stride = len(texts[chapter]) // per_chapter
            for k in range(min(per_chapter, count - made)):
                start = texts[chapter].find(" ", k * stride) + 1
                anchor = make_anchor(texts, chapter, start, start + 20)
                repo.add(
                    NewHighlight(
                        book_id=book.book_id, chapter=chapter,
                        chapter_key=book.chapters[chapter].key, start=anchor.start,
                        end=anchor.end, quote=anchor.quote, prefix=anchor.prefix,
                        suffix=anchor.suffix, color=COLORS[made % 5],
                        note="see the sermon" if made % 7 == 0 else "",
                    )
                )  # fmt: skip
                made += 1
    app.highlights.refresh()


def _open_with(qtbot: QtBot, make_app: MakeApp, count: int) -> tuple[ReaderApp, HighlightsPanel]:
    app = make_app()
    app.window.show()
    app.window.open_path(MOBY)
    wait_for_book(qtbot, app, "Moby-Dick")
    app.window.highlights_dock.raise_()
    _seed(app, count)
    panel = app.window.highlights_panel
    assert panel.count() == count
    return app, panel


def _show_row(panel: HighlightsPanel, row: int) -> QPoint:
    index = panel.model().index(row, 0)
    panel.scrollTo(index)
    return panel.visualRect(index).center()


def _stored(app: ReaderApp, row: int) -> Highlight:
    return app.highlights.highlights[row]


def test_three_thousand_highlights_are_listed_in_reading_order(
    qtbot: QtBot, make_app: MakeApp
) -> None:
    app, panel = _open_with(qtbot, make_app, 3000)
    stored = app.highlights.highlights
    assert [panel.item(r).highlight_id for r in (0, 1499, 2999)] == [
        stored[0].id, stored[1499].id, stored[2999].id,
    ]  # fmt: skip
    first = panel.item(0).text()
    assert first.startswith(f"“{' '.join(stored[0].quote.split())}”")
    assert "✎ see the sermon" in first  # the 1st, 8th, … carry a note
    assert "✎" not in panel.item(1).text()
    book = app.window.pane.book
    assert book is not None
    assert first.endswith(book.section_title(stored[0].chapter, stored[0].start))
    # One fixed row height for all, so the view never measures or walks 3,000 rows.
    header = panel.verticalHeader()
    assert header.sectionResizeMode(0) == QHeaderView.ResizeMode.Fixed
    assert {header.sectionSize(r) for r in (0, 1, 2999)} == {header.defaultSectionSize()}
    panel.grab()
    assert 0 < len(panel.delegate.layouts) < 100
    # A larger font makes every row taller at once.
    height = header.defaultSectionSize()
    font = panel.font()
    font.setPointSizeF(font.pointSizeF() * 1.5)
    panel.setFont(font)
    assert header.defaultSectionSize() > height
    assert header.sectionSize(2999) == header.defaultSectionSize()


def test_click_selects_ctrl_click_adds_and_double_click_jumps(
    qtbot: QtBot, make_app: MakeApp
) -> None:
    app, panel = _open_with(qtbot, make_app, 3000)
    pane = app.window.pane
    viewport = panel.viewport()
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=_show_row(panel, 2500))
    assert panel.current_id() == _stored(app, 2500).id
    qtbot.mouseClick(
        viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier,
        _show_row(panel, 2502),
    )  # fmt: skip
    assert panel.selected_ids() == [_stored(app, 2500).id, _stored(app, 2502).id]

    # A double-click is a press and release, then a second press the system reports
    # as a double-click: QTest sends only the last, so the first click comes before it.
    target = _stored(app, 1234)
    point = _show_row(panel, 1234)
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=point)
    qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=point)
    assert pane.chapter == target.chapter
    assert pane.view.selected_range() == (target.start, target.end)
    assert pane.view.text[target.start : target.end] == target.quote


def test_keyboard_moves_jumps_and_deletes(qtbot: QtBot, make_app: MakeApp) -> None:
    app, panel = _open_with(qtbot, make_app, 3000)
    panel.setFocus()
    qtbot.keyClick(panel, Qt.Key.Key_End)
    assert panel.current_id() == _stored(app, 2999).id
    qtbot.keyClick(panel, Qt.Key.Key_Home)
    assert panel.current_id() == _stored(app, 0).id
    panel.select_highlight(_stored(app, 100).id)
    qtbot.keyClick(panel, Qt.Key.Key_Down)
    target = _stored(app, 101)
    assert panel.current_id() == target.id
    qtbot.keyClick(panel, Qt.Key.Key_Return)
    assert app.window.pane.view.selected_range() == (target.start, target.end)
    panel.setFocus()
    qtbot.keyClick(panel, Qt.Key.Key_Delete)
    assert app.highlights.get(target.id) is None
    assert panel.count() == 2999
    assert panel.model().index(101, 0).data(Qt.ItemDataRole.UserRole) == _stored(app, 101).id


def test_a_click_on_a_mark_in_the_page_shows_its_row(qtbot: QtBot, make_app: MakeApp) -> None:
    app, panel = _open_with(qtbot, make_app, 3000)
    target = _stored(app, 2900)
    app.window.jump_to_highlight(target.id)
    app.window.pane.view.mark_clicked.emit(target.id)
    assert panel.current_id() == target.id
    row = panel.model().index(2900, 0)
    assert panel.viewport().rect().intersects(panel.visualRect(row))


def test_context_menu_recolours_and_deletes(qtbot: QtBot, make_app: MakeApp) -> None:
    app, panel = _open_with(qtbot, make_app, 3000)
    target = _stored(app, 42)

    def choose(*path: str) -> None:
        def pick() -> None:
            menu = QApplication.activePopupWidget()
            assert isinstance(menu, QMenu)
            top = menu
            for name in path:
                action = next(a for a in menu.actions() if a.text() == name)
                sub = action.menu()
                if isinstance(sub, QMenu):
                    menu = sub
                else:
                    action.trigger()
            top.close()

        QTimer.singleShot(0, pick)
        panel.customContextMenuRequested.emit(_show_row(panel, 42))

    choose("Colour", "Pink")
    assert app.highlights.get(target.id).color == "pink"  # type: ignore[union-attr]
    assert panel.model().index(42, 0).data(Qt.ItemDataRole.UserRole + 2) == "pink"
    choose("Delete Highlight")
    assert app.highlights.get(target.id) is None
    assert panel.count() == 2999


def test_an_empty_list_says_how_to_make_a_highlight(qtbot: QtBot, make_app: MakeApp) -> None:
    app = make_app()
    app.window.show()
    app.window.open_path(MOBY)
    wait_for_book(qtbot, app, "Moby-Dick")
    panel = app.window.highlights_panel
    assert panel.count() == 0
    assert panel.current_id() is None
    assert panel.selected_ids() == []
    assert panel.empty_hint.isVisibleTo(panel)
    assert "Select text and press H" in panel.empty_hint.text()
    _seed(app, 1)
    assert panel.count() == 1
    assert not panel.empty_hint.isVisibleTo(panel)
