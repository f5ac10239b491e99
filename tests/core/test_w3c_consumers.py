"""The W3C export as other consumers read it, on real books of the corpus.

Highlights of Moby-Dick (EPUB 3), Pride and Prejudice (plain text) and a book known only
by its title are exported, then:

- every annotation is checked against the W3C web-annotation-tests JSON schemas
  (``tests/data/w3c/schemas``, see the README there) with ``jsonschema``, formats included;
- the collection is expanded by ``pyld`` under JSON-LD 1.0 and 1.1, with the published
  ``anno.jsonld`` context served from disk (nothing is fetched);
- each target's source is resolved back to the loaded book's chapter, where the position
  selector and the quote selector must select the same text, and the EPUB CFI's spine
  step must name the same document in the book's own package;
- the file is imported into another library and exported again, unchanged.
"""

from __future__ import annotations

import json
import posixpath
import sqlite3
import urllib.parse
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from jsonschema import Draft4Validator
from lxml import etree
from pyld import jsonld
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from reader_app.core.exporters.w3c import EPUB_CFI, export_w3c
from reader_app.core.loaders import load_book
from reader_app.storage.annotations import AnnotationQuery
from reader_app.storage.books import BookRepository
from reader_app.storage.db import open_database
from reader_app.storage.highlights import HighlightRepository
from reader_app.usecases.highlights import highlight_selection
from reader_app.usecases.importing import import_file

if TYPE_CHECKING:
    from reader_app.core.book import Book

BOOKS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "books"
MOBY = BOOKS / "moby-dick_idpf_epub3.epub"
PRIDE = BOOKS / "pride-and-prejudice_pg1342_utf8-bom.txt"
W3C_DATA = Path(__file__).resolve().parents[1] / "data" / "w3c"
ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
# The MUST assertions of the test suite that our annotations' keys reach.
ASSERTIONS = (
    "3.1-annotationContextValidated.json",
    "3.1-annotationIdValidated.json",
    "3.1-annotationTypeValidated.json",
    "3.1-targetKeyFound.json",
    "3.2-targetObjectsRecognized.json",
    "3.2-bodyObjectsRecognized.json",
    "3.2.5-notBodyBodyValue.json",
    "3.3.1-annotationCreatedValidated.json",
)
TITLE_ONLY = {
    "type": "Annotation",
    "id": "urn:example:good-omens:1",
    "created": "2020-02-02T10:00:00Z",
    "body": {"type": "TextualBody", "purpose": "commenting", "value": "Read it again."},
    "target": {
        "tone:bookTitle": "Good Omens",
        "tone:bookAuthors": ["Terry Pratchett", "Neil Gaiman"],
        "selector": {"type": "TextQuoteSelector", "exact": "Not a lot of people know that."},
    },
}


@pytest.fixture(scope="module")
def moby() -> Book:
    return load_book(MOBY)


@pytest.fixture(scope="module")
def pride() -> Book:
    return load_book(PRIDE)


def _record(conn: sqlite3.Connection, book: Book) -> None:
    BookRepository(conn).record_opened(
        book.book_id, str(book.path), book.title, book.authors, book.language,
        book.format.value, len(book.chapters), book.char_count,
    )  # fmt: skip


def _highlight_spread(conn: sqlite3.Connection, book: Book, first: str) -> int:
    """The ``first`` words, and a passage in the middle of every 12th chapter with text."""
    repo = HighlightRepository(conn)
    made = 0
    for index, chapter in enumerate(book.chapters):
        at = chapter.text.find(first)
        if at >= 0:
            highlight_selection(repo, book, index, at, at + len(first))
            made += 1
    texts = [i for i, c in enumerate(book.chapters) if len(c.text) > 400]
    for index in texts[::12]:
        middle = len(book.chapters[index].text) // 2
        highlight_selection(repo, book, index, middle, middle + 80)
        made += 1
    return made


@pytest.fixture(scope="module")
def exported(
    tmp_path_factory: pytest.TempPathFactory, moby: Book, pride: Book
) -> tuple[dict[str, Any], int]:
    folder = tmp_path_factory.mktemp("w3c")
    library = folder / "library.sqlite3"
    conn = open_database(library)
    try:
        _record(conn, moby)
        _record(conn, pride)
        made = _highlight_spread(conn, moby, "Call me Ishmael")
        made += _highlight_spread(conn, pride, "It is a truth universally acknowledged")
        title_only = folder / "title-only.json"
        title_only.write_text(json.dumps([TITLE_ONLY]), encoding="utf-8")
        assert import_file(title_only, library, folder / "cache").result.imported == 1
        annotations = AnnotationQuery(conn).all()
    finally:
        conn.close()
    assert len(annotations) == made + 1
    text = export_w3c(annotations, generated_at="2026-12-01T10:00:00Z", app_version="0.1.0")
    return json.loads(text), made + 1


def _items(collection: dict[str, Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = collection["first"]["items"]
    return items


def _validators() -> list[Draft4Validator]:
    schemas = W3C_DATA / "schemas"
    registry: Registry[Any] = Registry().with_resources(
        (p.name, Resource.from_contents(json.loads(p.read_text()), DRAFT4))
        for p in schemas.glob("*.json")
    )
    return [
        Draft4Validator(
            json.loads((schemas / name).read_text()),
            registry=registry,
            format_checker=Draft4Validator.FORMAT_CHECKER,
        )
        for name in ASSERTIONS
    ]


def test_every_annotation_meets_the_test_suite_musts(exported: tuple[dict[str, Any], int]) -> None:
    collection, count = exported
    items = _items(collection)
    assert len(items) == collection["total"] == count
    validators = _validators()
    checked = 0
    for item in items:
        # An annotation read on its own carries the collection's context.
        alone = {"@context": collection["@context"], **item}
        # The suite's array branch checks each body alone. Given the array itself,
        # jsonschema (which, unlike the suite's own validator, tries every branch of a
        # oneOf) follows the Specific Resource definitions round in a circle.
        forms = [{**alone, "body": body} for body in item.get("body", [])] or [alone]
        for form in forms:
            for validator in validators:
                errors = [e.message for e in validator.iter_errors(form)]
                assert errors == [], (validator.schema["id"], item["id"], errors)
                checked += 1
    assert checked >= len(items) * len(validators)


def test_the_schemas_have_teeth() -> None:
    """What the export avoids does fail them: a time without a zone, no context, a non-IRI."""
    local_time = {"type": "Annotation", "id": "urn:x:1", "target": "urn:x:2",
                  "created": "2014-04-21T22:08:07"}  # fmt: skip
    by_id = {v.schema["id"]: v for v in _validators()}
    assert not by_id["3.3.1-annotationCreatedValidated.json"].is_valid(local_time)
    assert not by_id["3.1-annotationContextValidated.json"].is_valid(local_time)
    assert not by_id["3.2-targetObjectsRecognized.json"].is_valid(
        {"target": {"source": "a source that is no IRI", "selector": []}}
    )
    assert by_id["3.2-targetObjectsRecognized.json"].is_valid({"target": "urn:x:2"})


def _load_document(url: str, options: object = None) -> dict[str, Any]:
    if url != ANNO_CONTEXT:
        raise AssertionError(f"the test would have fetched {url}")
    document = json.loads((W3C_DATA / "anno.jsonld").read_text(encoding="utf-8"))
    return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url,
            "document": document}  # fmt: skip


@pytest.mark.parametrize("mode", ["json-ld-1.0", "json-ld-1.1"])
def test_the_collection_expands_under_json_ld(
    exported: tuple[dict[str, Any], int], mode: str
) -> None:
    collection, count = exported
    options = {"documentLoader": _load_document, "processingMode": mode}
    expanded = jsonld.expand(collection, options)
    (node,) = expanded
    (page,) = node["http://www.w3.org/ns/activitystreams#first"]
    (listed,) = page["http://www.w3.org/ns/activitystreams#items"]
    annotations = listed["@list"]
    assert len(annotations) == count
    oa = "http://www.w3.org/ns/oa#"
    for annotation in annotations:
        assert annotation["@type"] == [oa + "Annotation"]
        (target,) = annotation[oa + "hasTarget"]
        assert target["@type"] == [oa + "SpecificResource"]
        (source,) = target[oa + "hasSource"]
        assert source["@id"].startswith("urn:")
    # Authors keep their order in RDF: an rdf:List, not a set.
    authors = [
        a[0]["urn:tone-reader:ns#bookAuthors"][0]["@list"]
        for a in ([x[oa + "hasTarget"][0]] for x in annotations)
        if "urn:tone-reader:ns#bookAuthors" in a[0]
        and len(a[0]["urn:tone-reader:ns#bookAuthors"][0]["@list"]) > 1
    ]
    assert [v["@value"] for v in authors[0]] == ["Terry Pratchett", "Neil Gaiman"]


def test_the_context_is_json_ld_1_0() -> None:
    from reader_app.core.exporters.w3c import CONTEXT

    assert CONTEXT[0] == ANNO_CONTEXT
    assert "@version" not in json.dumps(CONTEXT)
    assert "@json" not in json.dumps(CONTEXT)


def _spine_documents(epub: Path) -> list[str]:
    """The archive paths of the spine items, in the package's own order."""
    with zipfile.ZipFile(epub) as archive:
        container = etree.fromstring(archive.read("META-INF/container.xml"))
        opf_path = next(
            e.get("full-path") for e in container.iter() if str(e.tag).endswith("rootfile")
        )
        package = etree.fromstring(archive.read(opf_path))
    base = posixpath.dirname(opf_path)
    hrefs = {
        e.get("id"): posixpath.normpath(posixpath.join(base, urllib.parse.unquote(e.get("href"))))
        for e in package.iter()
        if str(e.tag).endswith("}item")
    }
    return [hrefs[e.get("idref")] for e in package.iter() if str(e.tag).endswith("}itemref")]


def _second_element(epub: Path, name: str) -> str:
    """The local name of the document's root's second element child (CFI step /4)."""
    with zipfile.ZipFile(epub) as archive:
        root = etree.fromstring(archive.read(name))
    elements = [c for c in root if isinstance(c.tag, str)]
    return etree.QName(elements[1]).localname


def _chapter_of(source: str, books: dict[str, Book], item: dict[str, Any]) -> tuple[Book, int]:
    """The loaded book and chapter a target's source names (the chapter hint must agree)."""
    iri, _, fragment = source.partition("#")
    assert iri.startswith("urn:sha256:")
    book = books[iri.removeprefix("urn:sha256:")]
    chapter = item["target"]["tone:chapter"]
    if fragment.startswith("chapter="):
        assert int(fragment.removeprefix("chapter=")) == chapter
    else:
        # An EPUB chapter is its spine document, named by its path in the archive.
        assert book.chapters[chapter].key == urllib.parse.unquote(fragment)
    return book, chapter


def test_position_and_quote_select_the_same_text_in_the_document_named(
    exported: tuple[dict[str, Any], int], moby: Book, pride: Book
) -> None:
    collection, _count = exported
    books = {moby.book_id: moby, pride.book_id: pride}
    spine = _spine_documents(MOBY)
    checked = {moby.book_id: 0, pride.book_id: 0}
    ishmael = None
    for item in _items(collection):
        target = item["target"]
        selectors = {s["type"]: s for s in target["selector"]}
        quote = selectors["TextQuoteSelector"]
        if not target["source"].startswith("urn:sha256:"):
            # The title-only book: no text to count in, so no position is claimed.
            assert target["source"].startswith("urn:tone-reader:title-sha256:")
            assert "TextPositionSelector" not in selectors
            continue
        book, chapter = _chapter_of(target["source"], books, item)
        text = book.chapters[chapter].text
        position = selectors["TextPositionSelector"]
        start, end = position["start"], position["end"]
        assert text[start:end] == quote["exact"]
        assert text[start - len(quote["prefix"]) : start] == quote["prefix"]
        assert text[end : end + len(quote["suffix"])] == quote["suffix"]
        # The quote selects this place and no other in the chapter.
        context = quote["prefix"] + quote["exact"] + quote["suffix"]
        assert text.count(context) == 1
        if book is moby:
            cfi = selectors["FragmentSelector"]
            assert cfi["conformsTo"] == EPUB_CFI
            assert cfi["refinedBy"] == quote
            # The spine item, then the document's body: html's second element, after head.
            step = int(cfi["value"].removeprefix("epubcfi(/6/").removesuffix("!/4)"))
            assert cfi["value"] == f"epubcfi(/6/{step}!/4)"
            assert _second_element(MOBY, spine[step // 2 - 1]) == "body"
            assert spine[step // 2 - 1] == urllib.parse.unquote(target["source"].partition("#")[2])
            if quote["exact"] == "Call me Ishmael":
                ishmael = (target["source"], start)
        else:
            assert "FragmentSelector" not in selectors
        checked[book.book_id] += 1
    assert checked[moby.book_id] >= 10
    assert checked[pride.book_id] >= 5
    # Counted in its chapter document, which the source names (not in the whole book).
    assert ishmael is not None
    assert ishmael[0].endswith(".xhtml")
    assert ishmael[1] < 100


def test_the_export_comes_back_unchanged_through_another_library(
    tmp_path: Path, exported: tuple[dict[str, Any], int], moby: Book, pride: Book
) -> None:
    collection, count = exported
    path = tmp_path / "export.json"
    path.write_text(json.dumps(collection), encoding="utf-8")
    other = tmp_path / "other.sqlite3"
    conn = open_database(other)
    try:
        _record(conn, moby)
        _record(conn, pride)
        done = import_file(path, other, tmp_path / "cache")
        assert (done.result.imported, done.problems) == (count, [])
        again = export_w3c(
            AnnotationQuery(conn).all(), generated_at="2026-12-01T10:00:00Z", app_version="0.1.0"
        )
    finally:
        conn.close()
    assert _items(json.loads(again)) == _items(collection)


def test_plain_iri_targets_import_and_foreign_sources_stay_apart(
    tmp_path: Path, pride: Book
) -> None:
    foreign = [
        {"type": "Annotation", "id": "urn:x:1", "target": "http://example.org/essay",
         "body": {"type": "TextualBody", "value": "A fine essay.", "purpose": "commenting"}},
        {"type": "Annotation", "id": "urn:x:2", "target": {"id": "http://example.org/essay#p3"},
         "motivation": "commenting", "body": {"type": "TextualBody", "value": "Third part."}},
        {"type": "Annotation", "id": "urn:x:3", "target": ["urn:isbn:9780141439518"],
         "body": {"type": "TextualBody", "value": "Pride, another edition.",
                  "purpose": "commenting"}},
    ]  # fmt: skip
    path = tmp_path / "foreign.json"
    path.write_text(json.dumps(foreign), encoding="utf-8")
    library = tmp_path / "library.sqlite3"
    conn = open_database(library)
    try:
        _record(conn, pride)
        done = import_file(path, library, tmp_path / "cache")
    finally:
        conn.close()
    assert (done.result.imported, done.problems) == (3, [])
    with sqlite3.connect(library) as db:
        rows = db.execute(
            "SELECT b.title, b.placeholder, h.note FROM highlights h JOIN books b"
            " ON b.id = h.book_id ORDER BY h.id"
        ).fetchall()
    assert rows == [
        ("http://example.org/essay", 1, "A fine essay."),
        ("http://example.org/essay", 1, "Third part."),
        ("urn:isbn:9780141439518", 1, "Pride, another edition."),
    ]


def test_a_target_with_selectors_wins_over_a_plain_iri_beside_it() -> None:
    from reader_app.core.importers.w3c import parse_w3c

    book = "ab" * 32
    both = {
        "type": "Annotation",
        "target": [
            "http://example.org/elsewhere",
            {"source": f"urn:sha256:{book}#chapter=4",
             "selector": {"type": "TextQuoteSelector", "exact": "the quote"}},
        ],
    }  # fmt: skip
    plain = {"type": "Annotation", "target": {"id": "http://example.org/page"},
             "body": {"purpose": "commenting", "value": "A note."}}  # fmt: skip
    bare = {"type": "Annotation", "target": "http://example.org/page"}
    report = parse_w3c(json.dumps([both, plain, bare]))
    placed, noted = report.items
    assert (placed.book_id, placed.chapter, placed.quote) == (book, 4, "the quote")
    assert (noted.book_id, noted.book_title, noted.note) == (
        "",
        "http://example.org/page",
        "A note.",
    )
    # Nothing to keep: no quote and no note, said as such (not "it has no target").
    assert report.problems == ["item 3: it names only a document, with no quote and no note"]
