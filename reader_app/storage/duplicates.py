"""Telling an imported annotation from one the library already has, without a query each."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import sqlite3

    from reader_app.core.importers import ImportedAnnotation


class Planned(Protocol):
    """Where an import decided to put an annotation."""

    @property
    def item(self) -> ImportedAnnotation:
        """The annotation."""

    @property
    def orphaned(self) -> bool:
        """Whether it was not placed in the book's text."""

    @property
    def chapter(self) -> int:
        """Its chapter."""

    @property
    def start(self) -> int:
        """Its start."""

    @property
    def end(self) -> int:
        """Its end."""


@dataclass
class KnownHighlights:
    """A book's highlights as duplicates are told, read once per import, not once per item.

    Attributes:
        notes: the notes of its highlights without a quote.
        quotes: the quotes of its highlights.
        places: (quote, chapter, start, end) of its highlights.
    """

    notes: set[str]  # the notes of highlights without a quote
    quotes: set[str]
    places: set[tuple[str, int, int, int]]  # (quote, chapter, start, end)

    @classmethod
    def of(cls, conn: sqlite3.Connection, book_id: str) -> KnownHighlights:
        """Read the highlights of ``book_id``."""
        rows = conn.execute(
            "SELECT quote, note, chapter, start, end FROM highlights WHERE book_id = ?",
            (book_id,),
        ).fetchall()
        return cls(
            {str(r["note"]) for r in rows if not r["quote"]},
            {str(r["quote"]) for r in rows},
            {(str(r["quote"]), int(r["chapter"]), int(r["start"]), int(r["end"])) for r in rows},
        )

    def has(self, plan: Planned) -> bool:
        """Whether the book already has this annotation (from an earlier import, say)."""
        item = plan.item
        if not item.quote:
            # A note that belongs to no highlight is the same note when its text is.
            return item.note in self.notes
        if plan.orphaned and item.start is None:
            # Where it is, is unknown: the same quote on the same book is the same highlight.
            return item.quote in self.quotes
        return (item.quote, plan.chapter, plan.start, plan.end) in self.places

    def add(self, plan: Planned) -> None:
        """Count an annotation just stored, so a second copy in the same file is skipped."""
        item = plan.item
        if not item.quote:
            self.notes.add(item.note)
        self.quotes.add(item.quote)
        self.places.add((item.quote, plan.chapter, plan.start, plan.end))
