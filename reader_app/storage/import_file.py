"""Import one annotations file into the library, on a connection of its own.

The window runs this on a worker thread: SQLite connections stay on the thread that made
them, and loading the books an import names can take seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from reader_app.storage.imports import ImportResult


@dataclass(frozen=True)
class FileImportResult:
    """What importing a file did.

    Attributes:
        result: what was stored, orphaned and skipped.
        redone: earlier Kindle records of a re-done highlight, counted as duplicates too.
        problems: the file's unreadable records and those that could not be stored.
    """

    result: ImportResult
    redone: int
    problems: list[str]

    @property
    def duplicates(self) -> int:
        """Annotations skipped: already in the library, or superseded in the file."""
        return self.result.duplicates + self.redone


def import_file(path: Path, database: Path, books_cache: Path) -> FileImportResult:
    """Read ``path`` and store its annotations in one transaction.

    Args:
        path: a W3C JSON export or a Kindle ``My Clippings.txt``.
        database: the library file.
        books_cache: the parsed-book cache folder, so known books load quickly.

    Raises:
        BookError: the file cannot be read, is in no format we import, or holds nothing
            importable.
        StorageError: the library could not be written; nothing was stored.
    """
    from reader_app.core.gc_pause import no_cyclic_gc

    with no_cyclic_gc():
        return _import_file(path, database, books_cache)


def _import_file(path: Path, database: Path, books_cache: Path) -> FileImportResult:
    from reader_app.core.book_cache import BookCache
    from reader_app.core.errors import BookError
    from reader_app.core.importers.files import read_import_file
    from reader_app.storage.db import open_database
    from reader_app.storage.imports import import_annotations, library_book_loader

    parsed = read_import_file(path)
    if not parsed.items:
        detail = f" ({parsed.problems[0]})" if parsed.problems else ""
        raise BookError(f"“{path.name}” holds no annotations to import{detail}.")
    conn = open_database(database)
    try:
        loader = library_book_loader(conn, BookCache(books_cache))
        result = import_annotations(conn, parsed.items, source=parsed.kind, books_available=loader)
    finally:
        conn.close()
    return FileImportResult(result, parsed.redone, parsed.problems + result.problems)
