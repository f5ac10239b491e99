"""``tone-reader export [FILE | --all] --format md|html|json|csv|anki|koreader -o OUT``.

FILE is a book file; it is identified by the SHA-256 of its bytes, as the library does,
so the file may have moved or been renamed since its highlights were made. ``--all``
exports the whole library, book by book. The formats are those of
``reader_app.core.exporters``; OUT is written atomically (never a half-written file).

Prints ``Exported N annotations to OUT.`` For ``anki``, only annotations with a tone
analysis become cards; a second line says how many were left out.

Exit codes: 0 done; 1 the library could not be read or OUT could not be written; 2 bad
input: bad arguments, an unreadable FILE, a book with no annotations in the library (or
an empty library with ``--all``), nothing analysed for ``anki``, or OUT being the book.
Errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from reader_app import __version__
from reader_app.cli.common import command_parser, fail
from reader_app.cli.exit_codes import EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK

if TYPE_CHECKING:
    from collections.abc import Sequence

    from reader_app.cli.common import Parser
    from reader_app.config.paths import AppPaths
    from reader_app.core.annotations import Annotation

FORMATS = ("md", "html", "json", "csv", "anki", "koreader")  # the order --help shows


def _parser() -> Parser:
    parser = command_parser(
        "export", "Write a book's annotations, or the whole library's, to a file."
    )
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("file", nargs="?", help="the book whose annotations to export")
    which.add_argument("--all", action="store_true", help="export every book in the library")
    parser.add_argument(
        "--format",
        required=True,
        choices=FORMATS,
        help="md: Markdown (Obsidian); html: a printable page; json: W3C Web Annotations;"
        " csv: Readwise; anki: an Anki deck (.apkg) of the analysed annotations;"
        " koreader: Markdown in KOReader's layout",
    )
    parser.add_argument("-o", "--output", required=True, metavar="OUT", help="the file to write")
    return parser


def _book_id(path: Path) -> str:
    """SHA-256 of a file's bytes, read in blocks (a book may be hundreds of megabytes)."""
    from reader_app.core.loaders import book_id_of

    return book_id_of(path)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and a.samefile(b)
    except OSError:
        return False


def cmd_export(argv: Sequence[str], paths: AppPaths) -> int:
    """Run the command; returns the exit code."""
    args = _parser().parse_args(argv)
    from reader_app.core.errors import ReaderError
    from reader_app.core.exporters import EXPORTERS, ExportError, exported_count, write_export
    from reader_app.storage.annotations import AnnotationQuery
    from reader_app.storage.db import open_database

    output = Path(args.output)
    book_id = None
    if args.file is not None:
        book = Path(args.file)
        if _same_file(book, output):
            return fail(
                f"“{output}” is the book itself; choose another output file", EXIT_BAD_INPUT
            )
        try:
            book_id = _book_id(book)
        except OSError as exc:
            return fail(f"Cannot read “{book}”: {exc.strerror or exc}.", EXIT_BAD_INPUT)
        except ReaderError as exc:  # a FIFO, a device or a folder named as the book
            return fail(exc.message, EXIT_BAD_INPUT)
    try:
        # A profile without a library has nothing to export: say so rather than create
        # one. An existing library opens read-write, like the app, so an old one is
        # upgraded instead of refused.
        annotations: list[Annotation] = []
        if paths.database.exists():
            conn = open_database(paths.database)
            try:
                query = AnnotationQuery(conn)
                annotations = query.all() if book_id is None else query.for_book(book_id)
            finally:
                conn.close()
    except ReaderError as exc:
        return fail(str(exc), EXIT_FAILURE)
    if not annotations:
        if book_id is None:
            return fail(
                "Your library has no annotations; there is nothing to export.", EXIT_BAD_INPUT
            )
        return fail(f"“{args.file}” has no annotations in your library.", EXIT_BAD_INPUT)
    count = exported_count(args.format, annotations)
    if count == 0:
        return fail(
            "None of these annotations has a tone analysis, and Anki cards need one.",
            EXIT_BAD_INPUT,
        )
    generated_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    data = EXPORTERS[args.format].export(
        annotations, generated_at=generated_at, app_version=__version__
    )
    try:
        write_export(output, data)
    except ExportError as exc:
        return fail(str(exc), EXIT_FAILURE)
    print(f"Exported {count} annotation{'s' if count != 1 else ''} to {output}.")
    skipped = len(annotations) - count
    if skipped:
        print(
            f"Left out {skipped} annotation{'s' if skipped != 1 else ''} without a tone"
            " analysis: Anki cards need one."
        )
    return EXIT_OK
