"""What the window checks before it shows anything: the library's health and the last open.

Qt-free, so the command line can share the wording and tests can call it directly.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from reader_app.storage.backup import backups
from reader_app.storage.db import DamagedLibraryError, open_database
from reader_app.storage.recover import set_aside

if TYPE_CHECKING:
    import sqlite3
    from pathlib import Path

    from reader_app.config.paths import AppPaths

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DamagedLibrary:
    """A library that was found damaged at start and moved aside.

    Attributes:
        moved_to: where the damaged file (and its -wal, -shm) went.
        recover_from: what a "Recover…" can read rows from: the damaged file, or the
            newest backup when the file was empty; None when there is nothing to read.
        empty: whether the damaged file had 0 bytes.
    """

    moved_to: Path
    recover_from: Path | None
    empty: bool

    def message(self) -> str:
        """One line for the banner."""
        what = "was empty" if self.empty else "was damaged"
        text = (
            f"The library file {what}, so it was moved aside as {self.moved_to.name}"
            " and a new library was started."
        )
        if self.recover_from is None:
            return text
        source = "the latest backup" if self.empty else "it"
        return f"{text} Press Recover to copy back what can be read from {source}."


def open_library(paths: AppPaths) -> tuple[sqlite3.Connection, DamagedLibrary | None]:
    """Open the library for the window; a damaged one is moved aside and a new one made.

    Args:
        paths: the profile.

    Returns:
        The connection, and what was done about damage (None when the library was sound).

    Raises:
        StorageError: the library cannot be opened for another reason (read-only, disk
            full, made by a newer version), or the damaged file cannot be moved.
    """
    try:
        return open_database(paths.database, check=True), None
    except DamagedLibraryError as exc:
        log.error("Damaged library %s: %s", paths.database, exc)
        empty = paths.database.exists() and paths.database.stat().st_size == 0
        moved = set_aside(paths.database, datetime.now())
        newest = backups(paths.backups_dir)
        source = (newest[0] if newest else None) if empty else moved
        return open_database(paths.database), DamagedLibrary(moved, source, empty)


def crash_note(file_name: str) -> str:
    """The banner after a start that skipped the book whose open never finished."""
    return f"Tone Reader closed while opening “{file_name}” last time, so it was not reopened."
