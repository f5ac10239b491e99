"""Read annotations written by other tools (or by our own export) into one shape.

Each reader is a pure function from text to a report: the annotations it could read, and a
line for every record it could not. Storing them is ``reader_app.storage.imports``' job.

- :mod:`reader_app.core.importers.clippings`: a Kindle ``My Clippings.txt``.
- :mod:`reader_app.core.importers.w3c`: our W3C Web Annotation JSON export.
- :mod:`reader_app.core.importers.calibre`: calibre's annotations export.
- :mod:`reader_app.core.importers.koreader`: KOReader's sidecars and JSON export.

This module holds what both produce, and :func:`detect_format`. It imports neither reader,
so that each of them can import it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, Literal

from reader_app.core import jsonsafe

KINDLE: Final = "kindle"
W3C: Final = "w3c"
CALIBRE: Final = "calibre"
# calibre's copy of a book's annotations in the EPUB: META-INF/calibre_bookmarks.txt.
CALIBRE_EPUB_PREFIX: Final = "encoding=json+base64:"
KOREADER: Final = "koreader"

ImportFormat = Literal["kindle", "w3c", "calibre", "koreader"]
# A KOReader sidecar: ``-- path/to/metadata.epub.lua`` then ``return {``.
_LUA_TABLE = re.compile(r"^(?:--[^\n]*\n\s*)*return\s*\{")

# A record separator line of My Clippings.txt; Kindle writes exactly ten.
CLIPPINGS_SEPARATOR = re.compile(r"^\s*={10}\s*$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class ImportedProvenance:
    """Where an imported analysis came from (the export's provenance body).

    Attributes:
        model: the Claude model that answered.
        prompt_version: the prompt's version.
        analysed_at: when the answer came (UTC ISO 8601).
        input_tokens: tokens sent.
        output_tokens: tokens received.
        cost_usd: what the request cost.
        corrected: the reader corrected the model's answer; ``analysis`` is the corrected one.
    """

    model: str = ""
    prompt_version: str = ""
    analysed_at: str = ""
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    corrected: bool = False


@dataclass(frozen=True, slots=True)
class ImportedAnnotation:
    """One annotation read from a file, not yet placed in any book of the library.

    Attributes:
        book_id: the book's SHA-256 (or an ``import:`` id) when the file names one, else "".
        book_title: the book's title as the file gives it.
        book_authors: its authors, as the file gives them.
        quote: the highlighted text; "" for a note that belongs to no highlight.
        prefix: text just before the quote, when known.
        suffix: text just after it, when known.
        chapter: the chapter index, when known; a hint, since the book may differ.
        section: the section title, when known.
        start: the quote's start in that chapter's text, when known.
        end: its end, when known.
        orphaned: whether the exporting library had lost the quote; None when not said.
        color: the highlight's colour, or "" for the default.
        note: the reader's note.
        created: when it was made: UTC ISO 8601; a local time without a zone
            (``2014-04-21T22:08:07``) when the file gives none, as Kindle does; or the
            file's own text if unparseable.
        modified: when it was last changed, same form; "" when unknown.
        analysis: the tone analysis as JSON, when the file carries one.
        provenance: where that analysis came from.
        source: where the highlight first came from (``kindle``, ``w3c``, or what an
            export recorded).
        origin: where in the file it was read (``record 3 (line 12)``, ``item 4``), for
            problems found later.
        spine: the EPUB spine item it is in (0-based), when the file says so (calibre,
            KOReader) instead of a chapter; ``chapter`` then holds the same number as a hint.
    """

    book_id: str
    book_title: str
    book_authors: tuple[str, ...]
    quote: str
    prefix: str = ""
    suffix: str = ""
    chapter: int | None = None
    section: str = ""
    start: int | None = None
    end: int | None = None
    orphaned: bool | None = None
    color: str = ""
    note: str = ""
    created: str = ""
    modified: str = ""
    analysis: dict[str, Any] | None = None
    provenance: ImportedProvenance = field(default_factory=ImportedProvenance)
    source: str = ""
    origin: str = ""
    spine: int | None = None


def format_utc(moment: datetime) -> str:
    """Format a time as the library stores it: UTC ISO 8601 with milliseconds and ``Z``.

    The same shape as ``reader_app.storage.db.format_timestamp`` (core may not import
    storage), so imported and native timestamps sort together as text.

    Args:
        moment: a time; a naive one is taken to be UTC already.

    Returns:
        For example ``2014-04-21T22:08:07.000Z``.
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def detect_format(text: str) -> ImportFormat | None:
    """Tell which of the formats we import a file's text is in.

    Args:
        text: the decoded file.

    Returns:
        ``"calibre"`` or ``"koreader"`` for their JSON exports, ``"w3c"`` for other JSON,
        ``"koreader"`` for a ``return {...}`` Lua sidecar, ``"kindle"`` for text with
        clippings separators, else None.
    """
    body = text.lstrip("\ufeff \t\r\n")
    if body[:1] in ("{", "["):
        try:
            jsonsafe.loads(body)
        except ValueError:  # JsonTooDeep included
            pass  # a clippings title may start with "[Series]"; TOML starts with "[" too
        else:
            return _json_kind(jsonsafe.loads(body))
    if _LUA_TABLE.match(body):
        return KOREADER
    if body.startswith(CALIBRE_EPUB_PREFIX):
        return CALIBRE
    return KINDLE if CLIPPINGS_SEPARATOR.search(body) else None


def _json_kind(data: object) -> ImportFormat:
    """Which JSON format: calibre's collection, KOReader's export, else our W3C."""
    if isinstance(data, dict):
        if data.get("type") == "calibre_annotation_collection":
            return CALIBRE
        if isinstance(data.get("entries"), list) or isinstance(data.get("documents"), list):
            return KOREADER
    if (
        isinstance(data, list)
        and any(isinstance(a, dict) and "highlighted_text" in a for a in data)
        and all(isinstance(a, dict) and a.get("type") in ("highlight", "bookmark") for a in data)
    ):
        return CALIBRE  # the bare list calibre keeps in an EPUB
    return W3C
