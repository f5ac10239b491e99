"""Exports that their consumers read right: Readwise, Anki, YAML front matter, HTML.

Each test reads the export back the way its consumer does (the csv module for Readwise,
the collection's notes table for Anki, PyYAML for the front matter, lxml for the page),
plus the small loader fixes (OEBPS 1.2 metadata, no empty parentheses in messages).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import sqlite3
import zipfile
from typing import TYPE_CHECKING

import pytest
import yaml
from lxml import html

from reader_app.core.errors import BookError
from reader_app.core.exporters import export_anki, export_html, export_markdown
from reader_app.core.exporters.anki import MODEL_TIME, content_time
from reader_app.core.exporters.readwise import LIMIT, defuse, export_readwise_csv
from reader_app.core.loaders import load_book
from tests.core.test_exporters import ANALYSED, ANNOTATIONS, KW, NON_ASCII, _a

if TYPE_CHECKING:
    from pathlib import Path

# --- Readwise: only what a spreadsheet would run is guarded ------------------------------

PLAIN = [
    "--Nay, Traveller! rest. This lonely Yew-tree stands",
    "- Yes, sir, the waters are rising",
    "—So it is.",
    "-dash;=x",
    "'Tis the season",
    "\tIndented verse",
    "-",
]
FORMULAS = [
    '=HYPERLINK("http://evil.example/","click")',
    "+1+1",
    "@SUM(A1:A2)",
    "-2+3+cmd|' /C calc'!A0",
    "-cmd|' /C calc'!A0",
    "-(1)",
    "--1",
    "-.5",
    "\t=1+1",
    "\r@SUM(1)",
]


@pytest.mark.parametrize("cell", PLAIN)
def test_plain_text_is_not_touched(cell: str) -> None:
    assert defuse(cell) == cell


@pytest.mark.parametrize("cell", FORMULAS)
def test_what_a_spreadsheet_would_run_gets_an_apostrophe(cell: str) -> None:
    assert defuse(cell) == "'" + cell


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_readwise_csv_keeps_plain_text_intact() -> None:
    book = ("Lyrical Ballads", ("William Wordsworth",))
    items = [
        _a("b" * 64, book, n + 1, chapter=0, section="", start=n * 100, end=n * 100 + 50,
           quote=quote, note=quote)
        for n, quote in enumerate(PLAIN)
    ]  # fmt: skip
    rows = _rows(export_readwise_csv(items, **KW))
    assert [r["Highlight"] for r in rows] == PLAIN
    assert [r["Note"] for r in rows] == [p.strip() for p in PLAIN]  # notes are trimmed


def test_a_highlight_over_the_limit_is_split_into_marked_parts() -> None:
    sentence = "It is a truth universally acknowledged, that a single man wants a wife. "
    quote = sentence * 300  # 21,600 characters
    long = dataclasses.replace(ANALYSED, quote=quote, note="Long!")
    rows = _rows(export_readwise_csv([long, NON_ASCII], **KW))
    parts = [r for r in rows if r["Title"] == "Lyrical Ballads"]
    assert len(parts) == 3
    assert all(len(r["Highlight"]) <= LIMIT for r in parts)
    assert "".join(r["Highlight"] for r in parts) == quote  # nothing lost, nothing added
    assert all(r["Highlight"].endswith(". ") for r in parts)  # cut after a sentence
    assert [r["Note"][:11] for r in parts] == ["(1/3) Long!", "(2/3) Long!", "(3/3) Long!"]
    assert {(r["Location"], r["Date"]) for r in parts} == {("1", "2024-05-01 12:00:01")}
    assert [r["Highlight"] for r in rows if r["Title"] != "Lyrical Ballads"] == [NON_ASCII.quote]


def test_a_long_string_without_spaces_is_cut_at_the_limit_and_counted_as_utf16() -> None:
    quote = "😀" * 5000  # 10,000 UTF-16 units: a browser counts each emoji twice
    rows = _rows(export_readwise_csv([dataclasses.replace(NON_ASCII, quote=quote)], **KW))
    assert len(rows) == 2
    assert all(len(r["Highlight"].encode("utf-16-le")) // 2 <= LIMIT for r in rows)
    assert "".join(r["Highlight"] for r in rows) == quote


# --- Anki: a note's modification time follows its content ------------------------------


def _notes(package: bytes) -> dict[str, tuple[int, int]]:
    """guid → (note mod, card mod), read from the collection as Anki's importer reads it."""
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        collection = archive.read("collection.anki2")
    conn = sqlite3.connect(":memory:")
    try:
        conn.deserialize(collection)
        rows = conn.execute(
            "SELECT n.guid, n.mod, c.mod FROM notes n JOIN cards c ON c.nid = n.id"
        ).fetchall()
        models = conn.execute("SELECT models FROM col").fetchone()[0]
    finally:
        conn.close()
    assert f'"mod": {MODEL_TIME}' in models
    return {guid: (note, card) for guid, note, card in rows}


def test_exporting_twice_without_a_change_gives_the_same_note_times() -> None:
    first = export_anki(ANNOTATIONS, generated_at="2024-06-01T09:30:00Z", app_version="1")
    later = export_anki(ANNOTATIONS, generated_at="2026-12-03T20:00:00Z", app_version="2")
    assert _notes(first) == _notes(later)
    # Each note carries when its own content last changed, never the export time.
    times = {mod for mod, _card in _notes(first).values()}
    assert times == {content_time(a) for a in ANNOTATIONS if a.analysis is not None}
    assert all(note == card for note, card in _notes(first).values())


def test_a_changed_highlight_alone_gets_a_newer_time() -> None:
    before = _notes(export_anki(ANNOTATIONS, **KW))
    edited = dataclasses.replace(ANALYSED, note="Edited", updated_at="2024-07-01T00:00:00Z")
    changed = [edited if a is ANALYSED else a for a in ANNOTATIONS]
    after = _notes(export_anki(changed, **KW))
    assert before.keys() == after.keys()  # the guid is stable
    newer = [guid for guid in before if after[guid] != before[guid]]
    assert len(newer) == 1
    assert after[newer[0]][0] == 1_719_792_000 > before[newer[0]][0]


def test_a_new_analysis_is_a_change_too() -> None:
    later = dataclasses.replace(
        ANALYSED.provenance, analysed_at="2025-01-01T00:00:00Z"
    )  # newer than the highlight's own times
    reanalysed = dataclasses.replace(ANALYSED, provenance=later)
    assert content_time(reanalysed) == 1_735_689_600 > (content_time(ANALYSED) or 0)


# --- Markdown front matter: any title is valid YAML -------------------------------------

TITLES = [
    "Control\x96char and \ufffe and \uffff",
    "Line\u2028separator and paragraph\u2029separator",
    "Nel\x85 del\x7f bom\ufeff nul\x00 tab\t newline\n",
    'Quotes " and \\ backslash: colon # hash - dash',
    "日本語 « très » 😀",
]


@pytest.mark.parametrize("title", TITLES)
def test_front_matter_reads_back_exactly(title: str) -> None:
    item = dataclasses.replace(NON_ASCII, book_title=title, book_authors=(title,))
    text = export_markdown([item], **KW)
    _, front, _ = text.split("---\n", 2)
    data = yaml.safe_load(front)
    assert data["title"] == f"Tone Reader — {title}"
    assert data["authors"] == [title]
    # Nothing YAML would refuse or reread is written raw.
    assert not any(c in front for c in "\x96\ufffe\u2028\u2029\x85\x7f\ufeff")


# --- HTML: long strings wrap; quotes say their language and direction -------------------


def test_long_strings_wrap() -> None:
    page = export_html(ANNOTATIONS, **KW)
    assert "overflow-wrap: anywhere" in page
    assert "word-break: break-word" in page


@pytest.mark.parametrize(
    ("language", "direction"),
    [("ar", "rtl"), ("he-IL", "rtl"), ("fa", "rtl"), ("ur", "rtl"), ("az-Arab", "rtl"),
     ("en", "auto"), ("ja", "auto"), ("", "auto")],
)  # fmt: skip
def test_quotes_carry_the_books_language_and_direction(language: str, direction: str) -> None:
    item = dataclasses.replace(ANALYSED, book_language=language)
    root = html.fromstring(export_html([item], **KW).encode())
    quote = root.xpath("//blockquote")[0]
    assert (quote.get("lang"), quote.get("dir")) == (language, direction)
    evidence = root.xpath("//ul[@class='evidence']//span")
    assert evidence
    assert all((q.get("lang"), q.get("dir")) == (language, direction) for q in evidence)
    assert root.get("lang") == "en"  # the page's own words stay English


# --- loaders: OEBPS 1.2 metadata, and no "()" in messages -------------------------------

_OEBPS_OPF = """<?xml version="1.0"?>
<package xmlns="http://openebook.org/namespaces/oeb-package/1.0/" unique-identifier="id">
<metadata><dc-metadata xmlns:dc="http://purl.org/dc/elements/1.0/"
  xmlns:oebpackage="http://openebook.org/namespaces/oeb-package/1.0/">
<dc:Title>The Old Manor</dc:Title><dc:Creator role="aut">Ann Radcliffe</dc:Creator>
<dc:Creator role="aut">A. N. Other</dc:Creator><dc:Language>en-GB</dc:Language>
<dc:Identifier id="id">urn:isbn:0000000000</dc:Identifier></dc-metadata></metadata>
<manifest><item id="c1" href="c1.html" media-type="text/x-oeb1-document"/></manifest>
<spine><itemref idref="c1"/></spine></package>"""
_CONTAINER = """<?xml version="1.0"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
<rootfiles><rootfile full-path="{path}" media-type="application/oebps-package+xml"/>
</rootfiles></container>"""
_PAGE = (
    '<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><head><title>t</title>'
    "</head><body><h1>Chapter I</h1><p>A dark and stormy night.</p></body></html>"
)


def _epub(path: Path, rootfile: str) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/container.xml", _CONTAINER.format(path=rootfile))
        z.writestr("OPS/book.opf", _OEBPS_OPF)
        z.writestr("OPS/c1.html", _PAGE)
    return path


def test_oebps_1_2_metadata_is_read(tmp_path: Path) -> None:
    book = load_book(_epub(tmp_path / "old.epub", "OPS/book.opf"))
    assert book.title == "The Old Manor"
    assert book.authors == ("Ann Radcliffe", "A. N. Other")
    assert book.language == "en-GB"
    assert "A dark and stormy night." in book.chapters[0].text


@pytest.mark.parametrize(
    ("rootfile", "expected"),
    [("", "its package document is not named."),
     ("OPS/gone.opf", "its package document (OPS/gone.opf) is missing.")],
)  # fmt: skip
def test_a_missing_package_document_is_named_without_empty_brackets(
    tmp_path: Path, rootfile: str, expected: str
) -> None:
    with pytest.raises(BookError) as caught:
        load_book(_epub(tmp_path / "book.epub", rootfile))
    message = str(caught.value)
    assert message.endswith(expected)
    assert "()" not in message
