"""Readwise's CSV import (readwise.io/import_bulk).

Columns, in this order: ``Highlight,Title,Author,URL,Note,Location,Date``.

- RFC 4180: comma-separated, CRLF between records, a cell with a comma, quote or line
  break in double quotes, a quote inside doubled (``""``). Line breaks inside a highlight
  stay real line breaks inside its quoted cell.
- ``Location`` is the highlight's ordinal in reading order within its book (1, 2, …),
  so Readwise sorts highlights as the book does; orphans come after the rest.
- ``Date`` is when the highlight was made, ``YYYY-MM-DD HH:MM:SS`` in UTC.
- ``Note`` is the reader's note, then the tone summary ("Tone: Harsh and Condemning
  (disgust 70%) — explanation…") and a short provenance line.
- ``URL`` stays empty: Readwise makes each distinct URL a separate document.
- No byte-order mark: Readwise would read it as part of the first column's name.

CSV injection: a spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or
a tab or carriage return) as a formula. Such a cell gets an apostrophe in front, as OWASP
recommends; spreadsheets then show the text, and Readwise shows the apostrophe, which is
the price of opening the file safely anywhere.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from reader_app.core.exporters.common import (
    group_by_book,
    parse_time,
    provenance_text,
    tone_summary,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from reader_app.core.annotations import Annotation

HEADER: tuple[str, ...] = ("Highlight", "Title", "Author", "URL", "Note", "Location", "Date")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def defuse(cell: str) -> str:
    """Make a cell safe to open in a spreadsheet (see the module docstring)."""
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


def _note(a: Annotation) -> str:
    parts = [a.note.strip()] if a.note.strip() else []
    if a.analysis is not None:
        parts.append(tone_summary(a))
        parts.append(f"({provenance_text(a.provenance, usage=False)})")
    return "\n\n".join(parts)


def _date(value: str) -> str:
    moment = parse_time(value)
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def export_readwise_csv(
    annotations: Sequence[Annotation], *, generated_at: str, app_version: str
) -> str:
    """Render annotations as a Readwise CSV file.

    Args:
        annotations: what to export, from one book or many.
        generated_at: unused: the format has no place for it (kept for a uniform API).
        app_version: unused, likewise.

    Returns:
        The CSV text (CRLF line ends; write it as bytes so they stay as they are).
    """
    del generated_at, app_version
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(HEADER)
    for group in group_by_book(annotations):
        author = defuse(", ".join(group.authors))
        title = defuse(group.title)
        writer.writerows(
            (defuse(a.quote), title, author, "", defuse(_note(a)), str(n), _date(a.created_at))
            for n, a in enumerate(group.annotations, start=1)
        )
    return buffer.getvalue()
