"""A damaged library: found on open, moved aside with its WAL, and its readable rows copied back."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest

from reader_app.core.records import NewHighlight
from reader_app.storage.books import BookRepository
from reader_app.storage.db import DamagedLibraryError, open_database
from reader_app.storage.highlights import HighlightRepository
from reader_app.storage.recover import recover_into, set_aside

if TYPE_CHECKING:
    from pathlib import Path

PAGE = 4096
HIGHLIGHTS = 3000
WHEN = datetime(2026, 3, 1, 9, 5, 7, tzinfo=UTC)


def fill(path: Path, *, checkpoint: bool = True, crash_copy: Path | None = None) -> dict[int, str]:
    """A library with three books and many highlights; returns highlight id → quote.

    With ``crash_copy``, the files are also copied there before the connection closes:
    the library as a crash would leave it, its last rows only in the WAL.
    """
    conn = open_database(path)
    books = BookRepository(conn)
    for n in range(3):
        books.record_opened(f"{n}" * 64, f"/books/{n}.txt", f"Book {n}", ["A"], "en", "TXT", 9, 9)
    repo = HighlightRepository(conn)
    quotes = {}
    for i in range(HIGHLIGHTS):
        quote = f"passage {i:05d} " + "words of the passage " * 8
        made = repo.add(
            NewHighlight(
                book_id=f"{i % 3}" * 64, chapter=i % 9, chapter_key="", start=i, end=i + 10,
                quote=quote,
            )
        )  # fmt: skip
        quotes[made.id] = quote
    if checkpoint:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    if crash_copy is not None:
        for suffix in ("", "-wal", "-shm"):
            shutil.copyfile(
                path.with_name(path.name + suffix), crash_copy.with_name(crash_copy.name + suffix)
            )
    conn.close()
    return quotes


def spoil_pages(path: Path, first: int, count: int) -> None:
    """Overwrite ``count`` pages from page ``first`` with bytes SQLite cannot parse."""
    with path.open("r+b") as handle:
        handle.seek(first * PAGE)
        handle.write(b"\xa5" * (count * PAGE))


def test_a_damaged_page_is_found_by_the_start_up_check(tmp_path: Path) -> None:
    db = tmp_path / "library.sqlite3"
    fill(db)
    pages = db.stat().st_size // PAGE
    spoil_pages(db, pages // 2, 3)
    # Reading only the header and schema does not notice; the window's check does.
    open_database(db).close()
    with pytest.raises(DamagedLibraryError) as caught:
        open_database(db, check=True)
    assert "damaged" in caught.value.message


def test_an_empty_library_file_is_damage_not_a_new_library(tmp_path: Path) -> None:
    db = tmp_path / "library.sqlite3"
    db.write_bytes(b"")
    with pytest.raises(DamagedLibraryError, match=r"empty \(0 bytes\)"):
        open_database(db)
    assert db.stat().st_size == 0  # left as found, for the caller to move aside


def test_garbage_is_damage(tmp_path: Path) -> None:
    db = tmp_path / "library.sqlite3"
    db.write_bytes(b"not a database at all " * 500)
    with pytest.raises(DamagedLibraryError):
        open_database(db)


def test_set_aside_moves_the_wal_and_shm_too(tmp_path: Path) -> None:
    (tmp_path / "crashed").mkdir()
    db = tmp_path / "crashed" / "library.sqlite3"
    quotes = fill(tmp_path / "library.sqlite3", checkpoint=False, crash_copy=db)
    wal = db.with_name(db.name + "-wal")
    assert wal.stat().st_size > 0
    moved = set_aside(db, WHEN)
    assert moved.name == "library.sqlite3.damaged-20260301-090507"
    assert not db.exists()
    assert not wal.exists()
    assert moved.with_name(moved.name + "-wal").exists()
    # The committed rows that lived only in the WAL came along.
    check = sqlite3.connect(moved)
    assert check.execute("SELECT count(*) FROM highlights").fetchone()[0] == len(quotes)
    check.close()
    # A second damage in the same second gets its own name.
    db.write_bytes(b"")
    assert set_aside(db, WHEN).name == "library.sqlite3.damaged-20260301-090507-2"


def test_recovery_copies_every_readable_row_and_skips_damaged_pages(tmp_path: Path) -> None:
    old = tmp_path / "library.sqlite3"
    quotes = fill(old)
    pages = old.stat().st_size // PAGE
    spoil_pages(old, pages // 2, 4)
    moved = set_aside(old, WHEN)
    before = moved.read_bytes()
    seen: list[str] = []
    report = recover_into(moved, old, progress=seen.append)
    assert moved.read_bytes() == before  # the damaged file is kept exactly as found
    assert "highlights" in seen
    conn = open_database(old, check=True)
    rows = dict(conn.execute("SELECT id, quote FROM highlights").fetchall())
    assert report.copied["books"] == 3
    assert report.copied["highlights"] == len(rows)
    # Most rows came back, each exactly as it was; the damaged pages cost some.
    assert len(quotes) * 0.8 < len(rows) < len(quotes)
    assert all(quotes[hid] == quote for hid, quote in rows.items())
    assert report.unreadable.get("highlights", 0) > 0
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert report.summary().startswith(f"Recovered {report.total:,} rows")
    assert "unreadable parts were skipped" in report.summary()
    conn.close()


def test_recovering_a_sound_library_brings_everything_back_once(tmp_path: Path) -> None:
    source = tmp_path / "old.sqlite3"
    quotes = fill(source)
    target = tmp_path / "library.sqlite3"
    first = recover_into(source, target)
    again = recover_into(source, target)  # pressing Recover twice adds nothing
    conn = open_database(target)
    assert conn.execute("SELECT count(*) FROM highlights").fetchone()[0] == len(quotes)
    assert first.copied["highlights"] == len(quotes)
    assert again.total == 0
    assert first.summary() == (
        f"Recovered {first.total:,} rows from the damaged library (3 books, 3,000 highlights)."
    )
    conn.close()
