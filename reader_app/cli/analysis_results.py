"""What ``tone-reader analyze`` does with an analysis: keep it in the library, and print it.

Shared by the single request (``analyze``) and the several-passage and batch requests
(``analyze_many``), which is why it is a module of its own: both import it, and neither
imports the other back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reader_app.core.tone_result import ToneResult

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Sequence

    from reader_app.ai.errors import AiError
    from reader_app.ai.prompt import CachePrefix
    from reader_app.ai.request import AnalysisOutcome, ToneRequest
    from reader_app.core.book import Book
    from reader_app.usecases.analysis_records import AnalysisRecorder


def save(
    conn: sqlite3.Connection, book: Book, place: tuple[int, int, int], outcome: AnalysisOutcome,
    prices: Sequence[tuple[str, float, float]], *, batch: bool = False,
) -> int:  # fmt: skip
    """Keep the passage as a highlight with its analysis; returns the highlight id.

    ``batch``: the answer came through the Message Batches API (priced at half).
    """
    highlight_id = save_highlight(conn, book, place)
    save_outcome(conn, highlight_id, outcome, prices, batch=batch)
    return highlight_id


def save_highlight(conn: sqlite3.Connection, book: Book, place: tuple[int, int, int]) -> int:
    """Keep the passage as a highlight, not analysed yet; returns its id.

    The book and the highlight are one transaction, so a command killed part way leaves
    neither a book without its highlight nor the reverse.
    """
    from reader_app.storage.books import BookRepository
    from reader_app.storage.db import transaction
    from reader_app.storage.highlights import HighlightRepository
    from reader_app.usecases.highlights import highlight_selection

    with transaction(conn):
        BookRepository(conn).record_opened(
            book.book_id, book.path, book.title, book.authors, book.language,
            book.format.value, len(book.chapters), book.char_count,
        )  # fmt: skip
        # Anchored as the window anchors a selection: position, quote, prefix and suffix.
        highlight = highlight_selection(HighlightRepository(conn), book, *place)
    return highlight.id


def recorder(
    conn: sqlite3.Connection, prices: Sequence[tuple[str, float, float]]
) -> AnalysisRecorder:
    """What keeps analyses in the library, as the tone panel keeps them."""
    from reader_app.storage.analyses import AnalysisRepository
    from reader_app.storage.highlights import HighlightRepository
    from reader_app.usecases.analysis_records import AnalysisRecorder

    return AnalysisRecorder(
        AnalysisRepository(conn), HighlightRepository(conn).set_color, lambda: prices
    )


def save_outcome(
    conn: sqlite3.Connection, highlight_id: int, outcome: AnalysisOutcome,
    prices: Sequence[tuple[str, float, float]], *, batch: bool = False,
) -> None:  # fmt: skip
    """Store an analysis on its highlight, and colour the highlight by its emotion."""
    from reader_app.storage.db import transaction

    # The analysis and the colour are one transaction: both are kept, or neither.
    with transaction(conn):
        recorder(conn, prices).success(highlight_id, outcome, batch=batch)


def save_failure(
    conn: sqlite3.Connection, highlight_id: int, request: ToneRequest, error: AiError
) -> None:
    """Record why a highlight is not analysed, as the tone panel does."""
    recorder(conn, ()).failure(highlight_id, request, error)


def kept(highlight_id: int) -> str:
    """The end of a failure's line when the highlight was saved."""
    return f"The highlight is kept, not analysed (highlight {highlight_id})."


def analysis_json(
    outcome: AnalysisOutcome,
    place: tuple[int, int, int],
    passage: str,
    prices: Sequence[tuple[str, float, float]],
    highlight_id: int | None,
    *,
    batch: bool = False,
    prefix: CachePrefix | None = None,
) -> dict[str, Any]:
    """The stable JSON shape documented in the README.

    ``cost_usd`` is null when the model's price is unknown; ``batch``: the answer came
    through the Message Batches API and is priced at the batch rate. ``cached_share`` is
    the API's ``cache_read_input_tokens`` over all input tokens, or null with a
    ``cache_note`` when nothing was cached (``prefix``: the request's, for the reason).
    """
    from reader_app.ai.prompt import cache_summary
    from reader_app.usecases.cost import answer_cost

    usage = outcome.usage
    cost = answer_cost(outcome.model, usage, prices, batch=batch)
    share, note = cache_summary(
        usage.input_tokens,
        usage.cache_creation_input_tokens,
        usage.cache_read_input_tokens,
        prefix,
    )
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
        "cost_usd": None if cost is None else round(cost, 6),
        "cache_read_tokens": usage.cache_read_input_tokens,
        "cache_creation_tokens": usage.cache_creation_input_tokens,
        "cached_share": None if share is None else round(share, 4),
        "cache_note": note,
        "ttft_ms": round(outcome.ttft_ms, 1),
        "total_ms": round(outcome.total_ms, 1),
        "highlight_id": highlight_id,
    }


def render_text(report: dict[str, Any]) -> str:
    """A human-readable report."""
    result = ToneResult.load(report)
    lines = [
        f"Tone:        {result.tone}",
        f"Polarity:    {result.polarity}  (confidence {round(result.confidence * 100)}%)",
        "Emotions:    "
        + ", ".join(f"{e.name} {round(e.intensity * 100)}%" for e in result.emotions),
    ]
    if result.speaker:
        to = f" → {result.addressee}" if result.addressee else ""
        lines.append(f"Speaker:     {result.speaker}{to}")
    lines += [
        "",
        result.explanation,
        "",
    ]
    lines += [f"  “{e.quote}” — {e.why}" for e in result.evidence]
    from reader_app.usecases.cost import cost_text

    usage = report["usage"]
    share = report.get("cached_share")
    cached = (
        f"{usage['cache_read_input_tokens']} cached, {share:.0%} of the input"
        if share is not None
        else report.get("cache_note") or f"{usage['cache_read_input_tokens']} cached"
    )
    lines.append(
        f"\n{report['model']} · {usage['input_tokens']} in, {usage['output_tokens']} out"
        f" ({cached}) · {cost_text(report['cost_usd'])}"
        f" · {report['total_ms'] / 1000:.1f} s"
    )
    if report["highlight_id"] is not None:
        lines.append(f"Saved as highlight {report['highlight_id']}.")
    return "\n".join(lines) + "\n"
