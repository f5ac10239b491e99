"""SIGKILL in the middle of writes: the library stays whole and keeps every committed row.

A child process (a fresh interpreter, not a fork of this one) writes highlights, analyses
and imports with the real repositories and prints a line after each commit; this process
kills it with SIGKILL at seeded random moments and then checks the file: integrity and
foreign keys are sound, every acknowledged row is there, and each import is all or
nothing. The real CLI is killed the same way while importing and while analysing.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from reader_app.config.paths import AppPaths
from reader_app.core.records import NewHighlight
from reader_app.storage.books import BookRepository
from reader_app.storage.db import open_database
from reader_app.storage.highlights import HighlightRepository
from tests.durability.writer import BOOK_ID, IMPORT_SIZE, clippings_text
from tests.fake_api import VALID_KEY, FakeAnthropic

if TYPE_CHECKING:
    import sqlite3

ROOT = Path(__file__).resolve().parents[2]
BALLADS = ROOT / "resources" / "lyrical-ballads_standardebooks_epub3.epub"
KILLS_PER_KIND = 18
SEED = 20261124


@dataclass
class Child:
    """A running writer, with the lines it has printed so far read by a thread."""

    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)
    reader: threading.Thread | None = None

    def start_reading(self) -> None:
        def read() -> None:
            assert self.process.stdout is not None
            for line in self.process.stdout:
                self.lines.append(line.rstrip("\n"))

        self.reader = threading.Thread(target=read, daemon=True)
        self.reader.start()

    def wait_for(self, count: int, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.lines) < count:
            assert self.process.poll() is None, f"the writer died: {self.stderr()}"
            assert time.monotonic() < deadline, "the writer printed nothing"
            time.sleep(0.001)

    def kill(self) -> list[str]:
        """SIGKILL the child; returns every line it printed (all of them acknowledged)."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        assert self.reader is not None
        self.reader.join(timeout=10)
        errors = self.stderr()
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()
        assert self.process.returncode == -signal.SIGKILL, errors
        return list(self.lines)

    def stderr(self) -> str:
        return self.process.stderr.read() if self.process.stderr else ""


@dataclass
class Acknowledged:
    """Rows the writers said were committed."""

    highlights: dict[int, str] = field(default_factory=dict)
    analyses: dict[int, tuple[int, str]] = field(default_factory=dict)
    imports: dict[str, int] = field(default_factory=dict)

    def record(self, line: str) -> None:
        kind, *rest = line.split(" ")
        if kind == "H":
            self.highlights[int(rest[0])] = rest[1]
        elif kind == "A":
            self.analyses[int(rest[0])] = (int(rest[1]), rest[2])
        elif kind == "I":
            self.imports[rest[0]] = int(rest[1])
        else:
            assert line == "ready" or kind == "B", line


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "TONE_READER_HOME"}
    env["PYTHONPATH"] = str(ROOT)
    return env


def _spawn(kind: str, db: Path, run: int) -> Child:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.durability.writer", kind, str(db), str(run)],
        cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    child = Child(process)
    child.start_reading()
    return child


def _prepare(db: Path) -> None:
    conn = open_database(db)
    try:
        BookRepository(conn).record_opened(BOOK_ID, "/books/d.epub", "Durable", ["Tester"],
                                           "en", "EPUB 3", 3, 1000)  # fmt: skip
        repo = HighlightRepository(conn)
        for n in range(20):
            repo.add(NewHighlight(BOOK_ID, 0, "c0", n, n + 3, f"base{n}"))
    finally:
        conn.close()


def _check_sound(db: Path) -> sqlite3.Connection:
    """Open the library as the app does and check the file; returns the connection."""
    conn = open_database(db)
    assert [tuple(r) for r in conn.execute("PRAGMA integrity_check")] == [("ok",)]
    assert [tuple(r) for r in conn.execute("PRAGMA foreign_key_check")] == []
    return conn


def _check(db: Path, acked: Acknowledged) -> int:
    """Check the library after a kill; returns how many acknowledged rows were checked."""
    conn = _check_sound(db)
    try:
        highlights = dict(
            conn.execute("SELECT id, quote FROM highlights WHERE quote LIKE 'h%'").fetchall()
        )
        for row_id, quote in acked.highlights.items():
            assert highlights.get(row_id) == quote, f"highlight {row_id} was lost"
        analyses = {
            row[0]: (row[1], row[2])
            for row in conn.execute("SELECT id, highlight_id, request_id FROM analyses")
        }
        for row_id, expected in acked.analyses.items():
            assert analyses.get(row_id) == expected, f"analysis {row_id} was lost"
        batches = Counter(
            quote.split("-", 1)[0]
            for (quote,) in conn.execute("SELECT quote FROM highlights WHERE quote LIKE 'imp%'")
        )
        # An import is one transaction: a batch is all there or not there at all.
        assert all(count == IMPORT_SIZE for count in batches.values()), batches
        for marker, imported in acked.imports.items():
            assert imported == IMPORT_SIZE
            assert batches[marker] == IMPORT_SIZE, f"import {marker} was lost"
    finally:
        conn.close()
    return len(acked.highlights) + len(acked.analyses) + len(acked.imports) * IMPORT_SIZE


def test_sigkill_during_writes_loses_no_committed_row(tmp_path: Path) -> None:
    db = tmp_path / "library.sqlite3"
    _prepare(db)
    rng = random.Random(SEED)
    acked = Acknowledged()
    kills: Counter[str] = Counter()
    started = time.monotonic()
    run = 0
    for _round in range(KILLS_PER_KIND):
        for kind in ("highlight", "analysis", "import"):
            run += 1
            child = _spawn(kind, db, run)
            child.wait_for(1)  # "ready": the library is open
            if rng.random() < 0.5:
                # Some committed actions first, then a kill at an arbitrary moment after.
                child.wait_for(1 + rng.randint(1, 4 if kind == "import" else 30))
                time.sleep(rng.uniform(0, 0.01))
            else:
                time.sleep(rng.uniform(0.005, 0.08))
            lines = child.kill()
            for line in lines:
                acked.record(line)
            kills[kind] += 1
            if lines[-1].startswith("B "):
                kills["inside an import"] += 1
            _check(db, acked)
    elapsed = time.monotonic() - started
    checked = _check(db, acked)
    print(f"kills {dict(kills)}, acknowledged rows checked {checked}, {elapsed:.1f} s")
    assert kills["highlight"] + kills["analysis"] + kills["import"] >= 50
    assert kills["inside an import"] >= 5
    # The kills landed while work was going on, not only before the first commit.
    assert len(acked.highlights) > 50
    assert len(acked.analyses) > 50
    assert len(acked.imports) > 5


# -- the real command line ------------------------------------------------------------------


def _cli(profile: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "reader_app", "--profile-dir", str(profile), *args],
        cwd=ROOT, env=env or _env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _kill_after(process: subprocess.Popen[str], seconds: float) -> tuple[str, str, int]:
    try:
        out, err = process.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        out, err = process.communicate(timeout=10)
    return out, err, process.returncode


def test_sigkill_of_cli_import(tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    size = 3000

    def write(marker: str) -> Path:
        path = tmp_path / f"{marker}.txt"
        # A book of its own per file: duplicate checks then cost every run the same.
        path.write_text(clippings_text(marker, size, f"{marker} (Tester, Test)"), "utf-8")
        return path

    # Two full runs first: rows that must survive, and (warm) how long one run takes.
    for marker in ("full", "warm"):
        started = time.monotonic()
        out, err, code = _kill_after(_cli(profile, "import", str(write(marker))), 120)
        duration = time.monotonic() - started
        assert code == 0, err
        assert out.startswith(f"Imported {size} annotations")
    rng = random.Random(SEED)
    outcomes: Counter[str] = Counter()
    for number, fraction in enumerate((0.4, 0.55, 0.7, 0.8, 0.9, 1.2)):
        marker = f"cut{number}"
        delay = duration * fraction + rng.uniform(-0.02, 0.02)
        out, _err, code = _kill_after(_cli(profile, "import", str(write(marker))), delay)
        conn = _check_sound(AppPaths.for_profile(profile).database)
        try:
            counts = dict(
                conn.execute(
                    "SELECT substr(quote, 1, instr(quote, '-') - 1), COUNT(*) FROM highlights"
                    " GROUP BY 1"
                ).fetchall()
            )
        finally:
            conn.close()
        assert counts["full"] == counts["warm"] == size
        assert counts.get(marker, 0) in (0, size), counts
        if code == 0:
            assert out.startswith(f"Imported {size} annotations")
            assert counts[marker] == size
        outcomes["completed" if code == 0 else "saved" if counts.get(marker) else "none"] += 1
    print(f"CLI import kills: {dict(outcomes)}; one import takes {duration:.2f} s")
    assert outcomes["none"] + outcomes["saved"] >= 1


@pytest.mark.usefixtures("fake_api")
def test_sigkill_of_cli_analyze_save(fake_api: FakeAnthropic, tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    env = {k: v for k, v in _env().items() if not k.startswith("ANTHROPIC_")}
    env.update(ANTHROPIC_BASE_URL=fake_api.base_url, ANTHROPIC_API_KEY=VALID_KEY,
               NO_PROXY="127.0.0.1,localhost",
               PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")  # fmt: skip
    args = ("analyze", str(BALLADS), "--find", "We murder to dissect.", "--save", "--json")
    started = time.monotonic()
    out, err, code = _kill_after(_cli(profile, *args, env=env), 120)
    duration = time.monotonic() - started
    assert code == 0, err
    highlight_id = int(re.search(r'"highlight_id": (\d+)', out).group(1))  # type: ignore[union-attr]
    db = AppPaths.for_profile(profile).database
    rng = random.Random(SEED)
    kills = 0
    for runs, fraction in enumerate((0.2, 0.35, 0.5, 0.65, 0.8, 0.9), start=2):
        delay = duration * fraction + rng.uniform(-0.02, 0.02)
        out, _err, code = _kill_after(_cli(profile, *args, env=env), delay)
        kills += code == -signal.SIGKILL
        conn = _check_sound(db)
        try:
            ours = conn.execute(
                "SELECT COUNT(*) FROM analyses WHERE highlight_id = ?", (highlight_id,)
            ).fetchone()[0]
            examples = conn.execute("SELECT COUNT(*) FROM examples").fetchone()[0]
            analyses = conn.execute("SELECT COUNT(*) FROM analyses").fetchone()[0]
            highlights = conn.execute("SELECT COUNT(*) FROM highlights").fetchone()[0]
        finally:
            conn.close()
        assert examples > 0
        # One passage is one highlight: every run, killed or not, adds to the first run's
        # highlight, whose analysis stays; a run adds at most one analysis, and an
        # analysis never exists without its highlight (foreign keys are checked above).
        assert highlights == 1
        assert 1 <= ours == analyses <= runs
    print(f"CLI analyze kills: {kills}; one run takes {duration:.2f} s")
