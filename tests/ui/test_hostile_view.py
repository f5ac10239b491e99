"""Hostile books reach the page in pieces Qt handles, and the page text stays the book's text.

The loaders cut long paragraphs and flatten deep markup; this checks, in a real
QTextDocument, that what the view shows is still exactly each chapter's text, and that
the view refuses SVG image data that refers to anything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from PySide6.QtGui import QImage, QTextDocument

from reader_app.core.loaders import load_book
from reader_app.ui.reader_view import ReaderView
from tests.core.test_book_limits import build_epub
from tests.core.test_book_svg import SAFE, png, reading, use_bomb
from tests.core.test_hostile_books import xhtml

if TYPE_CHECKING:
    from pathlib import Path

    from pytestqt.qtbot import QtBot

FORMATTED = " ".join(
    f"<b>bold {n}</b> plain <i>it {n}</i> <a href='#x'>link {n}</a>." for n in range(6000)
)
SHAPES: dict[str, str | bytes] = {
    "run.md": "q" * 300_000,
    "para.txt": ("a fairly ordinary sentence. " * 20_000).strip(),
    "verse.txt": "\n".join(f"  line {n} of a long poem" for n in range(4000)),
    "pre.html": "<html><body><pre>" + ("code " * 40 + "\n") * 2000 + "</pre></body></html>",
    "deep.html": "<html><body>"
    + "<div>" * 400
    + "deep"
    + "</div>" * 400
    + "<p>end</p></body></html>",
}


def _load(tmp_path: Path, name: str) -> list[tuple[str, str]]:
    if name == "formatted.epub":
        path = build_epub(tmp_path / name, [("c.xhtml", xhtml(f"<p id='x'>{FORMATTED}</p>"))])
    else:
        path = tmp_path / name
        content = SHAPES[name]
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return [(c.html, c.text) for c in load_book(path).chapters]


@pytest.mark.parametrize("name", [*SHAPES, "formatted.epub"])
def test_page_text_equals_chapter_text_for_hostile_shapes(
    qtbot: QtBot, tmp_path: Path, name: str
) -> None:
    for index, (html, text) in enumerate(_load(tmp_path, name)):
        assert max(len(line) for line in text.split("\n")) <= 10_000
        doc = QTextDocument()
        doc.setHtml(html)
        assert doc.toPlainText() == text.replace("\xa0", " "), f"chapter {index}"
        assert doc.characterCount() - 1 == len(text.encode("utf-16-le")) // 2


@pytest.mark.parametrize(
    "data", [use_bomb(), reading("/dev/stdin"), reading("/etc/passwd")], ids=["use", "stdin", "etc"]
)
def test_the_view_refuses_svg_that_refers_to_anything(qtbot: QtBot, data: bytes) -> None:
    view = ReaderView()
    qtbot.addWidget(view)
    view.set_resource_reader(lambda _name: data)
    kind = QTextDocument.ResourceType.ImageResource.value
    # Disguised as a PNG by name: Qt would pick the SVG decoder by content.
    assert view.loadResource(kind, "res:OEBPS/cover.png") is None


def test_the_view_still_shows_plain_images(qtbot: QtBot) -> None:
    view = ReaderView()
    qtbot.addWidget(view)
    kind = QTextDocument.ResourceType.ImageResource.value
    for data in (png(), SAFE.encode()):
        view.set_resource_reader(lambda _name, d=data: d)
        image = view.loadResource(kind, "res:OEBPS/pic")
        assert isinstance(image, QImage)
        assert not image.isNull()
