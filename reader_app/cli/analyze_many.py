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

    from reader_app.ai.batch_limits import Plan
    from reader_app.ai.batches import BatchClient
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
    from reader_app.ai.prompt import cache_prefix
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
        reports.append(
            analysis_json(
                outcome, place, passage, settings.prices, highlight, prefix=cache_prefix(request)
            )
        )
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
    from reader_app.ai.batch_limits import plan
    from reader_app.ai.batches import BatchClient
    from reader_app.ai.client import ClaudeToneAnalyzer
    from reader_app.ai.errors import AiError
    from reader_app.ai.prompt import cache_prefix

    # One part per batch (100,000 requests, 256 MB); the custom_ids carry the job's marker.
    laid_out = plan([(n, composer.for_passage(book, place)) for n, place in enumerate(places)])
    requests = [pair for part in sorted(laid_out.requests) for pair in laid_out.requests[part]]
    try:
        analyzer = ClaudeToneAnalyzer(api_key())
        try:
            results = _run_batches(BatchClient(analyzer), laid_out, args.poll_interval)
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
                result.outcome,
                place,
                request.passage,
                settings.prices,
                highlight,
                batch=True,
                prefix=cache_prefix(request),
            )
        )
    _print(reports, args.json)
    if failed:
        return fail(f"{failed} of {len(places)} passages got no valid analysis", EXIT_FAILURE)
    return EXIT_OK


# Polls in a row that may fail (offline, 5xx, 529) before the CLI gives up, and the
# longest wait between two of them.
_POLL_FAILURES = 8
_MAX_POLL_WAIT_S = 300.0


def _run_batches(client: BatchClient, laid_out: Plan, interval: float) -> dict[str, Any]:
    """Send every part of a job once, wait for all to end, and collect their results.

    Raises:
        AiError: a part could not be sent; polling met a failure that will not heal
            (BatchStopped: key, billing, spend limit, results archived) or failed
            :data:`_POLL_FAILURES` times in a row.
    """
    from datetime import UTC, datetime

    from reader_app.ai.batch_limits import RESULTS_GONE, BatchStopped
    from reader_app.ai.errors import AiError, AiErrorKind

    since = datetime.now(UTC)
    ids: dict[int, str] = {}
    for part in sorted(laid_out.requests):
        marker = str(laid_out.parts[part]["marker"])
        ids[part] = client.submit_once(laid_out.requests[part], marker, since,
                                       exclude=set(ids.values()))  # fmt: skip
        note(f"batch {ids[part]} sent; waiting for it to end")
    total, ended, failures = len(laid_out.records), set[int](), 0
    while len(ended) < len(ids):
        try:
            statuses = {part: client.status(ids[part]) for part in ids if part not in ended}
        except AiError as exc:
            failures += 1  # BatchStopped (key, billing, spend limit) is never retryable
            if not exc.retryable or failures >= _POLL_FAILURES:
                raise
            wait = min(max(interval, 0.01) * 2**failures, _MAX_POLL_WAIT_S)
            note(f"{exc} Trying again in {wait:.0f} s.")
            time.sleep(wait)
            continue
        failures = 0
        for part, status in statuses.items():
            if status.results_gone:
                raise BatchStopped(AiErrorKind.SERVER, "results_url is null", message=RESULTS_GONE)
            if status.ended:
                ended.add(part)
        if len(ended) < len(ids):
            done = sum(s.request_counts.get("succeeded", 0) for s in statuses.values())
            note(f"{done} of {total} done")
            time.sleep(max(0.01, interval))
    results: dict[str, Any] = {}
    for part, batch_id in ids.items():
        pairs = laid_out.requests[part]
        results.update(client.results(batch_id, {c: r.passage for c, r in pairs},
                                      {c: r.prompt_version for c, r in pairs}))  # fmt: skip
    return results


def _print(reports: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        write_json(reports)
        return
    for report in reports:
        if "error" in report:
            sys.stdout.write(f"“{report['passage']}”: no analysis ({report['error']})\n\n")
        else:
            sys.stdout.write(f"“{report['passage']}”\n" + render_text(report) + "\n")
