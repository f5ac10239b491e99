"""``tone-reader examples list|add|import|export``: the examples library (DESIGN.md §7, §9).

The commands work on the profile's library, like the app: a fresh profile first gets the
five shipped seed examples, once.

``list [--json]``
    A table of the examples, or with ``--json`` a JSON list of objects: ``id`` plus the
    fields of the JSONL format (``excerpt``, ``tone``, and when set ``emotions`` as
    ``[{"name", "intensity"}]``, ``explanation``, ``source``, ``tags``, ``speaker``,
    ``addressee``).
``add --excerpt T --tone L [--emotion NAME:INTENSITY]... [--explanation E] [--source S]``
``[--tags a,b] [--speaker N] [--addressee N]``
    Store one example (``--emotion joy:0.6`` or ``joy:60%``, repeatable); prints its id.
``import FILE``
    Read a JSONL, JSON or CSV file (see ``reader_app.core.examples_io``) and store every
    good row in one transaction. Prints ``Imported N examples.`` on stdout and each bad
    row as ``FILE: line N: why`` on stderr.
``export FILE``
    Write every example: CSV for ``.csv``, a JSON array for ``.json``, JSONL otherwise.

Exit codes: 0 done; 1 the library could not be read or written; 2 bad input: bad
arguments, an unreadable file, or an import in which some rows had problems. An import
that exits 2 because of bad rows has still stored all the good ones, so a script can read
the problem lines, fix those rows and import just them again. A file with no examples at
all is bad input too. Errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from reader_app.cli.common import command_parser, fail, write_json
from reader_app.cli.exit_codes import EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK

if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

    from reader_app.cli.common import Parser
    from reader_app.config.paths import AppPaths
    from reader_app.core.records import StoredExample
    from reader_app.storage.examples import ExampleRepository


def _parser() -> Parser:
    parser = command_parser(
        "examples", "List, add, import and export the examples used as few-shot answers."
    )
    # Subparsers are built with the parent's class, so their errors are one line too.
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="show the examples")
    listing.add_argument("--json", action="store_true", help="print JSON (see the README)")
    add = actions.add_parser("add", help="store one example")
    add.add_argument("--excerpt", required=True, metavar="T", help="the passage")
    add.add_argument("--tone", required=True, metavar="L", help="the right tone label")
    add.add_argument(
        "--emotion",
        action="append",
        default=[],
        metavar="NAME:INTENSITY",
        help="one of Plutchik's eight with an intensity 0–1, e.g. joy:0.6 (repeatable)",
    )
    add.add_argument("--explanation", default="", metavar="E", help="why, in plain words")
    add.add_argument("--source", default="", metavar="S", help="where the excerpt comes from")
    add.add_argument("--tags", default="", metavar="a,b", help="comma-separated tags")
    add.add_argument("--speaker", default="", metavar="N", help="who says it, or narrator")
    add.add_argument("--addressee", default="", metavar="N", help="to whom it is said")
    importing = actions.add_parser("import", help="add the examples in a JSONL or CSV file")
    importing.add_argument("file", help="a .jsonl, .json or .csv file")
    exporting = actions.add_parser("export", help="write all examples to a file")
    exporting.add_argument("file", help="a .jsonl, .json or .csv file (chosen by the name)")
    return parser


def cmd_examples(argv: Sequence[str], paths: AppPaths) -> int:
    """Run ``tone-reader examples``.

    Args:
        argv: the arguments after ``examples``.
        paths: the profile whose library is used.

    Returns:
        The exit code (see the module docstring).
    """
    args = _parser().parse_args(list(argv))
    from reader_app.core.errors import ReaderError
    from reader_app.storage.db import open_database
    from reader_app.usecases.examples import seeded_examples

    try:
        conn = open_database(paths.database)
    except ReaderError as exc:
        return fail(str(exc), EXIT_FAILURE)
    try:
        repo = seeded_examples(conn)
        if args.action == "list":
            return _list(repo, as_json=args.json)
        if args.action == "add":
            return _add(repo, args)
        if args.action == "import":
            return _import(repo, Path(args.file))
        return _export(repo, Path(args.file))
    except ReaderError as exc:
        # The library could not be written (disk full, read-only, busy).
        return fail(str(exc), EXIT_FAILURE)
    finally:
        conn.close()


def _list(repo: ExampleRepository, *, as_json: bool) -> int:
    from reader_app.core.examples import example_to_dict

    stored = repo.all()
    if as_json:
        write_json([{"id": s.id, **example_to_dict(s.example)} for s in stored])
    elif not stored:
        print("No examples yet. Add one with 'tone-reader examples add'.")
    else:
        # On a terminal each example fits one line; into a pipe or file, nothing is cut.
        width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
        sys.stdout.write(render_table(stored, width))
    return EXIT_OK


def render_table(stored: Sequence[StoredExample], width: int | None = None) -> str:
    """The examples as a plain-text table, one line each.

    Args:
        stored: the examples with their ids.
        width: the terminal width to fit, by cutting excerpts; None cuts nothing.

    Returns:
        The table with a header line and a count, ending in a newline.
    """
    rows = [
        (
            str(s.id),
            s.example.tone,
            ", ".join(f"{n} {round(i * 100)}%" for n, i in s.example.emotions),
            ", ".join(s.example.tags),
            " ".join(s.example.excerpt.split()),
        )
        for s in stored
    ]
    header = ("ID", "Tone", "Emotions", "Tags", "Excerpt")
    # Long tones and tag lists are cut at 30 so that the excerpt keeps some room.
    widths = [min(30, max(len(r[c]) for r in [header, *rows])) for c in range(4)]
    room = max(20, width - sum(widths) - 2 * 4) if width is not None else None
    lines = []
    for row in [header, *rows]:
        cells = [_cut(row[c], widths[c]) for c in range(4)]
        cells[0] = cells[0].rjust(widths[0])
        line = "  ".join(cell.ljust(w) for cell, w in zip(cells, widths, strict=True))
        excerpt = row[4] if room is None else _cut(row[4], room)
        lines.append(f"{line}  {excerpt}".rstrip())
    count = len(rows)
    lines.append(f"{count} example{'' if count == 1 else 's'}.")
    return "\n".join(lines) + "\n"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _add(repo: ExampleRepository, args: argparse.Namespace) -> int:
    from reader_app.core.examples import ExampleFormatError
    from reader_app.core.examples_io import parse_emotions
    from reader_app.usecases.examples import example_from_fields

    try:
        example = example_from_fields(
            args.excerpt,
            args.tone,
            parse_emotions(";".join(args.emotion)),
            args.explanation,
            args.source,
            args.tags,
            args.speaker,
            args.addressee,
        )
    except ExampleFormatError as exc:
        return fail(str(exc), EXIT_BAD_INPUT)
    example_id = repo.add(example)
    print(f"Added example {example_id}.")
    return EXIT_OK


def _import(repo: ExampleRepository, path: Path) -> int:
    from reader_app.core.examples_io import ExamplesFileError
    from reader_app.usecases.examples import import_examples

    try:
        # All good rows in one transaction: an import is one user action, all or nothing.
        report = import_examples(repo, path)
    except ExamplesFileError as exc:
        return fail(str(exc), EXIT_BAD_INPUT)
    if not report.ids and not report.problems:
        return fail(f"“{path}” holds no examples.", EXIT_BAD_INPUT)
    count = len(report.ids)
    print(f"Imported {count} example{'' if count == 1 else 's'}.")
    for problem in report.problems:
        print(f"{path}: {problem}", file=sys.stderr)
    return EXIT_BAD_INPUT if report.problems else EXIT_OK


def _export(repo: ExampleRepository, path: Path) -> int:
    from reader_app.core.examples_io import ExamplesFileError, write_examples

    examples = [s.example for s in repo.all()]
    try:
        write_examples(path, examples)
    except ExamplesFileError as exc:
        return fail(str(exc), EXIT_BAD_INPUT)
    count = len(examples)
    print(f"Exported {count} example{'' if count == 1 else 's'} to {path}.")
    return EXIT_OK
