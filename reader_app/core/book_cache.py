"""A cache of parsed books, so a long book reopens without being parsed again.

Entries are JSON (never pickle: a cache file must not be able to run code), named by the
book's SHA-256 and stamped with the parser's version, so a changed file or a newer
parser simply misses. A damaged or unreadable entry is a miss, never an error.

An entry is JSON Lines: a header, then one line per chapter. Books are read and written
on a worker thread, and one ``json.loads`` of War and Peace's 6.7 MB held Python's global
lock for 40 ms, the window frozen for as long; a line at a time, the GUI thread gets its
turn between lines.

Entries are bounded: a book whose text and HTML come to more than MAX_ENTRY_CHARS is not
cached (it is parsed again when opened, which is only slower), and a file in the cache
folder larger than MAX_ENTRY_BYTES is never read.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reader_app.core.book import Book, BookFormat, Chapter, TocEntry
from reader_app.core.errors import ReaderError
from reader_app.core.files import read_regular

if TYPE_CHECKING:
    from collections.abc import Iterator

log = logging.getLogger(__name__)

# Bump when a loader changes what it produces for the same bytes.
PARSER_VERSION = 6  # 6: JSON Lines
MAX_ENTRIES = 40
# Ten times War and Peace's text and HTML (7 million characters together): every novel is
# cached, while a book near the loaders' 24-million-character limit is not written out.
MAX_ENTRY_CHARS = 70_000_000
MAX_ENTRY_BYTES = 3 * MAX_ENTRY_CHARS  # JSON escapes and UTF-8 make an entry longer


def _toc_to_json(entry: TocEntry) -> list[Any]:
    return [entry.title, entry.chapter, entry.offset, [_toc_to_json(c) for c in entry.children]]


def _toc_from_json(data: list[Any]) -> TocEntry:
    title, chapter, offset, children = data
    return TocEntry(
        str(title), int(chapter), int(offset), tuple(_toc_from_json(c) for c in children)
    )


def _line(value: object) -> str:
    # JSON escapes every newline inside a string, so a value is always one line.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n"


def _lines(raw: bytes) -> Iterator[bytes]:
    """The lines of an entry, each sliced out on its own (no copy of the whole file)."""
    start = 0
    while start < len(raw):
        end = raw.find(b"\n", start)
        end = len(raw) if end < 0 else end
        yield raw[start:end]
        start = end + 1


def _chapter_from_json(c: list[Any]) -> Chapter:
    return Chapter(
        c[0],
        c[1],
        c[2],
        {str(k): int(v) for k, v in c[3].items()},
        c[4],
        bool(c[5]),
        tuple((int(o), str(n)) for o, n in c[6]),
    )


class BookCache:
    """Parsed books on disk, keyed by content hash."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder

    def _path(self, book_id: str) -> Path:
        return self._folder / f"{book_id}.json"

    def get(self, book_id: str, path: Path) -> tuple[Book, frozenset[str]] | None:
        """The cached book (with ``path`` as its location) and its image names, if cached."""
        try:
            raw = read_regular(self._path(book_id), MAX_ENTRY_BYTES, what="cache entry")
            lines = _lines(raw)
            data = json.loads(next(lines))
            if data.get("version") != PARSER_VERSION or data.get("id") != book_id:
                return None
            chapters = tuple(_chapter_from_json(json.loads(line)) for line in lines)
            if len(chapters) != data["chapters"]:
                raise ValueError(f"{len(chapters)} of {data['chapters']} chapters")
            book = Book(
                book_id=book_id,
                path=str(path),
                title=data["title"],
                authors=tuple(data["authors"]),
                language=data["language"],
                format=BookFormat(data["format"]),
                chapters=chapters,
                toc=tuple(_toc_from_json(e) for e in data["toc"]),
                warnings=tuple(data["warnings"]),
            )
            return book, frozenset(data["resources"])
        except (
            ReaderError,
            OSError,
            StopIteration,
            AttributeError,
            ValueError,
            KeyError,
            TypeError,
            IndexError,
            RecursionError,
        ) as exc:
            if not self._path(book_id).exists():
                return None
            log.info("Ignoring a damaged cache entry for %s: %s", book_id, exc)
            return None

    def put(self, book: Book, resources: frozenset[str]) -> None:
        """Store a parsed book; failures (full disk, read-only) only cost speed."""
        size = sum(len(c.html) + len(c.text) for c in book.chapters)
        if size > MAX_ENTRY_CHARS:
            log.info("Not caching %s: %s characters is more than an entry holds", book.title, size)
            return
        header = {
            "version": PARSER_VERSION,
            "id": book.book_id,
            "title": book.title,
            "authors": list(book.authors),
            "language": book.language,
            "format": book.format.value,
            "chapters": len(book.chapters),
            "toc": [_toc_to_json(e) for e in book.toc],
            "warnings": list(book.warnings),
            "resources": sorted(resources),
        }
        try:
            self._folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self._folder, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(_line(header))
                    for c in book.chapters:
                        row = [c.title, c.html, c.text, c.anchors, c.key, c.linear, c.pages]
                        handle.write(_line(row))
                os.replace(tmp, self._path(book.book_id))
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            self._prune()
        except OSError as exc:
            log.info("Could not cache %s: %s", book.title, exc)

    def _prune(self) -> None:
        entries = sorted(self._folder.glob("*.json"), key=lambda p: p.stat().st_mtime)
        for old in entries[:-MAX_ENTRIES]:
            old.unlink(missing_ok=True)
