"""The annotations browser: filters, sorting, notes, delete and undo, jumps, the arc chart."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

from reader_app.core.annotations import Annotation
from reader_app.core.records import NewAnalysis
from reader_app.storage.analyses import AnalysisRepository
from reader_app.ui.annotations_model import (
    AnnotationFilter,
    AnnotationFilterProxy,
    AnnotationTableModel,
)
from tests.ui.conftest import MakeApp, wait_for_book

if TYPE_CHECKING:
    from pytestqt.modeltest import ModelTester
    from pytestqt.qtbot import QtBot


def _annotation(n: int, *, analysed: bool = True, orphaned: bool = False) -> Annotation:
    emotion = ("joy", "anger", "sadness")[n % 3]
    analysis = {
        "tone": f"Tone {n}", "polarity": ("positive", "negative", "mixed")[n % 3],
        "emotions": [{"name": emotion, "intensity": 0.5}], "explanation": f"why {n}",
    }  # fmt: skip
    return Annotation(
        highlight_id=n, book_id=f"book{n % 2}", book_title=f"Book {n % 2}", book_authors=(),
        chapter=n // 100, section="", start=n % 100, end=n % 100 + 5, quote=f"quote number {n}",
        color="yellow" if n % 4 else "blue", note="keep" if n % 10 == 0 else "",
        orphaned=orphaned, created_at=f"2026-01-01T00:00:{n % 60:02d}.000Z",
        analysis=analysis if analysed else None,
    )  # fmt: skip


def test_model_passes_the_model_tester(qtmodeltester: ModelTester) -> None:
    model = AnnotationTableModel()
    model.set_annotations([_annotation(n, analysed=n % 2 == 0) for n in range(30)])
    qtmodeltester.check(model)


def test_ten_thousand_annotations_filter_correctly() -> None:
    model = AnnotationTableModel()
    model.set_annotations([_annotation(n, analysed=n % 5 != 0) for n in range(10_000)])
    proxy = AnnotationFilterProxy()
    proxy.setSourceModel(model)
    assert proxy.rowCount() == 10_000
    proxy.set_criteria(AnnotationFilter(emotion="anger"))
    assert proxy.rowCount() == sum(1 for n in range(10_000) if n % 3 == 1 and n % 5 != 0)
    proxy.set_criteria(AnnotationFilter(analysed=False))
    assert proxy.rowCount() == 2_000
    proxy.set_criteria(AnnotationFilter(text="number 9999"))
    assert proxy.rowCount() == 1
    proxy.set_criteria(AnnotationFilter(color="blue", polarity="positive"))
    # Unanalysed passages have no polarity.
    expected = sum(1 for n in range(10_000) if n % 4 == 0 and n % 3 == 0 and n % 5 != 0)
    assert proxy.rowCount() == expected
    proxy.set_criteria(AnnotationFilter())
    proxy.sort(0)
    first = proxy.index(0, 0).data(Qt.ItemDataRole.DisplayRole)
    assert first == "quote number 0"


def test_browse_filter_edit_delete_undo_jump_and_chart(qtbot: QtBot, make_app: MakeApp) -> None:
    app = make_app()
    app.start(None)
    wait_for_book(qtbot, app, "Lyrical Ballads")
    pane = app.window.pane
    item = app.window.toc.findItems("The Tables Turned", Qt.MatchFlag.MatchRecursive)[0]
    app.window.toc.itemClicked.emit(item, 0)
    text = pane.view.text
    ids = []
    for passage in ("Sweet is the lore", "Our meddling intellect", "We murder to dissect."):
        start = text.index(passage, text.index("The Tables Turned"))
        created = app.highlights.add(pane.chapter, start, start + len(passage))
        assert created is not None
        ids.append(created.id)
    AnalysisRepository(app.conn).add(
        NewAnalysis(
            ids[2],
            "ok",
            tone="Harsh",
            dominant_emotion="disgust",
            result={
                "tone": "Harsh and Condemning",
                "polarity": "negative",
                "emotions": [{"name": "disgust", "intensity": 0.8}],
                "explanation": "hard",
            },
        )
    )
    pane.go_to(0)  # away from the poem, to see the jump bring us back
    app.window.actions_.annotations.trigger()
    browser = app.window.annotations.browser
    assert browser is not None
    assert browser.proxy.rowCount() == 3
    browser.emotion.setCurrentIndex(browser.emotion.findData("disgust"))
    assert browser.proxy.rowCount() == 1
    browser.emotion.setCurrentIndex(0)
    browser.state.setCurrentIndex(browser.state.findData("unanalysed"))
    assert browser.proxy.rowCount() == 2
    browser.state.setCurrentIndex(0)
    browser.search.setText("meddling")
    assert browser.proxy.rowCount() == 1
    # Edit the note of the one shown.
    browser.ask_note = lambda _current: "  the mind spoils things  "
    browser.edit_note(browser.proxy.index(0, 0).data(Qt.ItemDataRole.UserRole + 1))
    assert app.highlights.get(ids[1]).note == "the mind spoils things"  # type: ignore[union-attr]
    browser.search.clear()
    # Jump to the analysed one.
    row = next(
        r for r in range(browser.proxy.rowCount())
        if browser.proxy.index(r, 0).data(Qt.ItemDataRole.UserRole + 1).highlight_id == ids[2]
    )  # fmt: skip
    browser.table.activated.emit(browser.proxy.index(row, 0))
    assert pane.chapter == item.data(0, Qt.ItemDataRole.UserRole)[0]
    assert pane.view.selected_range() is not None
    # Delete two, undo one.
    browser.table.selectRow(0)
    browser.delete_selected()
    assert browser.proxy.rowCount() == 2
    assert len(app.highlights.highlights) == 2
    browser.undo()
    assert browser.proxy.rowCount() == 3
    assert len(app.highlights.highlights) == 3
    # The emotional arc has the one analysed passage; clicking it asks for a jump.
    (point,) = browser.chart.points
    assert point.emotion == "disgust"
    browser.tabs.setCurrentIndex(1)
    browser.resize(900, 600)
    browser.show()
    with qtbot.waitSignal(browser.jump_requested) as jumped:
        qtbot.mouseClick(
            browser.chart, Qt.MouseButton.LeftButton,
            pos=browser.chart._xy(point).toPoint(),
        )  # fmt: skip
    assert jumped.args == [pane.book.book_id, ids[2]]  # type: ignore[union-attr]


def test_export_from_the_window(qtbot: QtBot, make_app: MakeApp, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    app.start(None)
    wait_for_book(qtbot, app, "Lyrical Ballads")
    pane = app.window.pane
    start = pane.view.text.index("Lyrical Ballads")
    app.highlights.add(pane.chapter, start, start + 15)
    app.window.actions_.export.trigger()
    dialog = app.window.annotations.export_dialog
    assert dialog is not None
    dialog.format.setCurrentIndex(dialog.format.findData("html"))
    target = tmp_path / "out.html"
    dialog.choose_path = lambda _name, _suffix: target
    dialog.accept()
    qtbot.waitUntil(lambda: target.exists(), timeout=5000)
    qtbot.waitUntil(
        lambda: "Exported 1 annotation to out.html." in app.window._status.text(), timeout=5000
    )
    html = target.read_text("utf-8")
    assert "Lyrical Ballads" in html
    assert "<script" not in html


def _clipping(title: str, kind: str, body: str) -> str:
    return (
        f"{title}\r\n- Your {kind} on page 1 | Location 10-12 |"
        f" Added on Monday, April 21, 2014 10:08:07 PM\r\n\r\n{body}\r\n==========\r\n"
    )


def test_import_from_the_window(qtbot: QtBot, make_app: MakeApp, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    app.start(None)
    wait_for_book(qtbot, app, "Lyrical Ballads")
    book = app.window.pane.book
    assert book is not None
    quote = " ".join(app.window.pane.view.text.split()[:12])
    title = f"{book.title} ({'; '.join(book.authors)})"
    clippings = tmp_path / "My Clippings.txt"
    clippings.write_text(
        _clipping(title, "Highlight", quote)
        + "Broken record with no details line\r\n==========\r\n",
        "utf-8",
    )
    commands = app.window.annotations
    assert commands is not None
    commands.choose_import_file = lambda: clippings
    app.window.actions_.import_.trigger()
    qtbot.waitUntil(lambda: commands.import_report is not None, timeout=10000)
    report = commands.import_report
    assert report is not None
    assert "Imported 1 annotation from My Clippings.txt." in report.text()
    assert "1 record could not be read" in report.text()
    assert "record 2" in report.detailedText()
    (item,) = app.highlights.highlights
    assert (item.source, item.orphaned) == ("kindle", False)
    assert quote in app.window.highlights_panel.item(0).text()
    report.close()

    # The same file again: nothing new, and the reader is told so on the status bar.
    commands.import_report = None
    clippings.write_text(_clipping(title, "Highlight", quote), "utf-8")
    app.window.actions_.import_.trigger()
    qtbot.waitUntil(
        lambda: "1 was already in the library" in app.window._status.text(), timeout=10000
    )
    assert len(app.highlights.highlights) == 1

    # A file in no format we read: one line on the banner, nothing stored.
    other = tmp_path / "notes.toml"
    other.write_text("[tool]\nname = 1\n", "utf-8")
    commands.choose_import_file = lambda: other
    app.window.actions_.import_.trigger()
    qtbot.waitUntil(lambda: "not a format" in app.window.pane.banner.message, timeout=10000)
    assert "\n" not in app.window.pane.banner.message
