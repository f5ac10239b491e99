"""Search and chapter-switch times on War and Peace, with the real reader view.

    .venv/bin/python benchmarks/reader.py

Search: the whole book, as the search panel runs it (hits with snippets, first 2,000 kept).
This is the core search alone, on the calling thread; benchmarks/search_paint.py times a
search in the real window, from Enter to the painted results.
Chapter switch: ReaderPane.go_to to the start of another chapter, including Qt's layout
up to the first screen (the view asks for the cursor rectangle, which forces it), then a
forced repaint of the page.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication  # noqa: E402

from reader_app.core.loaders import load_book  # noqa: E402
from reader_app.core.search import search_book  # noqa: E402
from reader_app.services.search_service import RESULT_LIMIT  # noqa: E402
from reader_app.ui.reader_pane import ReaderPane  # noqa: E402

WAR = ROOT.parent / "shared" / "corpus" / "books" / "war-and-peace_pg2600_utf8-bom.txt"


def timed(fn, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def main() -> None:
    app = QApplication([])
    book = load_book(WAR)
    texts = [c.text for c in book.chapters]
    print(f"War and Peace: {len(texts)} chapters, {sum(map(len, texts)):,} characters")
    for query in ("prince", "Natásha", "the", "Moscow burned", "zzzz"):
        _hits, total = search_book(texts, query, limit=RESULT_LIMIT)
        times = timed(lambda q=query: search_book(texts, q, limit=RESULT_LIMIT), 15)
        print(
            f"search {query!r:16} {total:6,} matches  median {statistics.median(times):6.1f} ms"
            f"  max {max(times):6.1f} ms"
        )
    pane = ReaderPane()
    pane.resize(900, 800)
    pane.show()
    pane.show_book(book, 0, 0)
    app.processEvents()
    order = list(range(1, len(book.chapters), 7))

    def switch(index: list[int] = [0]) -> None:  # noqa: B006 - a counter across calls
        chapter = order[index[0] % len(order)]
        index[0] += 1
        pane.go_to(chapter, 0)
        pane.view.viewport().repaint()

    times = timed(switch, len(order))
    largest = max(len(t) for t in texts)
    print(
        f"chapter switch ({len(order)} chapters, largest {largest:,} chars):"
        f" median {statistics.median(times):.1f} ms, p95 {sorted(times)[int(len(times) * 0.95)]:.1f} ms,"
        f" max {max(times):.1f} ms"
    )
    # The bundled book's two volumes are single documents of 100,000+ characters.
    ballads = load_book(ROOT / "resources" / "lyrical-ballads_standardebooks_epub3.epub")
    pane.show_book(ballads, 0, 0)
    app.processEvents()
    big = sorted(range(len(ballads.chapters)), key=lambda i: -len(ballads.chapters[i].text))[:2]
    for chapter in big:
        pane.go_to(0, 0)
        app.processEvents()
        started = time.perf_counter()
        pane.go_to(chapter, 0)
        pane.view.viewport().repaint()
        elapsed = (time.perf_counter() - started) * 1000
        print(
            f"Lyrical Ballads chapter {chapter} ({len(ballads.chapters[chapter].text):,} chars): {elapsed:.1f} ms"
        )
    print(
        "budgets: search all of War and Peace ≤ 150 ms until painted (see search_paint.py);"
        " chapter switch ≤ 50 ms"
    )
    app.quit()


if __name__ == "__main__":
    main()
