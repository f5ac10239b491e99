"""EPUB 2 and 3: container → package document → spine, table of contents, metadata."""

from __future__ import annotations

import os
import posixpath
import urllib.parse
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reader_app.core.book import BookFormat, Chapter, TocEntry
from reader_app.core.errors import BookError, UnsafeBookError
from reader_app.core.files import open_regular
from reader_app.core.loaders.blocks import Block, Image, render_blocks
from reader_app.core.loaders.content import BookContent
from reader_app.core.loaders.epub_parts import SpineParts, cut_document
from reader_app.core.loaders.gutenberg import GutenbergSorter
from reader_app.core.loaders.limits import (
    MAX_AUTHORS,
    MAX_BOOK_TAGS,
    MAX_CHAPTERS,
    MAX_MANIFEST_ITEMS,
    MAX_SVG_BYTES,
    MAX_TOC_ENTRIES,
    TextBudget,
    inner_name,
    one_line,
    toc_note,
)
from reader_app.core.loaders.safezip import SafeZip, resolve_href
from reader_app.core.loaders.svg import looks_like_svg, svg_is_safe
from reader_app.core.loaders.xhtml import tree_to_blocks
from reader_app.core.loaders.xmlsafe import parse_xhtml, parse_xml

if TYPE_CHECKING:
    from pathlib import Path

    from lxml import etree

_OPS_NS = "http://www.idpf.org/2007/ops"
_IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/svg+xml", "image/webp"})
_DOC_TYPES = frozenset({"application/xhtml+xml", "text/html", "application/xml", "text/xml"})
_MAX_RESOURCE = 32 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class _Item:
    id: str
    path: str  # archive name
    media_type: str
    properties: frozenset[str]


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _dc(el: etree._Element) -> str:
    """A metadata element's name in lower case: "Title" in OEBPS 1.2 is "title" in EPUB."""
    return _local(el.tag).casefold()


def _children(el: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in el if _local(c.tag) == name]


def _first(el: etree._Element, name: str) -> etree._Element | None:
    for c in el.iter():
        if _local(c.tag) == name:
            return c
    return None


def _text(el: etree._Element | None) -> str:
    return " ".join("".join(el.itertext()).split()) if el is not None else ""


SVG_NOTE = "An SVG image that refers to other files, or is too large to draw, was not shown."


def load_epub(path: Path, data: bytes) -> BookContent:
    """Read an EPUB (the bytes of ``path``) into chapters and its table of contents."""
    with SafeZip(data, path.name) as archive:
        return _EpubReader(path, archive).read()


def read_epub_resource(path: Path, name: str) -> bytes | None:
    """Read one image from the archive again, for the view; None if it is gone or unsafe."""
    try:
        # The file may have been replaced since it was opened: check it again.
        with (
            os.fdopen(open_regular(path, BookError), "rb") as handle,
            SafeZip(handle, path.name) as archive,
        ):
            found = archive.find(name)
            return archive.read(found, _MAX_RESOURCE) if found else None
    except BookError:
        return None


class _EpubReader:
    def __init__(self, path: Path, archive: SafeZip) -> None:
        self._path = path
        self._zip = archive
        self._warnings: list[str] = []
        self._resources: set[str] = set()
        self._svg_safe: dict[str, bool] = {}
        self._budget = TextBudget(path.name)
        self._toc_slots = MAX_TOC_ENTRIES
        self._tags = 0
        self._layout = SpineParts([])
        self._wrapping = GutenbergSorter()

    def read(self) -> BookContent:
        opf_path = self._package_path()
        opf = parse_xml(self._document(opf_path), "The package document", self._warnings)
        opf_dir = posixpath.dirname(opf_path)
        manifest = self._manifest(opf, opf_dir)
        spine_el = _first(opf, "spine")
        if spine_el is None:
            raise BookError(
                f"“{self._path.name}” has no reading order (spine); it cannot be shown."
            )
        refs = _children(spine_el, "itemref")
        if len(refs) > MAX_CHAPTERS:
            raise UnsafeBookError(
                f"“{self._path.name}” lists {len(refs):,} chapters, more than Tone Reader"
                f" opens ({MAX_CHAPTERS:,}); it was not opened."
            )
        spine: list[tuple[_Item, bool]] = []
        for ref in refs:
            item = manifest.get(ref.get("idref") or "")
            if item is None:
                self._warnings.append("A chapter listed in the book is missing and was skipped.")
                continue
            spine.append((item, (ref.get("linear") or "yes").lower() != "no"))
        if not spine:
            raise BookError(f"“{self._path.name}” lists no chapters to read.")
        self._spine_index = {item.path: i for i, (item, _) in enumerate(spine)}
        version = (opf.get("version") or "2.0").strip()
        fmt = BookFormat.EPUB3 if version.startswith("3") else BookFormat.EPUB2
        self._layout = SpineParts([self._chapter(item, linear) for item, linear in spine])
        chapters = self._layout.relinked()
        toc = self._toc(opf, spine_el, manifest, chapters)
        title, authors, language = self._metadata(opf)
        return BookContent(
            title=title,
            authors=authors,
            language=language,
            format=fmt,
            chapters=_with_titles(chapters, toc),
            toc=toc,
            resources=frozenset(self._resources),
            warnings=self._warnings,
            about=self._wrapping.about,
        )

    # -- package ------------------------------------------------------------------------

    def _package_path(self) -> str:
        container = self._zip.find("META-INF/container.xml")
        if container is not None:
            root = parse_xml(self._document(container), "The EPUB container file", self._warnings)
            for rootfile in root.iter():
                if _local(rootfile.tag) != "rootfile":
                    continue
                full = urllib.parse.unquote(rootfile.get("full-path") or "")
                found = self._zip.find(full) if full else None
                if found:
                    return found
                # A rootfile without a path names nothing: say so, not "()".
                detail = f" ({inner_name(full)}) is missing" if full else " is not named"
                raise BookError(f"“{self._path.name}” is incomplete: its package document{detail}.")
        # Lenient: a missing container is common in hand-made files; find the OPF ourselves.
        candidates = sorted(n for n in self._zip.names if n.lower().endswith(".opf"))
        if not candidates:
            raise BookError(f"“{self._path.name}” is not an EPUB: it has no package document.")
        self._warnings.append("The book has no container file; its package was found by name.")
        return candidates[0]

    def _manifest(self, opf: etree._Element, opf_dir: str) -> dict[str, _Item]:
        manifest_el = _first(opf, "manifest")
        items: dict[str, _Item] = {}
        if manifest_el is None:
            return items
        elements = _children(manifest_el, "item")
        if len(elements) > MAX_MANIFEST_ITEMS:
            raise UnsafeBookError(
                f"“{self._path.name}” lists {len(elements):,} files, more than a real book"
                " does; it was not opened."
            )
        for el in elements:
            href = urllib.parse.unquote((el.get("href") or "").split("#")[0])
            if "://" in href or href.startswith("data:"):
                continue  # remote resources are never fetched
            joined = resolve_href(opf_dir, href)
            found = self._zip.find(joined) if joined else None
            if found is None:
                continue
            items[el.get("id") or found] = _Item(
                id=el.get("id") or found,
                path=found,
                media_type=(el.get("media-type") or "").lower(),
                properties=frozenset((el.get("properties") or "").split()),
            )
        return items

    def _metadata(self, opf: etree._Element) -> tuple[str, tuple[str, ...], str]:
        meta = _first(opf, "metadata")
        if meta is None:
            return self._path.stem, (), ""
        # OEBPS 1.2 packages write Dublin Core names capitalised (dc:Title, dc:Creator).
        titles = [el for el in meta.iter() if _dc(el) == "title"]
        main_ids = {
            (el.get("refines") or "").lstrip("#")
            for el in meta.iter()
            if _local(el.tag) == "meta"
            and el.get("property") == "title-type"
            and _text(el) == "main"
        }
        chosen = next((t for t in titles if t.get("id") in main_ids), titles[0] if titles else None)
        title = one_line(_text(chosen)) or self._path.stem
        authors = tuple(
            dict.fromkeys(
                one_line(_text(el)) for el in meta.iter() if _dc(el) == "creator" and _text(el)
            )
        )[:MAX_AUTHORS]
        language_el = next((el for el in meta.iter() if _dc(el) == "language"), None)
        language = one_line(_text(language_el), 35)
        return title, authors, language

    # -- chapters -----------------------------------------------------------------------

    def _document(self, name: str) -> bytes:
        """Read a document to parse, counting its tags against the book's limit."""
        data = self._zip.read(name)
        self._tags += data.count(b"<")
        if self._tags > MAX_BOOK_TAGS:
            raise UnsafeBookError(
                f"“{self._path.name}” holds more than {MAX_BOOK_TAGS:,} tags, more than a real"
                " book does; it was not opened."
            )
        return data

    def _chapter(self, item: _Item, linear: bool) -> list[Chapter]:
        """The chapter made from one spine item: one, or several parts if it is very long."""
        key = item.path
        if item.media_type in _IMAGE_TYPES:
            if not self._safe_image(item.path, item.media_type):
                return [Chapter(title="", html="", text="", key=key, linear=linear)]
            self._resources.add(item.path)
            blocks = [Block(kind="p", align="center", items=[Image(item.path)])]
        elif item.media_type in _DOC_TYPES or item.path.lower().endswith(
            (".xhtml", ".html", ".htm")
        ):
            try:
                root = parse_xhtml(
                    self._document(item.path),
                    f"The chapter “{inner_name(item.path)}”",
                    self._warnings,
                )
            except UnsafeBookError:
                raise
            except BookError as exc:
                # One damaged chapter should not cost the reader the rest of the book.
                self._warnings.append(exc.message)
                return [Chapter(title="", html="", text="", key=key, linear=linear)]
            base = posixpath.dirname(item.path)
            found = tree_to_blocks(
                root,
                lambda href: self._link(item.path, href),
                lambda src: self._image(base, src),
            )
            blocks = self._wrapping.sort(found)
            # A document that held only Project Gutenberg's licence is no reading.
            linear = linear and bool(blocks or not found)
            head_title = one_line(_text(_first(root, "title")))
            del root  # the tree is the largest thing in memory; the blocks hold the text
            title = _first_heading(blocks) or head_title
            parts: list[Chapter] = []
            for n, group in enumerate(cut_document(blocks)):
                rendered = render_blocks(group)
                self._budget.spend(len(rendered.text))
                part_title = title if n == 0 else _first_heading(group) or f"{title} ({n + 1})"
                parts.append(
                    Chapter(part_title, rendered.html, rendered.text, rendered.anchors, key, linear)
                )
            return parts
        else:
            return [Chapter(title="", html="", text="", key=key, linear=linear)]
        rendered = render_blocks(blocks)
        return [Chapter("", rendered.html, rendered.text, rendered.anchors, key, linear)]

    def _link(self, doc: str, href: str) -> str:
        href = href.strip()
        scheme = urllib.parse.urlsplit(href).scheme.lower()
        if scheme in ("http", "https", "mailto", "ftp"):
            return href
        if scheme:
            return ""  # javascript:, file:, data: and the like lead nowhere
        path, _, fragment = href.partition("#")
        if path:
            target = resolve_href(posixpath.dirname(doc), urllib.parse.unquote(path))
            found = self._zip.find(target) if target else None
        else:
            found = doc
        if found is None or found not in self._spine_index:
            return ""
        index = self._spine_index[found]
        return f"book:{index}#{fragment}" if fragment else f"book:{index}"

    def _image(self, base: str, src: str) -> str | None:
        if "://" in src or src.startswith("data:"):
            return None
        joined = resolve_href(base, urllib.parse.unquote(src.split("#")[0]))
        found = self._zip.find(joined) if joined else None
        if found is None or not self._safe_image(found):
            return None
        self._resources.add(found)
        return found

    def _safe_image(self, name: str, media_type: str = "") -> bool:
        """SVG images are read and checked once; any other image is decoded by the view."""
        if not looks_like_svg(name, media_type):
            return True
        safe = self._svg_safe.get(name)
        if safe is None:
            try:
                safe = svg_is_safe(self._zip.read(name, MAX_SVG_BYTES))
            except BookError:
                safe = False  # damaged, or larger than an SVG may be: only this image goes
            self._svg_safe[name] = safe
            if not safe and SVG_NOTE not in self._warnings:
                self._warnings.append(SVG_NOTE)
        return safe

    # -- table of contents --------------------------------------------------------------

    def _toc(
        self,
        opf: etree._Element,
        spine_el: etree._Element,
        manifest: dict[str, _Item],
        chapters: list[Chapter],
    ) -> list[TocEntry]:
        nav = next((i for i in manifest.values() if "nav" in i.properties), None)
        entries: list[TocEntry] = []
        if nav is not None:
            entries = self._nav_toc(nav, chapters)
        if not entries:
            ncx = manifest.get(spine_el.get("toc") or "") or next(
                (i for i in manifest.values() if i.media_type == "application/x-dtbncx+xml"), None
            )
            if ncx is not None:
                entries = self._ncx_toc(ncx, chapters)
        if not entries:
            entries = [
                TocEntry(c.title or f"Section {i + 1}", i)
                for i, c in enumerate(chapters)
                if c.linear and c.text
            ]
        return entries

    def _target(self, base: str, href: str, chapters: list[Chapter]) -> tuple[int, int] | None:
        path, _, fragment = href.partition("#")
        joined = resolve_href(base, urllib.parse.unquote(path))
        found = self._zip.find(joined) if joined else None
        if found is None or found not in self._spine_index:
            return None
        fragment = urllib.parse.unquote(fragment)
        if fragment in self._wrapping.moved_ids:
            return None  # Project Gutenberg's header or licence: in "About this file"
        # Through the parts: a long document may have become several chapters.
        return self._layout.locate(self._spine_index[found], fragment)

    def _nav_toc(self, nav: _Item, chapters: list[Chapter]) -> list[TocEntry]:
        try:
            root = parse_xhtml(self._document(nav.path), "The table of contents", self._warnings)
        except BookError as exc:
            self._warnings.append(exc.message)
            return []
        navs = [el for el in root.iter() if _local(el.tag) == "nav"]
        toc_nav = next(
            (n for n in navs if "toc" in (n.get(f"{{{_OPS_NS}}}type") or "").split()),
            navs[0] if navs else None,
        )
        if toc_nav is None:
            return []
        ol = next((c for c in toc_nav.iter() if _local(c.tag) == "ol"), None)
        if ol is None:
            return []
        return self._nav_list(ol, posixpath.dirname(nav.path), chapters, 0)

    def _nav_list(
        self, ol: etree._Element, base: str, chapters: list[Chapter], depth: int
    ) -> list[TocEntry]:
        entries: list[TocEntry] = []
        if depth > 20:
            return entries
        for li in _children(ol, "li"):
            if not self._take_toc_slot():
                break
            label_el = next((c for c in li if _local(c.tag) in ("a", "span")), None)
            title = _text(label_el)
            sub = next((c for c in li if _local(c.tag) == "ol"), None)
            children = self._nav_list(sub, base, chapters, depth + 1) if sub is not None else []
            target = None
            if label_el is not None and label_el.get("href"):
                target = self._target(base, label_el.get("href") or "", chapters)
            if target is None and children:
                target = (children[0].chapter, children[0].offset)
            if target is None:
                continue
            entries.append(
                TocEntry(one_line(title) or "Untitled", target[0], target[1], tuple(children))
            )
        return entries

    def _take_toc_slot(self) -> bool:
        """Count one more contents entry; False once the table is full (noted once)."""
        if self._toc_slots <= 0:
            if self._toc_slots == 0:
                self._warnings.append(toc_note(MAX_TOC_ENTRIES))
                self._toc_slots = -1
            return False
        self._toc_slots -= 1
        return True

    def _ncx_toc(self, ncx: _Item, chapters: list[Chapter]) -> list[TocEntry]:
        try:
            root = parse_xml(self._document(ncx.path), "The table of contents", self._warnings)
        except BookError as exc:
            self._warnings.append(exc.message)
            return []
        nav_map = _first(root, "navMap")
        if nav_map is None:
            return []
        return self._ncx_points(nav_map, posixpath.dirname(ncx.path), chapters, 0)

    def _ncx_points(
        self, parent: etree._Element, base: str, chapters: list[Chapter], depth: int
    ) -> list[TocEntry]:
        entries: list[TocEntry] = []
        if depth > 20:
            return entries
        for point in _children(parent, "navPoint"):
            if not self._take_toc_slot():
                break
            label = _text(_first(point, "text"))
            content = next((c for c in point if _local(c.tag) == "content"), None)
            children = self._ncx_points(point, base, chapters, depth + 1)
            target = (
                self._target(base, content.get("src") or "", chapters)
                if content is not None
                else None
            )
            if target is None and children:
                target = (children[0].chapter, children[0].offset)
            if target is None:
                continue
            entries.append(
                TocEntry(one_line(label) or "Untitled", target[0], target[1], tuple(children))
            )
        return entries


def _first_heading(blocks: list[Block]) -> str:
    for block in blocks[:40]:
        if block.heading_level:
            text = " ".join(block.plain().split())
            if text:
                return text[:120]
    return ""


def _with_titles(chapters: list[Chapter], toc: list[TocEntry]) -> list[Chapter]:
    """Prefer the table of contents' name for a chapter over its first heading."""
    names: dict[int, str] = {}
    for entry in toc:
        for _depth, e in entry.walk():
            if e.chapter not in names and e.offset <= 200:
                names[e.chapter] = e.title
    result = []
    for i, chapter in enumerate(chapters):
        title = names.get(i) or chapter.title
        if title != chapter.title:
            chapter = Chapter(
                title, chapter.html, chapter.text, chapter.anchors, chapter.key, chapter.linear
            )
        result.append(chapter)
    return result
