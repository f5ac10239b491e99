"""Expected errors: conditions a user can understand and act on.

Everything else is a bug and goes to the crash handler.
"""

from __future__ import annotations


class ReaderError(Exception):
    """An expected failure with a one-line message for the user.

    Attributes:
        message: one line, no traceback, safe to show.
        hint: an optional second sentence saying what to do.
    """

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()


class BookError(ReaderError):
    """A book could not be opened: missing, unreadable, broken or hostile."""


class UnsafeBookError(BookError):
    """A book was refused for safety (a zip bomb, entity declarations, escaping paths).

    Unlike a merely damaged chapter, this refuses the whole book.
    """


class StorageError(ReaderError):
    """The library database could not be read or written."""


class SettingsError(ReaderError):
    """The settings file could not be read or written."""
