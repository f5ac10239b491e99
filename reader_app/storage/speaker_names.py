"""The reader's own grouping of a book's speaker names: renamed, merged or split characters."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reader_app.storage.db import transaction

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Iterable


class SpeakerNameRepository:
    """Which character each speaker name of a book belongs to, where the reader said so."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def for_book(self, book_id: str) -> dict[str, str]:
        """The reader's choices for a book: name → character."""
        rows = self._conn.execute(
            "SELECT name, character FROM speaker_names WHERE book_id = ?", (book_id,)
        ).fetchall()
        return {str(name): str(character) for name, character in rows}

    def assign(self, book_id: str, names: Iterable[str], character: str) -> None:
        """Put names under one character (a rename, a merge, or a name split off alone)."""
        with transaction(self._conn) as conn:
            conn.executemany(
                "INSERT INTO speaker_names (book_id, name, character) VALUES (?, ?, ?)"
                " ON CONFLICT (book_id, name) DO UPDATE SET character = excluded.character",
                [(book_id, name, character) for name in names],
            )

    def forget(self, book_id: str) -> None:
        """Go back to the automatic grouping for a book."""
        with transaction(self._conn) as conn:
            conn.execute("DELETE FROM speaker_names WHERE book_id = ?", (book_id,))
