"""The learner's guesses in practice mode, stored beside the answers they were made for."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from reader_app.core.guesses import Guess, StoredGuess
from reader_app.storage.db import format_timestamp, system_clock, transaction

if TYPE_CHECKING:
    import sqlite3

    from reader_app.storage.db import Clock


class GuessRepository:
    """Stores guesses; each change is one transaction."""

    def __init__(self, conn: sqlite3.Connection, clock: Clock = system_clock) -> None:
        self._conn = conn
        self._clock = clock

    def add(self, highlight_id: int, analysis_id: int | None, guess: Guess) -> int:
        """Keep a guess; returns its id."""
        with transaction(self._conn) as conn:
            cursor = conn.execute(
                "INSERT INTO guesses (highlight_id, analysis_id, created_at, polarity,"
                " emotions_json, tone) VALUES (?, ?, ?, ?, ?, ?)",
                (highlight_id, analysis_id, format_timestamp(self._clock()), guess.polarity,
                 json.dumps(list(guess.emotions)), guess.tone),
            )  # fmt: skip
            return int(cursor.lastrowid or 0)

    def set_correction(self, guess_id: int, correction_id: int) -> None:
        """Record that the learner insisted on a guess, and the correction it became."""
        with transaction(self._conn) as conn:
            conn.execute(
                "UPDATE guesses SET correction_id = ? WHERE id = ?", (correction_id, guess_id)
            )

    def all(self) -> list[StoredGuess]:
        """Every guess, oldest first, with its passage and the answer it was compared with."""
        rows = self._conn.execute(
            "SELECT g.*, h.quote, a.result_json FROM guesses g"
            " JOIN highlights h ON h.id = g.highlight_id"
            " LEFT JOIN analyses a ON a.id = g.analysis_id ORDER BY g.id"
        ).fetchall()
        return [_stored(r) for r in rows]


def _stored(row: sqlite3.Row) -> StoredGuess:
    try:
        emotions = json.loads(row["emotions_json"])
        answer = json.loads(row["result_json"]) if row["result_json"] else {}
    except ValueError:
        emotions, answer = [], {}
    return StoredGuess(
        id=int(row["id"]),
        highlight_id=int(row["highlight_id"]),
        analysis_id=row["analysis_id"],
        created_at=str(row["created_at"]),
        guess=Guess(
            str(row["polarity"]),
            tuple(str(e) for e in emotions if isinstance(e, str)),
            str(row["tone"]),
        ),
        correction_id=row["correction_id"],
        quote=str(row["quote"]),
        answer=answer if isinstance(answer, dict) else {},
    )
