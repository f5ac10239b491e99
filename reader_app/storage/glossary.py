"""The tone glossary's definitions, per word, CEFR level and explanation language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from reader_app.storage.db import format_timestamp, system_clock, transaction

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Iterable

    from reader_app.storage.db import Clock


@dataclass(frozen=True, slots=True)
class Definition:
    """A tone word defined at one level, in one language."""

    word: str
    level: str
    language: str
    definition: str
    model: str
    known: bool


class GlossaryRepository:
    """Stores definitions and the reader's "known" marks; each change is one transaction."""

    def __init__(self, conn: sqlite3.Connection, clock: Clock = system_clock) -> None:
        self._conn = conn
        self._clock = clock

    def for_level(self, level: str, language: str) -> dict[str, Definition]:
        """Every word defined at a level and in a language, by word."""
        rows = self._conn.execute(
            "SELECT * FROM glossary WHERE level = ? AND language = ?", (level, language)
        ).fetchall()
        return {str(r["word"]): _definition(r) for r in rows}

    def save(
        self, definitions: Iterable[tuple[str, str]], level: str, language: str, model: str
    ) -> None:
        """Keep new definitions; a word defined again keeps its "known" mark."""
        now = format_timestamp(self._clock())
        with transaction(self._conn) as conn:
            conn.executemany(
                "INSERT INTO glossary (word, level, language, definition, model, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (word, level, language) DO UPDATE SET"
                " definition = excluded.definition, model = excluded.model",
                [(word, level, language, text, model, now) for word, text in definitions],
            )

    def set_known(self, word: str, level: str, language: str, known: bool) -> None:
        """Mark a word known (or not) at a level; a word not yet defined gets an empty row."""
        now = format_timestamp(self._clock())
        with transaction(self._conn) as conn:
            conn.execute(
                "INSERT INTO glossary (word, level, language, known, created_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (word, level, language) DO UPDATE SET"
                " known = excluded.known",
                (word, level, language, int(known), now),
            )


def _definition(row: sqlite3.Row) -> Definition:
    return Definition(
        word=str(row["word"]),
        level=str(row["level"]),
        language=str(row["language"]),
        definition=str(row["definition"]),
        model=str(row["model"]),
        known=bool(row["known"]),
    )
