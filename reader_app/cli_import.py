"""``tone-reader import FILE``: annotations from our W3C JSON or a Kindle My Clippings.txt.

The format is told from the content, not the name: JSON is read as W3C Web Annotations
(what ``tone-reader export --format json`` writes), text made of ``==========`` records as
Kindle clippings. Everything readable is stored in one transaction; a highlight whose book
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

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from reader_app.cli import EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK

if TYPE_CHECKING:
    from collections.abc import Sequence

    from reader_app.config.paths import AppPaths
    from reader_app.core.importers import ImportedAnnotation


class _Parser(argparse.ArgumentParser):
    """argparse, but errors are one line and exit with the bad-input code."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def _parser() -> _Parser:
    parser = _Parser(
        prog="tone-reader import",
        description="Import highlights and notes: Tone Reader's W3C JSON export, or a"
        " Kindle 'My Clippings.txt'.",
    )
    parser.add_argument("file", help="the file to import")
    return parser


def cmd_import(argv: Sequence[str], paths: AppPaths) -> int:
    """Run the command; returns the exit code."""
    args = _parser().parse_args(argv)
    from reader_app.core.book_cache import BookCache
    from reader_app.core.errors import BookError, ReaderError
    from reader_app.core.importers import detect_format
    from reader_app.core.loaders.encoding import decode_text
    from reader_app.storage.db import open_database
    from reader_app.storage.imports import import_annotations, library_book_loader

    path = Path(args.file)
    try:
        data = _read(path)
        text, _encoding = decode_text(data, path.name)
    except BookError as exc:
        return _fail(str(exc), EXIT_BAD_INPUT)
    kind = detect_format(text)
    if kind is None:
        return _fail(
            f"“{path.name}” is not a format Tone Reader imports"
            f" (W3C JSON or a Kindle My Clippings.txt){_json_error(text)}.",
            EXIT_BAD_INPUT,
        )
    items, problems, redone = _parse(kind, text)
    if not items:
        for problem in problems:
            print(f"{path.name}: {problem}", file=sys.stderr)
        return _fail(f"“{path.name}” holds no annotations to import.", EXIT_BAD_INPUT)
    try:
        conn = open_database(paths.database)
    except ReaderError as exc:
        return _fail(str(exc), EXIT_FAILURE)
    try:
        loader = library_book_loader(conn, BookCache(paths.cache_dir / "books"))
        result = import_annotations(conn, items, source=kind, books_available=loader)
    except ReaderError as exc:
        return _fail(str(exc), EXIT_FAILURE)
    finally:
        conn.close()
    problems += result.problems
    # Always "annotations": scripts match this line, so it keeps one shape.
    print(
        f"Imported {result.imported} annotations ({result.orphans} orphaned,"
        f" {result.duplicates + redone} duplicates skipped)."
    )
    for problem in problems:
        print(f"{path.name}: {problem}", file=sys.stderr)
    nothing = result.imported == 0 and result.duplicates == 0
    return EXIT_BAD_INPUT if problems or nothing else EXIT_OK


def _parse(kind: str, text: str) -> tuple[list[ImportedAnnotation], list[str], int]:
    """(annotations, problems, earlier records of re-done highlights left out)."""
    if kind == "kindle":
        from reader_app.core.importers.clippings import parse_clippings, to_annotations

        report = parse_clippings(text)
        return to_annotations(report.clippings), list(report.problems), report.duplicates
    from reader_app.core.importers.w3c import parse_w3c

    w3c = parse_w3c(text)
    return list(w3c.items), list(w3c.problems), 0


def _json_error(text: str) -> str:
    """Why a file that looks like JSON is not, so a damaged export can be told apart."""
    body = text.lstrip("\ufeff \t\r\n")
    if body[:1] != "{":
        return ""
    try:
        json.loads(body)
    except json.JSONDecodeError as exc:
        return f": its JSON is broken at line {exc.lineno}, column {exc.colno}"
    return ""


def _read(path: Path) -> bytes:
    """The file's bytes.

    Raises:
        BookError: it is missing, a folder, unreadable or empty (one-line message).
    """
    from reader_app.core.errors import BookError

    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise BookError(f"“{path}” does not exist.") from exc
    except IsADirectoryError as exc:
        raise BookError(f"“{path.name}” is a folder, not a file.") from exc
    except PermissionError as exc:
        raise BookError(f"“{path.name}” cannot be read: permission denied.") from exc
    except OSError as exc:
        raise BookError(f"“{path.name}” could not be read: {exc.strerror or exc}.") from exc
    if not data.strip():
        raise BookError(f"“{path.name}” is empty.")
    return data


def _fail(message: str, code: int) -> int:
    print(f"tone-reader: {message}", file=sys.stderr)
    return code
