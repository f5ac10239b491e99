"""The book model every loader produces and every reader view consumes."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from reader_app.core.sections import SectionFinder, page_label
from reader_app.core.toc_steps import TocSteps


class BookFormat(enum.Enum):
    """The file formats Tone Reader opens."""

    EPUB2 = "EPUB 2"
    EPUB3 = "EPUB 3"
    TEXT = "Plain text"
    HTML = "HTML"
    MARKDOWN = "Markdown"
    PDF = "PDF"
    MOBI = "MOBI"
    AZW3 = "AZW3"
    FB2 = "FB2"


@dataclass(frozen=True, slots=True)
class Chapter:
    """One unit of reading: an EPUB spine item, or a section of a single-file book.

    Attributes:
        title: the human title shown in the window and lists.
        html: sanitised HTML in the subset QTextBrowser renders. Images use ``res:`` URLs,
            links inside the book ``book:`` URLs.
        text: the chapter's plain text. Offsets everywhere (anchors, search, positions) are
            code points into this string, and it equals what the reader view shows as text.
        anchors: element ids (link targets) mapped to offsets into ``text``.
        key: a stable name for the chapter inside the book (EPUB href, or an index).
        linear: False for EPUB items outside the reading order.
        pages: for a paginated source (PDF), where each printed page starts in ``text``,
            as (offset, page label) in ascending offset order; empty for other formats.
    """

    title: str
    html: str
    text: str
    anchors: dict[str, int] = field(default_factory=dict)
    key: str = ""
    linear: bool = True
    pages: tuple[tuple[int, str], ...] = ()

    def page_at(self, offset: int) -> str:
        """The label of the printed page a place falls on, or "" where the source has none."""
        return page_label(self.pages, offset)


@dataclass(frozen=True, slots=True)
class TocEntry:
    """A table-of-contents entry pointing at a place in a chapter."""

    title: str
    chapter: int
    offset: int = 0
    children: tuple[TocEntry, ...] = ()

    def walk(self, depth: int = 0) -> Iterator[tuple[int, TocEntry]]:
        """Yield (depth, entry) for this entry and all below it, in order."""
        yield depth, self
        for child in self.children:
            yield from child.walk(depth + 1)


ResourceReader = Callable[[str], bytes | None]


def _no_resources(_name: str) -> bytes | None:
    return None


@dataclass(frozen=True, slots=True)
class Book:
    """A loaded book.

    Attributes:
        book_id: SHA-256 of the file bytes, the book's identity in the library.
        path: where it was opened from.
        title, authors, language: metadata (empty where the file says nothing).
        format: which loader produced it.
        chapters: in reading order.
        toc: the table of contents (derived from headings when the file has none).
        read_resource: returns the bytes of an image named in a ``res:`` URL, or None.
        warnings: problems the loader recovered from, for the user to see once.
    """

    book_id: str
    path: str
    title: str
    authors: tuple[str, ...]
    language: str
    format: BookFormat
    chapters: tuple[Chapter, ...]
    toc: tuple[TocEntry, ...]
    read_resource: ResourceReader = _no_resources
    warnings: tuple[str, ...] = ()
    # The sorted contents, made at the first section_title: the Highlights panel and
    # exports ask for thousands of places, and a walk of the contents per place took 8 s.
    _sections: list[SectionFinder] = field(
        default_factory=list, init=False, repr=False, compare=False
    )
    # The places Next and Previous stop at, chosen once (see core/toc_steps.py).
    _steps: list[TocSteps] = field(default_factory=list, init=False, repr=False, compare=False)

    @property
    def char_count(self) -> int:
        """All characters of all chapters."""
        return sum(len(c.text) for c in self.chapters)

    def toc_entries(self) -> Iterator[tuple[int, TocEntry]]:
        """Every TOC entry with its depth, in order."""
        for entry in self.toc:
            yield from entry.walk()

    def section_title(self, chapter: int, offset: int) -> str:
        """The title of the contents entry a place falls under (a poem inside a volume).

        Falls back to the chapter's own title when no entry starts in that chapter
        before the place.
        """
        return self.sections().title(chapter, offset)

    def place_title(self, chapter: int, offset: int) -> str:
        """The section title, and the printed page where the book has pages (a PDF)."""
        return self.sections().place(chapter, offset)

    def sections(self) -> SectionFinder:
        """The contents sorted for finding many places' section titles, made once."""
        if not self._sections:
            labels = (self.chapter_label(i) for i in range(len(self.chapters)))
            entries = ((e.title, e.chapter, e.offset) for _depth, e in self.toc_entries())
            pages = (c.pages for c in self.chapters)
            self._sections.append(SectionFinder(labels, entries, pages))
        return self._sections[0]

    def steps(self) -> TocSteps:
        """The sections Next and Previous step through, made once."""
        if not self._steps:
            self._steps.append(
                TocSteps(
                    [c.text for c in self.chapters],
                    [self.chapter_label(i) for i in range(len(self.chapters))],
                    [c.linear for c in self.chapters],
                    (
                        (depth, e.title, e.chapter, e.offset, bool(e.children))
                        for depth, e in self.toc_entries()
                    ),
                )
            )
        return self._steps[0]

    def chapter_label(self, index: int) -> str:
        """The chapter's title, or a numbered fallback."""
        chapter = self.chapters[index]
        return chapter.title or f"Section {index + 1}"
