"""``tone-reader inspect FILE [--json]``: a book's metadata, chapters and contents (DESIGN.md §9).

Exit codes: 0 done; 2 the file could not be read as a book. Errors are one line on
stderr, never a traceback.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from reader_app.cli.common import command_parser, fail, write_json
from reader_app.cli.exit_codes import EXIT_BAD_INPUT, EXIT_OK

if TYPE_CHECKING:
    from collections.abc import Sequence

    from reader_app.cli.common import Parser


def _parser() -> Parser:
    parser = command_parser("inspect", "Describe a book file.")
    parser.add_argument("file", help="an EPUB, text, HTML or Markdown file")
    parser.add_argument("--json", action="store_true", help="print JSON (see the README)")
    return parser


def cmd_inspect(argv: Sequence[str]) -> int:
    """Print a book's metadata, chapters and table of contents; returns the exit code."""
    args = _parser().parse_args(argv)
    from reader_app.core.errors import BookError
    from reader_app.core.inspect import describe, render_text
    from reader_app.core.loaders import load_book

    try:
        book = load_book(args.file)
    except BookError as exc:
        return fail(str(exc), EXIT_BAD_INPUT)
    info = describe(book)
    if args.json:
        write_json(info)
    else:
        sys.stdout.write(render_text(info))
    return EXIT_OK
