"""A long reading session: ``tone-reader`` started as the console script starts it, then
driven only through the keyboard, the mouse and the menus, thousands of times.

    python -m tests.soak.session --profile-dir DIR --report FILE [--cycles 50]

Run it from the repository root. ``tests/soak/test_soak.py`` runs it in a child process,
so that an abort (the Qt binding dropping references to ``None`` until
``Fatal Python error: none_dealloc``) fails that test instead of killing pytest.

One cycle is what a reader does in a sitting, in two books:

- War and Peace reopened from File → Open Recent; a few chapter turns (``]``, ``[``,
  Ctrl+Right); highlights made as a reader makes them (click before a word, Ctrl+Shift+Right
  three times, H), each then clicked and deleted with Shift+Del, every third brought back
  with Ctrl+Z and deleted again; Space to turn the page; two searches (Ctrl+F, typing,
  Enter), each followed by F3 three times.
- The same in Moby-Dick (an EPUB). Its last search is always "whale", so the window is in
  the same state at the end of every cycle and memory can be compared between cycles.

Every highlight made is deleted within its cycle: the library holds the same rows at each
cycle's end, so growth in memory or in Python objects is a leak, not data.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import sys
import time
import traceback
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QMimeData, QPoint, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDropEvent, QKeyEvent, QTextCursor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QLabel,
    QWidget,
)

from benchmarks.stall_meter import StallMeter
from reader_app import cli
from reader_app.ui.busy_spinner import BusySpinner
from reader_app.ui.main_window import MainWindow

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from PySide6.QtGui import QAction

ROOT = Path(__file__).resolve().parents[2]
BOOKS = ROOT.parent / "shared" / "corpus" / "books"
WAR = BOOKS / "war-and-peace_pg2600_utf8-bom.txt"
MOBY = BOOKS / "moby-dick_idpf_epub3.epub"
WAR_TITLE = "War and Peace"
MOBY_TITLE = "Moby-Dick"

HIGHLIGHTS_PER_BOOK = 30  # per cycle; 50 cycles make 3,000
PER_PAGE = 10  # highlights made on one screen before Space turns the page
# Half of these give about 2,000 hits ("the" 47,140 and "prince" 2,872, both cut to the
# 2,000 shown; "Pierre" 1,964; "and" 27,013): the searches that aborted within four runs.
WAR_QUERIES = ("prince", "Pierre", "the", "Natásha", "and", "Moscow", "zzzz", "French")
BIG_QUERIES = {"prince", "Pierre", "the", "and"}
MOBY_QUERIES = ("Ahab", "Queequeg", "sea")
WAIT_S = 60.0  # a hang detector only: nothing waits this long when the app is healthy
Ctrl = Qt.KeyboardModifier.ControlModifier
Shift = Qt.KeyboardModifier.ShiftModifier
NoMod = Qt.KeyboardModifier.NoModifier


class SoakFailed(Exception):
    """The window did not do what the user asked."""


def health() -> dict[str, int]:
    """Resident memory, live Python objects and ``None``'s reference count, after a full GC."""
    gc.collect()
    with open("/proc/self/statm") as statm:
        rss_pages = int(statm.read().split()[1])
    return {
        "rss_kb": rss_pages * os.sysconf("SC_PAGE_SIZE") // 1024,
        "objects": len(gc.get_objects()),
        "none_refs": sys.getrefcount(None),
    }


class QtCallCounter:
    """Counts calls from Python into PySide6 (the calls whose results the binding wraps)."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, _frame: object, event: str, arg: object) -> None:
        if event == "c_call":
            owner = getattr(arg, "__objclass__", None) or type(getattr(arg, "__self__", None))
            if getattr(owner, "__module__", "").startswith("PySide6"):
                self.calls += 1


def type_text(widget: QWidget, text: str) -> None:
    """Type ``text``; a letter beyond ASCII arrives as the keyboard layout sends it."""
    for char in text:
        if char.isascii():
            QTest.keyClicks(widget, char)  # QTest maps only ASCII characters to keys
            continue
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key.Key_unknown, NoMod, char))


class Reader:
    """Drives the main window as a person would, and checks that each action took effect."""

    def __init__(self, window: MainWindow, meter: StallMeter) -> None:
        self.window = window
        self.view = window.pane.view
        self.meter = meter
        self.counts: dict[str, int] = {}
        self.none_drift: dict[str, int] = {}

    # -- plumbing -----------------------------------------------------------------------

    def wait_until(
        self, done: Callable[[], bool], what: str, failed: Callable[[], str] = str
    ) -> None:
        """Pump events (the heartbeat ticks meanwhile) until ``done``; a hang fails.

        ``failed`` returns a message once the window has said the action failed.
        """
        deadline = time.monotonic() + WAIT_S
        while not done():
            problem = failed()
            if problem:
                raise SoakFailed(f"{what}: {problem}")
            if time.monotonic() > deadline:
                raise SoakFailed(f"gave up waiting for {what}; banner: {self.banner()!r}")
            QTest.qWait(2)

    def banner(self) -> str:
        """The message bar's text, if it is showing."""
        banner = self.window.pane.banner
        labels = banner.findChildren(QLabel) if banner.isVisible() else []
        return " ".join(label.text() for label in labels if label.text())

    def keys(self, key: Qt.Key, modifier: Qt.KeyboardModifier = NoMod) -> None:
        """A key press where the keyboard focus is, as the user's keyboard delivers it."""
        target = QApplication.focusWidget() or self.window
        QTest.keyClick(target, key, modifier)

    def menu_action(self, *path: str) -> QAction:
        """An entry of the menu bar, found by its visible text (File, Open Recent, ...)."""
        actions = self.window.menuBar().actions()
        found = None
        for label in path:
            found = next((a for a in actions if a.text().replace("&", "") == label), None)
            if found is None:
                raise SoakFailed(f"no menu entry {' → '.join(path)}")
            menu = found.menu()
            actions = menu.actions() if menu is not None else []
        assert found is not None
        return found

    @contextmanager
    def act(self, name: str) -> Iterator[None]:
        """One user action: its GUI stall is measured, and what it did to ``None``'s count.

        A binding that drops (or keeps) a reference to ``None`` on some call shows here as
        a steady drift per run of the action that makes the call.
        """
        before = sys.getrefcount(None)
        with self.meter.action(name):
            yield
        self.none_drift[name] = self.none_drift.get(name, 0) + sys.getrefcount(None) - before

    def count(self, name: str) -> None:
        self.counts[name] = self.counts.get(name, 0) + 1

    def marks(self) -> int:
        return len(self.view.extraSelections())

    # -- opening --------------------------------------------------------------------------

    def wait_for_book(self, title: str) -> None:
        # The title bar is set last, once the chapter, contents and highlights are shown.
        self.wait_until(
            lambda: (
                self.window.windowTitle().startswith(title)
                and self.window.pane.book is not None
                and self.window.pane.book.title == title
            ),
            f"{title} to open",
            # The busy bar goes and the banner says why when a book cannot be opened.
            lambda: "" if self.window.findChild(BusySpinner).spinning else self.banner(),
        )
        QTest.qWait(20)  # the first paint of the page

    def drop_file(self, path: Path, title: str) -> None:
        """Open a book never opened before: its file dropped on the window.

        File → Open… runs a modal file dialog that cannot be driven offscreen, and Qt
        delivers a drop only at the end of a drag its drag manager started; so the
        window's drop handler gets the event a file manager's drop would bring. Every
        later open of the book goes through File → Open Recent, a real menu entry.
        """
        with self.act("open (drop file)"):
            mime = QMimeData()
            mime.setUrls([QUrl.fromLocalFile(str(path))])
            drop = QDropEvent(
                QPointF(200, 200), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, NoMod
            )
            self.window.dropEvent(drop)
            self.wait_for_book(title)
        self.count("open")

    def reopen(self, title: str) -> None:
        """File → Open Recent → the book."""
        with self.act(f"reopen {title} (Open Recent)"):
            self.menu_action("File", "Open Recent", title).trigger()
            self.wait_for_book(title)
        self.count(f"reopen {title}")
        self.focus_page()

    def focus_page(self) -> None:
        # A click in the margin of the page gives it the keyboard, as it would for a user.
        QTest.mouseClick(self.view.viewport(), Qt.MouseButton.LeftButton, NoMod, QPoint(4, 4))
        if QApplication.focusWidget() is not self.view:
            raise SoakFailed("a click on the page did not give it the keyboard focus")

    # -- reading --------------------------------------------------------------------------

    def turn(self, key: Qt.Key, modifier: Qt.KeyboardModifier, step: int) -> None:
        """A section turn by shortcut (the contents' steps); at either end it does nothing.

        Next lands on the start of the following section; Previous on the start of this
        section or of the one before.
        """
        pane = self.window.pane
        assert pane.book is not None
        steps = pane.book.steps()
        before = steps.index_at(*pane.reading_place())
        with self.act("chapter turn"):
            self.keys(key, modifier)
            QTest.qWait(5)
        after = steps.index_at(*pane.reading_place())
        landed = steps.steps[after]
        # Next: the following section; Previous: this one's start, or the one before.
        forward = {min(len(steps) - 1, before + 1)}
        allowed = forward if step > 0 else {before, max(0, before - 1)}
        if after not in allowed or pane.reading_place() != (landed.chapter, landed.offset):
            raise SoakFailed(
                f"section {before} → {after} at {pane.reading_place()}, expected the start"
                f" of one of {sorted(allowed)}"
            )
        self.count("chapter turn")

    def turn_chapters(self) -> None:
        self.turn(Qt.Key.Key_BracketRight, NoMod, 1)
        self.turn(Qt.Key.Key_BracketRight, NoMod, 1)
        self.turn(Qt.Key.Key_Right, Ctrl, 1)
        self.turn(Qt.Key.Key_BracketLeft, NoMod, -1)
        self.turn(Qt.Key.Key_Left, Ctrl, -1)

    def at_last_section(self) -> bool:
        """Whether the page is in the book's last section, where Next does nothing."""
        pane = self.window.pane
        assert pane.book is not None
        steps = pane.book.steps()
        return steps.index_at(*pane.reading_place()) >= len(steps) - 1

    def back_to_the_beginning(self) -> None:
        """Start the book again from the first entry of its contents, as a reader would."""
        toc = self.window.toc
        first = toc.topLevelItem(0)
        if first is None:
            raise SoakFailed("the contents are empty")
        with self.act("contents entry"):
            toc.itemClicked.emit(first, 0)
            QTest.qWait(5)
        self.count("back to the beginning")

    def page_down(self) -> None:
        with self.act("page (Space)"):
            self.keys(Qt.Key.Key_Space)
            QTest.qWait(5)
        self.count("page")

    def _point(self, offset: int) -> QPoint | None:
        """Where the character at ``offset`` is on screen, if well inside the page."""
        # The page speaks in code points, the document in UTF-16 units (as the app maps them).
        cursor = QTextCursor(self.view.document())
        cursor.setPosition(len(self.view.text[:offset].encode("utf-16-le")) // 2)
        rect = self.view.cursorRect(cursor)
        height = self.view.viewport().height()
        if rect.top() < 8 or rect.bottom() > height * 0.7:
            return None
        return QPoint(rect.left() + 1, rect.center().y())

    def _word_starts(self, wanted: int) -> list[tuple[int, QPoint]]:
        """Up to ``wanted`` visible word starts, four words apart (a highlight spans three)."""
        text = self.view.text
        first = self.view.first_visible_offset()
        found: list[tuple[int, QPoint]] = []
        for number, match in enumerate(re.finditer(r"\w+", text[first : first + 6000])):
            if number % 4:
                continue
            point = self._point(first + match.start())
            # A click on a link follows it (a contents page is all links): not a place to start.
            if point is not None and not self.view.anchorAt(point):
                found.append((first + match.start(), point))
                if len(found) == wanted:
                    break
        return found

    def highlight_and_delete(self, total: int) -> None:
        """Make ``total`` highlights in the open chapter(s), deleting each screenful again."""
        made = 0
        while made < total:
            wanted = min(PER_PAGE, total - made)
            places = self._word_starts(wanted)
            # A title page or a chapter's last lines. With one or two highlights still to
            # make, asking for three could never be met: the session turned to the end of
            # the book and then in place until its time ran out.
            if len(places) < min(3, wanted):
                if self.at_last_section():
                    self.back_to_the_beginning()  # ] does nothing at the end
                else:
                    self.turn(Qt.Key.Key_BracketRight, NoMod, 1)
                continue
            points: list[QPoint] = []
            covered = 0  # where the last highlight ended: a heading may stretch one
            for offset, point in places:
                if offset >= covered:
                    inside, covered = self.highlight(offset, point)
                    points.append(inside)
            for number, point in enumerate(points):
                self.delete(point, undo=number % 3 == 0)
            made += len(points)
            self.page_down()

    def highlight(self, offset: int, point: QPoint) -> tuple[QPoint, int]:
        """Click before a word, select three words with the keyboard, press H.

        Returns a point inside the new highlight and the offset where it ends.
        """
        before = self.marks()
        with self.act("highlight (H)"):
            QTest.mouseClick(self.view.viewport(), Qt.MouseButton.LeftButton, NoMod, point)
            # Three words; more where a heading or a line end cuts the selection short.
            for presses in range(8):
                QTest.keyClick(self.view, Qt.Key.Key_Right, Ctrl | Shift)
                quote = self.view.textCursor().selectedText().strip()
                if presses >= 2 and len(quote) >= 8:
                    break
            selected = self.view.selected_range()
            self.keys(Qt.Key.Key_H)
            QTest.qWait(2)
        if not quote or selected is None or self.marks() != before + 1:
            raise SoakFailed(
                f"H on {quote!r} at {offset} of chapter {self.window.pane.chapter}:"
                f" {before} marks before, {self.marks()} after:"
                f" {[x.cursor.selectedText() for x in self.view.extraSelections()]}"
            )
        if not any(s.cursor.selectedText() == quote for s in self.view.extraSelections()):
            raise SoakFailed(f"the highlight {quote!r} is not drawn on the page")
        self.count("highlight")
        inside = self._point(offset + 2)
        if inside is None:
            raise SoakFailed("the page scrolled while highlighting")
        return inside, selected[1]

    def delete(self, point: QPoint, *, undo: bool) -> None:
        """Click on a highlight, Shift+Del; with ``undo``, Ctrl+Z and delete it again."""
        before = self.marks()
        with self.act("delete (Shift+Del)"):
            QTest.mouseClick(self.view.viewport(), Qt.MouseButton.LeftButton, NoMod, point)
            self.keys(Qt.Key.Key_Delete, Shift)
            QTest.qWait(2)
        if self.marks() != before - 1:
            raise SoakFailed(f"Shift+Del changed the marks from {before} to {self.marks()}")
        self.count("delete")
        if not undo:
            return
        with self.act("undo (Ctrl+Z)"):
            self.keys(Qt.Key.Key_Z, Ctrl)
            QTest.qWait(2)
        if self.marks() != before:
            raise SoakFailed("Ctrl+Z did not bring the highlight back")
        self.count("undo")
        self.delete(point, undo=False)

    def search(self, query: str) -> None:
        """Ctrl+F, type the words, Enter; then F3 through the first three results."""
        status = self.window.findChild(QLabel, "searchStatus")
        results = self.window.search_dock.findChild(QAbstractItemView)
        if status is None or results is None:
            raise SoakFailed("the search panel has no status line or result list")
        size = "~2,000 hits" if query in BIG_QUERIES else "fewer hits"
        with self.act(f"search, {size} (Ctrl+F…Enter)"):
            self.keys(Qt.Key.Key_F, Ctrl)
            box = QApplication.focusWidget()
            if box is None or box.window() is not self.window or box is self.view:
                raise SoakFailed("Ctrl+F did not put the keyboard in the search box")
            type_text(box, query)
            QTest.keyClick(box, Qt.Key.Key_Return)
            self.wait_until(
                lambda: "match" in status.text() or "No matches" in status.text(),
                f"the results for {query!r}",
            )
            QTest.qWait(30)  # the list lays itself out and paints on the next turns
        rows = results.model().rowCount()
        if (rows == 0) != (query == "zzzz"):
            raise SoakFailed(f"{query!r} listed {rows} results: {status.text()}")
        self.count("search")
        self.counts["search results listed"] = self.counts.get("search results listed", 0) + rows
        for _ in range(min(3, rows)):
            with self.act("next result (F3)"):
                self.keys(Qt.Key.Key_F3)
                QTest.qWait(5)
            selected = self.view.textCursor().selectedText()
            if selected.casefold() != query.casefold():
                raise SoakFailed(f"F3 selected {selected!r}, not {query!r}")
            self.count("next result")
        self.focus_page()

    # -- the session ----------------------------------------------------------------------

    def cycle(self, number: int) -> None:
        """One sitting: War and Peace, then Moby-Dick."""
        self.reopen(WAR_TITLE)
        self.turn_chapters()
        self.highlight_and_delete(HIGHLIGHTS_PER_BOOK)
        self.search(WAR_QUERIES[(2 * number) % len(WAR_QUERIES)])
        self.search(WAR_QUERIES[(2 * number + 1) % len(WAR_QUERIES)])
        self.reopen(MOBY_TITLE)
        self.turn_chapters()
        self.highlight_and_delete(HIGHLIGHTS_PER_BOOK)
        self.search(MOBY_QUERIES[number % len(MOBY_QUERIES)])
        self.search("whale")


class GcPauses:
    """How long Python's cyclic garbage collector holds the GUI thread, per generation."""

    def __init__(self) -> None:
        self.started = 0.0
        self.longest_ms = [0.0, 0.0, 0.0]
        self.runs = [0, 0, 0]

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self.started = time.perf_counter()
            return
        generation = info["generation"]
        pause = (time.perf_counter() - self.started) * 1000
        self.longest_ms[generation] = max(self.longest_ms[generation], pause)
        self.runs[generation] += 1

    def summary(self) -> dict[str, object]:
        return {"runs": self.runs, "longest_ms": [round(ms, 1) for ms in self.longest_ms]}


def drive(cycles: int, warm_up: int, report: dict[str, object]) -> None:
    """The whole session, from the first book on screen to File → Quit."""
    window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow))
    meter = StallMeter(5)
    reader = Reader(window, meter)
    window.activateWindow()
    if not QTest.qWaitForWindowActive(window):
        raise SoakFailed("the window never became active: shortcuts would not reach it")
    meter.start()
    with reader.act("first open (command line)"):
        reader.wait_for_book(WAR_TITLE)
    report["start"] = health()
    reader.focus_page()
    started = time.perf_counter()
    pauses = GcPauses()
    gc.callbacks.append(pauses)
    reader.drop_file(MOBY, MOBY_TITLE)
    for number in range(cycles):
        reader.cycle(number)
        if number + 1 == warm_up:
            gc.callbacks.remove(pauses)  # the forced collection is not the app's
            report["warm"] = health()
            gc.callbacks.append(pauses)
        print(f"cycle {number + 1}/{cycles} done", file=sys.stderr, flush=True)
    gc.callbacks.remove(pauses)
    report["gc_pauses"] = pauses.summary()
    report["end"] = health()
    meter.stop()
    report["elapsed_s"] = round(time.perf_counter() - started, 1)
    report["counts"] = reader.counts
    report["stalls"] = {
        a.name: {
            "runs": a.count,
            "median_ms": a.median,
            "max_ms": a.max,
            "cpu_ms_of_max": a.cpu_of_max,
            "over_50": a.over(50),
        }
        for a in meter.actions.values()
    }
    report["stall_table"] = meter.report(50)
    report["none_drift_by_action"] = reader.none_drift
    # One more cycle with every call from Python into Qt counted (the profiler slows it,
    # so it is outside the stall and memory figures): how many wrapped Qt calls a cycle makes.
    counter = QtCallCounter()
    sys.setprofile(counter)
    try:
        reader.cycle(cycles)
    finally:
        sys.setprofile(None)
    report["qt_calls_per_cycle"] = counter.calls
    report["after_counted_cycle"] = health()
    # Quit as the user does; run_gui then shuts the app down and returns.
    reader.menu_action("File", "Quit").trigger()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile-dir", required=True)
    parser.add_argument("--report", required=True, type=Path)
    parser.add_argument("--cycles", type=int, default=50)
    parser.add_argument("--warm-up", type=int, default=2)
    args = parser.parse_args()
    report: dict[str, object] = {"cycles": args.cycles, "warm_up": args.warm_up}

    def run() -> None:
        try:
            drive(args.cycles, args.warm_up, report)
        except Exception as exc:
            report["error"] = f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"
            QApplication.quit()

    # run_gui takes the QApplication that exists; one must exist before a timer can.
    qt_app = QApplication([sys.argv[0]])
    QTimer.singleShot(0, run)
    code = cli.main(["--profile-dir", args.profile_dir, str(WAR)])
    report["exit_code"] = code
    report["none_refs_after_shutdown"] = sys.getrefcount(None)
    log_file = Path(args.profile_dir) / "logs"
    report["log_problems"] = [
        line
        for path in sorted(log_file.rglob("*.log*"))
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines()
        if " WARNING " in line or " ERROR " in line or " CRITICAL " in line
    ]
    args.report.write_text(json.dumps(report, indent=1), encoding="utf-8")
    del qt_app
    return 0 if "error" not in report else 1


if __name__ == "__main__":
    sys.exit(main())
