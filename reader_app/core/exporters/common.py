"""What every exporter needs: book grouping, reading order, analysis text, provenance text.

Exporters read an annotation's analysis through ``Annotation.tone_result``, read once when
the annotation is made. A correction may leave fields out, and an old library may hold
answers from an older schema; :meth:`ToneResult.load` leaves such parts empty rather than
raising, so neither does an export.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from reader_app.core.emotions import PLUTCHIK_COLORS
from reader_app.core.tone_result import speaker_text

if TYPE_CHECKING:
    from collections.abc import Sequence

    from reader_app.core.annotations import Annotation, Provenance
    from reader_app.core.tone_result import ToneResult

APP_NAME = "Tone Reader"
UNKNOWN_EMOTION_COLOR = "#9e9e9e"
ORPHANED_HEADING = "Not found in the current text"


@dataclass(frozen=True, slots=True)
class BookGroup:
    """One book's annotations, in reading order.

    Attributes:
        book_id: the book's SHA-256 (or its ``import:`` id).
        title: the title ("Untitled" when the library has none).
        authors: the authors.
        annotations: the annotations, in reading order, orphans last.
    """

    book_id: str
    title: str
    authors: tuple[str, ...]
    annotations: tuple[Annotation, ...]


def reading_order(annotation: Annotation) -> tuple[bool, int, int, int, int]:
    """The sort key of reading order within a book: orphans last, then by position."""
    a = annotation
    return (a.orphaned, a.chapter, a.start, a.end, a.highlight_id)


def group_by_book(annotations: Sequence[Annotation]) -> list[BookGroup]:
    """Split annotations by book: books in order of first appearance, each in reading order.

    Exporters sort themselves rather than trusting the caller, so that the same set of
    annotations gives the same file whatever order a query returned them in.
    """
    by_book: dict[str, list[Annotation]] = {}
    for annotation in annotations:
        by_book.setdefault(annotation.book_id, []).append(annotation)
    groups = []
    for book_id, items in by_book.items():
        items.sort(key=reading_order)
        first = items[0]
        groups.append(
            BookGroup(book_id, first.book_title or "Untitled", first.book_authors, tuple(items))
        )
    return groups


def export_label(groups: Sequence[BookGroup]) -> str:
    """The export's name: "Tone Reader — <title>" for one book, "— Library" for more."""
    subject = groups[0].title if len(groups) == 1 else "Library"
    return f"{APP_NAME} — {subject}"


def section_label(annotation: Annotation) -> str:
    """The heading an annotation stands under: its section title, else its chapter number."""
    if annotation.orphaned:
        return ORPHANED_HEADING
    return annotation.section or f"Chapter {annotation.chapter + 1}"


def emotion_color(name: str) -> str:
    """The Plutchik wheel colour of an emotion (grey for a name outside the wheel)."""
    return PLUTCHIK_COLORS.get(name.casefold(), UNKNOWN_EMOTION_COLOR)


def percent(intensity: float) -> str:
    """An intensity as a whole percentage, "70%"."""
    return f"{round(intensity * 100)}%"


def emotions_text(result: ToneResult) -> str:
    """The emotions as "disgust 70%, anger 40%", or ""."""
    return ", ".join(f"{e.name} {percent(e.intensity)}" for e in result.emotions)


def guess_text(annotation: Annotation) -> str:
    """The learner's guess in practice mode: 'negative; anger, sadness; “bitter”', or ""."""
    guess = annotation.guess
    if guess is None:
        return ""
    parts = [guess.polarity, ", ".join(guess.emotions), f"“{guess.tone}”" if guess.tone else ""]
    return "; ".join(p for p in parts if p)


def tone_summary(annotation: Annotation) -> str:
    """One line: "Tone: Harsh and Condemning (disgust 70%) — explanation", or ""."""
    if annotation.analysis is None:
        return ""
    result = annotation.tone_result
    summary = f"Tone: {result.tone or '(no label)'}"
    emotions = emotions_text(result)
    if emotions:
        summary += f" ({emotions})"
    speaker = speaker_text(result)
    if speaker:
        summary += f"; speaker: {speaker}"
    if guess_text(annotation):
        summary += f"; your guess: {guess_text(annotation)}"
    explanation = " ".join(result.explanation.split())
    return f"{summary} — {explanation}" if explanation else summary


def parse_time(value: str) -> datetime | None:
    """An ISO 8601 time from the library as an aware UTC datetime, or None."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    # The library writes UTC with a Z; a time without a zone is taken as UTC too.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def display_time(value: str) -> str:
    """A time for people, "2024-05-01 12:00 UTC"; the input unchanged if it is not one."""
    moment = parse_time(value)
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else value


def provenance_parts(provenance: Provenance, *, usage: bool = True) -> list[str]:
    """The pieces of the provenance line, each a short phrase.

    Args:
        provenance: the analysis's provenance.
        usage: include tokens and cost (off where they would only be noise).

    Returns:
        e.g. ``["claude-x", "prompt 3f2a", "analysed 2024-05-01 12:00 UTC",
        "1,200 in / 300 out tokens", "$0.0042", "corrected by you"]``.
    """
    parts = [provenance.model or "unknown model"]
    if provenance.prompt_version:
        parts.append(f"prompt {provenance.prompt_version}")
    if provenance.analysed_at:
        parts.append(f"analysed {display_time(provenance.analysed_at)}")
    # An imported or hand-made analysis has no usage: "0 tokens · $0.0000" would be noise.
    if usage and (provenance.input_tokens or provenance.output_tokens):
        parts.append(f"{provenance.input_tokens:,} in / {provenance.output_tokens:,} out tokens")
    if usage and provenance.cost_usd:
        parts.append(f"${provenance.cost_usd:.4f}")
    if provenance.corrected:
        parts.append("corrected by you")
    return parts


def provenance_text(provenance: Provenance, *, usage: bool = True) -> str:
    """The provenance as one line joined with middle dots."""
    return " · ".join(provenance_parts(provenance, usage=usage))


def usage_summary(annotations: Sequence[Annotation]) -> tuple[list[str], list[str], str]:
    """For a header: the models used, the prompt versions used, and total tokens and cost."""
    analysed = [a.provenance for a in annotations if a.analysis is not None]
    models = sorted({p.model for p in analysed if p.model})
    prompts = sorted({p.prompt_version for p in analysed if p.prompt_version})
    tokens_in = sum(p.input_tokens for p in analysed)
    tokens_out = sum(p.output_tokens for p in analysed)
    cost = sum(p.cost_usd for p in analysed)
    return models, prompts, f"{tokens_in:,} in / {tokens_out:,} out tokens · ${cost:.4f}"


def stable_keys(annotations: Sequence[Annotation]) -> list[str]:
    """A key per annotation that survives re-anchoring and export → import → export.

    The key hashes what never changes in a highlight's life: its book, its creation time
    and its quote (re-anchoring moves positions, an import renumbers database ids). In the
    practically impossible case of two equal keys in one export, later ones get ``-2``,
    ``-3``… so ids stay unique.

    Returns:
        16 hex digits (plus a suffix on a repeat) per annotation, in the order given.
    """
    seen: dict[str, int] = {}
    keys = []
    for a in annotations:
        material = f"{a.book_id}\x1f{a.created_at}\x1f{a.quote}".encode()
        key = hashlib.sha256(material).hexdigest()[:16]
        count = seen.get(key, 0) + 1
        seen[key] = count
        keys.append(key if count == 1 else f"{key}-{count}")
    return keys
