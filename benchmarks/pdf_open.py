"""Time to open a 300-page PDF novel: cold (parsed) and warm (from the parse cache).

    .venv/bin/python benchmarks/pdf_open.py [--runs 7] [--compare] [--gui] [--window]

The book is tests/data/pdf/pride-and-prejudice.pdf (372 A5 pages, bookmarks, running
heads). Figures are medians of several runs of ``load_book``, the call the GUI's worker
thread makes before it shows the first chapter:

* cold, new process: a fresh interpreter importing the loaders, pdfium loaded with the
  first PDF, no cache: what the first PDF of a session costs;
* cold: the same parse again in one process (pdfium already loaded);
* warm: the book found in the parse cache (core/book_cache.py) by its hash.

``--gui`` also times the whole app as benchmarks/startup.py does: launch of ``tone-reader
FILE`` to the first chapter painted, first with a new profile (the parse not yet cached)
and then reopened (from the cache).

``--window`` times what DESIGN.md §10 budgets: in a running window (built as
``tone-reader`` builds it, in a new process each time so pdfium is not yet loaded and
the profile is new), from the open action (``open_path``, what File → Open and a drop
call) to the first chapter painted (shown from the first pages while the rest is read),
and on to the whole book painted in its place.

``--compare`` also times the text extraction alone with pdfium and, if it is installed,
with pdfminer.six (the alternative weighed for the loader).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.startup import one_run  # noqa: E402
from reader_app.core.book_cache import BookCache  # noqa: E402
from reader_app.core.loaders import load_book  # noqa: E402

BOOK = ROOT / "tests" / "data" / "pdf" / "pride-and-prejudice.pdf"

CHILD = """
import sys, time
started = time.perf_counter()
from reader_app.core.loaders import load_book
book = load_book(sys.argv[1])
print(time.perf_counter() - started, len(book.chapters))
"""


WINDOW_CHILD = """
import sys, tempfile, time
from pathlib import Path
sys.path.insert(0, sys.argv[2])
sys.path.insert(0, sys.argv[2] + "/benchmarks")
from benchmarks.gui_clock import PaintWatch, run_until
from benchmarks.gui_harness import build_app, qt_app
qt_app()
app = build_app(Path(tempfile.mkdtemp(prefix="tone-bench-")))
window = app.window
window.resize(1200, 760)
pane = window.pane
# A new profile opens the bundled book first: the clock starts once it is shown.
run_until(lambda: pane.book is not None, 30)
run_until(lambda: False, 0.5)
def whole():
    return pane.book is not None and pane.book.format.value == "PDF"
# The first chapter, to read: the preview of the first pages, or the whole book if it
# comes first. Then the whole book, to mark and search.
first = PaintWatch(pane.view.viewport(), lambda: bool(pane.previewing) or whole())
done = PaintWatch(pane.view.viewport(), whole)
opened = time.perf_counter()
window.open_path(Path(sys.argv[1]))
assert run_until(lambda: bool(done.painted_at), 60), "not painted in 60 s"
print(first.painted_at - opened, done.painted_at - opened)
app.window.close()
app.shutdown()
"""


def window_open() -> tuple[float, float]:
    """Milliseconds from the open action to the first chapter painted, and to the whole book."""
    result = subprocess.run(
        [sys.executable, "-c", WINDOW_CHILD, str(BOOK), str(ROOT)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    first, whole = result.stdout.split()[-2:]
    return float(first) * 1000, float(whole) * 1000


def timed(fn, runs: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def report(name: str, times: list[float]) -> None:
    print(
        f"{name:<32} median {statistics.median(times):7.1f} ms"
        f"   min {min(times):7.1f}   max {max(times):7.1f}   ({len(times)} runs)"
    )


def fresh_process() -> float:
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(BOOK)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return float(result.stdout.split()[0]) * 1000


def pdfium_text_only() -> None:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(BOOK)
    for index in range(len(document)):
        page = document[index]
        text_page = page.get_textpage()
        text_page.get_text_range()
        text_page.close()
        page.close()
    document.close()


def pdfminer_text_only() -> None:
    from pdfminer.high_level import extract_text

    extract_text(str(BOOK))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--compare", action="store_true")
    parser.add_argument("--gui", action="store_true")
    parser.add_argument("--window", action="store_true")
    args = parser.parse_args()
    book = load_book(BOOK)
    pages = book.chapters[-1].pages[-1][1] if book.chapters[-1].pages else "?"
    print(f"{BOOK.name}: {len(book.chapters)} chapters, last page label {pages}")
    report("cold, new process", [fresh_process() for _ in range(max(3, args.runs // 2))])
    report("cold (pdfium loaded)", timed(lambda: load_book(BOOK), args.runs))
    with tempfile.TemporaryDirectory() as folder:
        cache = BookCache(Path(folder))
        load_book(BOOK, cache)
        report("warm (parse cache)", timed(lambda: load_book(BOOK, cache), args.runs))
    if args.gui:
        first, reopened = [], []
        for _ in range(max(3, args.runs // 2)):
            profile = Path(tempfile.mkdtemp(prefix="tone-bench-"))
            try:
                first.append(one_run(BOOK, profile)[0] * 1000)
                reopened.append(one_run(BOOK, profile)[0] * 1000)
            finally:
                shutil.rmtree(profile, ignore_errors=True)
        report("app: launch → painted, first", first)
        report("app: launch → painted, reopen", reopened)
    if args.window:
        runs = max(3, args.runs // 2)
        figures = [window_open() for _ in range(runs)]
        report("window: open → first chapter", [first for first, _ in figures])
        report("window: open → whole book", [whole for _, whole in figures])
    if args.compare:
        report("text only: pdfium", timed(pdfium_text_only, args.runs))
        try:
            import pdfminer  # noqa: F401
        except ImportError:
            print("text only: pdfminer.six not installed")
        else:
            report("text only: pdfminer.six", timed(pdfminer_text_only, 2))


if __name__ == "__main__":
    main()
