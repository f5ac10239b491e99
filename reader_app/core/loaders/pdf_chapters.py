"""Cut a PDF's rebuilt paragraphs into chapters: by its outline, its headings, or its pages.

The outline (bookmarks) is what the publisher meant as contents and is used when there is
one. Without it, headings found by font size cut the book as in the other single-document
formats; with neither, the pages are taken in groups ("Pages 1–20"). Every chapter knows
where each printed page starts in its text, by the PDF's own page labels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from reader_app.core.book import Chapter, TocEntry
from reader_app.core.loaders.blocks import Block, Run, normalise_block, render_blocks
from reader_app.core.loaders.limits import MAX_CHAPTERS, one_line
from reader_app.core.loaders.sections import MAX_CHAPTER_CHARS, cut_blocks, nest_toc

if TYPE_CHECKING:
    from reader_app.core.loaders.pdf_layout import Para

PAGES_PER_GROUP = 20
OPENING = "Opening"


@dataclass(slots=True)
class OutlineEntry:
    """A bookmark: its title, depth (0 at the top), page index and height on the page.

    Attributes:
        top: distance from the top of the page, in points, or None when the bookmark
            names only the page.
    """

    title: str
    level: int
    page: int
    top: float | None = None


@dataclass(slots=True)
class _Section:
    title: str
    start: int  # index of its first paragraph
    entries: list[tuple[int, str, int]]  # toc level, title, paragraph index


def build_chapters(
    paras: list[Para], labels: list[str], outline: list[OutlineEntry], notes: list[str]
) -> tuple[list[Chapter], list[TocEntry]]:
    """Chapters and contents for the paragraphs of a PDF whose pages are named ``labels``."""
    if not paras:
        return [], []
    sections = _by_outline(paras, outline) if outline else []
    if not sections:
        sections = _by_headings(paras)
    if not sections or len(sections) > MAX_CHAPTERS:
        sections = _by_pages(paras, labels)
    return _assemble(paras, labels, sections, notes)


def _position(paras: list[Para], page: int, top: float | None, title: str = "") -> int:
    """The paragraph a bookmark points at; len(paras) past the end.

    A heading on the bookmark's page with the bookmark's own title is taken first: on a
    two-column page the height alone does not say which column is meant. Otherwise it is
    the first paragraph starting at or after the place.
    """
    wanted = _comparable(title)
    if wanted:
        for index, para in enumerate(paras):
            if para.page > page + 1:
                break
            if para.level and para.page >= page and _comparable(para.text) == wanted:
                return index
    slack = 4.0
    for index, para in enumerate(paras):
        if para.page > page or (para.page == page and (top is None or para.top >= top - slack)):
            return index
    return len(paras)


def _comparable(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalnum())


def _by_outline(paras: list[Para], outline: list[OutlineEntry]) -> list[_Section]:
    counts: dict[int, int] = {}
    for entry in outline:
        counts[entry.level] = counts.get(entry.level, 0) + 1
    top, below = counts.get(0, 0), counts.get(1, 0)
    # A book whose outline is one entry (its title) holding the chapters is cut below it;
    # one whose top entries are long (parts holding chapters, a manual's chapters holding
    # sections) is cut at both levels, so that the view is not given one long chapter.
    average = sum(len(p.text) for p in paras) / max(top, 1)
    long_top = top < 2 or average > MAX_CHAPTER_CHARS / 2
    chapter_level = 1 if below and long_top else 0
    sections: list[_Section] = []
    placed = [(entry, _position(paras, entry.page, entry.top, entry.title)) for entry in outline]
    for entry, index in placed:
        index = min(index, len(paras) - 1)
        title = one_line(entry.title) or "Untitled"
        level = entry.level + 1
        if (
            entry.level <= chapter_level
            and (not sections or index > sections[-1].start)
            and not (sections and _only_headings(paras, sections[-1].start, index))
        ):
            sections.append(_Section(title, index, []))
        elif entry.level <= chapter_level and sections and sections[-1].start < index:
            # A part's title page with nothing but its heading: its first chapter joins it
            # and names the chapter; the contents keeps both.
            sections[-1].title = title
        if sections:
            start = sections[-1].start
            sections[-1].entries.append((level, title, max(index, start)))
        else:
            sections.append(_Section(title, index, [(level, title, index)]))
    if sections and sections[0].start > 0:
        sections.insert(0, _Section(OPENING, 0, [(0, OPENING, 0)]))
    return sections


def _only_headings(paras: list[Para], start: int, end: int) -> bool:
    """True if the paragraphs from ``start`` up to ``end`` hold headings and little else."""
    return sum(len(p.text) for p in paras[start:end] if not p.level) < 200


def _by_headings(paras: list[Para]) -> list[_Section]:
    counts: dict[int, int] = {}
    for para in paras:
        if para.level:
            counts[para.level] = counts.get(para.level, 0) + 1
    total = 0
    split = 0
    for level in sorted(counts):
        total += counts[level]
        if total >= 2:
            split = level
            break
    if not split:
        return []
    sections: list[_Section] = []
    only_headings = False
    for index, para in enumerate(paras):
        if 0 < para.level <= split:
            title = one_line(para.text.replace("\n", " "))
            if sections and only_headings:
                sections[-1].entries.append((para.level, title, index))
                continue
            if not sections and index > 0:
                sections.append(_Section(OPENING, 0, [(0, OPENING, 0)]))
            sections.append(_Section(title, index, [(para.level, title, index)]))
            only_headings = True
        elif not para.level:
            only_headings = False
    return sections


def _by_pages(paras: list[Para], labels: list[str]) -> list[_Section]:
    """Sections of about PAGES_PER_GROUP pages, each starting with a paragraph."""
    starts = [0]
    for index, para in enumerate(paras):
        if para.page >= paras[starts[-1]].page + PAGES_PER_GROUP:
            starts.append(index)
    sections: list[_Section] = []
    for number, start in enumerate(starts):
        end = starts[number + 1] if number + 1 < len(starts) else len(paras)
        last = paras[end - 1]
        last_page = last.page_starts[-1][1] if last.page_starts else last.page
        first_label, last_label = _label(labels, paras[start].page), _label(labels, last_page)
        title = (
            f"Page {first_label}"
            if first_label == last_label
            else (f"Pages {first_label}–{last_label}")
        )
        sections.append(_Section(title, start, [(1, title, start)]))
    return sections


def _label(labels: list[str], page: int) -> str:
    return labels[page] if page < len(labels) and labels[page] else str(page + 1)


def _assemble(
    paras: list[Para], labels: list[str], sections: list[_Section], notes: list[str]
) -> tuple[list[Chapter], list[TocEntry]]:
    del notes  # the sections already fit the limits
    chapters: list[Chapter] = []
    flat_toc: list[tuple[int, str, int, int]] = []
    for number, section in enumerate(sections):
        end = sections[number + 1].start if number + 1 < len(sections) else len(paras)
        kept: list[tuple[Block, int]] = []  # a block and its paragraph's index
        for para_index in range(section.start, end):
            para = paras[para_index]
            block = Block("p" if not para.level else f"h{para.level}", items=[Run(para.text)])
            if normalise_block(block):
                if block.plain() != para.text:
                    para.page_starts = []  # text changed under the offsets: keep the start only
                kept.append((block, para_index))
        done = 0
        for n, piece in enumerate(cut_blocks([block for block, _ in kept])):
            owners = [para_index for _, para_index in kept[done : done + len(piece)]]
            done += len(piece)
            rendered = render_blocks(piece)
            if not rendered.text:
                continue
            index = len(chapters)
            title = section.title if n == 0 else f"{section.title} ({n + 1})"
            pages = _page_starts([paras[i] for i in owners], rendered.block_starts, labels)
            chapters.append(
                Chapter(
                    title, rendered.html, rendered.text, rendered.anchors, str(index), True, pages
                )
            )
            for level, name, para_index in section.entries:
                if para_index in owners or (n == 0 and para_index < owners[0]):
                    where = owners.index(para_index) if para_index in owners else 0
                    flat_toc.append((level, name, index, rendered.block_starts[where]))
    return chapters, nest_toc(flat_toc)


def _page_starts(
    owners: list[Para], starts: list[int], labels: list[str]
) -> tuple[tuple[int, str], ...]:
    pages: list[tuple[int, str]] = []
    last = -1
    for para, start in zip(owners, starts, strict=False):
        if para.page != last:
            pages.append((start, _label(labels, para.page)))
            last = para.page
        for offset, page in para.page_starts:
            if page != last:
                pages.append((start + offset, _label(labels, page)))
                last = page
    return tuple(pages)
