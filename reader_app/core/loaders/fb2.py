"""FictionBook 2 (``.fb2`` and ``.fb2.zip``): sections → chapters, notes, metadata, images.

The main body's sections become headings of their depth and the book is cut into
chapters at the level that gives a real split, as single-file books are (sections.py);
the table of contents keeps every titled section, nested. Bodies named "notes" or
"comments" become chapters outside the reading order, and note links point into them
with ``book:`` URLs, as EPUB footnotes do. Images are ``res:`` URLs read again from the
file by :func:`read_fb2_resource`.
"""

from __future__ import annotations

import html
import re
import urllib.parse
from typing import TYPE_CHECKING

from reader_app.core.book import BookFormat, Chapter, TocEntry
from reader_app.core.errors import BookError
from reader_app.core.loaders.blocks import Block, Image, render_blocks
from reader_app.core.loaders.content import BookContent
from reader_app.core.loaders.fb2_blocks import (
    Fb2Blocks,
    href_of,
    is_link,
    local_name,
    plain_text,
    tidy,
)
from reader_app.core.loaders.fb2_source import (
    fb2_document,
    read_fb2_resource,
    read_source,
    resource_name,
)
from reader_app.core.loaders.gutenberg import GutenbergSorter
from reader_app.core.loaders.limits import MAX_AUTHORS, TextBudget, one_line
from reader_app.core.loaders.sections import (
    choose_split_level,
    cut_blocks,
    nest_toc,
    split_into_chapters,
)
from reader_app.core.loaders.xmlsafe import parse_xml

if TYPE_CHECKING:
    from pathlib import Path

    from lxml import etree

    from reader_app.core.loaders.fb2_source import Fb2Source

__all__ = ["load_fb2", "read_fb2_resource"]

TRUNCATED_NOTE = "The book's file ends early (it may be incomplete); what could be read is shown."
_CLOSED = re.compile(rb"</(?:[\w.-]+:)?FictionBook>\s*$")
_NOTE_BODIES = {"notes": "Notes", "comments": "Comments", "footnotes": "Notes"}
_SAME_BOOK_LINK = re.compile(r'href="#([^"]*)"')
# Fewer titled sections than this and the book's chapters are found in bold headings.
_FEW_TITLES = 3


def load_fb2(path: Path, data: bytes) -> BookContent:
    """Read an FB2 book (the bytes of ``path``, plain or zipped) into chapters."""
    source = read_source(fb2_document(path, data), path.name)
    warnings = list(source.warnings)
    root = parse_xml(source.xml, f"“{path.name}”", warnings)
    if not _CLOSED.search(source.xml[-200:]):
        # The parser recovers what it can of a cut file without a word: say so.
        warnings.append(TRUNCATED_NOTE)
    if local_name(root.tag) != "FictionBook":
        raise BookError(f"“{path.name}” is not an FB2 book: its document is not FictionBook.")
    try:
        return _Fb2Reader(path, root, source, warnings).read()
    except UnicodeDecodeError as exc:  # text in the tree that is not UTF-8: a last guard
        raise BookError(f"“{path.name}” is damaged: some of its text cannot be read.") from exc


class _Fb2Reader:
    def __init__(
        self, path: Path, root: etree._Element, source: Fb2Source, warnings: list[str]
    ) -> None:
        self._path = path
        self._root = root
        self._images = source.images
        self._warnings = warnings
        self._resources: set[str] = set()
        self._budget = TextBudget(path.name)
        self._ids = {str(el.get("id")) for el in root.iter() if el.get("id")}

    def read(self) -> BookContent:
        info = self._title_info()
        bodies = [el for el in self._root if local_name(el.tag) == "body"]
        notes = [b for b in bodies if (b.get("name") or "").lower() in _NOTE_BODIES]
        main = [b for b in bodies if b not in notes] or notes[:1]
        notes = [b for b in notes if b not in main]
        if not main:
            raise BookError(f"“{self._path.name}” has no body of text to read.")

        chapters: list[Chapter] = []
        flat: list[tuple[int, str, int, int]] = []
        front = self._front(info)
        if front is not None:
            chapters.append(front)
            flat.append((0, front.title, 0, 0))

        wrapping = GutenbergSorter()
        walker = Fb2Blocks(self._link, self._image, promote_bold=_few_titles(main))
        # Taking Project Gutenberg's wrapping out can leave blank lines at the start.
        blocks = tidy(wrapping.sort([block for body in main for block in walker.body(body)]))
        first = len(chapters)
        parts, part_toc = split_into_chapters(
            blocks, choose_split_level(blocks), notes=self._warnings
        )
        for chapter in parts:
            chapters.append(_rekeyed(chapter, f"body-{len(chapters) - first}"))
        located = _locate(chapters[first:], first)
        headings = [
            (h.level, h.title, *located[h.mark]) for h in walker.headings if h.mark in located
        ]
        if headings:
            if headings[0][2] != first:  # text before the first heading: an opening
                flat.append((0, chapters[first].title, first, 0))
            flat.extend(headings)
        else:
            flat.extend(_flatten(part_toc, first))

        for body in notes:
            chapters.extend(self._notes(body, len(chapters), flat))

        for chapter in chapters:
            self._budget.spend(len(chapter.text))
        title_info = info if info is not None else self._root
        return BookContent(
            title=one_line(plain_text(_child(title_info, "book-title"))) or self._path.stem,
            authors=self._authors(info),
            language=one_line(plain_text(_child(title_info, "lang")), 35),
            format=BookFormat.FB2,
            chapters=_relinked(chapters),
            toc=nest_toc(flat),
            resources=frozenset(self._resources),
            warnings=self._warnings,
            about=wrapping.about,
        )

    # -- metadata -----------------------------------------------------------------------

    def _title_info(self) -> etree._Element | None:
        description = _child(self._root, "description")
        return _child(description, "title-info") if description is not None else None

    def _authors(self, info: etree._Element | None) -> tuple[str, ...]:
        if info is None:
            return ()
        names: list[str] = []
        for author in info:
            if local_name(author.tag) != "author":
                continue
            parts = [
                plain_text(_child(author, part))
                for part in ("first-name", "middle-name", "last-name")
            ]
            name = " ".join(p for p in parts if p) or plain_text(_child(author, "nickname"))
            if name:
                names.append(one_line(name))
        return tuple(dict.fromkeys(names))[:MAX_AUTHORS]

    def _front(self, info: etree._Element | None) -> Chapter | None:
        """The cover and the annotation, as the book's first page."""
        if info is None:
            return None
        blocks: list[Block] = []
        cover = _child(info, "coverpage")
        image = (
            next((el for el in cover.iter() if local_name(el.tag) == "image"), None)
            if cover is not None
            else None
        )
        src = self._image(href_of(image)) if image is not None else None
        if src is not None:
            blocks.append(Block(align="center", items=[Image(src)]))
        annotation = _child(info, "annotation")
        if annotation is not None:
            blocks.extend(Fb2Blocks(self._link, self._image).flow(annotation))
        rendered = render_blocks(blocks)
        if not rendered.text:
            return None
        title = "Cover" if src is not None else "Annotation"
        return Chapter(title, rendered.html, rendered.text, rendered.anchors, "front")

    # -- notes --------------------------------------------------------------------------

    def _notes(
        self, body: etree._Element, first: int, flat: list[tuple[int, str, int, int]]
    ) -> list[Chapter]:
        title = plain_text(_child(body, "title")) or _NOTE_BODIES[(body.get("name") or "").lower()]
        blocks = Fb2Blocks(self._link, self._image, plain_titles=True).body(body)
        chapters: list[Chapter] = []
        for n, piece in enumerate(cut_blocks(blocks)):
            rendered = render_blocks(piece)
            if not rendered.text:
                continue
            name = title if n == 0 else f"{title} ({n + 1})"
            key = f"notes-{first + len(chapters)}"
            chapters.append(
                Chapter(name, rendered.html, rendered.text, rendered.anchors, key, linear=False)
            )
        if chapters:
            flat.append((0, one_line(title), first, 0))
        return chapters

    # -- links and images ---------------------------------------------------------------

    def _link(self, href: str) -> str:
        if is_link(href):
            return href
        if href.startswith("#"):
            target = urllib.parse.unquote(href[1:])
            # Pointed at its chapter once all chapters are made (see _relinked).
            return f"#{target}" if target in self._ids else ""
        return ""  # other files, javascript:, file: and the like lead nowhere

    def _image(self, href: str) -> str | None:
        if not href.startswith("#"):
            return None  # images outside the book are never fetched
        ident = urllib.parse.unquote(href[1:])
        if ident not in self._images:
            return None
        name = resource_name(ident)
        self._resources.add(name)
        return name


def _child(el: etree._Element | None, name: str) -> etree._Element | None:
    if el is None:
        return None
    return next((c for c in el if local_name(c.tag) == name), None)


def _few_titles(bodies: list[etree._Element]) -> bool:
    titled = 0
    for body in bodies:
        for section in body.iter():
            if local_name(section.tag) == "section" and plain_text(_child(section, "title")):
                titled += 1
                if titled >= _FEW_TITLES:
                    return False
    return True


def _rekeyed(chapter: Chapter, key: str) -> Chapter:
    return Chapter(chapter.title, chapter.html, chapter.text, chapter.anchors, key)


def _locate(chapters: list[Chapter], first: int) -> dict[str, tuple[int, int]]:
    found: dict[str, tuple[int, int]] = {}
    for n, chapter in enumerate(chapters):
        for name, offset in chapter.anchors.items():
            found.setdefault(name, (first + n, offset))
    return found


def _flatten(entries: list[TocEntry], shift: int) -> list[tuple[int, str, int, int]]:
    return [
        (depth + 1, entry.title, entry.chapter + shift, entry.offset)
        for top in entries
        for depth, entry in top.walk()
    ]


def _relinked(chapters: list[Chapter]) -> list[Chapter]:
    """Links to an id (``#n1``) pointed at the chapter that holds it (``book:7#n1``)."""
    where = _locate(chapters, 0)

    def fix(match: re.Match[str]) -> str:
        target = html.unescape(match.group(1))
        if target not in where:
            return match.group(0)  # the view finds a bare id by itself, if it is anywhere
        fragment = html.escape(urllib.parse.quote(target, safe="-._~"), quote=True)
        return f'href="book:{where[target][0]}#{fragment}"'

    return [
        Chapter(
            c.title,
            _SAME_BOOK_LINK.sub(fix, c.html),
            c.text,
            c.anchors,
            c.key,
            c.linear,
        )
        if 'href="#' in c.html
        else c
        for c in chapters
    ]
