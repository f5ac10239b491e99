"""Every exporter against golden files, plus the properties each format promises.

The goldens in tests/golden/ are built from ``ANNOTATIONS``: two books, analysed and not,
corrected (fully and partly), with and without notes, an orphan, book text with
``<script>``, commas, quotes, line breaks, Markdown specials, formula-like cells, and
non-ASCII text. After an intended change, regenerate them and review the diff::

    TONE_READER_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/core/test_exporters.py
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
import re
import sqlite3
import stat
import zipfile
from pathlib import Path
from typing import Any

import pytest
from lxml import etree, html

from reader_app.core.annotations import Annotation, Provenance
from reader_app.core.exporters import (
    EXPORTERS,
    ExportError,
    anki_card_count,
    export_anki,
    export_html,
    export_markdown,
    export_readwise_csv,
    export_w3c,
    exported_count,
    write_export,
)
from reader_app.core.exporters.anki import FIELDS
from reader_app.core.exporters.markdown import escape
from reader_app.core.exporters.w3c import book_id_from_source, book_source

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
UPDATE = os.environ.get("TONE_READER_UPDATE_GOLDEN") == "1"
GENERATED_AT = "2024-06-01T09:30:00Z"
VERSION = "0.1.0"
KW = {"generated_at": GENERATED_AT, "app_version": VERSION}

BOOK_A = "3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b"
BOOK_B = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
BALLADS = ("Lyrical Ballads", ("William Wordsworth", "Samuel Taylor Coleridge"))
MISERABLES = ("Les Misérables", ("Victor Hugo",))

PROV = Provenance(
    model="claude-haiku-4-5",
    prompt_version="p-3f2a9c",
    analysed_at="2024-05-02T08:15:00.000Z",
    input_tokens=1200,
    output_tokens=310,
    cost_usd=0.0042,
)


def _a(book: str, meta: tuple[str, tuple[str, ...]], hid: int, **kw: Any) -> Annotation:
    defaults: dict[str, Any] = {
        "highlight_id": hid,
        "book_id": book,
        "book_title": meta[0],
        "book_authors": meta[1],
        "created_at": f"2024-05-01T12:00:{hid:02d}.000Z",
        "updated_at": f"2024-05-03T10:00:{hid:02d}.000Z",
    }
    return Annotation(**{**defaults, **kw})


ANALYSED = _a(
    BOOK_A, BALLADS, 1, chapter=2, section="The Tables Turned", start=400, end=520,
    quote="Sweet is the lore which Nature brings;\nOur meddling intellect\n"
          "Mis-shapes the beauteous forms of things:—\nWe murder to dissect.",
    prefix="Let Nature be your teacher.\n\n", suffix="\n\nEnough of Science and of Art;",
    color="purple", note="Compare with Blake's *Songs*, 1794.",
    analysis={
        "tone": "Harsh and Condemning", "polarity": "negative",
        "emotions": [{"name": "disgust", "intensity": 0.7}, {"name": "anger", "intensity": 0.4}],
        "evidence": [{"quote": "We murder to dissect", "why": "calls analysis a killing"},
                     {"quote": "meddling", "why": "a scornful word for the intellect"}],
        "explanation": "The speaker condemns cold reasoning: it kills what it studies.",
        "confidence": 0.86,
    },
    provenance=PROV,
)  # fmt: skip
NOT_ANALYSED = _a(
    BOOK_A, BALLADS, 2, chapter=2, section="The Tables Turned", start=10, end=90,
    quote='Up! up! my Friend, and quit your books,\nOr surely you\'ll grow double: "Why"?',
    suffix=" Up! up!",
)  # fmt: skip
CORRECTED = _a(
    BOOK_A, BALLADS, 3, chapter=0, section="Advertisement", start=5, end=70,
    quote='<script>alert("x")</script> & the readers, 1 < 2 > 0 &amp; more',
    prefix="The majority of the following poems: ", suffix=" are to be considered",
    analysis={
        "tone": "Mock-Serious", "polarity": "mixed",
        "emotions": [{"name": "surprise", "intensity": 0.5}],
        "evidence": [], "explanation": "Playful, not alarmed.", "confidence": 0.6,
    },
    provenance=dataclasses.replace(PROV, corrected=True),
)  # fmt: skip
PARTLY_CORRECTED = _a(
    BOOK_A, BALLADS, 4, chapter=3, section="", start=0, end=38,
    quote="- Yes, sir, the waters are rising; # 5",
    note="=HYPERLINK(\"x\", \"click\")",
    analysis={"tone": "Urgent", "polarity": "negative"},
    provenance=dataclasses.replace(PROV, model="claude-sonnet-4-5", prompt_version="p-77e1",
                                   input_tokens=0, output_tokens=0, cost_usd=0.0,
                                   corrected=True),
)  # fmt: skip
ORPHAN = _a(
    BOOK_A, BALLADS, 5, chapter=1, section="Tintern Abbey", start=900, end=960,
    quote="+ that best portion of a good man's life", orphaned=True, color="blue",
    note="@mention the line numbers\nsecond line, with \"quotes\"",
    analysis={
        "tone": "Tender and Reflective", "polarity": "positive",
        "emotions": [{"name": "trust", "intensity": 0.6}, {"name": "joy", "intensity": 0.3},
                     {"name": "sadness", "intensity": 0.15}],
        "evidence": [{"quote": "best portion", "why": "values small kindnesses"}],
        "explanation": "Warm praise of quiet goodness.\nIt sounds grateful.",
        "confidence": 0.7,
    },
    provenance=PROV,
)  # fmt: skip
NON_ASCII = _a(
    BOOK_B, MISERABLES, 6, chapter=1, section="Tome I — Fantine", start=200, end=260,
    quote="Il était une fois… 日本の夜, « très » calme.", color="blue",
    note="Très beau — 日本語のメモ",
    analysis={
        "tone": "Wistful, Quiet", "polarity": "neutral",
        "emotions": [{"name": "sadness", "intensity": 0.55}],
        "evidence": [{"quote": "calme", "why": "le calme du soir"}],
        "explanation": "Une voix douce et lente.", "confidence": 0.5,
    },
    provenance=dataclasses.replace(PROV, analysed_at="2024-05-04T07:00:00.000Z"),
)  # fmt: skip
SPECIALS = _a(
    BOOK_B, MISERABLES, 7, chapter=1, section="Tome I — Fantine", start=20, end=80,
    quote="**Bold** [link](x) #tag $x$ ==hi== `code` | pipe ~~s~~ _u_ \\ back\n1. first",
    note="see [[Wiki]] %%hidden%%",
)  # fmt: skip

# Out of reading order and with the books interleaved on purpose: exporters sort.
ANNOTATIONS = (ANALYSED, NON_ASCII, CORRECTED, NOT_ANALYSED, SPECIALS, ORPHAN, PARTLY_CORRECTED)


def _golden(name: str, data: bytes) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_bytes(data)
    assert path.is_file(), f"{path} is missing: run with TONE_READER_UPDATE_GOLDEN=1"
    expected = path.read_bytes()
    # Compare as text first so a failure shows a readable diff.
    assert data.decode("utf-8") == expected.decode("utf-8")
    assert data == expected


def _anki_cards(package: bytes) -> dict[str, Any]:
    """What an .apkg holds, read back as Anki would: decks, the note type, and the notes."""
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        assert sorted(archive.namelist()) == ["collection.anki2", "media"]
        assert json.loads(archive.read("media")) == {}
        collection = archive.read("collection.anki2")
    conn = sqlite3.connect(":memory:")
    try:
        conn.deserialize(collection)
        decks_json, models_json = conn.execute("SELECT decks, models FROM col").fetchone()
        decks = {d["name"]: d["id"] for d in json.loads(decks_json).values()}
        models = [
            {
                "id": m["id"],
                "name": m["name"],
                "fields": [f["name"] for f in m["flds"]],
                "templates": [{"qfmt": t["qfmt"], "afmt": t["afmt"]} for t in m["tmpls"]],
            }
            for m in json.loads(models_json).values()
        ]
        field_names = models[0]["fields"]
        notes = [
            {
                "guid": guid,
                "tags": tags.split(),
                "fields": dict(zip(field_names, flds.split("\x1f"), strict=True)),
            }
            for guid, tags, flds in conn.execute("SELECT guid, tags, flds FROM notes ORDER BY id")
        ]
        card_decks = {d for (d,) in conn.execute("SELECT DISTINCT did FROM cards")}
        card_count = conn.execute("SELECT COUNT(*) FROM cards").fetchone()[0]
    finally:
        conn.close()
    return {"decks": decks, "models": models, "card_decks": sorted(card_decks),
            "card_count": card_count, "notes": notes}  # fmt: skip


# --- golden files ------------------------------------------------------------------------


def test_markdown_matches_golden() -> None:
    _golden("export.md", export_markdown(ANNOTATIONS, **KW).encode())


def test_html_matches_golden() -> None:
    _golden("export.html", export_html(ANNOTATIONS, **KW).encode())


def test_w3c_json_matches_golden() -> None:
    _golden("export.json", export_w3c(ANNOTATIONS, **KW).encode())


def test_readwise_csv_matches_golden() -> None:
    _golden("export.csv", export_readwise_csv(ANNOTATIONS, **KW).encode())


def test_anki_cards_match_golden() -> None:
    cards = _anki_cards(export_anki(ANNOTATIONS, **KW))
    text = json.dumps(cards, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    _golden("anki_cards.json", text.encode())


@pytest.mark.parametrize("key", sorted(EXPORTERS))
def test_every_export_is_deterministic_and_ignores_input_order(key: str) -> None:
    export = EXPORTERS[key].export
    first = export(ANNOTATIONS, **KW)
    assert export(ANNOTATIONS, **KW) == first
    assert export(tuple(reversed(ANNOTATIONS)), **KW) == first


@pytest.mark.parametrize("key", sorted(EXPORTERS))
def test_every_export_handles_no_annotations(key: str) -> None:
    assert EXPORTERS[key].export((), **KW)


def test_registry_names_and_suffixes() -> None:
    assert {k: f.suffix for k, f in EXPORTERS.items()} == {
        "md": ".md", "html": ".html", "json": ".json", "csv": ".csv", "anki": ".apkg",
        "koreader": ".md",
    }  # fmt: skip
    assert exported_count("md", ANNOTATIONS) == len(ANNOTATIONS)
    assert exported_count("anki", ANNOTATIONS) == anki_card_count(ANNOTATIONS) == 5


# --- Markdown ----------------------------------------------------------------------------


def test_markdown_front_matter_and_structure() -> None:
    text = export_markdown(ANNOTATIONS, **KW)
    front, body = text.split("\n---\n", 1)
    assert front.startswith('---\ntitle: "Tone Reader — Library"\n')
    assert f'exported: "{GENERATED_AT}"' in front
    assert 'app_version: "0.1.0"' in front
    assert '  - "tone-reader"' in front
    headings = [line for line in body.splitlines() if line.startswith("#")]
    assert headings == [
        "# Lyrical Ballads", "## Advertisement", "## The Tables Turned", "## Chapter 4",
        "## Not found in the current text", "# Les Misérables", "## Tome I — Fantine",
    ]  # fmt: skip
    assert "corrected by you" in body
    assert "claude-haiku-4-5 · prompt p-3f2a9c · analysed 2024-05-02 08:15 UTC" in body


def test_markdown_escapes_book_text() -> None:
    assert escape("<script>") == "\\<script\\>"
    assert escape("#tag $x$ ==hi== %%c%%") == "\\#tag \\$x\\$ \\=\\=hi\\=\\= \\%\\%c\\%\\%"
    assert escape("- item\n+ more\n12. twelve\n=") == "\\- item\n\\+ more\n12\\. twelve\n\\="
    assert escape("a &amp; b & c") == "a \\&amp; b & c"
    text = export_markdown([CORRECTED], **KW)
    assert "<script>" not in text


# --- HTML --------------------------------------------------------------------------------


def test_html_is_safe_and_self_contained() -> None:
    page = export_html(ANNOTATIONS, **KW)
    lowered = page.lower()
    assert "<script" not in lowered
    assert "&lt;script&gt;" in page  # the quote is there, as text
    assert "<link" not in lowered
    assert "@import" not in lowered
    assert "url(" not in lowered
    assert not re.search(r"""(src|href)\s*=""", lowered)
    assert "http://" not in lowered
    assert "https://" not in lowered


def test_html_is_well_formed() -> None:
    page = export_html(ANNOTATIONS, **KW)
    tree = html.document_fromstring(page)
    assert tree.findtext(".//title") == "Tone Reader — Library"
    assert len(tree.findall(".//article")) == len(ANNOTATIONS)
    assert not tree.findall(".//script")
    # Stricter than browsers: every element is closed, every entity is defined.
    root = etree.fromstring(page.encode(), etree.XMLParser(resolve_entities=False, no_network=True))
    assert root.tag == "html"


def test_html_shows_plutchik_swatches_and_print_css() -> None:
    page = export_html([ANALYSED], **KW)
    assert "background-color: #8e44ad" in page  # disgust
    assert "background-color: #d32f2f" in page  # anger
    assert "@media print" in page
    assert "Lyrical Ballads" in page
    assert "Tone Reader — Lyrical Ballads" in page


# --- W3C JSON ----------------------------------------------------------------------------


def test_w3c_collection_structure() -> None:
    data = json.loads(export_w3c(ANNOTATIONS, **KW))
    assert data["@context"][0] == "http://www.w3.org/ns/anno.jsonld"
    assert data["type"] == "AnnotationCollection"
    assert data["total"] == len(ANNOTATIONS)
    page = data["first"]
    assert page["type"] == "AnnotationPage"
    items = page["items"]
    assert len(items) == data["total"]
    ids = [item["id"] for item in items]
    assert len(set(ids)) == len(ids)
    for item in items:
        assert "@context" not in item  # the collection's applies
        assert item["type"] == "Annotation"
        assert item["id"].startswith("urn:tone-reader:highlight:")
        target = item["target"]
        kinds = [s["type"] for s in target["selector"]]
        quote = target["selector"][0]
        assert quote["exact"]
        assert {"prefix", "suffix"} <= quote.keys()
        if target["tone:orphaned"]:
            # The quote is not where it was: its last place is a hint, not a selector.
            assert kinds == ["TextQuoteSelector"]
            position = target["tone:lastSeen"]
        else:
            assert kinds == ["TextQuoteSelector", "TextPositionSelector"]
            position = target["selector"][1]
        assert 0 <= position["start"] <= position["end"]
        assert isinstance(target["tone:chapter"], int)
        analysed = "tone:provenance" in item
        assert item["motivation"] == ("describing" if analysed else "highlighting")
        purposes = [b["purpose"] for b in item.get("body", [])]
        assert purposes.count("describing") == int(analysed)
    by_quote = {item["target"]["selector"][0]["exact"]: item for item in items}
    noted = by_quote[ANALYSED.quote]
    bodies = {b["purpose"]: b for b in noted["body"]}
    assert bodies["commenting"]["value"] == ANALYSED.note
    assert bodies["describing"]["tone:analysis"] == ANALYSED.analysis
    tags = [b["value"] for b in noted["body"] if b["purpose"] == "tagging"]
    assert tags == ["disgust", "anger"]
    assert noted["tone:provenance"]["corrected"] is False
    assert by_quote[CORRECTED.quote]["tone:provenance"]["corrected"] is True
    # The positions count in the chapter's text: the source names that chapter.
    assert noted["target"]["source"] == f"urn:sha256:{BOOK_A}#chapter={ANALYSED.chapter}"
    assert noted["target"]["type"] == "SpecificResource"


def test_w3c_ids_survive_renumbering_and_reanchoring() -> None:
    moved = dataclasses.replace(ANALYSED, highlight_id=99, chapter=3, start=1, end=121)
    first = json.loads(export_w3c([ANALYSED], **KW))["first"]["items"][0]["id"]
    again = json.loads(export_w3c([moved], **KW))["first"]["items"][0]["id"]
    assert first == again


def test_w3c_placeholder_books_keep_their_id() -> None:
    assert book_source(BOOK_A) == f"urn:sha256:{BOOK_A}"
    assert book_id_from_source(book_source(BOOK_A)) == BOOK_A
    # "import:" is no registered scheme: a placeholder's id travels as a URN and back.
    assert book_source("import:kindle:Emma") == "urn:tone-reader:book:import%3Akindle%3AEmma"
    assert book_id_from_source(book_source("import:kindle:Emma")) == "import:kindle:Emma"
    assert book_id_from_source("import:kindle:Emma") == "import:kindle:Emma"  # older exports
    placeholder = dataclasses.replace(NOT_ANALYSED, book_id="import:kindle:Emma")
    item = json.loads(export_w3c([placeholder], **KW))["first"]["items"][0]
    assert item["target"]["source"] == "urn:tone-reader:book:import%3Akindle%3AEmma"


def test_w3c_layout_cannot_be_confused_by_book_text() -> None:
    tricky = dataclasses.replace(
        NOT_ANALYSED, book_title='Trap "items": [] book', quote='"items": []', note="items"
    )
    data = json.loads(export_w3c([tricky, ANALYSED], **KW))
    assert data["label"] == 'Tone Reader — Trap "items": [] book'
    assert [i["target"]["selector"][0]["exact"] for i in data["first"]["items"]] == [
        '"items": []',
        ANALYSED.quote,
    ]


# --- Readwise CSV ------------------------------------------------------------------------


def test_readwise_csv_parses_back() -> None:
    text = export_readwise_csv(ANNOTATIONS, **KW)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == ["Highlight", "Title", "Author", "URL", "Note", "Location", "Date"]
    body = rows[1:]
    assert len(body) == len(ANNOTATIONS)
    by_quote = {row[0]: row for row in body}
    row = by_quote[NOT_ANALYSED.quote]  # commas, quotes and a line break survive
    assert row[1:4] == ["Lyrical Ballads", "William Wordsworth, Samuel Taylor Coleridge", ""]
    assert row[5] == "2"
    assert row[6] == "2024-05-01 12:00:02"
    note = by_quote[ANALYSED.quote][4]
    assert note.startswith("Compare with Blake's *Songs*, 1794.\n\nTone: Harsh and Condemning"
                           " (disgust 70%, anger 40%) — The speaker condemns")  # fmt: skip
    assert [r[5] for r in body if r[1] == "Lyrical Ballads"] == ["1", "2", "3", "4", "5"]
    assert by_quote[NON_ASCII.quote][4].startswith("Très beau — 日本語のメモ")


def test_readwise_csv_defuses_formulas() -> None:
    rows = list(csv.reader(io.StringIO(export_readwise_csv(ANNOTATIONS, **KW), newline="")))
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "@")), cell
    notes = [row[4] for row in rows]
    assert '\'=HYPERLINK("x", "click")' in "\n".join(notes)
    assert "'+ that best portion of a good man's life" in [row[0] for row in rows]
    # A dash opening dialogue is no formula: it stays as the book has it.
    assert "- Yes, sir, the waters are rising; # 5" in [row[0] for row in rows]


# --- Anki --------------------------------------------------------------------------------


def test_anki_package_holds_the_analysed_annotations() -> None:
    cards = _anki_cards(export_anki(ANNOTATIONS, **KW))
    assert set(cards["decks"]) == {"Default", "Tone Reader — Library"}  # Default is Anki's
    assert cards["models"][0]["fields"] == list(FIELDS)
    assert "How does this sound?" in cards["models"][0]["templates"][0]["qfmt"]
    assert cards["card_count"] == len(cards["notes"]) == anki_card_count(ANNOTATIONS)
    assert cards["card_decks"] == [cards["decks"]["Tone Reader — Library"]]
    excerpts = [n["fields"]["Excerpt"] for n in cards["notes"]]
    assert '&lt;script&gt;alert("x")&lt;/script&gt; &amp; the readers' in excerpts[0]
    assert all("<script" not in e for e in excerpts)
    assert len({n["guid"] for n in cards["notes"]}) == len(cards["notes"])


def test_anki_ids_are_stable_across_exports() -> None:
    first = _anki_cards(export_anki([ANALYSED, NOT_ANALYSED], **KW))
    later = _anki_cards(
        export_anki(
            [dataclasses.replace(ANALYSED, highlight_id=42)],
            generated_at="2025-01-01T00:00:00Z",
            app_version="9",
        )
    )
    assert first["decks"] == later["decks"]
    assert first["models"][0]["id"] == later["models"][0]["id"]
    assert [n["guid"] for n in first["notes"]] == [n["guid"] for n in later["notes"]]


def test_anki_export_is_byte_identical_for_the_same_input() -> None:
    assert export_anki(ANNOTATIONS, **KW) == export_anki(ANNOTATIONS, **KW)


# --- atomic write ------------------------------------------------------------------------


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_write_export_writes_text_and_bytes_exactly(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    write_export(target, "a\r\nb\n")
    assert target.read_bytes() == b"a\r\nb\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    write_export(target, b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"
    assert _leftovers(tmp_path) == []


def test_a_failed_replace_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.md"
    target.write_text("old export", encoding="utf-8")

    def full_disk(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(ExportError) as caught:
        write_export(target, "new export")
    assert str(caught.value) == f"Cannot write “{target}”: No space left on device."
    assert "\n" not in str(caught.value)
    assert target.read_text(encoding="utf-8") == "old export"
    assert _leftovers(tmp_path) == []


def test_a_failed_write_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out.html"
    target.write_text("old", encoding="utf-8")

    def failing_fsync(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(ExportError, match="Input/output error"):
        write_export(target, "new")
    assert target.read_text(encoding="utf-8") == "old"
    assert _leftovers(tmp_path) == []


def test_a_missing_folder_is_an_export_error(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="No such file or directory"):
        write_export(tmp_path / "missing" / "out.json", "{}")


def test_a_folder_nobody_may_write_is_an_export_error() -> None:
    # /sys refuses new files even to root, so this runs the same for every user.
    with pytest.raises(ExportError, match="Permission denied"):
        write_export(Path("/sys/tone-reader-export.md"), "new")
