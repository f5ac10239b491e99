"""What the window's widgets ask of the library, as shapes rather than storage classes.

The repositories in ``storage/`` fit these shapes and the composition root passes them in,
so no widget imports ``storage/`` and a widget test can hand in anything that fits. Each
shape lists only what its widgets call; mypy checks at the composition root that the real
repository still fits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from reader_app.core.annotations import Annotation
    from reader_app.core.eval_data import EvalAnswer, EvalItem
    from reader_app.core.examples import Example
    from reader_app.core.guesses import Guess, StoredGuess
    from reader_app.core.records import (
        BookRecord,
        EvalRunInfo,
        EvalSetInfo,
        ExampleSet,
        Highlight,
        StoredExample,
    )


class BookShelf(Protocol):
    """The books the reader has opened: the Recent list and each book's place."""

    def get(self, book_id: str) -> BookRecord | None:
        """The book's row, or None."""
        ...

    def recent(self, limit: int = 10) -> list[BookRecord]:
        """The most recently opened books, newest first."""
        ...

    def forget(self, book_id: str) -> None:
        """Take a book off the Recent list."""
        ...

    def record_opened(
        self,
        book_id: str,
        path: str,
        title: str,
        authors: Sequence[str],
        language: str,
        format_name: str,
        chapter_count: int,
        char_count: int,
    ) -> BookRecord:
        """Note that a book was opened now, from ``path``."""
        ...

    def save_position(self, book_id: str, chapter: int, offset: int, progress: float) -> None:
        """Keep the reader's place in a book."""
        ...


class ExampleLibrary(Protocol):
    """The reader's examples and their named sets (the Examples window)."""

    def all(self) -> list[StoredExample]:
        """Every example, oldest first."""
        ...

    def get(self, example_id: int) -> StoredExample | None:
        """One example, or None."""
        ...

    def add(self, example: Example) -> int:
        """Store a new example; its id."""
        ...

    def add_many(self, examples: Sequence[Example]) -> list[int]:
        """Store several in one go; their ids."""
        ...

    def update(self, example_id: int, example: Example) -> None:
        """Replace an example's content."""
        ...

    def delete(self, example_id: int) -> StoredExample | None:
        """Delete an example; what was deleted, for undo."""
        ...

    def restore(self, stored: StoredExample) -> None:
        """Bring a deleted example back, with its set memberships."""
        ...

    def sets(self) -> list[ExampleSet]:
        """The named sets."""
        ...

    def create_set(self, name: str) -> int:
        """A new empty set; its id."""
        ...

    def delete_set(self, set_id: int) -> None:
        """Delete a set (its examples stay)."""
        ...

    def members(self, set_id: int) -> list[StoredExample]:
        """The examples in a set."""
        ...

    def set_members(self, set_id: int, example_ids: Sequence[int]) -> None:
        """Make a set hold exactly these examples."""
        ...

    def active_set(self, book_id: str) -> int | None:
        """The set a book's analyses use, or None for the whole library."""
        ...

    def set_active(self, book_id: str, set_id: int | None) -> None:
        """Choose the set a book's analyses use."""
        ...


class EvalLibrary(Protocol):
    """Labelled evaluation sets and the runs over them (the Evaluate window)."""

    def sets(self) -> list[EvalSetInfo]:
        """Every evaluation set."""
        ...

    def find_set(self, name: str, field: str, items: Sequence[EvalItem]) -> int | None:
        """The id of an identical set stored before, or None."""
        ...

    def create_set(self, name: str, source: str, field: str, items: Sequence[EvalItem]) -> int:
        """Store a new set; its id."""
        ...

    def items(self, set_id: int) -> list[tuple[int, EvalItem]]:
        """A set's items with their ids."""
        ...

    def runs(self, set_id: int | None = None) -> list[EvalRunInfo]:
        """The runs, of one set or of all."""
        ...

    def run(self, run_id: int) -> EvalRunInfo | None:
        """One run, or None."""
        ...

    def answers(self, run_id: int) -> list[EvalAnswer]:
        """A run's answers."""
        ...

    def set_override(self, run_id: int, item_id: int, correct: bool | None) -> bool:
        """The reader's own verdict on an answer (None takes it back)."""
        ...


class AnnotationSource(Protocol):
    """Highlights with their notes and latest analysis, for the annotations browser."""

    def all(self) -> list[Annotation]:
        """Every annotation in the library."""
        ...

    def for_book(self, book_id: str) -> list[Annotation]:
        """One book's annotations."""
        ...


class HighlightEdits(Protocol):
    """The changes the annotations browser makes to highlights."""

    def set_note(self, highlight_id: int, note: str) -> Highlight | None:
        """Replace a highlight's note; the changed highlight, or None if it is gone."""
        ...

    def delete(self, highlight_id: int) -> Highlight | None:
        """Delete a highlight; what was deleted, for undo."""
        ...

    def restore(self, highlight: Highlight) -> Highlight:
        """Bring a deleted highlight back."""
        ...


class GuessStore(Protocol):
    """Where practice-mode guesses are kept (storage/guesses.py)."""

    def add(self, highlight_id: int, analysis_id: int | None, guess: Guess) -> int:
        """Keep a guess; returns its id."""
        ...

    def set_correction(self, guess_id: int, correction_id: int) -> None:
        """Record that the learner insisted on a guess, and the correction it became."""
        ...

    def all(self) -> list[StoredGuess]:
        """Every guess, oldest first."""
        ...


class SpeakerNames(Protocol):
    """The reader's own grouping of a book's speaker names (storage/speaker_names.py)."""

    def for_book(self, book_id: str) -> dict[str, str]:
        """Name → character, where the reader chose."""
        ...

    def assign(self, book_id: str, names: Iterable[str], character: str) -> None:
        """Put names under one character."""
        ...

    def forget(self, book_id: str) -> None:
        """Back to the automatic grouping."""
        ...
