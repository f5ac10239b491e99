"""A library seeded with an earlier version of the shipped examples gets the new ones once.

Real SQLite libraries on disk; the old seeding is what the app did before the curated
library was shipped: the five Wordsworth pairs, recorded with ``seed_once``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from reader_app.storage.db import open_database
from reader_app.storage.examples import SEEDED_KEY, ExampleRepository
from reader_app.usecases.examples import (
    SEED_VERSION,
    SHIPPED_BEFORE,
    seed_examples,
    shipped_examples,
)

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Iterator
    from pathlib import Path

    from reader_app.core.examples import Example


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    connection = open_database(tmp_path / "library.sqlite3")
    yield connection
    connection.close()


@pytest.fixture
def shipped() -> list[Example]:
    examples = shipped_examples()
    assert examples is not None
    return examples


def _old_library(conn: sqlite3.Connection, shipped: list[Example]) -> ExampleRepository:
    """A library as the earlier version left it: the five pairs, seeded once."""
    repo = ExampleRepository(conn)
    assert repo.seed_once(shipped[: SHIPPED_BEFORE[1]]) is True
    return repo


def _version(conn: sqlite3.Connection) -> str:
    row = conn.execute("SELECT value FROM app_meta WHERE key = ?", (SEEDED_KEY,)).fetchone()
    return str(row[0])


def test_an_old_library_gets_the_new_examples_once(
    conn: sqlite3.Connection, shipped: list[Example]
) -> None:
    repo = _old_library(conn, shipped)
    assert _version(conn) == "1"
    assert seed_examples(repo) is True
    assert [s.example for s in repo.all()] == shipped  # the five, then the new ones in order
    assert _version(conn) == str(SEED_VERSION)
    assert seed_examples(repo) is False  # once only
    assert len(repo.all()) == len(shipped)


def test_a_deleted_old_example_is_not_brought_back(
    conn: sqlite3.Connection, shipped: list[Example]
) -> None:
    repo = _old_library(conn, shipped)
    deleted = repo.all()[1]
    repo.delete(deleted.id)
    assert seed_examples(repo) is True
    excerpts = [s.example.excerpt for s in repo.all()]
    assert deleted.example.excerpt not in excerpts
    assert len(excerpts) == len(shipped) - 1


def test_an_example_the_reader_added_already_is_not_stored_twice(
    conn: sqlite3.Connection, shipped: list[Example]
) -> None:
    repo = _old_library(conn, shipped)
    mine = shipped[SHIPPED_BEFORE[1] + 3]  # one of the new ones, imported by the reader
    repo.add(mine)
    assert seed_examples(repo) is True
    excerpts = [s.example.excerpt for s in repo.all()]
    assert excerpts.count(mine.excerpt) == 1
    assert len(excerpts) == len(shipped)


def test_a_new_library_gets_every_shipped_example_once(
    conn: sqlite3.Connection, shipped: list[Example]
) -> None:
    repo = ExampleRepository(conn)
    assert seed_examples(repo) is True
    assert [s.example for s in repo.all()] == shipped
    assert _version(conn) == str(SEED_VERSION)
    repo.delete(repo.all()[-1].id)
    assert seed_examples(repo) is False  # a deleted new example stays deleted
    assert len(repo.all()) == len(shipped) - 1


def test_a_library_from_a_newer_version_is_left_alone(
    conn: sqlite3.Connection, shipped: list[Example]
) -> None:
    repo = _old_library(conn, shipped)
    conn.execute("UPDATE app_meta SET value = ? WHERE key = ?", (str(SEED_VERSION + 1), SEEDED_KEY))
    conn.commit()
    assert seed_examples(repo) is False
    assert len(repo.all()) == SHIPPED_BEFORE[1]
