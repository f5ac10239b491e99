"""Read an annotations file from disk and tell which reader it needs.

Shared by ``tone-reader import`` and File → Import Annotations, so both accept and refuse
the same files with the same one-line messages.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reader_app.core import jsonsafe
from reader_app.core.errors import BookError
from reader_app.core.files import read_regular
from reader_app.core.importers import (
    CALIBRE,
    CALIBRE_EPUB_PREFIX,
    KINDLE,
    KOREADER,
    detect_format,
)

if TYPE_CHECKING:
    from pathlib import Path

    from reader_app.core.importers import ImportedAnnotation, ImportFormat


# Far above any reader's export (20,000 Kindle clippings are about 10 MB).
MAX_IMPORT_BYTES = 256 << 20


@dataclass(frozen=True)
class ImportFile:
    """What an annotations file holds.

    Attributes:
        kind: the format it was read as.
        items: the annotations that could be read.
        problems: one line per record that could not (``where: why``).
        redone: earlier Kindle records of a highlight that was re-done, left out.
    """

    kind: ImportFormat
    items: list[ImportedAnnotation]
    problems: list[str]
    redone: int


def read_import_file(path: Path) -> ImportFile:
    """Read and parse an annotations file.

    Args:
        path: a W3C JSON export, a Kindle ``My Clippings.txt``, a calibre annotations
            export or a KOReader sidecar or JSON export; the format is told from the
            content, not the name.

    Returns:
        The annotations and the problems; ``items`` may be empty when every record had one.

    Raises:
        BookError: the file is missing, unreadable, empty or in no format we import.
    """
    from reader_app.core.loaders.encoding import decode_text

    text, _encoding = decode_text(_read(path), path.name)
    kind = detect_format(text)
    if kind is None:
        raise BookError(
            f"“{path.name}” is not a format Tone Reader imports"
            f" (W3C JSON, a Kindle My Clippings.txt, calibre's annotations export, or a"
            f" KOReader metadata.lua sidecar or JSON export){_json_error(text)}."
        )
    if kind == KINDLE:
        from reader_app.core.importers.clippings import parse_clippings, to_annotations

        report = parse_clippings(text)
        return ImportFile(
            kind, to_annotations(report.clippings), list(report.problems), report.duplicates
        )
    if kind in (CALIBRE, KOREADER):
        items, problems = _read_calibre_or_koreader(kind, text, path.name)
        return ImportFile(kind, items, problems, 0)
    from reader_app.core.importers.w3c import parse_w3c

    w3c = parse_w3c(text)
    return ImportFile(kind, list(w3c.items), list(w3c.problems), 0)


def _read_calibre_or_koreader(
    kind: ImportFormat, text: str, name: str
) -> tuple[list[ImportedAnnotation], list[str]]:
    """The annotations of a calibre collection or a KOReader sidecar or JSON export."""
    from reader_app.core.importers import calibre, koreader
    from reader_app.core.importers.lua_table import LuaTableError, parse_lua_table

    body = text.lstrip("\ufeff \t\r\n")
    if kind == CALIBRE:
        title, authors = calibre.title_from_name(name)
        if body.startswith(CALIBRE_EPUB_PREFIX):
            try:
                body = calibre.decode_epub_copy(body)
                data = jsonsafe.loads(body)
            except ValueError as exc:  # JSONDecodeError is one
                raise BookError(f"“{name}” is calibre's annotations, but {exc}.") from None
            return calibre.collection_annotations(data, title, authors)
        return calibre.collection_annotations(jsonsafe.loads(body), title, authors)
    if body[:1] == "{":
        return koreader.json_annotations(jsonsafe.loads(body))
    try:
        table = parse_lua_table(body)
    except LuaTableError as exc:
        raise BookError(f"“{name}” is not a KOReader sidecar Tone Reader reads: {exc}.") from None
    if not koreader.is_sidecar(table):
        raise BookError(f"“{name}” is a Lua table but not a KOReader sidecar.")
    return koreader.sidecar_annotations(table)


def _json_error(text: str) -> str:
    """Why a file that looks like JSON is not, so a damaged export can be told apart."""
    body = text.lstrip("\ufeff \t\r\n")
    if body[:1] != "{":
        return ""
    try:
        jsonsafe.loads(body)
    except jsonsafe.JsonTooDeep:
        return ": its JSON is nested too deeply"
    except json.JSONDecodeError as exc:
        return f": its JSON is broken at line {exc.lineno}, column {exc.colno}"
    return ""


def _read(path: Path) -> bytes:
    """The file's bytes.

    Raises:
        BookError: it is missing, a folder, not a regular file (a FIFO would block for
            ever), unreadable, larger than MAX_IMPORT_BYTES or empty (one-line message).
    """
    data = read_regular(path, MAX_IMPORT_BYTES, BookError, what="file of annotations")
    if not data.strip():
        raise BookError(f"“{path.name}” is empty.")
    return data
