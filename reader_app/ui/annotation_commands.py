"""The window's annotation commands: the browser, export, import, and jumping to a passage.

The library is reached only through what the composition root hands in: the shapes of
``ui.ports`` for the browser, the paths the library knows for a book, and the import use
case (``usecases.importing.import_file``) bound to the profile's library.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from reader_app.core.errors import StorageError

if TYPE_CHECKING:
    from collections.abc import Callable

    from reader_app.core.annotations import Annotation
    from reader_app.core.book import Book
    from reader_app.services.book_service import BookService
    from reader_app.services.highlights import HighlightController
    from reader_app.services.tasks import TaskRunner
    from reader_app.ui.annotations_window import AnnotationsWindow
    from reader_app.ui.export_dialog import ExportDialog
    from reader_app.ui.ports import AnnotationSource, HighlightEdits
    from reader_app.ui.window_api import ReadingWindow
    from reader_app.usecases.importing import FileImportResult


@dataclass(frozen=True)
class AnnotationParts:
    """How the annotation commands reach the library, made before the window.

    Attributes:
        query: the library's annotations, for the browser and exports.
        edits: the highlight changes the browser makes.
        book_files: every path the library knows for a book id, most recent first
            (empty for a book it does not know); raises ``StorageError``.
        tasks: runs exports and imports on a worker.
        run_import: imports one annotations file into the library (on the worker).
    """

    query: AnnotationSource
    edits: HighlightEdits
    book_files: Callable[[str], list[str]]
    tasks: TaskRunner
    run_import: Callable[[Path], FileImportResult]


class AnnotationCommands(QObject):
    """Opens the annotations browser and follows its jumps, opening another book if need be."""

    def __init__(
        self,
        window: QWidget,
        host: ReadingWindow,
        parts: AnnotationParts,
        book_service: BookService,
        highlights: HighlightController,
    ) -> None:
        """Build the commands with everything they use.

        Args:
            window: the main window, the parent of the commands' dialogs.
            host: the same window as the commands use it: its page, status bar and jumps.
            parts: how the library is reached.
            book_service: opens books, and says when one is loaded.
            highlights: the open book's highlights.
        """
        super().__init__(window)
        self._tasks = parts.tasks
        self._run_import = parts.run_import
        self.import_report: QMessageBox | None = None
        # Tests answer the file question here instead of through a native dialog.
        self.choose_import_file: Callable[[], Path | None] = self._choose_import_file
        self.export_dialog: ExportDialog | None = None
        self._window = window
        self._w = host
        self._query = parts.query
        self._repo = parts.edits
        self._book_files = parts.book_files
        self._highlights = highlights
        self._pending_jump: tuple[str, int] | None = None
        self.browser: AnnotationsWindow | None = None
        book_service.book_loaded.connect(self._after_load)
        # Placing a book's highlights runs in the background: say how far it got.
        highlights.placing.connect(self._placing)
        highlights.placed.connect(self._placed)

    def show_browser(self) -> None:
        """The annotations browser (one, non-modal)."""
        if self.browser is None:
            from reader_app.ui.annotations_window import AnnotationsWindow

            self.browser = AnnotationsWindow(
                self._query, self._repo, lambda: self._w.pane.book, self._window
            )
            self.browser.jump_requested.connect(self.jump)
            self.browser.changed.connect(self._changed)
        else:
            self.browser.reload()
        self.browser.show()
        self.browser.raise_()

    def export(self) -> None:
        """Ask what to export and where, then write it in the background."""
        from reader_app.ui.export_dialog import ExportDialog

        book = self._w.pane.book
        dialog = ExportDialog(book.title if book is not None else None, self._window)
        self.export_dialog = dialog
        dialog.accepted.connect(lambda: self._export_chosen(dialog))
        dialog.open()

    def _export_chosen(self, dialog: ExportDialog) -> None:
        from reader_app.core.exporters import EXPORTERS

        scope, key = dialog.choice()
        fmt = EXPORTERS[key]
        book = self._w.pane.book
        name = book.title if scope == "book" and book is not None else "Tone Reader library"
        path = dialog.choose_path(_safe_name(name) + fmt.suffix, fmt.suffix)
        if path is None:
            return
        try:
            rows = (
                self._query.for_book(book.book_id)
                if scope == "book" and book is not None
                else self._query.all()
            )
        except StorageError as exc:
            self._w.pane.banner.show_error(exc.message)
            return
        if not rows:
            self._w.status_message(self.tr("There are no annotations to export."))
            return
        self._w.status_message(self.tr("Exporting {n} annotations…").format(n=len(rows)))
        self._tasks.submit(
            lambda: export_to(rows, key, path),
            lambda count: self._w.status_message(
                (
                    self.tr("Exported 1 annotation to {name}.")
                    if count == 1
                    else self.tr("Exported {n} annotations to {name}.")
                ).format(n=count, name=path.name)
            ),
            lambda exc: self._w.pane.banner.show_error(str(exc)),
        )

    def import_annotations(self) -> None:
        """Ask for an annotations file (W3C JSON, Kindle, calibre, KOReader) and import it."""
        path = self.choose_import_file()
        if path is None:
            return
        self._w.status_message(self.tr("Importing {name}…").format(name=path.name))
        self._tasks.submit(
            lambda: self._run_import(path),
            lambda done: self._imported(path, done),
            lambda exc: self._w.pane.banner.show_error(str(exc)),
        )

    def _choose_import_file(self) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(
            self._window,
            self.tr("Import Annotations"),
            "",
            self.tr(
                "Annotations (*.json *.txt *.lua *.calibre_highlights"
                " *.calibre_annotation_collection);;All files (*)"
            ),
        )
        return Path(name) if name else None

    def _imported(self, path: Path, done: FileImportResult) -> None:
        result = done.result
        parts = [
            (
                self.tr("Imported 1 annotation from {name}.")
                if result.imported == 1
                else self.tr("Imported {n} annotations from {name}.")
            ).format(n=result.imported, name=path.name)
        ]
        if result.orphans:
            parts.append(
                (
                    self.tr("1 could not be placed in its book yet")
                    if result.orphans == 1
                    else self.tr("{n} could not be placed in their books yet")
                ).format(n=result.orphans)
                + self.tr("; they are kept under “Not found in the book” in Annotations.")
            )
        if done.duplicates:
            parts.append(
                (
                    self.tr("1 was already in the library and was skipped.")
                    if done.duplicates == 1
                    else self.tr("{n} were already in the library and were skipped.")
                ).format(n=done.duplicates)
            )
        self._highlights.refresh()
        if self.browser is not None and self.browser.isVisible():
            self.browser.reload()
        self._w.status_message(" ".join(parts))
        if not done.problems:
            return
        parts.append(
            (
                self.tr("1 record could not be read; see the details.")
                if len(done.problems) == 1
                else self.tr("{n} records could not be read; see the details.")
            ).format(n=len(done.problems))
        )
        report = QMessageBox(
            QMessageBox.Icon.Warning,
            self.tr("Import Annotations"),
            " ".join(parts),
            QMessageBox.StandardButton.Ok,
            self._window,
        )
        report.setDetailedText("\n".join(done.problems))
        self.import_report = report
        report.open()

    def jump(self, book_id: str, highlight_id: int) -> None:
        """Show a passage, opening its book first when another one is open."""
        book = self._w.pane.book
        if book is not None and book.book_id == book_id:
            self._w.jump_to_highlight(highlight_id)
            return
        try:
            paths = self._book_files(book_id)
        except StorageError as exc:
            self._w.status_message(exc.message)
            return
        if not paths:
            self._w.status_message(self.tr("That book's file is not known to the library."))
            return
        self._pending_jump = (book_id, highlight_id)
        self._w.open_path(paths[0])

    def _after_load(self, book: Book) -> None:
        pending, self._pending_jump = self._pending_jump, None
        if pending is not None and pending[0] == book.book_id:
            self._w.jump_to_highlight(pending[1])
        if self.browser is not None and self.browser.isVisible():
            self.browser.reload()

    def _placing(self, done: int, total: int) -> None:
        if total >= _SHOW_PLACING_FROM:
            self._w.status_message(
                self.tr("Placing {n} highlights… {percent}%").format(
                    n=f"{total:,}", percent=done * 100 // total
                )
            )

    def _placed(self, total: int, orphans: int) -> None:
        if total >= _SHOW_PLACING_FROM:
            self._w.status_message("")
        if orphans:
            self._w.pane.banner.show_info(
                self.tr(
                    "{n} highlight(s) could not be placed in this text; they are kept in the"
                    " Highlights list."
                ).format(n=orphans)
            )
        if self.browser is not None and self.browser.isVisible():
            self.browser.reload()

    def _changed(self, book_id: str) -> None:
        book = self._w.pane.book
        if book is not None and book.book_id == book_id:
            self._highlights.refresh()


# Below this many highlights placing is over in a blink; a message would only flicker.
_SHOW_PLACING_FROM = 200


def _safe_name(title: str) -> str:
    """A file name from a book title."""
    cleaned = "".join(c if c.isalnum() or c in " -_" else " " for c in title)
    return " ".join(cleaned.split())[:80] or "annotations"


def export_to(rows: list[Annotation], key: str, path: Path) -> int:
    """Export and write atomically (on a worker thread); returns how many were exported."""
    from datetime import UTC, datetime

    from reader_app import __version__
    from reader_app.core.exporters import EXPORTERS, exported_count, write_export

    generated = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    data = EXPORTERS[key].export(rows, generated_at=generated, app_version=__version__)
    write_export(path, data)
    return exported_count(key, rows)
