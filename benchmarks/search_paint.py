"""A 2,000-hit search of War and Peace, from the user's Enter to the painted results.

    .venv/bin/python benchmarks/search_paint.py [--runs 10] [--query Pierre]

The app is built as tone-reader builds it and War and Peace is opened in the real window.
Each run clears the search box, types the query into it and presses Enter through QTest,
then times until the results list's viewport has painted the new rows. A 5 ms heartbeat
timer on the GUI thread runs from the first key press until 200 ms after that paint; its
longest gap is the longest GUI stall. Budget (DESIGN.md §10): ≤ 150 ms, no stall > 50 ms.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from gui_clock import PaintWatch, StallMeter
from gui_harness import WAR, build_app, pump_until, qt_app, settle
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--query", default="Pierre")  # 1,964 matches in War and Peace
    args = parser.parse_args()
    qt = qt_app()
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(Path(tmp) / "profile")
        window = app.window
        window.open_path(WAR)
        pump_until(lambda: window.pane.book is not None and not app.book_service.busy)
        settle(300)
        window.show_search()
        panel = window.search
        settle(100)
        probe = PaintWatch(panel.results.viewport(), lambda: panel.model.rowCount() > 0)
        heartbeat = StallMeter()
        reset_at: list[float] = []
        panel.model.modelReset.connect(lambda: reset_at.append(time.perf_counter()))
        painted, stalls, shown = [], [], []
        rows = 0
        for _ in range(args.runs):
            panel.query.clear()
            panel.model.set_hits([], [])
            settle(100)
            probe.reset()
            heartbeat.start()
            panel.query.setFocus()
            QTest.keyClicks(panel.query, args.query)
            started = time.perf_counter()
            QTest.keyClick(panel.query, Qt.Key.Key_Return)
            pump_until(lambda: probe.painted_at)
            assert probe.painted_at
            painted.append((probe.painted_at - started) * 1000)
            # From the results arriving (the model reset) to the paint: the GUI's part.
            shown.append((probe.painted_at - reset_at[-1]) * 1000)
            settle(200)
            stalls.append(heartbeat.stop() * 1000)
            rows = panel.model.rowCount()
        print(
            f"search {args.query!r} in War and Peace: {rows:,} rows ({panel.status.text()})\n"
            f"  Enter → results painted: median {statistics.median(painted):.1f} ms,"
            f" max {max(painted):.1f} ms\n"
            f"  of which results arrived → painted: median {statistics.median(shown):.1f} ms,"
            f" max {max(shown):.1f} ms (the rest is the search on a worker thread)\n"
            f"  longest GUI stall: median {statistics.median(stalls):.1f} ms,"
            f" max {max(stalls):.1f} ms  ({args.runs} runs)\n"
            "  budget: ≤ 150 ms, no stall > 50 ms"
        )
        window.close()
        app.shutdown()
    qt.quit()


if __name__ == "__main__":
    main()
