"""A damaged library: set it aside, and later copy back whatever SQLite can still read.

Setting aside moves the file *with* its ``-wal`` and ``-shm``: the committed rows of the
last session may live only in the WAL, and a WAL left behind next to a fresh library would
be replayed into it. Recovery reads the old file table by table and row by row, in rowid
order, and steps over the rows and pages SQLite cannot read, so one bad page costs the
rows on it and not the rest of the table.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from reader_app.core.errors import StorageError
from reader_app.storage.db import open_database, transaction

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

SIDE_FILES = ("-wal", "-shm")
# After an unreadable row, skip ahead by 1, 2, 4, … rowids; this many misses in a row
# end the table. Bounded by work, so a ruined table cannot keep recovery going for ever.
MAX_MISSES = 48
# Rows copied per transaction: small enough that the window's own writes wait little.
_BATCH = 500


@dataclass
class RecoveryReport:
    """What came back from a damaged library.

    Attributes:
        copied: rows written into the new library, per table.
        unreadable: rows or ranges SQLite refused to read, per table.
        skipped_tables: tables of the old file that could not be read at all.
    """

    copied: dict[str, int] = field(default_factory=dict)
    unreadable: dict[str, int] = field(default_factory=dict)
    skipped_tables: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Rows copied in all."""
        return sum(self.copied.values())

    def summary(self) -> str:
        """One line for the user."""
        books = self.copied.get("books", 0)
        highlights = self.copied.get("highlights", 0)
        lost = sum(self.unreadable.values()) + len(self.skipped_tables)
        text = (
            f"Recovered {self.total:,} rows from the damaged library"
            f" ({books:,} books, {highlights:,} highlights)"
        )
        return text + (f"; {lost:,} unreadable parts were skipped." if lost else ".")


def set_aside(path: Path, now: datetime) -> Path:
    """Move a damaged library and its ``-wal``/``-shm`` out of the way.

    Args:
        path: the library file.
        now: the time for the new name (``library.sqlite3.damaged-YYYYMMDD-HHMMSS``).

    Returns:
        The new path of the library file.

    Raises:
        StorageError: the files could not be moved.
    """
    stamp = now.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    counter = 1
    while target.exists():
        counter += 1
        target = path.with_name(f"{path.name}.damaged-{stamp}-{counter}")
    try:
        # The side files first: a library moved without its WAL would lose the last
        # session, and a WAL left behind would be replayed into the new library.
        for suffix in SIDE_FILES:
            side = path.with_name(path.name + suffix)
            if side.exists():
                os.replace(side, target.with_name(target.name + suffix))
        if path.exists():
            os.replace(path, target)
    except OSError as error:
        raise StorageError(
            "The damaged library could not be moved aside"
            f" ({error.strerror or type(error).__name__}).",
            "Move library.sqlite3 out of the profile's data folder yourself.",
        ) from error
    return target


def recover_into(
    source: Path,
    database: Path,
    *,
    progress: Callable[[str], None] | None = None,
) -> RecoveryReport:
    """Copy every row SQLite can read from ``source`` into the library at ``database``.

    Works on a copy of ``source`` (with its WAL), so the damaged file stays exactly as it
    was found. Rows whose key is already in the new library are left as they are.

    Args:
        source: the set-aside library file (or a backup).
        database: the current library.
        progress: told the name of each table as it starts.

    Returns:
        What came back.

    Raises:
        StorageError: the current library could not be written.
    """
    report = RecoveryReport()
    with tempfile.TemporaryDirectory(prefix="tone-reader-recover-") as scratch:
        copy = Path(scratch) / "old.sqlite3"
        _copy_with_side_files(source, copy)
        old = sqlite3.connect(copy, isolation_level=None)
        new = open_database(database)
        try:
            # Rows arrive in table order, not in the order of their references; the
            # references are checked once everything is in.
            new.execute("PRAGMA foreign_keys = OFF")
            tables = _tables(new)
            old_tables = _readable_tables(old, report)
            for table in tables:
                if table not in old_tables:
                    continue
                if progress is not None:
                    progress(table)
                _copy_table(old, new, table, report)
            _drop_dangling(new, report)
        finally:
            with contextlib.suppress(sqlite3.Error):
                new.execute("PRAGMA foreign_keys = ON")
            old.close()
            new.close()
    return report


def _copy_with_side_files(source: Path, copy: Path) -> None:
    """Copy ``source`` and its side files to ``copy``.

    Args:
        source: the library file to copy.
        copy: where to put it.

    Raises:
        StorageError: ``source`` could not be read.
    """
    try:
        shutil.copyfile(source, copy)
        for suffix in SIDE_FILES:
            side = source.with_name(source.name + suffix)
            if side.exists():
                shutil.copyfile(side, copy.with_name(copy.name + suffix))
    except OSError as error:
        raise StorageError(
            f"The damaged library could not be read ({error.strerror or type(error).__name__})."
        ) from error


def _tables(conn: sqlite3.Connection) -> list[str]:
    """The new library's tables, in the order they were created (parents first)."""
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " ORDER BY rowid"
    ).fetchall()
    return [str(row[0]) for row in rows]


def _readable_tables(old: sqlite3.Connection, report: RecoveryReport) -> set[str]:
    """The tables the old file's schema names; empty when even the schema is gone."""
    try:
        rows = old.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    except sqlite3.DatabaseError:
        report.skipped_tables.append("sqlite_master")
        return set()
    return {str(row[0]) for row in rows}


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [str(row[1]) for row in conn.execute(f'PRAGMA table_info("{table}")').fetchall()]


def _copy_table(
    old: sqlite3.Connection, new: sqlite3.Connection, table: str, report: RecoveryReport
) -> None:
    """Copy the readable rows of one table, keeping their keys (references use them).

    Args:
        old: the damaged library (a private copy).
        new: the current library.
        table: the table's name, the same in both.
        report: counts are added here.
    """
    try:
        wanted = set(_columns(new, table))
        columns = [c for c in _columns(old, table) if c in wanted]
    except sqlite3.DatabaseError:
        report.skipped_tables.append(table)
        return
    if not columns:
        return
    names = ", ".join(f'"{c}"' for c in columns)
    select = f'SELECT rowid, {names} FROM "{table}" WHERE rowid > ? ORDER BY rowid LIMIT 1'
    # The rowid itself is not copied: where it matters it is a column (INTEGER PRIMARY
    # KEY) and comes along; elsewhere the new library's own rows may already hold it.
    insert = f'INSERT OR IGNORE INTO "{table}" ({names}) VALUES ({", ".join("?" * len(columns))})'

    copied = unreadable = misses = 0
    after = -(2**63)
    step = 1
    batch: list[tuple[object, ...]] = []
    while misses < MAX_MISSES:
        try:
            row = old.execute(select, (after,)).fetchone()
        except sqlite3.DatabaseError:
            # This rowid's page is unreadable: try further on, further each time.
            unreadable += 1
            misses += 1
            after = min(after + step, 2**63 - 2)
            step *= 2
            continue
        if row is None:
            break
        misses, step = 0, 1
        after = int(row[0])
        batch.append(tuple(row)[1:])
        if len(batch) >= _BATCH:
            copied += _write(new, insert, batch)
            batch = []
    copied += _write(new, insert, batch)
    report.copied[table] = copied
    if unreadable:
        report.unreadable[table] = unreadable


def _write(new: sqlite3.Connection, insert: str, rows: list[tuple[object, ...]]) -> int:
    """Insert ``rows``; returns how many were new to the library."""
    if not rows:
        return 0
    with transaction(new) as conn:
        before = conn.total_changes
        conn.executemany(insert, rows)
        return conn.total_changes - before


def _drop_dangling(new: sqlite3.Connection, report: RecoveryReport) -> None:
    """Remove recovered rows that point at rows which did not come back.

    Args:
        new: the current library, with foreign keys off.
        report: copied counts are reduced by what was dropped.
    """
    # A highlight whose book row was on a lost page would break every later delete of
    # its neighbours; dropping it is the price of a library that stays consistent.
    for _round in range(8):  # a drop can leave a grandchild dangling; chains are short
        problems = new.execute("PRAGMA foreign_key_check").fetchall()
        if not problems:
            return
        with transaction(new) as conn:
            for table, rowid, _parent, _fk in problems:
                if rowid is None:
                    continue
                conn.execute(f'DELETE FROM "{table}" WHERE rowid = ?', (rowid,))
                report.copied[table] = max(0, report.copied.get(table, 0) - 1)
