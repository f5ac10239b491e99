"""Read a Kindle ``My Clippings.txt`` (see /work/shared/notes/formats.md).

The file is append-only: every highlight, note and bookmark of every book, in the order
they were made, each record ended by a line of ten ``=``::

    Book Title (Author Name)
    - Your Highlight on page 12 | Location 170-172 | Added on Monday, April 21, 2014 10:08:07 PM

    Highlighted text
    ==========

Kindles of many ages and languages wrote it, so the details line is read by keywords
rather than by one layout: what kind of record (highlight, note, bookmark), an optional
page, a location range and a date (see :mod:`kindle_words`), in any part of the line and
any UI language. Bookmarks carry no text and are skipped; a clipped article ("Clip This
Article") is kept as a highlight of the article its title line names. A note is
attached to the highlight it was typed on (the one at the same or an overlapping
location); a highlight made again over the same passage leaves both records in the file,
and the last one wins. A record that cannot be read is reported with its number and line;
the others are kept.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

from reader_app.core.importers import KINDLE, ImportedAnnotation
from reader_app.core.importers.kindle_words import (
    DATE_INTRO,
    LOCATION,
    MONTHS,
    PAGE,
    local_time,
    parse_date,
    record_kind,
)

__all__ = ["Clipping", "ClippingsReport", "parse_clippings", "parse_date", "to_annotations"]

ClippingKind = Literal["highlight", "note"]

# "<You have reached the clipping limit for this item>", and the same in other languages.
_CLIPPING_LIMIT = re.compile(
    r"^\s*<.*(?:clipping limit|limit|l[íi]mite|上限|限制|한도).*>\s*$", re.IGNORECASE | re.DOTALL
)

# The details line of every English Kindle since 2011, read in one match. Most files are
# this layout, and the keyword reading below costs several times as much per record.
_ENGLISH_DETAILS = re.compile(
    r"- Your (Highlight|Note|Bookmark) (?:on|at) (?:page ([0-9ivxlcdm]+) \| )?"
    r"Location (\d+)(?:-(\d+))? \| Added on (?:[A-Z][a-z]+), ([A-Z][a-z]+) (\d{1,2}), (\d{4})"
    r" (\d{1,2}):(\d{2}):(\d{2}) ([AP])M"
)

# Texts of two records of one passage share at least this much where they overlap.
_MIN_SHARED = 12
# A location range longer than this is indexed by its ends only (it is no real highlight).
_MAX_INDEXED_SPAN = 500


@dataclass(frozen=True, slots=True)
class Clipping:
    """One highlight (with any note typed on it), or a note that belongs to none.

    Attributes:
        title: the book's title (everything before the author's parentheses).
        author: the author as Kindle wrote it (``Austen, Jane``; several joined by ``;``).
        kind: ``highlight``, or ``note`` for a note no highlight was found for.
        text: the highlighted text, or the note's text for a lone note.
        page: the page as printed ("12", "xii"), or "".
        location: the Kindle location range, first and last (inclusive), if given.
        added: when it was made, the device's local time as ISO 8601 without a zone
            (``2014-04-21T22:08:07``; with an offset when the file gives one); the file's
            text when unreadable; "" if none.
        note: the reader's note on the highlight, "" if none.
        record: the record's number in the file, from 1.
        line: the line the record starts on, from 1.
    """

    title: str
    author: str
    kind: ClippingKind
    text: str
    page: str = ""
    location: tuple[int, int] | None = None
    added: str = ""
    note: str = ""
    record: int = 0
    line: int = 0

    @property
    def authors(self) -> tuple[str, ...]:
        """The authors, split where Kindle joins several with ``;``."""
        return tuple(a.strip() for a in self.author.split(";") if a.strip())

    @property
    def origin(self) -> str:
        """Where it stands in the file, for messages."""
        return f"record {self.record} (line {self.line})"


@dataclass(frozen=True, slots=True)
class ClippingsReport:
    """What :func:`parse_clippings` read.

    Attributes:
        clippings: the highlights (and lone notes), in the order of the file.
        problems: one line per record that could not be read.
        duplicates: earlier records of a highlight made again, left out.
    """

    clippings: list[Clipping] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    duplicates: int = 0


def parse_clippings(text: str) -> ClippingsReport:
    """Read the text of a ``My Clippings.txt``.

    Args:
        text: the decoded file (a BOM and CRLF line ends are fine).

    Returns:
        The highlights with their notes, lone notes, and a line per unreadable record.
    """
    problems: list[str] = []
    highlights: list[Clipping] = []
    notes: list[Clipping] = []
    for number, first_line, lines in _records(text):
        where = f"record {number} (line {first_line})"
        try:
            clipping = _parse_record(lines, number, first_line)
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
            continue
        if clipping is None:
            continue  # a bookmark
        (notes if clipping.kind == "note" else highlights).append(clipping)
    kept, duplicates = _drop_redone(highlights)
    return ClippingsReport(_attach_notes(kept, notes), problems, duplicates)


def to_annotations(clippings: list[Clipping]) -> list[ImportedAnnotation]:
    """The clippings in the shape the library imports.

    Args:
        clippings: from :func:`parse_clippings`.

    Returns:
        One annotation per clipping; a lone note becomes one with an empty quote.
    """
    return [
        ImportedAnnotation(
            book_id="",
            book_title=c.title,
            book_authors=c.authors,
            quote=c.text if c.kind == "highlight" else "",
            note=c.note if c.kind == "highlight" else c.text,
            created=c.added,
            source=KINDLE,
            origin=c.origin,
        )
        for c in clippings
    ]


# A file names the same few books thousands of times.
@functools.lru_cache(maxsize=64)
def split_title_author(line: str) -> tuple[str, str]:
    """Split ``Title (Author)``: the author is in the last, balanced, parentheses.

    Args:
        line: the record's first line.

    Returns:
        (title, author); the author is "" when the line does not end in parentheses.
    """
    line = line.strip()
    if not line.endswith(")"):
        return line, ""
    depth = 0
    # Walk back to the "(" that closes the final ")", so "(Ed.)" inside the author and
    # "The Hobbit (Illustrated)" before it both survive.
    for index in range(len(line) - 1, -1, -1):
        if line[index] == ")":
            depth += 1
        elif line[index] == "(":
            depth -= 1
            if depth == 0:
                title, author = line[:index].strip(), line[index + 1 : -1].strip()
                return (title, author) if title else (line, "")
    return line, ""


def _records(text: str) -> list[tuple[int, int, list[str]]]:
    """Split the file into (record number, first line number, non-separator lines)."""
    # Plain string operations rather than one regular expression: the same lines, and none
    # of these holds the GIL (so a window importing on a worker) for long on a big file.
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    records: list[tuple[int, int, list[str]]] = []
    current: list[str] = []
    start = 1
    for number, line in enumerate(lines, start=1):
        if line.strip().lstrip("\ufeff") == "=" * 10:
            records.append((0, start, current))
            current, start = [], number + 1
        else:
            current.append(line)
    records.append((0, start, current))
    kept: list[tuple[int, int, list[str]]] = []
    for _, first, body in records:
        # Blank lines before a record (and an unterminated blank tail) are not records.
        while body and not body[0].strip().lstrip("\ufeff"):
            body.pop(0)
            first += 1
        if body:
            kept.append((len(kept) + 1, first, body))
    return kept


def _parse_record(lines: list[str], number: int, first_line: int) -> Clipping | None:
    """One record as a clipping; None for a bookmark.

    Raises:
        ValueError: the record cannot be read; the message says why.
    """
    # Some Kindles start every record's title with a BOM, not only the file's.
    title, author = split_title_author(lines[0].lstrip("\ufeff"))
    if len(lines) < 2 or not lines[1].strip():
        raise ValueError("it has no details line (kind, location, date)")
    english = _ENGLISH_DETAILS.fullmatch(lines[1].strip())
    if english is not None and title:
        fast = _english_record(english, title, author, lines[2:], number, first_line)
        if fast is not False:
            return fast
    details = lines[1].strip().lstrip("-").strip()
    # Japanese Kindles may write a full-width bar between the parts.
    parts = [p.strip() for p in details.replace("｜", "|").split("|")]
    dated = _date_part(parts)
    found = record_kind([p for p in parts if p is not dated])
    if found == "bookmark":
        return None
    if found is None:
        raise ValueError(f"“{_shorten(details)}” is not a highlight, note or bookmark")
    # A clipped article is kept as a highlight of the article (the title line).
    kind: ClippingKind = "note" if found == "note" else "highlight"
    if not title:
        raise ValueError("it names no book")
    body = "\n".join(lines[2:]).strip()
    if not body:
        raise ValueError(f"the {kind} has no text")
    if _CLIPPING_LIMIT.match(body):
        raise ValueError("Kindle did not save this highlight's text (the book's clipping limit)")
    position = " | ".join(p for p in parts if p is not dated)
    added = ""
    if dated is not None:
        added = parse_date(dated) or DATE_INTRO.sub("", dated).strip()
    return Clipping(
        title=title,
        author=author,
        kind=kind,
        text=body,
        page=_page(position),
        location=_location(position),
        added=added,
        record=number,
        line=first_line,
    )


def _date_part(parts: list[str]) -> str | None:
    """The part of the details line that is the date, or None.

    The one that says "Added on" (in any language); failing that, the last part that
    names no kind, page or location and reads as a date.
    """
    for part in parts:
        if DATE_INTRO.match(part):
            return part
    for part in reversed(parts[1:]):
        if record_kind([part]) or LOCATION.search(part) or PAGE.search(part):
            continue
        return part if parse_date(part) else None
    return None


def _english_record(
    details: re.Match[str], title: str, author: str, body_lines: list[str], number: int, line: int
) -> Clipping | Literal[False] | None:
    """The record read as the keyword reading would, or False when only it can say.

    False leaves the odd cases (no text, the clipping limit, an impossible date) to the
    keyword reading, so that their messages are written once.
    """
    kind, page, first, last, month, day, year, hour, minute, second, half = details.groups()
    if kind == "Bookmark":
        return None
    body = "\n".join(body_lines).strip()
    if not body or _CLIPPING_LIMIT.match(body) or month.lower() not in MONTHS or int(hour) > 12:
        return False
    clock = int(hour) % 12 + (12 if half == "P" else 0)
    try:
        moment = datetime(int(year), MONTHS[month.lower()], int(day), clock, int(minute),
                          int(second))  # fmt: skip
    except ValueError:
        return False
    return Clipping(
        title=title,
        author=author,
        kind="highlight" if kind == "Highlight" else "note",
        text=body,
        page=page or "",
        location=_range(first, last),
        added=local_time(moment),
        record=number,
        line=line,
    )


def _page(details: str) -> str:
    found = PAGE.search(details)
    return next((g for g in found.groups() if g), "") if found else ""


def _location(details: str) -> tuple[int, int] | None:
    found = LOCATION.search(details)
    if not found:
        return None
    return _range(found.group(1), found.group(2))


def _range(first: str, last: str | None) -> tuple[int, int]:
    """A location range from its digits; the end may repeat only the digits that changed."""
    start = int(first)
    if last is None:
        return start, start
    if len(last) < len(first) and int(last) < start:
        # "2045-47": the end repeats only the digits that changed.
        last = first[: len(first) - len(last)] + last
    return start, max(start, int(last))


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _span(c: Clipping) -> tuple[str, int, int] | None:
    """Where a clipping is, as comparable ranges: by location, else by page number."""
    if c.location is not None:
        return ("loc", *c.location)
    if c.page.isdigit():
        return "page", int(c.page), int(c.page)
    return None


def _overlap(a: tuple[str, int, int] | None, b: tuple[str, int, int] | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return a[0] == b[0] and a[1] <= b[2] and b[1] <= a[2]


def _same_passage(a: str, b: str) -> bool:
    """Whether two highlight texts are one passage selected twice (one grown, moved…)."""
    a, b = " ".join(a.split()), " ".join(b.split())
    if a in b or b in a:
        return True
    # Moved ends: the end of one is the start of the other.
    return _end_meets_start(a, b) or _end_meets_start(b, a)


def _end_meets_start(first: str, second: str) -> bool:
    """Whether ``first`` ends with at least _MIN_SHARED characters that ``second`` starts with.

    Only shorter than both: a whole text inside the other is the containment case.
    """
    longest = min(len(first), len(second)) - 1
    if longest < _MIN_SHARED:
        return False
    # Where such an end begins, ``first`` holds the start of ``second``: found by str.find,
    # it is rarely anywhere, so two unrelated highlights cost one scan, not one per length.
    head = second[:_MIN_SHARED]
    place = first.find(head, len(first) - longest)
    while 0 <= place <= len(first) - _MIN_SHARED:
        if second.startswith(first[place:]):
            return True
        place = first.find(head, place + 1)
    return False


def _index_keys(book: tuple[str, str], span: tuple[str, int, int] | None) -> list[object]:
    if span is None:
        return [(book, None)]
    kind, start, end = span
    if end - start > _MAX_INDEXED_SPAN:
        return [(book, kind, start), (book, kind, end)]
    return [(book, kind, place) for place in range(start, end + 1)]


def _drop_redone(highlights: list[Clipping]) -> tuple[list[Clipping], int]:
    """Keep the last record of each passage highlighted more than once.

    Two records are one passage when they are of the same book, their locations overlap,
    and their texts do (one contains the other, or they share an end). Overlapping
    locations alone are not enough: a location is a few lines, and two short highlights
    side by side share one.

    Returns:
        The kept highlights in file order, and how many earlier records were left out.
    """
    alive: dict[int, Clipping] = {}
    index: dict[object, set[int]] = {}
    dropped = 0
    for number, clip in enumerate(highlights):
        span = _span(clip)
        keys = _index_keys((clip.title, clip.author), span)
        candidates = set().union(*(index[k] for k in keys if k in index))
        for old in sorted(candidates):
            earlier = alive.get(old)
            if (
                earlier is not None
                and _overlap(_span(earlier), span)
                and _same_passage(earlier.text, clip.text)
            ):
                del alive[old]
                dropped += 1
        alive[number] = clip
        for key in keys:
            index.setdefault(key, set()).add(number)
    return [alive[n] for n in sorted(alive)], dropped


def _attach_notes(highlights: list[Clipping], notes: list[Clipping]) -> list[Clipping]:
    """Give each note to the highlight it was typed on; keep the others as lone notes.

    Kindle puts a note at the last location of its highlight, so a highlight ending there
    is preferred; among equals the nearest one before the note in the file.
    """
    result = list(highlights)
    lone: list[Clipping] = []
    for note in notes:
        span = _span(note)
        best: tuple[tuple[bool, bool, int], int] | None = None
        for index, clip in enumerate(result):
            if (clip.title, clip.author) != (note.title, note.author) or span is None:
                continue
            clip_span = _span(clip)
            if not _overlap(clip_span, span):
                continue
            assert clip_span is not None  # overlapping a known span means known
            rank = (
                clip_span[2] == span[2],
                clip.record < note.record,
                -abs(clip.record - note.record),
            )
            if best is None or rank > best[0]:
                best = (rank, index)
        if best is None:
            lone.append(note)
            continue
        target = result[best[1]]
        joined = f"{target.note}\n\n{note.text}" if target.note else note.text
        result[best[1]] = replace(target, note=joined)
    # Lone notes go where they stood in the file, among the highlights.
    return sorted(result + lone, key=lambda c: c.record)
