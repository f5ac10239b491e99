"""The checks before a command that uses the profile (library, settings) runs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reader_app.cli.common import note

if TYPE_CHECKING:
    from collections.abc import Sequence

    from reader_app.config.paths import AppPaths
    from reader_app.config.profile_lock import ProfileLock


def writes_library(command: str, argv: Sequence[str]) -> bool:
    """Whether a profile command may write to the library (and so needs the profile lock).

    Args:
        command: the subcommand.
        argv: its arguments.

    Returns:
        True for import, eval (it saves runs), analyze --save, examples add and import,
        and glossary --define (it stores definitions).
        ``key`` writes to the system keyring, not the profile, so it needs no lock.
    """
    if command in ("import", "eval"):
        return True
    if command == "analyze":
        return "--save" in argv
    if command == "examples":
        return bool(argv) and argv[0] in ("add", "import")
    if command == "glossary":
        return "--define" in argv
    return False


def prepare_profile(paths: AppPaths, command: str, argv: Sequence[str]) -> ProfileLock | None:
    """Checks before a profile command runs: the lock, the settings file, the library.

    Args:
        paths: the profile.
        command: the subcommand.
        argv: its arguments.

    Returns:
        The held lock (kept alive until the command ends), or None.

    Raises:
        ReaderError: the profile is in use by a window, or the library is damaged.
    """
    from reader_app.config.profile_lock import lock_for_command
    from reader_app.config.settings import load_settings
    from reader_app.storage.db import DamagedLibraryError, open_database

    lock = lock_for_command(paths.lock_file) if writes_library(command, argv) else None
    # A broken settings file is set aside here, once, and said so; the command then
    # reads the defaults without a second warning.
    _settings, warning = load_settings(paths.settings_file)
    if warning:
        note(warning)
    if paths.database.exists():
        try:
            open_database(paths.database).close()
        except DamagedLibraryError as exc:
            raise DamagedLibraryError(
                f"{exc.message} Open Tone Reader's window to set it aside and recover"
                " what can be read."
            ) from exc
    return lock
