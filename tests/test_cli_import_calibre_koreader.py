"""``tone-reader import`` of calibre's annotations export and KOReader's sidecars and JSON."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from reader_app.config.paths import AppPaths
from reader_app.core.importers.koreader import partial_md5
from reader_app.core.importers.lua_table import LuaTableError, parse_lua_table
from reader_app.core.loaders import load_book
from reader_app.storage.books import BookRepository
from reader_app.storage.db import open_database
from tests.cli_run import assert_one_error_line, run_cli

if TYPE_CHECKING:
    import subprocess

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"
PRIDE = REPO.parent / "shared" / "corpus" / "books" / "pride-and-prejudice_pg1342_epub2.epub"
CALIBRE = DATA / "calibre" / "annotations.calibre_annotation_collection.json"
SIDECAR = DATA / "koreader" / "metadata.epub.lua"
# Each highlight of both files: its quote and the spine item (= chapter here) it is in.
EXPECTED = [
    (
        "It is a truth universally acknowledged, that a single man in possession of a good"
        " fortune, must be in want of a wife.",
        0,
    ),
    ("Mr. Collins returned into Hertfordshire soon after it had been quitted by the Gardiners", 5),
    ("Miss Darcy, though with a diffidence which marked", 9),
]


def _run(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(profile, "import", *args)


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    return tmp_path / "profile"


def _add_pride(profile: Path, path: Path = PRIDE) -> str:
    paths = AppPaths.for_profile(profile)
    paths.ensure()
    book = load_book(path)
    conn = open_database(paths.database)
    try:
        BookRepository(conn).record_opened(
            book.book_id, book.path, book.title, book.authors, book.language,
            book.format.value, len(book.chapters), book.char_count,
        )  # fmt: skip
    finally:
        conn.close()
    return book.book_id


def _rows(profile: Path) -> list[sqlite3.Row]:
    conn = sqlite3.connect(AppPaths.for_profile(profile).database)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute("SELECT * FROM highlights ORDER BY id").fetchall()
    finally:
        conn.close()


def _assert_placed(profile: Path, book_id: str, source: str) -> list[sqlite3.Row]:
    book = load_book(PRIDE)
    rows = _rows(profile)
    assert [(r["quote"], r["chapter"]) for r in rows] == EXPECTED
    for row in rows:
        assert row["book_id"] == book_id
        assert row["orphaned"] == 0
        assert row["source"] == source
        text = book.chapters[row["chapter"]].text
        assert text[row["start"] : row["end"]] == row["quote"]
    return rows


def test_calibre_collection_lands_on_its_quotes_and_imports_once(profile: Path) -> None:
    book_id = _add_pride(profile)
    result = _run(profile, str(CALIBRE))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Imported 3 annotations (0 orphaned, 0 duplicates skipped).\n"
    assert result.stderr == ""
    rows = _assert_placed(profile, book_id, "calibre")
    assert rows[1]["note"] == "He comes back for Charlotte."
    assert rows[1]["color"] == "green"
    assert rows[0]["created_at"] == "2022-01-14T16:25:24.700Z"
    again = _run(profile, str(CALIBRE))
    assert again.returncode == 0, again.stderr
    assert again.stdout == "Imported 0 annotations (0 orphaned, 3 duplicates skipped).\n"
    assert len(_rows(profile)) == 3


def test_koreader_sidecar_lands_on_its_quotes_and_imports_once(profile: Path) -> None:
    book_id = _add_pride(profile)
    result = _run(profile, str(SIDECAR))
    assert result.returncode == 0, result.stderr
    # Four entries: three highlights and a bookmark, which carries no text.
    assert result.stdout == "Imported 3 annotations (0 orphaned, 0 duplicates skipped).\n"
    rows = _assert_placed(profile, book_id, "koreader")
    assert rows[1]["note"] == 'He comes back\nfor "Charlotte".'
    assert rows[1]["section"]
    assert rows[0]["created_at"] == "2024-05-01T12:00:00"
    again = _run(profile, str(SIDECAR))
    assert again.stdout == "Imported 0 annotations (0 orphaned, 3 duplicates skipped).\n"


def test_koreader_sidecar_finds_its_book_by_hash_alone(profile: Path, tmp_path: Path) -> None:
    book_id = _add_pride(profile)
    renamed = tmp_path / "metadata.epub.lua"
    text = SIDECAR.read_text("utf-8").replace('"Pride and Prejudice"', '"pg1342"')
    renamed.write_text(text.replace('"Jane Austen"', '"Unknown"'), "utf-8")
    result = _run(profile, str(renamed))
    assert result.returncode == 0, result.stderr
    _assert_placed(profile, book_id, "koreader")


def test_koreader_sidecar_of_an_unknown_book_is_kept_for_it(profile: Path) -> None:
    result = _run(profile, str(SIDECAR))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Imported 3 annotations (3 orphaned, 0 duplicates skipped).\n"
    conn = sqlite3.connect(AppPaths.for_profile(profile).database)
    try:
        titles = conn.execute("SELECT title, placeholder FROM books").fetchall()
    finally:
        conn.close()
    assert titles == [("Pride and Prejudice", 1)]


def test_koreader_json_export(profile: Path, tmp_path: Path) -> None:
    book_id = _add_pride(profile)
    export = {
        "title": "Pride and Prejudice",
        "author": "Jane Austen",
        "file": "/mnt/onboard/pride.epub",
        "number_of_pages": 418,
        "created_on": 1714564800,
        "version": "koreader",
        "entries": [
            {"sort": "highlight", "page": 5 + n, "time": 1714564800 + n, "text": quote,
             "chapter": f"Chapter {n}", "drawer": "lighten", "color": "yellow",
             "pn_xp": f"/body/DocFragment[{spine + 1}]/body/p[1]/text().0"}
            for n, (quote, spine) in enumerate(EXPECTED)
        ] + [{"sort": "highlight", "page": 9, "time": 1714564900, "chapter": "x"}],
    }  # fmt: skip
    path = tmp_path / "Pride and Prejudice.json"
    path.write_text(json.dumps(export), "utf-8")
    result = _run(profile, str(path))
    assert result.returncode == 2
    assert result.stdout == "Imported 3 annotations (0 orphaned, 0 duplicates skipped).\n"
    assert result.stderr == "Pride and Prejudice.json: entry 4: it has neither text nor a note\n"
    rows = _assert_placed(profile, book_id, "koreader")
    assert rows[0]["created_at"] == "2024-05-01T12:00:00.000Z"


@pytest.mark.parametrize(
    ("lua", "message"),
    [
        ('return { ["a"] = os.execute("rm -rf /") }', "'os' is not a value KOReader writes"),
        ('return { ["a"] = "unterminated }', "a string is not closed (line 1)"),
        ("return " + "{" * 5000 + "}" * 5000, "nested more than 64 deep"),
        ('return { ["a"] = 1 } os.exit()', "something follows the table"),
        ('return { ["a"] = (function() end)() }', "'(' is not a value KOReader writes"),
        ('return { ["doc_props"] = {} .. "x" }', "followed by something other than"),
        ("return { [1] = " + "9" * 5000 + " }", "a number is longer than any"),
        ('return { ["a"] = "x\\q" }', "unknown escape"),
    ],
)
def test_hostile_lua_is_refused_with_one_line(
    profile: Path, tmp_path: Path, lua: str, message: str
) -> None:
    path = tmp_path / "metadata.epub.lua"
    path.write_text(lua, "utf-8")
    result = _run(profile, str(path))
    assert result.returncode == 2
    assert_one_error_line(result)
    assert "is not a KOReader sidecar Tone Reader reads" in result.stderr
    assert message in result.stderr
    assert not AppPaths.for_profile(profile).database.exists() or _rows(profile) == []


def test_lua_subset() -> None:
    table = parse_lua_table(
        '-- comment\nreturn {\n  ["s"] = "a\\tb\\65\\u{263A}\\\nc", [2] = -1.5e2,'
        " [3] = 0x1F, ['t'] = { true, false, nil, [[long]] }, plain = 'x', --[[ c ]]\n}"
    )
    assert table == {
        "s": "a\tbA\u263a\nc",
        2: -150.0,
        3: 31,
        "t": {1: True, 2: False, 3: None, 4: "long"},
        "plain": "x",
    }
    # KOReader's %q writes bytes of UTF-8 as decimal escapes, and a line break as "\" + newline.
    assert parse_lua_table('return { "a\\226\\128\\148b\\\r\nc" }') == {1: "a\u2014b\nc"}
    with pytest.raises(LuaTableError, match="line 2"):
        parse_lua_table('return {\n ["a"] = print }')


def test_partial_md5_samples_as_koreader_does(tmp_path: Path) -> None:
    data = bytes(range(256)) * 80  # 20,480 bytes: samples at 0, 1 KiB, 4 KiB and 16 KiB
    path = tmp_path / "book.epub"
    path.write_bytes(data)
    samples = data[0:1024] + data[1024:2048] + data[4096:5120] + data[16384:17408]
    assert partial_md5(path) == hashlib.md5(samples, usedforsecurity=False).hexdigest()
    assert partial_md5(PRIDE) == "9dbd4ae445f761b0eaea8aa0ed637501"


def test_koreader_markdown_export_has_koreaders_layout(profile: Path, tmp_path: Path) -> None:
    _add_pride(profile)
    assert _run(profile, str(SIDECAR)).returncode == 0
    out = tmp_path / "highlights.md"
    result = run_cli(profile, "export", "--all", "--format", "koreader", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"Exported 3 annotations to {out}.\n"
    text = out.read_text("utf-8")
    body, generated = text.rsplit("\n_Generated at: ", 1)
    assert re.fullmatch(r"\d\d [A-Z][a-z]+ \d{4} \d\d:\d\d:\d\d [AP]M_\n", generated)
    assert body == (
        "# Pride and Prejudice\n"
        "##### Jane Austen\n"
        "\n"
        "## Chapter 1\n"
        "### Page 1 @ 01 May 2024 12:00:00 PM\n"
        f"*{EXPECTED[0][0]}*\n"
        "\n"
        "## Chapter 26\n"
        "### Page 6 @ 02 May 2024 09:15:03 PM\n"
        f"*{EXPECTED[1][0]}*\n"
        "\n"
        "---\n"
        "He comes back\n"
        'for "Charlotte".\n'
        "\n"
        "## Chapter 44\n"
        "### Page 10 @ 04 May 2024 07:31:40 AM\n"
        f"*{EXPECTED[2][0]}*\n"
    )


def test_koreader_markdown_escapes_book_text_and_carries_the_tone() -> None:
    from reader_app.core.annotations import Annotation
    from reader_app.core.exporters import EXPORTERS

    analysed = Annotation(
        1, "b", "A *Title*", ("Ann", "Bo"), 2, "", 0, 5, "**bold** #tag\nsecond",
        note="Mine.", created_at="2024-01-02T00:05:06.000Z",
        analysis={"tone": "Wry", "polarity": "negative", "emotions": [],
                  "explanation": "Dry."},
    )  # fmt: skip
    text = EXPORTERS["koreader"].export(
        [analysed], generated_at="2026-12-01T13:00:00Z", app_version="0"
    )
    assert text == (
        "# A \\*Title\\*\n##### Ann, Bo\n\n## Chapter 3\n"
        "### Page 3 @ 02 January 2024 12:05:06 AM\n"
        "*\\*\\*bold\\*\\* \\#tag*\n*second*\n\n---\nMine.\nTone: Wry — Dry.\n\n"
        "_Generated at: 01 December 2026 01:00:00 PM_\n"
    )


def test_spine_index_names_the_first_part_of_a_split_spine_item() -> None:
    from reader_app.core.book import Book, BookFormat, Chapter
    from reader_app.usecases.importing import spine_chapter

    keys = ["cover.xhtml", "long.xhtml", "long.xhtml", "long.xhtml", "end.xhtml"]
    chapters = tuple(Chapter(f"c{n}", "", f"text {n}", key=k) for n, k in enumerate(keys))
    book = Book("x", "", "T", (), "", next(iter(BookFormat)), chapters, ())
    assert [spine_chapter(book, spine) for spine in range(4)] == [0, 1, 4, 3]


def test_koreader_sidecar_before_2024_highlights_by_page_notes_in_bookmarks(profile: Path) -> None:
    book_id = _add_pride(profile)
    result = _run(profile, str(DATA / "koreader" / "2023" / "metadata.epub.lua"))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Imported 3 annotations (0 orphaned, 0 duplicates skipped).\n"
    rows = _assert_placed(profile, book_id, "koreader")
    # Only the reader's own note; KOReader's "Page 5 <text> @ <time>" is no note.
    assert [r["note"] for r in rows] == ["", "He comes back for Charlotte.", ""]


def test_calibres_copy_inside_the_epub_imports_too(profile: Path, tmp_path: Path) -> None:
    import base64

    book_id = _add_pride(profile)
    entries = json.loads(CALIBRE.read_text("utf-8"))["annotations"]
    payload = base64.b64encode(json.dumps(entries).encode()).decode()
    path = tmp_path / "calibre_bookmarks.txt"
    lines = [payload[i : i + 76] for i in range(0, len(payload), 76)]
    path.write_text("encoding=json+base64:\n" + "\n".join(lines), "utf-8")
    result = _run(profile, str(path))
    assert result.returncode == 0, result.stderr
    _assert_placed(profile, book_id, "calibre")
    path.write_text("encoding=json+base64:\n!!!not base64", "utf-8")
    broken = _run(profile, str(path))
    assert broken.returncode == 2
    assert_one_error_line(broken)
    assert "its base64 annotations are damaged" in broken.stderr


def test_a_calibre_file_named_after_no_book_is_matched_by_its_quotes(
    profile: Path, tmp_path: Path
) -> None:
    book_id = _add_pride(profile)
    path = tmp_path / "Reading notes - Someone.json"
    path.write_bytes(CALIBRE.read_bytes())
    result = _run(profile, str(path))
    assert result.returncode == 0, result.stderr
    _assert_placed(profile, book_id, "calibre")
