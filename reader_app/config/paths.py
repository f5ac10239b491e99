"""Where Tone Reader keeps its files.

``AppPaths`` is computed once at start-up and passed to everything that touches the disk,
so that ``--profile-dir`` (or ``TONE_READER_HOME``) can move *all* of it, and tests never
write into the real home directory.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

from reader_app.core.errors import SettingsError

if TYPE_CHECKING:
    from collections.abc import Mapping

APP_NAME = "tone-reader"
HOME_ENV_VAR = "TONE_READER_HOME"

_DIR_MODE = 0o700


@dataclass(frozen=True)
class AppPaths:
    """The four directories the app writes to, and the well-known files inside them.

    Attributes:
        config_dir: settings.
        data_dir: the library database.
        cache_dir: anything that can be rebuilt.
        log_dir: the rotating log.
    """

    config_dir: Path
    data_dir: Path
    cache_dir: Path
    log_dir: Path

    @property
    def database(self) -> Path:
        """The SQLite library: books, positions and highlights."""
        return self.data_dir / "library.sqlite3"

    @property
    def settings_file(self) -> Path:
        """The JSON settings file."""
        return self.config_dir / "settings.json"

    @property
    def backups_dir(self) -> Path:
        """The rotating daily copies of the library."""
        return self.data_dir / "backups"

    @property
    def lock_file(self) -> Path:
        """Locked by every process that writes to the library (see ``profile_lock``)."""
        return self.data_dir / "profile.lock"

    @property
    def window_lock_file(self) -> Path:
        """Locked by the one window that may use this profile."""
        return self.data_dir / "window.lock"

    @property
    def opening_mark(self) -> Path:
        """Present while a book is being opened; left behind by a crash during an open."""
        return self.data_dir / "opening-book.json"

    @property
    def qt_settings_file(self) -> Path:
        """Where Qt keeps its own state (file dialogs), instead of the user's home."""
        return self.config_dir / "qt.ini"

    @property
    def log_file(self) -> Path:
        """The current log file; rotated copies sit next to it."""
        return self.log_dir / "tone-reader.log"

    @classmethod
    def default(cls) -> AppPaths:
        """The platform's per-user directories (XDG on Linux, Library on macOS, AppData on Windows).

        Returns:
            Paths from platformdirs, without the vendor folder Windows would otherwise add.
        """
        dirs = platformdirs.PlatformDirs(APP_NAME, appauthor=False)
        return cls(
            config_dir=dirs.user_config_path,
            data_dir=dirs.user_data_path,
            cache_dir=dirs.user_cache_path,
            log_dir=dirs.user_log_path,
        )

    @classmethod
    def for_profile(cls, root: Path) -> AppPaths:
        """Everything under one directory, for ``--profile-dir``, scripts and tests.

        Args:
            root: the profile directory. It need not exist yet.

        Returns:
            Paths ``root/config``, ``root/data``, ``root/cache`` and ``root/logs``.
        """
        return cls(
            config_dir=root / "config",
            data_dir=root / "data",
            cache_dir=root / "cache",
            log_dir=root / "logs",
        )

    @classmethod
    def resolve(cls, profile_dir: str | None, environ: Mapping[str, str]) -> AppPaths:
        """Pick the paths the way the command line documents it.

        The ``--profile-dir`` flag wins over the ``TONE_READER_HOME`` environment variable,
        which wins over the platform default. An empty value counts as unset, because
        ``TONE_READER_HOME= tone-reader`` is a common way to switch a variable off.

        Args:
            profile_dir: the ``--profile-dir`` value, or None when the flag was not given.
            environ: the environment (passed in, so tests need not patch ``os.environ``).

        Returns:
            The resolved paths. Nothing is created; call ``ensure()`` for that.
        """
        chosen = profile_dir or environ.get(HOME_ENV_VAR, "")
        if chosen:
            # Absolute now, so a later chdir (file dialogs do that on some platforms)
            # cannot move the profile.
            return cls.for_profile(Path(chosen).expanduser().absolute())
        return cls.default()

    def ensure(self) -> None:
        """Create the directories that are missing, private to the user.

        Raises:
            SettingsError: a directory cannot be created or written, for example because
                the location is read-only or a file is in the way.
        """
        for directory in (self.config_dir, self.data_dir, self.cache_dir, self.log_dir):
            _ensure_dir(directory)


def _ensure_dir(directory: Path) -> None:
    """Create ``directory`` (and missing parents) with mode 0o700, or explain why not.

    Args:
        directory: the directory that must exist and be writable.

    Raises:
        SettingsError: with a one-line message naming the directory.
    """
    hint = "Choose another folder with --profile-dir, or check the folder's permissions."
    try:
        # An existing directory keeps its mode: the user may have chosen to share it.
        directory.mkdir(mode=_DIR_MODE, parents=True, exist_ok=True)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise SettingsError(
            f"Tone Reader could not create the folder {directory} ({reason}).", hint
        ) from error
    # mkdir(exist_ok=True) succeeds on an existing read-only directory; find out now rather
    # than when the first save fails.
    if not _is_writable(directory):
        raise SettingsError(f"Tone Reader cannot write to the folder {directory}.", hint)


def _is_writable(directory: Path) -> bool:
    """Whether a file can be created in ``directory``.

    Args:
        directory: an existing directory.

    Returns:
        True if a probe file could be created and removed.
    """
    # os.access() lies on network shares and for root, so really try it. The name is unique
    # to this call: with one shared name, parallel runs removed each other's probe.
    try:
        fd, name = tempfile.mkstemp(dir=directory, prefix=".tone-reader-write-test-")
    except OSError:
        return False
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(name)
    return True
