"""Read a Kindle ``My Clippings.txt`` (see /work/shared/notes/formats.md).

The file is append-only: every highlight, note and bookmark of every book, in the order
they were made, each record ended by a line of ten ``=``::

    Book Title (Author Name)
    - Your Highlight on page 12 | Location 170-172 | Added on Monday, April 21, 2014 10:08:07 PM

    Highlighted text
    ==========

Kindles of many ages and languages wrote it, so the details line is read by keywords
rather than by one layout: what kind of record (highlight, note, bookmark), an optional
page, a location range and a date. Bookmarks carry no text and are skipped. A note is
attached to the highlight it was typed on (the one at the same or an overlapping
location); a highlight made again over the same passage leaves both records in the file,
and the last one wins. A record that cannot be read is reported with its number and line;
the others are kept.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Literal

from reader_app.core.importers import KINDLE, ImportedAnnotation, format_utc

ClippingKind = Literal["highlight", "note"]

# Keywords of the kind of record, in the languages Kindle writes; looked for in the first
# part of the details line, bookmarks first: "marcador" must not read as anything else.
_BOOKMARK = re.compile(
    r"bookmark|lesezeichen|signet|marcador|segnalibro|bladwijzer|закладка|书签|書籤|ブックマーク",
    re.IGNORECASE,
)
_HIGHLIGHT = re.compile(
    r"highlight|markierung|surlignement|subrayado|evidenziazione|destaque|markering|"
    r"выделение|标注|標註|ハイライト",
    re.IGNORECASE,
)
_NOTE = re.compile(r"\bnot(?:e|iz|a|itie)\b|заметка|笔记|筆記|メモ", re.IGNORECASE)

# "Location 170-172", "Loc. 13169", "Position 170-172", "emplacement 170", "位置 #170-172",
# "位置No. 170-172". Older Kindles shorten the end: "Loc. 2045-47" means 2045-2047.
_LOCATION = re.compile(
    r"(?:location|loc\.|position|emplacement|posici[oó]n|posizione|posi[cç][aã]o|positie|"
    r"позиция|位置(?:\s*no\.)?)\s*#?\s*(\d+)(?:\s*[-–]\s*(\d+))?",
    re.IGNORECASE,
)
_PAGE = re.compile(
    r"(?:\bpage|\bseite|\bp[aá]gina|\bстраниц[аеы])\s*(\d+|[ivxlcdm]+)\b|第\s*(\d+)\s*[页頁]|"
    r"(\d+)\s*ページ",
    re.IGNORECASE,
)
# What introduces the date: "Added on", "Hinzugefügt am", "Ajouté le", "Añadido el", …
_DATE_INTRO = re.compile(
    r"^\s*(?:added\s+on|hinzugef[üu]gt\s+am|ajout[ée]\s+le|a[ñn]adido\s+el|"
    r"aggiunto\s+in\s+data|adicionado:?|toegevoegd\s+op|добавлено:?|添加于|添加於|作成日:?)\s*",
    re.IGNORECASE,
)
_CLIPPING_LIMIT = re.compile(r"^\s*<.*clipping limit.*>\s*$", re.IGNORECASE | re.DOTALL)

_MONTHS = {
    # English, and the abbreviations older Kindles used
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
    # German
    "januar": 1, "jänner": 1, "februar": 2, "märz": 3, "mai": 5, "juni": 6, "juli": 7,
    "oktober": 10, "dezember": 12,
    # French
    "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "juin": 6, "juillet": 7,
    "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "décembre": 12,
    "decembre": 12,
    # Spanish
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7,
    "agosto": 8, "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11,
    "diciembre": 12,
    # Italian
    "gennaio": 1, "febbraio": 2, "aprile": 4, "maggio": 5, "giugno": 6, "luglio": 7,
    "settembre": 9, "ottobre": 10, "dicembre": 12,
    # Portuguese
    "janeiro": 1, "fevereiro": 2, "março": 3, "maio": 5, "junho": 6, "julho": 7,
    "setembro": 9, "outubro": 10, "dezembro": 12,
    # Dutch
    "januari": 1, "februari": 2, "maart": 3, "mei": 5, "augustus": 8,
}  # fmt: skip
_TIME = re.compile(
    r"(上午|下午|午前|午後)?\s*(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AaPp])\.?\s*[Mm]\b\.?)?"
)
_ZONE = re.compile(r"\b(?:GMT|UTC)\s*(?:([+-])(\d{1,2}):?(\d{2})?)?")
_CJK_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
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
        added: when it was made, UTC ISO 8601; the file's text when unreadable; "" if none.
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


def parse_date(text: str) -> str | None:
    """Read a Kindle date in any of the layouts and languages we know, as UTC ISO 8601.

    Kindle writes the device's local time, usually without a zone; such a time is taken
    as UTC, the only choice that does not guess.

    Args:
        text: the date part of the details line, with or without "Added on".

    Returns:
        For example ``2014-04-21T22:08:07.000Z``, or None when it cannot be read.
    """
    text = _DATE_INTRO.sub("", unicodedata.normalize("NFC", text)).strip()
    zone = UTC
    found_zone = _ZONE.search(text)
    if found_zone:
        sign, hours, minutes = found_zone.groups()
        if sign:
            offset = timedelta(hours=int(hours), minutes=int(minutes or 0))
            zone = timezone(-offset if sign == "-" else offset)
        text = text[: found_zone.start()] + text[found_zone.end() :]
    hour = minute = second = 0
    found_time = _TIME.search(text)
    if found_time:
        half, h, m, s, ampm = found_time.groups()
        hour, minute, second = int(h), int(m), int(s or 0)
        pm = (ampm or "").lower() == "p" or half in ("下午", "午後")
        am = (ampm or "").lower() == "a" or half in ("上午", "午前")
        if pm and hour < 12:
            hour += 12
        elif am and hour == 12:
            hour = 0
        text = text[: found_time.start()] + " " + text[found_time.end() :]
    day_month_year = _day_month_year(text)
    if day_month_year is None:
        return None
    year, month, day = day_month_year
    try:
        return format_utc(datetime(year, month, day, hour, minute, second, tzinfo=zone))
    except (ValueError, OverflowError):
        # A day or year too large for a C long overflows instead of failing validation.
        return None


def _day_month_year(text: str) -> tuple[int, int, int] | None:
    """(year, month, day) of the date left once the time and zone are taken out."""
    for pattern in (_CJK_DATE, _ISO_DATE):
        found = pattern.search(text)
        if found:
            year, month, day = (int(g) for g in found.groups())
            return year, month, day
    words = [w.lower().rstrip(".") for w in re.findall(r"[^\W\d_]+\.?", text)]
    named = next((_MONTHS[w] for w in words if w in _MONTHS), None)
    numbers = re.findall(r"\d+", text)
    if named is None or len(numbers) != 2:
        return None
    month = named
    if len(numbers[1]) == 4:
        day, year = int(numbers[0]), int(numbers[1])
    elif len(numbers[0]) == 4:
        year, day = int(numbers[0]), int(numbers[1])
    else:
        # Old Kindles: "Saturday, 26 July 14", the day first and a two-digit year.
        day, year = int(numbers[0]), 2000 + int(numbers[1])
    return year, month, day


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
    parts = [p.strip() for p in details.split("|")]
    head = parts[0]
    if _BOOKMARK.search(head):
        return None
    kind: ClippingKind
    if _HIGHLIGHT.search(head):
        kind = "highlight"
    elif _NOTE.search(head):
        kind = "note"
    else:
        raise ValueError(f"“{_shorten(details)}” is not a highlight, note or bookmark")
    if not title:
        raise ValueError("it names no book")
    body = "\n".join(lines[2:]).strip()
    if not body:
        raise ValueError(f"the {kind} has no text")
    if _CLIPPING_LIMIT.match(body):
        raise ValueError("Kindle did not save this highlight's text (the book's clipping limit)")
    # The date is the part that says "Added on"; failing that, the last part that is not
    # a page or location (a language whose wording we do not know yet).
    dated = [p for p in parts[1:] if _DATE_INTRO.match(p)] or [
        p for p in parts[1:] if not (_LOCATION.search(p) or _PAGE.search(p))
    ][-1:]
    position = " | ".join(p for p in parts if p not in dated)
    added = ""
    if dated:
        added = parse_date(dated[0]) or _DATE_INTRO.sub("", dated[0]).strip()
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
    if not body or _CLIPPING_LIMIT.match(body) or month.lower() not in _MONTHS or int(hour) > 12:
        return False
    clock = int(hour) % 12 + (12 if half == "P" else 0)
    try:
        moment = datetime(int(year), _MONTHS[month.lower()], int(day), clock, int(minute),
                          int(second), tzinfo=UTC)  # fmt: skip
    except ValueError:
        return False
    return Clipping(
        title=title,
        author=author,
        kind="highlight" if kind == "Highlight" else "note",
        text=body,
        page=page or "",
        location=_range(first, last),
        added=format_utc(moment),
        record=number,
        line=line,
    )


def _page(details: str) -> str:
    found = _PAGE.search(details)
    return next((g for g in found.groups() if g), "") if found else ""


def _location(details: str) -> tuple[int, int] | None:
    found = _LOCATION.search(details)
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
