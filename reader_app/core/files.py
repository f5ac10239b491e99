"""Reading a file the user named, safely: regular files only, and never more than a limit.

A path can name a FIFO, a device or a ``/proc`` file. Reading one of those blocks for ever
or never ends, so every file the user names (books, annotation files, eval sets, example
files) is opened without blocking and checked on the open descriptor itself, which also
closes the gap between checking a path and reading it.
"""

from __future__ import annotations

import os
import stat
from typing import TYPE_CHECKING

from reader_app.core.errors import ReaderError

if TYPE_CHECKING:
    from pathlib import Path

_CHUNK = 1 << 20


def open_regular(path: Path, error: type[ReaderError] = ReaderError) -> int:
    """Open ``path`` for reading if it is a regular file; returns the descriptor.

    Args:
        path: the file.
        error: the error class to raise, so callers keep their own kind of failure.

    Raises:
        ReaderError: (of class ``error``) missing, a folder, not a regular file, or unreadable.
    """
    name = path.name or str(path)
    try:
        # O_NONBLOCK: opening a FIFO with no writer would otherwise wait for one.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError as exc:
        raise error(f"“{path}” does not exist.") from exc
    except PermissionError as exc:
        raise error(f"“{name}” cannot be read: permission denied.") from exc
    except IsADirectoryError as exc:
        raise error(f"“{name}” is a folder, not a file.") from exc
    except OSError as exc:
        raise error(f"“{name}” could not be read: {exc.strerror or exc}.") from exc
    info = os.fstat(fd)
    if stat.S_ISDIR(info.st_mode):
        os.close(fd)
        raise error(f"“{name}” is a folder, not a file.")
    if not stat.S_ISREG(info.st_mode) or _is_proc(path):
        os.close(fd)
        raise error(f"“{name}” is not a regular file (a pipe, a device or a system file).")
    if hasattr(os, "set_blocking"):
        os.set_blocking(fd, True)
    return fd


def read_regular(
    path: Path, limit: int, error: type[ReaderError] = ReaderError, *, what: str = "file"
) -> bytes:
    """Read a regular file whole, refusing it if it is larger than ``limit`` bytes.

    Args:
        path: the file.
        limit: the largest size accepted, in bytes.
        error: the error class to raise.
        what: what the file is, for the message ("book", "annotations file").

    Raises:
        ReaderError: (of class ``error``) as for :func:`open_regular`, or too large.
    """
    fd = open_regular(path, error)
    try:
        size = os.fstat(fd).st_size
        if size > limit:
            raise error(_too_large(path, what, limit))
        chunks: list[bytes] = []
        total = 0
        # Read in chunks up to the limit: the size on disk can change while we read.
        while chunk := os.read(fd, _CHUNK):
            total += len(chunk)
            if total > limit:
                raise error(_too_large(path, what, limit))
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise error(f"“{path.name}” could not be read: {exc.strerror or exc}.") from exc
    finally:
        os.close(fd)


def _is_proc(path: Path) -> bool:
    # /proc and /sys files report themselves as regular, with a size of 0 or 4096.
    resolved = str(path.resolve())
    return resolved.startswith(("/proc/", "/sys/"))


def _too_large(path: Path, what: str, limit: int) -> str:
    return f"“{path.name}” is larger than {_megabytes(limit)}; it is too large for a {what}."


def _megabytes(size: int) -> str:
    return f"{size / (1 << 20):.0f} MB" if size >= 1 << 20 else f"{size // 1024} KB"
