"""``tone-reader analyze``: the same composer and client as the tone panel, for scripts.

``tone-reader analyze FILE --find TEXT [--occurrence N] [--json] [--save] [--model M]``
``[--context-paragraphs N] [--max-tokens N]`` analyses the Nth occurrence of TEXT in the
book. Several ``--find`` go in one request, and ``--batch-api`` sends them as a Message Batches job
(both in ``analyze_many``).

Exit codes: 0 done; 1 the API or the library failed; 2 bad input (bad arguments, an
unreadable book, TEXT not found); 3 no API key. Errors are one line on stderr; an answer cut
off at its token limit (exit 1) says which ``--max-tokens`` to try again with.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from typing import TYPE_CHECKING

from reader_app.cli.analysis_results import (
    analysis_json,
    kept,
    render_text,
    save_failure,
    save_highlight,
    save_outcome,
)
from reader_app.cli.common import (
    add_limit_options,
    ai_exit_code,
    api_key,
    check_limit_options,
    command_parser,
    fail,
    make_analyzer,
    seeded_examples,
    write_json,
)
from reader_app.cli.exit_codes import EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK

if TYPE_CHECKING:
    from collections.abc import Sequence

    from reader_app.ai.errors import AiError
    from reader_app.ai.request import ToneRequest
    from reader_app.cli.common import Parser
    from reader_app.config.paths import AppPaths
    from reader_app.core.book import Book


def _parser() -> Parser:
    parser = command_parser("analyze", "Analyse the tone of a passage.")
    parser.add_argument("file", help="the book")
    parser.add_argument(
        "--find",
        required=True,
        action="append",
        metavar="TEXT",
        help="the passage, as in the book; give it several times to analyse several passages"
        " together in one request",
    )
    parser.add_argument("--occurrence", type=int, default=1, metavar="N", help="the Nth match")
    parser.add_argument("--json", action="store_true", help="print the analysis as JSON")
    parser.add_argument("--save", action="store_true", help="keep it as a highlight")
    parser.add_argument("--model", metavar="M", help="the Claude model (default: settings)")
    parser.add_argument(
        "--batch-api",
        action="store_true",
        help="send the passages as a Message Batches job (cheaper; waits for the answers)",
    )
    parser.add_argument(
        "--poll-interval", type=float, default=30.0, metavar="S", help=argparse.SUPPRESS
    )
    parser.add_argument(
        "--context-paragraphs", type=int, metavar="N", help="context each side (default: settings)"
    )
    parser.add_argument(
        "--max-tokens",
        type=int,
        metavar="N",
        help="the answer's token limit, thinking included, for one passage (default: room for"
        " the answer, and for thinking where the model thinks; never above the model's maximum)",
    )
    add_limit_options(parser)
    return parser


def find_occurrence(book: Book, text: str, occurrence: int) -> tuple[int, int, int] | None:
    """(chapter, start, end) of the Nth occurrence; exact case first, then any case."""
    for fold in (False, True):
        seen = 0
        needle = text.casefold() if fold else text
        for index, chapter in enumerate(book.chapters):
            haystack = chapter.text.casefold() if fold else chapter.text
            if fold and len(haystack) != len(chapter.text):
                continue  # case folding changed the length: offsets would be wrong
            start = haystack.find(needle)
            while start >= 0:
                seen += 1
                if seen == occurrence:
                    return index, start, start + len(text)
                start = haystack.find(needle, start + 1)
    return None


def _retry_hint(error: AiError, request: ToneRequest) -> str:
    """For an answer cut off at its limit: the option that asks for more ("" otherwise)."""
    from reader_app.ai.errors import AiErrorKind
    from reader_app.ai.thinking import larger_limit

    if error.kind is not AiErrorKind.CUT_OFF:
        return ""
    larger = larger_limit(request.model, request.max_tokens)
    if larger is None:
        return " That is the model's maximum; choose a simpler passage or another model."
    return f" Try again with --max-tokens {larger}."


def cmd_analyze(argv: Sequence[str], paths: AppPaths) -> int:
    """Run the command; returns the exit code."""
    args = _parser().parse_args(argv)
    from reader_app.ai.errors import AiError
    from reader_app.ai.models import model_to_use
    from reader_app.config.settings import load_settings
    from reader_app.core.errors import BookError, ReaderError
    from reader_app.core.loaders import load_book
    from reader_app.storage.db import open_database
    from reader_app.usecases.analysis import AnalysisComposer
    from reader_app.usecases.models import known_default_model

    if args.occurrence < 1:
        return fail("--occurrence counts from 1", EXIT_BAD_INPUT)
    if args.max_tokens is not None and args.max_tokens < 1:
        return fail("--max-tokens must be at least 1", EXIT_BAD_INPUT)
    if problem := check_limit_options(args):
        return fail(problem, EXIT_BAD_INPUT)
    if not all(f.strip() for f in args.find):
        return fail("--find needs some text", EXIT_BAD_INPUT)
    try:
        book = load_book(args.file)
    except BookError as exc:
        return fail(str(exc), EXIT_BAD_INPUT)
    places = []
    for text in args.find:
        found = find_occurrence(book, text, args.occurrence)
        if found is None:
            return fail(
                f"“{text}” does not occur {args.occurrence} time(s) in the book", EXIT_BAD_INPUT
            )
        places.append(found)
    place = places[0]
    settings, _warning = load_settings(paths.settings_file)
    # The option, else the settings' choice, else the default the window last listed, else
    # the built-in one: the command line lists no models itself, which would add an API
    # call, and a way to fail, to every command.
    default = known_default_model(paths.cache_dir)
    settings = dataclasses.replace(
        settings, model=model_to_use(args.model or settings.model, default)
    )
    if args.context_paragraphs is not None:
        settings = dataclasses.replace(settings, context_paragraphs=args.context_paragraphs)
    try:
        conn = open_database(paths.database)
    except ReaderError as exc:
        return fail(str(exc), EXIT_FAILURE)
    try:
        # The settings are fixed for the whole command; the examples are the library's,
        # with the shipped ones loaded the first time, as the window does.
        chosen = settings
        composer = AnalysisComposer(seeded_examples(conn), lambda: chosen)
        if args.batch_api:
            from reader_app.cli.analyze_many import analyze_by_batch

            return analyze_by_batch(book, places, settings, composer, conn, args)
        if len(places) > 1:
            from reader_app.cli.analyze_many import analyze_together

            return analyze_together(book, places, settings, composer, conn, args)
        request = composer.for_passage(book, place)
        if args.max_tokens is not None:
            from reader_app.ai.thinking import max_output

            limit = min(args.max_tokens, max_output(request.model))
            request = dataclasses.replace(request, max_tokens=limit)
        # The highlight is kept before anything is sent: whatever happens to the request,
        # it stays, "not analysed" until an analysis is stored for it.
        highlight_id = save_highlight(conn, book, place) if args.save else None
        try:
            analyzer = make_analyzer(api_key(), args)
            try:
                outcome = analyzer.analyse(request)
            finally:
                analyzer.close()
        except AiError as exc:
            line = f"{exc}{_retry_hint(exc, request)}"
            if highlight_id is None:
                return fail(line, ai_exit_code(exc))
            save_failure(conn, highlight_id, request, exc)
            return fail(f"{line} {kept(highlight_id)}", ai_exit_code(exc))
        if highlight_id is not None:
            save_outcome(conn, highlight_id, outcome, settings.prices)
    except ReaderError as exc:
        return fail(str(exc), EXIT_FAILURE)
    finally:
        conn.close()
    from reader_app.ai.prompt import cache_prefix

    report = analysis_json(
        outcome, place, request.passage, settings.prices, highlight_id,
        prefix=cache_prefix(request),
    )  # fmt: skip
    if args.json:
        write_json(report)
    else:
        sys.stdout.write(render_text(report))
    return EXIT_OK
