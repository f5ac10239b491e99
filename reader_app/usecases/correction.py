"""The reader corrects an answer: the original stays, the correction sits beside it.

A correction can also be kept as an example, so that later answers learn from it: it
goes into the example library tagged "corrected", with where the passage comes from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reader_app.core.examples import Example

if TYPE_CHECKING:
    from reader_app.core.book import Book
    from reader_app.core.records import Highlight
    from reader_app.storage.corrections import CorrectionRepository
    from reader_app.storage.examples import ExampleRepository

CORRECTED_TAG = "corrected"


@dataclass(frozen=True, slots=True)
class KeptCorrection:
    """What keeping a correction stored.

    Attributes:
        correction_id: the correction.
        example_id: the example made from it, or None when it was not kept as one.
        dominant_emotion: the corrected answer's strongest emotion (the highlight's colour).
    """

    correction_id: int
    example_id: int | None
    dominant_emotion: str


def example_source(book: Book | None, item: Highlight) -> str:
    """Where a highlight's passage comes from, for an example ("Title, Chapter").

    Empty when the book open is not the highlight's (its chapter titles are not known).
    """
    if book is None or book.book_id != item.book_id:
        return ""
    return f"{book.title}, {book.section_title(item.chapter, item.start)}"


def example_from(item: Highlight, result: dict[str, Any], source: str) -> Example:
    """The example a corrected answer makes: the passage and its right labels.

    Who speaks goes along when the answer names someone ("unknown" teaches nothing).
    """
    speaker = " ".join(str(result.get("speaker") or "").split())
    addressee = " ".join(str(result.get("addressee") or "").split())
    if speaker.lower() == "unknown":
        speaker = ""
    if addressee.lower() == "unknown":
        addressee = ""
    return Example(
        excerpt=item.quote,
        tone=str(result["tone"]),
        emotions=tuple((str(e["name"]), float(e["intensity"])) for e in result["emotions"]),
        explanation=str(result.get("explanation", "")),
        source=source,
        tags=(CORRECTED_TAG,),
        speaker=speaker,
        addressee=addressee,
    )


def keep_correction(
    corrections: CorrectionRepository,
    examples: ExampleRepository,
    item: Highlight,
    analysis_id: int,
    result: dict[str, Any],
    *,
    as_example: bool,
    source: str = "",
) -> KeptCorrection:
    """Store the reader's correction of an analysis, and the example made from it if asked.

    Args:
        corrections: where corrections are kept.
        examples: the example library.
        item: the highlight the analysis is about.
        analysis_id: the analysis corrected (it stays as it was).
        result: the corrected answer: a tone, emotions strongest first (at least one),
            an explanation, and whatever else the original had.
        as_example: also keep it as an example for later answers.
        source: where the passage comes from (see :func:`example_source`).

    Raises:
        StorageError: the library could not be written.
    """
    example_id = examples.add(example_from(item, result, source)) if as_example else None
    stored = corrections.add(analysis_id, result, example_id)
    return KeptCorrection(stored.id, example_id, stored.dominant_emotion)
