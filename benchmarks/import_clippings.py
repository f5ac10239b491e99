"""Importing Kindle clippings of War and Peace into a library that has the book.

    .venv/bin/python benchmarks/import_clippings.py [--count 20000] [--open]

The clippings are real passages of the book, one in ten slightly edited so that placing it
needs the fuzzy search (see benchmarks/clippings_corpus.py). Two user paths, each on a
profile where War and Peace was opened once before (it is in the library and its parse is
cached):

- the window: File → Import Annotations, timed from the action until the report is in the
  status bar, with the longest GUI stall (5 ms heartbeat) meanwhile;
- the CLI: ``tone-reader --profile-dir DIR import FILE``, timed from the start of the
  process to its exit.

With ``--open``, the book is then opened again in a new window and the time until all its
highlights are shown is reported, with the longest GUI stall.

Budget (DESIGN.md §10): 20,000 clippings imported into a book in the library within 2 s.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication, QLabel  # noqa: E402

from benchmarks.clippings_corpus import (  # noqa: E402
    WAR_AND_PEACE,
    clippings_text,
    make_passages,
)
from benchmarks.gui_clock import StallMeter, run_until  # noqa: E402
from reader_app.app import ReaderApp  # noqa: E402
from reader_app.config.paths import AppPaths  # noqa: E402
from reader_app.config.secrets import ApiKeys, KeyringSecretStore  # noqa: E402
from reader_app.config.settings import load_settings  # noqa: E402
from reader_app.core.loaders import load_book  # noqa: E402
from reader_app.storage.db import open_database  # noqa: E402


def _app(paths: AppPaths) -> ReaderApp:
    settings, _warning = load_settings(paths.settings_file)
    app = ReaderApp(
        paths,
        open_database(paths.database),
        settings,
        api_keys=ApiKeys(KeyringSecretStore(), os.environ),
    )
    app.window.resize(1200, 800)
    app.window.show()
    return app


def _close(app: ReaderApp) -> None:
    if app.window.isVisible():
        app.window.close()
    app.shutdown()


def _open_book(app: ReaderApp, timeout_s: float = 600) -> tuple[float, float]:
    """Open War and Peace; returns (seconds until its highlights are shown, longest stall)."""
    placed: list[float] = []
    app.highlights.placed.connect(lambda *_: placed.append(time.perf_counter()))
    meter = StallMeter()
    meter.start()
    started = time.perf_counter()
    app.window.open_path(WAR_AND_PEACE)
    if not run_until(lambda: bool(placed), timeout_s):
        raise SystemExit("the book did not open with its highlights in time")
    run_until(lambda: False, 0.5)
    return placed[0] - started, meter.stop()


def _profile(folder: Path) -> AppPaths:
    """A profile where War and Peace was opened once in the window."""
    paths = AppPaths.for_profile(folder)
    paths.ensure()
    app = _app(paths)
    try:
        _open_book(app)
    finally:
        _close(app)
    return paths


def window_import(paths: AppPaths, clippings: Path) -> None:
    """File → Import Annotations in the real window, until the report is shown."""
    app = _app(paths)
    try:
        run_until(lambda: False, 0.3)
        commands = app.window.annotations
        assert commands is not None
        commands.choose_import_file = lambda: clippings
        labels = app.window.statusBar().findChildren(QLabel)
        meter = StallMeter()
        meter.start()
        started = time.perf_counter()
        app.window.actions_.import_.trigger()
        if not run_until(lambda: any("Imported" in lbl.text() for lbl in labels), 600):
            raise SystemExit("the import did not finish in time")
        took, stall = time.perf_counter() - started, meter.stop()
        report = next(lbl.text() for lbl in labels if "Imported" in lbl.text())
        print(f"  window: File → Import → report  {took:6.2f} s  (longest GUI stall"
              f" {stall * 1000:.0f} ms)\n    “{report}”")  # fmt: skip
    finally:
        _close(app)


def cli_import(paths: AppPaths, clippings: Path) -> None:
    """``tone-reader import`` in a process of its own, start to exit."""
    command = [sys.executable, "-m", "reader_app", "--profile-dir", str(paths.config_dir.parent)]
    started = time.perf_counter()
    done = subprocess.run(
        [*command, "import", str(clippings)], capture_output=True, text=True, check=False
    )
    took = time.perf_counter() - started
    print(f"  CLI: tone-reader import          {took:6.2f} s  (exit {done.returncode})")
    print(f"    {(done.stdout or done.stderr).strip().splitlines()[0]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--open", action="store_true", help="then open the book and time it")
    args = parser.parse_args()
    qt = QApplication([])
    texts = [c.text for c in load_book(WAR_AND_PEACE).chapters]
    with tempfile.TemporaryDirectory() as folder:
        clippings = Path(folder) / "My Clippings.txt"
        clippings.write_text(
            clippings_text(make_passages(texts, args.count), "War and Peace", "Tolstoy, Leo"),
            "utf-8",
        )
        print(f"{args.count:,} clippings of War and Peace into a library that has the book")
        window_import(_profile(Path(folder) / "window"), clippings)
        cli_profile = _profile(Path(folder) / "cli")
        cli_import(cli_profile, clippings)
        if args.open:
            app = _app(cli_profile)
            try:
                took, stall = _open_book(app)
                shown = len(app.highlights.highlights)
            finally:
                _close(app)
            print(f"  then opened: all {shown:,} highlights shown after {took:.2f} s"
                  f" (longest GUI stall {stall * 1000:.0f} ms)")  # fmt: skip
    del qt


if __name__ == "__main__":
    main()
