"""Example sets, undoable deletes, corrections and batch jobs in the library."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from reader_app.core.examples import Example
from reader_app.core.records import NewAnalysis, NewHighlight
from reader_app.storage.analyses import AnalysisRepository
from reader_app.storage.batch_jobs import BatchJobRepository
from reader_app.storage.corrections import CorrectionRepository
from reader_app.storage.examples import ExampleRepository
from reader_app.storage.highlights import HighlightRepository

if TYPE_CHECKING:
    import sqlite3
    from pathlib import Path


def test_delete_and_undo_keep_place_and_sets(conn: sqlite3.Connection) -> None:
    repo = ExampleRepository(conn)
    ids = repo.add_many([Example("a", "A"), Example("b", "B"), Example("c", "C")])
    poems = repo.create_set("Poems")
    repo.set_members(poems, [ids[1], ids[2]])
    removed = repo.delete(ids[1])
    assert removed is not None
    assert [s.example.tone for s in repo.all()] == ["A", "C"]
    assert [s.example.tone for s in repo.members(poems)] == ["C"]
    repo.restore(removed)
    assert [s.example.tone for s in repo.all()] == ["A", "B", "C"]
    assert [s.example.tone for s in repo.members(poems)] == ["B", "C"]


def test_active_set_per_book_then_library(conn: sqlite3.Connection) -> None:
    repo = ExampleRepository(conn)
    ids = repo.add_many([Example("a", "A"), Example("b", "B")])
    only_b = repo.create_set("Only B")
    repo.set_members(only_b, [ids[1]])
    assert [s.example.tone for s in repo.for_book("book1")] == ["A", "B"]
    repo.set_active("", only_b)
    assert [s.example.tone for s in repo.for_book("book1")] == ["B"]
    repo.set_active("book1", None)  # this book: all examples, whatever the library says
    assert [s.example.tone for s in repo.for_book("book1")] == ["A", "B"]
    assert [s.example.tone for s in repo.for_book("book2")] == ["B"]
    assert [(s.name, s.size) for s in repo.sets()] == [("Only B", 1)]
    with pytest.raises(ValueError, match="name"):
        repo.create_set("  ")


def test_corrections_sit_beside_the_original(conn: sqlite3.Connection, book_id: str) -> None:
    hid = HighlightRepository(conn).add(NewHighlight(book_id, 0, "c", 0, 5, "Hello")).id
    analysis = AnalysisRepository(conn).add(
        NewAnalysis(hid, "ok", tone="Calm", result={"tone": "Calm"})
    )
    corrections = CorrectionRepository(conn)
    fixed = {"tone": "Cold and Distant", "emotions": [{"name": "sadness", "intensity": 0.4}]}
    correction = corrections.add(analysis.id, fixed)
    assert correction.tone == "Cold and Distant"
    assert correction.dominant_emotion == "sadness"
    assert corrections.latest_for_analysis(analysis.id) == correction
    assert corrections.for_highlight(hid) == [correction]
    # The original answer is untouched.
    assert AnalysisRepository(conn).get(analysis.id).tone == "Calm"  # type: ignore[union-attr]


def test_batch_jobs_survive_and_resume(conn: sqlite3.Connection) -> None:
    jobs = BatchJobRepository(conn)
    job = jobs.add("book", [{"custom_id": "h1", "highlight_id": 1, "saved": False}])
    assert job.status == "submitting"
    assert [j.id for j in jobs.open_jobs()] == [job.id]
    job = jobs.update(
        job.id, remote_id="msgbatch_1", status="in_progress", counts={"processing": 1}
    )
    assert (job.remote_id, job.counts) == ("msgbatch_1", {"processing": 1})
    jobs.update(job.id, status="done")
    assert jobs.open_jobs() == []
    assert jobs.recent()[0].status == "done"


def test_the_example_library_read_again_only_after_a_change_by_anyone(tmp_path: Path) -> None:
    # The window keeps the decoded library between requests; the command line (another
    # connection, another process) and the window's own edits must both show at once.
    from reader_app.storage.db import open_database

    window = open_database(tmp_path / "library.sqlite3")
    cli = open_database(tmp_path / "library.sqlite3")
    mine, theirs = ExampleRepository(window), ExampleRepository(cli)
    first = mine.add(Example("a", "A"))
    assert [s.example.tone for s in mine.all()] == ["A"]
    # Unrelated writes (a highlight, an analysis) keep what was read.
    before = mine.all()
    window.execute("INSERT INTO app_meta (key, value) VALUES ('unrelated', '1')")
    window.commit()
    assert mine.all() == before
    theirs.add(Example("b", "B"))
    assert [s.example.tone for s in mine.all()] == ["A", "B"]
    cli.execute("UPDATE examples SET tone = 'Changed' WHERE id = ?", (first,))
    cli.commit()
    assert [s.example.tone for s in mine.all()] == ["Changed", "B"]
    theirs.delete(first)
    assert [s.example.tone for s in mine.all()] == ["B"]
    mine.update(theirs.all()[0].id, Example("b", "Mine"))
    assert [s.example.tone for s in theirs.all()] == ["Mine"]
    window.close()
    cli.close()
