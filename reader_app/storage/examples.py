"""The reader's examples, in a stable order (the prompt cache depends on it)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from reader_app.core.examples import Example
from reader_app.core.records import ExampleSet, StoredExample
from reader_app.storage.db import format_timestamp, system_clock, transaction

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Callable, Sequence

    from reader_app.storage.db import Clock

SEEDED_KEY = "seed_examples_loaded"


class ExampleRepository:
    """CRUD for examples and their named sets; the list order is the order they were added."""

    def __init__(self, conn: sqlite3.Connection, clock: Clock = system_clock) -> None:
        self._conn = conn
        self._clock = clock
        # Set memberships of deleted examples, for undo.
        self._deleted_sets: dict[int, list[int]] = {}
        # Every request reads the whole library (65 shipped examples and more): decoding
        # it took 30 ms of each press of A. The rows are read again only when the
        # examples changed since, by anyone (triggers count the changes, migration 12).
        self._all: tuple[int, list[StoredExample]] | None = None

    def all(self) -> list[StoredExample]:
        """Every example, oldest first."""
        row = self._conn.execute(
            "SELECT value FROM change_counts WHERE name = 'examples'"
        ).fetchone()
        key = int(row[0])
        if self._all is not None and self._all[0] == key:
            return list(self._all[1])
        rows = self._conn.execute("SELECT * FROM examples ORDER BY id").fetchall()
        examples = [StoredExample(int(r["id"]), _example(r)) for r in rows]
        self._all = (key, examples)
        return list(examples)

    def add(self, example: Example) -> int:
        """Store one example; returns its id."""
        with transaction(self._conn) as conn:
            return self._insert(conn, example)

    def _insert(self, conn: sqlite3.Connection, example: Example) -> int:
        cursor = conn.execute(
            "INSERT INTO examples (excerpt, tone, emotions, explanation, source, tags, speaker,"
            " addressee, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*_columns(example), format_timestamp(self._clock())),
        )
        return int(cursor.lastrowid or 0)

    def add_many(self, examples: Sequence[Example]) -> list[int]:
        """Store several examples in one transaction (an import): all or none."""
        with transaction(self._conn) as conn:
            return [self._insert(conn, e) for e in examples]

    def get(self, example_id: int) -> StoredExample | None:
        """One example by id."""
        row = self._conn.execute("SELECT * FROM examples WHERE id = ?", (example_id,)).fetchone()
        return StoredExample(int(row["id"]), _example(row)) if row is not None else None

    def update(self, example_id: int, example: Example) -> None:
        """Replace an example's content (its place in the order stays)."""
        with transaction(self._conn) as conn:
            conn.execute(
                "UPDATE examples SET excerpt = ?, tone = ?, emotions = ?, explanation = ?,"
                " source = ?, tags = ?, speaker = ?, addressee = ? WHERE id = ?",
                (*_columns(example), example_id),
            )

    def delete(self, example_id: int) -> StoredExample | None:
        """Remove one example; returns it (with its sets) so it can be restored."""
        stored = self.get(example_id)
        with transaction(self._conn) as conn:
            self._deleted_sets[example_id] = [
                int(r[0])
                for r in conn.execute(
                    "SELECT set_id FROM example_set_members WHERE example_id = ?", (example_id,)
                )
            ]
            conn.execute("DELETE FROM examples WHERE id = ?", (example_id,))
        return stored

    def restore(self, stored: StoredExample) -> None:
        """Undo a delete: the same id (so the same place in the order) and the same sets."""
        with transaction(self._conn) as conn:
            conn.execute(
                "INSERT INTO examples (id, excerpt, tone, emotions, explanation, source, tags,"
                " speaker, addressee, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (stored.id, *_columns(stored.example), format_timestamp(self._clock())),
            )
            for set_id in self._deleted_sets.pop(stored.id, []):
                conn.execute(
                    "INSERT OR IGNORE INTO example_set_members (set_id, example_id)"
                    " SELECT ?, ? WHERE EXISTS (SELECT 1 FROM example_sets WHERE id = ?)",
                    (set_id, stored.id, set_id),
                )

    # -- named sets -----------------------------------------------------------------------

    def sets(self) -> list[ExampleSet]:
        """Every named set with its member count, by name."""
        rows = self._conn.execute(
            "SELECT s.id, s.name, COUNT(m.example_id) AS size FROM example_sets s"
            " LEFT JOIN example_set_members m ON m.set_id = s.id GROUP BY s.id ORDER BY s.name"
        ).fetchall()
        return [ExampleSet(int(r["id"]), str(r["name"]), int(r["size"])) for r in rows]

    def create_set(self, name: str) -> int:
        """A new, empty set; names are unique."""
        name = name.strip()
        if not name:
            raise ValueError("a set needs a name")
        with transaction(self._conn) as conn:
            cursor = conn.execute(
                "INSERT INTO example_sets (name, created_at) VALUES (?, ?)",
                (name, format_timestamp(self._clock())),
            )
            return int(cursor.lastrowid or 0)

    def delete_set(self, set_id: int) -> None:
        """Remove a set (its examples stay in the library)."""
        with transaction(self._conn) as conn:
            conn.execute("DELETE FROM example_sets WHERE id = ?", (set_id,))

    def set_members(self, set_id: int, example_ids: Sequence[int]) -> None:
        """Make a set hold exactly these examples."""
        with transaction(self._conn) as conn:
            conn.execute("DELETE FROM example_set_members WHERE set_id = ?", (set_id,))
            conn.executemany(
                "INSERT INTO example_set_members (set_id, example_id) VALUES (?, ?)",
                [(set_id, e) for e in example_ids],
            )

    def members(self, set_id: int) -> list[StoredExample]:
        """A set's examples, in library order."""
        rows = self._conn.execute(
            "SELECT e.* FROM examples e JOIN example_set_members m ON m.example_id = e.id"
            " WHERE m.set_id = ? ORDER BY e.id",
            (set_id,),
        ).fetchall()
        return [StoredExample(int(r["id"]), _example(r)) for r in rows]

    def active_set(self, book_id: str) -> int | None:
        """The set a book uses: its own choice, else the library-wide one, else None (all)."""
        for key in (book_id, ""):
            row = self._conn.execute(
                "SELECT set_id FROM active_example_sets WHERE book_id = ?", (key,)
            ).fetchone()
            if row is not None:
                return int(row[0]) if row[0] is not None else None
        return None

    def set_active(self, book_id: str, set_id: int | None) -> None:
        """Choose a set for one book, or with ``book_id`` "" for the whole library."""
        with transaction(self._conn) as conn:
            conn.execute(
                "INSERT INTO active_example_sets (book_id, set_id) VALUES (?, ?)"
                " ON CONFLICT (book_id) DO UPDATE SET set_id = excluded.set_id",
                (book_id, set_id),
            )

    def set_named(self, name: str) -> ExampleSet | None:
        """A set by its name."""
        return next((s for s in self.sets() if s.name == name), None)

    def for_request(self, book_id: str, fixed_set: str) -> tuple[list[Example], list[Example]]:
        """The examples a request may use: the book's pool, and the fixed set's members."""
        pool = [s.example for s in self.for_book(book_id)]
        named = self.set_named(fixed_set) if fixed_set else None
        fixed = [s.example for s in self.members(named.id)] if named is not None else pool
        return pool, fixed

    def for_book(self, book_id: str) -> list[StoredExample]:
        """The examples a book's analyses use: its active set's, or all of them."""
        set_id = self.active_set(book_id)
        return self.members(set_id) if set_id is not None else self.all()

    def seed_once(self, examples: Sequence[Example]) -> bool:
        """Load the shipped examples the first time only; deleting them later is respected."""
        with transaction(self._conn) as conn:
            done = conn.execute(
                "SELECT value FROM app_meta WHERE key = ?", (SEEDED_KEY,)
            ).fetchone()
            if done is not None:
                return False
            for example in examples:
                self._insert(conn, example)
            conn.execute("INSERT INTO app_meta (key, value) VALUES (?, '1')", (SEEDED_KEY,))
        return True

    def seed_to_version(
        self, version: int, missing: Callable[[int], Sequence[Example]]
    ) -> int | None:
        """Bring the shipped examples up to ``version``, once per version.

        Args:
            version: the shipped examples' version.
            missing: the shipped examples a library given version N lacks (N = 0: none
                given yet). Only those are added, so an example the reader deleted from an
                earlier version is not offered again.

        Returns:
            How many were stored (an excerpt the library holds already is not stored
            twice); None when the library has this version, or a newer one, already.
        """
        with transaction(self._conn) as conn:
            row = conn.execute("SELECT value FROM app_meta WHERE key = ?", (SEEDED_KEY,)).fetchone()
            had = _seed_version(row[0]) if row is not None else 0
            if had >= version:
                return None
            present = {str(r[0]) for r in conn.execute("SELECT excerpt FROM examples")}
            stored = 0
            for example in missing(had):
                if example.excerpt in present:
                    continue
                self._insert(conn, example)
                present.add(example.excerpt)
                stored += 1
            conn.execute(
                "INSERT INTO app_meta (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (SEEDED_KEY, str(version)),
            )
        return stored


def _seed_version(value: object) -> int:
    """The stored seed version; "1" was written by :meth:`ExampleRepository.seed_once`."""
    try:
        return int(str(value))
    except ValueError:
        return 1


def _columns(example: Example) -> tuple[str, str, str, str, str, str, str, str]:
    return (
        example.excerpt,
        example.tone,
        json.dumps([[n, i] for n, i in example.emotions]),
        example.explanation,
        example.source,
        json.dumps(list(example.tags), ensure_ascii=False),
        example.speaker,
        example.addressee,
    )


def _example(row: sqlite3.Row) -> Example:
    try:
        emotions = tuple((str(n), float(i)) for n, i in json.loads(row["emotions"] or "[]"))
        tags = tuple(str(t) for t in json.loads(row["tags"] or "[]"))
    except (ValueError, TypeError):
        emotions, tags = (), ()
    return Example(
        excerpt=str(row["excerpt"]),
        tone=str(row["tone"]),
        emotions=emotions,
        explanation=str(row["explanation"]),
        source=str(row["source"]),
        tags=tags,
        speaker=str(row["speaker"]),
        addressee=str(row["addressee"]),
    )
