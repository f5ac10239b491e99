"""``tone-reader import``: the real command line, in a subprocess, on a throw-away profile."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from reader_app.config.paths import AppPaths
from reader_app.core.exporters.w3c import export_w3c
from reader_app.core.loaders import load_book
from reader_app.core.records import NewHighlight
from reader_app.storage.annotations import AnnotationQuery
from reader_app.storage.books import BookRepository
from reader_app.storage.db import open_database
from reader_app.storage.highlights import HighlightRepository
from tests.cli_run import assert_one_error_line, run_cli

if TYPE_CHECKING:
    import subprocess

REPO = Path(__file__).resolve().parents[1]
PRIDE = REPO.parent / "shared" / "corpus" / "books" / "pride-and-prejudice_pg1342_utf8-bom.txt"
OPENING = (
    "It is a truth universally acknowledged, that a single man in possession of a good"
    " fortune, must be in want of a wife."
)
ADDED = "Added on Monday, April 21, 2014 10:08:07 PM"
CLIPPINGS = (
    "\ufeffPride and Prejudice (Austen, Jane)\r\n"
    f"- Your Highlight on page 1 | Location 10-12 | {ADDED}\r\n\r\n{OPENING}\r\n==========\r\n"
    "Unknown Book (Nobody)\r\n"
    f"- Your Highlight on Location 5-6 | {ADDED}\r\n\r\nSome text.\r\n==========\r\n"
)


def _run(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(profile, "import", *args)


def _highlights(profile: Path) -> list[tuple[str, int, int, int]]:
    with sqlite3.connect(AppPaths.for_profile(profile).database) as conn:
        rows = conn.execute(
            "SELECT quote, chapter, start, orphaned FROM highlights ORDER BY id"
        ).fetchall()
    return [tuple(r) for r in rows]


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    return tmp_path / "profile"


@pytest.fixture
def clippings(tmp_path: Path) -> Path:
    path = tmp_path / "My Clippings.txt"
    path.write_bytes(CLIPPINGS.encode("utf-8"))
    return path


def _add_pride_to_library(profile: Path) -> None:
    paths = AppPaths.for_profile(profile)
    paths.ensure()
    book = load_book(PRIDE)
    conn = open_database(paths.database)
    try:
        BookRepository(conn).record_opened(
            book.book_id, book.path, book.title, book.authors, book.language,
            book.format.value, len(book.chapters), book.char_count,
        )  # fmt: skip
    finally:
        conn.close()


def test_kindle_clippings_of_unknown_books_are_kept_as_orphans(
    profile: Path, clippings: Path
) -> None:
    result = _run(profile, str(clippings))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Imported 2 annotations (2 orphaned, 0 duplicates skipped).\n"
    assert result.stderr == ""
    assert [(q, o) for q, _c, _s, o in _highlights(profile)] == [(OPENING, 1), ("Some text.", 1)]
    # A second import of the same file adds nothing.
    again = _run(profile, str(clippings))
    assert again.returncode == 0, again.stderr
    assert again.stdout == "Imported 0 annotations (0 orphaned, 2 duplicates skipped).\n"


def test_kindle_clipping_of_a_library_book_is_placed(profile: Path, clippings: Path) -> None:
    _add_pride_to_library(profile)
    result = _run(profile, str(clippings))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Imported 2 annotations (1 orphaned, 0 duplicates skipped).\n"
    assert _highlights(profile)[0] == (OPENING, 0, 45, 0)


def test_a_bad_record_is_reported_and_the_good_ones_imported(profile: Path, tmp_path: Path) -> None:
    path = tmp_path / "clips.txt"
    path.write_text(
        CLIPPINGS + "Broken (X)\n- Something else entirely\n\nText\n==========\n", "utf-8"
    )
    result = _run(profile, str(path))
    assert result.returncode == 2
    assert result.stdout.startswith("Imported 2 annotations")
    assert result.stderr == (
        "clips.txt: record 3 (line 11): “Something else entirely” is not a highlight,"
        " note or bookmark\n"
    )
    assert len(_highlights(profile)) == 2


def test_w3c_export_of_another_library_is_imported(profile: Path, tmp_path: Path) -> None:
    book = load_book(PRIDE)
    source = open_database(tmp_path / "source.sqlite3")
    try:
        BookRepository(source).record_opened(
            book.book_id, book.path, book.title, book.authors, book.language,
            book.format.value, len(book.chapters), book.char_count,
        )  # fmt: skip
        HighlightRepository(source).add(
            NewHighlight(book.book_id, 0, "", 45, 45 + len(OPENING), OPENING, note="First line.")
        )
        text = export_w3c(AnnotationQuery(source).all(), generated_at="g", app_version="0.1.0")
    finally:
        source.close()
    path = tmp_path / "export.json"
    path.write_text(text, "utf-8")
    _add_pride_to_library(profile)
    result = _run(profile, str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Imported 1 annotations (0 orphaned, 0 duplicates skipped).\n"
    assert _highlights(profile) == [(OPENING, 0, 45, 0)]


def test_w3c_with_a_bad_item(profile: Path, tmp_path: Path) -> None:
    path = tmp_path / "annotations.json"
    path.write_text(
        '[{"type": "Annotation", "target": {"tone:bookTitle": "Book",'
        ' "selector": {"type": "TextQuoteSelector", "exact": "Kept."}}}, 7]',
        "utf-8",
    )
    result = _run(profile, str(path))
    assert result.returncode == 2
    assert result.stdout == "Imported 1 annotations (1 orphaned, 0 duplicates skipped).\n"
    assert result.stderr == "annotations.json: item 2: not an annotation object\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[tool.ruff]\nline-length = 100\n", "is not a format Tone Reader imports"),
        ('{"type": "Annotation", ', "its JSON is broken at line 1"),
        ('{"type": "AnnotationCollection", "first": {"items": []}}', "holds no annotations"),
        ("", "is empty"),
    ],
)
def test_unusable_files_are_bad_input(
    profile: Path, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "file.txt"
    path.write_text(content, "utf-8")
    result = _run(profile, str(path))
    assert result.returncode == 2
    assert_one_error_line(result)
    assert message in result.stderr
    assert result.stdout == ""


def test_a_missing_file_and_missing_arguments(profile: Path, tmp_path: Path) -> None:
    missing = _run(profile, str(tmp_path / "nowhere.txt"))
    assert missing.returncode == 2
    assert_one_error_line(missing)
    assert "does not exist" in missing.stderr
    bare = _run(profile)
    assert bare.returncode == 2
    assert_one_error_line(bare)
    assert bare.stderr.startswith("tone-reader import: error:")
