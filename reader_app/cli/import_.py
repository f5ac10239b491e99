"""``tone-reader import FILE``: annotations from other readers and from our own export.

Accepted: our W3C JSON, a Kindle My Clippings.txt, calibre's annotations export, and
KOReader's ``metadata.<ext>.lua`` sidecar or JSON export. The format is told from the
content, not the name: JSON is read as W3C Web Annotations (what ``tone-reader export
--format json`` writes) unless it is calibre's or KOReader's, ``return {...}`` as a
KOReader sidecar (parsed, never run), text made of ``==========`` records as Kindle
clippings. Everything readable is stored in one transaction; a highlight whose book
is not in the library is kept on a placeholder book until a book of that title and author
is opened, and one whose quote is not found in its book is kept as an orphan.

Prints ``Imported N annotations (M orphaned, D duplicates skipped).`` on stdout and each
record that could not be read as ``FILE: where: why`` on stderr.

Exit codes: 0 done; 1 the library could not be read or written; 2 bad input: an
unreadable file, a format Tone Reader does not import, nothing importable in it, or
some records with problems (the good ones are still stored, so a script can fix the
reported records and import again: those already stored are skipped as duplicates).
Errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from reader_app.cli.common import command_parser, fail
from reader_app.cli.exit_codes import EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK

if TYPE_CHECKING:
    from collections.abc import Sequence

    from reader_app.cli.common import Parser
    from reader_app.config.paths import AppPaths


def _parser() -> Parser:
    parser = command_parser(
        "import",
        "Import highlights and notes: Tone Reader's W3C JSON export, a Kindle"
        " 'My Clippings.txt', calibre's annotations export, or a KOReader"
        " 'metadata.epub.lua' sidecar or JSON export.",
    )
    parser.add_argument("file", help="the file to import")
    return parser


def cmd_import(argv: Sequence[str], paths: AppPaths) -> int:
    """Run the command; returns the exit code."""
    args = _parser().parse_args(argv)
    from reader_app.core.errors import BookError, ReaderError
    from reader_app.usecases.importing import import_file

    path = Path(args.file)
    try:
        done = import_file(path, paths.database, paths.cache_dir / "books")
    except BookError as exc:
        return fail(str(exc), EXIT_BAD_INPUT)
    except ReaderError as exc:
        return fail(str(exc), EXIT_FAILURE)
    result = done.result
    # Always "annotations": scripts match this line, so it keeps one shape.
    print(
        f"Imported {result.imported} annotations ({result.orphans} orphaned,"
        f" {done.duplicates} duplicates skipped)."
    )
    for problem in done.problems:
        print(f"{path.name}: {problem}", file=sys.stderr)
    nothing = result.imported == 0 and result.duplicates == 0
    return EXIT_BAD_INPUT if done.problems or nothing else EXIT_OK
