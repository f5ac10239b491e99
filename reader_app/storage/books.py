"""Books the user has opened: metadata, reading position, and the Recent list.

A book is keyed by the SHA-256 of its file, not by its path, so moving or renaming the file
keeps its position and highlights; every path it was seen at is kept in ``book_paths``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING

from reader_app.core.records import BookRecord
from reader_app.storage.db import format_timestamp, system_clock, transaction

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Sequence

    from reader_app.storage.db import Clock

_COLUMNS = (
    "id, path, title, authors, language, format, chapter_count, char_count, added_at,"
    " last_opened_at, position_chapter, position_offset, progress, in_recent"
)


class BookRepository:
    """Reads and writes ``books`` and ``book_paths``; each write is one transaction."""

    def __init__(self, conn: sqlite3.Connection, clock: Clock = system_clock) -> None:
        """Wrap an open library.

        Args:
            conn: a connection from ``open_database()``.
            clock: returns the current aware time; tests pass a fixed one.
        """
        self._conn = conn
        self._clock = clock

    def record_opened(
        self,
        book_id: str,
        path: str,
        title: str,
        authors: Sequence[str],
        language: str,
        format_name: str,
        chapter_count: int,
        char_count: int,
    ) -> BookRecord:
        """Note that a book was just opened from ``path``.

        A new book is added; a known one gets its metadata and path refreshed (the file
        may have moved), keeps its position, and comes back into the Recent list.

        Args:
            book_id: SHA-256 of the file bytes, hex.
            path: the file's path now; stored absolute, because a path relative to the
                folder a command ran in means nothing to the next start.
            title: the title.
            authors: the authors.
            language: the language tag, or empty.
            format_name: the format's display name.
            chapter_count: number of chapters.
            char_count: total plain-text length in code points.

        Returns:
            The stored record.

        Raises:
            StorageError: the library could not be written.
        """
        now = format_timestamp(self._clock())
        path = str(Path(path).resolve())
        authors_json = json.dumps(list(authors), ensure_ascii=False)
        with transaction(self._conn) as conn:
            # An upsert rather than INSERT OR REPLACE: REPLACE deletes the old row first,
            # which would cascade to the book's highlights.
            conn.execute(
                """
                INSERT INTO books (id, path, title, authors, language, format, chapter_count,
                                   char_count, added_at, last_opened_at, in_recent)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)
                ON CONFLICT (id) DO UPDATE SET
                    path = excluded.path,
                    title = excluded.title,
                    authors = excluded.authors,
                    language = excluded.language,
                    format = excluded.format,
                    chapter_count = excluded.chapter_count,
                    char_count = excluded.char_count,
                    last_opened_at = excluded.last_opened_at,
                    in_recent = 1
                """,
                (
                    book_id,
                    path,
                    title,
                    authors_json,
                    language,
                    format_name,
                    chapter_count,
                    char_count,
                    now,
                    now,
                ),
            )
            conn.execute(
                """
                INSERT INTO book_paths (book_id, path, seen_at) VALUES (?, ?, ?)
                ON CONFLICT (book_id, path) DO UPDATE SET seen_at = excluded.seen_at
                """,
                (book_id, path, now),
            )
            record = self.get(book_id)
        # The row was written inside this transaction, so it is there.
        assert record is not None
        return record

    def get(self, book_id: str) -> BookRecord | None:
        """Look a book up by its id.

        Args:
            book_id: SHA-256 hex.

        Returns:
            The record, or None if the book was never opened.
        """
        row = self._conn.execute(
            f"SELECT {_COLUMNS} FROM books WHERE id = ?", (book_id,)
        ).fetchone()
        return None if row is None else _record(row)

    def recent(self, limit: int = 10) -> list[BookRecord]:
        """The Recent list, most recently opened first.

        Args:
            limit: the most records to return.

        Returns:
            Up to ``limit`` books that are in the list.
        """
        if limit <= 0:
            return []
        rows = self._conn.execute(
            f"""
            SELECT {_COLUMNS} FROM books
            WHERE in_recent = 1 AND last_opened_at IS NOT NULL
            ORDER BY last_opened_at DESC, id
            LIMIT ?
            """,
            (limit,),
        ).fetchall()
        return [_record(row) for row in rows]

    def save_position(self, book_id: str, chapter: int, offset: int, progress: float) -> None:
        """Remember where the reader is. Does nothing for an unknown book.

        Args:
            book_id: SHA-256 hex.
            chapter: chapter index, 0 or more.
            offset: code-point offset inside the chapter, 0 or more.
            progress: fraction of the book read; clamped to 0.0..1.0.

        Raises:
            ValueError: a negative chapter or offset, or a progress that is not a number.
            StorageError: the library could not be written.
        """
        if chapter < 0 or offset < 0:
            raise ValueError(f"negative position: chapter={chapter}, offset={offset}")
        if not math.isfinite(progress):
            raise ValueError(f"progress must be finite, not {progress}")
        # Rounding in the view can overshoot by a hair at the last page.
        progress = max(0.0, min(1.0, progress))
        with transaction(self._conn) as conn:
            conn.execute(
                """
                UPDATE books SET position_chapter = ?, position_offset = ?, progress = ?
                WHERE id = ?
                """,
                (chapter, offset, progress, book_id),
            )

    def forget(self, book_id: str) -> None:
        """Take a book off the Recent list, keeping its position and highlights.

        Opening the book again brings it back with everything intact.

        Args:
            book_id: SHA-256 hex.

        Raises:
            StorageError: the library could not be written.
        """
        with transaction(self._conn) as conn:
            conn.execute("UPDATE books SET in_recent = 0 WHERE id = ?", (book_id,))

    def forget_path(self, path: str) -> None:
        """Take the book last seen at ``path`` off the Recent list (see ``forget``).

        Args:
            path: a file path, as the Recent list gives it.

        Raises:
            StorageError: the library could not be written.
        """
        with transaction(self._conn) as conn:
            conn.execute(
                "UPDATE books SET in_recent = 0"
                " WHERE id IN (SELECT book_id FROM book_paths WHERE path = ?)",
                (str(Path(path).resolve()),),
            )

    def known_paths(self, book_id: str) -> list[str]:
        """Every path the book was opened from, most recently seen first.

        Used to find the file again when the last path no longer exists.

        Args:
            book_id: SHA-256 hex.

        Returns:
            The paths; empty for an unknown book.
        """
        rows = self._conn.execute(
            "SELECT path FROM book_paths WHERE book_id = ? ORDER BY seen_at DESC, path",
            (book_id,),
        ).fetchall()
        return [str(row[0]) for row in rows]


def _record(row: sqlite3.Row) -> BookRecord:
    """Convert a ``books`` row.

    Args:
        row: a row selected with ``_COLUMNS``.

    Returns:
        The record.
    """
    last_opened = row["last_opened_at"]
    return BookRecord(
        id=str(row["id"]),
        path=str(row["path"]),
        title=str(row["title"]),
        authors=_parse_authors(row["authors"]),
        language=str(row["language"]),
        format=str(row["format"]),
        chapter_count=int(row["chapter_count"]),
        char_count=int(row["char_count"]),
        added_at=str(row["added_at"]),
        last_opened_at=None if last_opened is None else str(last_opened),
        position_chapter=int(row["position_chapter"]),
        position_offset=int(row["position_offset"]),
        progress=float(row["progress"]),
        in_recent=bool(row["in_recent"]),
    )


def _parse_authors(raw: object) -> tuple[str, ...]:
    """Decode the JSON authors column, tolerating a value edited by hand.

    Args:
        raw: the column value.

    Returns:
        The authors; empty when the value is not a JSON list.
    """
    # The Recent list must still show when one row was damaged outside the app.
    try:
        value = json.loads(raw) if isinstance(raw, str) else None
    except json.JSONDecodeError:
        return ()
    if not isinstance(value, list):
        return ()
    return tuple(str(item) for item in value)
