"""The places Next and Previous step through: the book's contents, or its files.

An EPUB's spine files are a poor unit of reading: Project Gutenberg cuts Pride and
Prejudice into 14 files of four or five chapters each, and Standard Ebooks puts each volume
of Lyrical Ballads in one file. The table of contents says where the chapters and poems
start (fragments inside a file included), so the reader steps through its entries:

- Which depth is a step: the contents are walked down while most of a level's text lies
  under entries that have children of their own (front matter → book → volume → poem);
  a level where only a few entries are divided (the numbered stanzas of one poem, the
  parts of another) is not descended into, so Lyrical Ballads steps poem by poem.
- A heading with nothing of its own before the next entry ("Volume I" above the first
  poem) joins that entry: one step that starts at the heading and bears the entry's title.
  Entries that point at the same place are one step, and a file's first entry starts at
  the top of the file when only a heading (a title and author) comes before it.
- Entries in items outside the reading order (an EPUB's non-linear items, such as Project
  Gutenberg's licence moved to the end) are no steps, and no part of the percentage.
- A table that does not describe the book (no entries, or entries that start in files
  holding less than half of the text: targets that did not resolve, or only the first
  file) gives way to the files themselves.

The list is made once per book (``Book.steps()``); finding the step for a place is a
bisection, as in :mod:`reader_app.core.sections`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from itertools import accumulate
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

# Text between two entries that is no more than this reads as a heading, not a section:
# a volume's title above its first poem, a part's name above its first chapter.
HEADING_LINES = 3
HEADING_CHARS = 120
# Previous goes back to the start of the current section when the page is further into it
# than this (about three lines of prose); nearer the start, to the section before.
NEAR_START = 200


@dataclass(frozen=True, slots=True)
class Step:
    """One place Next and Previous stop at.

    Attributes:
        title: the section's title, for the footer.
        chapter: the chapter (spine file or part of one) it starts in.
        offset: where it starts, in code points of that chapter's text.
        named_at: where the entry that names it starts: after ``offset`` when a heading
            ("Volume II") joined the section it heads, else ``offset``.
    """

    title: str
    chapter: int
    offset: int
    named_at: int


@dataclass(frozen=True, slots=True)
class _Entry:
    depth: int
    title: str
    parent: str  # the title of the entry it is under
    chapter: int
    offset: int
    position: int  # in the whole book's characters
    divided: bool  # has entries under it


class TocSteps:
    """The book's steps in reading order, and where a place falls among them."""

    def __init__(
        self,
        texts: Sequence[str],
        labels: Sequence[str],
        linear: Sequence[bool],
        entries: Iterable[tuple[int, str, int, int, bool]],
    ) -> None:
        """Choose the steps from the contents, or from the files when the contents fail.

        Args:
            texts: each chapter's plain text, in reading order.
            labels: each chapter's own title, for steps made from the files.
            linear: whether each chapter is in the reading order (EPUB ``linear``).
            entries: the contents in reading order, as (depth, title, chapter, offset,
                has children).
        """
        self._starts = list(accumulate((len(t) for t in texts), initial=0))
        # Items outside the reading order (a cover, Project Gutenberg's licence moved to
        # the end) are neither stops nor part of the percentage, unless nothing is inside.
        self._linear = list(linear) if any(linear) else [True] * len(texts)
        self._read_starts = list(
            accumulate((len(t) if self._linear[i] else 0 for i, t in enumerate(texts)), initial=0)
        )
        from_toc = _toc_steps(
            texts,
            self._starts,
            (e for e in entries if 0 <= e[2] < len(texts) and self._linear[e[2]]),
        )
        with_text = [i for i, text in enumerate(texts) if text.strip() and self._linear[i]]
        # The files the contents reach must hold at least half of the text: one long
        # file of chapters beside a cover and a title page passes; targets that all fell
        # back to the first file, or three entries for fourteen files, do not.
        reached = {step.chapter for step in from_toc}
        read = sum(len(texts[i]) for i in with_text)
        self.from_toc = bool(from_toc) and 2 * sum(len(texts[i]) for i in reached) >= read
        if self.from_toc:
            self.steps: tuple[Step, ...] = tuple(from_toc)
        else:
            self.steps = tuple(Step(labels[i], i, 0, 0) for i in with_text)
        self._positions = [self._position(s.chapter, s.offset) for s in self.steps]

    def __len__(self) -> int:
        """How many steps the book has."""
        return len(self.steps)

    def _position(self, chapter: int, offset: int) -> int:
        chapter = max(0, min(chapter, len(self._starts) - 2))
        return self._starts[chapter] + offset

    def index_at(self, chapter: int, offset: int) -> int:
        """The index of the step a place falls under; -1 before the first step."""
        return bisect_right(self._positions, self._position(chapter, offset)) - 1

    def next_index(self, chapter: int, offset: int) -> int | None:
        """The step Next goes to from a place: the start of the following section."""
        index = self.index_at(chapter, offset) + 1
        return index if index < len(self.steps) else None

    def previous_place(
        self, chapter: int, offset: int, near: int = NEAR_START
    ) -> tuple[int, int] | None:
        """Where Previous goes from a place, as (chapter, offset), or None at the beginning.

        Well into a section, its start; near its start, the section before; before the
        first section, the beginning of the book.
        """
        index = self.index_at(chapter, offset)
        position = self._position(chapter, offset)
        if index >= 0 and position - self._positions[index] > near:
            step = self.steps[index]
            return step.chapter, step.offset
        if index >= 1:
            step = self.steps[index - 1]
            return step.chapter, step.offset
        return (0, 0) if position > 0 else None

    def span_of(self, index: int) -> tuple[int, int, int]:
        """The text a step covers in its chapter, as (chapter, start, end).

        A step ends where the next one starts when that is in the same chapter, else at
        the chapter's end.
        """
        step = self.steps[index]
        length = self._starts[step.chapter + 1] - self._starts[step.chapter]
        following = self.steps[index + 1] if index + 1 < len(self.steps) else None
        same = following is not None and following.chapter == step.chapter
        return step.chapter, step.offset, following.offset if following and same else length

    def in_reading_order(self, chapter: int) -> bool:
        """Whether a chapter is read in order (an EPUB's non-linear items are not)."""
        return 0 <= chapter < len(self._linear) and self._linear[chapter]

    def progress(self, chapter: int, offset: int) -> float:
        """How far through the book's reading order a place is, 0..1, by characters."""
        total = self._read_starts[-1]
        if not total or not 0 <= chapter < len(self._linear):
            return 0.0
        inside = min(offset, self._starts[chapter + 1] - self._starts[chapter])
        before = self._read_starts[chapter] + (inside if self._linear[chapter] else 0)
        return min(1.0, max(0.0, before / total))


def _toc_steps(
    texts: Sequence[str],
    starts: Sequence[int],
    entries: Iterable[tuple[int, str, int, int, bool]],
) -> list[Step]:
    flat: list[_Entry] = []
    above: list[str] = []  # the titles of the entries this one is under
    for depth, title, chapter, offset, divided in entries:
        del above[depth:]
        if 0 <= chapter < len(texts):
            offset = max(0, min(offset, len(texts[chapter])))
            parent = above[-1] if above else ""
            flat.append(
                _Entry(depth, title, parent, chapter, offset, starts[chapter] + offset, divided)
            )
        above.extend([""] * (depth - len(above)))
        above.append(title)
    depth = _step_depth(flat, starts[-1])
    # sorted() is stable: of entries at one place, the contents' order holds.
    chosen = sorted((e for e in flat if e.depth <= depth), key=lambda e: e.position)
    steps: list[Step] = []
    parents: list[str] = []
    for entry in chosen:
        if steps and _only_a_heading_between(texts, steps[-1], entry):
            # The heading joins the section it heads; the section names the step.
            last = steps[-1]
            steps[-1] = Step(entry.title, last.chapter, last.offset, entry.offset)
            parents[-1] = entry.parent
        else:
            steps.append(Step(entry.title, entry.chapter, entry.offset, entry.offset))
            parents.append(entry.parent)
    # The book's title and author above its first entry join it too, so that Next from
    # the very beginning goes on to the second entry rather than two lines down.
    for index, step in enumerate(steps):
        first_in_chapter = index == 0 or steps[index - 1].chapter != step.chapter
        if first_in_chapter and step.offset and _heading_only(texts[step.chapter][: step.offset]):
            steps[index] = Step(step.title, step.chapter, 0, step.named_at)
    # "CHAPTER I" in every book of War and Peace: the book's name tells them apart.
    seen = Counter(step.title for step in steps)
    return [
        Step(f"{parent} › {step.title}", step.chapter, step.offset, step.named_at)
        if seen[step.title] > 1 and parent and parent != step.title
        else step
        for step, parent in zip(steps, parents, strict=True)
    ]


def _step_depth(flat: Sequence[_Entry], end: int) -> int:
    """The deepest level to step through: go down while most of a level's text is divided."""
    spans = _spans(flat, end)
    depth = 0
    while True:
        level = [(e, span) for e, span in zip(flat, spans, strict=True) if e.depth == depth]
        covered = sum(span for _e, span in level)
        divided = sum(span for e, span in level if e.divided)
        if not level or not covered or 2 * divided < covered:
            return depth
        depth += 1


def _spans(flat: Sequence[_Entry], end: int) -> list[int]:
    """Each entry's extent: up to the next entry at its depth or above (or the book's end)."""
    spans = [0] * len(flat)
    open_entries: list[int] = []  # indexes, depths increasing
    for index, entry in enumerate(flat):
        while open_entries and flat[open_entries[-1]].depth >= entry.depth:
            closed = open_entries.pop()
            spans[closed] = max(0, entry.position - flat[closed].position)
        open_entries.append(index)
    for closed in open_entries:
        spans[closed] = max(0, end - flat[closed].position)
    return spans


def _only_a_heading_between(texts: Sequence[str], step: Step, entry: _Entry) -> bool:
    if entry.chapter != step.chapter:
        return False
    return _heading_only(texts[step.chapter][step.offset : entry.offset])


def _heading_only(text: str) -> bool:
    """Whether a stretch of text is no more than a heading (a line or two, short)."""
    text = text.strip()
    lines = [line for line in text.splitlines() if line.strip()]
    return len(text) <= HEADING_CHARS and len(lines) <= HEADING_LINES
