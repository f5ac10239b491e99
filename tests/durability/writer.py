"""A child process that writes to a library in a loop until it is killed.

Run as ``python -m tests.durability.writer KIND DB RUN``. It prints ``ready`` once the
library is open, then one line per action *after* that action's transaction committed,
flushed at once, so every line the parent reads names rows that must survive a SIGKILL:

* ``H <id> <quote>``: a highlight added with ``HighlightRepository.add``;
* ``A <id> <highlight id> <request id>``: an analysis added with ``AnalysisRepository.add``;
* ``I <batch> <imported>``: a batch of Kindle clippings stored by ``import_annotations``
  (announced by ``B <batch>`` just before it starts, so the parent can tell a kill that
  landed inside an import).
"""

from __future__ import annotations

import sys
from pathlib import Path

from reader_app.core.importers.clippings import parse_clippings, to_annotations
from reader_app.core.records import NewAnalysis, NewHighlight
from reader_app.storage.analyses import AnalysisRepository
from reader_app.storage.db import open_database
from reader_app.storage.highlights import HighlightRepository
from reader_app.usecases.importing import import_annotations

BOOK_ID = "d" * 64
IMPORT_SIZE = 200
IMPORT_TITLE = "Durability Test Book (Tester, Test)"
ADDED = "Added on Monday, April 21, 2014 10:08:07 PM"


def clippings_text(batch: str, size: int = IMPORT_SIZE, title: str = IMPORT_TITLE) -> str:
    """A ``My Clippings.txt`` of ``size`` highlights whose quotes all start with ``batch``."""
    return "".join(
        f"{title}\n- Your Highlight on Location {10 * k + 1}-{10 * k + 5} | {ADDED}\n\n"
        f"{batch}-{k} a passage kept by the durability test.\n==========\n"
        for k in range(size)
    )


def batch_marker(run: int, number: int) -> str:
    """The quote prefix shared by every highlight of one import batch."""
    return f"imp{run}x{number}"


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main(kind: str, db: Path, run: int) -> None:
    conn = open_database(db)
    highlights = HighlightRepository(conn)
    analyses = AnalysisRepository(conn)
    targets = [h.id for h in highlights.list_for_book(BOOK_ID)][:20]
    _say("ready")
    number = 0
    while True:
        number += 1
        if kind == "highlight":
            quote = f"h{run}x{number}"
            stored = highlights.add(NewHighlight(BOOK_ID, 0, "c0", number, number + 5, quote))
            _say(f"H {stored.id} {quote}")
        elif kind == "analysis":
            request_id = f"r{run}x{number}"
            target = targets[number % len(targets)]
            record = analyses.add(
                NewAnalysis(target, "ok", model="m", tone="Calm", request_id=request_id,
                            result={"tone": "Calm", "n": number})
            )  # fmt: skip
            _say(f"A {record.id} {target} {request_id}")
        else:
            marker = batch_marker(run, number)
            report = parse_clippings(clippings_text(marker))
            _say(f"B {marker}")  # not an acknowledgement: the import starts now
            result = import_annotations(
                conn, to_annotations(report.clippings), source="kindle",
                books_available=lambda _book_id: None,
            )  # fmt: skip
            _say(f"I {marker} {result.imported}")


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]))
