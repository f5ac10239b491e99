"""``tone-reader analyze`` with several ``--find`` (one request), or with ``--batch-api``."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Any

from reader_app.cli.analysis_results import (
    analysis_json,
    kept,
    recorder,
    render_text,
    save,
    save_highlight,
)
from reader_app.cli.common import (
    ai_exit_code,
    api_key,
    fail,
    make_analyzer,
    note,
    write_json,
)
from reader_app.cli.exit_codes import EXIT_FAILURE, EXIT_OK

if TYPE_CHECKING:
    import argparse
    import sqlite3
    from collections.abc import Sequence

    from reader_app.config.settings import Settings
    from reader_app.core.book import Book
    from reader_app.usecases.analysis import AnalysisComposer, Place


def analyze_together(
    book: Book,
    places: Sequence[Place],
    settings: Settings,
    composer: AnalysisComposer,
    conn: sqlite3.Connection,
    args: argparse.Namespace,
) -> int:
    """Analyse the passages in one request; print a list of results in the given order.

    With ``--save`` every passage is kept as a highlight before the request is sent; a
    passage that gets no valid analysis stays, marked "not analysed".
    """
    from reader_app.ai.errors import AiError
    from reader_app.ai.multi import analyse_many
    from reader_app.storage.db import transaction
    from reader_app.usecases.analysis_records import item_outcome

    request = composer.for_group(book, places)
    ids = [save_highlight(conn, book, place) for place in places] if args.save else []
    group = recorder(conn, settings.prices).group(ids, request) if ids else None
    try:
        analyzer = make_analyzer(api_key(), args)
        try:
            results, raw = analyse_many(analyzer, request, lambda _i, _c: None)
        finally:
            analyzer.close()
    except AiError as exc:
        if group is not None:
            group.fail(exc)
        where = f" {_kept_all(ids)}" if ids else ""
        return fail(f"{exc}{where}", ai_exit_code(exc))
    if group is not None:
        # The answers, their shared usage and the failures: one action, one transaction.
        with transaction(conn):
            for index in sorted(results.done):
                group.item(index, results.done[index])
            group.finish(results, raw)
    reports: list[dict[str, Any]] = []
    for index, place in enumerate(places):
        passage = request.passages[index]
        highlight = ids[index] if ids else None
        checked = results.done.get(index)
        if checked is None:
            reports.append(
                {
                    "passage": passage,
                    "chapter": place[0],
                    "start": place[1],
                    "end": place[2],
                    "error": results.failed.get(index, "no answer"),
                    "highlight_id": highlight,
                }
            )
            continue
        outcome = item_outcome(checked, raw, request, len(results.done))
        reports.append(analysis_json(outcome, place, passage, settings.prices, highlight))
    _print(reports, args.json)
    if results.failed:
        return fail(
            f"{len(results.failed)} of {len(places)} passages got no valid analysis", EXIT_FAILURE
        )
    return EXIT_OK


def _kept_all(ids: Sequence[int]) -> str:
    if len(ids) == 1:
        return kept(ids[0])
    return f"The highlights are kept, not analysed (highlights {', '.join(map(str, ids))})."


def analyze_by_batch(
    book: Book,
    places: Sequence[Place],
    settings: Settings,
    composer: AnalysisComposer,
    conn: sqlite3.Connection,
    args: argparse.Namespace,
) -> int:
    """Send one request per passage as a Message Batches job, wait, print the results."""
    from reader_app.ai.batches import BatchClient
    from reader_app.ai.client import ClaudeToneAnalyzer
    from reader_app.ai.errors import AiError

    requests = [(f"p{n}", composer.for_passage(book, place)) for n, place in enumerate(places)]
    try:
        analyzer = ClaudeToneAnalyzer(api_key())
        try:
            client = BatchClient(analyzer)
            batch_id = client.submit(requests)
            note(f"batch {batch_id} sent; waiting for it to end")
            while not (status := client.status(batch_id)).ended:
                counts = status.request_counts
                note(f"{counts.get('succeeded', 0)} of {len(requests)} done")
                time.sleep(max(0.01, args.poll_interval))
            results = client.results(
                batch_id,
                {custom_id: r.passage for custom_id, r in requests},
                {custom_id: r.prompt_version for custom_id, r in requests},
            )
        finally:
            analyzer.close()
    except AiError as exc:
        return fail(str(exc), ai_exit_code(exc))
    reports: list[dict[str, Any]] = []
    failed = 0
    for (custom_id, request), place in zip(requests, places, strict=True):
        result = results[custom_id]
        if result.outcome is None:
            failed += 1
            reports.append(
                {
                    "passage": request.passage,
                    "chapter": place[0],
                    "start": place[1],
                    "end": place[2],
                    "error": str(result.error),
                }
            )
            continue
        highlight = (
            save(conn, book, place, result.outcome, settings.prices, batch=True)
            if args.save
            else None
        )
        reports.append(
            analysis_json(
                result.outcome, place, request.passage, settings.prices, highlight, batch=True
            )
        )
    _print(reports, args.json)
    if failed:
        return fail(f"{failed} of {len(places)} passages got no valid analysis", EXIT_FAILURE)
    return EXIT_OK


def _print(reports: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        write_json(reports)
        return
    for report in reports:
        if "error" in report:
            sys.stdout.write(f"“{report['passage']}”: no analysis ({report['error']})\n\n")
        else:
            sys.stdout.write(f"“{report['passage']}”\n" + render_text(report) + "\n")
