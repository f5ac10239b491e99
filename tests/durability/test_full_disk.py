"""A full disk or a read-only library: a clear one-line message, and nothing stored is lost.

The disk is a real one: as root (here and in CI) a small tmpfs is mounted for the profile
and filled up with a file, so SQLite meets a genuine ENOSPC, and the same tmpfs is
remounted read-only for a genuine EROFS. Without root only the read-only case can be made
honestly (with chmod); the full-disk test then fails rather than pretending.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import pytest

from reader_app.config.paths import AppPaths
from reader_app.config.settings import Settings, save_settings
from reader_app.core.errors import SettingsError, StorageError
from reader_app.core.exporters import ExportError, write_export
from reader_app.core.importers.clippings import parse_clippings, to_annotations
from reader_app.core.records import NewAnalysis, NewHighlight
from reader_app.storage.analyses import AnalysisRepository
from reader_app.storage.books import BookRepository
from reader_app.storage.db import open_database
from reader_app.storage.highlights import HighlightRepository
from reader_app.usecases.importing import import_annotations
from tests.durability.writer import BOOK_ID, clippings_text

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Iterator

ROOT = Path(__file__).resolve().parents[2]
IS_ROOT = os.geteuid() == 0
TABLES = ("books", "highlights", "analyses")


@contextlib.contextmanager
def _small_disk(folder: Path) -> Iterator[Path]:
    """``folder`` on its own small file system when root can mount one, else a plain one."""
    folder.mkdir(parents=True)
    if not IS_ROOT:
        try:
            yield folder
        finally:
            folder.chmod(0o700)
        return
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m,mode=0700", "tmpfs", str(folder)],
                   check=True)  # fmt: skip
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def _fill(mount: Path) -> Path:
    """Take every free byte of the disk; returns the file that holds them."""
    if not IS_ROOT:
        pytest.fail("a genuinely full disk needs root to mount a small tmpfs")
    filler = mount / "filler"
    with filler.open("wb", buffering=0) as out:
        assert _write_until_error(out) == errno.ENOSPC
    return filler


def _write_until_error(out: BinaryIO) -> int | None:
    """Write zeros until the file system refuses; returns the errno it gave."""
    while True:
        try:
            out.write(b"\0" * 4096)
        except OSError as error:
            return error.errno


def _make_read_only(mount: Path) -> None:
    if IS_ROOT:
        # chmod does not stop root; a read-only mount does.
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
    else:
        mount.chmod(0o500)


def _make_writable(mount: Path) -> None:
    if IS_ROOT:
        subprocess.run(["mount", "-o", "remount,rw", str(mount)], check=True)
    else:
        mount.chmod(0o700)


def _items(marker: str, size: int = 200) -> list[Any]:
    return to_annotations(parse_clippings(clippings_text(marker, size)).clippings)


def _library(profile: Path) -> AppPaths:
    """A profile with books, highlights, analyses, an import and settings."""
    paths = AppPaths.for_profile(profile)
    paths.ensure()
    conn = open_database(paths.database)
    try:
        BookRepository(conn).record_opened(BOOK_ID, "/books/d.epub", "Durable", ["Tester"],
                                           "en", "EPUB 3", 3, 1000)  # fmt: skip
        highlights = HighlightRepository(conn)
        analyses = AnalysisRepository(conn)
        for n in range(10):
            stored = highlights.add(NewHighlight(BOOK_ID, 0, "c0", n, n + 4, f"kept{n}"))
            analyses.add(NewAnalysis(stored.id, "ok", tone="Calm", result={"n": n}))
        import_annotations(conn, _items("before"), source="kindle", books_available=_no_book)
    finally:
        conn.close()
    save_settings(paths.settings_file, Settings())
    return paths


def _no_book(_book_id: str) -> None:
    return None


def _rows(conn: sqlite3.Connection) -> dict[str, list[tuple[Any, ...]]]:
    return {
        table: [tuple(r) for r in conn.execute(f"SELECT * FROM {table} ORDER BY 1")]
        for table in TABLES
    }


def _snapshot(paths: AppPaths) -> dict[str, list[tuple[Any, ...]]]:
    """Check the library is sound and return its rows."""
    conn = open_database(paths.database)
    try:
        assert [tuple(r) for r in conn.execute("PRAGMA integrity_check")] == [("ok",)]
        assert [tuple(r) for r in conn.execute("PRAGMA foreign_key_check")] == []
        return _rows(conn)
    finally:
        conn.close()


def _one_line(error: Exception, *words: str) -> str:
    text = str(error)
    assert "\n" not in text
    assert any(word in text.lower() for word in words), text
    return text


def _cli_import(paths: AppPaths, clippings: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "TONE_READER_HOME"}
    return subprocess.run(
        [sys.executable, "-m", "reader_app", "--profile-dir", str(paths.config_dir.parent),
         "import", str(clippings)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def _assert_cli_says(result: subprocess.CompletedProcess[str], *words: str) -> str:
    assert result.returncode != 0
    assert result.stderr.startswith("tone-reader"), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert any(word in result.stderr.lower() for word in words), result.stderr
    return result.stderr.strip()


def _try_every_write(conn: sqlite3.Connection, mount: Path, words: tuple[str, ...]) -> list[str]:
    """Each kind of write fails with a clear message; returns the messages."""
    messages = []
    big = "z" * 50_000  # more than any free page could hold
    with pytest.raises(StorageError) as caught:
        HighlightRepository(conn).add(NewHighlight(BOOK_ID, 0, "c0", 1, 2, big))
    messages.append(_one_line(caught.value, *words))
    with pytest.raises(StorageError) as caught:
        AnalysisRepository(conn).add(NewAnalysis(1, "ok", result={"text": big}))
    messages.append(_one_line(caught.value, *words))
    with pytest.raises(StorageError) as caught:
        import_annotations(conn, _items("during"), source="kindle", books_available=_no_book)
    messages.append(_one_line(caught.value, *words))
    with pytest.raises(SettingsError) as settings_error:
        save_settings(mount / "config" / "settings.json", Settings(context_paragraphs=3))
    messages.append(_one_line(settings_error.value, *words))
    with pytest.raises(ExportError) as export_error:
        write_export(mount / "export.json", json.dumps({"text": big * 4}))
    messages.append(_one_line(export_error.value, *words))
    return messages


def test_full_disk_gives_clear_errors_and_keeps_the_library(tmp_path: Path) -> None:
    # The whole profile is on the small disk: settings and the log too.
    with _small_disk(tmp_path / "disk") as disk:
        _check_full_disk(disk, tmp_path)


def _check_full_disk(disk: Path, tmp_path: Path) -> None:
    paths = _library(disk)
    before = _snapshot(paths)
    settings_before = paths.settings_file.read_bytes()
    clippings = tmp_path / "clippings.txt"
    clippings.write_text(clippings_text("cli", 500), "utf-8")
    conn = open_database(paths.database)
    try:
        filler = _fill(disk)
        words = ("disk is full", "no space left")
        messages = _try_every_write(conn, disk, words)
        # The connection that failed still reads everything it had.
        assert _rows(conn) == before
    finally:
        conn.close()
    messages.append(_assert_cli_says(_cli_import(paths, clippings), *words))
    # Opening needs room for the -shm index: a full disk must not read as a damaged file.
    with pytest.raises(StorageError) as caught:
        open_database(disk / "new.sqlite3")
    messages.append(_one_line(caught.value, "disk is full"))
    try:
        open_database(paths.database).close()
    except StorageError as error:
        messages.append(_one_line(error, "disk is full"))
    print("\n".join(messages))
    filler.unlink()
    assert _snapshot(paths) == before
    assert paths.settings_file.read_bytes() == settings_before
    assert not (disk / "export.json").exists()
    # Once there is room again, the library takes changes as before.
    conn = open_database(paths.database)
    try:
        HighlightRepository(conn).add(NewHighlight(BOOK_ID, 0, "c0", 1, 2, "after"))
    finally:
        conn.close()
    after = _snapshot(paths)
    assert len(after["highlights"]) == len(before["highlights"]) + 1


def test_read_only_data_folder_gives_clear_errors_and_keeps_the_library(tmp_path: Path) -> None:
    # Only the data folder is read-only: settings can be read, the library cannot change.
    profile = tmp_path / "profile"
    with _small_disk(profile / "data") as disk:
        paths = _library(profile)
        before = _snapshot(paths)
        save_settings(disk / "settings.json", Settings())
        clippings = tmp_path / "clippings.txt"
        clippings.write_text(clippings_text("cli", 50), "utf-8")
        _make_read_only(disk)
        try:
            words = ("read-only",)
            with pytest.raises(StorageError) as caught:
                open_database(paths.database)
            messages = [_one_line(caught.value, *words)]
            # The command line checks its folders first and names the one it cannot write.
            cli = _cli_import(paths, clippings)
            messages.append(_assert_cli_says(cli, "read-only", "cannot write to the folder"))
            with pytest.raises(SettingsError) as settings_error:
                save_settings(disk / "settings.json", Settings(context_paragraphs=3))
            messages.append(_one_line(settings_error.value, *words))
            with pytest.raises(ExportError) as export_error:
                write_export(disk / "export.json", "{}")
            messages.append(_one_line(export_error.value, "read-only", "permission denied"))
            print("\n".join(messages))
        finally:
            _make_writable(disk)
        assert _snapshot(paths) == before
