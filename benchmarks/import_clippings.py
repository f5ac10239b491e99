"""Importing a large Kindle My Clippings.txt, and importing it again (all duplicates).

    .venv/bin/python benchmarks/import_clippings.py [--count 20000]

The clippings name a book the library does not have, so every one is kept on a
placeholder book as an orphan: the case where finding duplicates leans on the quote index
alone. Timed from parsed annotations to the committed transaction.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reader_app.core.importers.clippings import parse_clippings, to_annotations  # noqa: E402
from reader_app.storage.db import open_database  # noqa: E402
from reader_app.storage.imports import import_annotations  # noqa: E402

RECORD = (
    "Some Unknown Book (Doe, Jane)\n- Your Highlight on page {n} | Location {a}-{b} |"
    " Added on Monday, April 21, 2014 10:08:07 PM\n\n"
    "Passage number {n}, which a reader marked on a Kindle.\n==========\n"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000)
    args = parser.parse_args()
    text = "".join(RECORD.format(n=n, a=n * 3, b=n * 3 + 2) for n in range(args.count))
    started = time.perf_counter()
    items = to_annotations(parse_clippings(text).clippings)
    parsed = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:
        conn = open_database(Path(folder) / "library.sqlite3")
        try:
            for label in ("first import", "again (duplicates)"):
                started = time.perf_counter()
                result = import_annotations(
                    conn, items, source="kindle", books_available=lambda _id: None
                )
                took = time.perf_counter() - started
                print(
                    f"{label:20} {took:6.2f} s  imported {result.imported:6}"
                    f"  duplicates {result.duplicates:6}"
                )
        finally:
            conn.close()
    print(f"parsing {args.count} clippings: {parsed:.2f} s")


if __name__ == "__main__":
    main()
