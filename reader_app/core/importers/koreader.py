"""Read KOReader's highlights: a book's ``metadata.<ext>.lua`` sidecar, or its JSON export.

The sidecar (in the ``<book>.sdr`` folder) is a Lua table, read by
:mod:`reader_app.core.importers.lua_table` without running it. Highlights are in
``["annotations"]`` (KOReader 2024 and later) or, in older sidecars, ``["highlight"]``
(by page) with their notes in ``["bookmarks"]``. Each has ``text``, ``note``, ``chapter``,
``pos0``/``pos1`` (an XPointer such as ``/body/DocFragment[3]/body/p[2]/text().0``: the
third spine item), ``datetime``, ``color`` and ``drawer``; the book is named by
``doc_props`` (title, authors) and by ``partial_md5_checksum``, KOReader's hash of the
file (:func:`partial_md5`). The JSON export (``exporter.koplugin``'s target/json.lua)
is ``{title, author, md5sum?, entries: [...]}`` or ``{documents: [...]}`` of those.

Bookmarks carry no text and are skipped, as in the Kindle import.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from reader_app.core.importers import ImportedAnnotation, format_utc

if TYPE_CHECKING:
    from pathlib import Path

KOREADER: Final = "koreader"
# What KOReader's md5 names: the book's id in an import is this prefix and the hex digest.
MD5_PREFIX: Final = "koreader-md5:"
_DOC_FRAGMENT = re.compile(r"^/body/DocFragment\[(\d+)\]")
# KOReader's bookmark text for a highlight without a note: "Page 12 <text> @ <datetime>".
_AUTO_TEXT = re.compile(r"^.{1,30}? \[?\d*\]?\d+ .* @ \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", re.DOTALL)
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
_STYLE_COLORS: Final = {
    "yellow": "yellow", "red": "red", "orange": "orange", "green": "green", "olive": "green",
    "cyan": "blue", "blue": "blue", "purple": "purple", "gray": "", "grey": "",
}  # fmt: skip


def partial_md5(path: Path) -> str:
    """KOReader's partial MD5 of a book file, the ``partial_md5_checksum`` of its sidecar.

    The MD5 of 1 KiB samples at offsets 0 and 1024 × 4^i for i = 0 … 10 (1 KiB, 4 KiB, …
    1 GiB), stopping at the first offset past the end of the file; a sample cut short by
    the end is hashed as it is.

    Args:
        path: the book file.

    Returns:
        32 hex digits.

    Raises:
        OSError: the file could not be read.
    """
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        for offset in [0, *(1024 << (2 * i) for i in range(11))]:
            handle.seek(offset)
            sample = handle.read(1024)
            if not sample:
                break
            digest.update(sample)
    return digest.hexdigest()


def is_sidecar(table: dict[object, object]) -> bool:
    """Whether a parsed Lua table is a KOReader book sidecar."""
    return any(key in table for key in ("annotations", "highlight", "bookmarks", "doc_props"))


def is_json_export(data: object) -> bool:
    """Whether parsed JSON is KOReader's highlights export."""
    if not isinstance(data, dict):
        return False
    documents = data.get("documents")
    if isinstance(documents, list):
        return all(isinstance(d, dict) and "entries" in d for d in documents)
    return isinstance(data.get("entries"), list) and "title" in data


def sidecar_annotations(table: dict[object, object]) -> tuple[list[ImportedAnnotation], list[str]]:
    """The highlights of a parsed sidecar, and a line for each that could not be read.

    Args:
        table: what :func:`~reader_app.core.importers.lua_table.parse_lua_table` returned.

    Returns:
        The annotations in the sidecar's order, and the problems.
    """
    props = _dict(table.get("doc_props"))
    stats = _dict(table.get("stats"))
    title = _text(props.get("title")) or _text(stats.get("title"))
    authors = _authors(_text(props.get("authors")) or _text(stats.get("authors")))
    checksum = _text(table.get("partial_md5_checksum")).lower()
    book_id = MD5_PREFIX + checksum if re.fullmatch(r"[0-9a-f]{32}", checksum) else ""
    records = _list(table.get("annotations")) or _old_highlights(table)
    items: list[ImportedAnnotation] = []
    problems: list[str] = []
    for n, raw in enumerate(records, start=1):
        record = _dict(raw)
        origin = f"annotation {n}"
        if not record:
            problems.append(f"{origin}: it is not a table")
            continue
        text = _text(record.get("text"))
        if not text and record.get("pos0") is None and not _text(record.get("note")):
            continue  # a bookmark: no text
        pos = _text(record.get("pos0")) or _text(record.get("page"))
        items.append(
            ImportedAnnotation(
                book_id=book_id,
                book_title=title,
                book_authors=authors,
                quote=text,
                chapter=_fragment(pos),
                spine=_fragment(pos),
                section=_text(record.get("chapter")),
                color=_STYLE_COLORS.get(_text(record.get("color")).lower(), ""),
                note=_text(record.get("note")),
                created=_local_time(_text(record.get("datetime"))),
                modified=_local_time(_text(record.get("datetime_updated"))),
                source=KOREADER,
                origin=origin,
            )
        )
    return items, problems


def _old_highlights(table: dict[object, object]) -> list[Any]:
    """Highlights of a sidecar before KOReader 2024: ``highlight`` by page, notes in bookmarks.

    A highlight's bookmark has the same ``datetime``; its ``text`` is the reader's note,
    unless it is KOReader's own "Page 12 <highlighted text> @ 2020-01-01 10:00:00".
    """
    bookmarks = {_text(b.get("datetime")): b for b in map(_dict, _list(table.get("bookmarks")))}
    records: list[Any] = []
    for page in _list(table.get("highlight")):
        for item in map(_dict, _values(page)):
            note = _text(_dict(bookmarks.get(_text(item.get("datetime")))).get("text"))
            if _AUTO_TEXT.match(note) and _text(item.get("text")) in note:
                note = ""
            records.append({**item, "note": _text(item.get("note")) or note})
    return records


def json_annotations(data: dict[str, Any]) -> tuple[list[ImportedAnnotation], list[str]]:
    """The highlights of KOReader's JSON export, and a line for each that could not be read.

    Args:
        data: the parsed export (one book, or ``documents`` of several).

    Returns:
        The annotations, book by book, and the problems.
    """
    documents = data.get("documents") if isinstance(data.get("documents"), list) else [data]
    items: list[ImportedAnnotation] = []
    problems: list[str] = []
    for d, document in enumerate(map(_dict, documents or []), start=1):
        title = _text(document.get("title"))
        authors = _authors(_text(document.get("author")))
        checksum = _text(document.get("md5sum")).lower()
        book_id = MD5_PREFIX + checksum if re.fullmatch(r"[0-9a-f]{32}", checksum) else ""
        for n, raw in enumerate(_list(document.get("entries")), start=1):
            entry = _dict(raw)
            origin = f"entry {n}" if len(documents or []) == 1 else f"book {d}, entry {n}"
            text = _text(entry.get("text"))
            if not text and not _text(entry.get("note")):
                problems.append(f"{origin}: it has neither text nor a note")
                continue
            stamp = entry.get("time")
            created = ""
            if isinstance(stamp, int | float) and 0 < stamp < 1e11:
                created = format_utc(datetime.fromtimestamp(stamp, UTC))
            items.append(
                ImportedAnnotation(
                    book_id=book_id,
                    book_title=title,
                    book_authors=authors,
                    quote=text,
                    chapter=_fragment(_text(entry.get("pn_xp"))),
                    spine=_fragment(_text(entry.get("pn_xp"))),
                    section=_text(entry.get("chapter")),
                    color=_STYLE_COLORS.get(_text(entry.get("color")).lower(), ""),
                    note=_text(entry.get("note")),
                    created=created,
                    source=KOREADER,
                    origin=origin,
                )
            )
    return items, problems


def _fragment(xpointer: str) -> int | None:
    """The spine index (0-based) an XPointer names, or None for a page number."""
    match = _DOC_FRAGMENT.match(xpointer)
    return int(match.group(1)) - 1 if match and int(match.group(1)) > 0 else None


def _local_time(text: str) -> str:
    """KOReader's ``YYYY-MM-DD HH:MM:SS`` (the device's clock) kept as it is, ISO-shaped."""
    if not _DATETIME.match(text):
        return ""
    return text.replace(" ", "T")


def _authors(text: str) -> tuple[str, ...]:
    return tuple(a.strip() for a in re.split(r"\n|;", text) if a.strip())


def _text(value: object) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _dict(value: object) -> dict[Any, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[Any]:
    if isinstance(value, list):
        return value
    return _values(value) if isinstance(value, dict) else []


def _values(value: object) -> list[Any]:
    """A Lua array's values in index order."""
    if isinstance(value, list):
        return value
    if not isinstance(value, dict):
        return []
    numbered = sorted(k for k in value if isinstance(k, int) and not isinstance(k, bool))
    return [value[k] for k in numbered]
