"""Analyses keep their history; examples keep their order and are seeded once."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from reader_app.ai.pricing import estimate_cost
from reader_app.ai.request import Usage
from reader_app.core.examples import Example
from reader_app.core.records import NewAnalysis, NewHighlight
from reader_app.storage.analyses import AnalysisRepository
from reader_app.storage.examples import ExampleRepository
from reader_app.storage.highlights import HighlightRepository

if TYPE_CHECKING:
    import sqlite3


def _highlight(conn: sqlite3.Connection, book_id: str) -> int:
    repo = HighlightRepository(conn)
    return repo.add(NewHighlight(book_id, 0, "c", 0, 5, "Hello")).id


def test_history_newest_first_and_latest_ok(conn: sqlite3.Connection, book_id: str) -> None:
    hid = _highlight(conn, book_id)
    repo = AnalysisRepository(conn)
    first = repo.add(NewAnalysis(hid, "ok", tone="Calm", dominant_emotion="trust",
                                 result={"tone": "Calm"}, input_tokens=10))  # fmt: skip
    failed = repo.add(NewAnalysis(hid, "failed", error_kind="rate_limited", error_message="429"))
    assert [a.id for a in repo.history(hid)] == [failed.id, first.id]
    latest = repo.latest_ok_for_book(book_id)
    assert latest[hid].tone == "Calm"
    assert latest[hid].result == {"tone": "Calm"}
    second = repo.add(NewAnalysis(hid, "ok", tone="Warm"))
    assert repo.latest_ok_for_book(book_id)[hid].id == second.id
    HighlightRepository(conn).delete(hid)
    assert repo.history(hid) == []


def test_examples_seed_once_and_keep_order(conn: sqlite3.Connection) -> None:
    repo = ExampleRepository(conn)
    seed = [Example("a", "One"), Example("b", "Two", (("joy", 0.5),), "why", "src", ("t",))]
    assert repo.seed_once(seed) is True
    assert [s.example for s in repo.all()] == seed
    for stored in repo.all():
        repo.delete(stored.id)
    # Deleting the seed is the reader's choice: it does not come back.
    assert repo.seed_once(seed) is False
    assert repo.all() == []


def test_cost_estimate() -> None:
    usage = Usage(input_tokens=1_000, output_tokens=500, cache_creation_input_tokens=2_000,
                  cache_read_input_tokens=10_000)  # fmt: skip
    # haiku: $1 in, $5 out per million; cache write 1.25×, cache read 0.1×.
    expected = (1_000 * 1 + 2_000 * 1.25 + 10_000 * 0.1 + 500 * 5) / 1e6
    assert estimate_cost("claude-haiku-4-5", usage) == pytest.approx(expected, abs=1e-12)
    assert estimate_cost("unknown-model", usage) is None  # "price unknown", never $0
    dearer = estimate_cost("claude-haiku-4-5", usage, [("claude-haiku-4", 2.0, 10.0)])
    assert dearer is not None
    assert dearer > expected
