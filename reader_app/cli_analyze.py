"""``tone-reader analyze``: the same composer and client as the tone panel, for scripts."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from collections.abc import Sequence

    from reader_app.ai.client import ClaudeToneAnalyzer
    from reader_app.ai.errors import AiError
    from reader_app.ai.request import AnalysisOutcome, ToneRequest
    from reader_app.config.paths import AppPaths
    from reader_app.core.book import Book

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT, EXIT_NO_KEY = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def _parser() -> _Parser:
    parser = _Parser(prog="tone-reader analyze", description="Analyse the tone of a passage.")
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
    add_limit_options(parser)
    return parser


def add_limit_options(parser: argparse.ArgumentParser) -> None:
    """``--deadline`` and the hidden ``--idle-timeout``, shared with ``eval``."""
    parser.add_argument(
        "--deadline",
        type=float,
        metavar="S",
        help="give up on an analysis after S seconds in all (default: 120 s plus time for"
        " a long answer)",
    )
    # For tests: seconds without a byte before a request gives up (default 60).
    parser.add_argument("--idle-timeout", type=float, metavar="S", help=argparse.SUPPRESS)


def check_limit_options(args: argparse.Namespace) -> str:
    """Why the limit options are unusable, or "" when they are fine."""
    for name in ("deadline", "idle_timeout"):
        value = getattr(args, name)
        if value is not None and not 0 < value <= 24 * 3600:
            return f"--{name.replace('_', '-')} must be between 0 and 86400 seconds"
    return ""


def make_analyzer(key: str, args: argparse.Namespace) -> ClaudeToneAnalyzer:
    """The analyser with the command line's limits."""
    from reader_app.ai.client import IDLE_TIMEOUT, ClaudeToneAnalyzer

    idle = args.idle_timeout if args.idle_timeout is not None else IDLE_TIMEOUT
    return ClaudeToneAnalyzer(key, timeout=idle, deadline=args.deadline)


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


def cmd_analyze(argv: Sequence[str], paths: AppPaths) -> int:
    """Run the command; returns the exit code."""
    args = _parser().parse_args(argv)
    from reader_app.ai.errors import AiError, AiErrorKind
    from reader_app.ai.passage import request_for_passage
    from reader_app.ai.prompt import prompt_settings
    from reader_app.config.secrets import ApiKeys, KeyringSecretStore
    from reader_app.config.settings import load_settings
    from reader_app.core.errors import BookError, ReaderError
    from reader_app.core.loaders import load_book
    from reader_app.storage.db import open_database

    if args.occurrence < 1:
        return _fail("--occurrence counts from 1", EXIT_BAD_INPUT)
    if problem := check_limit_options(args):
        return _fail(problem, EXIT_BAD_INPUT)
    if not all(f.strip() for f in args.find):
        return _fail("--find needs some text", EXIT_BAD_INPUT)
    try:
        book = load_book(args.file)
    except BookError as exc:
        return _fail(str(exc), EXIT_BAD_INPUT)
    places = []
    for text in args.find:
        found = find_occurrence(book, text, args.occurrence)
        if found is None:
            return _fail(
                f"“{text}” does not occur {args.occurrence} time(s) in the book", EXIT_BAD_INPUT
            )
        places.append(found)
    place = places[0]
    settings, _warning = load_settings(paths.settings_file)
    if args.model:
        settings = dataclasses.replace(settings, model=args.model)
    if args.context_paragraphs is not None:
        settings = dataclasses.replace(settings, context_paragraphs=args.context_paragraphs)
    try:
        conn = open_database(paths.database)
    except ReaderError as exc:
        return _fail(str(exc), EXIT_FAILURE)
    try:
        pool, fixed = _examples(conn, book.book_id, settings.fixed_set)
        if args.batch_api:
            from reader_app.cli_analyze_many import analyze_by_batch

            return analyze_by_batch(book, places, settings, pool, fixed, conn, args)
        if len(places) > 1:
            from reader_app.cli_analyze_many import analyze_together

            return analyze_together(book, places, settings, pool, fixed, conn, args)
        request = request_for_passage(book, *place, prompt_settings(settings), pool, fixed=fixed)
        # The highlight is kept before anything is sent: whatever happens to the request,
        # it stays, "not analysed" until an analysis is stored for it.
        highlight_id = save_highlight(conn, book, place) if args.save else None
        try:
            key, _source = ApiKeys(KeyringSecretStore(), os.environ).resolve()
            analyzer = make_analyzer(key, args)
            try:
                outcome = analyzer.analyse(request)
            finally:
                analyzer.close()
        except AiError as exc:
            no_key = exc.kind in (AiErrorKind.NO_KEY, AiErrorKind.NO_KEYRING)
            if highlight_id is None:
                return _fail(str(exc), EXIT_NO_KEY if no_key else EXIT_FAILURE)
            save_failure(conn, highlight_id, request, exc)
            return _fail(f"{exc} {kept(highlight_id)}", EXIT_NO_KEY if no_key else EXIT_FAILURE)
        if highlight_id is not None:
            save_outcome(conn, highlight_id, outcome, settings.prices)
    except ReaderError as exc:
        return _fail(str(exc), EXIT_FAILURE)
    finally:
        conn.close()
    report = analysis_json(outcome, place, request.passage, settings.prices, highlight_id)
    if args.json:
        json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render_text(report))
    return EXIT_OK


def fail(message: str, code: int) -> int:
    """Say what went wrong on one line; return the exit code."""
    return _fail(message, code)


def _fail(message: str, code: int) -> int:
    print(f"tone-reader: {message}", file=sys.stderr)
    return code


def _examples(conn: Any, book_id: str, fixed_set: str) -> tuple[list[Any], list[Any]]:
    from reader_app.config.resources import resource_path
    from reader_app.core.examples import read_jsonl
    from reader_app.storage.examples import ExampleRepository

    repo = ExampleRepository(conn)
    seed = resource_path("examples/seed.jsonl")
    if seed is not None:
        repo.seed_once(read_jsonl(seed)[0])
    return repo.for_request(book_id, fixed_set)


def save(
    conn: Any, book: Book, place: tuple[int, int, int], outcome: AnalysisOutcome,
    prices: Sequence[tuple[str, float, float]],
) -> int:  # fmt: skip
    """Keep the passage as a highlight with its analysis; returns the highlight id."""
    highlight_id = save_highlight(conn, book, place)
    save_outcome(conn, highlight_id, outcome, prices)
    return highlight_id


def save_highlight(conn: Any, book: Book, place: tuple[int, int, int]) -> int:
    """Keep the passage as a highlight, not analysed yet; returns its id.

    The book and the highlight are one transaction, so a command killed part way leaves
    neither a book without its highlight nor the reverse.
    """
    from reader_app.core.anchors import make_anchor
    from reader_app.storage.books import BookRepository
    from reader_app.storage.db import transaction
    from reader_app.storage.highlights import HighlightRepository, NewHighlight

    chapter, start, end = place
    anchor = make_anchor([c.text for c in book.chapters], chapter, start, end)
    with transaction(conn):
        BookRepository(conn).record_opened(
            book.book_id, book.path, book.title, book.authors, book.language,
            book.format.value, len(book.chapters), book.char_count,
        )  # fmt: skip
        highlight = HighlightRepository(conn).add(
            NewHighlight(book.book_id, chapter, book.chapters[chapter].key, anchor.start,
                         anchor.end, anchor.quote, anchor.prefix, anchor.suffix,
                         section=book.section_title(chapter, anchor.start))
        )  # fmt: skip
    return highlight.id


def save_outcome(
    conn: Any, highlight_id: int, outcome: AnalysisOutcome,
    prices: Sequence[tuple[str, float, float]],
) -> None:  # fmt: skip
    """Store an analysis on its highlight, and colour the highlight by its emotion."""
    from reader_app.ai.pricing import estimate_cost
    from reader_app.storage.analyses import AnalysisRepository, success_from_outcome
    from reader_app.storage.db import transaction
    from reader_app.storage.highlights import HighlightRepository

    cost = estimate_cost(outcome.model, outcome.usage, prices)
    with transaction(conn):
        AnalysisRepository(conn).add(success_from_outcome(highlight_id, outcome, cost))
        HighlightRepository(conn).set_color(highlight_id, outcome.analysis.dominant_emotion)


def save_failure(conn: Any, highlight_id: int, request: ToneRequest, error: AiError) -> None:
    """Record why a highlight is not analysed, as the tone panel does."""
    from reader_app.storage.analyses import AnalysisRepository, NewAnalysis

    AnalysisRepository(conn).add(
        NewAnalysis(
            highlight_id=highlight_id,
            status="failed",
            model=request.model,
            prompt_version=request.prompt_version,
            request_id=error.request_id,
            error_kind=error.kind.value,
            error_message=str(error),
        )
    )


def kept(highlight_id: int) -> str:
    """The end of a failure's line when the highlight was saved."""
    return f"The highlight is kept, not analysed (highlight {highlight_id})."


def analysis_json(
    outcome: AnalysisOutcome,
    place: tuple[int, int, int],
    passage: str,
    prices: Sequence[tuple[str, float, float]],
    highlight_id: int | None,
) -> dict[str, Any]:
    """The stable JSON shape documented in the README."""
    from reader_app.ai.pricing import estimate_cost

    usage = outcome.usage
    return {
        **outcome.analysis.model_dump(),
        "passage": passage,
        "chapter": place[0],
        "start": place[1],
        "end": place[2],
        "dropped_evidence": outcome.dropped_evidence,
        "model": outcome.model,
        "prompt_version": outcome.prompt_version,
        "request_id": outcome.request_id,
        "usage": {
            "input_tokens": usage.input_tokens,
            "output_tokens": usage.output_tokens,
            "cache_creation_input_tokens": usage.cache_creation_input_tokens,
            "cache_read_input_tokens": usage.cache_read_input_tokens,
        },
        "cost_usd": round(estimate_cost(outcome.model, usage, prices), 6),
        "ttft_ms": round(outcome.ttft_ms, 1),
        "total_ms": round(outcome.total_ms, 1),
        "highlight_id": highlight_id,
    }


def render_text(report: dict[str, Any]) -> str:
    """A human-readable report."""
    lines = [
        f"Tone:        {report['tone']}",
        f"Polarity:    {report['polarity']}  (confidence {round(report['confidence'] * 100)}%)",
        "Emotions:    "
        + ", ".join(f"{e['name']} {round(e['intensity'] * 100)}%" for e in report["emotions"]),
        "",
        report["explanation"],
        "",
    ]
    lines += [f"  “{e['quote']}” — {e['why']}" for e in report["evidence"]]
    usage = report["usage"]
    lines.append(
        f"\n{report['model']} · {usage['input_tokens']} in, {usage['output_tokens']} out"
        f" ({usage['cache_read_input_tokens']} cached) · ${report['cost_usd']:.4f}"
        f" · {report['total_ms'] / 1000:.1f} s"
    )
    if report["highlight_id"] is not None:
        lines.append(f"Saved as highlight {report['highlight_id']}.")
    return "\n".join(lines) + "\n"
