"""Evaluation sets built from the reader's corrections and examples."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reader_app.core.examples import Example
from reader_app.core.records import NewAnalysis, NewHighlight
from reader_app.storage.analyses import AnalysisRepository
from reader_app.storage.corrections import CorrectionRepository
from reader_app.storage.eval_sources import items_from_corrections, items_from_examples
from reader_app.storage.examples import ExampleRepository
from reader_app.storage.highlights import HighlightRepository

if TYPE_CHECKING:
    import sqlite3


def test_newest_correction_per_highlight(conn: sqlite3.Connection, book_id: str) -> None:
    hid = HighlightRepository(conn).add(NewHighlight(book_id, 0, "c", 0, 5, "Hello", "pre")).id
    analysis = AnalysisRepository(conn).add(NewAnalysis(hid, "ok", tone="Calm"))
    corrections = CorrectionRepository(conn)
    corrections.add(analysis.id, {"tone": "Cold", "polarity": "negative",
                                  "emotions": [{"name": "sadness", "intensity": 0.5}]})  # fmt: skip
    corrections.add(analysis.id, {"tone": "Icy and Distant", "polarity": "negative",
                                  "emotions": [{"name": "fear", "intensity": 0.5}]})  # fmt: skip
    tone = items_from_corrections(conn, "tone")
    assert [(i.text, i.expected, i.context) for i in tone] == [("Hello", "Icy and Distant", "pre")]
    assert items_from_corrections(conn, "polarity")[0].expected == "negative"
    assert items_from_corrections(conn, "emotion")[0].expected == "fear"


def test_examples_as_a_test_set(conn: sqlite3.Connection) -> None:
    ExampleRepository(conn).add_many(
        [Example("a", "Calm", (("trust", 0.5),)), Example("b", "Angry")]
    )
    assert [(i.text, i.expected) for i in items_from_examples(conn, "tone")] == [
        ("a", "Calm"), ("b", "Angry")
    ]  # fmt: skip
    assert [(i.text, i.expected) for i in items_from_examples(conn, "emotion")] == [("a", "trust")]
    assert items_from_examples(conn, "polarity") == []
