"""One window per profile, and no command writing under an open window.

Two processes writing one library behind each other's back lost committed rows: a window
whose ``-wal`` file had been deleted checkpointed its own view over what a command had just
imported. So the window takes the profile for itself, and commands that write share it
among themselves (SQLite orders their writes) but never with a window:

- ``window.lock``: held exclusively by the window for its whole life, so a second window
  can tell that one is already open;
- ``profile.lock``: exclusive for the window, shared for each writing command.

The locks are ``flock`` locks, which the kernel releases when the process dies, so a crash
never leaves a profile locked. On Windows there is no shared ``flock``; locking is skipped
there and SQLite's own locking is all there is.
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING

from reader_app.core.errors import ReaderError

if TYPE_CHECKING:
    from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

# How long a command waits for a window, or a window for commands, before saying so.
WAIT_SECONDS = 5.0
_POLL_SECONDS = 0.1


class ProfileBusyError(ReaderError):
    """The profile is in use by another Tone Reader process."""


class ProfileLock:
    """A held lock on one file; released by ``release()`` or when the process ends."""

    def __init__(self, path: Path, *, shared: bool) -> None:
        """Describe the lock; nothing is locked until ``acquire()``.

        Args:
            path: the lock file (created if missing; its contents do not matter).
            shared: True for a shared (reader-style) lock, False for an exclusive one.
        """
        self.path = path
        self.shared = shared
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        """Whether this object holds the lock."""
        return self._fd is not None

    def acquire(self, wait: float = 0.0) -> bool:
        """Take the lock, polling for up to ``wait`` seconds.

        Args:
            wait: seconds to keep trying; 0 tries once.

        Returns:
            True when the lock is held (always, where locking is not supported).

        Raises:
            OSError: the lock file cannot be created.
        """
        if fcntl is None or self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        mode = (fcntl.LOCK_SH if self.shared else fcntl.LOCK_EX) | fcntl.LOCK_NB
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, mode)
            except BlockingIOError:
                # A person is waiting at the other end: polling by the clock is right here.
                if time.monotonic() >= deadline:
                    os.close(fd)
                    return False
                time.sleep(_POLL_SECONDS)
                continue
            except OSError:
                os.close(fd)
                raise
            self._fd = fd
            return True

    def release(self) -> None:
        """Let the lock go (closing the file releases the flock)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def lock_for_window(window_lock: Path, profile_lock: Path) -> list[ProfileLock]:
    """Take the profile for a window.

    Args:
        window_lock: ``AppPaths.window_lock_file``.
        profile_lock: ``AppPaths.lock_file``.

    Returns:
        The held locks; keep them for the life of the window.

    Raises:
        ProfileBusyError: another window is open, or a command kept writing for longer
            than ``WAIT_SECONDS``.
    """
    window = ProfileLock(window_lock, shared=False)
    if not _acquire(window, 0.0):
        raise ProfileBusyError("Tone Reader is already open with this profile.")
    profile = ProfileLock(profile_lock, shared=False)
    if not _acquire(profile, WAIT_SECONDS):
        window.release()
        raise ProfileBusyError(
            "A tone-reader command is still writing to this profile.",
            "Try again when it has finished.",
        )
    return [window, profile]


def lock_for_command(profile_lock: Path, wait: float = WAIT_SECONDS) -> ProfileLock:
    """Take the profile for a command that writes to the library.

    Args:
        profile_lock: ``AppPaths.lock_file``.
        wait: seconds to wait for an open window to close.

    Returns:
        The held (shared) lock.

    Raises:
        ProfileBusyError: a window kept the profile for longer than ``wait``.
    """
    lock = ProfileLock(profile_lock, shared=True)
    if not _acquire(lock, wait):
        raise ProfileBusyError(
            "Tone Reader is open with this profile, so this command would not be safe.",
            "Close the window and try again.",
        )
    return lock


def _acquire(lock: ProfileLock, wait: float) -> bool:
    """``lock.acquire``, with an unusable lock file read as "cannot tell, go on".

    Args:
        lock: the lock to take.
        wait: seconds to wait.

    Returns:
        False only when another process holds the lock.
    """
    try:
        return lock.acquire(wait)
    except OSError:
        # A folder that refuses the lock file refuses the library too, and that error
        # says more; do not hide it behind a locking message.
        return True
