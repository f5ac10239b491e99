"""The reading page: one chapter in a QTextBrowser, with highlights drawn over it."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QPoint, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QFont,
    QFontInfo,
    QFontMetrics,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPalette,
    QResizeEvent,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFrameFormat,
)
from PySide6.QtWidgets import QMenu, QTextBrowser, QTextEdit, QWidget

from reader_app.core.loaders.svg import image_is_safe
from reader_app.core.offsets import Utf16Map
from reader_app.ui.themes import LIGHT, PageColors, document_css, line_height_percent, mark_color

if TYPE_CHECKING:
    from reader_app.core.marks import Mark

# Above this many marks in a chapter, Qt is given only those around the page.
DENSE_MARKS = 400
MAX_COLUMN_EM = 38  # a comfortable line length, as in print
MAX_IMAGE_BYTES = 24 * 1024 * 1024


def merged_marks(marks: Sequence[Mark]) -> list[tuple[int, int, str, bool]]:
    """The ranges to draw: ``(start, end, colour, temporary)`` in drawing order.

    Highlights come first, by position; a highlight that overlaps or touches the one
    before it and has its colour joins it. Temporary marks (the search match) come last,
    so they are drawn on top.
    """
    drawn: list[tuple[int, int, str, bool]] = []
    for mark in sorted((m for m in marks if m.key), key=lambda m: (m.start, m.end)):
        if mark.end <= mark.start:
            continue
        if drawn and drawn[-1][2] == mark.color and mark.start <= drawn[-1][1]:
            start, end, color, _temporary = drawn[-1]
            drawn[-1] = (start, max(end, mark.end), color, False)
        else:
            drawn.append((mark.start, mark.end, mark.color, False))
    drawn.extend((m.start, m.end, m.color, True) for m in marks if not m.key and m.end > m.start)
    return drawn


ResourceReader = Callable[[str], bytes | None]
MenuExtender = Callable[[QMenu, int], None]


class ReaderView(QTextBrowser):
    """Shows one chapter and speaks in chapter offsets (code points), never Qt positions.

    Nothing is ever loaded from outside the book: links are reported, not followed, and
    images come only from the book's own resources.

    Signals:
        link_activated(str): a link was clicked or activated by keyboard (its href).
        position_changed(int): the first visible offset, after scrolling settles.
        mark_clicked(int): a highlight was clicked (its id).
        end_reached(): Space or Page Down at the very bottom: time for the next chapter.
        start_reached(): Page Up at the very top.
    """

    link_activated = Signal(str)
    position_changed = Signal(int)
    mark_clicked = Signal(int)
    end_reached = Signal()
    start_reached = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("readerView")
        self.setAccessibleName(self.tr("Book text"))
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setFrameShape(QTextBrowser.Shape.NoFrame)
        # Text wraps to the column; only a wide image or table could want a side scroll.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextBrowserInteraction
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.anchorClicked.connect(self._on_anchor)
        self._html = ""
        self._text = ""
        self._own_document = False  # the first document is Qt's own
        self._map = Utf16Map("")
        self._marks: list[Mark] = []
        self._runs: list[tuple[int, int, str, bool]] = []  # highlights, by start
        self._temporary: list[tuple[int, int, str, bool]] = []  # the search match
        self._starts: list[int] = []
        self._longest = 0
        self._window: tuple[int, int] | None = None
        self._formats: dict[tuple[str, bool], QTextCharFormat] = {}
        self._colors: PageColors = LIGHT
        self._line_height = 150
        self._qt_line_height = 130
        self._read_resource: ResourceReader = lambda _name: None
        self._menu_extender: MenuExtender | None = None
        self._settle = QTimer(self, singleShot=True, interval=400)
        self._settle.timeout.connect(
            lambda: self.position_changed.emit(self.first_visible_offset())
        )
        self.verticalScrollBar().valueChanged.connect(lambda _v: self._settle.start())
        self.verticalScrollBar().valueChanged.connect(lambda _v: self._marks_follow_page())

    # -- content ------------------------------------------------------------------------

    def set_chapter(self, html: str, text: str, read_resource: ResourceReader) -> None:
        """Show a chapter. ``text`` must be the chapter text matching ``html``."""
        self._read_resource = read_resource
        self._html = html
        self._text = text
        self._map = Utf16Map(text)
        self._forget_marks()
        doc = self.document()
        doc.setDefaultStyleSheet(self._css())
        doc.setHtml(html)
        self._apply_margins()
        self.setExtraSelections([])

    def new_document(self) -> None:
        """Start from an empty document (and an empty image cache)."""
        old = self.document()
        doc = QTextDocument(self)
        doc.setDefaultFont(old.defaultFont())
        doc.setDefaultStyleSheet(self._css())
        self.setDocument(doc)
        # Qt deletes the document it made itself; the ones made here are ours to delete.
        # (Asking the old one for its parent cost 5 ms: PySide builds type wrappers.)
        if self._own_document:
            old.deleteLater()
        self._own_document = True
        self._html = ""
        self._text = ""
        self._map = Utf16Map("")
        self._forget_marks()

    @property
    def text(self) -> str:
        """The chapter text shown."""
        return self._text

    def set_resource_reader(self, reader: ResourceReader) -> None:
        """Where images come from (the book)."""
        self._read_resource = reader

    def set_menu_extender(self, extender: MenuExtender) -> None:
        """Let the owner add its actions to the context menu at an offset."""
        self._menu_extender = extender

    def loadResource(self, kind: int, url: QUrl | str) -> object:
        """Images from the book only; anything else (files, network) is refused."""
        url = QUrl(url)
        if url.scheme() != "res" or kind != QTextDocument.ResourceType.ImageResource.value:
            return None
        data = self._read_resource(url.path())
        # Qt picks the decoder by content and renders SVG here, on the GUI thread: an SVG
        # that refers to anything (a file, /dev/stdin, <use> copies) is never handed over.
        if not data or len(data) > MAX_IMAGE_BYTES or not image_is_safe(data):
            return None
        image = QImage.fromData(QByteArray(data))
        if image.isNull():
            return None
        limit = max(120, int(self._column_width()) - 8)
        if image.width() > limit:
            image = image.scaledToWidth(limit, Qt.TransformationMode.SmoothTransformation)
        if self._colors.dark and image.hasAlphaChannel():
            image = _on_paper(image)
        return image

    # -- look -----------------------------------------------------------------------------

    def apply_style(self, colors: PageColors, font: QFont, line_height: int) -> None:
        """Page colours, font and line spacing; keeps the reading position."""
        offset = self.first_visible_offset()
        self._colors = colors
        self._line_height = line_height
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Base, QColor(colors.background))
        palette.setColor(QPalette.ColorRole.Text, QColor(colors.text))
        palette.setColor(QPalette.ColorRole.Highlight, QColor(colors.selection))
        palette.setColor(QPalette.ColorRole.HighlightedText, QColor(colors.selected_text))
        palette.setColor(QPalette.ColorRole.Link, QColor(colors.link))
        self.setPalette(palette)
        self.document().setDefaultFont(font)
        # The spacing is in percent of the font size; Qt's is of the font's line height.
        # (Both as Qt lays lines out: in whole pixels.)
        line_px = QFontMetrics(font, self).height()
        font_px = QFontInfo(font).pixelSize()
        self._qt_line_height = line_height_percent(line_height, line_px, font_px)
        self.document().setDefaultStyleSheet(self._css())
        if self._text:
            self.document().setHtml(self._html)
            self._apply_margins()
            self._draw_marks()
            self.scroll_to_offset(offset)

    def _css(self) -> str:
        return document_css(self._colors) + f"p {{ line-height: {self._qt_line_height}%; }}"

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Keep the text in a readable column, and the reader's place, as the size changes."""
        # A new width re-wraps every line, so the same scroll value shows other text: the
        # line at the top stays at the top instead (docks settling after a reopen, F9, a
        # maximised window).
        rewraps = bool(self._text) and 0 < event.oldSize().width() != event.size().width()
        offset = self.first_visible_offset() if rewraps else 0
        super().resizeEvent(event)
        self._apply_margins()
        if rewraps and offset > 0:
            self.scroll_to_offset(offset)
        self._marks_follow_page()

    def _side_margin(self) -> float:
        em = self.fontMetrics().averageCharWidth() * 2.1
        return max(24.0, (self.viewport().width() - MAX_COLUMN_EM * em) / 2)

    def _column_width(self) -> float:
        return self.viewport().width() - 2 * self._side_margin()

    def _apply_margins(self) -> None:
        side = self._side_margin()
        root = self.document().rootFrame()
        fmt: QTextFrameFormat = root.frameFormat()
        if abs(fmt.leftMargin() - side) < 1 and fmt.topMargin() == 28:
            return
        fmt.setLeftMargin(side)
        fmt.setRightMargin(side)
        fmt.setTopMargin(28)
        fmt.setBottomMargin(48)
        root.setFrameFormat(fmt)

    # -- offsets --------------------------------------------------------------------------

    def _qt(self, offset: int) -> int:
        return self._map.to_utf16(max(0, min(offset, len(self._text))))

    def _cp(self, position: int) -> int:
        return self._map.to_codepoint(max(0, min(position, self._map.utf16_length)))

    def selected_range(self) -> tuple[int, int] | None:
        """The selection as chapter offsets, trimmed of surrounding white space."""
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return None
        start, end = self._cp(cursor.selectionStart()), self._cp(cursor.selectionEnd())
        while start < end and self._text[start].isspace():
            start += 1
        while end > start and self._text[end - 1].isspace():
            end -= 1
        return (start, end) if end > start else None

    def select_range(self, start: int, end: int) -> None:
        """Select a range (for search matches and jumps)."""
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._qt(start))
        cursor.setPosition(self._qt(end), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)

    def offset_at(self, point: QPoint) -> int:
        """The chapter offset under a point of the viewport."""
        return self._cp(self.cursorForPosition(point).position())

    def first_visible_offset(self) -> int:
        """The offset of the first character at the top of the page."""
        if not self._text:
            return 0
        return self.offset_at(QPoint(self.viewport().width() // 2, 4))

    def scroll_to_offset(self, offset: int) -> None:
        """Scroll so that the line holding ``offset`` is at the top of the page."""
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._qt(offset))
        bar = self.verticalScrollBar()
        top = self.cursorRect(cursor).top() + bar.value()
        bar.setValue(max(0, top - 6))

    # -- marks ----------------------------------------------------------------------------

    def set_marks(self, marks: Sequence[Mark]) -> None:
        """Draw highlights and the search match over the text."""
        self._marks = list(marks)
        self._draw_marks()

    def _draw_marks(self) -> None:
        # Marks are extra selections: the document is never edited, so nothing is laid
        # out again however many highlights a chapter has. Qt walks every extra selection
        # on every paint, though, so a dense chapter gives it only the marks near the
        # page (see _follow_page), and a colour's format is made once.
        self._formats = {}
        drawn = merged_marks(self._marks)
        self._runs = [run for run in drawn if not run[3]]
        self._temporary = [run for run in drawn if run[3]]
        self._starts = [run[0] for run in self._runs]
        self._longest = max((run[1] - run[0] for run in self._runs), default=0)
        self._window = None
        self._follow_page()

    def _follow_page(self) -> None:
        """Hand Qt the marks around the page, unless those it has already cover it."""
        if len(self._runs) <= DENSE_MARKS:
            window = (0, len(self._text))
        else:
            top = self.offset_at(QPoint(0, 0))
            bottom = self.offset_at(QPoint(self.viewport().width(), self.viewport().height()))
            if self._window is not None and self._window[0] <= top and bottom <= self._window[1]:
                return
            # A page either side, so that a scroll by a page needs no new selections.
            span = max(bottom - top, 2000)
            window = (top - span, bottom + span)
        if window == self._window:
            return
        self._window = window
        low = bisect_left(self._starts, window[0] - self._longest)
        high = bisect_left(self._starts, window[1])
        cursor = QTextCursor(self.document())
        selections: list[QTextEdit.ExtraSelection] = []
        for start, end, color, temporary in [*self._runs[low:high], *self._temporary]:
            if end <= window[0] and not temporary:
                continue
            fmt = self._formats.get((color, temporary))
            if fmt is None:
                fmt = self._formats[(color, temporary)] = self._mark_format(color, temporary)
            # One cursor serves every selection: each keeps its own copy.
            cursor.setPosition(self._qt(start))
            cursor.setPosition(self._qt(end), QTextCursor.MoveMode.KeepAnchor)
            selection = QTextEdit.ExtraSelection()
            selection.cursor = cursor
            selection.format = fmt
            selections.append(selection)
        self.setExtraSelections(selections)

    def _forget_marks(self) -> None:
        self._marks = []
        self._runs = []
        self._temporary = []
        self._starts = []
        self._window = None

    def _marks_follow_page(self) -> None:
        if len(self._runs) > DENSE_MARKS and self._text:
            self._follow_page()

    def _mark_format(self, color: str, temporary: bool) -> QTextCharFormat:
        fmt = QTextCharFormat()
        if color == "search":
            fmt.setBackground(QColor(self._colors.selection))
            fmt.setForeground(QColor(self._colors.selected_text))
        else:
            fmt.setBackground(mark_color(color, self._colors))
        if temporary:
            fmt.setFontUnderline(True)
        return fmt

    def mark_at(self, offset: int) -> Mark | None:
        """The highlight under an offset, if any (the shortest one wins)."""
        hits = [m for m in self._marks if m.key and m.start <= offset < m.end]
        return min(hits, key=lambda m: m.end - m.start) if hits else None

    # -- events ---------------------------------------------------------------------------

    def _on_anchor(self, url: QUrl) -> None:
        self.link_activated.emit(url.toString())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        """A plain click on a highlight selects it."""
        super().mouseReleaseEvent(event)
        point = event.position().toPoint()
        if not self.textCursor().hasSelection() and not self.anchorAt(point):
            mark = self.mark_at(self.offset_at(point))
            if mark is not None:
                self.mark_clicked.emit(mark.key)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        """The standard menu plus the owner's actions for the place clicked."""
        menu = self.createStandardContextMenu(event.pos())
        if self._menu_extender is not None:
            self._menu_extender(menu, self.offset_at(event.pos()))
        menu.exec(event.globalPos())
        menu.deleteLater()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Space and Page Down past the end turn the page to the next chapter."""
        bar = self.verticalScrollBar()
        key = event.key()
        forward = key in (Qt.Key.Key_Space, Qt.Key.Key_PageDown) and not (
            event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        )
        backward = key == Qt.Key.Key_PageUp or (
            key == Qt.Key.Key_Space and event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        )
        if forward and bar.value() >= bar.maximum():
            self.end_reached.emit()
            return
        if backward and bar.value() <= bar.minimum():
            self.start_reached.emit()
            return
        if key == Qt.Key.Key_Space:
            step = bar.pageStep() if not backward else -bar.pageStep()
            bar.setValue(bar.value() + step)
            return
        super().keyPressEvent(event)


PAPER = "#f4f1ea"
"""What a see-through picture is laid on in a dark theme."""


def _on_paper(image: QImage) -> QImage:
    """The picture over a light sheet: its own black lettering vanished on a dark page."""
    sheet = QImage(image.size(), QImage.Format.Format_RGB32)
    sheet.fill(QColor(PAPER))
    painter = QPainter(sheet)
    painter.drawImage(0, 0, image)
    painter.end()
    return sheet
