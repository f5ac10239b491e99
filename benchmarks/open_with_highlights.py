"""Opening War and Peace for the first time with thousands of highlights imported before.

    .venv/bin/python benchmarks/open_with_highlights.py [--counts 5000 20000]

For each count, on a fresh profile: a Kindle My Clippings.txt made from real passages of
the book (one in ten slightly edited) is imported while the book is not yet in the library,
so every highlight waits on a placeholder book. Then the app is built as ``tone-reader``
builds it, its window shown, and the book opened (File → Open). Timed from the open:

- the first chapter painted in the reader view;
- all highlights placed (adopted, re-anchored, stored) and shown;
- the longest stall of the GUI thread, by a 5 ms heartbeat, from the open until a second
  after the highlights appeared.

Budget (DESIGN.md §10): a book with 20,000 highlights painted within 1.5 s, no GUI stall
over 50 ms.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication  # noqa: E402

from benchmarks.clippings_corpus import (  # noqa: E402
    WAR_AND_PEACE,
    clippings_text,
    make_passages,
)
from benchmarks.gui_clock import PaintWatch, StallMeter, run_until  # noqa: E402
from reader_app.app import ReaderApp  # noqa: E402
from reader_app.config.paths import AppPaths  # noqa: E402
from reader_app.config.secrets import ApiKeys, KeyringSecretStore  # noqa: E402
from reader_app.config.settings import load_settings  # noqa: E402
from reader_app.core.loaders import load_book  # noqa: E402
from reader_app.storage.db import open_database  # noqa: E402
from reader_app.usecases.importing import import_file  # noqa: E402


def measure(count: int, folder: Path) -> None:
    """Import ``count`` clippings before the first open, then open and time it."""
    texts = [c.text for c in load_book(WAR_AND_PEACE).chapters]
    clippings = folder / "My Clippings.txt"
    clippings.write_text(
        clippings_text(make_passages(texts, count), "War and Peace", "Tolstoy, Leo"), "utf-8"
    )
    paths = AppPaths.for_profile(folder / "profile")
    paths.ensure()
    if count:
        started = time.perf_counter()
        done = import_file(clippings, paths.database, paths.cache_dir / "books")
        imported = time.perf_counter() - started
        print(
            f"{count:6,} clippings imported before the first open in {imported:5.2f} s"
            f" ({done.result.imported:,} on a placeholder book)"
        )
    else:
        print("no highlights (the baseline)")

    settings, _warning = load_settings(paths.settings_file)
    app = ReaderApp(
        paths,
        open_database(paths.database),
        settings,
        api_keys=ApiKeys(KeyringSecretStore(), os.environ),
    )
    try:
        window = app.window
        window.resize(1200, 800)
        window.show()
        run_until(lambda: False, 0.3)  # let the window settle before the clock starts
        pane = window.pane
        paint = PaintWatch(pane.view.viewport(), lambda: pane.book is not None)
        placed_at = 0.0

        def placed(_total: int, _orphans: int) -> None:
            nonlocal placed_at
            placed_at = time.perf_counter()

        app.highlights.placed.connect(placed)
        meter = StallMeter()
        meter.start()
        opened = time.perf_counter()
        window.open_path(WAR_AND_PEACE)
        if not run_until(lambda: bool(placed_at and paint.painted_at), 120):
            print("  the book did not open with its highlights within 120 s")
            return
        run_until(lambda: False, 1.0)  # the panel and the marks catch up
        stall = meter.stop()
        shown = app.highlights.highlights
        orphans = sum(1 for h in shown if h.orphaned)
        print(f"  open → first chapter painted   {paint.painted_at - opened:6.2f} s")
        print(
            f"  open → all highlights placed   {placed_at - opened:6.2f} s"
            f"  ({len(shown):,} shown, {orphans} not found)"
        )
        print(
            f"  longest GUI stall              {stall * 1000:6.0f} ms"
            f"  (from {meter.longest_at - opened:.2f} s after the open)"
        )
    finally:
        if app.window.isVisible():
            app.window.close()
        app.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[5_000, 20_000])
    args = parser.parse_args()
    qt = QApplication([])
    for count in args.counts:
        with tempfile.TemporaryDirectory() as folder:
            measure(count, Path(folder))
    del qt


if __name__ == "__main__":
    main()
