"""The ``tone-reader`` command: the GUI, and commands for scripts (DESIGN.md §9).

Heavy modules (Qt, the book loaders, the Claude SDK) are imported inside the command that
needs them, so ``tone-reader --version`` and the GUI's start stay fast.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from typing import TYPE_CHECKING, NoReturn

from reader_app import __version__

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from reader_app.config.paths import AppPaths
    from reader_app.config.profile_lock import ProfileLock

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2
EXIT_NO_KEY = 3

log = logging.getLogger(__name__)


class _Parser(argparse.ArgumentParser):
    """argparse, but errors are one line and exit with the bad-input code."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def _global_parser() -> _Parser:
    parser = _Parser(
        prog="tone-reader",
        description="Read e-books and see how a passage sounds.",
        epilog=(
            "Commands: inspect, analyze, examples, eval, export, import, key."
            " Run 'tone-reader COMMAND --help' for details."
        ),
    )
    parser.add_argument("--version", action="version", version=f"tone-reader {__version__}")
    parser.add_argument(
        "--profile-dir",
        metavar="DIR",
        help="keep the library, settings and logs in DIR (also: TONE_READER_HOME)",
    )
    parser.add_argument("--verbose", action="store_true", help="log more, also to stderr")
    parser.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    return parser


def _inspect_parser() -> _Parser:
    parser = _Parser(prog="tone-reader inspect", description="Describe a book file.")
    parser.add_argument("file", help="an EPUB, text, HTML or Markdown file")
    parser.add_argument("--json", action="store_true", help="print JSON (see the README)")
    return parser


def cmd_inspect(argv: Sequence[str]) -> int:
    """Print a book's metadata, chapters and table of contents."""
    args = _inspect_parser().parse_args(argv)
    from reader_app.core.errors import BookError
    from reader_app.core.inspect import describe, render_text
    from reader_app.core.loaders import load_book

    try:
        book = load_book(args.file)
    except BookError as exc:
        print(f"tone-reader: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    info = describe(book)
    if args.json:
        json.dump(info, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render_text(info))
    return EXIT_OK


def cmd_key(argv: Sequence[str]) -> int:
    """Set, show or remove the API key in the system keyring."""
    # Imported here: cli_key imports this module for the exit codes.
    from reader_app.cli_key import cmd_key as run

    return run(argv)


def cmd_analyze(argv: Sequence[str], paths: AppPaths) -> int:
    """Analyse the tone of a passage of a book."""
    from reader_app.cli_analyze import cmd_analyze as run

    return run(argv, paths)


def cmd_examples(argv: Sequence[str], paths: AppPaths) -> int:
    """List, add, import or export the examples library."""
    from reader_app.cli_examples import cmd_examples as run

    return run(argv, paths)


def cmd_eval(argv: Sequence[str], paths: AppPaths) -> int:
    """Score the tone analysis against a labelled dataset."""
    from reader_app.cli_eval import cmd_eval as run

    return run(argv, paths)


def cmd_export(argv: Sequence[str], paths: AppPaths) -> int:
    """Export annotations as Markdown, HTML, W3C JSON, Readwise CSV or an Anki deck."""
    from reader_app.cli_export import cmd_export as run

    return run(argv, paths)


def cmd_import(argv: Sequence[str], paths: AppPaths) -> int:
    """Import annotations: our W3C JSON export, or a Kindle My Clippings.txt."""
    from reader_app.cli_import import cmd_import as run

    return run(argv, paths)


COMMANDS: dict[str, Callable[[Sequence[str]], int]] = {"inspect": cmd_inspect, "key": cmd_key}
# Commands that use the profile (library, settings) get its paths too.
PROFILE_COMMANDS: dict[str, Callable[[Sequence[str], AppPaths], int]] = {
    "analyze": cmd_analyze,
    "examples": cmd_examples,
    "eval": cmd_eval,
    "export": cmd_export,
    "import": cmd_import,
}


def writes_library(command: str, argv: Sequence[str]) -> bool:
    """Whether a profile command may write to the library (and so needs the profile lock).

    Args:
        command: the subcommand.
        argv: its arguments.

    Returns:
        True for import, eval (it saves runs), analyze --save, examples add and import.
        ``key`` writes to the system keyring, not the profile, so it needs no lock.
    """
    if command in ("import", "eval"):
        return True
    if command == "analyze":
        return "--save" in argv
    if command == "examples":
        return bool(argv) and argv[0] in ("add", "import")
    return False


def _prepare_profile(paths: AppPaths, command: str, argv: Sequence[str]) -> ProfileLock | None:
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
        print(f"tone-reader: {warning}", file=sys.stderr)
    if paths.database.exists():
        try:
            open_database(paths.database).close()
        except DamagedLibraryError as exc:
            raise DamagedLibraryError(
                f"{exc.message} Open Tone Reader's window to set it aside and recover"
                " what can be read."
            ) from exc
    return lock


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    args = _global_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    rest: list[str] = list(args.rest)
    from reader_app.config.paths import AppPaths
    from reader_app.config.profile_lock import ProfileBusyError
    from reader_app.core.errors import ReaderError
    from reader_app.logs import setup_logging
    from reader_app.storage.db import DamagedLibraryError

    paths = AppPaths.resolve(args.profile_dir, os.environ)
    try:
        paths.ensure()
    except ReaderError as exc:
        print(f"tone-reader: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    setup_logging(paths.log_file, verbose=args.verbose)
    try:
        if rest and rest[0] in COMMANDS:
            return COMMANDS[rest[0]](rest[1:])
        if rest and rest[0] in PROFILE_COMMANDS:
            lock = _prepare_profile(paths, rest[0], rest[1:])
            try:
                return PROFILE_COMMANDS[rest[0]](rest[1:], paths)
            finally:
                if lock is not None:
                    lock.release()
        if any(arg.startswith("-") for arg in rest):
            _global_parser().error(f"unexpected arguments: {' '.join(rest)}")
        from reader_app.app import run_gui

        # A file manager passes every selected file (Exec=tone-reader %F); one book
        # is shown at a time, so the first opens and the window says the rest did not.
        return run_gui(paths, rest[0] if rest else None, [sys.argv[0]], also_given=rest[1:])
    except KeyboardInterrupt:
        return 130
    except (ProfileBusyError, DamagedLibraryError) as exc:
        print(f"tone-reader: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except ReaderError as exc:
        print(f"tone-reader: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except Exception as exc:
        log.exception("Unexpected error")
        print(
            f"tone-reader: internal error ({type(exc).__name__}); details are in {paths.log_file}",
            file=sys.stderr,
        )
        return EXIT_FAILURE
