"""The reader's examples, in a stable order (the prompt cache depends on it)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reader_app.core.examples import Example
from reader_app.storage.db import format_timestamp, system_clock, transaction

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Sequence

    from reader_app.storage.db import Clock

SEEDED_KEY = "seed_examples_loaded"


@dataclass(frozen=True)
class StoredExample:
    """An example with its row id."""

    id: int
    example: Example


class ExampleRepository:
    """CRUD for examples; the list order is the order they were added."""

    def __init__(self, conn: sqlite3.Connection, clock: Clock = system_clock) -> None:
        self._conn = conn
        self._clock = clock

    def all(self) -> list[StoredExample]:
        """Every example, oldest first."""
        rows = self._conn.execute("SELECT * FROM examples ORDER BY id").fetchall()
        return [StoredExample(int(r["id"]), _example(r)) for r in rows]

    def add(self, example: Example) -> int:
        """Store one example; returns its id."""
        with transaction(self._conn) as conn:
            return self._insert(conn, example)

    def _insert(self, conn: sqlite3.Connection, example: Example) -> int:
        cursor = conn.execute(
            "INSERT INTO examples (excerpt, tone, emotions, explanation, source, tags, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                example.excerpt,
                example.tone,
                json.dumps([[n, i] for n, i in example.emotions]),
                example.explanation,
                example.source,
                json.dumps(list(example.tags), ensure_ascii=False),
                format_timestamp(self._clock()),
            ),
        )
        return int(cursor.lastrowid or 0)

    def delete(self, example_id: int) -> None:
        """Remove one example."""
        with transaction(self._conn) as conn:
            conn.execute("DELETE FROM examples WHERE id = ?", (example_id,))

    def seed_once(self, examples: Sequence[Example]) -> bool:
        """Load the shipped examples the first time only; deleting them later is respected."""
        with transaction(self._conn) as conn:
            done = conn.execute(
                "SELECT value FROM app_meta WHERE key = ?", (SEEDED_KEY,)
            ).fetchone()
            if done is not None:
                return False
            for example in examples:
                self._insert(conn, example)
            conn.execute("INSERT INTO app_meta (key, value) VALUES (?, '1')", (SEEDED_KEY,))
        return True


def _example(row: sqlite3.Row) -> Example:
    try:
        emotions = tuple((str(n), float(i)) for n, i in json.loads(row["emotions"] or "[]"))
        tags = tuple(str(t) for t in json.loads(row["tags"] or "[]"))
    except (ValueError, TypeError):
        emotions, tags = (), ()
    return Example(
        excerpt=str(row["excerpt"]),
        tone=str(row["tone"]),
        emotions=emotions,
        explanation=str(row["explanation"]),
        source=str(row["source"]),
        tags=tags,
    )
