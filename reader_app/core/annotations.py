"""An annotation as exports and the annotations browser see it.

A highlight with its book, its note, and its latest analysis; the reader's correction wins
over the model's answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from reader_app.core.tone_result import ToneResult

if TYPE_CHECKING:
    from reader_app.core.guesses import Guess


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where an analysis came from, for every export."""

    model: str = ""
    prompt_version: str = ""
    analysed_at: str = ""
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    corrected: bool = False  # the reader corrected the model's answer


@dataclass(frozen=True, slots=True)
class Annotation:
    """One highlight, ready to show or export.

    Attributes:
        highlight_id: its id in the library.
        book_id: the book's SHA-256 (or an ``import:`` id for a book known only by title).
        book_title, book_authors: the book's metadata.
        chapter: the chapter index; ``start``/``end`` are offsets in its text.
        section: the title of the section it stands in.
        quote, prefix, suffix: the W3C quote selector.
        color, note: the reader's.
        orphaned: its text was not found in the book as it is now.
        created_at, updated_at: UTC ISO 8601.
        analysis: tone, polarity, emotions, evidence, explanation, confidence; None when
            the highlight has no analysis.
        provenance: model, prompt version, date, tokens and cost of that analysis.
        source: where the highlight came from ("" the app, "kindle", "w3c", …).
        chapter_key: the chapter's stable key (an EPUB's document path in the archive).
        book_format: the book's format as the library keeps it ("EPUB 3", "Plain text"…).
        book_language: the book's language tag ("en", "ar"…), or empty when unknown.
        guess: the learner's latest guess in practice mode, or None.
        tone_result: the analysis read as a :class:`ToneResult` (empty when there is
            none, and empty parts where it is malformed); computed from ``analysis`` when
            the annotation is made, not an argument.
    """

    highlight_id: int
    book_id: str
    book_title: str
    book_authors: tuple[str, ...]
    chapter: int
    section: str
    start: int
    end: int
    quote: str
    prefix: str = ""
    suffix: str = ""
    color: str = "yellow"
    note: str = ""
    orphaned: bool = False
    created_at: str = ""
    updated_at: str = ""
    analysis: dict[str, Any] | None = None
    provenance: Provenance = field(default_factory=Provenance)
    source: str = ""
    chapter_key: str = ""
    book_format: str = ""
    book_language: str = ""
    guess: Guess | None = None
    tone_result: ToneResult = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Read once, here: an export or the annotations browser reads several parts of it
        # for each of tens of thousands of annotations, and parsing on every read put the
        # exports over their time budget. The class is frozen, hence object.__setattr__.
        object.__setattr__(self, "tone_result", ToneResult.load(self.analysis))

    @property
    def tone(self) -> str:
        """The tone label, or ""."""
        return self.tone_result.tone

    @property
    def polarity(self) -> str:
        """The polarity, or ""."""
        return self.tone_result.polarity

    @property
    def dominant_emotion(self) -> str:
        """The strongest emotion's name, or ""."""
        return self.tone_result.dominant_emotion
