"""Evaluation sets from the reader's own judgements: corrections and examples."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from reader_app.core.eval_data import EvalItem

if TYPE_CHECKING:
    import sqlite3


def _expected(result: dict[str, object], tone: str, field: str) -> str:
    if field == "polarity":
        return str(result.get("polarity", ""))
    if field == "speaker":
        return str(result.get("speaker", ""))
    if field == "emotion":
        emotions = result.get("emotions")
        if isinstance(emotions, list) and emotions and isinstance(emotions[0], dict):
            return str(emotions[0].get("name", ""))
        return ""
    return tone


def items_from_corrections(conn: sqlite3.Connection, field: str) -> list[EvalItem]:
    """Each corrected highlight once: the passage, and the reader's answer for the field.

    The newest correction of a highlight counts; older ones were second thoughts.
    """
    rows = conn.execute(
        """
        SELECT h.quote, h.prefix, c.tone, c.result_json FROM corrections c
        JOIN analyses a ON a.id = c.analysis_id
        JOIN highlights h ON h.id = a.highlight_id
        WHERE c.id = (
            SELECT MAX(c2.id) FROM corrections c2
            JOIN analyses a2 ON a2.id = c2.analysis_id
            WHERE a2.highlight_id = h.id
        )
        ORDER BY h.book_id, h.chapter, h.start
        """
    ).fetchall()
    items = []
    for quote, prefix, tone, result_json in rows:
        try:
            result = json.loads(result_json)
        except ValueError:
            continue
        expected = _expected(result if isinstance(result, dict) else {}, str(tone), field)
        if expected:
            items.append(EvalItem(str(quote), expected, str(prefix)))
    return items


def items_from_examples(conn: sqlite3.Connection, field: str) -> list[EvalItem]:
    """The examples as a test set (tone, or the first emotion); examples carry no polarity."""
    items = []
    for excerpt, tone, emotions_json in conn.execute(
        "SELECT excerpt, tone, emotions FROM examples ORDER BY id"
    ):
        if field == "tone":
            items.append(EvalItem(str(excerpt), str(tone)))
        elif field == "emotion":
            try:
                emotions = json.loads(emotions_json or "[]")
            except ValueError:
                emotions = []
            if emotions:
                items.append(EvalItem(str(excerpt), str(emotions[0][0])))
    return items
