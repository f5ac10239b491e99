"""Message Batches jobs, kept so that a job survives the app being closed.

A job is sent as one batch or more ("parts": a batch holds at most 100,000 requests and
256 MB). ``items_json`` holds ``{"items": [...], "parts": [...]}``; each item names its
part, and each part keeps its marker (the custom_id prefix that finds it again), its batch
id, the API's processing status and counts, and when it was first sent. Rows written
before parts existed hold the item list alone, and read as one part whose batch is the
row's ``remote_id``. ``remote_id`` and ``counts`` on the row are the parts' ids (comma
separated) and summed counts, kept for the status list.
"""

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

    def add(
        self,
        book_id: str,
        items: list[dict[str, Any]],
        parts: list[dict[str, Any]] | None = None,
    ) -> BatchJob:
        """A new job, before it is submitted (so a crash while submitting is visible).

        Args:
            book_id: the book of the highlights.
            items: one dict per request; ``part`` names its part (0 when absent).
            parts: one dict per batch to send, with at least ``marker`` (default: one
                part without a marker, for all the items).
        """
        now = format_timestamp(self._clock())
        stored = {"items": items, "parts": [_new_part(p) for p in parts or [{}]]}
        with transaction(self._conn) as conn:
            cursor = conn.execute(
                "INSERT INTO batch_jobs (book_id, status, created_at, updated_at, items_json)"
                " VALUES (?, 'submitting', ?, ?, ?)",
                (book_id, now, now, json.dumps(stored)),
            )
            job_id = int(cursor.lastrowid or 0)
        job = self.get(job_id)
        assert job is not None
        return job

    def update(self, job_id: int, **changes: Any) -> BatchJob:
        """Change ``remote_id``, ``status``, ``items``, ``counts`` or ``error``."""
        columns = {"remote_id": "remote_id", "status": "status", "error": "error",
                   "counts": "counts_json"}  # fmt: skip
        sets: list[str] = ["updated_at = ?"]
        values: list[Any] = [format_timestamp(self._clock())]
        for name, value in changes.items():
            if name == "items":
                continue
            sets.append(f"{columns[name]} = ?")
            values.append(json.dumps(value) if name == "counts" else value)
        with transaction(self._conn) as conn:
            if "items" in changes:
                stored = self._stored(conn, job_id)
                stored["items"] = changes["items"]
                sets.append("items_json = ?")
                values.append(json.dumps(stored))
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
            stored = self._stored(conn, job_id)
            items = stored["items"]
            item = next((i for i in items if i.get("custom_id") == custom_id), None)
            if item is None or item.get("saved"):
                return False
            store()
            item["saved"] = True
            conn.execute(
                "UPDATE batch_jobs SET items_json = ?, updated_at = ? WHERE id = ?",
                (json.dumps(stored), format_timestamp(self._clock()), job_id),
            )
        return True

    def parts(self, job_id: int) -> list[dict[str, Any]]:
        """The job's parts (one batch each).

        Each is a dict: ``marker`` (the custom_id prefix), ``remote_id``, ``status`` (the
        API's processing status, "" before the batch exists), ``counts``, ``sent_at``
        (when it was first sent, "" before) and ``size`` (its number of requests).
        """
        row = self._conn.execute(
            "SELECT items_json, remote_id, status, counts_json FROM batch_jobs WHERE id = ?",
            (job_id,),
        ).fetchone()
        return _parts(row) if row is not None else []

    def update_part(self, job_id: int, index: int, **changes: Any) -> BatchJob:
        """Change one part's ``remote_id``, ``status``, ``counts`` or ``sent_at``.

        The row's ``remote_id`` and ``counts`` follow (all parts' ids, summed counts), in
        the same transaction; ``status`` and ``extra`` (more row changes, as for
        :meth:`update`) are written with them.
        """
        extra = dict(changes.pop("extra", {}))
        with transaction(self._conn) as conn:
            row = conn.execute(
                "SELECT items_json, remote_id, status, counts_json FROM batch_jobs WHERE id = ?",
                (job_id,),
            ).fetchone()
            parts = _parts(row)
            parts[index].update(changes)
            stored = self._stored(conn, job_id)
            stored["parts"] = parts
            counts: dict[str, int] = {}
            for part in parts:
                for name, value in dict(part.get("counts") or {}).items():
                    counts[name] = counts.get(name, 0) + int(value)
            ids = ",".join(str(p["remote_id"]) for p in parts if p.get("remote_id"))
            conn.execute(
                "UPDATE batch_jobs SET items_json = ?, remote_id = ?, counts_json = ?,"
                " updated_at = ? WHERE id = ?",
                (json.dumps(stored), ids, json.dumps(counts), format_timestamp(self._clock()),
                 job_id),
            )  # fmt: skip
            if extra:
                self.update(job_id, **extra)  # nests as a savepoint
        job = self.get(job_id)
        assert job is not None
        return job

    @staticmethod
    def _stored(conn: sqlite3.Connection, job_id: int) -> dict[str, Any]:
        """The row's items and parts, as a dict (an old row's list is read as items)."""
        row = conn.execute("SELECT items_json FROM batch_jobs WHERE id = ?", (job_id,)).fetchone()
        return _stored(row["items_json"] if row is not None else "")

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


def _new_part(given: dict[str, Any]) -> dict[str, Any]:
    return {"marker": "", "remote_id": "", "status": "", "counts": {}, "sent_at": "",
            "size": 0, **given}  # fmt: skip


def _stored(items_json: str) -> dict[str, Any]:
    loaded = json.loads(items_json or "[]")
    if isinstance(loaded, list):
        return {"items": loaded, "parts": []}
    return {"items": list(loaded.get("items") or []), "parts": list(loaded.get("parts") or [])}


def _parts(row: sqlite3.Row) -> list[dict[str, Any]]:
    """The parts of a row; one part for a row that has none (written before parts)."""
    parts = [_new_part(p) for p in _stored(row["items_json"])["parts"]]
    if not parts:
        parts = [_new_part({})]
    if len(parts) == 1 and not parts[0]["remote_id"] and row["remote_id"]:
        # An old row, or one whose batch id was written on the row alone.
        status = str(row["status"])
        parts[0].update(
            remote_id=str(row["remote_id"]),
            status=status if status in ("in_progress", "canceling", "ended") else "in_progress",
            counts=dict(json.loads(row["counts_json"] or "{}")),
        )
    return parts


def _job(row: sqlite3.Row) -> BatchJob:
    return BatchJob(
        id=int(row["id"]),
        remote_id=str(row["remote_id"]),
        book_id=str(row["book_id"]),
        status=str(row["status"]),
        created_at=str(row["created_at"]),
        updated_at=str(row["updated_at"]),
        items=_stored(row["items_json"])["items"],
        counts=dict(json.loads(row["counts_json"] or "{}")),
        error=str(row["error"]),
    )
