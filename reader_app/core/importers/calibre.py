"""Read calibre's annotations export: ``{"type": "calibre_annotation_collection", ...}``.

calibre's viewer exports a book's highlights as JSON: ``annotations`` is a list of
``{"type": "highlight", "highlighted_text", "notes", "start_cfi", "end_cfi",
"spine_index", "spine_name", "toc_family_titles", "timestamp", "uuid", "style"}`` and
``{"type": "bookmark", ...}`` entries. The collection does not name its book, so the
import matches it by the file's name or, failing that, by its quotes; ``spine_index`` is a
hint to the chapter, and the quote places the highlight. Bookmarks carry no text and are
skipped, as in the Kindle import.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import datetime
from typing import Any, Final

from reader_app.core.importers import ImportedAnnotation, format_utc

CALIBRE: Final = "calibre"
COLLECTION_TYPE: Final = "calibre_annotation_collection"
_COLORS: Final = {"yellow", "green", "blue", "red", "purple", "orange"}
# calibre's default export names: "<title> - <author>.calibre_highlights" and the like.
_EXTENSIONS = re.compile(
    r"(\.(calibre_highlights|calibre_annotation_collection|json|txt))+$", re.IGNORECASE
)
_GENERIC = frozenset({"", "annotations", "highlights", "calibre", "export", "calibre bookmarks"})


def decode_epub_copy(text: str) -> str:
    """The JSON of calibre's ``META-INF/calibre_bookmarks.txt``: base64 after its first line.

    Args:
        text: the file's text, starting with ``encoding=json+base64:``.

    Returns:
        The JSON text (a bare list of annotations).

    Raises:
        ValueError: the base64 or its UTF-8 is broken (one-line message).
    """
    _first, _, payload = text.partition("\n")
    try:
        return base64.b64decode("".join(payload.split()), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise ValueError("its base64 annotations are damaged") from None


def title_from_name(file_name: str) -> tuple[str, tuple[str, ...]]:
    """The title and author a collection's file name gives, e.g. ``Emma - Jane Austen.json``.

    Args:
        file_name: the file's name.

    Returns:
        The title ("" for a generic name such as ``annotations.json``) and authors.
    """
    stem = _EXTENSIONS.sub("", file_name).replace("_", " ").strip()
    if stem.lower() in _GENERIC:
        return "", ()
    title, _, author = stem.partition(" - ")
    return title.strip(), ((author.strip(),) if author.strip() else ())


def collection_annotations(
    data: object, title: str = "", authors: tuple[str, ...] = ()
) -> tuple[list[ImportedAnnotation], list[str]]:
    """The highlights of a calibre collection, and a line for each that could not be read.

    Args:
        data: the parsed JSON: the collection, or the bare list calibre keeps in an EPUB.
        title: the book's title, when known from elsewhere (the file's name).
        authors: its authors, likewise.

    Returns:
        The annotations in the collection's order, and the problems.
    """
    entries = data.get("annotations", []) if isinstance(data, dict) else data
    items: list[ImportedAnnotation] = []
    problems: list[str] = []
    for n, raw in enumerate(entries if isinstance(entries, list) else [], start=1):
        origin = f"annotation {n}"
        if not isinstance(raw, dict):
            problems.append(f"{origin}: it is not an object")
            continue
        kind = raw.get("type")
        if kind == "bookmark":
            continue
        if kind != "highlight":
            problems.append(f"{origin}: “{str(kind)[:40]}” is not a highlight or bookmark")
            continue
        if raw.get("removed"):
            continue  # calibre keeps deleted highlights as tombstones
        quote = _text(raw.get("highlighted_text"))
        note = _text(raw.get("notes"))
        if not quote and not note:
            problems.append(f"{origin}: it has neither text nor a note")
            continue
        spine = raw.get("spine_index")
        index = spine if isinstance(spine, int) and not isinstance(spine, bool) else None
        titles = raw.get("toc_family_titles")
        section = str(titles[-1]) if isinstance(titles, list) and titles else ""
        items.append(
            ImportedAnnotation(
                book_id="",
                book_title=title,
                book_authors=authors,
                quote=quote,
                chapter=index,
                spine=index,
                section=section,
                color=_color(raw.get("style")),
                note=note,
                created=_timestamp(raw.get("timestamp")),
                source=CALIBRE,
                origin=origin,
            )
        )
    return items, problems


def _color(style: object) -> str:
    if not isinstance(style, dict) or style.get("kind") != "color":
        return ""
    which = str(style.get("which", "")).lower()
    return which if which in _COLORS else ""


def _timestamp(value: object) -> str:
    if not isinstance(value, str):
        return ""
    try:
        return format_utc(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        return ""


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""
