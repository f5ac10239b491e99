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

CSV injection: a cell that a spreadsheet would run as a formula gets an apostrophe in
front, as OWASP recommends; every other cell stays exactly as written, because Readwise
shows the apostrophe as part of the text. See :func:`defuse` for what counts as a formula.

Readwise takes at most 8,191 characters in a highlight (and in a note). A longer highlight
is split into parts rather than trimmed, so no word of the book is lost: each part is at
most 8,191 characters, cut after a sentence where one ends in the second half of the part,
else at a space, and its note starts with "(1/3)", "(2/3)"… Every part keeps the
highlight's location and date, so the parts sort together and in order. A note over the
limit is trimmed, ending with "… (trimmed)".
"""

from __future__ import annotations

import csv
import io
import re
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
# Readwise's limit for a highlight's text and a note, in characters as a browser counts
# them (UTF-16 code units: an emoji counts twice).
LIMIT = 8191
# A cell starting like this is a formula in Excel, LibreOffice and Google Sheets.
_ALWAYS = ("=", "+", "@")
# "-" is a formula only when a number, a bracket or another operator follows ("-2+3",
# "-(A1)", "-=1", "-@SUM…"), or when its first word is a DDE call ("-cmd|' /C calc'!A0").
# Dashes opening dialogue or verse ("--Nay, Traveller!", "- Yes, sir", "—") stay as they are.
_MINUS_FORMULA = re.compile(r"-[-+]*\s*[0-9.(=+@*/^&%<>]|-\S*\|")
# Leading tabs, returns and spaces: OWASP lists tab and carriage return as formula starts
# because some spreadsheets trim them and then read what follows. Guarding every such
# cell would also mark indented verse, so the check looks at what the blanks lead to.
_BLANKS = " \t\r\n"


def defuse(cell: str) -> str:
    """Make a cell safe to open in a spreadsheet, changing only cells that would run.

    Args:
        cell: the cell's text.

    Returns:
        The text with an apostrophe in front when a spreadsheet would read it as a
        formula (``=``, ``+``, ``@``, or ``-`` followed by a number or an operator, also
        after leading blanks); otherwise the text unchanged.
    """
    start = cell.lstrip(_BLANKS) if cell[:1] in _BLANKS else cell
    if not start:
        return cell
    if start.startswith(_ALWAYS) or (start[0] == "-" and _MINUS_FORMULA.match(start)):
        return "'" + cell
    return cell


def _units(text: str) -> int:
    """The length of ``text`` in UTF-16 code units, as Readwise's limit counts it."""
    return len(text) + sum(ord(c) > 0xFFFF for c in text)


def _fit(text: str, limit: int) -> int:
    """The longest prefix length of ``text`` (in code points) within ``limit`` units."""
    end = min(len(text), limit)
    while _units(text[:end]) > limit:
        end -= max(1, (_units(text[:end]) - limit) // 2)
    return end


_SENTENCE_END = re.compile(r"[.!?…。！？][\"'”’)\]]*\s+|\n")


def _cut(text: str, limit: int) -> int:
    """Where to end a part: after a sentence, else at a space, else at the limit."""
    end = _fit(text, limit)
    if end >= len(text):
        return end
    window = text[:end]
    ends = [m.end() for m in _SENTENCE_END.finditer(window, end // 2)]
    if ends:
        return ends[-1]
    space = max(window.rfind(" "), window.rfind("\n"), window.rfind("\t"))
    return space + 1 if space > end // 2 else end


def split_highlight(text: str, limit: int = LIMIT) -> list[str]:
    """Split a highlight into parts Readwise accepts (one part when it already fits).

    Args:
        text: the highlight's text.
        limit: the most units a part may hold.

    Returns:
        The parts, in order; joined, they give ``text`` back exactly.
    """
    if _units(text) <= limit:
        return [text]
    parts = []
    rest = text
    while _units(rest) > limit:
        end = _cut(rest, limit)
        parts.append(rest[:end])
        rest = rest[end:]
    if rest:
        parts.append(rest)
    return parts


def _trim(text: str, limit: int = LIMIT) -> str:
    if _units(text) <= limit:
        return text
    mark = "… (trimmed)"
    return text[: _fit(text, limit - len(mark))].rstrip() + mark


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
        for n, a in enumerate(group.annotations, start=1):
            # One unit is kept for the apostrophe defuse may add to a part.
            parts = split_highlight(a.quote, LIMIT - 1)
            note = _note(a)
            for index, part in enumerate(parts, start=1):
                marked = note
                if len(parts) > 1:
                    marked = f"({index}/{len(parts)})" + (f" {note}" if note else "")
                writer.writerow(
                    (
                        defuse(part),
                        title,
                        author,
                        "",
                        defuse(_trim(marked, LIMIT - 1)),
                        str(n),
                        _date(a.created_at),
                    )
                )
    return buffer.getvalue()
