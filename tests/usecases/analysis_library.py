"""A real library on disk and a real book, for the tone-analysis use cases (no Qt, no window)."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reader_app.cli.analysis_results import save_highlight
from reader_app.config.settings import Settings
from reader_app.core.examples import read_jsonl
from reader_app.core.loaders import load_book
from reader_app.storage.analyses import AnalysisRepository
from reader_app.storage.corrections import CorrectionRepository
from reader_app.storage.db import open_database
from reader_app.storage.examples import ExampleRepository
from reader_app.storage.highlights import HighlightRepository

if TYPE_CHECKING:
    import sqlite3

    from reader_app.core.book import Book
    from reader_app.core.records import Highlight

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"
BALLADS = CORPUS / "books" / "lyrical-ballads_standardebooks_epub3.epub"
PRIDE = CORPUS / "books" / "pride-and-prejudice_pg1342_utf8-bom.txt"
SEED = ROOT / "resources" / "examples" / "seed.jsonl"

# Lines of "The Tables Turned", in reading order.
SWEET = "Sweet is the lore which Nature brings;"
MEDDLING = "Our meddling intellect"
MURDER = "We murder to dissect."
ENOUGH = "Enough of Science and of Art;"


@functools.cache
def ballads() -> Book:
    """Lyrical Ballads (Standard Ebooks EPUB 3), loaded once for every test."""
    return load_book(BALLADS)


@functools.cache
def pride() -> Book:
    """Pride and Prejudice (Project Gutenberg plain text), loaded once for every test."""
    return load_book(PRIDE)


def place_in(book: Book, text: str, after: str = "") -> tuple[int, int, int]:
    """(chapter, start, end) of the first ``text`` in the book (after ``after`` if given)."""
    for index, chapter in enumerate(book.chapters):
        origin = chapter.text.find(after) if after else 0
        if origin < 0:
            continue
        start = chapter.text.find(text, origin)
        if start >= 0:
            return index, start, start + len(text)
    raise AssertionError(f"{text!r} is not in {book.title}")


@dataclass
class Library:
    """A fresh ``library.sqlite3`` and the repositories the use cases work with."""

    conn: sqlite3.Connection
    settings: Settings = field(default_factory=Settings)

    @property
    def analyses(self) -> AnalysisRepository:
        return AnalysisRepository(self.conn)

    @property
    def highlights(self) -> HighlightRepository:
        return HighlightRepository(self.conn)

    @property
    def examples(self) -> ExampleRepository:
        return ExampleRepository(self.conn)

    @property
    def corrections(self) -> CorrectionRepository:
        return CorrectionRepository(self.conn)

    def seed_examples(self) -> None:
        """The shipped examples, loaded as the app loads them on a first start."""
        self.examples.seed_once(read_jsonl(SEED)[0])

    def highlight(self, book: Book, text: str, after: str = "") -> Highlight:
        """Keep a passage of the book as a highlight, as ``analyze --save`` does."""
        highlight_id = save_highlight(self.conn, book, place_in(book, text, after))
        found = self.highlights.get(highlight_id)
        assert found is not None
        return found

    def change(self, **changes: Any) -> None:
        """Change the settings in force, as the settings dialog would."""
        self.settings = replace(self.settings, **changes)

    def current(self) -> Settings:
        """The settings in force (what the app's settings store gives)."""
        return self.settings


def open_library(path: Path) -> Library:
    """A new library at ``path``."""
    return Library(open_database(path))
