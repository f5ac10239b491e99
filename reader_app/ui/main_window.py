"""The main window: the page in the middle, contents and search on the left, highlights right."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSize, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QFont, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QWidget,
)

from reader_app import APP_NAME
from reader_app.core.errors import StorageError
from reader_app.core.loaders import file_patterns, is_supported_name
from reader_app.ui.actions import WindowActions
from reader_app.ui.annotation_commands import AnnotationCommands
from reader_app.ui.busy_spinner import BusySpinner
from reader_app.ui.connect_card import ConnectCard
from reader_app.ui.highlights_area import HighlightsArea
from reader_app.ui.highlights_panel import HighlightsPanel
from reader_app.ui.learning_commands import LearningCommands
from reader_app.ui.page_menu import extend_page_menu
from reader_app.ui.reader_pane import ReaderPane
from reader_app.ui.screen_fit import restore_geometry
from reader_app.ui.search_panel import SearchPanel
from reader_app.ui.themes import apply_application_theme, page_colors
from reader_app.ui.toc_view import TocView
from reader_app.ui.tone_commands import ToneCommands
from reader_app.ui.tone_panel import TonePanel, profile_line

if TYPE_CHECKING:
    from collections.abc import Callable

    from reader_app.config.paths import AppPaths
    from reader_app.config.settings import Settings
    from reader_app.core.book import Book
    from reader_app.core.records import Highlight
    from reader_app.core.search import SearchHit
    from reader_app.services.book_service import BookService
    from reader_app.services.highlights import HighlightController
    from reader_app.services.search_service import SearchService
    from reader_app.services.settings_store import SettingsStore
    from reader_app.ui.annotation_commands import AnnotationParts
    from reader_app.ui.ports import BookShelf
    from reader_app.ui.tone_commands import ToneParts

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    """Puts the reader's parts together and connects them; holds no book logic itself."""

    def __init__(
        self,
        settings: SettingsStore,
        books: BookShelf,
        book_service: BookService,
        search_service: SearchService,
        highlights: HighlightController,
        *,
        tone: ToneParts,
        annotations: AnnotationParts,
        open_settings: Callable[[], None],
        paths: AppPaths | None,
        parent: QWidget | None = None,
    ) -> None:
        """Build the window complete, with the services it drives.

        ``tone`` and ``annotations`` are what its tone and annotation commands use;
        ``open_settings`` shows the settings dialog; ``paths`` say where the data lives
        (for Help → About).
        """
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_NAME)
        self.setAcceptDrops(True)
        self._store = settings
        self._store.changed.connect(self.apply_settings)
        self._store.save_failed.connect(self._on_save_failed)
        self._books = books
        self._book_service = book_service
        self._search_service = search_service
        self._highlights = highlights
        self._pending_path: str | None = None
        self._closed = False
        # A start-up notice (damaged library, a crash while opening) outlives the first
        # book's load, which otherwise clears the banner.
        self._notice: tuple[str, str, Callable[[], None] | None] | None = None

        self.pane = ReaderPane(self)
        self.setCentralWidget(self.pane)
        self.toc = TocView(self)
        self.search = SearchPanel(self)
        self.highlights_panel = HighlightsPanel(self)
        self.toc_dock = self._dock(
            "tocDock", self.tr("Contents"), self.toc, Qt.DockWidgetArea.LeftDockWidgetArea
        )
        self.search_dock = self._dock(
            "searchDock", self.tr("Search"), self.search, Qt.DockWidgetArea.LeftDockWidgetArea
        )
        # The speaker filter above the list asks the learning commands (made below).
        area = HighlightsArea(self.highlights_panel, lambda: self.learning.characters(), self)
        self.highlights_area, right = area, Qt.DockWidgetArea.RightDockWidgetArea
        self.highlights_dock = self._dock("highlightsDock", self.tr("Highlights"), area, right)
        self.key_card = ConnectCard(tone.key_setup)
        self.tone_panel = TonePanel(self, key_card=self.key_card)
        self.tone_dock = self._dock(
            "toneDock", self.tr("Tone"), self.tone_panel, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.tabifyDockWidget(self.toc_dock, self.search_dock)
        self.tabifyDockWidget(self.highlights_dock, self.tone_dock)
        self.toc_dock.raise_()
        self.tone_dock.raise_()
        self.tone = ToneCommands(self, self, tone)
        self.annotations = AnnotationCommands(self, self, annotations, book_service, highlights)
        self.learning = LearningCommands(
            self, self, tone, annotations.query, self.tone.send_as_batch
        )
        self._open_settings = open_settings

        self._busy = BusySpinner(self)
        self._status = QLabel(self)
        self.statusBar().addWidget(self._status, 1)
        self.statusBar().addPermanentWidget(self._busy)

        self.actions_ = WindowActions(self, self, paths)
        self.actions_.build_menus(self.menuBar())
        toolbar = self.addToolBar(self.tr("Main"))
        toolbar.setObjectName("mainToolBar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.actions_.build_toolbar(toolbar)
        self._connect()
        self._save_place = QTimer(self, singleShot=True, interval=800)
        self._save_place.timeout.connect(self._store_position_when_free)
        self.apply_settings(settings.current)
        self._restore_layout()
        self._update_actions()
        if self._book_service.busy:  # a book began loading before the window existed
            self._on_load_started(self._book_service.pending_path)

    def _dock(self, name: str, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
        )
        self.addDockWidget(area, dock)
        return dock

    def _connect(self) -> None:
        self._book_service.load_started.connect(self._on_load_started)
        self._book_service.book_previewed.connect(self._on_book_previewed)
        self._book_service.book_loaded.connect(self._on_book_loaded)
        self._book_service.load_failed.connect(self._on_load_failed)
        self._search_service.results_ready.connect(self._on_search_results)
        self.search.search_requested.connect(self._on_search)
        self.search.hit_activated.connect(self._on_hit)
        self.toc.entry_activated.connect(lambda c, o: self.pane.go_to(c, o))
        self.pane.location_changed.connect(self._on_location)
        self.pane.chapter_shown.connect(lambda _c: self._redraw_marks())
        self.pane.view.mark_clicked.connect(self.highlights_panel.select_highlight)
        self.pane.view.set_menu_extender(self._extend_menu)
        self.pane.view.selectionChanged.connect(self._update_actions)
        self._highlights.changed.connect(self._on_highlights_changed)
        self._highlights.failed.connect(self.pane.banner.show_error)
        self.highlights_panel.jump_requested.connect(self.jump_to_highlight)
        self.highlights_panel.delete_requested.connect(self._highlights.delete)
        self.highlights_panel.note_requested.connect(self.edit_note)
        self.highlights_panel.color_requested.connect(self._highlights.set_color)
        self.tone_panel.details.toggled.connect(self._on_details_toggled)
        self.tone_panel.guess_first.toggled.connect(self._on_guess_first_toggled)
        # The model the next analysis goes to may change once the API's list is read.
        self.tone.analysis.show_pending.connect(self._refresh_profile)
        self.tone.analysis.analysed.connect(self._refresh_profile)
        hints = QApplication.styleHints()
        # A bound method: Qt drops it with the window (a lambda would keep the window).
        hints.colorSchemeChanged.connect(self._on_color_scheme_changed)

    # -- opening --------------------------------------------------------------------------

    def open_path(self, path: str | Path) -> None:
        """Open a book file; the page stays usable while it loads."""
        self._store_position()
        self._book_service.open(Path(path))

    def choose_file(self) -> None:
        """Ask for a book file."""
        books = self.tr("Books ({patterns});;All files (*)")
        chosen = books.format(patterns=" ".join(file_patterns()))
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Open Book"), "", chosen)
        if path:
            self.open_path(path)

    def show_library(self) -> None:
        """The recent-books dialog."""
        try:
            records = self._books.recent(200)
        except StorageError as exc:
            self.pane.banner.show_error(exc.message)
            return
        from reader_app.ui.library_dialog import LibraryDialog

        dialog = LibraryDialog(records, self)
        dialog.open_requested.connect(self.open_path)
        dialog.forget_requested.connect(self._forget)
        dialog.open()

    def _forget(self, book_id: str) -> None:
        try:
            self._books.forget(book_id)
        except StorageError as exc:
            self.pane.banner.show_error(exc.message)
        self.actions_.refresh_recent(self._recent())

    def show_notice(
        self, message: str, action_text: str = "", action: Callable[[], None] | None = None
    ) -> None:
        """Tell the user what happened at start; shown again once the first book is up."""
        if action is None:
            self._notice = (message, "", None)
            self.pane.banner.show_notice(message)
            return
        chosen = action

        def act() -> None:
            self._notice = None  # acted on: not offered again after the book loads
            chosen()

        self._notice = (message, action_text, act)
        self.pane.banner.show_notice(message, action_text, act)

    def refresh_library(self) -> None:
        """The library changed behind the window (recovered rows): reload what it lists."""
        self.actions_.refresh_recent(self._recent())

    def _recent(self) -> list[tuple[str, str]]:
        try:
            return [(r.title, r.path) for r in self._books.recent(10)]
        except StorageError:
            return []

    def _on_load_started(self, path: str) -> None:
        self._pending_path = path
        opening = self.tr("Opening {name}…").format(name=Path(path).name)
        self._status.setText(opening)
        self._busy.start(opening)

    def _on_load_failed(self, path: str, message: str) -> None:
        self._busy.stop()
        self._status.setText("")
        if self.pane.previewing:  # its first pages were shown: the rest could not be read
            self.pane.close_book()
            self._update_actions()
        self.pane.banner.show_error(message)
        log.info("Could not open %s: %s", path, message)

    def _on_book_previewed(self, book: Book) -> None:
        # A long PDF's first pages, to read while the rest is parsed; not over a saved place.
        try:
            if self._books.get(book.book_id) is not None:
                return
        except StorageError:
            return
        self._store_position()
        self.search.clear()
        self.toc.clear_book()  # its entries would lead nowhere until the whole book is in
        self.pane.show_preview(book)
        self.setWindowTitle(f"{book.title} — {APP_NAME}")
        self._update_actions()

    def _on_book_loaded(self, book: Book) -> None:
        self._busy.stop()
        self._status.setText("")
        chapter, offset = 0, 0
        if self.pane.previewing == book.book_id:  # read on from where the preview is
            offset = self.pane.view.first_visible_offset()
        try:
            previous = self._books.get(book.book_id)
            if previous is not None:
                chapter, offset = previous.position_chapter, previous.position_offset
            self._books.record_opened(
                book.book_id, book.path, book.title, book.authors, book.language,
                book.format.value, len(book.chapters), book.char_count,
            )  # fmt: skip
        except StorageError as exc:
            self.pane.banner.show_error(exc.message)
        self.pane.banner.hide()
        self.highlights_area.speaker.reset()
        self._highlights.open_book(book, after_ms=50)  # after the page and contents
        self.tone.analysis.show_highlight(None)
        if self.tone.examples_dialog is not None:
            self.tone.examples_dialog.set_book(book.book_id)
        self.search.clear()
        self.pane.show_book(book, chapter, offset)
        # The page first, painted, then the rest: together they held the window for one
        # long slot. (A zero timer would run before the paint, so the pause is not zero.)
        QTimer.singleShot(10, self, lambda: self._finish_opening(book))

    def _finish_opening(self, book: Book) -> None:
        if self.pane.book is not book:
            return  # another book came in between
        self.toc.set_book(book)
        self.toc.follow(*self.pane.reading_place())
        self.setWindowTitle(f"{book.title} — {APP_NAME}")  # last: the book is all shown
        self.actions_.refresh_recent(self._recent())
        if book.warnings:
            self.pane.banner.show_info(book.warnings[0])
        orphans = sum(1 for h in self._highlights.highlights if h.orphaned)
        if orphans:
            self.pane.banner.show_info(
                self.tr(
                    "{n} highlight(s) could not be placed in this text; they are kept in the"
                    " Highlights list."
                ).format(n=orphans)
            )
        if self._notice is not None:
            notice, self._notice = self._notice, None
            self.pane.banner.show_notice(*notice)
        self._update_actions()

    # -- reading place --------------------------------------------------------------------

    def _on_location(self, chapter: int, offset: int) -> None:
        if self._closed or self.pane.book is None:  # closing, or a preview on the page
            return
        self.toc.follow(chapter, offset)
        self._save_place.start()
        self._update_actions()

    def _store_position_when_free(self) -> None:
        # Placing a book's highlights writes the library on a worker, in one transaction
        # (20,000 highlights: a third of a second). Writing the place now would wait for it
        # on the GUI thread, a frozen window; it is written once the placing is done.
        if self._highlights.busy:
            self._save_place.start()
            return
        self._store_position()

    def _store_position(self) -> None:
        book = self.pane.book
        if book is None or self._closed:
            return
        chapter, offset = self.pane.location()
        try:
            self._books.save_position(book.book_id, chapter, offset, self.pane.progress())
        except StorageError as exc:
            self.pane.banner.show_error(exc.message)

    # -- search ---------------------------------------------------------------------------

    def show_search(self) -> None:
        """Show the search panel and focus its box."""
        self.search_dock.show()
        self.search_dock.raise_()
        self.search.focus_query()

    def _on_search(self, query: str, match_case: bool) -> None:
        book = self.pane.book
        if book is None:
            self.search.status.setText(self.tr("Open a book to search it."))
            return
        self._search_service.search([c.text for c in book.chapters], query, match_case=match_case)

    def _on_search_results(self, query: str, hits: list[SearchHit], total: int) -> None:
        book = self.pane.book
        titles = [book.chapter_label(i) for i in range(len(book.chapters))] if book else []
        self.search.show_results(query, hits, total, titles)

    def _on_hit(self, hit: SearchHit) -> None:
        self.pane.show_match(hit.chapter, hit.start, hit.end)

    # -- highlights -----------------------------------------------------------------------

    def export_annotations(self) -> None:
        """File → Export Annotations."""
        self.annotations.export()

    def import_annotations(self) -> None:
        """File → Import Annotations."""
        self.annotations.import_annotations()

    def show_annotations(self) -> None:
        """The annotations browser."""
        self.annotations.show_browser()

    def status_message(self, text: str) -> None:
        """A passing note in the status bar."""
        self._status.setText(text)

    def highlight(self, highlight_id: int) -> Highlight | None:
        """A highlight of the open book."""
        return self._highlights.get(highlight_id)

    def highlight_selection(self, color: str = "yellow") -> None:
        """Highlight the selected text (or recolour the highlight under it)."""
        selected = self.pane.view.selected_range()
        if selected is None:
            self._status.setText(self.tr("Select some text first, then press H."))
            return
        created = self._highlights.add(self.pane.chapter, *selected, color=color)
        if created is not None:
            if created.color != color:
                self._highlights.set_color(created.id, color)
            self.highlights_panel.select_highlight(created.id)
            cursor = self.pane.view.textCursor()
            cursor.clearSelection()
            self.pane.view.setTextCursor(cursor)

    def _highlight_under_cursor(self) -> int | None:
        selected = self.pane.view.selected_range()
        offset = (
            selected[0]
            if selected
            else self.pane.view.offset_at(self.pane.view.cursorRect().center())
        )
        found = self._highlights.at(self.pane.chapter, offset)
        if found is not None:
            return found.id
        return self.highlights_panel.current_id()

    def edit_note(self, highlight_id: int | None = None) -> None:
        """Edit the note of a highlight (the one under the cursor by default)."""
        hid = highlight_id if highlight_id is not None else self._highlight_under_cursor()
        item = self._highlights.get(hid) if hid is not None else None
        if item is None:
            self._status.setText(self.tr("Select a highlight to add a note to it."))
            return
        text, ok = QInputDialog.getMultiLineText(
            self, self.tr("Note"), self.tr("Note for “{quote}”:").format(quote=item.quote[:60]),
            item.note,
        )  # fmt: skip
        if ok:
            self._highlights.set_note(item.id, text)

    def undo_delete(self) -> None:
        """Edit → Undo Delete Highlight."""
        self._highlights.undo()

    def open_settings(self) -> None:
        """Edit → Tone Analysis Settings."""
        self._open_settings()

    def delete_highlight(self) -> None:
        """Delete the highlight under the cursor or selected in the list."""
        hid = self._highlight_under_cursor()
        if hid is not None:
            self._highlights.delete(hid)
            self._status.setText(self.tr("Highlight deleted. Press Ctrl+Z to bring it back."))

    def jump_to_highlight(self, highlight_id: int) -> None:
        """Show a highlight on the page."""
        item = self._highlights.get(highlight_id)
        if item is None or item.orphaned:
            return
        self.pane.go_to(item.chapter, item.start)
        self.pane.view.select_range(item.start, item.end)

    def _on_highlights_changed(self) -> None:
        book = self.pane.book

        def where(item: Highlight) -> str:
            if book is None or not 0 <= item.chapter < len(book.chapters):
                return ""
            return book.section_title(item.chapter, item.start)

        self.highlights_area.show_highlights(self._highlights.highlights, where)
        self._redraw_marks()
        self._update_actions()

    def _redraw_marks(self) -> None:
        # With a preview on the page the controller still holds the last book's highlights.
        self.pane.set_marks(self._highlights.marks(self.pane.chapter) if self.pane.book else [])

    def _extend_menu(self, menu: QMenu, offset: int) -> None:
        if self.pane.book is None:
            return  # an empty page, or a preview: nothing to mark yet
        extend_page_menu(
            menu, selected=self.pane.view.selected_range() is not None,
            existing=self._highlights.at(self.pane.chapter, offset), actions=self.actions_,
            tone=self.tone, mark=self.highlight_selection, edit_note=self.edit_note,
            delete=self._highlights.delete,
        )  # fmt: skip

    # -- look -------------------------------------------------------------------------------

    @property
    def settings(self) -> Settings:
        """The settings in force (the store's)."""
        return self._store.current

    @property
    def _settings(self) -> Settings:
        return self._store.current

    def replace_settings(self, settings: Settings) -> None:
        """Apply and save a whole new set of settings (from the settings dialog)."""
        self._store.replace(settings)

    def update_settings(self, **changes: object) -> None:
        """Change settings, apply them and save them."""
        self._store.update(**changes)

    def apply_settings(self, settings: Settings) -> None:
        """Theme, font and panels."""
        self._apply_theme()
        if not self.isVisible():  # at start; later the reader's F9 and View menu decide
            self.toc_dock.setVisible(settings.show_toc)
        self.actions_.sync(settings)
        self._refresh_profile()
        self.tone_panel.details.set_open(settings.tone_details)
        self.tone_panel.guess_first.setChecked(settings.guess_first)

    def _refresh_profile(self, *_why: object) -> None:
        model = self.tone.analysis.model_in_force()
        self.tone_panel.set_profile(profile_line(self._settings, model))

    def _on_details_toggled(self, shown: bool) -> None:
        if shown != self._settings.tone_details:
            self.update_settings(tone_details=shown)

    def _on_guess_first_toggled(self, on: bool) -> None:
        if on != self._settings.guess_first:
            self.update_settings(guess_first=on)

    def _on_save_failed(self, message: str) -> None:
        self.pane.banner.show_error(message)

    def _on_color_scheme_changed(self, _scheme: object) -> None:
        self._apply_theme()

    def _apply_theme(self) -> None:
        colors = page_colors(self._settings.theme)
        apply_application_theme(colors)
        font = QFont(self._settings.font_family or "Serif")
        if not self._settings.font_family:
            font.setStyleHint(QFont.StyleHint.Serif)
        font.setPointSize(self._settings.font_size)
        self.pane.apply_style(colors, font, self._settings.line_height)

    def _restore_layout(self) -> None:
        # 1180×800 where there is room; on a smaller screen, its free area (see screen_fit).
        restore_geometry(self, self._settings.window_geometry, QSize(1180, 800))
        if self._settings.window_state:
            self.restoreState(QByteArray.fromBase64(self._settings.window_state.encode()))

    def _update_actions(self) -> None:
        self.actions_.update_enabled(
            has_book=self.pane.book is not None,
            has_selection=self.pane.view.textCursor().hasSelection(),
            can_back=self.pane.can_go_back,
            can_undo=self._highlights.can_undo,
        )

    # -- window events --------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        """Accept book files dragged onto the window."""
        urls = event.mimeData().urls()
        if urls and urls[0].isLocalFile() and is_supported_name(Path(urls[0].toLocalFile()).name):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        """Open the dropped book."""
        urls = event.mimeData().urls()
        if urls and urls[0].isLocalFile():
            self.open_path(urls[0].toLocalFile())
            event.acceptProposedAction()

    def showEvent(self, event: QShowEvent) -> None:
        """Shown (again): places may be saved."""
        self._closed = False
        super().showEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Save the reading place, window layout and settings."""
        self._store_position()
        self._store.update(
            show_toc=self.toc_dock.isVisible(),
            window_geometry=bytes(self.saveGeometry().toBase64().data()).decode(),
            window_state=bytes(self.saveState().toBase64().data()).decode(),
        )
        # The place is saved; late scroll events must not write to a closing library.
        self._closed = True
        self._save_place.stop()
        super().closeEvent(event)
