"""Import and export the examples library as JSONL or CSV (DESIGN.md §7).

JSONL holds one ``example_to_dict`` object per line, as ``resources/examples/seed.jsonl``
does; a ``.json`` file may also hold one JSON array of such objects. CSV has the header
``excerpt,tone,emotions,explanation,tags`` (any order, any case, more columns allowed, of
which ``source``, ``speaker`` and ``addressee`` are read); emotions are written
``joy:0.6;trust:0.4`` (``60%`` is accepted too) and tags ``seed;poetry``.

Reading is forgiving per row and strict per file: a bad row becomes a ``"line N: why"``
problem and every good row is still returned, so nothing is dropped without a word, while
a file that cannot be read at all (missing, binary, not UTF-8, a CSV without the required
columns) raises :class:`ExamplesFileError` with one line for the user.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from reader_app.core import jsonsafe
from reader_app.core.atomic import atomic_write_bytes
from reader_app.core.emotions import EMOTIONS
from reader_app.core.errors import ReaderError
from reader_app.core.examples import ExampleFormatError, example_from_dict, example_to_dict
from reader_app.core.exporters.readwise import defuse
from reader_app.core.files import read_regular

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from pathlib import Path

    from reader_app.core.examples import Example

CSV_COLUMNS: tuple[str, ...] = (
    "excerpt", "tone", "emotions", "explanation", "tags", "source", "speaker", "addressee",
)  # fmt: skip
"""The columns ``write_examples`` writes: the documented five, then ``source``, ``speaker``
and ``addressee``."""

_REQUIRED_COLUMNS = ("excerpt", "tone")
_JSON_SUFFIXES = (".jsonl", ".json")
# Bytes that never occur in text (tab, newlines, form feed and escape excepted).
_CONTROL_CHARS = frozenset(chr(c) for c in (*range(0, 9), *range(14, 27), *range(28, 32)))


# An examples file is a few thousand short passages; far more is not one.
MAX_EXAMPLES_FILE_BYTES = 64 << 20


class ExamplesFileError(ReaderError):
    """An examples file could not be read or written as a whole."""


@dataclass(frozen=True)
class ImportReport:
    """What an examples file held.

    Attributes:
        examples: the good rows, in file order.
        problems: one ``"line N: why"`` per row that was not used, in file order.
    """

    examples: list[Example] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def read_examples(path: Path) -> ImportReport:
    """Read examples from a JSONL, JSON or CSV file.

    The format follows the extension (``.jsonl``, ``.json``, ``.csv``); any other name is
    read as JSON when its first non-blank character is ``{`` or ``[``, else as CSV.

    Args:
        path: the file.

    Returns:
        The good examples and one problem per bad row. Line numbers are those of the file
        as a text editor shows them: a CSV header is line 1, and a row whose quoted excerpt
        spans several lines is reported at the line where it starts.

    Raises:
        ExamplesFileError: the file is missing or unreadable, is not UTF-8 text, or is a
            CSV file without ``excerpt`` and ``tone`` columns.
    """
    # Only a regular file, never a FIFO or a device, and never more than the limit.
    data = read_regular(path, MAX_EXAMPLES_FILE_BYTES, ExamplesFileError, what="examples file")
    text = _decode(data, path)
    # Spreadsheets write CRLF, old Macs CR; one kind of line end keeps line numbers right
    # and keeps Windows line ends out of the excerpts.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    suffix = path.suffix.lower()
    first = text.lstrip()[:1]
    if suffix in _JSON_SUFFIXES or (suffix != ".csv" and first in ("{", "[")):
        return _read_json_array(text) if first == "[" else _read_jsonl(text)
    return _read_csv(text, path)


def write_examples(path: Path, examples: Sequence[Example]) -> None:
    """Write examples to a file, atomically: readers see the old file or the new one.

    ``.csv`` gives CSV with a UTF-8 byte-order mark (without one, Excel takes the file for
    the local code page and garbles curly quotes); ``.json`` gives one JSON array; any
    other name gives JSONL.

    Args:
        path: the file to create or replace.
        examples: what to write, in this order.

    Raises:
        ExamplesFileError: the file could not be written; the old one, if any, is intact.
    """
    suffix = path.suffix.lower()
    if suffix == ".csv":
        data = _csv_text(examples).encode("utf-8-sig")
    elif suffix == ".json":
        items = [example_to_dict(e) for e in examples]
        data = (json.dumps(items, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    else:
        data = "".join(
            json.dumps(example_to_dict(e), ensure_ascii=False) + "\n" for e in examples
        ).encode("utf-8")
    try:
        atomic_write_bytes(path, data)
    except OSError as exc:
        raise ExamplesFileError(f"Cannot write “{path}”: {exc.strerror or exc}.") from exc


def parse_emotions(cell: str) -> tuple[tuple[str, float], ...]:
    """Read emotions written as ``joy:0.6;trust:0.4`` (or ``joy:60%``).

    Args:
        cell: the text; blank means no emotions.

    Returns:
        (name, intensity) pairs in the order given.

    Raises:
        ExampleFormatError: an unknown emotion, a missing or out-of-range intensity, or
            the same emotion twice.
    """
    pairs: list[tuple[str, float]] = []
    for part in cell.split(";"):
        if not part.strip():
            continue
        name, colon, value = (p.strip() for p in part.partition(":"))
        name = name.casefold()
        if name not in EMOTIONS:
            raise ExampleFormatError(f"unknown emotion “{name}” (use {', '.join(EMOTIONS)})")
        if not colon or not value:
            raise ExampleFormatError(f"“{name}” needs an intensity, e.g. {name}:0.6")
        intensity = _intensity(name, value)
        if any(name == seen for seen, _ in pairs):
            raise ExampleFormatError(f"“{name}” is given twice")
        pairs.append((name, intensity))
    return tuple(pairs)


def format_emotions(emotions: Iterable[tuple[str, float]]) -> str:
    """Write emotions the way :func:`parse_emotions` reads them.

    Args:
        emotions: (name, intensity) pairs.

    Returns:
        For example ``joy:0.6;trust:0.4``.
    """
    # repr() is the shortest text that reads back as the same float: 0.6, not 0.59999….
    return ";".join(f"{name}:{float(intensity)!r}" for name, intensity in emotions)


def split_tags(text: str, separator: str = ";") -> tuple[str, ...]:
    """Tags from one cell or field, trimmed, without blanks or repeats.

    Args:
        text: the tags joined by ``separator``.
        separator: ``;`` in CSV, ``,`` where people type them.

    Returns:
        The tags in the order first given.
    """
    return tuple(dict.fromkeys(t.strip() for t in text.split(separator) if t.strip()))


def _intensity(name: str, value: str) -> float:
    """An intensity between 0 and 1 from ``0.6`` or ``60%``."""
    percent = value.endswith("%")
    try:
        number = float(value.removesuffix("%").strip())
    except ValueError:
        raise ExampleFormatError(f"intensity of {name} is not a number: “{value}”") from None
    if percent:
        number /= 100
    # "not inside" rather than "outside" so that NaN is refused too.
    if not 0 <= number <= 1:
        raise ExampleFormatError(
            f"intensity of {name} must be between 0 and 1 (or 0% and 100%), not {value}"
        )
    return number


def _decode(data: bytes, path: Path) -> str:
    """The file's text; UTF-8 with or without a byte-order mark, or UTF-16 with one."""
    encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        # Guessing a code page could quietly garble every accented letter of every
        # excerpt; better to say what to do.
        if any(chr(b) in _CONTROL_CHARS for b in data[:4096]):
            raise ExamplesFileError(f"“{path.name}” is a binary file, not examples.") from None
        raise ExamplesFileError(
            f"“{path.name}” is not UTF-8 text. Save it as “CSV UTF-8” or UTF-8 JSONL."
        ) from None
    if any(c in _CONTROL_CHARS for c in text[:4096]):
        raise ExamplesFileError(f"“{path.name}” is a binary file, not examples.")
    return text


def _from_json(value: Any, number: int, report: ImportReport) -> None:
    """Add one decoded JSON value to the report, as an example or as a problem."""
    try:
        if not isinstance(value, dict):
            raise ExampleFormatError("not a JSON object")
        if not isinstance(value.get("emotions") or [], list):
            raise ExampleFormatError("“emotions” must be a list of {name, intensity} objects")
        report.examples.append(example_from_dict(value))
    except ExampleFormatError as exc:
        report.problems.append(f"line {number}: {exc}")


def _read_jsonl(text: str) -> ImportReport:
    report = ImportReport()
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            value = jsonsafe.loads(line)
        except json.JSONDecodeError as exc:
            report.problems.append(f"line {number}: not valid JSON ({exc.msg})")
            continue
        _from_json(value, number, report)
    return report


def _read_json_array(text: str) -> ImportReport:
    """One JSON array of example objects; each is reported at the line where it starts."""
    report = ImportReport()
    decoder = json.JSONDecoder()
    position = text.index("[") + 1

    def skip_space(at: int) -> int:
        while at < len(text) and text[at].isspace():
            at += 1
        return at

    position = skip_space(position)
    if text.startswith("]", position):
        return report
    while True:
        number = text.count("\n", 0, position) + 1
        try:
            try:
                value, position = decoder.raw_decode(text, position)
            except RecursionError:
                raise jsonsafe.JsonTooDeep("") from None
        except json.JSONDecodeError as exc:
            # A syntax error leaves no safe place to resume: say where and stop.
            report.problems.append(
                f"line {exc.lineno}: not valid JSON ({exc.msg}); the rest of the file was not read"
            )
            return report
        _from_json(value, number, report)
        position = skip_space(position)
        if text.startswith(",", position):
            position = skip_space(position + 1)
            continue
        if not text.startswith("]", position):
            line = text.count("\n", 0, position) + 1
            report.problems.append(
                f"line {line}: expected “,” or “]”; the rest of the file was not read"
            )
        return report


def _read_csv(text: str, path: Path) -> ImportReport:
    report = ImportReport()
    # strict: a stray quote is an error here, where the lenient reader would quietly run
    # the rest of the file into one excerpt.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: _Header | None = None
    ended = 0  # the last line of the previous record: the next record starts after it
    while True:
        start = ended + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problem = _csv_problem(str(exc), start, reader.line_num)
            report.problems.append(f"line {start}: {problem}")
            ended = reader.line_num
            continue
        ended = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if header is None:
            header = _header(row, path)
            continue
        try:
            report.examples.append(_csv_example(row, header))
        except ExampleFormatError as exc:
            report.problems.append(f"line {start}: {exc}")
    return report


def _csv_problem(message: str, start: int, end: int) -> str:
    """A csv module error in words a spreadsheet user knows."""
    if "unexpected end of data" in message:
        return f"a quoted cell is never closed, so lines {start}–{end} were not read"
    if "expected after" in message:
        return 'text after a closing quote (inside quotes, write a quote as "")'
    return message


@dataclass(frozen=True)
class _Header:
    """A CSV header: column positions by lower-case name, and how many cells it has."""

    columns: dict[str, int]
    width: int


def _header(row: list[str], path: Path) -> _Header:
    """Read the header row; the first of two equal names wins."""
    columns: dict[str, int] = {}
    for index, name in enumerate(row):
        columns.setdefault(name.strip().casefold(), index)
    missing = [c for c in _REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise ExamplesFileError(
            f"“{path.name}” is not an examples file: its first line must name the columns,"
            f" with at least {' and '.join(_REQUIRED_COLUMNS)} (missing: {', '.join(missing)})."
        )
    return _Header(columns, len(row))


def _csv_example(row: list[str], header: _Header) -> Example:
    # Spreadsheets sometimes add empty cells at the end of a row; those are harmless.
    if any(extra.strip() for extra in row[header.width :]):
        # More cells than names: almost always an unquoted comma inside the excerpt,
        # which shifts every later cell into the wrong column.
        raise ExampleFormatError(
            f"{len(row)} cells but {header.width} column names (put text with commas in quotes)"
        )

    def cell(name: str) -> str:
        index = header.columns.get(name)
        # A short row (trailing empty cells left out) is fine: the rest is blank.
        return _undefuse(row[index]) if index is not None and index < len(row) else ""

    try:
        emotions = parse_emotions(cell("emotions"))
        return example_from_dict(
            {
                "excerpt": cell("excerpt"),
                "tone": cell("tone"),
                "emotions": [{"name": n, "intensity": i} for n, i in emotions],
                "explanation": cell("explanation"),
                "source": cell("source"),
                "tags": list(split_tags(cell("tags"))),
                "speaker": cell("speaker"),
                "addressee": cell("addressee"),
            }
        )
    except ExampleFormatError as exc:
        if len(row) <= header.width:
            raise
        # Empty extra cells may be a shifted row rather than harmless padding: say so.
        raise ExampleFormatError(
            f"{exc}; the row has {len(row)} cells but the header {header.width}"
            " (put text with commas in quotes)"
        ) from None


def _csv_text(examples: Sequence[Example]) -> str:
    out = io.StringIO(newline="")
    # RFC 4180: CRLF between records, cells quoted only when needed. Line breaks inside an
    # excerpt stay "\n" inside its quotes, as spreadsheets write them.
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for e in examples:
        cells = [e.excerpt, e.tone, format_emotions(e.emotions), e.explanation,
                 ";".join(e.tags), e.source, e.speaker, e.addressee]  # fmt: skip
        # A cell starting with = + - @ would run as a formula in a spreadsheet.
        writer.writerow([_defuse(cell) for cell in cells])
    return out.getvalue()


def _formula_after_quotes(cell: str) -> bool:
    """Whether ``cell`` is apostrophes then something a spreadsheet would run."""
    bare = cell.lstrip("'")
    return bare != cell and defuse(bare) != bare


def _defuse(cell: str) -> str:
    """The Readwise exporter's :func:`defuse`, made reversible for the import.

    A cell that already starts with apostrophes before a formula gets one more, so that
    :func:`_undefuse` can take exactly one away from every cell that has one to spare.
    """
    return "'" + cell if _formula_after_quotes(cell) else defuse(cell)


def _undefuse(cell: str) -> str:
    """A cell as it was before :func:`_defuse` protected it.

    So export then import gives back the same examples; a spreadsheet, too, hides the
    apostrophe and shows the text as it was.
    """
    return cell[1:] if _formula_after_quotes(cell) else cell
