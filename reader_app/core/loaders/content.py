"""What a container-format loader (EPUB, PDF, MOBI, FB2) hands to the common book assembly."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reader_app.core.book import BookFormat, Chapter, TocEntry


@dataclass
class BookContent:
    """A book's parts as one loader found them, before the shared limits and assembly.

    Attributes:
        resources: the names of images the view may ask for; the loader's own resource
            reader reads them again from the file on demand.
        about: Project Gutenberg's wrapping, kept out of the reading flow.
    """

    title: str
    authors: tuple[str, ...]
    language: str
    format: BookFormat
    chapters: list[Chapter]
    toc: list[TocEntry]
    resources: frozenset[str] = frozenset()
    warnings: list[str] = field(default_factory=list)
    about: list[str] = field(default_factory=list)
