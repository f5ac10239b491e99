"""Message Batches jobs, kept so that a job survives the app being closed."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from reader_app.core.records import BatchJob
from reader_app.storage.db import format_timestamp, system_clock, transaction

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Callable

    from reader_app.storage.db import Clock

# Statuses of a job that still needs polling or collecting.
OPEN_STATUSES = ("submitting", "in_progress", "canceling", "ended")


class BatchJobRepository:
    """Reads and writes ``batch_jobs``; every change is one transaction."""

    def __init__(self, conn: sqlite3.Connection, clock: Clock = system_clock) -> None:
        self._conn = conn
        self._clock = clock

    def add(self, book_id: str, items: list[dict[str, Any]]) -> BatchJob:
        """A new job, before it is submitted (so a crash while submitting is visible)."""
        now = format_timestamp(self._clock())
        with transaction(self._conn) as conn:
            cursor = conn.execute(
                "INSERT INTO batch_jobs (book_id, status, created_at, updated_at, items_json)"
                " VALUES (?, 'submitting', ?, ?, ?)",
                (book_id, now, now, json.dumps(items)),
            )
            job_id = int(cursor.lastrowid or 0)
        job = self.get(job_id)
        assert job is not None
        return job

    def update(self, job_id: int, **changes: Any) -> BatchJob:
        """Change ``remote_id``, ``status``, ``items``, ``counts`` or ``error``."""
        columns = {"remote_id": "remote_id", "status": "status", "error": "error",
                   "items": "items_json", "counts": "counts_json"}  # fmt: skip
        sets: list[str] = ["updated_at = ?"]
        values: list[Any] = [format_timestamp(self._clock())]
        for name, value in changes.items():
            sets.append(f"{columns[name]} = ?")
            values.append(json.dumps(value) if name in ("items", "counts") else value)
        with transaction(self._conn) as conn:
            conn.execute(f"UPDATE batch_jobs SET {', '.join(sets)} WHERE id = ?", [*values, job_id])
        job = self.get(job_id)
        assert job is not None
        return job

    def save_item(self, job_id: int, custom_id: str, store: Callable[[], object]) -> bool:
        """Store one item's result at most once.

        ``store`` and the item's "saved" mark commit in one transaction, so a crash can
        never leave a stored result unmarked (and stored again on resume). ``store`` must
        write through this repository's connection (for example an AnalysisRepository on
        the same connection): its own transaction then nests as a savepoint.

        Returns:
            True when ``store`` ran; False when the item was already saved, or is unknown.
        """
        with transaction(self._conn) as conn:
            # Read under the write lock: another window may have saved the item meanwhile.
            row = conn.execute(
                "SELECT items_json FROM batch_jobs WHERE id = ?", (job_id,)
            ).fetchone()
            items = list(json.loads(row["items_json"] or "[]")) if row is not None else []
            item = next((i for i in items if i.get("custom_id") == custom_id), None)
            if item is None or item.get("saved"):
                return False
            store()
            item["saved"] = True
            conn.execute(
                "UPDATE batch_jobs SET items_json = ?, updated_at = ? WHERE id = ?",
                (json.dumps(items), format_timestamp(self._clock()), job_id),
            )
        return True

    def get(self, job_id: int) -> BatchJob | None:
        """One job."""
        row = self._conn.execute("SELECT * FROM batch_jobs WHERE id = ?", (job_id,)).fetchone()
        return _job(row) if row is not None else None

    def open_jobs(self) -> list[BatchJob]:
        """Jobs to resume after a restart: still running, or with results not all saved."""
        marks = ", ".join("?" * len(OPEN_STATUSES))
        rows = self._conn.execute(
            f"SELECT * FROM batch_jobs WHERE status IN ({marks}) ORDER BY id", OPEN_STATUSES
        ).fetchall()
        return [_job(r) for r in rows]

    def recent(self, limit: int = 20) -> list[BatchJob]:
        """The newest jobs, for the status list."""
        rows = self._conn.execute(
            "SELECT * FROM batch_jobs ORDER BY id DESC LIMIT ?", (limit,)
        ).fetchall()
        return [_job(r) for r in rows]


def _job(row: sqlite3.Row) -> BatchJob:
    return BatchJob(
        id=int(row["id"]),
        remote_id=str(row["remote_id"]),
        book_id=str(row["book_id"]),
        status=str(row["status"]),
        created_at=str(row["created_at"]),
        updated_at=str(row["updated_at"]),
        items=list(json.loads(row["items_json"] or "[]")),
        counts=dict(json.loads(row["counts_json"] or "{}")),
        error=str(row["error"]),
    )
