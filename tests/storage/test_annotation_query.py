"""Annotations read back with their book, note, latest analysis and correction."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reader_app.core.records import NewAnalysis, NewHighlight
from reader_app.storage.analyses import AnalysisRepository
from reader_app.storage.annotations import AnnotationQuery
from reader_app.storage.corrections import CorrectionRepository
from reader_app.storage.highlights import HighlightRepository

if TYPE_CHECKING:
    import sqlite3


def test_latest_analysis_and_correction_win(conn: sqlite3.Connection, book_id: str) -> None:
    highlights = HighlightRepository(conn)
    first = highlights.add(NewHighlight(book_id, 2, "c", 50, 60, "later", section="II")).id
    second = highlights.add(NewHighlight(book_id, 1, "c", 5, 9, "early", note="mine")).id
    analyses = AnalysisRepository(conn)
    analyses.add(NewAnalysis(first, "ok", model="m1", tone="Old", result={"tone": "Old"}))
    newest = analyses.add(
        NewAnalysis(first, "ok", model="m2", prompt_version="v2", tone="New",
                    result={"tone": "New", "emotions": [{"name": "joy", "intensity": 0.5}]},
                    input_tokens=100, cost_usd=0.01)
    )  # fmt: skip
    analyses.add(NewAnalysis(first, "failed", error_kind="timeout"))
    query = AnnotationQuery(conn)
    (early, later) = query.for_book(book_id)  # reading order
    assert (early.highlight_id, early.note, early.analysis) == (second, "mine", None)
    assert later.tone == "New"
    assert later.dominant_emotion == "joy"
    assert later.section == "II"
    assert later.provenance.model == "m2"
    assert later.provenance.prompt_version == "v2"
    assert not later.provenance.corrected
    CorrectionRepository(conn).add(newest.id, {"tone": "Fixed", "polarity": "positive"})
    later = AnnotationQuery(conn).for_book(book_id)[1]
    assert later.tone == "Fixed"
    assert later.polarity == "positive"
    assert later.provenance.corrected
    assert [a.highlight_id for a in query.all()] == [second, first]
