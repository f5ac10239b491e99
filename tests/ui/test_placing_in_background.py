"""Thousands of highlights imported before a book's first open are placed off the GUI thread."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QLabel

from benchmarks.clippings_corpus import WAR_AND_PEACE, clippings_text, make_passages
from reader_app.core.loaders import load_book
from reader_app.usecases.importing import import_file
from tests.ui.conftest import MakeApp, wait_for_book

if TYPE_CHECKING:
    import pytest
    from pytestqt.qtbot import QtBot

    from reader_app.app import ReaderApp
    from reader_app.config.paths import AppPaths

COUNT = 3000


class _FirstPaint(QObject):
    """Notes whether the highlights were still being placed when the page first painted."""

    def __init__(self, app: ReaderApp) -> None:
        super().__init__()
        self._app = app
        self.busy_at_paint: bool | None = None
        app.window.pane.view.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.Paint
            and self.busy_at_paint is None
            and self._app.window.pane.book is not None
        ):
            self.busy_at_paint = self._app.highlights.busy
        return False


def test_the_page_is_painted_first_and_the_highlights_appear_when_placed(
    qtbot: QtBot, make_app: MakeApp, profile: AppPaths, caplog: pytest.LogCaptureFixture
) -> None:
    texts = [c.text for c in load_book(WAR_AND_PEACE).chapters]
    clippings = profile.data_dir / "My Clippings.txt"
    clippings.write_text(
        clippings_text(make_passages(texts, COUNT, seed=4), "War and Peace", "Tolstoy, Leo"),
        "utf-8",
    )
    done = import_file(clippings, profile.database, profile.cache_dir / "books")
    assert (done.result.imported, done.result.orphans) == (COUNT, COUNT)  # placeholders

    app = make_app()
    app.window.show()
    paint = _FirstPaint(app)
    statuses: list[str] = []
    labels = app.window.statusBar().findChildren(QLabel)
    app.highlights.placing.connect(lambda *_: statuses.extend(lbl.text() for lbl in labels))
    caplog.set_level(logging.INFO, logger="reader_app.usecases.highlights")
    app.window.open_path(WAR_AND_PEACE)
    qtbot.waitUntil(lambda: app.window.pane.book is not None, timeout=10_000)
    wait_for_book(qtbot, app, "War and Peace")

    # The chapter was on screen while the highlights were still being placed, on a worker.
    assert paint.busy_at_paint is True
    assert any(f"Placing {COUNT:,} highlights…" in text for text in statuses)
    (record,) = [r for r in caplog.records if r.name == "reader_app.usecases.highlights"]
    assert record.thread != threading.main_thread().ident

    # Then they all appeared: listed, drawn on the page, and stored on the real book.
    shown = app.highlights.highlights
    orphans = [h for h in shown if h.orphaned]
    assert len(shown) == COUNT
    assert len(orphans) <= 10
    assert app.window.highlights_panel.count() == COUNT
    pane = app.window.pane
    marks = app.highlights.marks(pane.chapter)
    assert len(pane.view.extraSelections()) >= len(marks)
    assert all(h.book_id == pane.book.book_id for h in shown)  # type: ignore[union-attr]
    assert "could not be placed" in pane.banner.message or not orphans
    assert not any("Placing" in lbl.text() for lbl in labels)


def test_opening_another_book_while_placing_cancels_it(
    qtbot: QtBot, make_app: MakeApp, profile: AppPaths
) -> None:
    texts = [c.text for c in load_book(WAR_AND_PEACE).chapters]
    clippings = profile.data_dir / "My Clippings.txt"
    clippings.write_text(
        clippings_text(make_passages(texts, COUNT, seed=6), "War and Peace", "Tolstoy, Leo"),
        "utf-8",
    )
    import_file(clippings, profile.database, profile.cache_dir / "books")
    app = make_app()
    app.window.show()
    app.window.open_path(WAR_AND_PEACE)
    qtbot.waitUntil(lambda: app.window.pane.book is not None, timeout=10_000)
    assert app.highlights.busy
    pride = WAR_AND_PEACE.with_name("pride-and-prejudice_pg1342_utf8-bom.txt")
    app.window.open_path(pride)
    wait_for_book(qtbot, app, "Pride and Prejudice")
    assert app.highlights.highlights == []
    # War and Peace is placed again in full when it is opened again.
    app.window.open_path(WAR_AND_PEACE)
    wait_for_book(qtbot, app, "War and Peace")
    assert len(app.highlights.highlights) == COUNT


def test_the_reading_place_is_written_after_the_placing_not_during_it(
    qtbot: QtBot, make_app: MakeApp, profile: AppPaths
) -> None:
    # Placing writes the library in one transaction on a worker; a write of the reading
    # place on the GUI thread meanwhile would wait for it, and the window would freeze.
    texts = [c.text for c in load_book(WAR_AND_PEACE).chapters]
    clippings = profile.data_dir / "My Clippings.txt"
    clippings.write_text(
        clippings_text(make_passages(texts, COUNT, seed=8), "War and Peace", "Tolstoy, Leo"),
        "utf-8",
    )
    import_file(clippings, profile.database, profile.cache_dir / "books")
    app = make_app()
    app.window.show()
    writes: list[bool] = []  # whether the highlights were being placed at each write
    books = app.window._books
    real = books.save_position

    def save_position(*args: object) -> None:
        writes.append(app.highlights.busy)
        real(*args)  # type: ignore[arg-type]

    books.save_position = save_position  # type: ignore[method-assign]
    app.window._save_place.setInterval(10)  # the place is due long before placing ends
    app.window.open_path(WAR_AND_PEACE)
    qtbot.waitUntil(lambda: app.window.pane.book is not None, timeout=10_000)
    assert app.highlights.busy
    qtbot.keyClick(app.window.pane.view, Qt.Key.Key_BracketRight)  # the next chapter
    wait_for_book(qtbot, app, "War and Peace")
    qtbot.waitUntil(lambda: bool(writes), timeout=5_000)
    assert writes
    assert not any(writes)
    assert app.books.get(app.window.pane.book.book_id).position_chapter == 1  # type: ignore[union-attr]
