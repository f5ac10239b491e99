"""File → Import Annotations with a KOReader sidecar and a calibre export, on an open book."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tests.ui.conftest import CORPUS, MakeApp, wait_for_book

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

DATA = Path(__file__).resolve().parents[1] / "data"
PRIDE = CORPUS / "books" / "pride-and-prejudice_pg1342_epub2.epub"


def test_sidecar_and_calibre_export_import_into_the_open_book(
    qtbot: QtBot, make_app: MakeApp
) -> None:
    app = make_app()
    app.start(str(PRIDE))
    wait_for_book(qtbot, app, "Pride and Prejudice")
    commands = app.window.annotations
    assert commands is not None
    commands.choose_import_file = lambda: DATA / "koreader" / "metadata.epub.lua"
    app.window.actions_.import_.trigger()
    qtbot.waitUntil(
        lambda: "Imported 3 annotations from metadata.epub.lua." in app.window._status.text(),
        timeout=20_000,
    )
    placed = [(h.source, h.chapter, h.orphaned) for h in app.highlights.highlights]
    assert sorted(placed) == [
        ("koreader", 0, False),
        ("koreader", 5, False),
        ("koreader", 9, False),
    ]
    assert "Mr. Collins returned" in app.window.highlights_panel.item(1).text()

    # calibre's export of the same highlights: all three are already there.
    commands.choose_import_file = lambda: (
        DATA / "calibre" / ("annotations.calibre_annotation_collection.json")
    )
    app.window.actions_.import_.trigger()
    qtbot.waitUntil(
        lambda: "3 were already in the library" in app.window._status.text(), timeout=20_000
    )
    assert len(app.highlights.highlights) == 3
