"""What the library stores, as the layers above it see it: plain frozen records.

The repositories in ``storage/`` read and write them; the application layer, the services
and the window pass them around without knowing about SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reader_app.core.examples import Example

DEFAULT_COLOR = "yellow"


@dataclass(frozen=True)
class NewHighlight:
    """A highlight the user just made, before the database gives it an id.

    Attributes:
        book_id: the book's SHA-256 hex; the book must already be recorded.
        chapter: chapter index.
        chapter_key: the chapter's stable key (EPUB href), to find it if chapters move.
        start: first code point of the passage in the chapter's plain text.
        end: one past the last code point; ``end >= start``.
        quote: the passage's exact text.
        prefix: about 32 characters before the passage.
        suffix: about 32 characters after it.
        color: a colour name.
        note: the user's note.
    """

    book_id: str
    chapter: int
    chapter_key: str
    start: int
    end: int
    quote: str
    prefix: str = ""
    suffix: str = ""
    color: str = DEFAULT_COLOR
    note: str = ""
    section: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        """Reject positions that cannot come from a real selection.

        Raises:
            ValueError: a negative chapter or start, or ``end < start``.
        """
        check_position(self.chapter, self.start, self.end)


@dataclass(frozen=True)
class Highlight:
    """A stored highlight.

    Attributes:
        id: the database id.
        book_id: the book's SHA-256 hex.
        chapter: chapter index.
        chapter_key: the chapter's stable key.
        start: first code point of the passage.
        end: one past the last code point.
        quote: the passage's exact text.
        prefix: context before the passage.
        suffix: context after it.
        color: a colour name.
        note: the user's note, or empty.
        orphaned: True when the passage could not be found in the book any more.
        created_at: when it was made (UTC, ISO-8601 with Z).
        updated_at: when it was last changed.
    """

    id: int
    book_id: str
    chapter: int
    chapter_key: str
    start: int
    end: int
    quote: str
    prefix: str
    suffix: str
    color: str
    note: str
    orphaned: bool
    created_at: str
    updated_at: str
    section: str = ""
    source: str = ""


def check_position(chapter: int, start: int, end: int) -> None:
    """Reject a position no selection can produce.

    Args:
        chapter: chapter index.
        start: start offset.
        end: end offset.

    Raises:
        ValueError: a negative chapter or start, or ``end < start``.
    """
    if chapter < 0 or start < 0 or end < start:
        raise ValueError(f"impossible position: chapter={chapter}, start={start}, end={end}")


@dataclass(frozen=True)
class BookRecord:
    """One row of ``books``.

    Attributes:
        id: SHA-256 of the file bytes, lowercase hex.
        path: where the file was last opened from.
        title: the book's title.
        authors: the authors, in the order the book lists them.
        language: a BCP 47 tag such as ``en``, or empty when unknown.
        format: the format's display name (``BookFormat.value``).
        chapter_count: number of chapters when last opened.
        char_count: total plain-text length in code points when last opened.
        added_at: when the book was first opened (UTC, ISO-8601 with Z).
        last_opened_at: when it was last opened, or None.
        position_chapter: the chapter the reader was at.
        position_offset: the code-point offset inside that chapter.
        progress: fraction of the book read, 0.0 to 1.0.
        in_recent: whether it shows in the Recent list.
    """

    id: str
    path: str
    title: str
    authors: tuple[str, ...]
    language: str
    format: str
    chapter_count: int
    char_count: int
    added_at: str
    last_opened_at: str | None
    position_chapter: int
    position_offset: int
    progress: float
    in_recent: bool


@dataclass(frozen=True)
class StoredExample:
    """An example with its row id."""

    id: int
    example: Example


@dataclass(frozen=True)
class ExampleSet:
    """A named set of examples."""

    id: int
    name: str
    size: int


@dataclass(frozen=True)
class NewAnalysis:
    """What an analysis attempt produced (``status`` "ok" or "failed")."""

    highlight_id: int
    status: str
    model: str = ""
    prompt_version: str = ""
    tone: str = ""
    polarity: str = ""
    dominant_emotion: str = ""
    result: dict[str, Any] | None = None
    dropped_evidence: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_tokens: int = 0
    cache_read_tokens: int = 0
    cost_usd: float = 0.0
    ttft_ms: float = 0.0
    total_ms: float = 0.0
    request_id: str = ""
    error_kind: str = ""
    error_message: str = ""


@dataclass(frozen=True)
class AnalysisRecord(NewAnalysis):
    """A stored attempt."""

    id: int = 0
    created_at: str = ""

    @property
    def adjusted(self) -> tuple[str, ...]:
        """What was repaired in the model's answer to fit the schema (kept in the result)."""
        notes = (self.result or {}).get("adjusted")
        return tuple(n for n in notes if isinstance(n, str)) if isinstance(notes, list) else ()


@dataclass(frozen=True)
class EvalSetInfo:
    """A stored evaluation set.

    Attributes:
        id: its row id.
        name: what the reader called it.
        source: where the items came from (a file path, "corrections", …).
        field: the field it evaluates: "tone", "polarity" or "emotion".
        created_at: when it was stored (UTC ISO 8601).
        size: how many items it has.
    """

    id: int
    name: str
    source: str
    field: str
    created_at: str
    size: int


@dataclass(frozen=True)
class EvalRunInfo:
    """A stored run.

    Attributes:
        id: its row id.
        set_id: the set it ran over.
        created_at: when it started.
        status: "running" (also a run that was killed: resume it), "done" or "canceled".
        field: the evaluated field.
        config: model, prompt_version, objective, level, language, strategy, k, … as
            the runner described them.
        finished_at: when it ended, or None.
        answered: how many items have an answer (ok or failed).
    """

    id: int
    set_id: int
    created_at: str
    status: str
    field: str
    config: dict[str, Any]
    finished_at: str | None
    answered: int


@dataclass(frozen=True)
class BatchJob:
    """One batch of analyses sent to the Message Batches API.

    Attributes:
        items: one dict per request: ``custom_id``, ``highlight_id``, ``prompt_version``,
            ``model`` and ``saved`` (whether its result is stored).
        status: "submitting", "in_progress", "canceling", "ended" (results not all saved
            yet), "done", "failed" or "canceled".
        counts: the API's request counts.
    """

    id: int
    remote_id: str
    book_id: str
    status: str
    created_at: str
    updated_at: str
    items: list[dict[str, Any]]
    counts: dict[str, int]
    error: str
