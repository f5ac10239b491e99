r"""W3C Web Annotation JSON: an AnnotationCollection that ``tone-reader import`` reads back.

The shape (keys sorted; UTF-8; two-space indent, except that each annotation is one line)::

    {
      "@context": ["http://www.w3.org/ns/anno.jsonld",
                   {"@version": 1.1, "tone": "urn:tone-reader:ns#",
                    "tone:analysis": {"@type": "@json"}, "tone:provenance": {"@type": "@json"}}],
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
      "created": "<highlight created_at>", "modified": "<updated_at>"  (absent when unknown),
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
        "source": "urn:sha256:<book SHA-256>"  (a real book) | "<book id>"  (any other id,
                  e.g. the ``import:`` id of a book known only by title),
        "tone:bookTitle": "…", "tone:bookAuthors": ["…"],
        "tone:chapter": <chapter index, from 0>, "tone:section": "<section title or "">",
        "tone:orphaned": <bool: the quote was not found in the book as it is now>,
        "selector": [
          {"type": "TextQuoteSelector", "exact": "<quote>", "prefix": "…", "suffix": "…"},
          {"type": "TextPositionSelector", "start": <int>, "end": <int>}]}}

Positions count code points in the plain text of chapter ``tone:chapter`` (not of the whole
book), so the position selector is read together with that property. The quote selector is
authoritative; the position is a hint (for an orphan, the last place the quote was seen).

``<key>`` (see ``common.stable_keys``) hashes the book id, the creation time and the quote,
so an annotation keeps its id across re-anchoring, and export → import → export gives the
same file when the importer keeps ``created``, ``modified`` and everything above.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import TYPE_CHECKING, Any

from reader_app.core.exporters.common import (
    APP_NAME,
    emotions_text,
    export_label,
    group_by_book,
    stable_keys,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from reader_app.core.annotations import Annotation
    from reader_app.core.tone_result import ToneResult

W3C_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
TONE_NAMESPACE = "urn:tone-reader:ns#"
CONTEXT: list[Any] = [
    W3C_CONTEXT,
    # JSON-LD 1.1 "@json" keeps the analysis a plain JSON value rather than graph nodes.
    {
        "@version": 1.1,
        "tone": TONE_NAMESPACE,
        "tone:analysis": {"@type": "@json"},
        "tone:provenance": {"@type": "@json"},
    },
]
FORMAT_VERSION = 1
HIGHLIGHT_ID_PREFIX = "urn:tone-reader:highlight:"
BOOK_SOURCE_PREFIX = "urn:sha256:"
_SHA256 = re.compile(r"[0-9a-f]{64}")


def book_source(book_id: str) -> str:
    """The target ``source`` of a book: ``urn:sha256:<hex>``, or a placeholder id as is."""
    return BOOK_SOURCE_PREFIX + book_id if _SHA256.fullmatch(book_id) else book_id


def book_id_from_source(source: str) -> str:
    """The inverse of :func:`book_source`, for importers."""
    hex_id = source.removeprefix(BOOK_SOURCE_PREFIX)
    return hex_id if source != hex_id and _SHA256.fullmatch(hex_id) else source


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
                "value": _readable(result),
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
    item: dict[str, Any] = {
        "id": HIGHLIGHT_ID_PREFIX + key,
        "type": "Annotation",
        "motivation": "describing" if a.analysis is not None else "highlighting",
        "generator": generator,
        "tone:color": a.color,
        "target": {
            "source": book_source(a.book_id),
            "tone:bookTitle": a.book_title,
            "tone:bookAuthors": list(a.book_authors),
            "tone:chapter": a.chapter,
            "tone:section": a.section,
            "tone:orphaned": a.orphaned,
            "selector": [
                {"type": "TextQuoteSelector", "exact": a.quote, "prefix": a.prefix,
                 "suffix": a.suffix},
                {"type": "TextPositionSelector", "start": a.start, "end": a.end},
            ],
        },
    }  # fmt: skip
    if a.created_at:
        item["created"] = a.created_at
    if a.updated_at:
        item["modified"] = a.updated_at
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
