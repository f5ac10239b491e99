"""The exit codes of ``tone-reader`` (DESIGN.md §9); scripts rely on them, so they never change."""

from __future__ import annotations

EXIT_OK = 0
"""Done."""
EXIT_FAILURE = 1
"""An API or analysis failure, or the library could not be read or written."""
EXIT_BAD_INPUT = 2
"""Bad input: a bad file, bad arguments, a profile in use or a damaged library."""
EXIT_NO_KEY = 3
"""No API key, or no keyring to keep one in."""
EXIT_INTERRUPTED = 130
"""Ctrl+C, as a shell reports a process ended by SIGINT (128 + 2)."""
