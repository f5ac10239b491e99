"""A mark in the profile while a book is being opened, so a crash does not repeat.

A hostile book that crashes or hangs the window while it is being opened is also the last
book read, so without this every later start would open it and crash again. The mark is
written before the open begins and removed once the book is on screen (or refused with a
message); a mark found at start means the last open never finished.
"""

from __future__ import annotations

import contextlib
import json
from typing import TYPE_CHECKING

from reader_app.core.atomic import atomic_write_bytes

if TYPE_CHECKING:
    from pathlib import Path

# A mark is a few hundred bytes; anything bigger was not written by us.
_MAX_BYTES = 64 * 1024


def set_mark(mark: Path, book: str) -> None:
    """Record that ``book`` is being opened.

    Args:
        mark: ``AppPaths.opening_mark``.
        book: the path being opened.
    """
    data = json.dumps({"path": book}, ensure_ascii=False).encode("utf-8")
    # Written atomically: a crash mid-write must leave either no mark or a whole one.
    # Best effort: a full disk must not stop the book from opening. Not fsynced: it guards
    # against the process dying mid-open, and the page cache outlives the process; the
    # write happens on the GUI thread, where an fsync stalled the window.
    with contextlib.suppress(OSError):
        atomic_write_bytes(mark, data, durable=False)


def clear_mark(mark: Path) -> None:
    """The open finished (shown or refused): forget the mark.

    Args:
        mark: ``AppPaths.opening_mark``.
    """
    with contextlib.suppress(OSError):
        mark.unlink(missing_ok=True)


def read_mark(mark: Path) -> str | None:
    """The book whose open never finished, if any.

    Args:
        mark: ``AppPaths.opening_mark``.

    Returns:
        Its path; "" when a mark is there but unreadable; None when there is no mark.
    """
    try:
        with mark.open("rb") as handle:
            raw = handle.read(_MAX_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError:
        return ""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return ""
    path = data.get("path") if isinstance(data, dict) else None
    return path if isinstance(path, str) else ""
