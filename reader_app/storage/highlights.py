"""Highlights: a passage of a chapter, anchored twice so it survives edits to the book.

Each row stores both W3C selectors (DESIGN.md section 5): a position (``start``/``end`` in
code points of the chapter's plain text) and a quote with some context (``quote``,
``prefix``, ``suffix``). Re-anchoring lives in ``core``; this module only stores the result.
A highlight that could not be re-anchored is kept with ``orphaned`` set, never dropped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reader_app.core.records import Highlight, NewHighlight, check_position
from reader_app.storage.db import format_timestamp, system_clock, transaction

if TYPE_CHECKING:
    import sqlite3

    from reader_app.storage.db import Clock


_COLUMNS = (
    "id, book_id, chapter, chapter_key, start, end, quote, prefix, suffix, color, note,"
    " orphaned, created_at, updated_at, section, source"
)
_PLACEHOLDERS = ", ".join("?" * len(_COLUMNS.split(",")))


class HighlightRepository:
    """Reads and writes ``highlights``; each user action is one transaction."""

    def __init__(self, conn: sqlite3.Connection, clock: Clock = system_clock) -> None:
        """Wrap an open library.

        Args:
            conn: a connection from ``open_database()``.
            clock: returns the current aware time; tests pass a fixed one.
        """
        self._conn = conn
        self._clock = clock

    @property
    def connection(self) -> sqlite3.Connection:
        """The library connection, for work that spans highlights and books."""
        return self._conn

    def add(self, new: NewHighlight) -> Highlight:
        """Store a new highlight.

        Args:
            new: the highlight's content.

        Returns:
            The stored highlight, with its id and timestamps.

        Raises:
            StorageError: the library could not be written, or the book is not recorded.
        """
        now = self._now()
        with transaction(self._conn) as conn:
            cursor = conn.execute(
                """
                INSERT INTO highlights (book_id, chapter, chapter_key, start, end, quote,
                                        prefix, suffix, color, note, orphaned, created_at,
                                        updated_at, section, source)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)
                """,
                (
                    new.book_id,
                    new.chapter,
                    new.chapter_key,
                    new.start,
                    new.end,
                    new.quote,
                    new.prefix,
                    new.suffix,
                    new.color,
                    new.note,
                    now,
                    now,
                    new.section,
                    new.source,
                ),
            )
            highlight_id = cursor.lastrowid
            stored = None if highlight_id is None else self.get(highlight_id)
        # Just inserted in this transaction, so it is there.
        assert stored is not None
        return stored

    def get(self, highlight_id: int) -> Highlight | None:
        """Look a highlight up.

        Args:
            highlight_id: the database id.

        Returns:
            The highlight, or None if there is none with that id.
        """
        row = self._conn.execute(
            f"SELECT {_COLUMNS} FROM highlights WHERE id = ?", (highlight_id,)
        ).fetchone()
        return None if row is None else _highlight(row)

    def find_same(self, new: NewHighlight) -> Highlight | None:
        """The highlight already kept for exactly this passage, if any.

        The same book, chapter, range and quote: one passage is one highlight, and a new
        analysis of it goes into that highlight's history. An orphan does not count: its
        range no longer points at its quote.

        Args:
            new: the highlight about to be made.

        Returns:
            The oldest such highlight, or None.
        """
        row = self._conn.execute(
            f"""
            SELECT {_COLUMNS} FROM highlights
            WHERE book_id = ? AND chapter = ? AND start = ? AND end = ? AND quote = ?
              AND orphaned = 0
            ORDER BY id LIMIT 1
            """,
            (new.book_id, new.chapter, new.start, new.end, new.quote),
        ).fetchone()
        return None if row is None else _highlight(row)

    def list_for_book(self, book_id: str) -> list[Highlight]:
        """All of a book's highlights in reading order, orphans at the end.

        Args:
            book_id: the book's SHA-256 hex.

        Returns:
            The highlights; empty for an unknown book.
        """
        # Orphans last, because their positions no longer point at the passage; id breaks
        # ties so that equal ranges keep the order they were made in.
        rows = self._conn.execute(
            f"""
            SELECT {_COLUMNS} FROM highlights WHERE book_id = ?
            ORDER BY orphaned, chapter, start, end, id
            """,
            (book_id,),
        ).fetchall()
        return [_highlight(row) for row in rows]

    def set_note(self, highlight_id: int, note: str) -> Highlight | None:
        """Replace a highlight's note (empty removes it).

        Args:
            highlight_id: the database id.
            note: the new note.

        Returns:
            The updated highlight, or None if it no longer exists.

        Raises:
            StorageError: the library could not be written.
        """
        return self._update(highlight_id, "note = ?", (note,))

    def set_section(self, highlight_id: int, section: str) -> Highlight | None:
        """Record the title of the section a highlight stands in (for exports)."""
        return self._update(highlight_id, "section = ?", (section,))

    def set_color(self, highlight_id: int, color: str) -> Highlight | None:
        """Change a highlight's colour.

        Args:
            highlight_id: the database id.
            color: the new colour name.

        Returns:
            The updated highlight, or None if it no longer exists.

        Raises:
            ValueError: ``color`` is empty.
            StorageError: the library could not be written.
        """
        if not color:
            raise ValueError("color must not be empty")
        return self._update(highlight_id, "color = ?", (color,))

    def move(
        self, highlight_id: int, chapter: int, start: int, end: int, orphaned: bool
    ) -> Highlight | None:
        """Store where re-anchoring found the passage (or that it found nothing).

        The quote and its context stay as they are: they are what the next re-anchoring
        searches for.

        Args:
            highlight_id: the database id.
            chapter: the chapter the passage is in now.
            start: its new start.
            end: its new end.
            orphaned: True when the passage was not found; the position is then the last
                known one.

        Returns:
            The updated highlight, or None if it no longer exists.

        Raises:
            ValueError: an impossible position.
            StorageError: the library could not be written.
        """
        check_position(chapter, start, end)
        return self._update(
            highlight_id,
            "chapter = ?, start = ?, end = ?, orphaned = ?",
            (chapter, start, end, int(orphaned)),
        )

    def delete(self, highlight_id: int) -> Highlight | None:
        """Delete a highlight and hand it back, so the UI can offer Undo via ``restore()``.

        Args:
            highlight_id: the database id.

        Returns:
            The deleted highlight, or None if there was none.

        Raises:
            StorageError: the library could not be written.
        """
        with transaction(self._conn) as conn:
            existing = self.get(highlight_id)
            if existing is not None:
                conn.execute("DELETE FROM highlights WHERE id = ?", (highlight_id,))
        return existing

    def restore(self, highlight: Highlight) -> Highlight:
        """Put a deleted highlight back exactly as it was, with the same id.

        Keeping the id matters: analyses and exports refer to highlights by id.

        Args:
            highlight: a value ``delete()`` returned.

        Returns:
            The restored highlight.

        Raises:
            StorageError: the library could not be written, the id is in use again, or
                the book is gone.
        """
        h = highlight
        with transaction(self._conn) as conn:
            conn.execute(
                f"INSERT INTO highlights ({_COLUMNS}) VALUES ({_PLACEHOLDERS})",
                (
                    h.id,
                    h.book_id,
                    h.chapter,
                    h.chapter_key,
                    h.start,
                    h.end,
                    h.quote,
                    h.prefix,
                    h.suffix,
                    h.color,
                    h.note,
                    int(h.orphaned),
                    h.created_at,
                    h.updated_at,
                    h.section,
                    h.source,
                ),
            )
        return highlight

    def _update(
        self, highlight_id: int, assignments: str, params: tuple[object, ...]
    ) -> Highlight | None:
        """Apply ``SET assignments`` to one highlight and bump ``updated_at``.

        Args:
            highlight_id: the database id.
            assignments: fixed SQL from this module, never user text.
            params: the values for its placeholders.

        Returns:
            The updated highlight, or None if there is none with that id.
        """
        with transaction(self._conn) as conn:
            conn.execute(
                f"UPDATE highlights SET {assignments}, updated_at = ? WHERE id = ?",
                (*params, self._now(), highlight_id),
            )
            return self.get(highlight_id)

    def _now(self) -> str:
        """The current time as stored in the database.

        Returns:
            UTC ISO-8601 with Z.
        """
        return format_timestamp(self._clock())


def _highlight(row: sqlite3.Row) -> Highlight:
    """Convert a ``highlights`` row.

    Args:
        row: a row selected with ``_COLUMNS``.

    Returns:
        The highlight.
    """
    return Highlight(
        id=int(row["id"]),
        book_id=str(row["book_id"]),
        chapter=int(row["chapter"]),
        chapter_key=str(row["chapter_key"]),
        start=int(row["start"]),
        end=int(row["end"]),
        quote=str(row["quote"]),
        prefix=str(row["prefix"]),
        suffix=str(row["suffix"]),
        color=str(row["color"]),
        note=str(row["note"]),
        orphaned=bool(row["orphaned"]),
        created_at=str(row["created_at"]),
        updated_at=str(row["updated_at"]),
        section=str(row["section"]),
        source=str(row["source"]),
    )
