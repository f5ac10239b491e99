"""The reading area: message banner, the page, and a footer with chapter navigation."""

from __future__ import annotations

from itertools import accumulate
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from reader_app.core.marks import Mark
from reader_app.ui.banner import Banner
from reader_app.ui.reader_view import ReaderView

if TYPE_CHECKING:
    from reader_app.core.book import Book
    from reader_app.ui.themes import PageColors

_HISTORY_LIMIT = 50


class ReaderPane(QWidget):
    """Shows a book one chapter at a time and knows where the reader is.

    Signals:
        location_changed(int, int): chapter index and first visible offset, once settled.
        chapter_shown(int): a chapter was put on the page (marks should be drawn).
    """

    location_changed = Signal(int, int)
    chapter_shown = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.banner = Banner(self)
        self.view = ReaderView(self)
        self._book: Book | None = None
        # Where each chapter starts in the whole book's characters, for the footer's
        # percentage: summing every chapter on each scroll cost a millisecond in a big book.
        self._chapter_starts: list[int] = [0]
        self._chapter = 0
        self._history: list[tuple[int, int]] = []
        self._marks: list[Mark] = []
        self._search_mark: Mark | None = None

        footer = QWidget(self)
        footer.setObjectName("readerFooter")
        self.prev_button = QToolButton(footer)
        self.prev_button.setText("‹")
        self.prev_button.setAccessibleName(self.tr("Previous chapter"))
        self.prev_button.setToolTip(self.tr("Previous chapter (Ctrl+Left)"))
        self.next_button = QToolButton(footer)
        self.next_button.setText("›")
        self.next_button.setAccessibleName(self.tr("Next chapter"))
        self.next_button.setToolTip(self.tr("Next chapter (Ctrl+Right)"))
        for button in (self.prev_button, self.next_button):
            button.setAutoRaise(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.chapter_label = QLabel(footer)
        self.chapter_label.setObjectName("chapterLabel")
        self.chapter_label.setTextFormat(Qt.TextFormat.PlainText)
        self.progress_label = QLabel(footer)
        self.progress_label.setObjectName("progressLabel")
        row = QHBoxLayout(footer)
        row.setContentsMargins(8, 2, 8, 4)
        row.addWidget(self.prev_button)
        row.addWidget(self.chapter_label, 1)
        row.addWidget(self.progress_label)
        row.addWidget(self.next_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.view, 1)
        layout.addWidget(footer)

        self.prev_button.clicked.connect(self.previous_chapter)
        self.next_button.clicked.connect(self.next_chapter)
        self.view.end_reached.connect(self._page_past_end)
        self.view.start_reached.connect(self._page_past_start)
        self.view.position_changed.connect(self._on_scrolled)
        self.view.link_activated.connect(self._follow_link)

    # -- state ----------------------------------------------------------------------------

    @property
    def book(self) -> Book | None:
        """The open book."""
        return self._book

    @property
    def chapter(self) -> int:
        """The chapter on the page."""
        return self._chapter

    def location(self) -> tuple[int, int]:
        """Chapter and first visible offset."""
        return self._chapter, self.view.first_visible_offset()

    def progress(self) -> float:
        """How far through the book the page is, 0..1, by characters."""
        total = self._chapter_starts[-1]
        if self._book is None or not total:
            return 0.0
        before = self._chapter_starts[self._chapter]
        return min(1.0, (before + self.view.first_visible_offset()) / total)

    # -- showing ----------------------------------------------------------------------------

    def show_book(self, book: Book, chapter: int, offset: int) -> None:
        """Open a book at a saved place (clamped to what exists)."""
        self._book = book
        self._chapter_starts = list(accumulate((len(c.text) for c in book.chapters), initial=0))
        self._history.clear()
        # A fresh document: images cached for the last book must not show in this one.
        self.view.new_document()
        chapter = chapter if 0 <= chapter < len(book.chapters) else 0
        self._show(chapter, offset)

    def close_book(self) -> None:
        """Empty the page."""
        self._book = None
        self._chapter_starts = [0]
        self._history.clear()
        self.view.set_chapter("", "", lambda _n: None)
        self.chapter_label.setText("")
        self.progress_label.setText("")

    def go_to(self, chapter: int, offset: int = 0, *, remember: bool = True) -> None:
        """Jump to a place; ``remember`` lets Back return to where the reader was."""
        if self._book is None or not 0 <= chapter < len(self._book.chapters):
            return
        if remember:
            self._history.append(self.location())
            del self._history[:-_HISTORY_LIMIT]
        self._show(chapter, offset)

    def back(self) -> None:
        """Return to the place before the last jump."""
        if self._history:
            chapter, offset = self._history.pop()
            self._show(chapter, offset)

    @property
    def can_go_back(self) -> bool:
        """Whether there is a place to go back to."""
        return bool(self._history)

    def next_chapter(self) -> None:
        """Go to the start of the next chapter."""
        if self._book is not None and self._chapter + 1 < len(self._book.chapters):
            self._show(self._chapter + 1, 0)

    def previous_chapter(self) -> None:
        """Go to the start of the previous chapter."""
        if self._book is not None and self._chapter > 0:
            self._show(self._chapter - 1, 0)

    def _page_past_end(self) -> None:
        self.next_chapter()

    def _page_past_start(self) -> None:
        if self._book is not None and self._chapter > 0:
            self._show(self._chapter - 1, len(self._book.chapters[self._chapter - 1].text))

    def _show(self, chapter: int, offset: int) -> None:
        assert self._book is not None
        if chapter != self._chapter or not self.view.text:
            content = self._book.chapters[chapter]
            self._chapter = chapter
            self._search_mark = None
            self.view.set_chapter(content.html, content.text, self._book.read_resource)
            self.chapter_shown.emit(chapter)
        self._chapter = chapter
        self.view.scroll_to_offset(offset)
        self._update_footer()
        self.location_changed.emit(chapter, offset)

    def set_marks(self, marks: list[Mark]) -> None:
        """Highlights to draw on the current chapter."""
        self._marks = marks
        self._redraw()

    def show_match(self, chapter: int, start: int, end: int) -> None:
        """Go to a search match, select it and mark it."""
        self.go_to(chapter, start)
        self._search_mark = Mark(start, end, "search")
        self.view.select_range(start, end)
        self._lower_a_third()
        self._redraw()

    def _lower_a_third(self) -> None:
        # The match was scrolled to the top; a third down the page is easier to find.
        bar = self.view.verticalScrollBar()
        bar.setValue(max(0, bar.value() - self.view.viewport().height() // 3))

    def _redraw(self) -> None:
        marks = list(self._marks)
        if self._search_mark is not None:
            marks.append(self._search_mark)
        self.view.set_marks(marks)

    def apply_style(self, colors: PageColors, font: QFont, line_height: int) -> None:
        """Restyle the page, keeping the place."""
        self.view.apply_style(colors, font, line_height)

    def _on_scrolled(self, offset: int) -> None:
        self._update_footer()
        self.location_changed.emit(self._chapter, offset)

    def _update_footer(self) -> None:
        if self._book is None:
            return
        total = len(self._book.chapters)
        title = self._book.section_title(self._chapter, self.view.first_visible_offset())
        self.chapter_label.setText(f"{title}  ·  {self._chapter + 1} / {total}")
        self.progress_label.setText(f"{round(self.progress() * 100)}%")
        self.prev_button.setEnabled(self._chapter > 0)
        self.next_button.setEnabled(self._chapter + 1 < total)

    # -- links ----------------------------------------------------------------------------

    def _follow_link(self, href: str) -> None:
        if self._book is None or not href:
            return
        url = QUrl(href)
        if url.scheme() == "book":
            try:
                chapter = int(url.path())
            except ValueError:
                return
            self._jump_to_target(chapter, url.fragment())
            return
        if href.startswith("#"):
            self._jump_to_target(None, href[1:])
            return
        if url.scheme() in ("http", "https", "mailto", "ftp"):
            self._confirm_external(url)

    def _jump_to_target(self, chapter: int | None, fragment: str) -> None:
        assert self._book is not None
        chapters = self._book.chapters
        if chapter is None:
            # A same-file link in a book that was cut into chapters: find the chapter.
            order = [self._chapter, *[i for i in range(len(chapters)) if i != self._chapter]]
            chapter = next((i for i in order if fragment in chapters[i].anchors), self._chapter)
        if not 0 <= chapter < len(chapters):
            return
        self.go_to(chapter, chapters[chapter].anchors.get(fragment, 0))

    def _confirm_external(self, url: QUrl) -> None:
        answer = QMessageBox.question(
            self,
            self.tr("Open Link"),
            self.tr(
                "This link leads outside the book:\n{url}\n\nOpen it in your web browser?"
            ).format(url=url.toString()),
            QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Open:
            QDesktopServices.openUrl(url)
