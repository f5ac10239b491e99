"""Write lists.pdf: bulleted and numbered items whose lines wrap under their text.

Run once from this directory (``python make_lists_pdf.py``); the PDF is committed. Qt lays
the text out and writes the PDF, as a word processor would: a hanging indent for each
item, a paragraph after the list set off by space, and a short numbered title line above
an indented paragraph (as licences print "0. PREAMBLE").
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QMarginsF, QSizeF
from PySide6.QtGui import (
    QFont,
    QGuiApplication,
    QPageLayout,
    QPageSize,
    QPdfWriter,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)

BULLETS = [
    "• Elizabeth answers Lady Catherine with a calm that the older woman has never met in"
    " anyone of her rank, and every question is turned back on the one who asked it.",
    "• Mr. Collins praises his patroness at such length that his cousins stop listening"
    " long before he stops talking, and nobody at the table thinks to interrupt him.",
    "• Mary plays.",
]
NUMBERED = [
    "1. Read the passage aloud once, slowly, and listen for the words that sound harder or"
    " softer than the words around them before you decide what the tone is.",
    "2. Say who is speaking and to whom; a line of dialogue can sound polite to one"
    " listener and cutting to another, and the book usually tells you which.",
]
AFTER = (
    "After the list the text goes on as a paragraph of its own, indented as a paragraph is,"
    " and it must not be read as part of the last item above it, however the lines fall."
)
PREAMBLE = (
    "The purpose of this note is to show a numbered heading that stands alone on its line,"
    " followed by a paragraph that begins with the usual indent and runs on for a while."
)


def main() -> None:
    app = QGuiApplication(sys.argv[:1])
    writer = QPdfWriter("lists.pdf")
    writer.setResolution(72)  # device units are points: the text is laid out at its size
    writer.setCreator("Tone Reader test fixtures")
    writer.setTitle("Lists")
    margins = QMarginsF(20, 20, 20, 20)
    portrait = QPageLayout.Orientation.Portrait
    a4 = QPageSize(QPageSize.PageSizeId.A4)
    writer.setPageLayout(QPageLayout(a4, portrait, margins, QPageLayout.Unit.Millimeter))
    document = QTextDocument()
    font = QFont("DejaVu Serif")
    font.setPointSizeF(10.5)
    document.setDefaultFont(font)
    cursor = QTextCursor(document)

    def block(
        text: str, *, left: float = 0, indent: float = 0, above: float = 0, size: float = 10.5
    ) -> None:
        shape = QTextBlockFormat()
        shape.setLeftMargin(left)
        shape.setTextIndent(indent)
        shape.setTopMargin(above)
        letters = QTextCharFormat()
        letters.setFontPointSize(size)
        if document.isEmpty():
            cursor.setBlockFormat(shape)
            cursor.setBlockCharFormat(letters)
        else:
            cursor.insertBlock(shape, letters)
        cursor.insertText(text, letters)

    block("Lists", size=18)
    block("The reader meets three kinds of lines in a handout like this one:", above=8)
    for text in BULLETS:  # a hanging indent: the bullet out in the margin of its text
        block(text, left=24, indent=-12)
    block(AFTER, indent=18, above=10)
    block("Two steps for a hard passage:", indent=18)
    for text in NUMBERED:
        block(text, left=24, indent=-14)
    block("0. PREAMBLE", above=12)
    block(PREAMBLE, indent=18)
    document.setPageSize(QSizeF(writer.width(), writer.height()))
    document.print_(writer)
    del app


if __name__ == "__main__":
    main()
