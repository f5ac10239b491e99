"""The library database: opening it, migrating it, and one transaction per user action.

Connections run with ``isolation_level=None`` so that the sqlite3 module never opens or
commits transactions behind our back; ``transaction()`` says exactly where one begins and
ends. Schema changes are numbered steps recorded in ``PRAGMA user_version``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TypeAlias

from reader_app.core.errors import StorageError
from reader_app.storage.migrations import STEPS

if TYPE_CHECKING:
    from collections.abc import Iterator

MEMORY = ":memory:"

# Repositories take a clock instead of calling datetime.now(), so tests control the time.
Clock: TypeAlias = Callable[[], datetime]
Migration: TypeAlias = Callable[[sqlite3.Connection], None]

_NEWER_HINT = "Update Tone Reader, or open it with another --profile-dir."
# Below this, a failure to open is put down to the full disk rather than to the file.
_MIN_FREE_BYTES = 256 * 1024
_DAMAGED_HINT = "Restore library.sqlite3 from a backup, or start afresh with another --profile-dir."


def system_clock() -> datetime:
    """The current time in UTC: the ``Clock`` used outside tests.

    Returns:
        An aware datetime in UTC.
    """
    return datetime.now(UTC)


def format_timestamp(moment: datetime) -> str:
    """Format a time the way the database stores it: UTC ISO-8601 with a ``Z``.

    Milliseconds are kept so that "most recently opened" sorts correctly for books opened
    within the same second; the fixed width keeps text order equal to time order.

    Args:
        moment: an aware datetime.

    Returns:
        For example ``2024-05-01T12:30:00.250Z``.

    Raises:
        ValueError: ``moment`` is naive, so its time zone is unknown.
    """
    if moment.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


# Append only. A released step is never edited: users' databases already ran it.
MIGRATIONS: list[Migration] = list(STEPS)

SCHEMA_VERSION = len(MIGRATIONS)


class DamagedLibraryError(StorageError):
    """The library file is damaged (or empty where a library was expected)."""


def open_database(
    path: Path | str, *, read_only: bool = False, check: bool = False
) -> sqlite3.Connection:
    """Open (creating if needed) the library and bring its schema up to date.

    Args:
        path: the database file, or ``":memory:"`` for a private in-memory library.
        read_only: open without write access, for example to inspect a library that
            another copy of the app is using. Any write then fails with a StorageError.
        check: also run SQLite's quick check over every page. The window does this once
            at start (about 40 ms for a 40 MB library), so damage is found there rather
            than by a crash in the middle of reading.

    Returns:
        A connection in autocommit mode (use ``transaction()`` to write), with rows as
        ``sqlite3.Row``.

    Raises:
        DamagedLibraryError: the file is damaged, is not a library, or is empty.
        StorageError: the file cannot be opened, or was made by a newer version of Tone
            Reader.
    """
    in_memory = str(path) == MEMORY
    if not in_memory and _empty_file(Path(path)):
        # SQLite would take an empty file for a new library; ours always has a header
        # from its first moment, so an empty one was truncated and the books are gone.
        raise DamagedLibraryError("The library file is empty (0 bytes).", _DAMAGED_HINT)
    try:
        if in_memory:
            conn = sqlite3.connect(MEMORY, isolation_level=None)
        elif read_only:
            uri = Path(path).resolve().as_uri() + "?mode=ro"
            conn = sqlite3.connect(uri, isolation_level=None, uri=True)
        else:
            conn = sqlite3.connect(str(path), isolation_level=None)
    except sqlite3.Error as error:
        raise StorageError(
            "The library could not be opened.", "Check that its folder exists and is writable."
        ) from error
    try:
        _configure(conn, wal=not in_memory and not read_only)
        _check_schema(conn, full=check)
        _migrate(conn, read_only=read_only)
    except StorageError as error:
        conn.close()
        if not isinstance(error.__cause__, sqlite3.Error) or in_memory:
            raise  # a newer library, say: its own message is the right one
        # SQLite only says "unable to open" when it cannot create the -wal and -shm files
        # next to the library; a read-only folder or disk is the usual cause, so say so.
        if not read_only and not _writable(Path(path)):
            raise StorageError(
                "The library is read-only, so it cannot be opened for changes.",
                "Check the permissions of the library folder, or use another --profile-dir.",
            ) from error
        if _disk_full(Path(path)):
            # Opening writes the -shm index; on a full disk that fails with SQLITE_FULL or
            # an I/O error, which must not read as a damaged library to be restored.
            raise StorageError(
                "The disk is full, so the library cannot be opened.", "Free some space."
            ) from error
        raise
    except BaseException:
        conn.close()
        raise
    return conn


def _empty_file(path: Path) -> bool:
    """Whether ``path`` is an existing 0-byte file with no write-ahead log beside it.

    Args:
        path: the database file.

    Returns:
        True for a library emptied outside SQLite (a WAL with content still holds one).
    """
    try:
        if path.stat().st_size != 0:
            return False
    except OSError:
        return False
    wal = path.with_name(path.name + "-wal")
    try:
        return wal.stat().st_size == 0
    except OSError:
        return True


def _check_schema(conn: sqlite3.Connection, *, full: bool) -> None:
    """Read the schema (and, with ``full``, every page) to find damage now.

    Args:
        conn: a configured connection.
        full: run ``PRAGMA quick_check`` too.

    Raises:
        DamagedLibraryError: SQLite found damage.
    """
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        if full:
            row = conn.execute("PRAGMA quick_check(1)").fetchone()
            if row is None or row[0] != "ok":
                raise DamagedLibraryError("The library file is damaged.", _DAMAGED_HINT)
    except sqlite3.DatabaseError as error:
        raise _open_error(error) from error


def _writable(path: Path) -> bool:
    """Whether the library file and its folder can be written (os.access sees EROFS too).

    Args:
        path: the database file.

    Returns:
        False when the folder, or the existing file, refuses writing.
    """
    if path.parent.is_dir() and not os.access(path.parent, os.W_OK):
        return False
    return not path.exists() or os.access(path, os.W_OK)


def _disk_full(path: Path) -> bool:
    """Whether the disk holding the library has (almost) no room left.

    Args:
        path: the database file.

    Returns:
        True when less than the space a few pages and the -shm index need is free.
    """
    try:
        return shutil.disk_usage(path.parent).free < _MIN_FREE_BYTES
    except OSError:
        return False


def _configure(conn: sqlite3.Connection, *, wal: bool) -> None:
    """Apply the per-connection pragmas.

    Args:
        conn: a fresh connection.
        wal: whether to switch the file to write-ahead logging.

    Raises:
        StorageError: the file is not a SQLite database, or is damaged.
    """
    conn.row_factory = sqlite3.Row
    try:
        # The first statement that reads the header is where a non-database file shows.
        conn.execute("PRAGMA user_version").fetchone()
        # Wait rather than fail at once when a second window is writing.
        conn.execute("PRAGMA busy_timeout = 5000")
        if wal:
            # WAL lets the reader view keep reading while a highlight is saved, and with
            # synchronous=NORMAL a power cut can lose the last commit but never corrupt.
            conn.execute("PRAGMA journal_mode = WAL").fetchone()
        conn.execute("PRAGMA synchronous = NORMAL")
        # Off by default in SQLite, and a no-op inside a transaction, so set it here.
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.DatabaseError as error:
        raise _open_error(error) from error


def _migrate(conn: sqlite3.Connection, *, read_only: bool) -> None:
    """Run the migration steps this database has not had yet, each in its own transaction.

    Args:
        conn: a configured connection.
        read_only: whether the connection can write at all.

    Raises:
        StorageError: the database is newer than this app, or needs an upgrade that
            cannot be written.
    """
    version = _user_version(conn)
    if version > SCHEMA_VERSION:
        raise StorageError("This library was made by a newer version of Tone Reader.", _NEWER_HINT)
    if version < SCHEMA_VERSION and read_only:
        raise StorageError(
            "This library needs an upgrade, but it was opened read-only.",
            "Open it once with write access.",
        )
    for number, step in enumerate(MIGRATIONS, start=1):
        if number <= version:
            continue
        with transaction(conn):
            # Re-read under the write lock: another process may have migrated meanwhile.
            if _user_version(conn) >= number:
                continue
            step(conn)
            # user_version lives in the file header and is part of this transaction, so a
            # crash leaves the database either fully at the old step or fully at the new.
            conn.execute(f"PRAGMA user_version = {number:d}")


def _user_version(conn: sqlite3.Connection) -> int:
    """Read ``PRAGMA user_version``.

    Args:
        conn: an open connection.

    Returns:
        The schema version stored in the file (0 for a new file).

    Raises:
        StorageError: the file cannot be read as a database.
    """
    try:
        row = conn.execute("PRAGMA user_version").fetchone()
    except sqlite3.DatabaseError as error:
        raise _open_error(error) from error
    return int(row[0])


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Run the block as one transaction: all of it is saved, or none of it.

    ``BEGIN IMMEDIATE`` takes the write lock at the start, so two windows cannot both read
    and then fail to upgrade to writing halfway through. Nested use becomes a savepoint,
    so a repository method can call another one inside a caller's transaction.

    Args:
        conn: a connection from ``open_database()``.

    Yields:
        The same connection.

    Raises:
        StorageError: SQLite refused (disk full, read-only, locked, damaged file, a
            constraint). Everything the block did is rolled back first. Programming
            errors (``sqlite3.ProgrammingError``) and other exceptions are re-raised as
            they are, after the rollback.
    """
    nested = conn.in_transaction
    begin, commit, rollback = (
        ("SAVEPOINT nested", "RELEASE nested", "ROLLBACK TO nested; RELEASE nested")
        if nested
        else ("BEGIN IMMEDIATE", "COMMIT", "ROLLBACK")
    )
    try:
        conn.execute(begin)
    except sqlite3.DatabaseError as error:
        _reraise_as_storage_error(error)
    try:
        yield conn
        conn.execute(commit)
    except BaseException as error:
        _rollback(conn, rollback)
        if isinstance(error, sqlite3.DatabaseError):
            _reraise_as_storage_error(error)
        raise


def _rollback(conn: sqlite3.Connection, statements: str) -> None:
    """Undo the current transaction or savepoint, if SQLite has not already done so.

    Args:
        conn: the connection.
        statements: the rollback statement(s), separated by "; ".
    """
    # After SQLITE_FULL and a few other errors SQLite has already rolled back on its own,
    # and a second ROLLBACK would raise and hide the original error.
    if not conn.in_transaction:
        return
    with contextlib.suppress(sqlite3.Error):
        for statement in statements.split("; "):
            conn.execute(statement)


def _reraise_as_storage_error(error: sqlite3.DatabaseError) -> NoReturn:
    """Raise ``error`` as a StorageError, unless it is a bug in our SQL.

    Args:
        error: what SQLite raised.

    Raises:
        StorageError: for conditions of the disk or the file.
        sqlite3.ProgrammingError: unchanged; a bad statement is a bug for the crash handler.
    """
    if isinstance(error, sqlite3.ProgrammingError):
        raise error
    raise _write_error(error) from error


def _primary_code(error: sqlite3.Error) -> int:
    """SQLite's primary result code for ``error`` (extended codes keep it in the low byte).

    Args:
        error: a sqlite3 exception.

    Returns:
        The code, or -1 when the exception carries none.
    """
    code = getattr(error, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else -1


def _write_error(error: sqlite3.Error) -> StorageError:
    """A one-line message for a failed write.

    Args:
        error: what SQLite raised.

    Returns:
        The StorageError to raise.
    """
    code = _primary_code(error)
    if code == sqlite3.SQLITE_FULL:
        return StorageError("The disk is full, so the change was not saved.", "Free some space.")
    if code == sqlite3.SQLITE_READONLY:
        return StorageError(
            "The library is read-only, so the change was not saved.",
            "Check the permissions of the library folder.",
        )
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return StorageError(
            "The library is busy in another window, so the change was not saved.",
            "Try again in a moment.",
        )
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return StorageError(
            "The library file is damaged, so the change was not saved.", _DAMAGED_HINT
        )
    return StorageError("The library could not be updated, so the change was not saved.")


def _open_error(error: sqlite3.DatabaseError) -> StorageError:
    """A one-line message for a library that cannot be opened.

    Args:
        error: what SQLite raised while reading the file.

    Returns:
        The StorageError to raise.
    """
    code = _primary_code(error)
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return DamagedLibraryError(
            "The library file is damaged or is not a Tone Reader library.", _DAMAGED_HINT
        )
    if code == sqlite3.SQLITE_CANTOPEN:
        return StorageError(
            "The library could not be opened.", "Check that its folder exists and is readable."
        )
    return StorageError("The library could not be read.", _DAMAGED_HINT)
