"""What the page shows as text is exactly each chapter's text, for every corpus book.

Offsets (highlights, search hits, saved places) are offsets into ``Chapter.text`` and are
used as positions in the view; this is the check that the two agree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from PySide6.QtGui import QTextDocument

from reader_app.core.loaders import load_book
from tests.ui.conftest import CORPUS

if TYPE_CHECKING:
    from pathlib import Path

    from PySide6.QtWidgets import QApplication

FILES = sorted((CORPUS / "books").iterdir()) + sorted((CORPUS / "epub-samples").glob("*.epub"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_view_text_equals_chapter_text(qapp: QApplication, path: Path) -> None:
    book = load_book(path)
    for index, chapter in enumerate(book.chapters):
        doc = QTextDocument()
        doc.setHtml(chapter.html)
        # toPlainText turns no-break spaces into spaces; positions are unaffected.
        assert doc.toPlainText() == chapter.text.replace("\xa0", " "), f"chapter {index}"
        assert doc.characterCount() - 1 == len(chapter.text.encode("utf-16-le")) // 2
