"""Text for the rows of long lists: wrapped to a few lines, elided, with one bold run.

Lists of thousands of rows (search results, highlights) must not build a rich-text
document per row: Qt would lay every one of them out just to learn its height. Rows here
have a fixed number of lines, so their height comes from font metrics alone, and a
``QTextLayout`` is made only for the rows that are actually painted, then cached.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING, Generic, TypeVar

from PySide6.QtCore import QPointF
from PySide6.QtGui import (
    QFont,
    QFontMetricsF,
    QPainter,
    QTextCharFormat,
    QTextLayout,
    QTextOption,
)

if TYPE_CHECKING:
    from collections.abc import Hashable

ELLIPSIS = "…"
_V = TypeVar("_V")


class RowText:
    """A piece of text laid out in at most ``max_lines`` lines of a given width.

    When the text does not fit, the last line stops at a word and ends with an ellipsis.

    Attributes:
        height: the height of the lines laid out, in pixels.
        shown: how many characters of the text are visible.
        bold: the range of the text drawn in bold, if any.
    """

    def __init__(
        self,
        text: str,
        font: QFont,
        width: float,
        max_lines: int,
        bold: tuple[int, int] | None = None,
    ) -> None:
        metrics = QFontMetricsF(font)
        self.bold = bold
        self._font = QFont(font)  # a copy: the caller's may belong to a short-lived option
        self._layout = QTextLayout(text, font)
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self._layout.setTextOption(option)
        if bold is not None and bold[1] > bold[0]:
            emphasis = QTextLayout.FormatRange()
            emphasis.start, emphasis.length = bold[0], bold[1] - bold[0]
            fmt = QTextCharFormat()
            fmt.setFontWeight(QFont.Weight.Bold)
            emphasis.format = fmt
            self._layout.setFormats([emphasis])
        width = max(1.0, width)
        spacing = metrics.lineSpacing()
        self._ellipsis: QPointF | None = None
        self.shown = 0
        self.height = 0.0
        self._layout.beginLayout()
        for number in range(max_lines):
            line = self._layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(width)
            line.setPosition(QPointF(0, number * spacing))
            end = line.textStart() + line.textLength()
            if number == max_lines - 1 and end < len(text):
                # Make room for the ellipsis; the line re-wraps at an earlier word.
                line.setLineWidth(max(1.0, width - metrics.horizontalAdvance(ELLIPSIS)))
                end = line.textStart() + line.textLength()
                self._ellipsis = QPointF(line.naturalTextWidth(), number * spacing)
            self.shown = end
            self.height = (number + 1) * spacing
        self._layout.endLayout()
        self._ascent = metrics.ascent()

    def draw(self, painter: QPainter, origin: QPointF) -> None:
        """Paint the lines with the painter's pen, their top-left corner at ``origin``."""
        self._layout.draw(painter, origin)
        if self._ellipsis is not None:
            painter.setFont(self._font)
            point = origin + self._ellipsis
            painter.drawText(QPointF(point.x(), point.y() + self._ascent), ELLIPSIS)


class LayoutCache(Generic[_V]):
    """The last few hundred row layouts, so scrolling back and repainting cost nothing."""

    def __init__(self, capacity: int = 256) -> None:
        self._capacity = capacity
        self._items: OrderedDict[Hashable, _V] = OrderedDict()

    def get(self, key: Hashable) -> _V | None:
        """A layout made before, or None."""
        found = self._items.get(key)
        if found is not None:
            self._items.move_to_end(key)
        return found

    def put(self, key: Hashable, value: _V) -> None:
        """Keep a layout, dropping the least recently used beyond the capacity."""
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self._capacity:
            self._items.popitem(last=False)

    def clear(self) -> None:
        """Forget every layout (the rows or their look changed)."""
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


def small_font(font: QFont) -> QFont:
    """``font`` at 85 %, for the second line of a row (a chapter or a place)."""
    small = QFont(font)
    if font.pointSizeF() > 0:
        small.setPointSizeF(font.pointSizeF() * 0.85)
    else:
        small.setPixelSize(max(8, round(font.pixelSize() * 0.85)))
    return small
