"""Opening the library, migrating it step by step, and transactions."""

from __future__ import annotations

import os
import random
import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING

import pytest

from reader_app.core.errors import StorageError
from reader_app.storage import db
from reader_app.storage.db import (
    MIGRATIONS,
    SCHEMA_VERSION,
    format_timestamp,
    open_database,
    transaction,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

BOOK_ROW = (
    "f" * 64,
    "/old/place/emma.epub",
    "Emma",
    '["Jane Austen"]',
    "en",
    "EPUB 2",
    55,
    880_000,
    "2023-01-01T00:00:00.000Z",
    "2023-02-01T00:00:00.000Z",
    4,
    1200,
    0.25,
    1,
)


def build_at_version(path: Path, version: int) -> None:
    """Make a database as an older release would have left it: only the first steps run."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for step in MIGRATIONS[:version]:
            step(conn)
        conn.execute(f"PRAGMA user_version = {version}")
    finally:
        conn.close()


def table_names(conn: sqlite3.Connection) -> set[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {row[0] for row in rows}


def user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def test_schema_version_counts_the_migration_steps() -> None:
    assert SCHEMA_VERSION == len(MIGRATIONS) == 13


def test_new_file_is_migrated_to_the_latest_version(db_path: Path) -> None:
    conn = open_database(db_path)
    try:
        assert user_version(conn) == SCHEMA_VERSION
        assert {"books", "highlights", "book_paths"} <= table_names(conn)
    finally:
        conn.close()


def test_step_1_builds_the_initial_schema_from_version_0(db_path: Path) -> None:
    build_at_version(db_path, 0)
    conn = open_database(db_path)
    try:
        assert user_version(conn) == SCHEMA_VERSION
        columns = [row["name"] for row in conn.execute("PRAGMA table_info(highlights)")]
        assert columns == [
            "id",
            "book_id",
            "chapter",
            "chapter_key",
            "start",
            "end",
            "quote",
            "prefix",
            "suffix",
            "color",
            "note",
            "orphaned",
            "created_at",
            "updated_at",
            "section",  # step 6
            "source",  # step 6
        ]
        indexes = [row["name"] for row in conn.execute("PRAGMA index_list(highlights)")]
        assert "highlights_by_position" in indexes
        assert "highlights_by_quote" in indexes  # step 7
    finally:
        conn.close()


def test_step_3_adds_analyses_and_examples_to_a_version_2_library(db_path: Path) -> None:
    build_at_version(db_path, 2)
    old = sqlite3.connect(db_path, isolation_level=None)
    try:
        assert "analyses" not in table_names(old)
        old.execute(f"INSERT INTO books VALUES ({', '.join('?' * len(BOOK_ROW))})", BOOK_ROW)
        old.execute(
            "INSERT INTO highlights (id, book_id, chapter, start, end, quote, created_at,"
            " updated_at) VALUES (7, ?, 3, 10, 20, 'handsome, clever', 't', 't')",
            (BOOK_ROW[0],),
        )
    finally:
        old.close()
    conn = open_database(db_path)
    try:
        assert user_version(conn) == SCHEMA_VERSION
        assert {"analyses", "examples", "app_meta"} <= table_names(conn)
        assert conn.execute("SELECT quote FROM highlights WHERE id = 7").fetchone()[0] == (
            "handsome, clever"
        )
        conn.execute(
            "INSERT INTO analyses (highlight_id, created_at, status) VALUES (7, 't', 'ok')"
        )
        conn.execute("DELETE FROM highlights WHERE id = 7")
        # An analysis belongs to its highlight and goes with it.
        assert conn.execute("SELECT COUNT(*) FROM analyses").fetchone()[0] == 0
    finally:
        conn.close()


def test_step_4_adds_sets_corrections_and_batches_to_a_version_3_library(db_path: Path) -> None:
    build_at_version(db_path, 3)
    old = sqlite3.connect(db_path, isolation_level=None)
    try:
        old.execute(
            "INSERT INTO examples (id, excerpt, tone, created_at) VALUES (1, 'x', 'Calm', 't')"
        )
    finally:
        old.close()
    conn = open_database(db_path)
    try:
        assert user_version(conn) == SCHEMA_VERSION
        assert {"example_sets", "example_set_members", "corrections", "batch_jobs"} <= table_names(
            conn
        )
        assert conn.execute("SELECT tone FROM examples WHERE id = 1").fetchone()[0] == "Calm"
        conn.execute("INSERT INTO example_sets (id, name, created_at) VALUES (1, 'Poems', 't')")
        conn.execute("INSERT INTO example_set_members VALUES (1, 1)")
        conn.execute("DELETE FROM examples WHERE id = 1")
        # A deleted example leaves every set it was in.
        assert conn.execute("SELECT COUNT(*) FROM example_set_members").fetchone()[0] == 0
    finally:
        conn.close()


def test_step_5_adds_evaluations_to_a_version_4_library(db_path: Path) -> None:
    build_at_version(db_path, 4)
    old = sqlite3.connect(db_path, isolation_level=None)
    try:
        assert "eval_sets" not in table_names(old)
        old.execute(
            "INSERT INTO examples (id, excerpt, tone, created_at) VALUES (1, 'x', 'Calm', 't')"
        )
    finally:
        old.close()
    conn = open_database(db_path)
    try:
        assert user_version(conn) == SCHEMA_VERSION
        assert {"eval_sets", "eval_items", "eval_runs", "eval_answers"} <= table_names(conn)
        assert conn.execute("SELECT tone FROM examples WHERE id = 1").fetchone()[0] == "Calm"
        conn.execute(
            "INSERT INTO eval_sets (id, name, field, created_at) VALUES (1, 'Poems', 'polarity', 't')"
        )
        conn.execute(
            "INSERT INTO eval_items (id, set_id, position, text, expected)"
            " VALUES (1, 1, 0, 'x', 'positive')"
        )
        conn.execute(
            "INSERT INTO eval_runs (id, set_id, created_at, status, field)"
            " VALUES (1, 1, 't', 'running', 'polarity')"
        )
        conn.execute("INSERT INTO eval_answers (run_id, item_id, status) VALUES (1, 1, 'ok')")
        with pytest.raises(sqlite3.IntegrityError):
            # One answer per item and run.
            conn.execute("INSERT INTO eval_answers (run_id, item_id, status) VALUES (1, 1, 'ok')")
        conn.execute("DELETE FROM eval_sets WHERE id = 1")
        # A deleted set takes its items, runs and answers along.
        for table in ("eval_items", "eval_runs", "eval_answers"):
            assert conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0
    finally:
        conn.close()


def test_step_6_adds_sections_sources_and_placeholders(db_path: Path) -> None:
    build_at_version(db_path, 5)
    old = sqlite3.connect(db_path, isolation_level=None)
    try:
        old.execute(f"INSERT INTO books VALUES ({', '.join('?' * len(BOOK_ROW))})", BOOK_ROW)
        old.execute(
            "INSERT INTO highlights (id, book_id, chapter, start, end, quote, created_at,"
            " updated_at) VALUES (7, ?, 3, 10, 20, 'handsome, clever', 't', 't')",
            (BOOK_ROW[0],),
        )
    finally:
        old.close()
    conn = open_database(db_path)
    try:
        assert user_version(conn) == SCHEMA_VERSION
        row = conn.execute("SELECT quote, section, source FROM highlights WHERE id = 7").fetchone()
        assert tuple(row) == ("handsome, clever", "", "")
        assert conn.execute("SELECT placeholder FROM books").fetchone()[0] == 0
    finally:
        conn.close()


def test_step_2_upgrades_a_version_1_library_and_keeps_its_rows(db_path: Path) -> None:
    build_at_version(db_path, 1)
    old = sqlite3.connect(db_path, isolation_level=None)
    try:
        assert "book_paths" not in table_names(old)
        old.execute(f"INSERT INTO books VALUES ({', '.join('?' * len(BOOK_ROW))})", BOOK_ROW)
        old.execute(
            "INSERT INTO books (id, path, title, authors, format, chapter_count, char_count,"
            " added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                "e" * 64,
                "/never/opened.txt",
                "Unread",
                "[]",
                "Plain text",
                1,
                10,
                "2023-03-03T00:00:00.000Z",
            ),
        )
        old.execute(
            "INSERT INTO highlights (id, book_id, chapter, start, end, quote, created_at,"
            " updated_at) VALUES (7, ?, 3, 10, 20, 'handsome, clever', 't', 't')",
            ("f" * 64,),
        )
    finally:
        old.close()

    conn = open_database(db_path)
    try:
        assert user_version(conn) == SCHEMA_VERSION
        book = conn.execute("SELECT * FROM books WHERE id = ?", ("f" * 64,)).fetchone()
        assert tuple(book) == (*BOOK_ROW, 0)  # step 6 added "placeholder"
        highlight = conn.execute("SELECT book_id, quote FROM highlights WHERE id = 7").fetchone()
        assert tuple(highlight) == ("f" * 64, "handsome, clever")
        paths = conn.execute(
            "SELECT book_id, path, seen_at FROM book_paths ORDER BY path"
        ).fetchall()
        # Filled from books.path; a book never opened falls back to when it was added.
        assert [tuple(row) for row in paths] == [
            ("e" * 64, "/never/opened.txt", "2023-03-03T00:00:00.000Z"),
            ("f" * 64, "/old/place/emma.epub", "2023-02-01T00:00:00.000Z"),
        ]
    finally:
        conn.close()


def test_opening_an_up_to_date_library_again_changes_nothing(db_path: Path) -> None:
    open_database(db_path).close()
    before = db_path.read_bytes()
    conn = open_database(db_path)
    try:
        assert user_version(conn) == SCHEMA_VERSION
    finally:
        conn.close()
    assert db_path.read_bytes() == before


def test_a_failing_migration_step_leaves_the_previous_version(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_database(db_path).close()

    def broken_step(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half_done (x INTEGER)")
        conn.execute("INSERT INTO no_such_table VALUES (1)")

    monkeypatch.setattr(db, "MIGRATIONS", [*MIGRATIONS, broken_step])
    monkeypatch.setattr(db, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(StorageError):
        open_database(db_path)

    monkeypatch.undo()
    conn = open_database(db_path)
    try:
        assert user_version(conn) == SCHEMA_VERSION
        assert "half_done" not in table_names(conn)
    finally:
        conn.close()


def test_a_library_from_a_newer_version_is_refused(db_path: Path) -> None:
    build_at_version(db_path, SCHEMA_VERSION)
    raw = sqlite3.connect(db_path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.close()

    with pytest.raises(StorageError) as caught:
        open_database(db_path)
    assert caught.value.message == "This library was made by a newer version of Tone Reader."
    assert caught.value.hint
    # Refusing must not touch it: the newer version still needs it as it was.
    check = sqlite3.connect(db_path)
    try:
        assert user_version(check) == SCHEMA_VERSION + 1
    finally:
        check.close()


def test_a_file_of_random_bytes_is_reported_as_damaged(db_path: Path) -> None:
    db_path.write_bytes(random.Random(1234).randbytes(8192))
    with pytest.raises(StorageError) as caught:
        open_database(db_path)
    assert "damaged" in caught.value.message
    assert "\n" not in str(caught.value)


def test_a_library_in_a_missing_folder_cannot_be_opened(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="could not be opened"):
        open_database(tmp_path / "missing" / "library.sqlite3")


def test_pragmas_on_a_file_library(conn: sqlite3.Connection) -> None:
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert conn.isolation_level is None
    assert isinstance(conn.execute("SELECT 1 AS one").fetchone(), sqlite3.Row)


def test_in_memory_library_is_migrated_without_wal() -> None:
    conn = open_database(":memory:")
    try:
        assert user_version(conn) == SCHEMA_VERSION
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "memory"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    finally:
        conn.close()


def test_foreign_keys_are_enforced(conn: sqlite3.Connection) -> None:
    with pytest.raises(StorageError), transaction(conn):
        conn.execute(
            "INSERT INTO highlights (book_id, chapter, start, end, quote, created_at,"
            " updated_at) VALUES ('nope', 0, 0, 1, 'x', 't', 't')"
        )
    assert conn.execute("SELECT COUNT(*) FROM highlights").fetchone()[0] == 0


def insert_book(conn: sqlite3.Connection, book_id: str) -> None:
    conn.execute(
        "INSERT INTO books (id, path, title, authors, format, chapter_count, char_count,"
        " added_at) VALUES (?, '/b', 'T', '[]', 'HTML', 1, 1, 't')",
        (book_id,),
    )


def book_count(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT COUNT(*) FROM books").fetchone()[0])


def test_transaction_commits(conn: sqlite3.Connection, db_path: Path) -> None:
    with transaction(conn):
        insert_book(conn, "1")
    assert not conn.in_transaction
    other = open_database(db_path)
    try:
        assert book_count(other) == 1
    finally:
        other.close()


def insert_then(conn: sqlite3.Connection, failure: Callable[[sqlite3.Connection], object]) -> None:
    """One transaction: a good insert, then ``failure``."""
    with transaction(conn):
        insert_book(conn, "1")
        failure(conn)


def boom(_: sqlite3.Connection) -> None:
    raise RuntimeError("boom")


def test_a_transaction_that_raises_leaves_nothing(conn: sqlite3.Connection) -> None:
    with pytest.raises(RuntimeError, match="boom"):
        insert_then(conn, boom)
    assert not conn.in_transaction
    assert book_count(conn) == 0


def test_a_sqlite_error_rolls_back_and_becomes_a_storage_error(conn: sqlite3.Connection) -> None:
    with pytest.raises(StorageError) as caught:
        insert_then(conn, lambda c: insert_book(c, "1"))  # duplicate primary key
    assert isinstance(caught.value.__cause__, sqlite3.IntegrityError)
    assert caught.value.message == "The library could not be updated, so the change was not saved."
    assert book_count(conn) == 0


def test_a_programming_error_is_not_disguised(conn: sqlite3.Connection) -> None:
    # Wrong parameter count is a bug in our code, not a condition the user can fix.
    with pytest.raises(sqlite3.ProgrammingError):
        insert_then(conn, lambda c: c.execute("SELECT ?", (1, 2)))
    assert book_count(conn) == 0


def test_a_nested_transaction_is_a_savepoint(conn: sqlite3.Connection) -> None:
    with transaction(conn):
        insert_book(conn, "outer")
        with pytest.raises(RuntimeError, match="boom"):
            insert_then(conn, boom)
        assert conn.in_transaction
    ids = [row[0] for row in conn.execute("SELECT id FROM books")]
    assert ids == ["outer"]


def test_a_full_disk_is_reported(conn: sqlite3.Connection) -> None:
    # max_page_count makes SQLite answer SQLITE_FULL exactly as a full disk would.
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(StorageError) as caught:
        insert_then(conn, lambda c: c.execute("UPDATE books SET title = ?", ("x" * 1_000_000,)))
    assert caught.value.message == "The disk is full, so the change was not saved."
    assert not conn.in_transaction
    assert book_count(conn) == 0


def test_a_read_only_library_refuses_writes(db_path: Path) -> None:
    conn = open_database(db_path)
    with transaction(conn):
        insert_book(conn, "kept")
    conn.close()
    os.chmod(db_path, 0o444)
    # Root ignores file modes, so read_only=True makes the test mean the same for everyone.
    ro = open_database(db_path, read_only=True)
    try:
        assert book_count(ro) == 1
        with pytest.raises(StorageError) as caught, transaction(ro):
            insert_book(ro, "lost")
        assert caught.value.message == "The library is read-only, so the change was not saved."
        assert book_count(ro) == 1
    finally:
        ro.close()
        os.chmod(db_path, 0o644)


def test_a_read_only_library_that_needs_an_upgrade_is_refused(db_path: Path) -> None:
    build_at_version(db_path, 1)
    with pytest.raises(StorageError, match="needs an upgrade"):
        open_database(db_path, read_only=True)


def test_a_locked_library_is_reported_as_busy(conn: sqlite3.Connection, db_path: Path) -> None:
    other = open_database(db_path)
    try:
        other.execute("PRAGMA busy_timeout = 0")
        with transaction(conn):
            insert_book(conn, "first")
            with pytest.raises(StorageError, match="busy"), transaction(other):
                insert_book(other, "second")
        assert book_count(other) == 1
    finally:
        other.close()


def test_timestamps_are_utc_with_z() -> None:
    moment = datetime(2024, 5, 1, 14, 30, 5, 250_000, tzinfo=timezone(timedelta(hours=2)))
    assert format_timestamp(moment) == "2024-05-01T12:30:05.250Z"
    assert format_timestamp(datetime(2024, 1, 1, tzinfo=UTC)) == "2024-01-01T00:00:00.000Z"
    with pytest.raises(ValueError, match="aware"):
        format_timestamp(datetime(2024, 1, 1))


def test_steps_8_to_10_add_the_glossary_guesses_and_speaker_evaluations(db_path: Path) -> None:
    build_at_version(db_path, 7)
    old = sqlite3.connect(db_path, isolation_level=None)
    try:
        old.execute(
            "INSERT INTO eval_sets (id, name, field, created_at) VALUES (1, 'Poems', 'tone', 't')"
        )
        old.execute(
            "INSERT INTO eval_items (id, set_id, position, text, expected) VALUES (1, 1, 0, 'x', 'y')"
        )
        with pytest.raises(sqlite3.IntegrityError):
            old.execute(
                "INSERT INTO eval_sets (name, field, created_at) VALUES ('S', 'speaker', 't')"
            )
    finally:
        old.close()
    conn = open_database(db_path)
    try:
        assert user_version(conn) == SCHEMA_VERSION
        assert {"glossary", "guesses"} <= table_names(conn)
        # The widened check lets speaker sets in, and kept every row it had.
        conn.execute("INSERT INTO eval_sets (name, field, created_at) VALUES ('S', 'speaker', 't')")
        conn.execute(
            "INSERT INTO eval_runs (set_id, created_at, status, field)"
            " VALUES (1, 't', 'running', 'speaker')"
        )
        assert conn.execute("SELECT COUNT(*) FROM eval_items").fetchone()[0] == 1
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute(
                "INSERT INTO eval_sets (name, field, created_at) VALUES ('T', 'mood', 't')"
            )
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
