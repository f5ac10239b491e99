"""Tone analyses of highlights: every attempt is kept, so re-analysing keeps the history."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Protocol

from reader_app.core.records import AnalysisRecord, NewAnalysis
from reader_app.storage.db import format_timestamp, system_clock, transaction

if TYPE_CHECKING:
    import sqlite3

    from reader_app.storage.db import Clock


_COLUMNS = (
    "highlight_id", "status", "model", "prompt_version", "tone", "polarity", "dominant_emotion",
    "result_json", "dropped_evidence", "input_tokens", "output_tokens", "cache_creation_tokens",
    "cache_read_tokens", "cost_usd", "ttft_ms", "total_ms", "request_id", "error_kind",
    "error_message",
)  # fmt: skip


class AnalysisRepository:
    """Reads and writes the ``analyses`` table; each add is one transaction."""

    def __init__(self, conn: sqlite3.Connection, clock: Clock = system_clock) -> None:
        self._conn = conn
        self._clock = clock

    def add(self, new: NewAnalysis) -> AnalysisRecord:
        """Store one attempt."""
        if new.status not in ("ok", "failed"):
            raise ValueError(f"unknown status {new.status!r}")
        values = [
            new.highlight_id, new.status, new.model, new.prompt_version, new.tone, new.polarity,
            new.dominant_emotion, json.dumps(new.result or {}, ensure_ascii=False),
            new.dropped_evidence, new.input_tokens, new.output_tokens, new.cache_creation_tokens,
            new.cache_read_tokens, new.cost_usd, new.ttft_ms, new.total_ms, new.request_id,
            new.error_kind, new.error_message,
        ]  # fmt: skip
        now = format_timestamp(self._clock())
        with transaction(self._conn) as conn:
            cursor = conn.execute(
                f"INSERT INTO analyses (created_at, {', '.join(_COLUMNS)})"
                f" VALUES (?, {', '.join('?' * len(_COLUMNS))})",
                [now, *values],
            )
            row_id = int(cursor.lastrowid or 0)
        record = self.get(row_id)
        assert record is not None
        return record

    def set_usage(
        self, analysis_id: int, usage: tuple[int, int, int, int], cost_usd: float,
        ttft_ms: float, total_ms: float, request_id: str,
    ) -> None:  # fmt: skip
        """Fill in the measurements of an analysis saved before its request had ended.

        ``usage`` is (input, output, cache creation, cache read) tokens.
        """
        with transaction(self._conn) as conn:
            conn.execute(
                "UPDATE analyses SET input_tokens = ?, output_tokens = ?,"
                " cache_creation_tokens = ?, cache_read_tokens = ?, cost_usd = ?, ttft_ms = ?,"
                " total_ms = ?, request_id = ? WHERE id = ?",
                (*usage, cost_usd, ttft_ms, total_ms, request_id, analysis_id),
            )

    def get(self, analysis_id: int) -> AnalysisRecord | None:
        """One attempt by id."""
        row = self._conn.execute("SELECT * FROM analyses WHERE id = ?", (analysis_id,)).fetchone()
        return _record(row) if row is not None else None

    def history(self, highlight_id: int) -> list[AnalysisRecord]:
        """Every attempt for a highlight, newest first."""
        rows = self._conn.execute(
            "SELECT * FROM analyses WHERE highlight_id = ? ORDER BY id DESC", (highlight_id,)
        ).fetchall()
        return [_record(r) for r in rows]

    def latest_ok_for_book(self, book_id: str) -> dict[int, AnalysisRecord]:
        """The newest successful analysis of each highlight of a book."""
        rows = self._conn.execute(
            """
            SELECT a.* FROM analyses a JOIN highlights h ON h.id = a.highlight_id
            WHERE h.book_id = ? AND a.status = 'ok'
              AND a.id = (SELECT MAX(b.id) FROM analyses b
                          WHERE b.highlight_id = a.highlight_id AND b.status = 'ok')
            """,
            (book_id,),
        ).fetchall()
        return {int(r["highlight_id"]): _record(r) for r in rows}


class _Answer(Protocol):
    @property
    def tone(self) -> str: ...
    @property
    def polarity(self) -> str: ...
    @property
    def dominant_emotion(self) -> str: ...
    def model_dump(self) -> dict[str, Any]: ...


class _Usage(Protocol):
    @property
    def input_tokens(self) -> int: ...
    @property
    def output_tokens(self) -> int: ...
    @property
    def cache_creation_input_tokens(self) -> int: ...
    @property
    def cache_read_input_tokens(self) -> int: ...


class Outcome(Protocol):
    """What a successful analysis brings back (``ai.request.AnalysisOutcome`` is one).

    A protocol, so that storage does not depend on the AI layer.
    """

    @property
    def analysis(self) -> _Answer: ...  # noqa: D102
    @property
    def usage(self) -> _Usage: ...  # noqa: D102
    @property
    def model(self) -> str: ...  # noqa: D102
    @property
    def prompt_version(self) -> str: ...  # noqa: D102
    @property
    def dropped_evidence(self) -> int: ...  # noqa: D102
    @property
    def ttft_ms(self) -> float: ...  # noqa: D102
    @property
    def total_ms(self) -> float: ...  # noqa: D102
    @property
    def request_id(self) -> str: ...  # noqa: D102


def success_from_outcome(
    highlight_id: int, outcome: Outcome, cost_usd: float, model: str = ""
) -> NewAnalysis:
    """The row for a successful analysis (one place, for the panel, batches and the CLI)."""
    analysis = outcome.analysis
    usage = outcome.usage
    return NewAnalysis(
        highlight_id=highlight_id,
        status="ok",
        model=model or outcome.model,
        prompt_version=outcome.prompt_version,
        tone=analysis.tone,
        polarity=analysis.polarity,
        dominant_emotion=analysis.dominant_emotion,
        result=analysis.model_dump(),
        dropped_evidence=outcome.dropped_evidence,
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        cache_creation_tokens=usage.cache_creation_input_tokens,
        cache_read_tokens=usage.cache_read_input_tokens,
        cost_usd=cost_usd,
        ttft_ms=outcome.ttft_ms,
        total_ms=outcome.total_ms,
        request_id=outcome.request_id,
    )


def _record(row: sqlite3.Row) -> AnalysisRecord:
    data = {name: row[name] for name in _COLUMNS if name != "result_json"}
    try:
        result = json.loads(row["result_json"] or "{}")
    except ValueError:
        result = {}
    return AnalysisRecord(
        **data,
        result=result if isinstance(result, dict) else {},
        id=int(row["id"]),
        created_at=str(row["created_at"]),
    )
