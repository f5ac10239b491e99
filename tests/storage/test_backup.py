"""Daily backups with SQLite's online backup API: rotation, contents, stopping, damage."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from reader_app.core.errors import StorageError
from reader_app.storage.backup import BackupStopped, backup_due, backups, make_backup
from reader_app.storage.books import BookRepository
from reader_app.storage.db import open_database, transaction

if TYPE_CHECKING:
    import sqlite3
    from pathlib import Path

DAY = datetime(2026, 3, 1, 10, 0).astimezone()


def library(path: Path, books: int) -> sqlite3.Connection:
    conn = open_database(path)
    repo = BookRepository(conn)
    for n in range(books):
        repo.record_opened(f"{n:064d}", f"/b/{n}.txt", f"Book {n}", ["A"], "en", "TXT", 1, 1)
    return conn


def test_one_copy_a_day_seven_kept(tmp_path: Path) -> None:
    db = tmp_path / "library.sqlite3"
    folder = tmp_path / "backups"
    conn = library(db, 1)
    for day in range(10):
        now = DAY + timedelta(days=day)
        assert backup_due(folder, now)
        made = make_backup(db, folder, now)
        assert made.name == f"library-{now:%Y-%m-%d}.sqlite3"
        assert not backup_due(folder, now)
    kept = backups(folder)
    assert [p.name for p in kept] == [
        f"library-{DAY + timedelta(days=d):%Y-%m-%d}.sqlite3" for d in range(9, 2, -1)
    ]
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in kept)
    conn.close()


def test_a_backup_opens_and_has_the_rows_even_while_the_window_writes(tmp_path: Path) -> None:
    db = tmp_path / "library.sqlite3"
    conn = library(db, 200)
    # An open write transaction (the window saving a highlight) does not stop the copy,
    # and its uncommitted row is not in it.
    with transaction(conn):
        conn.execute("UPDATE books SET title = 'half-saved' WHERE id = ?", (f"{0:064d}",))
        made = make_backup(db, tmp_path / "backups", DAY)
    copy = open_database(made, check=True)
    titles = [r[0] for r in copy.execute("SELECT title FROM books ORDER BY id").fetchall()]
    assert len(titles) == 200
    assert titles[0] == "Book 0"
    assert BookRepository(copy).get(f"{199:064d}") is not None
    copy.close()
    conn.close()


def test_a_backup_stops_when_the_app_quits(tmp_path: Path) -> None:
    db = tmp_path / "library.sqlite3"
    conn = library(db, 2000)
    stop = threading.Event()
    stop.set()
    with pytest.raises(BackupStopped):
        make_backup(db, tmp_path / "backups", DAY, stop=stop)
    assert list((tmp_path / "backups").iterdir()) == []  # no partial copy left
    conn.close()


def test_a_damaged_library_never_replaces_a_good_copy(tmp_path: Path) -> None:
    db = tmp_path / "library.sqlite3"
    library(db, 3000).close()
    folder = tmp_path / "backups"
    good = make_backup(db, folder, DAY)
    with db.open("r+b") as handle:  # spoil a few pages in the middle
        handle.seek((db.stat().st_size // 4096 // 2) * 4096)
        handle.write(b"\xa5" * 3 * 4096)
    with pytest.raises(StorageError, match="damaged parts"):
        make_backup(db, folder, DAY + timedelta(days=1))
    assert backups(folder) == [good]
    assert [p.name for p in folder.iterdir()] == [good.name]
