"""War and Peace with 20,000 highlights: from open to the page and the Highlights list painted.

    .venv/bin/python benchmarks/highlights_paint.py [--runs 5] [--highlights 20000]

The highlights go straight into a fresh library through the repositories (one
transaction), spread over every chapter, anchored as the reader anchors a selection. Each
run builds the app as tone-reader builds it on that library, then times from
``open_path`` until both the first chapter and the Highlights list (filled) have painted.
A 5 ms heartbeat on the GUI thread gives the longest stall, up to 200 ms after that.

A second figure draws thousands of highlights over one long chapter: ``set_marks`` plus
a forced repaint of the page. Budget (DESIGN.md §10): ≤ 1.5 s, no stall > 50 ms.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import tempfile
import time
from pathlib import Path

from gui_clock import PaintWatch, StallMeter
from gui_harness import WAR, build_app, pump_until, qt_app, settle

from reader_app.config.paths import AppPaths
from reader_app.core.anchors import make_anchor
from reader_app.core.loaders import load_book
from reader_app.core.marks import Mark
from reader_app.core.records import NewHighlight
from reader_app.storage.books import BookRepository
from reader_app.storage.db import open_database, transaction
from reader_app.storage.highlights import HighlightRepository

COLORS = ("yellow", "green", "blue", "pink", "purple")


def seed(profile: Path, count: int) -> None:
    """Record War and Peace and store ``count`` highlights over its chapters."""
    paths = AppPaths.for_profile(profile)
    paths.ensure()
    book = load_book(WAR)
    texts = [c.text for c in book.chapters]
    conn = open_database(paths.database)
    BookRepository(conn).record_opened(
        book.book_id, str(WAR), book.title, book.authors, book.language,
        book.format.value, len(book.chapters), book.char_count,
    )  # fmt: skip
    chapters = [i for i, t in enumerate(texts) if len(t) > 2000]
    per_chapter = -(-count // len(chapters))
    repo = HighlightRepository(conn)
    made = 0
    with transaction(conn):
        for chapter in chapters:
            text = texts[chapter]
            stride = len(text) // per_chapter
            for k in range(per_chapter):
                if made == count:
                    break
                # A few words at an even spacing, starting at a word.
                start = text.find(" ", k * stride) + 1
                end = min(len(text), start + max(8, min(60, stride - 4)))
                if not 0 < start < end:
                    continue
                anchor = make_anchor(texts, chapter, start, end)
                repo.add(
                    NewHighlight(
                        book_id=book.book_id,
                        chapter=chapter,
                        chapter_key=book.chapters[chapter].key,
                        start=anchor.start,
                        end=anchor.end,
                        quote=anchor.quote,
                        prefix=anchor.prefix,
                        suffix=anchor.suffix,
                        color=COLORS[made % len(COLORS)],
                        section=book.section_title(chapter, anchor.start),
                    )
                )
                made += 1
    conn.close()
    print(f"stored {made:,} highlights over {len(chapters)} chapters of War and Peace")


def open_runs(profile: Path, runs: int, count: int) -> None:
    painted, stalls = [], []
    for _ in range(runs):
        # The windows of earlier runs are garbage now: collected here, not while timing,
        # so each run meets the heap a freshly started app has.
        gc.collect()
        app = build_app(profile)
        window = app.window
        view, panel = window.pane.view, window.highlights_panel
        window.highlights_dock.raise_()  # it shares its place with the Tone panel
        settle(300)
        page = PaintWatch(view.viewport(), lambda v=view: bool(v.text))
        listed = PaintWatch(panel.viewport(), lambda p=panel: p.count() >= count)
        heartbeat = StallMeter()
        heartbeat.start()
        started = time.perf_counter()
        window.open_path(WAR)
        pump_until(lambda p=page, q=listed: bool(p.painted_at and q.painted_at), 300)
        ends = (page.painted_at, listed.painted_at)
        painted.append((max(ends) - started) * 1000)
        settle(200)
        stalls.append(heartbeat.stop() * 1000)
        window.close()
        app.shutdown()
    print(
        f"open War and Peace with {count:,} highlights → page and list painted:"
        f" median {statistics.median(painted):.0f} ms, max {max(painted):.0f} ms\n"
        f"  longest GUI stall: median {statistics.median(stalls):.0f} ms,"
        f" max {max(stalls):.0f} ms  ({runs} runs; budget ≤ 1,500 ms, no stall > 50 ms)"
    )


def dense_chapter(profile: Path, marks_count: int) -> None:
    """Draw ``marks_count`` highlights over the longest chapter, ten times."""
    app = build_app(profile)
    window = app.window
    window.open_path(WAR)
    pump_until(lambda: window.pane.book is not None and not app.book_service.busy)
    book = window.pane.book
    assert book is not None
    chapter = max(range(len(book.chapters)), key=lambda i: len(book.chapters[i].text))
    window.pane.go_to(chapter, 0)
    settle(200)
    text = book.chapters[chapter].text
    stride = len(text) // marks_count
    marks = [
        Mark(k * stride, k * stride + max(2, stride - 3), COLORS[k % 5], k + 1)
        for k in range(marks_count)
    ]
    times = []
    for _ in range(10):
        window.pane.set_marks([])
        settle(20)
        started = time.perf_counter()
        window.pane.set_marks(marks)
        window.pane.view.viewport().repaint()
        times.append((time.perf_counter() - started) * 1000)
    print(
        f"{marks_count:,} highlights over one chapter ({len(text):,} chars): set_marks + repaint"
        f" median {statistics.median(times):.1f} ms, max {max(times):.1f} ms"
    )
    window.close()
    app.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--highlights", type=int, default=20_000)
    parser.add_argument("--dense", type=int, default=5_000, help="highlights in one chapter")
    args = parser.parse_args()
    qt = qt_app()
    with tempfile.TemporaryDirectory() as tmp:
        profile = Path(tmp) / "profile"
        seed(profile, args.highlights)
        open_runs(profile, args.runs, args.highlights)
    with tempfile.TemporaryDirectory() as tmp:
        dense_chapter(Path(tmp) / "profile", args.dense)
    qt.quit()


if __name__ == "__main__":
    main()
