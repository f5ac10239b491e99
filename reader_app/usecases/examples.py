"""The examples library: the shipped examples seeded once, and adding and importing examples.

The window (its Examples manager) and ``tone-reader examples`` do these the same way: a
fresh library gets the shipped examples (the five Wordsworth pairs and the curated library
of ``resources/examples``) the first time it is used, and a library given an earlier
version gets the examples added since, once; deleting them later is respected. A typed
example is checked the same way, and an import stores every good row of a file in one
transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reader_app.config.resources import resource_path
from reader_app.core.examples import example_from_dict, read_jsonl
from reader_app.storage.examples import ExampleRepository

# ``core.examples_io`` (CSV, and the exporters it writes with) is imported where it is
# used: seeding runs at every start, and the window's first paint should not wait for it.

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Sequence
    from pathlib import Path

    from reader_app.core.examples import Example

log = logging.getLogger(__name__)

SEED_EXAMPLES = "examples/seed.jsonl"
"""The shipped examples, under the resources folder."""

SEED_VERSION = 2
"""The shipped examples' version: 1 was the five Wordsworth pairs, 2 adds the curated library."""

SHIPPED_BEFORE = {1: 5}
"""How many of the file's first rows each earlier version shipped.

New examples are only ever appended to the file, so a library given version N lacks the
rows after the first ``SHIPPED_BEFORE[N]``; adding a version means appending its rows,
raising :data:`SEED_VERSION` and recording the old row count here.
"""


@dataclass(frozen=True)
class ExamplesImport:
    """What importing an examples file stored.

    Attributes:
        ids: the new examples' ids, in file order.
        problems: one ``"line N: why"`` per row that was not used, in file order.
    """

    ids: list[int]
    problems: list[str]


def shipped_examples() -> list[Example] | None:
    """The examples that come with the app; None when this installation lacks the file.

    A bad line is a packaging bug, not the reader's doing: it is logged and skipped.
    """
    path = resource_path(SEED_EXAMPLES)
    if path is None:
        return None
    examples, problems = read_jsonl(path)
    for problem in problems:
        log.error("Shipped seed examples: %s", problem)
    return examples


def seed_examples(repo: ExampleRepository) -> bool:
    """Give the library the shipped examples it has not been given yet, once.

    A fresh library gets all of them; one given an earlier version gets only the rows
    added since (so an example the reader deleted is not brought back), and none whose
    excerpt it holds already.

    Args:
        repo: the library's examples.

    Returns:
        True when the library was brought up to this version now; False when it had this
        version already (or this installation ships none).

    Raises:
        StorageError: the library could not be written.
    """
    examples = shipped_examples()
    if examples is None:
        return False

    def missing(had: int) -> list[Example]:
        return examples[SHIPPED_BEFORE.get(had, 0) :] if had else examples

    return repo.seed_to_version(SEED_VERSION, missing) is not None


def seeded_examples(conn: sqlite3.Connection) -> ExampleRepository:
    """The library's examples, with the shipped ones loaded the first time, as the app does.

    Args:
        conn: the library.

    Returns:
        Its examples.

    Raises:
        StorageError: the library could not be written.
    """
    repo = ExampleRepository(conn)
    seed_examples(repo)
    return repo


def example_from_fields(
    excerpt: str,
    tone: str,
    emotions: Sequence[tuple[str, float]] = (),
    explanation: str = "",
    source: str = "",
    tags: str = "",
    speaker: str = "",
    addressee: str = "",
) -> Example:
    """An example as typed by the reader, checked like a row of an examples file.

    Args:
        excerpt: the passage.
        tone: the right tone label.
        emotions: (name, intensity 0-1) pairs, strongest first.
        explanation: why, in plain words.
        source: where the excerpt comes from.
        tags: comma-separated tags.
        speaker: who says the excerpt.
        addressee: to whom.

    Returns:
        The example.

    Raises:
        ExampleFormatError: a blank excerpt or tone, or an unknown emotion or intensity.
    """
    from reader_app.core.examples_io import split_tags

    return example_from_dict(
        {
            "excerpt": excerpt,
            "tone": tone,
            "emotions": [{"name": n, "intensity": i} for n, i in emotions],
            "explanation": explanation,
            "source": source,
            "tags": list(split_tags(tags, ",")),
            "speaker": speaker,
            "addressee": addressee,
        }
    )


def import_examples(repo: ExampleRepository, path: Path) -> ExamplesImport:
    """Store every good row of a JSONL, JSON or CSV examples file, in one transaction.

    An import is one user action: all its good rows are stored, or none. The bad rows are
    reported, so they can be fixed and imported again on their own.

    Args:
        repo: the library's examples.
        path: the file (see ``reader_app.core.examples_io``).

    Returns:
        The new ids and the rows that had problems; both empty for a file with no examples.

    Raises:
        ExamplesFileError: the file cannot be read, or is in no format we import.
        StorageError: the library could not be written; nothing was stored.
    """
    from reader_app.core.examples_io import read_examples

    report = read_examples(path)
    ids = repo.add_many(report.examples) if report.examples else []
    return ExamplesImport(ids, report.problems)
