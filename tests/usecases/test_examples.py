"""The examples library's use cases on a real library: seeding once, adding, importing.

No Qt and no window: the same functions the Examples manager and ``tone-reader examples``
call, on a real SQLite library and real files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from reader_app.core.examples import ExampleFormatError, example_from_dict
from reader_app.core.examples_io import ExamplesFileError
from reader_app.storage.db import open_database
from reader_app.storage.examples import ExampleRepository
from reader_app.usecases.examples import (
    example_from_fields,
    import_examples,
    seed_examples,
    seeded_examples,
    shipped_examples,
)

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Iterator

SEED_FILE = Path(__file__).resolve().parents[2] / "resources" / "examples" / "seed.jsonl"


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    """An empty library on disk."""
    connection = open_database(tmp_path / "library.sqlite3")
    yield connection
    connection.close()


@pytest.fixture
def repo(conn: sqlite3.Connection) -> ExampleRepository:
    return ExampleRepository(conn)


def _shipped_lines() -> list[dict[str, object]]:
    return [json.loads(line) for line in SEED_FILE.read_text(encoding="utf-8").splitlines() if line]


def test_the_shipped_examples_are_the_wordsworth_pairs_and_the_library() -> None:
    shipped = shipped_examples()
    assert shipped is not None
    lines = _shipped_lines()
    assert len(shipped) == len(lines) >= 45
    assert shipped == [example_from_dict(line) for line in lines]
    assert shipped[0].tone == "Scornful and Disapproving"
    assert all("Wordsworth" in e.source for e in shipped[:5])
    assert len({e.excerpt for e in shipped}) == len(shipped)  # no example twice


def test_a_fresh_library_is_seeded_once(repo: ExampleRepository) -> None:
    assert repo.all() == []
    assert seed_examples(repo) is True
    first = repo.all()
    assert [s.example for s in first] == shipped_examples()
    assert seed_examples(repo) is False  # the second time stores nothing
    assert repo.all() == first


def test_a_deleted_seed_example_stays_deleted(repo: ExampleRepository) -> None:
    seed_examples(repo)
    gone = repo.all()[0]
    repo.delete(gone.id)
    assert seed_examples(repo) is False
    assert gone.id not in [s.id for s in repo.all()]
    assert len(repo.all()) == len(shipped_examples() or []) - 1


def test_seeded_examples_gives_the_library_with_the_seed(conn: sqlite3.Connection) -> None:
    shipped = len(shipped_examples() or [])
    repo = seeded_examples(conn)
    assert len(repo.all()) == shipped
    assert len(seeded_examples(conn).all()) == shipped  # asked again: still the same


def test_an_example_from_typed_fields() -> None:
    example = example_from_fields(
        "  The sea was angry that day.  ",
        "Ominous",
        [("fear", 0.4), ("anger", 0.7)],
        "The storm is given a temper.",
        "A test",
        "sea, weather, sea, ",
    )
    assert example.excerpt == "The sea was angry that day."
    assert example.emotions == (("anger", 0.7), ("fear", 0.4))  # strongest first
    assert example.tags == ("sea", "weather")  # trimmed, blanks and repeats dropped
    assert (example.explanation, example.source) == ("The storm is given a temper.", "A test")


@pytest.mark.parametrize(
    ("excerpt", "tone", "emotions", "why"),
    [
        ("", "Calm", (), "excerpt"),
        ("Words.", "  ", (), "tone"),
        ("Words.", "Calm", (("boredom", 0.5),), "unknown emotion"),
        ("Words.", "Calm", (("joy", 1.5),), "between 0 and 1"),
    ],
)
def test_a_typed_example_that_is_not_usable(
    excerpt: str, tone: str, emotions: tuple[tuple[str, float], ...], why: str
) -> None:
    with pytest.raises(ExampleFormatError, match=why):
        example_from_fields(excerpt, tone, emotions)


def test_importing_a_jsonl_file_stores_the_good_rows(
    tmp_path: Path, repo: ExampleRepository
) -> None:
    path = tmp_path / "mine.jsonl"
    path.write_text(
        '{"excerpt": "I wandered lonely as a cloud", "tone": "Wistful", "tags": ["poem"]}\n'
        '{"excerpt": "", "tone": "Empty"}\n'
        '{"excerpt": "Ten thousand saw I at a glance", "tone": "Joyful",'
        ' "emotions": [{"name": "joy", "intensity": 0.9}]}\n',
        encoding="utf-8",
    )
    report = import_examples(repo, path)
    assert len(report.ids) == 2
    assert report.problems == ["line 2: “excerpt” is missing or empty"]
    stored = {s.id: s.example for s in repo.all()}
    assert [stored[i].tone for i in report.ids] == ["Wistful", "Joyful"]
    assert stored[report.ids[1]].emotions == (("joy", 0.9),)


def test_importing_a_csv_file(tmp_path: Path, repo: ExampleRepository) -> None:
    path = tmp_path / "mine.csv"
    path.write_text(
        "excerpt,tone,emotions,explanation,tags\r\n"
        '"The child is father of the man",Reflective,trust:0.5,Growing up.,poem;romantic\r\n',
        encoding="utf-8",
    )
    report = import_examples(repo, path)
    assert report.problems == []
    (stored,) = repo.all()
    assert stored.id == report.ids[0]
    assert stored.example.tone == "Reflective"
    assert stored.example.emotions == (("trust", 0.5),)
    assert stored.example.tags == ("poem", "romantic")


def test_a_file_with_no_examples_stores_nothing(tmp_path: Path, repo: ExampleRepository) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text("\n\n", encoding="utf-8")
    report = import_examples(repo, path)
    assert (report.ids, report.problems) == ([], [])
    assert repo.all() == []


def test_an_unreadable_examples_file_is_refused(tmp_path: Path, repo: ExampleRepository) -> None:
    path = tmp_path / "table.csv"
    path.write_text("passage,label\nA line,Calm\n", encoding="utf-8")
    with pytest.raises(ExamplesFileError):
        import_examples(repo, path)
    with pytest.raises(ExamplesFileError):
        import_examples(repo, tmp_path / "missing.jsonl")
    assert repo.all() == []
