"""Store imported annotations: one transaction per import, nothing ever dropped.

Each imported annotation goes to a book of the library when it can be told which: by the
book's SHA-256 when the file names it, else by title and author. Its quote is then looked
up in the book's text (loaded *before* the transaction, so a slow parse never holds the
write lock) and it becomes an ordinary highlight; a quote not found is kept as an orphan.

An annotation of a book the library has never seen is kept on a *placeholder* book
(``books.placeholder = 1``): a row known only by title and author, with no file. When a
book whose title and author match is opened, :func:`adopt_placeholders` moves those
highlights to it, and the usual re-anchoring on open places them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from reader_app.core.anchors import AnchorResolver, Placement, TextAnchor
from reader_app.core.errors import BookError
from reader_app.core.records import DEFAULT_COLOR
from reader_app.core.tone_result import dominant_emotion
from reader_app.storage.db import format_timestamp, system_clock, transaction
from reader_app.storage.duplicates import KnownHighlights

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Callable, Iterable, Sequence

    from reader_app.core.book import Book
    from reader_app.core.book_cache import BookCache
    from reader_app.core.importers import ImportedAnnotation
    from reader_app.core.sections import SectionFinder
    from reader_app.storage.db import Clock

BookLoader: TypeAlias = "Callable[[str], Book | None]"
"""Loads a library book's file by the book's id; None when it is not at hand."""

log = logging.getLogger(__name__)

PLACEHOLDER_PREFIX = "import:"
PLACEHOLDER_FORMAT = "Unknown"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
# Where a subtitle or an edition note starts: "Frankenstein; Or, The Modern Prometheus",
# "Pride and Prejudice (Penguin Classics)", "Walden: Or, Life in the Woods".
_SUBTITLE = re.compile(r"\s*(?:[:;(\[]|\s[-–—]\s).*$", re.DOTALL)


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
class _LibraryBook:
    id: str
    title: str
    authors: tuple[str, ...]
    placeholder: bool


@dataclass
class _Plan:
    """Where one annotation goes, decided before the transaction."""

    item: ImportedAnnotation
    book_id: str
    chapter: int = 0
    chapter_key: str = ""
    start: int = 0
    end: int = 0
    section: str = ""
    orphaned: bool = True
    new_placeholder: _LibraryBook | None = None


def normalise(text: str) -> str:
    """Text reduced for matching titles and names: case, accents' forms, punctuation.

    Args:
        text: a title or a name.

    Returns:
        Lower-case words separated by single spaces.
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.sub(r"[^\w\s]|_", " ", text).split())


def titles_match(a: str, b: str) -> bool:
    """Whether two titles name the same book, subtitles and edition notes aside.

    Args:
        a: one title.
        b: the other.

    Returns:
        True when the titles are equal once normalised, or their main titles are.
    """
    full_a, full_b = normalise(a), normalise(b)
    if not full_a or not full_b:
        return False
    if full_a == full_b:
        return True
    main_a, main_b = normalise(_SUBTITLE.sub("", a)), normalise(_SUBTITLE.sub("", b))
    return bool(main_a) and main_a == main_b


def authors_match(a: Sequence[str], b: Sequence[str]) -> bool:
    """Whether two author lists name the same person; an empty list matches any.

    Kindle writes "Austen, Jane" where a book says "Jane Austen", and initials come with
    or without spaces, so names match when they share a word of three letters or more
    (the surname, in practice); the titles must match as well, which keeps this safe.

    Args:
        a: one list of authors.
        b: the other.

    Returns:
        True when either list is empty or some names share a word.
    """
    words_a = {w for name in a for w in normalise(name).split() if len(w) >= 3}
    words_b = {w for name in b for w in normalise(name).split() if len(w) >= 3}
    if not words_a or not words_b:
        return True
    return bool(words_a & words_b)


def placeholder_id(title: str, authors: Sequence[str]) -> str:
    """The id of the placeholder book for a title and author.

    Args:
        title: the book's title.
        authors: its authors.

    Returns:
        ``import:`` and 32 hex digits of the SHA-256 of the normalised ``title|author``.
    """
    key = f"{normalise(title)}|{normalise(' '.join(authors))}"
    return PLACEHOLDER_PREFIX + hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


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
        rows = conn.execute(
            "SELECT path FROM books WHERE id = ? AND path != ''"
            " UNION SELECT path FROM book_paths WHERE book_id = ?",
            (book_id, book_id),
        ).fetchall()
        for (path,) in rows:
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
    now = format_timestamp(clock())
    imported = orphans = duplicates = 0
    known: dict[str, KnownHighlights] = {}
    rows: list[tuple[object, ...]] = []  # highlights waiting to be inserted together
    with transaction(conn):
        for plan in plans:
            if plan.new_placeholder is not None:
                _insert_placeholder(conn, plan.new_placeholder, now)
            if plan.book_id not in known:
                known[plan.book_id] = KnownHighlights.of(conn, plan.book_id)
            if known[plan.book_id].has(plan):
                duplicates += 1
                continue
            known[plan.book_id].add(plan)
            if plan.item.analysis is None:
                rows.append(_highlight_row(plan, source, now))
            else:
                # Its analysis needs the highlight's id: the rows before it go in first.
                _insert_highlights(conn, rows)
                # execute, not executemany: only execute sets lastrowid.
                cursor = conn.execute(_INSERT_HIGHLIGHT, _highlight_row(plan, source, now))
                _insert_analysis(conn, int(cursor.lastrowid or 0), plan.item, now)
            imported += 1
            orphans += plan.orphaned
        _insert_highlights(conn, rows)
    return ImportResult(imported, orphans, duplicates, problems)


def adopt_placeholders(conn: sqlite3.Connection, book: Book) -> int:
    """Give a book that was just opened the highlights imported for it before.

    Placeholder books whose title and author match ``book`` hand it their highlights,
    still orphaned so that re-anchoring places them, and are deleted. A placeholder that
    has this book's own id (a W3C import names books by SHA-256) simply becomes real.
    The book must be recorded already (``BookRepository.record_opened``). When there is
    nothing to adopt, nothing is written, so opening a book never waits for the write lock.

    Args:
        conn: the library.
        book: the opened book.

    Returns:
        How many highlights were adopted.

    Raises:
        StorageError: the library could not be written; nothing changed.
    """
    if not adoptable_placeholders(conn, book):
        return 0
    with transaction(conn):
        moved, became_real = adopt_within(conn, book)
        adopted = moved + (_count(conn, book.book_id) if became_real else 0)
    if adopted:
        log.info("Adopted %d imported highlight(s) for %s", adopted, book.book_id)
    return adopted


def adopt_within(conn: sqlite3.Connection, book: Book) -> tuple[int, bool]:
    """Adopt the placeholders for ``book``, inside the caller's transaction.

    Args:
        conn: the library, with a write transaction open.
        book: the opened book.

    Returns:
        How many highlights other placeholders handed over (orphaned, to be placed), and
        whether the book's own row was a placeholder that has now become real.
    """
    moved = 0
    became_real = False
    # Read again under the write lock: another window may have adopted them meanwhile,
    # or an import added some.
    for candidate_id in adoptable_placeholders(conn, book):
        if candidate_id == book.book_id:
            conn.execute("UPDATE books SET placeholder = 0 WHERE id = ?", (book.book_id,))
            became_real = True
            continue
        moved += conn.execute(
            "UPDATE highlights SET book_id = ?, orphaned = 1 WHERE book_id = ?",
            (book.book_id, candidate_id),
        ).rowcount
        conn.execute("DELETE FROM books WHERE id = ?", (candidate_id,))
    return moved, became_real


def adoptable_placeholders(conn: sqlite3.Connection, book: Book) -> list[str]:
    """The placeholder books ``book`` takes over: its own row if a placeholder, and matches.

    Args:
        conn: the library.
        book: the opened book.

    Returns:
        The placeholder book ids; empty when the book is not recorded.
    """
    own = conn.execute("SELECT placeholder FROM books WHERE id = ?", (book.book_id,)).fetchone()
    if own is None:
        return []  # not recorded: there is no row to move the highlights to
    found = [book.book_id] if own["placeholder"] else []
    found += [
        candidate.id
        for candidate in _library_books(conn)
        if candidate.placeholder
        and candidate.id != book.book_id
        and titles_match(candidate.title, book.title)
        and authors_match(candidate.authors, book.authors)
    ]
    return found


# -- planning, outside the transaction ---------------------------------------------------


def _plan(
    conn: sqlite3.Connection, items: list[ImportedAnnotation], loader: BookLoader
) -> tuple[list[_Plan], list[str]]:
    """Decide each annotation's book and place; loads the books it needs."""
    library = _library_books(conn)
    by_id = {b.id: b for b in library}
    loaded: dict[str, Book | None] = {}
    resolvers: dict[str, tuple[AnchorResolver, SectionFinder]] = {}
    placeholders: dict[str, _LibraryBook] = {}  # made by this import, by id
    # A clippings file names the same few books thousands of times: match each name once.
    targets: dict[tuple[str, str, tuple[str, ...]], _LibraryBook | None] = {}
    plans: list[_Plan] = []
    problems: list[str] = []
    for item in items:
        if not item.quote and not item.note:
            problems.append(f"{item.origin or 'an annotation'}: it has neither text nor a note")
            continue
        key = (item.book_id, item.book_title, item.book_authors)
        if key not in targets:
            targets[key] = _find_book(item, library, by_id)
        target = targets[key]
        if target is None:
            plans.append(_placeholder_plan(item, by_id, placeholders))
            continue
        if target.id not in loaded:
            loaded[target.id] = _load(loader, target.id)
        book = loaded[target.id]
        plan = _Plan(item, target.id)
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
                plan.section = sections.title(place.chapter, place.start)
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
    item: ImportedAnnotation, library: list[_LibraryBook], by_id: dict[str, _LibraryBook]
) -> _LibraryBook | None:
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


def _placeholder_plan(
    item: ImportedAnnotation, by_id: dict[str, _LibraryBook], made: dict[str, _LibraryBook]
) -> _Plan:
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
    plan = _Plan(item, "")
    _keep_given_position(plan)
    if _SHA256.match(item.book_id) and item.orphaned is False and item.start is not None:
        # The export found the quote at this place in these very bytes (the id is their
        # SHA-256), so it is placed, not lost; opening the file checks it all the same.
        plan.orphaned = False
    if reuse is not None:
        plan.book_id = reuse.id
        return plan
    book_id = named or placeholder_id(item.book_title, item.book_authors)
    book = _LibraryBook(book_id, item.book_title or "Untitled", item.book_authors, True)
    made[book_id] = book
    plan.book_id, plan.new_placeholder = book_id, book
    return plan


def _is_placeholder_id(item: ImportedAnnotation) -> bool:
    return item.book_id.startswith(PLACEHOLDER_PREFIX) and len(item.book_id) > len(
        PLACEHOLDER_PREFIX
    )


def _keep_given_position(plan: _Plan) -> None:
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


def _library_books(conn: sqlite3.Connection) -> list[_LibraryBook]:
    rows = conn.execute(
        "SELECT id, title, authors, placeholder FROM books"
        " ORDER BY placeholder, last_opened_at IS NULL, last_opened_at DESC, id"
    ).fetchall()
    return [
        _LibraryBook(str(r["id"]), str(r["title"]), _authors(r["authors"]), bool(r["placeholder"]))
        for r in rows
    ]


def _authors(raw: object) -> tuple[str, ...]:
    try:
        value = json.loads(raw) if isinstance(raw, str) else None
    except ValueError:
        return ()
    return tuple(str(a) for a in value) if isinstance(value, list) else ()


def _count(conn: sqlite3.Connection, book_id: str) -> int:
    row = conn.execute("SELECT COUNT(*) FROM highlights WHERE book_id = ?", (book_id,)).fetchone()
    return int(row[0])


# -- writing, inside the transaction -----------------------------------------------------


def _insert_placeholder(conn: sqlite3.Connection, book: _LibraryBook, now: str) -> None:
    # Never opened (last_opened_at NULL) and off the Recent list: there is no file to open.
    conn.execute(
        """
        INSERT INTO books (id, path, title, authors, language, format, chapter_count,
                           char_count, added_at, last_opened_at, in_recent, placeholder)
        VALUES (?, '', ?, ?, '', ?, 0, 0, ?, NULL, 0, 1)
        ON CONFLICT (id) DO NOTHING
        """,
        (
            book.id,
            book.title,
            json.dumps(list(book.authors), ensure_ascii=False),
            PLACEHOLDER_FORMAT,
            now,
        ),
    )


_INSERT_HIGHLIGHT = """
    INSERT INTO highlights (book_id, chapter, chapter_key, start, end, quote, prefix, suffix,
                            color, note, orphaned, created_at, updated_at, section, source)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""


def _highlight_row(plan: _Plan, source: str, now: str) -> tuple[object, ...]:
    item = plan.item
    created = item.created or now
    return (
        plan.book_id,
        plan.chapter,
        plan.chapter_key,
        plan.start,
        plan.end,
        item.quote,
        item.prefix,
        item.suffix,
        item.color or DEFAULT_COLOR,
        item.note,
        int(plan.orphaned),
        created,
        item.modified or created,
        plan.section,
        item.source or source,
    )


def _insert_highlights(conn: sqlite3.Connection, rows: list[tuple[object, ...]]) -> None:
    """Insert ``rows`` (from :func:`_highlight_row`) in one statement, and empty the list."""
    conn.executemany(_INSERT_HIGHLIGHT, rows)
    rows.clear()


def _insert_analysis(
    conn: sqlite3.Connection, highlight_id: int, item: ImportedAnnotation, now: str
) -> None:
    """Store the annotation's analysis, and the reader's correction of it if it had one."""
    analysis = item.analysis or {}
    prov = item.provenance
    # An export carries only the answer that counts (the correction, when there is one), so
    # that is also stored as the model's answer; the correction row keeps it marked as such.
    answer = analysis
    cursor = conn.execute(
        """
        INSERT INTO analyses (highlight_id, created_at, status, model, prompt_version, tone,
                              polarity, dominant_emotion, result_json, input_tokens,
                              output_tokens, cost_usd)
        VALUES (?, ?, 'ok', ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        (
            highlight_id,
            prov.analysed_at or now,
            prov.model,
            prov.prompt_version,
            str(answer.get("tone", "")),
            str(answer.get("polarity", "")),
            dominant_emotion(answer),
            json.dumps(answer, ensure_ascii=False),
            prov.input_tokens,
            prov.output_tokens,
            prov.cost_usd,
        ),
    )
    if prov.corrected:
        conn.execute(
            "INSERT INTO corrections (analysis_id, created_at, tone, dominant_emotion,"
            " result_json) VALUES (?, ?, ?, ?, ?)",
            (
                int(cursor.lastrowid or 0),
                item.modified or now,
                str(analysis.get("tone", "")),
                dominant_emotion(analysis),
                json.dumps(analysis, ensure_ascii=False),
            ),
        )
