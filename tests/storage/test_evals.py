"""EvalRepository: sets, runs and answers in a real SQLite library."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

import pytest

from reader_app.core.errors import StorageError
from reader_app.core.eval_data import EvalAnswer, EvalItem
from reader_app.core.evaluation import summarise_run
from reader_app.storage.evals import EvalRepository

if TYPE_CHECKING:
    from tests.storage.conftest import FakeClock

ITEMS = [
    EvalItem("We murder to dissect.", "negative"),
    EvalItem("Sweet is the lore which Nature brings;", "positive", "Enough of science"),
    EvalItem("she sought for flowers", "no_impact"),
]
CONFIG = {"model": "claude-haiku-4-5", "prompt_version": "abc123", "strategy": "all", "k": 8}


@pytest.fixture
def repo(conn: sqlite3.Connection, clock: FakeClock) -> EvalRepository:
    return EvalRepository(conn, clock=clock)


def answer(item_id: int, predicted: str = "negative", correct: bool = True) -> EvalAnswer:
    return EvalAnswer(
        item_id, "ok", predicted=predicted, correct=correct, latency_ms=812.5, input_tokens=40,
        output_tokens=90, cache_creation_tokens=1200, cache_read_tokens=3000, cost_usd=0.0012,
        answer={"tone": "Harsh", "polarity": predicted},
    )  # fmt: skip


def test_create_set_and_read_it_back(repo: EvalRepository) -> None:
    set_id = repo.create_set("Poems", "/data/poems.csv", "polarity", ITEMS)
    (info,) = repo.sets()
    assert (info.id, info.name, info.source, info.field, info.size) == (
        set_id, "Poems", "/data/poems.csv", "polarity", 3)  # fmt: skip
    assert info.created_at == "2024-05-01T12:00:01.000Z"
    items = repo.items(set_id)
    assert [item for _id, item in items] == ITEMS
    assert len({item_id for item_id, _item in items}) == 3


def test_find_set_needs_the_same_items(repo: EvalRepository) -> None:
    set_id = repo.create_set("Poems", "a.csv", "polarity", ITEMS)
    assert repo.find_set("Poems", "polarity", ITEMS) == set_id
    assert repo.find_set("Poems", "tone", ITEMS) is None
    assert repo.find_set("Poems", "polarity", ITEMS[:2]) is None
    changed = [*ITEMS[:2], EvalItem("she sought for flowers", "positive")]
    assert repo.find_set("Poems", "polarity", changed) is None


def test_create_set_is_all_or_nothing(repo: EvalRepository, conn: sqlite3.Connection) -> None:
    with pytest.raises(ValueError, match="unknown field"):
        repo.create_set("Bad", "", "colour", ITEMS)
    bad = [ITEMS[0], EvalItem(None, "x")]  # type: ignore[arg-type]
    with pytest.raises(StorageError):
        repo.create_set("Half", "", "tone", bad)
    assert repo.sets() == []
    assert conn.execute("SELECT COUNT(*) FROM eval_items").fetchone()[0] == 0


def test_runs_answers_and_reports(repo: EvalRepository) -> None:
    set_id = repo.create_set("Poems", "", "polarity", ITEMS)
    (one, _), (two, _), (three, _) = repo.items(set_id)
    run_id = repo.create_run(set_id, "polarity", CONFIG)
    repo.save_answer(run_id, answer(one))
    repo.save_answer(run_id, answer(two, "neutral", correct=False))
    repo.save_answer(run_id, EvalAnswer(three, "failed", latency_ms=30.0,
                                        error_kind="rate_limited", error_message="429"))  # fmt: skip
    (run,) = repo.runs(set_id)
    assert (run.id, run.status, run.field, run.config, run.answered) == (
        run_id, "running", "polarity", CONFIG, 3)  # fmt: skip
    assert run.finished_at is None
    stored = repo.answers(run_id)
    assert [a.item_id for a in stored] == [one, two, three]
    assert stored[0] == EvalAnswer(
        one, "ok", "negative", "negative", True, latency_ms=812.5, input_tokens=40,
        output_tokens=90, cache_creation_tokens=1200, cache_read_tokens=3000, cost_usd=0.0012,
        answer={"tone": "Harsh", "polarity": "negative"},
    )  # fmt: skip
    assert stored[2].correct is None
    assert (stored[2].error_kind, stored[2].error_message) == ("rate_limited", "429")
    report = summarise_run(stored, "polarity")
    assert (report.labelled, report.correct, report.failed) == (2, 1, 1)
    repo.finish_run(run_id, "done")
    finished = repo.run(run_id)
    assert finished is not None
    assert finished.status == "done"
    assert finished.finished_at is not None
    with pytest.raises(ValueError, match="unknown run status"):
        repo.finish_run(run_id, "exploded")


def test_save_answer_is_idempotent_per_item(repo: EvalRepository) -> None:
    set_id = repo.create_set("Poems", "", "polarity", ITEMS)
    item_id = repo.items(set_id)[0][0]
    run_id = repo.create_run(set_id, "polarity", CONFIG)
    repo.save_answer(run_id, answer(item_id))
    repo.save_answer(run_id, answer(item_id))
    assert len(repo.answers(run_id)) == 1
    repo.save_answer(run_id, answer(item_id, "positive", correct=False))
    (stored,) = repo.answers(run_id)
    assert (stored.predicted, stored.correct) == ("positive", False)


def test_unanswered_resumes_and_retries(repo: EvalRepository) -> None:
    set_id = repo.create_set("Poems", "", "polarity", ITEMS)
    ids = [item_id for item_id, _item in repo.items(set_id)]
    run_id = repo.create_run(set_id, "polarity", CONFIG)
    assert [i for i, _item in repo.unanswered(run_id)] == ids
    repo.save_answer(run_id, answer(ids[0]))
    repo.save_answer(run_id, EvalAnswer(ids[1], "failed", error_kind="server"))
    rest = repo.unanswered(run_id)
    assert rest == [(ids[2], ITEMS[2])]
    assert [i for i, _item in repo.unanswered(run_id, include_failed=True)] == ids[1:]
    # Another run over the same set starts from nothing.
    other = repo.create_run(set_id, "polarity", CONFIG)
    assert len(repo.unanswered(other)) == 3


def test_override_and_judgement(repo: EvalRepository) -> None:
    set_id = repo.create_set("Tones", "", "tone", [EvalItem("x", "Uneasy")])
    item_id = repo.items(set_id)[0][0]
    run_id = repo.create_run(set_id, "tone", CONFIG)
    repo.save_answer(run_id, answer(item_id, "Restless", correct=False))
    assert repo.set_judgement(run_id, item_id, True, "Both say the speaker cannot settle.")
    (judged,) = repo.answers(run_id)
    assert (judged.correct, judged.judged, judged.judge_note) == (
        True, True, "Both say the speaker cannot settle.")  # fmt: skip
    assert repo.set_override(run_id, item_id, False)
    (overridden,) = repo.answers(run_id)
    assert (overridden.override, overridden.verdict) == (False, False)
    assert repo.set_override(run_id, item_id, None)
    assert repo.answers(run_id)[0].override is None
    assert not repo.set_override(run_id, 9999, True)


def test_runs_newest_first_and_deletes_cascade(
    repo: EvalRepository, conn: sqlite3.Connection
) -> None:
    first = repo.create_set("A", "", "tone", ITEMS)
    second = repo.create_set("B", "", "emotion", ITEMS[:1])
    run_a = repo.create_run(first, "tone", {})
    run_b = repo.create_run(second, "emotion", {})
    run_c = repo.create_run(first, "tone", {"model": "claude-sonnet-4-5"})
    assert [r.id for r in repo.runs()] == [run_c, run_b, run_a]
    assert [r.id for r in repo.runs(first)] == [run_c, run_a]
    assert [s.name for s in repo.sets()] == ["B", "A"]
    repo.save_answer(run_a, answer(repo.items(first)[0][0]))
    repo.delete_run(run_c)
    assert [r.id for r in repo.runs(first)] == [run_a]
    repo.delete_set(first)
    assert [r.id for r in repo.runs()] == [run_b]
    for table in ("eval_items", "eval_answers"):
        remaining = conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
        assert remaining == (1 if table == "eval_items" else 0)


def test_schema_rejects_bad_values(conn: sqlite3.Connection) -> None:
    conn.execute("INSERT INTO eval_sets (id, name, field, created_at) VALUES (1, 'S', 'tone', 't')")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(
            "INSERT INTO eval_runs (set_id, created_at, status, field) VALUES (1, 't', 'odd', 'tone')"
        )
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(
            "INSERT INTO eval_runs (set_id, created_at, status, field) VALUES (2, 't', 'done', 'tone')"
        )
