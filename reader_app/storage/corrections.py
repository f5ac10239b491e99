"""The reader's corrections of answers: the original stays, the correction sits beside it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reader_app.storage.db import format_timestamp, system_clock, transaction

if TYPE_CHECKING:
    import sqlite3

    from reader_app.storage.db import Clock


@dataclass(frozen=True)
class Correction:
    """A corrected answer to one analysis."""

    id: int
    analysis_id: int
    created_at: str
    tone: str
    dominant_emotion: str
    result: dict[str, Any]
    example_id: int | None


class CorrectionRepository:
    """Stores corrections; each is one transaction."""

    def __init__(self, conn: sqlite3.Connection, clock: Clock = system_clock) -> None:
        self._conn = conn
        self._clock = clock

    def add(
        self, analysis_id: int, result: dict[str, Any], example_id: int | None = None
    ) -> Correction:
        """Keep a corrected answer (and the example made from it, if any)."""
        emotions = result.get("emotions") or []
        dominant = str(emotions[0].get("name", "")) if emotions else ""
        with transaction(self._conn) as conn:
            cursor = conn.execute(
                "INSERT INTO corrections (analysis_id, created_at, tone, dominant_emotion,"
                " result_json, example_id) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    analysis_id,
                    format_timestamp(self._clock()),
                    str(result.get("tone", "")),
                    dominant,
                    json.dumps(result, ensure_ascii=False),
                    example_id,
                ),
            )
            new_id = int(cursor.lastrowid or 0)
        found = self._one("SELECT * FROM corrections WHERE id = ?", new_id)
        assert found is not None
        return found

    def latest_for_analysis(self, analysis_id: int) -> Correction | None:
        """The newest correction of an analysis."""
        return self._one(
            "SELECT * FROM corrections WHERE analysis_id = ? ORDER BY id DESC LIMIT 1", analysis_id
        )

    def for_highlight(self, highlight_id: int) -> list[Correction]:
        """Every correction of every analysis of a highlight, newest first."""
        rows = self._conn.execute(
            "SELECT c.* FROM corrections c JOIN analyses a ON a.id = c.analysis_id"
            " WHERE a.highlight_id = ? ORDER BY c.id DESC",
            (highlight_id,),
        ).fetchall()
        return [_correction(r) for r in rows]

    def _one(self, sql: str, key: int) -> Correction | None:
        row = self._conn.execute(sql, (key,)).fetchone()
        return _correction(row) if row is not None else None


def _correction(row: sqlite3.Row) -> Correction:
    try:
        result = json.loads(row["result_json"])
    except ValueError:
        result = {}
    return Correction(
        id=int(row["id"]),
        analysis_id=int(row["analysis_id"]),
        created_at=str(row["created_at"]),
        tone=str(row["tone"]),
        dominant_emotion=str(row["dominant_emotion"]),
        result=result if isinstance(result, dict) else {},
        example_id=int(row["example_id"]) if row["example_id"] is not None else None,
    )
