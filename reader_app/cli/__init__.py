"""The ``tone-reader`` command: the GUI, and commands for scripts (DESIGN.md §9).

This package holds ``main`` and the dispatch to the commands, one module each
(``inspect``, ``analyze``, ``characters``, ``examples``, ``eval``, ``export``,
``glossary``, ``import_``, ``key``), with
what they share in ``common`` and the exit codes in ``exit_codes``. The commands never
import this package's ``__init__``; it imports them only when one runs.

Heavy modules (Qt, the book loaders, the Claude SDK) are imported inside the command that
needs them, so ``tone-reader --version`` and the GUI's start stay fast.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import TYPE_CHECKING

from reader_app import __version__
from reader_app.cli.common import Parser, command_parser, fail
from reader_app.cli.exit_codes import EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_INTERRUPTED

if TYPE_CHECKING:
    from collections.abc import Sequence

    from reader_app.config.paths import AppPaths

log = logging.getLogger(__name__)

COMMANDS = frozenset({"inspect", "key"})
# Commands that use the profile (library, settings) get its paths too.
PROFILE_COMMANDS = frozenset(
    {"analyze", "characters", "examples", "eval", "export", "glossary", "import"}
)


def _global_parser() -> Parser:
    parser = command_parser(
        "",
        "Read e-books and see how a passage sounds.",
        epilog=(
            "Commands: inspect, analyze, characters, examples, eval, export, glossary, import,"
            " key."
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


def _run_command(command: str, argv: Sequence[str], paths: AppPaths) -> int:
    """Run one command; its module is imported only now, so the others cost nothing."""
    # One branch per command rather than a table of module names: mypy and the import
    # checks then see every import.
    if command == "inspect":
        from reader_app.cli.inspect import cmd_inspect

        return cmd_inspect(argv)
    if command == "key":
        from reader_app.cli.key import cmd_key

        return cmd_key(argv)
    if command == "analyze":
        from reader_app.cli.analyze import cmd_analyze

        return cmd_analyze(argv, paths)
    if command == "characters":
        from reader_app.cli.characters import cmd_characters

        return cmd_characters(argv, paths)
    if command == "examples":
        from reader_app.cli.examples import cmd_examples

        return cmd_examples(argv, paths)
    if command == "eval":
        from reader_app.cli.eval import cmd_eval

        return cmd_eval(argv, paths)
    if command == "export":
        from reader_app.cli.export import cmd_export

        return cmd_export(argv, paths)
    if command == "glossary":
        from reader_app.cli.glossary import cmd_glossary

        return cmd_glossary(argv, paths)
    if command == "import":
        from reader_app.cli.import_ import cmd_import

        return cmd_import(argv, paths)
    raise ValueError(f"not a command: {command}")


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
        return fail(str(exc), EXIT_FAILURE)
    setup_logging(paths.log_file, verbose=args.verbose)
    try:
        if rest and rest[0] in COMMANDS:
            return _run_command(rest[0], rest[1:], paths)
        if rest and rest[0] in PROFILE_COMMANDS:
            from reader_app.cli.profile import prepare_profile

            lock = prepare_profile(paths, rest[0], rest[1:])
            try:
                return _run_command(rest[0], rest[1:], paths)
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
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader of our output went away (`tone-reader inspect … | head`): nothing is
        # wrong with the command. Python would complain again while flushing stdout at
        # exit, so stdout is pointed at /dev/null first, as the Python docs advise.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAILURE
    except (ProfileBusyError, DamagedLibraryError) as exc:
        return fail(str(exc), EXIT_BAD_INPUT)
    except ReaderError as exc:
        return fail(str(exc), EXIT_FAILURE)
    except Exception as exc:
        log.exception("Unexpected error")
        return fail(
            f"internal error ({type(exc).__name__}); details are in {paths.log_file}",
            EXIT_FAILURE,
        )
