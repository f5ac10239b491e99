"""The contents entry a place falls under, looked up in logarithmic time.

``Book.section_title`` walks the whole table of contents for each place, which is right
for one highlight and far too slow for thousands (War and Peace has 384 entries: 20,000
highlights took over 8 s). :class:`SectionFinder` sorts the entries once per book.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reader_app.core.book import Book


class SectionFinder:
    """Answers ``Book.section_title`` for many places of one book."""

    def __init__(self, book: Book) -> None:
        """Sort the book's contents entries by chapter and offset.

        Args:
            book: the book.
        """
        # The fallback titles, not the book: the book keeps its finder, and a reference
        # back would make a cycle that only the cycle collector frees (a reopened book
        # then stayed in memory).
        self._labels = tuple(book.chapter_label(i) for i in range(len(book.chapters)))
        entries: dict[int, list[tuple[int, int, str]]] = {}
        for order, (_depth, entry) in enumerate(book.toc_entries()):
            entries.setdefault(entry.chapter, []).append((entry.offset, order, entry.title))
        # Of entries at the same offset the last in reading order wins, as in Book.
        self._entries = {chapter: sorted(found) for chapter, found in entries.items()}
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
