"""Exports of annotations: Markdown, HTML, W3C JSON, Readwise CSV, Anki, KOReader Markdown.

Each format is one module with one pure function::

    export_<format>(annotations, *, generated_at, app_version) -> str | bytes

that reads nothing and writes nothing: the time and version come in as arguments, so the
same annotations always give the same file (the golden-file tests rely on that). Every
exporter orders books by first appearance and each book's annotations in reading order.
:data:`EXPORTERS` maps the command line's format names to them, and :func:`write_export`
puts the result on disk atomically.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from reader_app.core.atomic import atomic_write_bytes
from reader_app.core.errors import ReaderError
from reader_app.core.exporters.anki import anki_card_count, export_anki
from reader_app.core.exporters.html import export_html
from reader_app.core.exporters.koreader_md import export_koreader_markdown
from reader_app.core.exporters.markdown import export_markdown
from reader_app.core.exporters.readwise import export_readwise_csv
from reader_app.core.exporters.w3c import export_w3c

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from reader_app.core.annotations import Annotation

__all__ = [
    "EXPORTERS",
    "ExportError",
    "ExportFormat",
    "Exporter",
    "anki_card_count",
    "export_anki",
    "export_html",
    "export_koreader_markdown",
    "export_markdown",
    "export_readwise_csv",
    "export_w3c",
    "exported_count",
    "write_export",
]

_NEW_FILE_MODE = 0o644  # an export is meant to be shared, unlike mkstemp's private 0600


class ExportError(ReaderError):
    """An export could not be written; the message is one line for the user."""


class Exporter(Protocol):
    """The signature every exporter has."""

    def __call__(
        self, annotations: Sequence[Annotation], *, generated_at: str, app_version: str
    ) -> str | bytes:
        """Render the annotations as the file's content."""
        ...


@dataclass(frozen=True, slots=True)
class ExportFormat:
    """One export format.

    Attributes:
        key: the command line's name for it (``--format``).
        name: its name for people.
        suffix: the file suffix, with the dot.
        export: the exporter.
    """

    key: str
    name: str
    suffix: str
    export: Exporter


EXPORTERS: dict[str, ExportFormat] = {
    f.key: f
    for f in (
        ExportFormat("md", "Markdown", ".md", export_markdown),
        ExportFormat("html", "HTML page", ".html", export_html),
        ExportFormat("json", "W3C Web Annotation JSON", ".json", export_w3c),
        ExportFormat("csv", "Readwise CSV", ".csv", export_readwise_csv),
        ExportFormat("anki", "Anki deck", ".apkg", export_anki),
        ExportFormat("koreader", "KOReader Markdown", ".md", export_koreader_markdown),
    )
}


def exported_count(key: str, annotations: Sequence[Annotation]) -> int:
    """How many annotations a format keeps: all, except Anki, which needs an analysis."""
    return anki_card_count(annotations) if key == "anki" else len(annotations)


def write_export(path: Path, data: str | bytes) -> None:
    """Write an export atomically: the old file, if any, stays whole until the new one is.

    The data goes to a temporary file in the same folder, is flushed to disk, then
    replaces ``path`` in one rename, so a full disk or a crash never leaves a half-written
    export. A replaced file keeps its permissions; a new one gets 0644.

    Args:
        path: the file to create or replace.
        data: the content; text is written as UTF-8, with its line ends as they are.

    Raises:
        ExportError: the file could not be written (missing or read-only folder, full
            disk, no permission…); no temporary file is left behind.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        mode = _NEW_FILE_MODE
    try:
        atomic_write_bytes(path, payload, mode)
    except OSError as exc:
        raise _error(path, exc) from exc


def _error(path: Path, exc: OSError) -> ExportError:
    reason = exc.strerror or str(exc) or type(exc).__name__
    return ExportError(f"Cannot write “{path}”: {reason}.")
