"""Write a file so that readers see either the old bytes or the new ones, never half.

Settings, example files and exports all use it. It raises plain ``OSError`` and leaves the
wording of the user's message to the caller, who knows what was being saved.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


def atomic_write_bytes(
    path: Path, data: bytes, mode: int | None = None, *, durable: bool = True
) -> None:
    """Replace ``path`` with ``data`` atomically.

    The bytes go to a temporary file in the same directory (``os.replace`` is only atomic
    within one file system), are flushed and fsynced, and then the temporary file is
    renamed over ``path``. On any failure the temporary file is removed and ``path`` is
    left as it was.

    Args:
        path: the file to create or replace. Its directory must exist.
        data: the complete new contents.
        mode: the new file's permissions; by default mkstemp's private 0600.
        durable: fsync the data and the rename, so the file survives a power loss. A
            marker that only has to outlive the process (a crash) can skip it: an fsync
            can take tens of milliseconds, too long for the GUI thread.

    Raises:
        OSError: the directory is missing or read-only, the disk is full, and so on.
    """
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            # Without fsync a crash right after the rename can leave an empty file on ext4
            # and friends: the rename reaches the disk before the data does.
            if durable:
                os.fsync(handle.fileno())
        # mkstemp creates 0o600, right for settings; a file meant to be shared says so.
        if mode is not None:
            os.chmod(tmp_name, mode)
        os.replace(tmp_name, path)
    except BaseException:
        # BaseException, so that Ctrl+C in the middle does not leave a stray temp file.
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    if durable:
        _fsync_directory(path.parent)


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable, where the platform allows it.

    Args:
        directory: the directory that holds the replaced file.
    """
    # Windows cannot open a directory, and some file systems refuse fsync on one. The
    # new contents are already in place at this point, so this is best effort only.
    if os.name != "posix":
        return
    try:
        dir_fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
