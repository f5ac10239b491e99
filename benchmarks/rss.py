"""Memory of the window with War and Peace open and a key set, before any analysis.

Starts ``tone-reader --profile-dir TMP war-and-peace.txt`` exactly as a user does (the
installed entry point, offscreen or under Xvfb with ``--xvfb``), with ``ANTHROPIC_API_KEY``
set and ``ANTHROPIC_BASE_URL`` pointing at a closed local port, and reads the process's
resident set size (VmRSS) from /proc at a few moments up to 30 s. Budget (DESIGN.md §10):
≤ 160 MB at 30 s.

    .venv/bin/python benchmarks/rss.py [--seconds 30] [--xvfb]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT.parent / "shared" / "corpus" / "books" / "war-and-peace_pg2600_utf8-bom.txt"
BUDGET_MB = 160
CHECKPOINTS = (2, 5, 10, 20, 30)


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(status.split("VmRSS:")[1].split()[0]) / 1024


def book_shown(profile: Path) -> bool:
    """Whether the window recorded the book and finished opening it (its mark is gone)."""
    database = profile / "data" / "library.sqlite3"
    if not database.exists() or (profile / "data" / "opening-book.json").exists():
        return False
    conn = sqlite3.connect(database)
    try:
        return bool(conn.execute("SELECT count(*) FROM books").fetchone()[0])
    except sqlite3.Error:
        return False
    finally:
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--xvfb", action="store_true", help="run under xvfb-run, not offscreen")
    args = parser.parse_args()
    profile = Path(tempfile.mkdtemp(prefix="tone-rss-"))
    env = {k: v for k, v in os.environ.items() if k != "TONE_READER_HOME"}
    env.update(
        ANTHROPIC_API_KEY="benchmark-placeholder-not-a-key",
        ANTHROPIC_BASE_URL=f"http://127.0.0.1:{closed_port()}",
    )
    command = [str(Path(sys.executable).with_name("tone-reader")), "--profile-dir", str(profile)]
    if args.xvfb:
        if shutil.which("xvfb-run") is None:
            raise SystemExit("xvfb-run is not installed; run without --xvfb (offscreen).")
        env.pop("QT_QPA_PLATFORM", None)
        command = ["xvfb-run", "-a", "-s", "-screen 0 1366x768x24", *command]
    else:
        env["QT_QPA_PLATFORM"] = "offscreen"
    child = subprocess.Popen([*command, str(BOOK)], env=env, start_new_session=True)
    try:
        started = time.monotonic()
        pid = child.pid
        if args.xvfb:  # measure the app, not xvfb-run's shell
            time.sleep(1.5)
            found = subprocess.run(
                ["pgrep", "-s", str(child.pid), "-f", "tone-reader --profile-dir"],
                capture_output=True, text=True, check=False,
            ).stdout.split()  # fmt: skip
            pid = int(found[-1])
        print(f"{'seconds':>8} {'RSS':>8}  book shown")
        for mark in [c for c in CHECKPOINTS if c < args.seconds] + [args.seconds]:
            time.sleep(max(0.0, started + mark - time.monotonic()))
            if child.poll() is not None:
                raise SystemExit(f"tone-reader exited early with code {child.returncode}")
            print(f"{mark:>7}s {rss_mb(pid):6.0f}MB  {book_shown(profile)}")
        final = rss_mb(pid)
        print(f"RSS at {args.seconds} s: {final:.0f} MB (budget ≤ {BUDGET_MB} MB)")
    finally:
        os.killpg(child.pid, signal.SIGTERM)
        child.wait(timeout=30)
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
