"""Importing an annotations file into the library: the one way the window and the CLI do it.

The file is read and parsed by ``core.importers`` (Kindle ``My Clippings.txt``, our W3C
JSON export). Each annotation then goes to a book of the library when it can be told
which: by the book's SHA-256 when the file names it, else by title and author. Its quote
is looked up in the book's text (loaded *before* the transaction, so a slow parse never
holds the write lock) and it becomes an ordinary highlight; a quote not found is kept as an
orphan, and an annotation of a book the library has never seen is kept on a placeholder
book that the book adopts when it is opened (``storage.imports``). Nothing is ever dropped,
and everything is stored in one transaction.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from reader_app.core.anchors import AnchorResolver, Placement, TextAnchor
from reader_app.core.errors import BookError
from reader_app.core.gc_pause import no_cyclic_gc
from reader_app.storage.db import format_timestamp, open_database, system_clock
from reader_app.storage.imports import (
    PLACEHOLDER_PREFIX,
    ImportPlan,
    LibraryBook,
    authors_match,
    book_file_paths,
    library_books,
    placeholder_id,
    store_imports,
    titles_match,
)

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Callable, Iterable

    from reader_app.core.book import Book
    from reader_app.core.book_cache import BookCache
    from reader_app.core.importers import ImportedAnnotation
    from reader_app.core.sections import SectionFinder
    from reader_app.storage.db import Clock

BookLoader: TypeAlias = "Callable[[str], Book | None]"
"""Loads a library book's file by the book's id; None when it is not at hand."""

log = logging.getLogger(__name__)

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class ImportResult:
    """What an import did.

    Attributes:
        imported: highlights stored (orphans included).
        orphans: of those, the ones not placed in a book's text (yet).
        duplicates: annotations skipped because the book already had them.
        problems: one line per annotation that could not be stored.
    """

    imported: int = 0
    orphans: int = 0
    duplicates: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FileImportResult:
    """What importing a file did.

    Attributes:
        result: what was stored, orphaned and skipped.
        redone: earlier Kindle records of a re-done highlight, counted as duplicates too.
        problems: the file's unreadable records and those that could not be stored.
    """

    result: ImportResult
    redone: int
    problems: list[str]

    @property
    def duplicates(self) -> int:
        """Annotations skipped: already in the library, or superseded in the file."""
        return self.result.duplicates + self.redone


def import_file(path: Path, database: Path, books_cache: Path) -> FileImportResult:
    """Read ``path`` and store its annotations in one transaction, on a connection of its own.

    The window runs this on a worker thread (SQLite connections stay on the thread that
    made them, and loading the books an import names can take seconds); the CLI runs it
    as it is.

    Args:
        path: a W3C JSON export or a Kindle ``My Clippings.txt``.
        database: the library file.
        books_cache: the parsed-book cache folder, so known books load quickly.

    Returns:
        What was stored, and the records that could not be.

    Raises:
        BookError: the file cannot be read, is in no format we import, or holds nothing
            importable.
        StorageError: the library could not be written; nothing was stored.
    """
    # Tens of thousands of small objects and no garbage: the cycle collector would only
    # walk them again and again.
    with no_cyclic_gc():
        return _import_file(path, database, books_cache)


def _import_file(path: Path, database: Path, books_cache: Path) -> FileImportResult:
    from reader_app.core.book_cache import BookCache
    from reader_app.core.importers.files import read_import_file

    parsed = read_import_file(path)
    if not parsed.items:
        detail = f" ({parsed.problems[0]})" if parsed.problems else ""
        raise BookError(f"“{path.name}” holds no annotations to import{detail}.")
    conn = open_database(database)
    try:
        loader = library_book_loader(conn, BookCache(books_cache))
        result = import_annotations(conn, parsed.items, source=parsed.kind, books_available=loader)
    finally:
        conn.close()
    return FileImportResult(result, parsed.redone, parsed.problems + result.problems)


def import_annotations(
    conn: sqlite3.Connection,
    items: Iterable[ImportedAnnotation],
    *,
    source: str,
    books_available: BookLoader | None = None,
    clock: Clock = system_clock,
) -> ImportResult:
    """Store imported annotations in the library, all in one transaction.

    Args:
        conn: the library.
        items: the annotations, e.g. from ``parse_clippings`` or ``parse_w3c``.
        source: where they come from (``kindle``, ``w3c``), kept with each highlight that
            does not say where it first came from.
        books_available: loads a library book by id; by default from its known paths.
        clock: the current time, for rows the file gives no date.

    Returns:
        How many were stored, orphaned and skipped as duplicates, and the problems.

    Raises:
        StorageError: the library could not be written; nothing was stored.
    """
    loader = books_available or library_book_loader(conn)
    plans, problems = _plan(conn, list(items), loader)
    stored = store_imports(conn, plans, source=source, now=format_timestamp(clock()))
    return ImportResult(stored.imported, stored.orphans, stored.duplicates, problems)


def library_book_loader(conn: sqlite3.Connection, cache: BookCache | None = None) -> BookLoader:
    """A loader that opens a library book from the paths it was seen at.

    Args:
        conn: the library.
        cache: the parsed-book cache, to skip parsing a book read before.

    Returns:
        A function from book id to the book, or None when no known path still holds it
        (the file moved, changed or was deleted).
    """
    from reader_app.core.loaders import load_book

    def load(book_id: str) -> Book | None:
        for path in book_file_paths(conn, book_id):
            if not Path(path).is_file():
                continue
            try:
                book = load_book(path, cache)
            except BookError as exc:
                log.info("Could not load %s for an import: %s", path, exc)
                continue
            # The file at a known path may since have been replaced by another one.
            if book.book_id == book_id:
                return book
        return None

    return load


# -- planning, outside the transaction ---------------------------------------------------


def _plan(
    conn: sqlite3.Connection, items: list[ImportedAnnotation], loader: BookLoader
) -> tuple[list[ImportPlan], list[str]]:
    """Decide each annotation's book and place; loads the books it needs."""
    library = library_books(conn)
    by_id = {b.id: b for b in library}
    loaded: dict[str, Book | None] = {}
    resolvers: dict[str, tuple[AnchorResolver, SectionFinder]] = {}
    placeholders: dict[str, LibraryBook] = {}  # made by this import, by id
    # A clippings file names the same few books thousands of times: match each name once.
    targets: dict[tuple[str, str, tuple[str, ...]], LibraryBook | None] = {}
    plans: list[ImportPlan] = []
    problems: list[str] = []
    for item in items:
        if not item.quote and not item.note:
            problems.append(f"{item.origin or 'an annotation'}: it has neither text nor a note")
            continue
        key = (item.book_id, item.book_title, item.book_authors)
        if key not in targets:
            targets[key] = _find_book(item, library, by_id) or _find_by_file(
                conn, item, library, items, lambda book_id: _load_once(loaded, loader, book_id)
            )
        target = targets[key]
        if target is None:
            plans.append(_placeholder_plan(item, by_id, placeholders))
            continue
        if target.id not in loaded:
            loaded[target.id] = _load(loader, target.id)
        book = loaded[target.id]
        if book is not None and item.spine is not None:
            item = replace(item, chapter=spine_chapter(book, item.spine))
        plan = ImportPlan(item, target.id)
        _keep_given_position(plan)
        if book is not None and item.quote:
            # One resolver per book: it indexes the chapters once for all its quotes.
            if target.id not in resolvers:
                texts = [c.text for c in book.chapters]
                resolvers[target.id] = (AnchorResolver(texts), book.sections())
            resolver, sections = resolvers[target.id]
            place = _place(resolver, item)
            if place is not None:
                plan.chapter, plan.start, plan.end = place.chapter, place.start, place.end
                plan.chapter_key = book.chapters[place.chapter].key
                plan.section = sections.place(place.chapter, place.start)
                plan.orphaned = False
        plans.append(plan)
    return plans, problems


def _load(loader: BookLoader, book_id: str) -> Book | None:
    try:
        return loader(book_id)
    except BookError as exc:
        # The highlights are still imported, as orphans placed when the book next opens.
        log.info("Could not load book %s for an import: %s", book_id, exc)
        return None


def _find_book(
    item: ImportedAnnotation, library: list[LibraryBook], by_id: dict[str, LibraryBook]
) -> LibraryBook | None:
    """The real (not placeholder) library book an annotation belongs to, if any."""
    known = by_id.get(item.book_id)
    if known is not None and not known.placeholder:
        return known
    # The library is ordered most recently opened first, so of two editions that one wins.
    for book in library:
        if (
            not book.placeholder
            and titles_match(book.title, item.book_title)
            and authors_match(book.authors, item.book_authors)
        ):
            return book
    return None


def spine_chapter(book: Book, spine: int) -> int:
    """The first chapter made from the book's ``spine``-th spine item (long ones are split).

    Args:
        book: the loaded book.
        spine: a 0-based spine index, as calibre and KOReader give it.

    Returns:
        The chapter index; ``spine`` itself when the book has fewer spine items.
    """
    seen = -1
    previous: str | None = None
    for index, chapter in enumerate(book.chapters):
        if chapter.key != previous:
            seen, previous = seen + 1, chapter.key
            if seen == spine:
                return index
    return spine


def _load_once(loaded: dict[str, Book | None], loader: BookLoader, book_id: str) -> Book | None:
    if book_id not in loaded:
        loaded[book_id] = _load(loader, book_id)
    return loaded[book_id]


def _find_by_file(
    conn: sqlite3.Connection,
    item: ImportedAnnotation,
    library: list[LibraryBook],
    items: list[ImportedAnnotation],
    load: Callable[[str], Book | None],
) -> LibraryBook | None:
    """A library book found by KOReader's hash of its file, or by quotes (calibre's export).

    calibre's collection names no book, so the book holding most of its quotes is chosen.
    """
    from reader_app.core.importers import CALIBRE
    from reader_app.core.importers.koreader import MD5_PREFIX, partial_md5

    real = [b for b in library if not b.placeholder]
    if item.book_id.startswith(MD5_PREFIX):
        wanted = item.book_id.removeprefix(MD5_PREFIX)
        for book in real:
            for path in book_file_paths(conn, book.id):
                try:
                    if partial_md5(Path(path)) == wanted:
                        return book
                except OSError:
                    continue
    # A calibre file's title comes from its name at best; when that matched no book, the
    # quotes decide.
    if item.book_id or (item.book_title and item.source != CALIBRE):
        return None
    quotes = [i.quote for i in items if i.source == item.source and not i.book_id and i.quote]
    quotes = quotes[:20]
    best, best_found = None, 0
    for book in real:
        loaded = load(book.id)
        if loaded is None:
            continue
        texts = [chapter.text for chapter in loaded.chapters]
        found = sum(any(quote in text for text in texts) for quote in quotes)
        if found > best_found:
            best, best_found = book, found
    return best


def _placeholder_plan(
    item: ImportedAnnotation, by_id: dict[str, LibraryBook], made: dict[str, LibraryBook]
) -> ImportPlan:
    """Keep an annotation of an unknown book on a placeholder, made or reused."""
    existing = [b for b in [*by_id.values(), *made.values()] if b.placeholder]
    # An export names its book by id: keep that id, so the placeholder is recognised by the
    # book's own bytes when opened and a new export names the book as the old one did.
    named = item.book_id if _SHA256.match(item.book_id) or _is_placeholder_id(item) else ""
    reuse = by_id.get(named) or made.get(named)
    if reuse is None and not named:
        reuse = next(
            (
                b
                for b in existing
                if titles_match(b.title, item.book_title)
                and authors_match(b.authors, item.book_authors)
            ),
            None,
        )
    plan = ImportPlan(item, "")
    _keep_given_position(plan)
    if _SHA256.match(item.book_id) and item.orphaned is False and item.start is not None:
        # The export found the quote at this place in these very bytes (the id is their
        # SHA-256), so it is placed, not lost; opening the file checks it all the same.
        plan.orphaned = False
    if reuse is not None:
        plan.book_id = reuse.id
        return plan
    book_id = named or placeholder_id(item.book_title, item.book_authors)
    book = LibraryBook(book_id, item.book_title or "Untitled", item.book_authors, True)
    made[book_id] = book
    plan.book_id, plan.new_placeholder = book_id, book
    return plan


def _is_placeholder_id(item: ImportedAnnotation) -> bool:
    return item.book_id.startswith(PLACEHOLDER_PREFIX) and len(item.book_id) > len(
        PLACEHOLDER_PREFIX
    )


def _keep_given_position(plan: ImportPlan) -> None:
    """Keep the file's position for an orphan, so the next re-anchoring starts there."""
    item = plan.item
    if item.chapter is not None and item.start is not None and item.end is not None:
        if 0 <= item.start <= item.end and item.chapter >= 0:
            plan.chapter, plan.start, plan.end = item.chapter, item.start, item.end
    elif item.chapter is not None and item.chapter >= 0:
        plan.chapter = item.chapter
    plan.section = item.section


def _place(resolver: AnchorResolver, item: ImportedAnnotation) -> Placement | None:
    if item.chapter is not None and item.start is not None and item.end is not None:
        # The export's own position, checked against the quote, then a fuzzy search.
        anchor = TextAnchor(
            item.chapter, item.start, item.end, item.quote, item.prefix, item.suffix
        )
        return resolver.resolve(anchor)
    return resolver.find_quote(item.quote, item.prefix, item.suffix, item.chapter)
