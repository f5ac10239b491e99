"""Searching War and Peace in the real window: thousands of results, painted cheaply."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QHeaderView, QStyleOptionViewItem, QTableView

from reader_app.services.search_service import RESULT_LIMIT
from reader_app.ui.row_text import RowText
from reader_app.ui.search_panel import HitDelegate, snippet_text
from tests.ui.conftest import CORPUS, MakeApp, wait_for_book

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from reader_app.app import ReaderApp

WAR = CORPUS / "books" / "war-and-peace_pg2600_utf8-bom.txt"


def _search(qtbot: QtBot, app: ReaderApp, query: str, rows: int) -> None:
    window = app.window
    window.show_search()
    qtbot.keyClicks(window.search.query, query)
    qtbot.keyClick(window.search.query, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.search.model.rowCount() == rows, timeout=10_000)


def _open_war(qtbot: QtBot, make_app: MakeApp) -> ReaderApp:
    app = make_app()
    app.window.show()
    app.window.open_path(WAR)
    wait_for_book(qtbot, app)
    return app


def test_a_search_with_thousands_of_hits_lists_them_and_enter_jumps_to_one(
    qtbot: QtBot, make_app: MakeApp
) -> None:
    app = _open_war(qtbot, make_app)
    panel, pane = app.window.search, app.window.pane
    _search(qtbot, app, "prince", RESULT_LIMIT)
    assert panel.results.model().rowCount() == 2000
    assert "2,000" in panel.status.text()  # "… matches in … chapters · first 2,000 shown"
    assert "first 2,000 shown" in panel.status.text()

    # Keyboard: from the last row, Enter shows that match on the page, selected.
    panel.results.setFocus()
    last = panel.model.index(1999)
    panel.results.setCurrentIndex(last)
    qtbot.keyClick(panel.results, Qt.Key.Key_Return)
    hit = panel.model.hit(1999)
    assert pane.chapter == hit.chapter
    assert pane.view.selected_range() == (hit.start, hit.end)
    assert pane.view.text[hit.start : hit.end].lower() == "prince"

    # A click on another row goes there too.
    index = panel.model.index(3)
    panel.results.scrollTo(index)
    qtbot.mouseClick(
        panel.results.viewport(),
        Qt.MouseButton.LeftButton,
        pos=panel.results.visualRect(index).center(),
    )
    hit = panel.model.hit(3)
    assert (pane.chapter, pane.view.selected_range()) == (hit.chapter, (hit.start, hit.end))


def test_every_result_row_has_one_size_and_only_painted_rows_are_laid_out(
    qtbot: QtBot, make_app: MakeApp
) -> None:
    app = _open_war(qtbot, make_app)
    panel = app.window.search
    _search(qtbot, app, "Pierre", 1964)
    results = panel.results
    delegate = results.itemDelegate()
    assert isinstance(delegate, HitDelegate)
    # Every row has one fixed height, and the size never depends on a row's text.
    header = results.verticalHeader()
    assert header.sectionResizeMode(0) == QHeaderView.ResizeMode.Fixed
    assert {header.sectionSize(r) for r in (0, 1963)} == {header.defaultSectionSize()}
    delegate.layouts.clear()
    sizes = {
        delegate.sizeHint(_option(results), panel.model.index(row)).toTuple()
        for row in range(panel.model.rowCount())
    }
    assert len(sizes) == 1
    assert len(delegate.layouts) == 0  # sizing laid out nothing

    results.grab()  # paints the rows on screen
    visible = results.viewport().height() // next(iter(sizes))[1] + 2
    assert 0 < len(delegate.layouts) <= visible
    results.scrollToBottom()
    results.grab()
    assert len(delegate.layouts) <= 2 * visible


def test_a_narrow_list_still_shows_the_match_of_every_row(qtbot: QtBot, make_app: MakeApp) -> None:
    app = _open_war(qtbot, make_app)
    panel = app.window.search
    _search(qtbot, app, "Moscow", 722)
    app.window.search_dock.setFloating(True)
    app.window.search_dock.resize(170, 700)
    qtbot.waitUntil(lambda: panel.results.viewport().width() < 170)
    panel.results.grab()
    delegate = panel.results.itemDelegate()
    assert isinstance(delegate, HitDelegate)
    first = panel.results.indexAt(panel.results.viewport().rect().topLeft())
    last = panel.results.indexAt(panel.results.viewport().rect().bottomLeft())
    rows = range(first.row(), (last.row() if last.isValid() else first.row() + 5) + 1)
    width = panel.results.viewport().width() - 8
    font = panel.results.font()
    hidden_uncut = 0
    for row in rows:
        text, bold = snippet_text(panel.model.hit(row))
        hidden_uncut += RowText(text, font, width, 2, bold).shown < bold[1]
        found = delegate.layouts.get((row, width, panel.results.font().key()))
        assert found is not None, row
        _title, snippet = found
        assert snippet.bold is not None
        # The bold match is among the characters shown, however narrow the list.
        assert snippet.bold[1] <= snippet.shown, row
    # The list is narrow enough that some snippets, shown from their start, would hide it.
    assert hidden_uncut > 0


def test_the_model_speaks_plain_text_for_screen_readers(qtbot: QtBot, make_app: MakeApp) -> None:
    app = _open_war(qtbot, make_app)
    panel = app.window.search
    _search(qtbot, app, "Pierre", 1964)
    index = panel.model.index(0)
    hit = panel.model.hit(0)
    text = index.data(Qt.ItemDataRole.AccessibleTextRole)
    assert text.endswith(hit.snippet)
    assert index.data(Qt.ItemDataRole.ToolTipRole) in text
    assert panel.model.index(5000).data() is None
    assert panel.model.rowCount(panel.model.index(0)) == 0
    assert panel.model.data(QModelIndex()) is None


def _option(view: QTableView) -> QStyleOptionViewItem:
    option = QStyleOptionViewItem()
    option.initFrom(view)
    option.font = view.font()
    return option
