"""Highlights drawn over a chapter: merged where they touch, and bounded for dense chapters."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

from reader_app.core.anchors import make_anchor
from reader_app.core.marks import Mark
from reader_app.core.records import NewHighlight
from reader_app.storage.db import transaction
from reader_app.storage.highlights import HighlightRepository
from reader_app.ui.reader_view import DENSE_MARKS, merged_marks
from reader_app.ui.themes import highlight_color
from tests.ui.conftest import CORPUS, MakeApp, wait_for_book

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from reader_app.app import ReaderApp

MOBY = CORPUS / "books" / "moby-dick_idpf_epub3.epub"


def test_touching_marks_of_one_colour_are_drawn_as_one_range() -> None:
    marks = [
        Mark(50, 60, "yellow", 3),
        Mark(0, 10, "yellow", 1),
        Mark(10, 20, "yellow", 2),  # touches the first: joins it
        Mark(15, 30, "blue", 4),  # another colour: its own range
        Mark(30, 30, "pink", 5),  # empty: nothing to draw
        Mark(5, 8, "search"),  # the search match: drawn last, on top
    ]
    assert merged_marks(marks) == [
        (0, 20, "yellow", False),
        (15, 30, "blue", False),
        (50, 60, "yellow", False),
        (5, 8, "search", True),
    ]


def _open_longest_chapter(qtbot: QtBot, make_app: MakeApp) -> tuple[ReaderApp, int]:
    app = make_app()
    app.window.resize(1000, 700)
    app.window.show()
    app.window.open_path(MOBY)
    wait_for_book(qtbot, app, "Moby-Dick")
    book = app.window.pane.book
    assert book is not None
    chapter = max(range(len(book.chapters)), key=lambda i: len(book.chapters[i].text))
    app.window.pane.go_to(chapter, 0)
    return app, chapter


def _highlight_every(app: ReaderApp, chapter: int, step: int) -> None:
    """A highlight of eight characters every ``step`` characters of a chapter."""
    book = app.window.pane.book
    assert book is not None
    texts = [c.text for c in book.chapters]
    repo = HighlightRepository(app.conn)
    with transaction(app.conn):
        for number, start in enumerate(range(0, len(texts[chapter]) - 8, step)):
            anchor = make_anchor(texts, chapter, start, start + 8)
            repo.add(
                NewHighlight(
                    book_id=book.book_id, chapter=chapter,
                    chapter_key=book.chapters[chapter].key, start=anchor.start,
                    end=anchor.end, quote=anchor.quote, prefix=anchor.prefix,
                    suffix=anchor.suffix, color=("yellow", "blue")[number % 2],
                )
            )  # fmt: skip
    app.highlights.refresh()


def _ranges(app: ReaderApp) -> list[tuple[int, int]]:
    view = app.window.pane.view
    return [(s.cursor.selectionStart(), s.cursor.selectionEnd()) for s in view.extraSelections()]


def test_a_few_highlights_are_all_handed_to_qt(qtbot: QtBot, make_app: MakeApp) -> None:
    app, chapter = _open_longest_chapter(qtbot, make_app)
    length = len(app.window.pane.view.text)
    _highlight_every(app, chapter, length // 50)
    marks = app.highlights.marks(chapter)
    assert 40 < len(marks) <= DENSE_MARKS
    # One selection per highlight, each with its own range although one cursor made them.
    assert sorted(_ranges(app)) == sorted((m.start, m.end) for m in marks)
    colors = {s.format.background().color().name() for s in app.window.pane.view.extraSelections()}
    assert colors == {
        highlight_color("yellow", dark=False).name(),
        highlight_color("blue", dark=False).name(),
    }


def test_a_dense_chapter_hands_qt_only_the_marks_near_the_page(
    qtbot: QtBot, make_app: MakeApp
) -> None:
    app, chapter = _open_longest_chapter(qtbot, make_app)
    view = app.window.pane.view
    _highlight_every(app, chapter, 20)
    marks = app.highlights.marks(chapter)
    assert len(marks) > 2000
    top, bottom = view.first_visible_offset(), view.offset_at(view.viewport().rect().bottomRight())
    given = _ranges(app)
    assert len(given) < len(marks) // 3
    # Everything on the page is drawn.
    assert all((m.start, m.end) in given for m in marks if m.end > top and m.start < bottom)

    # Scrolled to the end, the marks there are drawn, and those at the top no longer given.
    view.verticalScrollBar().setValue(view.verticalScrollBar().maximum())
    given = _ranges(app)
    assert (marks[-1].start, marks[-1].end) in given
    assert (marks[0].start, marks[0].end) not in given

    # The search match is drawn too, on top, wherever it is.
    app.window.show_search()
    qtbot.keyClicks(app.window.search.query, "whale")
    qtbot.keyClick(app.window.search.query, Qt.Key.Key_Return)
    panel = app.window.search
    qtbot.waitUntil(lambda: panel.model.rowCount() > 0)
    row = next(r for r in range(panel.model.rowCount()) if panel.model.hit(r).chapter == chapter)
    panel.results.setCurrentIndex(panel.model.index(row))
    panel.results.activated.emit(panel.model.index(row))
    hit = panel.model.hit(row)
    last = view.extraSelections()[-1]
    assert (last.cursor.selectionStart(), last.cursor.selectionEnd()) == (hit.start, hit.end)
    assert last.format.fontUnderline()
