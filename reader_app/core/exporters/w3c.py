r"""W3C Web Annotation JSON: an AnnotationCollection that ``tone-reader import`` reads back.

The shape (keys sorted; UTF-8; two-space indent, except that each annotation is one line)::

    {
      "@context": ["http://www.w3.org/ns/anno.jsonld",
                   {"tone": "urn:tone-reader:ns#",
                    "tone:bookAuthors": {"@container": "@list"}}]   (JSON-LD 1.0),
      "id": "urn:tone-reader:export:<16 hex of the annotation ids>",
      "type": "AnnotationCollection",
      "label": "Tone Reader — <book title>"  (or "Tone Reader — Library"),
      "total": <number of annotations>,
      "generated": "<export time>",
      "generator": GENERATOR,
      "tone:formatVersion": 1,
      "first": {"id": "<collection id>:page:1", "type": "AnnotationPage", "startIndex": 0,
                "items": [ANNOTATION, ...]}
    }

    GENERATOR = {"id": "urn:tone-reader:app", "type": "Software", "name": "Tone Reader",
                 "tone:version": "<app version>"}

    ANNOTATION = {
      "id": "urn:tone-reader:highlight:<key>",
      "type": "Annotation",
      "motivation": "describing" (it has an analysis) | "highlighting" (it has none),
      "created": "<highlight created_at>", "modified": "<updated_at>"  (absent when unknown;
          "tone:created" / "tone:modified" for a local time without a zone),
      "generator": GENERATOR,
      "tone:color": "<highlight colour>",
      "body": [...]  (absent when there is no analysis and no note; find bodies by purpose):
        {"type": "TextualBody", "purpose": "describing", "format": "text/plain",
         "value": "Tone: …\nEmotions: …\n…", "tone:analysis": {<the analysis as stored:
         tone, polarity, emotions [{name, intensity}], evidence [{quote, why}], explanation,
         confidence; the reader's correction when provenance.corrected is true>}}
        {"type": "TextualBody", "purpose": "tagging", "value": "<emotion>",
         "tone:intensity": 0.7}                        one per emotion, strongest first
        {"type": "TextualBody", "purpose": "commenting", "format": "text/plain",
         "value": "<the reader's note>"}
      "tone:provenance": {"model", "prompt_version", "analysed_at", "input_tokens",
                          "output_tokens", "cost_usd", "corrected"}  (only with an analysis;
                          the field names of ``core.annotations.Provenance``),
      "target": {
        "type": "SpecificResource",
        "source": the document the positions count in (see :func:`chapter_source`):
                  "urn:sha256:<book SHA-256>#<EPUB document path>"  (an EPUB chapter)
                  | "urn:sha256:<book SHA-256>#chapter=<index>"  (a chapter of a text file)
                  | "urn:tone-reader:title-sha256:<32 hex>"  (a book known only by title:
                    half the SHA-256 of its normalised "title|author"),
        "tone:bookTitle": "…", "tone:bookAuthors": ["…"]  (in order: an @list),
        "tone:chapter": <chapter index, from 0>, "tone:section": "<section title or "">",
        "tone:orphaned": <bool: the quote was not found in the book as it is now>,
        "selector": [
          {"type": "TextQuoteSelector", "exact": "<quote>", "prefix": "…", "suffix": "…"},
          {"type": "TextPositionSelector", "start": <int>, "end": <int>},   (placed only)
          {"type": "FragmentSelector", "conformsTo": EPUB_CFI,     (placed EPUB books only)
           "value": "epubcfi(/6/<spine step>!/4)", "refinedBy": <the TextQuoteSelector>}],
        "tone:lastSeen": {"start": <int>, "end": <int>}}}   (instead, for the others)

Positions count code points in the plain text of the document ``source`` names, the
chapter as the reader shows it, so the position and the quote select the same text there.
The position is given only for a placed highlight of a real book: an orphan's last place
(where the quote no longer stands) and a title-only book's placeholder place are kept in
``tone:lastSeen``, a hint for re-anchoring, not a selector. The CFI names the spine item
in the book's package (the EPUB file the source's ``urn:sha256:`` identifies), the document
that the source's fragment names by its path.

``<key>`` (see ``common.stable_keys``) hashes the book id, the creation time and the quote,
so an annotation keeps its id across re-anchoring, and export → import → export gives the
same file when the importer keeps ``created``, ``modified`` and everything above.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import urllib.parse
from typing import TYPE_CHECKING, Any

from reader_app.core.exporters.common import (
    APP_NAME,
    emotions_text,
    export_label,
    group_by_book,
    guess_text,
    stable_keys,
)
from reader_app.core.tone_result import speaker_text

if TYPE_CHECKING:
    from collections.abc import Sequence

    from reader_app.core.annotations import Annotation
    from reader_app.core.tone_result import ToneResult

W3C_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
TONE_NAMESPACE = "urn:tone-reader:ns#"
# JSON-LD 1.0: no "@version", no "@json". The analysis and provenance are plain JSON
# objects that a JSON reader takes as they are; in RDF they are blank nodes whose
# unmapped keys are dropped, which loses nothing a JSON consumer reads. The authors are a
# list, so their order survives in RDF too.
CONTEXT: list[Any] = [
    W3C_CONTEXT,
    {"tone": TONE_NAMESPACE, "tone:bookAuthors": {"@container": "@list"}},
]
FORMAT_VERSION = 1
HIGHLIGHT_ID_PREFIX = "urn:tone-reader:highlight:"
BOOK_SOURCE_PREFIX = "urn:sha256:"
# A book known only by its title and author: the 32 hex digits of its placeholder id, the
# first half of the SHA-256 of the normalised "title|author" (storage.imports.placeholder_id).
TITLE_SOURCE_PREFIX = "urn:tone-reader:title-sha256:"
# Any other id (none is made today), percent-encoded so that it reads back as it was.
OTHER_SOURCE_PREFIX = "urn:tone-reader:book:"
PLACEHOLDER_PREFIX = "import:"
EPUB_CFI = "http://www.idpf.org/epub/linking/cfi/epub-cfi.html"
_SHA256 = re.compile(r"[0-9a-f]{64}")
_PLACEHOLDER_HEX = re.compile(r"[0-9a-f]{32}")
_ZONED_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)")
_CHAPTER_FRAGMENT = re.compile(r"chapter=(\d+)")


def book_source(book_id: str) -> str:
    """The IRI of a book: ``urn:sha256:<hex>`` of its bytes, or the title hash's URN.

    A placeholder's ``import:<32 hex>`` id becomes ``urn:tone-reader:title-sha256:<hex>``
    (``import:`` is no registered scheme); any other id is kept, percent-encoded, in
    ``urn:tone-reader:book:``.
    """
    if _SHA256.fullmatch(book_id):
        return BOOK_SOURCE_PREFIX + book_id
    hex_id = book_id.removeprefix(PLACEHOLDER_PREFIX)
    if hex_id != book_id and _PLACEHOLDER_HEX.fullmatch(hex_id):
        return TITLE_SOURCE_PREFIX + hex_id
    return OTHER_SOURCE_PREFIX + urllib.parse.quote(book_id, safe="")


def book_id_from_source(source: str) -> str:
    """The library id a source names (the inverse of :func:`book_source`), or "".

    The chapter fragment is ignored; a source that is not one of ours (a web page, another
    app's book) names no library book and gives "". Older exports' ``import:`` ids and
    bare ``urn:sha256:`` sources are read too.
    """
    iri = source.partition("#")[0]
    hex_id = iri.removeprefix(BOOK_SOURCE_PREFIX)
    if hex_id != iri and _SHA256.fullmatch(hex_id):
        return hex_id
    hex_id = iri.removeprefix(TITLE_SOURCE_PREFIX)
    if hex_id != iri and _PLACEHOLDER_HEX.fullmatch(hex_id):
        return PLACEHOLDER_PREFIX + hex_id
    other = iri.removeprefix(OTHER_SOURCE_PREFIX)
    if other != iri and other:
        return urllib.parse.unquote(other)
    if iri.startswith(PLACEHOLDER_PREFIX) and iri != PLACEHOLDER_PREFIX:
        return iri
    return ""


def is_epub(a: Annotation) -> bool:
    """Whether the annotation's book is an EPUB whose chapter document is known."""
    return a.book_format.startswith("EPUB") and bool(a.chapter_key)


def chapter_source(a: Annotation) -> str:
    """The IRI of the document the annotation's positions count in.

    An EPUB chapter is its spine document: the book's IRI and, as the fragment, the
    document's path in the archive (``urn:sha256:<hex>#OEBPS/chapter-1.xhtml``). A chapter
    of a single-file book is ``<book IRI>#chapter=<index from 0>``. A book known only by
    its title has no chapters to count in: its IRI as is.
    """
    return _chapter_source(a.book_id, is_epub(a), a.chapter_key, a.chapter)


@functools.lru_cache(maxsize=4096)
def _chapter_source(book_id: str, epub: bool, chapter_key: str, chapter: int) -> str:
    # Made once per chapter: an export names the same few chapters thousands of times.
    book = book_source(book_id)
    if not _SHA256.fullmatch(book_id):
        return book
    if epub:
        return f"{book}#{urllib.parse.quote(chapter_key, safe='/')}"
    return f"{book}#chapter={chapter}"


def chapter_from_source(source: str) -> int | None:
    """The chapter index of a ``#chapter=<n>`` source, for importers."""
    found = _CHAPTER_FRAGMENT.fullmatch(source.partition("#")[2])
    return int(found.group(1)) if found else None


def _cfi(a: Annotation) -> str:
    """The EPUB CFI of the annotation's document body: ``epubcfi(/6/<2(n+1)>!/4)``.

    ``/6`` is the package's spine (after metadata and manifest, as EPUB orders them), the
    next step the spine item, and ``!/4`` the document's body (after its head). Deeper
    element steps would need the document's XHTML, which the library does not keep, so
    the quote that refines the selector places the text. The spine position is the
    chapter index, since the loader makes one chapter per spine item; it is off for a book
    whose spine names a missing file, or after a document of over a million characters
    shown in parts (the source's path still names the right document).
    """
    return f"epubcfi(/6/{2 * (a.chapter + 1)}!/4)"


def _generator(app_version: str) -> dict[str, Any]:
    return {
        "id": "urn:tone-reader:app",
        "type": "Software",
        "name": APP_NAME,
        "tone:version": app_version,
    }


def _readable(result: ToneResult) -> str:
    polarity = result.polarity
    lines = [f"Tone: {result.tone or '(no label)'}" + (f" ({polarity})" if polarity else "")]
    if speaker_text(result):
        lines.append(f"Speaker: {speaker_text(result)}")
    if result.emotions:
        lines.append(f"Emotions: {emotions_text(result)}")
    if result.explanation:
        lines.append(result.explanation)
    if result.evidence:
        lines.append("Evidence:")
        lines.extend(f"- “{e.quote}”" + (f" — {e.why}" if e.why else "") for e in result.evidence)
    return "\n".join(lines)


def _bodies(a: Annotation) -> list[dict[str, Any]]:
    bodies: list[dict[str, Any]] = []
    if a.analysis is not None:
        result = a.tone_result
        bodies.append(
            {
                "type": "TextualBody",
                "purpose": "describing",
                "format": "text/plain",
                "value": _readable(result)
                + (f"\nYour guess: {guess_text(a)}" if guess_text(a) else ""),
                # As stored, not as read: an import gives back exactly what was exported.
                "tone:analysis": a.analysis,
            }
        )
        bodies.extend(
            {
                "type": "TextualBody",
                "purpose": "tagging",
                "value": e.name,
                "tone:intensity": e.intensity,
            }
            for e in result.emotions
        )
    if a.note:
        bodies.append(
            {
                "type": "TextualBody",
                "purpose": "commenting",
                "format": "text/plain",
                "value": a.note,
            }
        )
    return bodies


def _annotation(a: Annotation, key: str, generator: dict[str, Any]) -> dict[str, Any]:
    quote = {"type": "TextQuoteSelector", "exact": a.quote, "prefix": a.prefix,
             "suffix": a.suffix}  # fmt: skip
    selectors: list[dict[str, Any]] = [quote]
    # Only where the quote stands now: an orphan's last place, or a place in a book known
    # only by its title, would select other text than the quote in the document named.
    placed = not a.orphaned and bool(_SHA256.fullmatch(a.book_id))
    if placed:
        selectors.append({"type": "TextPositionSelector", "start": a.start, "end": a.end})
    if placed and is_epub(a):
        selectors.append(
            {
                "type": "FragmentSelector",
                "conformsTo": EPUB_CFI,
                "value": _cfi(a),
                "refinedBy": quote,
            }
        )
    item: dict[str, Any] = {
        "id": HIGHLIGHT_ID_PREFIX + key,
        "type": "Annotation",
        "motivation": "describing" if a.analysis is not None else "highlighting",
        "generator": generator,
        "tone:color": a.color,
        "target": {
            "type": "SpecificResource",
            "source": chapter_source(a),
            "tone:bookTitle": a.book_title,
            "tone:bookAuthors": list(a.book_authors),
            "tone:chapter": a.chapter,
            "tone:section": a.section,
            "tone:orphaned": a.orphaned,
            "selector": selectors,
        },
    }  # fmt: skip
    if not placed:
        item["target"]["tone:lastSeen"] = {"start": a.start, "end": a.end}
    for key, value in (("created", a.created_at), ("modified", a.updated_at)):
        if value:
            # The model's times are RFC 3339, with a zone. A Kindle clipping's time is the
            # device's local time, zone unknown: kept as it is, under our own name.
            item[key if _ZONED_TIME.fullmatch(value) else f"tone:{key}"] = value
    bodies = _bodies(a)
    if bodies:
        item["body"] = bodies
    if a.analysis is not None:
        p = a.provenance
        item["tone:provenance"] = {
            "model": p.model,
            "prompt_version": p.prompt_version,
            "analysed_at": p.analysed_at,
            "input_tokens": p.input_tokens,
            "output_tokens": p.output_tokens,
            "cost_usd": p.cost_usd,
            "corrected": p.corrected,
        }
    return item


def export_w3c(annotations: Sequence[Annotation], *, generated_at: str, app_version: str) -> str:
    """Render annotations as a W3C Web Annotation collection (the shape is above).

    Args:
        annotations: what to export, from one book or many.
        generated_at: the export time (ISO 8601), the collection's ``generated``.
        app_version: the app's version, in ``generator``.

    Returns:
        The JSON text, ending with a newline.
    """
    groups = group_by_book(annotations)
    ordered = [a for group in groups for a in group.annotations]
    keys = stable_keys(ordered)
    generator = _generator(app_version)
    items = [_annotation(a, key, generator) for a, key in zip(ordered, keys, strict=True)]
    digest = hashlib.sha256("\n".join(keys).encode()).hexdigest()[:16]
    collection_id = f"urn:tone-reader:export:{digest}"
    collection = {
        "@context": CONTEXT,
        "id": collection_id,
        "type": "AnnotationCollection",
        "label": export_label(groups) if groups else f"{APP_NAME} — Library",
        "total": len(items),
        "generated": generated_at,
        "generator": generator,
        "tone:formatVersion": FORMAT_VERSION,
        "first": {
            "id": f"{collection_id}:page:1",
            "type": "AnnotationPage",
            "startIndex": 0,
            "items": [],
        },
    }
    head = json.dumps(collection, ensure_ascii=False, indent=2, sort_keys=True)
    # Each annotation on one line: json's C encoder only runs without indent (3x faster on
    # 10,000 annotations), and a diff of two exports then shows one line per annotation.
    # The marker is structural: inside a JSON string, the quote after "items" is escaped.
    before, marker, after = head.partition('"items": []')
    assert marker, "the page must have an items list"
    lines = ",\n".join(
        "      " + json.dumps(item, ensure_ascii=False, sort_keys=True) for item in items
    )
    listing = f'"items": [\n{lines}\n    ]' if items else marker
    return before + listing + after + "\n"
