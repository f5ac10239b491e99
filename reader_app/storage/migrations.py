"""Schema changes, one function per ``PRAGMA user_version`` step.

Append only: a released step is never edited, because users' databases already ran it.
Each step runs inside the transaction that also sets the new version.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite3


def _migrate_1_initial(conn: sqlite3.Connection) -> None:
    """Books with their reading position, and highlights anchored into their chapters."""
    # Single statements, not executescript(): executescript() COMMITs first, which would
    # split the migration from its user_version bump.
    conn.execute(
        """
        CREATE TABLE books (
            id TEXT PRIMARY KEY,  -- SHA-256 of the file bytes, hex
            path TEXT NOT NULL,
            title TEXT NOT NULL,
            authors TEXT NOT NULL,  -- JSON list of strings
            language TEXT NOT NULL DEFAULT '',
            format TEXT NOT NULL,
            chapter_count INTEGER NOT NULL,
            char_count INTEGER NOT NULL,
            added_at TEXT NOT NULL,
            last_opened_at TEXT,
            position_chapter INTEGER NOT NULL DEFAULT 0,
            position_offset INTEGER NOT NULL DEFAULT 0,
            progress REAL NOT NULL DEFAULT 0,
            in_recent INTEGER NOT NULL DEFAULT 1
        )
        """
    )
    conn.execute(
        """
        CREATE TABLE highlights (
            id INTEGER PRIMARY KEY,
            book_id TEXT NOT NULL REFERENCES books(id) ON DELETE CASCADE,
            chapter INTEGER NOT NULL,
            chapter_key TEXT NOT NULL DEFAULT '',
            start INTEGER NOT NULL,
            end INTEGER NOT NULL,
            quote TEXT NOT NULL,
            prefix TEXT NOT NULL DEFAULT '',
            suffix TEXT NOT NULL DEFAULT '',
            color TEXT NOT NULL DEFAULT 'yellow',
            note TEXT NOT NULL DEFAULT '',
            orphaned INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            CHECK (end >= start)
        )
        """
    )
    conn.execute("CREATE INDEX highlights_by_position ON highlights (book_id, chapter, start)")


def _migrate_2_book_paths(conn: sqlite3.Connection) -> None:
    """Remember every path a book was seen at, so it is found again after a move."""
    conn.execute(
        """
        CREATE TABLE book_paths (
            book_id TEXT NOT NULL REFERENCES books(id) ON DELETE CASCADE,
            path TEXT NOT NULL,
            seen_at TEXT NOT NULL,
            PRIMARY KEY (book_id, path)
        )
        """
    )
    # Looking a file up by path happens on every open; the primary key only helps by book.
    conn.execute("CREATE INDEX book_paths_by_path ON book_paths (path)")
    conn.execute(
        """
        INSERT INTO book_paths (book_id, path, seen_at)
        SELECT id, path, COALESCE(last_opened_at, added_at) FROM books
        """
    )


def _migrate_3_analyses_and_examples(conn: sqlite3.Connection) -> None:
    """Tone analyses of highlights (every attempt, kept as history) and the examples."""
    conn.execute(
        """
        CREATE TABLE analyses (
            id INTEGER PRIMARY KEY,
            highlight_id INTEGER NOT NULL REFERENCES highlights(id) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
            model TEXT NOT NULL DEFAULT '',
            prompt_version TEXT NOT NULL DEFAULT '',
            tone TEXT NOT NULL DEFAULT '',
            polarity TEXT NOT NULL DEFAULT '',
            dominant_emotion TEXT NOT NULL DEFAULT '',
            result_json TEXT NOT NULL DEFAULT '',
            dropped_evidence INTEGER NOT NULL DEFAULT 0,
            input_tokens INTEGER NOT NULL DEFAULT 0,
            output_tokens INTEGER NOT NULL DEFAULT 0,
            cache_creation_tokens INTEGER NOT NULL DEFAULT 0,
            cache_read_tokens INTEGER NOT NULL DEFAULT 0,
            cost_usd REAL NOT NULL DEFAULT 0,
            ttft_ms REAL NOT NULL DEFAULT 0,
            total_ms REAL NOT NULL DEFAULT 0,
            request_id TEXT NOT NULL DEFAULT '',
            error_kind TEXT NOT NULL DEFAULT '',
            error_message TEXT NOT NULL DEFAULT ''
        )
        """
    )
    conn.execute("CREATE INDEX analyses_by_highlight ON analyses (highlight_id, id)")
    conn.execute(
        """
        CREATE TABLE examples (
            id INTEGER PRIMARY KEY,
            excerpt TEXT NOT NULL,
            tone TEXT NOT NULL,
            emotions TEXT NOT NULL DEFAULT '[]',
            explanation TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL DEFAULT '',
            tags TEXT NOT NULL DEFAULT '[]',
            created_at TEXT NOT NULL
        )
        """
    )
    # Small facts about the library itself, e.g. that the seed examples were loaded once.
    conn.execute("CREATE TABLE app_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


def _migrate_4_sets_corrections_batches(conn: sqlite3.Connection) -> None:
    """Named example sets, the reader's corrections of answers, and Message Batches jobs."""
    conn.execute(
        """
        CREATE TABLE example_sets (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL
        )
        """
    )
    conn.execute(
        """
        CREATE TABLE example_set_members (
            set_id INTEGER NOT NULL REFERENCES example_sets(id) ON DELETE CASCADE,
            example_id INTEGER NOT NULL REFERENCES examples(id) ON DELETE CASCADE,
            PRIMARY KEY (set_id, example_id)
        )
        """
    )
    # Which set a book uses; a row with book_id '' is the library-wide choice.
    conn.execute(
        """
        CREATE TABLE active_example_sets (
            book_id TEXT PRIMARY KEY,
            set_id INTEGER REFERENCES example_sets(id) ON DELETE CASCADE
        )
        """
    )
    conn.execute(
        """
        CREATE TABLE corrections (
            id INTEGER PRIMARY KEY,
            analysis_id INTEGER NOT NULL REFERENCES analyses(id) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            tone TEXT NOT NULL,
            dominant_emotion TEXT NOT NULL DEFAULT '',
            result_json TEXT NOT NULL,
            example_id INTEGER REFERENCES examples(id) ON DELETE SET NULL
        )
        """
    )
    conn.execute("CREATE INDEX corrections_by_analysis ON corrections (analysis_id)")
    conn.execute(
        """
        CREATE TABLE batch_jobs (
            id INTEGER PRIMARY KEY,
            remote_id TEXT NOT NULL DEFAULT '',
            book_id TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            items_json TEXT NOT NULL,
            counts_json TEXT NOT NULL DEFAULT '{}',
            error TEXT NOT NULL DEFAULT ''
        )
        """
    )


def _migrate_5_evaluations(conn: sqlite3.Connection) -> None:
    """Evaluation sets with their items, and runs over them with one answer per item."""
    conn.execute(
        """
        CREATE TABLE eval_sets (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT '',
            field TEXT NOT NULL CHECK (field IN ('tone', 'polarity', 'emotion')),
            created_at TEXT NOT NULL
        )
        """
    )
    conn.execute(
        """
        CREATE TABLE eval_items (
            id INTEGER PRIMARY KEY,
            set_id INTEGER NOT NULL REFERENCES eval_sets(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            text TEXT NOT NULL,
            context TEXT NOT NULL DEFAULT '',
            expected TEXT NOT NULL,
            UNIQUE (set_id, position)
        )
        """
    )
    # A run belongs to its set: deleting a set takes its runs (and their answers) along.
    conn.execute(
        """
        CREATE TABLE eval_runs (
            id INTEGER PRIMARY KEY,
            set_id INTEGER NOT NULL REFERENCES eval_sets(id) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('running', 'done', 'canceled')),
            field TEXT NOT NULL CHECK (field IN ('tone', 'polarity', 'emotion')),
            config_json TEXT NOT NULL DEFAULT '{}',
            finished_at TEXT
        )
        """
    )
    conn.execute("CREATE INDEX eval_runs_by_set ON eval_runs (set_id, id)")
    # One row per (run, item), so saving an answer again replaces it: a resumed run can
    # never count an item twice. correct and override are NULL when there is no verdict.
    conn.execute(
        """
        CREATE TABLE eval_answers (
            run_id INTEGER NOT NULL REFERENCES eval_runs(id) ON DELETE CASCADE,
            item_id INTEGER NOT NULL REFERENCES eval_items(id) ON DELETE CASCADE,
            status TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
            predicted TEXT NOT NULL DEFAULT '',
            answer_json TEXT NOT NULL DEFAULT '',
            correct INTEGER CHECK (correct IN (0, 1)),
            judged INTEGER NOT NULL DEFAULT 0 CHECK (judged IN (0, 1)),
            judge_note TEXT NOT NULL DEFAULT '',
            override INTEGER CHECK (override IN (0, 1)),
            latency_ms REAL NOT NULL DEFAULT 0,
            input_tokens INTEGER NOT NULL DEFAULT 0,
            output_tokens INTEGER NOT NULL DEFAULT 0,
            cache_creation_tokens INTEGER NOT NULL DEFAULT 0,
            cache_read_tokens INTEGER NOT NULL DEFAULT 0,
            cost_usd REAL NOT NULL DEFAULT 0,
            error_kind TEXT NOT NULL DEFAULT '',
            error_message TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (run_id, item_id)
        )
        """
    )
    # Deleting an item looks up its answers by item; the primary key only helps by run.
    conn.execute("CREATE INDEX eval_answers_by_item ON eval_answers (item_id)")


def _migrate_6_sections_sources_placeholders(conn: sqlite3.Connection) -> None:
    """What exports and imports need.

    A highlight's section title and where it came from, and books known only by title and
    author (from an import) until their file is opened.
    """
    conn.execute("ALTER TABLE highlights ADD COLUMN section TEXT NOT NULL DEFAULT ''")
    conn.execute("ALTER TABLE highlights ADD COLUMN source TEXT NOT NULL DEFAULT ''")
    conn.execute("ALTER TABLE books ADD COLUMN placeholder INTEGER NOT NULL DEFAULT 0")


def _migrate_7_highlights_by_quote(conn: sqlite3.Connection) -> None:
    """Find a book's highlight by its quote without reading all of them.

    An import asks this once per annotation to skip the ones already there; a scan of the
    book made a 20,000-clipping import take minutes.
    """
    conn.execute("CREATE INDEX highlights_by_quote ON highlights (book_id, quote)")


def _migrate_8_glossary(conn: sqlite3.Connection) -> None:
    """The tone glossary: each tone word's definition, per CEFR level and language.

    A definition is asked of Claude once per word, level and language; "known" is the
    reader's mark on a word they have learned.
    """
    conn.execute(
        """
        CREATE TABLE glossary (
            id INTEGER PRIMARY KEY,
            word TEXT NOT NULL,
            level TEXT NOT NULL,
            language TEXT NOT NULL,
            definition TEXT NOT NULL DEFAULT '',
            model TEXT NOT NULL DEFAULT '',
            known INTEGER NOT NULL DEFAULT 0 CHECK (known IN (0, 1)),
            created_at TEXT NOT NULL,
            UNIQUE (word, level, language)
        )
        """
    )


def _migrate_9_guesses(conn: sqlite3.Connection) -> None:
    """The learner's guesses in practice mode, kept beside the answer they were made for.

    ``correction_id`` is set when the learner insisted on their own reading and it became
    a correction of the answer.
    """
    conn.execute(
        """
        CREATE TABLE guesses (
            id INTEGER PRIMARY KEY,
            highlight_id INTEGER NOT NULL REFERENCES highlights(id) ON DELETE CASCADE,
            analysis_id INTEGER REFERENCES analyses(id) ON DELETE SET NULL,
            created_at TEXT NOT NULL,
            polarity TEXT NOT NULL DEFAULT '',
            emotions_json TEXT NOT NULL DEFAULT '[]',
            tone TEXT NOT NULL DEFAULT '',
            correction_id INTEGER REFERENCES corrections(id) ON DELETE SET NULL
        )
        """
    )
    conn.execute("CREATE INDEX guesses_by_highlight ON guesses (highlight_id)")


def _migrate_10_speaker_evaluations(conn: sqlite3.Connection) -> None:
    """Evaluation sets and runs may score who speaks, as well as tone, polarity and emotion.

    SQLite cannot change a CHECK constraint in place, and rebuilding these two tables
    inside a migration's transaction, where foreign keys stay on, would cascade-delete
    their items and answers. Widening a CHECK changes nothing stored, so the two table
    definitions are edited in the schema itself, the way SQLite's ALTER TABLE page
    describes for such changes, and the schema version is raised so that every open
    connection reads them again.
    """
    old = "CHECK (field IN ('tone', 'polarity', 'emotion'))"
    new = "CHECK (field IN ('tone', 'polarity', 'emotion', 'speaker'))"
    (version,) = conn.execute("PRAGMA schema_version").fetchone()
    conn.execute("PRAGMA writable_schema = ON")
    try:
        conn.execute(
            "UPDATE sqlite_master SET sql = replace(sql, ?, ?)"
            " WHERE type = 'table' AND name IN ('eval_sets', 'eval_runs')",
            (old, new),
        )
        conn.execute(f"PRAGMA schema_version = {int(version) + 1:d}")
    finally:
        conn.execute("PRAGMA writable_schema = OFF")


def _migrate_11_speaker_names(conn: sqlite3.Connection) -> None:
    """The reader's own grouping of a book's speaker names (rename, merge, split)."""
    conn.execute(
        """
        CREATE TABLE speaker_names (
            book_id TEXT NOT NULL,
            name TEXT NOT NULL,
            character TEXT NOT NULL,
            PRIMARY KEY (book_id, name)
        )
        """
    )


def _migrate_12_example_changes(conn: sqlite3.Connection) -> None:
    """A count of the changes to the examples, kept by triggers, for the library's cache.

    Every request reads the whole example library. Triggers count each change, made by
    this process or another (the command line), so a reader knows from one row whether
    what it decoded before still holds.
    """
    conn.execute(
        "CREATE TABLE change_counts (name TEXT PRIMARY KEY, value INTEGER NOT NULL DEFAULT 0)"
    )
    conn.execute("INSERT INTO change_counts (name) VALUES ('examples')")
    for event in ("INSERT", "UPDATE", "DELETE"):
        conn.execute(
            f"CREATE TRIGGER examples_{event.lower()}_counted AFTER {event} ON examples"
            " BEGIN UPDATE change_counts SET value = value + 1 WHERE name = 'examples'; END"
        )


def _migrate_13_example_speakers(conn: sqlite3.Connection) -> None:
    """An example may say who speaks the excerpt and to whom, as an answer now does."""
    conn.execute("ALTER TABLE examples ADD COLUMN speaker TEXT NOT NULL DEFAULT ''")
    conn.execute("ALTER TABLE examples ADD COLUMN addressee TEXT NOT NULL DEFAULT ''")


STEPS = (
    _migrate_1_initial,
    _migrate_2_book_paths,
    _migrate_3_analyses_and_examples,
    _migrate_4_sets_corrections_batches,
    _migrate_5_evaluations,
    _migrate_6_sections_sources_placeholders,
    _migrate_7_highlights_by_quote,
    _migrate_8_glossary,
    _migrate_9_guesses,
    _migrate_10_speaker_evaluations,
    _migrate_11_speaker_names,
    _migrate_12_example_changes,
    _migrate_13_example_speakers,
)
