"""``tone-reader analyze`` with several ``--find``: the passages go in one request."""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING, Any

from reader_app.cli_analyze import (
    EXIT_FAILURE,
    EXIT_NO_KEY,
    EXIT_OK,
    analysis_json,
    fail,
    render_text,
    save,
)

if TYPE_CHECKING:
    import argparse
    import sqlite3
    from collections.abc import Sequence

    from reader_app.config.settings import Settings
    from reader_app.core.book import Book
    from reader_app.core.examples import Example


def analyze_together(
    book: Book,
    places: Sequence[tuple[int, int, int]],
    settings: Settings,
    pool: Sequence[Example],
    fixed: Sequence[Example],
    conn: sqlite3.Connection,
    args: argparse.Namespace,
) -> int:
    """Analyse the passages in one request; print a list of results in the given order."""
    from reader_app.ai.client import ClaudeToneAnalyzer
    from reader_app.ai.errors import AiError, AiErrorKind
    from reader_app.ai.multi import analyse_many, compose_many
    from reader_app.ai.prompt import PassageContext, extract_context, prompt_settings
    from reader_app.ai.request import AnalysisOutcome, Usage
    from reader_app.ai.selection import choose_examples
    from reader_app.config.secrets import ApiKeys, KeyringSecretStore

    contexts = []
    for chapter, start, end in places:
        text = book.chapters[chapter].text
        before, after = extract_context(text, start, end, settings.context_paragraphs)
        contexts.append(
            PassageContext(
                book.title,
                ", ".join(book.authors),
                book.section_title(chapter, start),
                text[start:end],
                before,
                after,
            )
        )
    joined = " ".join(c.passage for c in contexts)
    choice = choose_examples(
        pool, settings.example_strategy, joined, k=settings.example_k, fixed=fixed
    )
    request = compose_many(
        prompt_settings(settings),
        choice.static,
        contexts,
        similar=choice.dynamic,
        notes=choice.notes,
    )
    try:
        key, _source = ApiKeys(KeyringSecretStore(), os.environ).resolve()
        analyzer = ClaudeToneAnalyzer(key)
        try:
            results, raw = analyse_many(analyzer, request, lambda _i, _c: None)
        finally:
            analyzer.close()
    except AiError as exc:
        no_key = exc.kind in (AiErrorKind.NO_KEY, AiErrorKind.NO_KEYRING)
        return fail(str(exc), EXIT_NO_KEY if no_key else EXIT_FAILURE)
    n = max(1, len(results.done))
    share = Usage(
        raw.usage.input_tokens // n,
        raw.usage.output_tokens // n,
        raw.usage.cache_creation_input_tokens // n,
        raw.usage.cache_read_input_tokens // n,
    )
    reports: list[dict[str, Any]] = []
    for index, place in enumerate(places):
        checked = results.done.get(index)
        if checked is None:
            reports.append(
                {
                    "passage": contexts[index].passage,
                    "chapter": place[0],
                    "start": place[1],
                    "end": place[2],
                    "error": results.failed.get(index, "no answer"),
                }
            )
            continue
        outcome = AnalysisOutcome(
            checked.analysis,
            checked.dropped_evidence,
            share,
            raw.model,
            raw.request_id,
            request.prompt_version,
            raw.ttft_ms,
            raw.total_ms,
            raw.text,
        )
        highlight = save(conn, book, place, outcome, settings.prices) if args.save else None
        reports.append(
            analysis_json(outcome, place, contexts[index].passage, settings.prices, highlight)
        )
    if args.json:
        json.dump(reports, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        for report in reports:
            if "error" in report:
                sys.stdout.write(f"“{report['passage']}”: no analysis ({report['error']})\n\n")
            else:
                sys.stdout.write(f"“{report['passage']}”\n" + render_text(report) + "\n")
    if results.failed:
        print(
            f"tone-reader: {len(results.failed)} of {len(places)} passages got no valid analysis",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    return EXIT_OK
