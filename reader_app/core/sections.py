"""The contents entry a place falls under, looked up in logarithmic time.

``Book.section_title`` walks the whole table of contents for each place, which is right
for one highlight and far too slow for thousands (War and Peace has 384 entries: 20,000
highlights took over 8 s). :class:`SectionFinder` sorts the entries once per book.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence


class SectionFinder:
    """Answers ``Book.section_title`` for many places of one book (``Book.sections()``)."""

    def __init__(
        self,
        labels: Iterable[str],
        entries: Iterable[tuple[str, int, int]],
        pages: Iterable[Sequence[tuple[int, str]]] = (),
    ) -> None:
        """Sort the book's contents entries by chapter and offset.

        Args:
            labels: each chapter's own title, the fallback for a place no entry covers.
            entries: the contents entries as (title, chapter, offset), in reading order.
            pages: each chapter's printed pages as (offset, label), for a paginated book.
        """
        self._pages = tuple(pages)
        # Titles, not the book: the book keeps its finder (see Book.sections), and a
        # reference back would make a cycle that only the cycle collector frees (a
        # reopened book then stayed in memory).
        self._labels = tuple(labels)
        found_at: dict[int, list[tuple[int, int, str]]] = {}
        for order, (title, chapter, offset) in enumerate(entries):
            found_at.setdefault(chapter, []).append((offset, order, title))
        entries_by_chapter = found_at
        # Of entries at the same offset the last in reading order wins, as in Book.
        self._entries = {c: sorted(found) for c, found in entries_by_chapter.items()}
        self._offsets = {c: [e[0] for e in found] for c, found in self._entries.items()}

    def title(self, chapter: int, offset: int) -> str:
        """The title of the entry that ``offset`` of ``chapter`` falls under.

        Args:
            chapter: the chapter index.
            offset: a code point offset in its text.

        Returns:
            The same title as ``Book.section_title(chapter, offset)``.
        """
        offsets = self._offsets.get(chapter)
        if offsets:
            index = bisect_right(offsets, offset)
            if index:
                return self._entries[chapter][index - 1][2]
        return self._labels[chapter]

    def place(self, chapter: int, offset: int) -> str:
        """The section's title, with the printed page where the book has pages (a PDF).

        This is what a highlight keeps as its place, and what exports and lists show:
        "Chapter 3, p. 42" lets a reader find the passage in the printed book.
        """
        title = self.title(chapter, offset)
        page = page_label(self._pages[chapter], offset) if chapter < len(self._pages) else ""
        return f"{title}, p. {page}" if page else title


def page_label(pages: Sequence[tuple[int, str]], offset: int) -> str:
    """The label of the page that ``offset`` falls on; "" before the first or without pages."""
    index = bisect_right(pages, offset, key=lambda page: page[0])
    return pages[index - 1][1] if index else ""
