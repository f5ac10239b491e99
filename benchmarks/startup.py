"""Launch → first chapter painted, and memory with the book open.

Each run starts a fresh process exactly as ``tone-reader FILE`` does and stops it at the
first paint of the reading page after the book has loaded. Wall time is measured from
just before the process is spawned (interpreter start included) to that paint.

    .venv/bin/python benchmarks/startup.py [--runs 9]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "books"
BOOKS = {
    "Moby-Dick EPUB": CORPUS / "moby-dick_idpf_epub3.epub",
    "War and Peace TXT": CORPUS / "war-and-peace_pg2600_utf8-bom.txt",
}

CHILD = r"""
import sys, resource
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and obj.objectName() == "qt_scrollarea_viewport":
            view = obj.parent()
            if view.objectName() == "readerView" and view.text:
                rss = int(open("/proc/self/status").read().split("VmRSS:")[1].split()[0])
                print(f"painted rss_kb={rss}", flush=True)
                QApplication.instance().exit(0)
        return False

original_exec = QApplication.exec
def exec_with_probe(self):
    probe = FirstPaint(self)
    self.installEventFilter(probe)
    return original_exec()
QApplication.exec = exec_with_probe

from reader_app.cli import main
sys.exit(main(sys.argv[1:]))
"""


def one_run(book: Path, profile: Path) -> tuple[float, int]:
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, "--profile-dir", str(profile), str(book)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    elapsed = time.perf_counter() - started
    child.wait(timeout=30)
    if not line.startswith("painted"):
        raise SystemExit(f"the app did not paint {book.name}")
    return elapsed, int(line.split("rss_kb=")[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    print(f"{'book':<20} {'case':<8} {'median':>8} {'min':>8} {'max':>8} {'RSS':>8}")
    for label, book in BOOKS.items():
        profile = Path(tempfile.mkdtemp(prefix="tone-bench-"))
        try:
            first, rss = one_run(book, profile)  # a new profile: first open ever
            print(f"{label:<20} {'first':<8} {first:7.3f}s {'':>8} {'':>8} {rss / 1024:6.0f}MB")
            times, peaks = [], []
            for _ in range(args.runs):
                elapsed, rss = one_run(book, profile)
                times.append(elapsed)
                peaks.append(rss)
            print(
                f"{label:<20} {'reopen':<8} {statistics.median(times):7.3f}s {min(times):7.3f}s"
                f" {max(times):7.3f}s {max(peaks) / 1024:6.0f}MB"
            )
        finally:
            shutil.rmtree(profile, ignore_errors=True)
    print(
        "budgets: launch → first chapter painted ≤ 0.45 s median; RSS with War and Peace ≤ 160 MB"
    )


if __name__ == "__main__":
    main()
