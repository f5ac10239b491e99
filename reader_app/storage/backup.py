"""Daily copies of the library, the last seven kept, made with SQLite's online backup.

The backup API copies a consistent snapshot page by page while the window keeps reading
and writing (WAL readers never block the writer). A copy is checked before it is kept, so
a damaged library never pushes a good copy out of the rotation.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from typing import TYPE_CHECKING

from reader_app.core.errors import StorageError

if TYPE_CHECKING:
    import threading
    from datetime import datetime
    from pathlib import Path

KEEP = 7
PREFIX = "library-"
SUFFIX = ".sqlite3"
_NAME = re.compile(r"^library-(\d{4}-\d{2}-\d{2})\.sqlite3$")
# Pages per backup step: the stop flag is looked at between steps.
_PAGES_PER_STEP = 256


class BackupStopped(Exception):
    """The app is quitting; the partial copy was removed."""


def backups(folder: Path) -> list[Path]:
    """The kept copies, newest first.

    Args:
        folder: ``AppPaths.backups_dir``.

    Returns:
        The files named ``library-YYYY-MM-DD.sqlite3``.
    """
    try:
        names = [p for p in folder.iterdir() if _NAME.match(p.name)]
    except OSError:
        return []
    return sorted(names, key=lambda p: p.name, reverse=True)


def backup_due(folder: Path, now: datetime) -> bool:
    """Whether today's copy is still to be made.

    Args:
        folder: ``AppPaths.backups_dir``.
        now: the current (local) time.

    Returns:
        True when no copy is dated today.
    """
    return not (folder / f"{PREFIX}{now:%Y-%m-%d}{SUFFIX}").exists()


def make_backup(
    database: Path,
    folder: Path,
    now: datetime,
    *,
    keep: int = KEEP,
    stop: threading.Event | None = None,
) -> Path:
    """Copy the library to ``folder/library-YYYY-MM-DD.sqlite3`` and drop the oldest.

    Args:
        database: the library file.
        folder: ``AppPaths.backups_dir`` (created if missing).
        now: the date of the copy.
        keep: how many copies to keep.
        stop: when set, the copy stops between steps (raising BackupStopped).

    Returns:
        The new copy.

    Raises:
        StorageError: the copy could not be made, or the library is damaged.
        BackupStopped: ``stop`` was set.
    """
    target = folder / f"{PREFIX}{now:%Y-%m-%d}{SUFFIX}"
    partial = folder / f".{target.name}.partial"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        partial.unlink(missing_ok=True)
    except OSError as error:
        raise StorageError(
            f"The library could not be backed up ({error.strerror or type(error).__name__})."
        ) from error

    def step(_status: int, _remaining: int, _total: int) -> None:
        if stop is not None and stop.is_set():
            # Raising from the progress callback ends sqlite3's backup loop.
            raise BackupStopped

    source = sqlite3.connect(database, isolation_level=None)
    dest = sqlite3.connect(partial, isolation_level=None)
    try:
        source.backup(dest, pages=_PAGES_PER_STEP, progress=step)
        row = dest.execute("PRAGMA quick_check(1)").fetchone()
        if row is None or row[0] != "ok":
            raise StorageError("The library has damaged parts, so it was not backed up.")
    except sqlite3.Error as error:
        _remove(partial, dest)
        raise StorageError("The library could not be backed up.") from error
    except BaseException:
        _remove(partial, dest)
        raise
    finally:
        source.close()
    dest.close()
    try:
        os.replace(partial, target)
    except OSError as error:
        _remove(partial, None)
        raise StorageError(
            f"The library could not be backed up ({error.strerror or type(error).__name__})."
        ) from error
    prune(folder, keep)
    return target


def prune(folder: Path, keep: int = KEEP) -> list[Path]:
    """Delete all but the ``keep`` newest copies.

    Args:
        folder: ``AppPaths.backups_dir``.
        keep: how many to keep.

    Returns:
        The deleted files.
    """
    removed = []
    for old in backups(folder)[keep:]:
        with contextlib.suppress(OSError):
            old.unlink()
            removed.append(old)
    return removed


def _remove(partial: Path, conn: sqlite3.Connection | None) -> None:
    if conn is not None:
        conn.close()
    with contextlib.suppress(OSError):
        partial.unlink()
