"""What every ``tone-reader`` command shares: its parser, its error line, its options.

Errors are one line on stderr, ``tone-reader: what went wrong``, never a traceback
(DESIGN.md §9). A command says it with ``return fail(message, code)``: ``fail`` prints the
line and returns the exit code, and the command returns that code to ``main``. Nothing
here raises ``SystemExit`` except argparse, for bad arguments and ``--help``.

Like the rest of the command line, this module imports nothing heavy at import time.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import TYPE_CHECKING, Any, NoReturn

from reader_app.cli.exit_codes import EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_NO_KEY

if TYPE_CHECKING:
    import sqlite3

    from reader_app.ai.client import ClaudeToneAnalyzer
    from reader_app.ai.errors import AiError
    from reader_app.storage.examples import ExampleRepository

PROG = "tone-reader"


class Parser(argparse.ArgumentParser):
    """argparse, but errors are one line and exit with the bad-input code.

    Sub-parsers (``key set``, ``examples add``) are built with their parent's class, so
    their errors are one line too.
    """

    def error(self, message: str) -> NoReturn:
        """Print ``PROG: error: MESSAGE`` on stderr and exit with the bad-input code."""
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def command_parser(command: str, description: str, *, epilog: str | None = None) -> Parser:
    """The parser of one command, named ``tone-reader COMMAND`` in its help and errors.

    Args:
        command: the subcommand, or "" for the global options of ``tone-reader`` itself.
        description: the first paragraph of ``--help``.
        epilog: the last paragraph of ``--help``, if any.

    Returns:
        A parser whose errors are one line and exit with the bad-input code.
    """
    prog = f"{PROG} {command}" if command else PROG
    return Parser(prog=prog, description=description, epilog=epilog)


def note(message: str) -> None:
    """Print one ``tone-reader: …`` line on stderr: a warning, or progress."""
    print(f"{PROG}: {message}", file=sys.stderr)


def fail(message: str, code: int) -> int:
    """Say what went wrong on one line of stderr; return the exit code.

    Args:
        message: the sentence for the user, without the ``tone-reader:`` prefix.
        code: the exit code, from ``reader_app.cli.exit_codes``.

    Returns:
        ``code``, so that a command can end with ``return fail(...)``.
    """
    note(message)
    return code


def ai_exit_code(error: AiError) -> int:
    """The exit code for an API failure: no key (or no keyring) is 3, the rest 1."""
    from reader_app.ai.errors import AiErrorKind

    no_key = error.kind in (AiErrorKind.NO_KEY, AiErrorKind.NO_KEYRING)
    return EXIT_NO_KEY if no_key else EXIT_FAILURE


def write_json(value: Any) -> None:
    """Print ``value`` on stdout as indented JSON (non-ASCII kept) and a newline."""
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def add_limit_options(parser: argparse.ArgumentParser) -> None:
    """``--deadline`` and the hidden ``--idle-timeout``, for ``analyze`` and ``eval``."""
    parser.add_argument(
        "--deadline",
        type=float,
        metavar="S",
        help="give up on an analysis after S seconds in all (default: 120 s plus time for"
        " a long answer)",
    )
    # For tests: seconds without a byte before a request gives up (default 60).
    parser.add_argument("--idle-timeout", type=float, metavar="S", help=argparse.SUPPRESS)
    # For tests: seconds an answer may send nothing but pings before it gives up (default 60).
    parser.add_argument("--stall-timeout", type=float, metavar="S", help=argparse.SUPPRESS)


def check_limit_options(args: argparse.Namespace) -> str:
    """Why the limit options are unusable, or "" when they are fine."""
    for name in ("deadline", "idle_timeout", "stall_timeout"):
        value = getattr(args, name)
        if value is not None and not 0 < value <= 24 * 3600:
            return f"--{name.replace('_', '-')} must be between 0 and 86400 seconds"
    return ""


def api_key() -> str:
    """The API key: the environment variable, else the system keyring.

    Raises:
        AiError: there is no key, or no keyring to look in.
    """
    from reader_app.config.secrets import ApiKeys, KeyringSecretStore
    from reader_app.usecases.api_key import api_key as key_for_request

    # The same look-up, and the same errors, as the window's tone service.
    return key_for_request(ApiKeys(KeyringSecretStore(), os.environ))


def make_analyzer(key: str, args: argparse.Namespace) -> ClaudeToneAnalyzer:
    """The analyser with the command line's limits (see ``add_limit_options``)."""
    from reader_app.ai.client import IDLE_TIMEOUT, STALL_TIMEOUT, ClaudeToneAnalyzer

    idle = args.idle_timeout if args.idle_timeout is not None else IDLE_TIMEOUT
    stall = getattr(args, "stall_timeout", None) or STALL_TIMEOUT
    return ClaudeToneAnalyzer(key, timeout=idle, deadline=args.deadline, stall_timeout=stall)


def seeded_examples(conn: sqlite3.Connection) -> ExampleRepository:
    """The library's examples, with the shipped ones loaded the first time, as the app does."""
    from reader_app.usecases.examples import seeded_examples as examples_of

    return examples_of(conn)
