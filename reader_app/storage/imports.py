"""Store imported annotations: the library's side of an import, one transaction each.

``reader_app.usecases.importing`` decides where each imported annotation goes (which book,
and where in its text); this module reads what that needs from the library and writes the
result. An annotation of a book the library has never seen is kept on a *placeholder*
book (``books.placeholder = 1``): a row known only by title and author, with no file. When
a book whose title and author match is opened, :func:`adopt_placeholders` moves those
highlights to it, and the usual re-anchoring on open places them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reader_app.core.records import DEFAULT_COLOR
from reader_app.core.tone_result import dominant_emotion
from reader_app.storage.db import transaction
from reader_app.storage.duplicates import KnownHighlights

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Sequence

    from reader_app.core.book import Book
    from reader_app.core.importers import ImportedAnnotation

log = logging.getLogger(__name__)

PLACEHOLDER_PREFIX = "import:"
PLACEHOLDER_FORMAT = "Unknown"
# Where a subtitle or an edition note starts: "Frankenstein; Or, The Modern Prometheus",
# "Pride and Prejudice (Penguin Classics)", "Walden: Or, Life in the Woods".
_SUBTITLE = re.compile(r"\s*(?:[:;(\[]|\s[-–—]\s).*$", re.DOTALL)


@dataclass(frozen=True)
class LibraryBook:
    """A book of the library as an import matches annotations to it.

    Attributes:
        id: the book's id (SHA-256 hex, or ``import:…`` for a placeholder).
        title: its title.
        authors: its authors.
        placeholder: True for a book known only by title and author, with no file.
    """

    id: str
    title: str
    authors: tuple[str, ...]
    placeholder: bool


@dataclass
class ImportPlan:
    """Where one imported annotation goes, decided before the transaction.

    Attributes:
        item: the annotation.
        book_id: the library book (or placeholder) it goes to.
        chapter: its chapter in that book.
        chapter_key: the chapter's stable key, when placed.
        start: its start in the chapter's plain text.
        end: its end.
        section: the contents entry it falls under.
        orphaned: True when it was not placed in the book's text.
        new_placeholder: a placeholder book to create for it, if any.
    """

    item: ImportedAnnotation
    book_id: str
    chapter: int = 0
    chapter_key: str = ""
    start: int = 0
    end: int = 0
    section: str = ""
    orphaned: bool = True
    new_placeholder: LibraryBook | None = None


@dataclass(frozen=True)
class StoredImport:
    """What storing an import's plans wrote.

    Attributes:
        imported: highlights stored (orphans included).
        orphans: of those, the ones not placed in a book's text (yet).
        duplicates: annotations skipped because the book already had them.
    """

    imported: int
    orphans: int
    duplicates: int


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


def library_books(conn: sqlite3.Connection) -> list[LibraryBook]:
    """Every book of the library, placeholders included, for matching annotations to.

    Args:
        conn: the library.

    Returns:
        Real books first, most recently opened first (so of two editions that one wins),
        then the placeholders.
    """
    rows = conn.execute(
        "SELECT id, title, authors, placeholder FROM books"
        " ORDER BY placeholder, last_opened_at IS NULL, last_opened_at DESC, id"
    ).fetchall()
    return [
        LibraryBook(str(r["id"]), str(r["title"]), _authors(r["authors"]), bool(r["placeholder"]))
        for r in rows
    ]


def book_file_paths(conn: sqlite3.Connection, book_id: str) -> list[str]:
    """Every path a library book's file was seen at: its last one and all earlier ones.

    Args:
        conn: the library.
        book_id: the book's SHA-256 hex.

    Returns:
        The paths (none may still hold the book); empty for an unknown book.
    """
    rows = conn.execute(
        "SELECT path FROM books WHERE id = ? AND path != ''"
        " UNION SELECT path FROM book_paths WHERE book_id = ?",
        (book_id, book_id),
    ).fetchall()
    return [str(path) for (path,) in rows]


def store_imports(
    conn: sqlite3.Connection, plans: Sequence[ImportPlan], *, source: str, now: str
) -> StoredImport:
    """Store the planned annotations, all in one transaction, skipping duplicates.

    Args:
        conn: the library.
        plans: where each annotation goes, in the file's order.
        source: where they come from (``kindle``, ``w3c``), kept with each highlight that
            does not say where it first came from.
        now: the current time (``format_timestamp``), for rows the file gives no date.

    Returns:
        How many were stored, orphaned and skipped as duplicates.

    Raises:
        StorageError: the library could not be written; nothing was stored.
    """
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
    return StoredImport(imported, orphans, duplicates)


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
        for candidate in library_books(conn)
        if candidate.placeholder
        and candidate.id != book.book_id
        and titles_match(candidate.title, book.title)
        and authors_match(candidate.authors, book.authors)
    ]
    return found


# -- reading and writing rows ---------------------------------------------------------


def _authors(raw: object) -> tuple[str, ...]:
    try:
        value = json.loads(raw) if isinstance(raw, str) else None
    except ValueError:
        return ()
    return tuple(str(a) for a in value) if isinstance(value, list) else ()


def _count(conn: sqlite3.Connection, book_id: str) -> int:
    row = conn.execute("SELECT COUNT(*) FROM highlights WHERE book_id = ?", (book_id,)).fetchone()
    return int(row[0])


def _insert_placeholder(conn: sqlite3.Connection, book: LibraryBook, now: str) -> None:
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


def _highlight_row(plan: ImportPlan, source: str, now: str) -> tuple[object, ...]:
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
