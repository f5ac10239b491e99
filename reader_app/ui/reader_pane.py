"""The reading area: message banner, the page, and a footer with chapter navigation."""

from __future__ import annotations

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
from reader_app.ui.elided_label import ElidedLabel
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
        self._chapter = 0
        # Where the last jump landed and the scroll value it left: the place that counts
        # until the page moves (a heading near a chapter's end cannot scroll to the top).
        self._landed: tuple[int, int, int] | None = None
        self._history: list[tuple[int, int]] = []
        self._marks: list[Mark] = []
        self._search_mark: Mark | None = None
        self._preview_id = ""

        footer = QWidget(self)
        footer.setObjectName("readerFooter")
        self.prev_button = QToolButton(footer)
        self.prev_button.setText("‹")
        self.prev_button.setAccessibleName(self.tr("Previous section"))
        self.prev_button.setToolTip(self.tr("Previous section in the contents (Ctrl+Left)"))
        self.next_button = QToolButton(footer)
        self.next_button.setText("›")
        self.next_button.setAccessibleName(self.tr("Next section"))
        self.next_button.setToolTip(self.tr("Next section in the contents (Ctrl+Right)"))
        for button in (self.prev_button, self.next_button):
            button.setAutoRaise(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.chapter_label = ElidedLabel(footer, separator="  ·  ")
        self.chapter_label.setObjectName("chapterLabel")
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

    def reading_place(self) -> tuple[int, int]:
        """Where the reader is, for the contents and Next / Previous.

        The last jump's target while the page has not moved since, else the top of the page.
        """
        if self._landed is not None:
            chapter, offset, value = self._landed
            if chapter == self._chapter and value == self.view.verticalScrollBar().value():
                return chapter, offset
        return self.location()

    def progress(self) -> float:
        """How far through the book's reading order the page is, 0..1, by characters."""
        if self._book is None:
            return 0.0
        return self._book.steps().progress(*self.location())

    # -- showing ----------------------------------------------------------------------------

    @property
    def previewing(self) -> str:
        """The id of the book whose first part is on the page while it loads, or ""."""
        return self._preview_id

    def show_preview(self, book: Book) -> None:
        """Put the first chapter of a book still loading on the page, to read, not to mark.

        No book is open meanwhile: what works on the open book waits for the whole one.
        """
        self._book = None
        self._preview_id = book.book_id
        self._history.clear()
        self._chapter = 0
        self._marks = []
        self._search_mark = None
        self.prev_button.setEnabled(False)
        self.next_button.setEnabled(False)
        self.progress_label.setText("")
        self.view.new_document()
        first = book.chapters[0]
        self.view.set_chapter(first.html, first.text, book.read_resource)
        self.view.set_marks([])
        self.view.select_range(0, 0)  # the caret at the start, where Page Down reads on
        self.view.scroll_to_offset(0)
        self.chapter_label.setText(self.tr("{title}  ·  reading the rest of the book…").format(
            title=book.chapter_label(0)))  # fmt: skip

    def show_book(self, book: Book, chapter: int, offset: int) -> None:
        """Open a book at a saved place (clamped to what exists)."""
        self._book = book
        self._preview_id = ""
        self._history.clear()
        # A fresh document: images cached for the last book must not show in this one.
        self.view.new_document()
        chapter = chapter if 0 <= chapter < len(book.chapters) else 0
        self._show(chapter, offset)

    def close_book(self) -> None:
        """Empty the page."""
        self._book = None
        self._preview_id = ""
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
        """Go to the start of the next section of the contents (or the next file)."""
        if self._book is None:
            return
        steps = self._book.steps()
        index = steps.next_index(*self.reading_place())
        if index is not None:
            step = steps.steps[index]
            self._show(step.chapter, step.offset)

    def previous_chapter(self) -> None:
        """Back to the start of this section, or to the one before when at its start."""
        if self._book is None:
            return
        place = self._book.steps().previous_place(*self.reading_place())
        if place is not None:
            self._show(*place)

    def _page_past_end(self) -> None:
        # Paging reads on into the next file, wherever its first section starts.
        if self._book is None:
            return
        steps = self._book.steps()
        later = range(self._chapter + 1, len(self._book.chapters))
        # From the reading order, on in it: past files outside it (Project Gutenberg's
        # licence, kept in "About this file" at the end).
        if steps.in_reading_order(self._chapter):
            chapter = next((i for i in later if steps.in_reading_order(i)), None)
        else:
            chapter = next(iter(later), None)
        if chapter is not None:
            self._show(chapter, 0)

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
        # The caret goes along: Page Down then reads on from here, not from the old place.
        self.view.select_range(offset, offset)
        self.view.scroll_to_offset(offset)
        self._landed = (chapter, offset, self.view.verticalScrollBar().value())
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
        steps = self._book.steps()
        chapter, offset = self.reading_place()
        index = steps.index_at(chapter, offset)
        if index >= 0 and steps.in_reading_order(chapter):
            self.chapter_label.setText(
                self.tr("{title}  ·  {number} of {total}").format(
                    title=steps.steps[index].title, number=index + 1, total=len(steps)
                )
            )
        else:  # before the first section (a cover), or outside the reading order
            self.chapter_label.setText(self._book.chapter_label(chapter))
        percent = f"{round(self.progress() * 100)}%"
        page = self._book.chapters[chapter].page_at(offset)
        # A PDF's printed page, so that a reader can cite or find the place on paper.
        self.progress_label.setText(
            self.tr("p. {page}  ·  {percent}").format(page=page, percent=percent)
            if page
            else percent
        )
        self.prev_button.setEnabled(steps.previous_place(chapter, offset) is not None)
        self.next_button.setEnabled(steps.next_index(chapter, offset) is not None)

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
