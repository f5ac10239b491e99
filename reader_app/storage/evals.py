"""Evaluation sets, runs over them, and each run's answers (DESIGN.md §7).

A run is saved answer by answer, each in its own transaction, so a run that is stopped
(cancelled, killed, a crash) keeps everything it had and resumes with
:meth:`EvalRepository.unanswered`. Answers are keyed by (run, item): saving one again
replaces it, so no item is ever counted twice.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from reader_app.core.eval_data import EvalAnswer, EvalItem
from reader_app.core.records import EvalRunInfo, EvalSetInfo
from reader_app.storage.db import format_timestamp, system_clock, transaction

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Mapping, Sequence

    from reader_app.storage.db import Clock

FIELDS = ("tone", "polarity", "emotion", "speaker")
RUN_STATUSES = ("running", "done", "canceled")


_ANSWER_COLUMNS = (
    "status", "predicted", "answer_json", "correct", "judged", "judge_note", "override",
    "latency_ms", "input_tokens", "output_tokens", "cache_creation_tokens",
    "cache_read_tokens", "cost_usd", "error_kind", "error_message",
)  # fmt: skip


class EvalRepository:
    """Reads and writes the evaluation tables; every write is one transaction."""

    def __init__(self, conn: sqlite3.Connection, clock: Clock = system_clock) -> None:
        self._conn = conn
        self._clock = clock

    # -- sets -------------------------------------------------------------------------
    def create_set(self, name: str, source: str, field: str, items: Sequence[EvalItem]) -> int:
        """Store a set and its items, all or nothing; returns the set's id.

        Raises:
            ValueError: ``field`` is not one of :data:`FIELDS`.
        """
        _check_field(field)
        with transaction(self._conn) as conn:
            cursor = conn.execute(
                "INSERT INTO eval_sets (name, source, field, created_at) VALUES (?, ?, ?, ?)",
                (name, source, field, format_timestamp(self._clock())),
            )
            set_id = int(cursor.lastrowid or 0)
            conn.executemany(
                "INSERT INTO eval_items (set_id, position, text, context, expected)"
                " VALUES (?, ?, ?, ?, ?)",
                [(set_id, n, i.text, i.context, i.expected) for n, i in enumerate(items)],
            )
        return set_id

    def sets(self) -> list[EvalSetInfo]:
        """Every set, newest first."""
        rows = self._conn.execute(
            "SELECT s.*, (SELECT COUNT(*) FROM eval_items i WHERE i.set_id = s.id) AS size"
            " FROM eval_sets s ORDER BY s.id DESC"
        ).fetchall()
        return [
            EvalSetInfo(
                id=int(r["id"]),
                name=str(r["name"]),
                source=str(r["source"]),
                field=str(r["field"]),
                created_at=str(r["created_at"]),
                size=int(r["size"]),
            )
            for r in rows
        ]

    def items(self, set_id: int) -> list[tuple[int, EvalItem]]:
        """A set's items in their order, each with its id (as the runner takes them)."""
        rows = self._conn.execute(
            "SELECT id, text, context, expected FROM eval_items WHERE set_id = ? ORDER BY position",
            (set_id,),
        ).fetchall()
        return [(int(r["id"]), _item(r)) for r in rows]

    def find_set(self, name: str, field: str, items: Sequence[EvalItem]) -> int | None:
        """The newest set with this name and field and exactly these items, if any.

        Lets a second run over the same file reuse its set, so the two runs compare.
        """
        wanted = list(items)
        for info in self.sets():
            same = info.name == name and info.field == field and info.size == len(wanted)
            if same and [item for _id, item in self.items(info.id)] == wanted:
                return info.id
        return None

    def delete_set(self, set_id: int) -> None:
        """Delete a set with its items, runs and answers."""
        with transaction(self._conn) as conn:
            conn.execute("DELETE FROM eval_sets WHERE id = ?", (set_id,))

    # -- runs -------------------------------------------------------------------------
    def create_run(self, set_id: int, field: str, config: Mapping[str, Any]) -> int:
        """Start a run (status "running"); returns its id.

        Raises:
            ValueError: ``field`` is not one of :data:`FIELDS`.
        """
        _check_field(field)
        with transaction(self._conn) as conn:
            cursor = conn.execute(
                "INSERT INTO eval_runs (set_id, created_at, status, field, config_json)"
                " VALUES (?, ?, 'running', ?, ?)",
                (
                    set_id,
                    format_timestamp(self._clock()),
                    field,
                    json.dumps(dict(config), ensure_ascii=False, sort_keys=True),
                ),
            )
            return int(cursor.lastrowid or 0)

    def finish_run(self, run_id: int, status: str) -> None:
        """Mark a run "done" or "canceled" (or "running" again, to resume it).

        Raises:
            ValueError: an unknown status.
        """
        if status not in RUN_STATUSES:
            raise ValueError(f"unknown run status {status!r}")
        finished = None if status == "running" else format_timestamp(self._clock())
        with transaction(self._conn) as conn:
            conn.execute(
                "UPDATE eval_runs SET status = ?, finished_at = ? WHERE id = ?",
                (status, finished, run_id),
            )

    def run(self, run_id: int) -> EvalRunInfo | None:
        """One run by id."""
        rows = self._runs("WHERE r.id = ?", (run_id,))
        return rows[0] if rows else None

    def runs(self, set_id: int | None = None) -> list[EvalRunInfo]:
        """Every run, or a set's runs, newest first."""
        if set_id is None:
            return self._runs("", ())
        return self._runs("WHERE r.set_id = ?", (set_id,))

    def delete_run(self, run_id: int) -> None:
        """Delete a run with its answers."""
        with transaction(self._conn) as conn:
            conn.execute("DELETE FROM eval_runs WHERE id = ?", (run_id,))

    def _runs(self, where: str, params: tuple[int, ...]) -> list[EvalRunInfo]:
        rows = self._conn.execute(
            "SELECT r.*, (SELECT COUNT(*) FROM eval_answers a WHERE a.run_id = r.id)"
            f" AS answered FROM eval_runs r {where} ORDER BY r.id DESC",
            params,
        ).fetchall()
        return [_run(r) for r in rows]

    # -- answers ----------------------------------------------------------------------
    def save_answer(self, run_id: int, answer: EvalAnswer) -> None:
        """Store the answer for ``answer.item_id``, replacing an earlier one for that item.

        ``answer.expected`` is not stored: the item has it.
        """
        if answer.status not in ("ok", "failed"):
            raise ValueError(f"unknown answer status {answer.status!r}")
        values = (
            answer.status, answer.predicted,
            json.dumps(dict(answer.answer), ensure_ascii=False) if answer.answer else "",
            _flag(answer.correct), int(answer.judged), answer.judge_note, _flag(answer.override),
            answer.latency_ms, answer.input_tokens, answer.output_tokens,
            answer.cache_creation_tokens, answer.cache_read_tokens, answer.cost_usd,
            answer.error_kind, answer.error_message,
        )  # fmt: skip
        updates = ", ".join(f"{c} = excluded.{c}" for c in _ANSWER_COLUMNS)
        with transaction(self._conn) as conn:
            conn.execute(
                f"INSERT INTO eval_answers (run_id, item_id, {', '.join(_ANSWER_COLUMNS)})"
                f" VALUES (?, ?, {', '.join('?' * len(_ANSWER_COLUMNS))})"
                f" ON CONFLICT (run_id, item_id) DO UPDATE SET {updates}",
                (run_id, answer.item_id, *values),
            )

    def answers(self, run_id: int) -> list[EvalAnswer]:
        """A run's answers in item order, each with its item's expected label."""
        rows = self._conn.execute(
            "SELECT a.*, i.expected FROM eval_answers a JOIN eval_items i ON i.id = a.item_id"
            " WHERE a.run_id = ? ORDER BY i.position",
            (run_id,),
        ).fetchall()
        return [_answer(r) for r in rows]

    def unanswered(
        self, run_id: int, *, include_failed: bool = False
    ) -> list[tuple[int, EvalItem]]:
        """The items of a run's set that have no answer yet (to resume the run).

        Args:
            run_id: the run.
            include_failed: also the items whose answer failed (to retry them).
        """
        failed = " AND a.status = 'ok'" if include_failed else ""
        rows = self._conn.execute(
            "SELECT i.id, i.text, i.context, i.expected FROM eval_items i"
            " JOIN eval_runs r ON r.set_id = i.set_id WHERE r.id = ?"
            " AND NOT EXISTS (SELECT 1 FROM eval_answers a"
            f" WHERE a.run_id = r.id AND a.item_id = i.id{failed})"
            " ORDER BY i.position",
            (run_id,),
        ).fetchall()
        return [(int(r["id"]), _item(r)) for r in rows]

    def set_override(self, run_id: int, item_id: int, correct: bool | None) -> bool:
        """Set the reader's verdict on an answer (None removes it).

        Returns:
            Whether the answer exists.
        """
        return self._update(
            "UPDATE eval_answers SET override = ? WHERE run_id = ? AND item_id = ?",
            (_flag(correct), run_id, item_id),
        )

    def set_judgement(self, run_id: int, item_id: int, correct: bool, why: str = "") -> bool:
        """Record the LLM judge's verdict on an answer (marked as judged).

        Returns:
            Whether the answer exists.
        """
        return self._update(
            "UPDATE eval_answers SET correct = ?, judged = 1, judge_note = ?"
            " WHERE run_id = ? AND item_id = ?",
            (int(correct), why, run_id, item_id),
        )

    def _update(self, sql: str, params: tuple[Any, ...]) -> bool:
        with transaction(self._conn) as conn:
            return conn.execute(sql, params).rowcount > 0


def _check_field(field: str) -> None:
    if field not in FIELDS:
        raise ValueError(f"unknown field {field!r}")


def _flag(value: bool | None) -> int | None:
    return None if value is None else int(value)


def _bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _item(row: sqlite3.Row) -> EvalItem:
    return EvalItem(
        text=str(row["text"]), expected=str(row["expected"]), context=str(row["context"])
    )


def _run(row: sqlite3.Row) -> EvalRunInfo:
    try:
        config = json.loads(row["config_json"] or "{}")
    except ValueError:
        config = {}
    return EvalRunInfo(
        id=int(row["id"]),
        set_id=int(row["set_id"]),
        created_at=str(row["created_at"]),
        status=str(row["status"]),
        field=str(row["field"]),
        config=config if isinstance(config, dict) else {},
        finished_at=row["finished_at"],
        answered=int(row["answered"]),
    )


def _answer(row: sqlite3.Row) -> EvalAnswer:
    try:
        answer = json.loads(row["answer_json"]) if row["answer_json"] else None
    except ValueError:
        answer = None
    return EvalAnswer(
        item_id=int(row["item_id"]),
        status=str(row["status"]),
        expected=str(row["expected"]),
        predicted=str(row["predicted"]),
        correct=_bool(row["correct"]),
        judged=bool(row["judged"]),
        override=_bool(row["override"]),
        latency_ms=float(row["latency_ms"]),
        input_tokens=int(row["input_tokens"]),
        output_tokens=int(row["output_tokens"]),
        cache_creation_tokens=int(row["cache_creation_tokens"]),
        cache_read_tokens=int(row["cache_read_tokens"]),
        cost_usd=float(row["cost_usd"]),
        error_kind=str(row["error_kind"]),
        error_message=str(row["error_message"]),
        answer=answer if isinstance(answer, dict) else None,
        judge_note=str(row["judge_note"]),
    )
