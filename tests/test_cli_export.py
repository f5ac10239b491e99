"""``tone-reader export``: the real command line, in a subprocess, on a library built here."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
import zipfile
from typing import TYPE_CHECKING

import pytest
from lxml import html

from reader_app.config.paths import AppPaths
from reader_app.core.records import NewAnalysis, NewHighlight
from reader_app.storage.analyses import AnalysisRepository
from reader_app.storage.books import BookRepository
from reader_app.storage.corrections import CorrectionRepository
from reader_app.storage.db import open_database
from reader_app.storage.highlights import HighlightRepository
from tests.cli_run import assert_one_error_line, run_cli

if TYPE_CHECKING:
    import subprocess
    from pathlib import Path

RESULT = {
    "tone": "Harsh and Condemning",
    "polarity": "negative",
    "emotions": [{"name": "disgust", "intensity": 0.7}],
    "evidence": [{"quote": "murder", "why": "a violent word"}],
    "explanation": "The speaker condemns cold study.",
    "confidence": 0.8,
}


def _run(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(profile, "export", *args)


def _record(conn: sqlite3.Connection, book: Path, title: str, author: str) -> str:
    book_id = hashlib.sha256(book.read_bytes()).hexdigest()
    BookRepository(conn).record_opened(
        book_id, str(book), title, [author], "en", "Plain text", 3, 500
    )
    return book_id


@pytest.fixture
def library(tmp_path: Path) -> tuple[Path, Path]:
    """A profile with two books: the first has 3 highlights (2 analysed, 1 corrected)."""
    profile = tmp_path / "profile"
    database = AppPaths.for_profile(profile).database
    database.parent.mkdir(parents=True)
    book = tmp_path / "ballads.txt"
    book.write_text("THE TABLES TURNED\n\nSweet is the lore which Nature brings;\n", "utf-8")
    other = tmp_path / "emma.txt"
    other.write_text("EMMA\n\nEmma Woodhouse, handsome, clever, and rich.\n", "utf-8")
    conn = open_database(database)
    try:
        book_id = _record(conn, book, "Lyrical Ballads", "William Wordsworth")
        other_id = _record(conn, other, "Emma", "Jane Austen")
        highlights = HighlightRepository(conn)
        analyses = AnalysisRepository(conn)
        first = highlights.add(NewHighlight(book_id, 0, "c0", 19, 56, "Sweet is the lore which Nature brings;",
                                            note="=cmd", section="The Tables Turned"))  # fmt: skip
        analyses.add(NewAnalysis(first.id, "ok", model="claude-test", prompt_version="p1",
                                 tone=RESULT["tone"], result=RESULT, input_tokens=900,
                                 output_tokens=200, cost_usd=0.003))  # fmt: skip
        second = highlights.add(NewHighlight(book_id, 0, "c0", 0, 17, "THE <TABLES> TURNED"))
        analysed = analyses.add(NewAnalysis(second.id, "ok", model="claude-test", result=RESULT))
        CorrectionRepository(conn).add(analysed.id, {**RESULT, "tone": "Playful, 日本"})
        highlights.add(NewHighlight(book_id, 0, "c0", 30, 36, 'Nature, "quoted"'))
        highlights.add(NewHighlight(other_id, 0, "c0", 6, 20, "Emma Woodhouse"))
    finally:
        conn.close()
    return profile, book


@pytest.mark.parametrize(
    ("fmt", "name"),
    [("md", "out.md"), ("html", "out.html"), ("json", "out.json"), ("csv", "out.csv")],
)
def test_a_book_exports_in_every_text_format(
    library: tuple[Path, Path], tmp_path: Path, fmt: str, name: str
) -> None:
    profile, book = library
    out = tmp_path / name
    result = _run(profile, str(book), "--format", fmt, "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"Exported 3 annotations to {out}.\n"
    assert result.stderr == ""
    text = out.read_text("utf-8")
    assert "Emma Woodhouse" not in text  # only this book
    if fmt == "md":
        assert text.startswith('---\ntitle: "Tone Reader — Lyrical Ballads"\n')
        assert "corrected by you" in text
        assert "claude-test" in text
    elif fmt == "html":
        tree = html.document_fromstring(text)
        assert len(tree.findall(".//article")) == 3
        assert "<script" not in text
        assert "&lt;TABLES&gt;" in text
    elif fmt == "json":
        data = json.loads(text)
        assert data["type"] == "AnnotationCollection"
        assert data["total"] == 3
        assert {i["motivation"] for i in data["first"]["items"]} == {"describing", "highlighting"}
    else:
        rows = list(csv.reader(io.StringIO(text, newline="")))
        assert rows[0] == ["Highlight", "Title", "Author", "URL", "Note", "Location", "Date"]
        assert len(rows) == 4
        assert any(r[4].startswith("'=cmd\n\nTone: Harsh and Condemning") for r in rows)
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_anki_keeps_the_analysed_and_says_what_it_left_out(
    library: tuple[Path, Path], tmp_path: Path
) -> None:
    profile, book = library
    out = tmp_path / "deck.apkg"
    result = _run(profile, str(book), "--format", "anki", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        f"Exported 2 annotations to {out}.\n"
        "Left out 1 annotation without a tone analysis: Anki cards need one.\n"
    )
    with zipfile.ZipFile(out) as archive:
        collection = archive.read("collection.anki2")
    conn = sqlite3.connect(":memory:")
    try:
        conn.deserialize(collection)
        fields = [row[0].split("\x1f") for row in conn.execute("SELECT flds FROM notes")]
    finally:
        conn.close()
    assert len(fields) == 2
    assert any("Playful, 日本" in f[1] for f in fields)


def test_all_exports_the_whole_library(library: tuple[Path, Path], tmp_path: Path) -> None:
    profile, _book = library
    out = tmp_path / "all.json"
    result = _run(profile, "--all", "--format", "json", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"Exported 4 annotations to {out}.\n"
    data = json.loads(out.read_text("utf-8"))
    assert data["label"] == "Tone Reader — Library"
    titles = [i["target"]["tone:bookTitle"] for i in data["first"]["items"]]
    assert titles == ["Emma"] + ["Lyrical Ballads"] * 3  # the library sorts books by title


def test_a_book_not_in_the_library_is_bad_input(library: tuple[Path, Path], tmp_path: Path) -> None:
    profile, _book = library
    stranger = tmp_path / "stranger.txt"
    stranger.write_text("Not in the library.\n", "utf-8")
    out = tmp_path / "out.md"
    result = _run(profile, str(stranger), "--format", "md", "-o", str(out))
    assert result.returncode == 2
    assert_one_error_line(result)
    assert "has no annotations in your library" in result.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["--format", "pdf", "-o", "x"],  # unknown format
        ["--format", "md"],  # no output
        ["--format", "md", "-o", "x"],  # neither FILE nor --all
        ["BOOK", "--all", "--format", "md", "-o", "x"],  # both
        ["missing.txt", "--format", "md", "-o", "x"],  # unreadable FILE
        ["BOOK", "--format", "md", "-o", "BOOK"],  # would overwrite the book
    ],
)
def test_bad_input_exits_2_with_one_line(
    library: tuple[Path, Path], tmp_path: Path, args: list[str]
) -> None:
    profile, book = library
    args = [
        str(book) if a == "BOOK" else str(tmp_path / a) if a == "missing.txt" else a for a in args
    ]
    before = book.read_bytes()
    result = _run(profile, *args)
    assert result.returncode == 2
    assert_one_error_line(result)
    assert result.stdout == ""
    assert book.read_bytes() == before


def test_an_empty_library_has_nothing_to_export(tmp_path: Path) -> None:
    result = _run(tmp_path / "fresh", "--all", "--format", "csv", "-o", str(tmp_path / "x.csv"))
    assert result.returncode == 2
    assert_one_error_line(result)
    assert "no annotations" in result.stderr


def test_a_write_failure_exits_1_with_one_line(library: tuple[Path, Path], tmp_path: Path) -> None:
    profile, book = library
    out = tmp_path / "no-such-folder" / "out.md"
    result = _run(profile, str(book), "--format", "md", "-o", str(out))
    assert result.returncode == 1
    assert_one_error_line(result)
    assert "Cannot write" in result.stderr
    assert "No such file or directory" in result.stderr
