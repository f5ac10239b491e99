"""Read W3C Web Annotation JSON: our export, and the plain parts of anyone else's.

The shape is the one :mod:`reader_app.core.exporters.w3c` writes (its docstring is the
reference): an ``AnnotationCollection`` whose page holds one ``Annotation`` per highlight.
A bare list of annotations, a single annotation or an ``AnnotationPage`` are read too.

From each annotation come the book (``target.source``: ``urn:sha256:<id>`` with the chapter
as its fragment, ``urn:tone-reader:title-sha256:<hex>``, or an older export's ``import:`` id;
``tone:bookTitle``, ``tone:bookAuthors``), the place (``tone:chapter``,
``tone:section``, the ``TextQuoteSelector`` and ``TextPositionSelector``, or an orphan's
``tone:lastSeen``), ``tone:color``,
``tone:orphaned``, the note (the ``commenting`` body), the analysis (``tone:analysis`` of
the ``describing`` body) with its ``tone:provenance``, and the ``created`` and ``modified``
times, kept exactly as written so that export → import → export gives the same file.

Other tools' annotations: a target may be a plain IRI (a string, or ``{"id": …}`` without
selectors), and a source that is not one of ours names the book by itself: its
annotations go to a book of that name, apart from every other source's. The
``tagging`` bodies repeat the analysis's emotions and are not read. An annotation that
cannot be read is reported with its number; the others are kept.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from reader_app.core import jsonsafe
from reader_app.core.exporters.w3c import book_id_from_source, chapter_from_source
from reader_app.core.importers import W3C, ImportedAnnotation, ImportedProvenance, format_utc

# The library's own timestamp form; anything else that parses is converted to it.
_LIBRARY_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z$")


@dataclass(frozen=True, slots=True)
class W3cReport:
    """What :func:`parse_w3c` read.

    Attributes:
        items: the annotations, in the order of the file.
        problems: one line per annotation (or file) that could not be read.
    """

    items: list[ImportedAnnotation] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def parse_w3c(text: str) -> W3cReport:
    """Read W3C Web Annotation JSON.

    Args:
        text: the decoded file.

    Returns:
        The annotations, and a line per one that could not be read.
    """
    try:
        data = jsonsafe.loads(text.lstrip("\ufeff"))
    except json.JSONDecodeError as exc:
        return W3cReport([], [f"not valid JSON: line {exc.lineno}, column {exc.colno}: {exc.msg}"])
    raw_items = _annotations_of(data)
    if raw_items is None:
        return W3cReport([], ["no W3C annotations found (expected an AnnotationCollection)"])
    report = W3cReport()
    for number, raw in enumerate(raw_items, start=1):
        where = f"item {number}"
        try:
            report.items.append(_annotation(raw, where))
        except ValueError as exc:
            report.problems.append(f"{where}: {exc}")
    return report


def _annotations_of(data: Any) -> list[Any] | None:
    """The annotations of a collection, a page, a list, or a single annotation."""
    if isinstance(data, list):
        return data
    if not isinstance(data, dict):
        return None
    kind = data.get("type")
    if kind == "Annotation" or "target" in data:
        return [data]
    if kind == "AnnotationPage" or isinstance(data.get("items"), list):
        items = data.get("items")
        return items if isinstance(items, list) else None
    if kind == "AnnotationCollection":
        found: list[Any] = []
        page = data.get("first")
        seen: set[int] = set()
        # Follow "next" pages embedded in the file; a page given only by its URL is not
        # fetched (an import never goes on the network).
        while isinstance(page, dict) and id(page) not in seen:
            seen.add(id(page))
            items = page.get("items")
            if isinstance(items, list):
                found.extend(items)
            page = page.get("next")
        return found
    return None


def _annotation(raw: Any, where: str) -> ImportedAnnotation:
    """Read one annotation.

    Raises:
        ValueError: it is not an annotation we can import; the message says why.
    """
    if not isinstance(raw, dict):
        raise ValueError("not an annotation object")
    target = _target(raw.get("target"))
    if target is None:
        raise ValueError("it has no target")
    quote_selector, position = _selectors(target.get("selector"))
    bodies = _bodies(raw.get("body"))
    note = _note(bodies, raw.get("motivation"))
    if quote_selector is None:
        if not note and "selector" not in target:
            raise ValueError("it names only a document, with no quote and no note")
        if not note:
            raise ValueError("it has no TextQuoteSelector")
        quote_selector = {}
    exact = quote_selector.get("exact", "")
    if not isinstance(exact, str):
        raise ValueError("its quote is not text")
    if not exact and not note:
        raise ValueError("its quote is empty and it has no note")
    source = _source(target)
    book_id = book_id_from_source(source)
    title = _text(target.get("tone:bookTitle"))
    if not book_id and not title:
        # Not one of our books: it belongs to its own document, kept apart from the others
        # (a placeholder named after it), never matched to a book of the library by chance.
        title = source.partition("#")[0]
    if position is None:
        position = _position(target.get("tone:lastSeen"))
    start, end = position if position is not None else (None, None)
    analysis = _analysis(bodies)
    orphaned = target.get("tone:orphaned")
    chapter = _index(target.get("tone:chapter"))
    return ImportedAnnotation(
        book_id=book_id,
        book_title=title,
        book_authors=_authors(target.get("tone:bookAuthors")),
        quote=exact,
        prefix=_text(quote_selector.get("prefix")),
        suffix=_text(quote_selector.get("suffix")),
        chapter=chapter if chapter is not None or not book_id else chapter_from_source(source),
        section=_text(target.get("tone:section")),
        start=start,
        end=end,
        orphaned=orphaned if isinstance(orphaned, bool) else None,
        color=_text(raw.get("tone:color")).strip(),
        note=note,
        created=_time(raw.get("created", raw.get("tone:created"))),
        modified=_time(raw.get("modified", raw.get("tone:modified"))),
        analysis=analysis,
        provenance=_provenance(raw.get("tone:provenance")) if analysis else ImportedProvenance(),
        source=W3C,
        origin=where,
    )


def _target(raw: Any) -> dict[str, Any] | None:
    """The target: the first with selectors, else the first plain IRI (``"…"``, ``{"id": …}``)."""
    found: list[dict[str, Any]] = []
    for item in raw if isinstance(raw, list) else [raw]:
        if isinstance(item, str) and item.strip():
            found.append({"source": item.strip()})
        elif isinstance(item, dict) and (
            "source" in item or "selector" in item or isinstance(item.get("id"), str)
        ):
            found.append(item if "source" in item else {**item, "source": item.get("id")})
    return next((t for t in found if "selector" in t), found[0] if found else None)


def _source(target: dict[str, Any]) -> str:
    """The IRI of the target's document (a source may be an object with an id)."""
    source = target.get("source")
    if isinstance(source, dict):
        source = source.get("id")
    return source.strip() if isinstance(source, str) else ""


def _authors_list(value: Any) -> Any:
    """An ordered list as JSON-LD writes it, ``{"@list": [...]}``, read as the list."""
    return value.get("@list") if isinstance(value, dict) else value


def _selectors(raw: Any) -> tuple[dict[str, Any] | None, tuple[int, int] | None]:
    """The first TextQuoteSelector, and the first valid TextPositionSelector's range."""
    selectors = raw if isinstance(raw, list) else [raw]
    quote: dict[str, Any] | None = None
    position: tuple[int, int] | None = None
    for selector in selectors:
        if not isinstance(selector, dict):
            continue
        # An EPUB CFI selector may be refined by a quote; look inside it too.
        refined = selector.get("refinedBy")
        candidates = [selector, *(refined if isinstance(refined, list) else [refined])]
        for item in candidates:
            if not isinstance(item, dict):
                continue
            if item.get("type") == "TextQuoteSelector" and quote is None:
                quote = item
            elif item.get("type") == "TextPositionSelector" and position is None:
                position = _position(item)
    return quote, position


def _position(raw: Any) -> tuple[int, int] | None:
    """A valid ``start``/``end`` pair; the quote is authoritative, a broken one is lost."""
    if not isinstance(raw, dict):
        return None
    start, end = _index(raw.get("start")), _index(raw.get("end"))
    return (start, end) if start is not None and end is not None and start <= end else None


def _bodies(raw: Any) -> list[dict[str, Any]]:
    items = raw if isinstance(raw, list) else [raw]
    return [b for b in items if isinstance(b, dict)]


def _note(bodies: list[dict[str, Any]], motivation: Any) -> str:
    """The reader's note: the commenting body (or, from other tools, an untyped one)."""
    notes = [b for b in bodies if b.get("purpose") == "commenting"]
    if not notes and motivation == "commenting":
        notes = [b for b in bodies if "purpose" not in b and "tone:analysis" not in b]
    return "\n\n".join(_text(b.get("value")) for b in notes if _text(b.get("value")))


def _analysis(bodies: list[dict[str, Any]]) -> dict[str, Any] | None:
    for body in bodies:
        value = body.get("tone:analysis")
        if isinstance(value, dict):
            return value
    return None


def _provenance(raw: Any) -> ImportedProvenance:
    if not isinstance(raw, dict):
        return ImportedProvenance()
    cost = raw.get("cost_usd")
    return ImportedProvenance(
        model=_text(raw.get("model")),
        prompt_version=_text(raw.get("prompt_version")),
        analysed_at=_time(raw.get("analysed_at")),
        input_tokens=_index(raw.get("input_tokens")) or 0,
        output_tokens=_index(raw.get("output_tokens")) or 0,
        cost_usd=float(cost)
        if isinstance(cost, int | float) and not isinstance(cost, bool) and math.isfinite(cost)
        else 0.0,
        corrected=raw.get("corrected") is True,
    )


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _authors(value: Any) -> tuple[str, ...]:
    value = _authors_list(value)
    if isinstance(value, str):
        return (value,) if value else ()
    if isinstance(value, list):
        return tuple(a for a in value if isinstance(a, str) and a)
    return ()


def _index(value: Any) -> int | None:
    """A non-negative integer, or None (JSON ``true`` is not 1 here)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return value


def _time(value: Any) -> str:
    """A time as the library stores it: kept as is when already so, else converted."""
    text = _text(value).strip()
    if not text or _LIBRARY_TIME.match(text):
        return text
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    # A time without a zone is a local time (a Kindle's): no zone is invented for it.
    return format_utc(moment) if moment.tzinfo is not None else text
