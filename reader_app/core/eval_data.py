"""Evaluation sets: passages with the label a reader (or a dataset) says is right.

A set comes from a CSV or JSONL file whose columns are mapped by name (the text, the
expected label, and optionally some context), or is built in code from (text, expected)
pairs, e.g. from the reader's corrected highlights. Reading is forgiving but never
silent: a row that cannot be used is reported with its line number, and the good rows
are kept.

Here too are the plain data of evaluation: an item, the answer a run gave for it, and
the vocabularies that map datasets' labels onto ours (``no_impact`` is our "neutral",
``grief`` our "sadness"); :mod:`reader_app.core.evaluation` matches and scores with them.
"""

from __future__ import annotations

import csv
import itertools
import json
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO

from reader_app.core import jsonsafe
from reader_app.core.errors import ReaderError
from reader_app.core.files import open_regular

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping
    from pathlib import Path

# Suffixes read as one JSON object per line; ".json" may also hold an array of objects.
JSONL_SUFFIXES = (".jsonl", ".ndjson")
# A line longer than this is no passage: the file is refused rather than read into memory.
MAX_LINE_BYTES = 16 << 20
# A ``.json`` array is one value and must be read whole; JSON lines have no such limit.
MAX_JSON_ARRAY_BYTES = 256 << 20
# Rows that cannot be used are listed up to this many; then only counted.
MAX_PROBLEMS = 1000

# -- label vocabularies: how datasets (and models) name what we call one thing -------------
# Matching with them is in reader_app.core.evaluation.
POLARITY_WORDS: dict[str, str] = {
    **dict.fromkeys(("negative", "neg", "negatively"), "negative"),
    **dict.fromkeys(("neutral", "neu", "none", "no impact", "noimpact", "objective"), "neutral"),
    **dict.fromkeys(("positive", "pos", "positively"), "positive"),
    **dict.fromkeys(("mixed", "mix", "ambivalent", "both"), "mixed"),
}
# Plutchik's eight with their milder and stronger forms from his wheel, everyday words,
# and the GoEmotions labels (placed as that dataset's own Ekman mapping does, except that
# admiration/approval/caring go to trust and optimism/curiosity/desire to anticipation,
# which Plutchik has and Ekman lacks).
_EMOTION_TABLE = {
    "joy": "joyful joyous happy happiness delight delighted glad gladness cheerful cheer "
    "amusement amused excitement excited gratitude grateful love loving pride proud relief "
    "relieved serenity serene ecstasy ecstatic elation elated contentment content pleasure",
    "trust": "trusting admiration admiring approval approving acceptance accepting caring "
    "respect faith",
    "fear": "afraid scared fearful frightened terror terrified nervousness nervous anxiety "
    "anxious apprehension apprehensive dread worry worried panic",
    "surprise": "surprised amazement amazed astonishment astonished realization realisation "
    "confusion confused shock shocked distraction",
    "sadness": "sad grief grieving sorrow sorrowful unhappy melancholy disappointment "
    "disappointed remorse regret embarrassment embarrassed pensiveness pensive despair "
    "gloom loneliness lonely",
    "disgust": "disgusted loathing revulsion contempt boredom bored",
    "anger": "angry rage furious fury annoyance annoyed irritation irritated disapproval "
    "hostility resentment outrage indignation",
    "anticipation": "anticipating optimism optimistic curiosity curious interest interested "
    "vigilance desire expectation hope hopeful eagerness eager",
}
EMOTION_WORDS: dict[str, str] = {
    word: name for name, words in _EMOTION_TABLE.items() for word in (name, *words.split())
}
# Tone adjectives that mean the same for a reader: a word of a group meets every other.
# Kept small and obvious; the LLM judge is there for the subtler cases.
TONE_GROUPS: dict[str, str] = {
    "ironic": "irony sarcastic sarcasm sardonic mocking wry satirical",
    "scornful": "contemptuous disdainful derisive sneering dismissive",
    "disapproving": "critical censorious reproachful condemning judgmental",
    "sad": "melancholy melancholic sorrowful mournful doleful gloomy somber sombre",
    "nostalgic": "wistful longing yearning reminiscent",
    "joyful": "joyous happy cheerful merry gleeful jubilant elated exuberant delighted",
    "tender": "affectionate loving gentle warm fond",
    "angry": "anger furious enraged irate indignant wrathful outraged",
    "fearful": "afraid frightened anxious apprehensive nervous uneasy terrified",
    "hopeful": "optimistic expectant",
    "calm": "serene tranquil peaceful placid",
    "admiring": "reverent reverential awed worshipful respectful appreciative",
    "playful": "humorous whimsical lighthearted jocular teasing comic comical funny witty",
    "solemn": "grave serious earnest",
    "bitter": "resentful rancorous",
    "despairing": "desperate hopeless",
    "neutral": "objective matter-of-fact detached factual impartial descriptive",
    "reflective": "contemplative pensive meditative thoughtful introspective",
    "excited": "eager enthusiastic thrilled",
    "ominous": "foreboding menacing threatening sinister",
    "defiant": "rebellious",
    "proud": "triumphant boastful",
}


@dataclass(frozen=True, slots=True)
class EvalItem:
    """One passage of an evaluation set.

    Attributes:
        text: the passage to analyse.
        expected: the right label for the evaluated field, as the dataset spells it.
        context: text around the passage (sent as the context before it); may be empty.
    """

    text: str
    expected: str
    context: str = ""


@dataclass(frozen=True, slots=True)
class EvalAnswer:
    """The outcome of one item of a run: a label and how it scored, or a failure.

    Attributes:
        item_id: the item's id in the library (0 before it is stored).
        status: "ok" (the model answered) or "failed" (an API or answer error).
        expected: the item's expected label.
        predicted: the label for the evaluated field ("" when failed).
        correct: the automatic verdict (the matching rules, or the LLM judge); None when failed.
        judged: whether ``correct`` came from the LLM judge.
        override: the reader's verdict, which wins over ``correct``; None when not set.
        latency_ms: time for the request, retries included.
        input_tokens: uncached input tokens.
        output_tokens: output tokens.
        cache_creation_tokens: input tokens written to the cache.
        cache_read_tokens: input tokens read from the cache.
        cost_usd: the estimated cost.
        error_kind: the AiErrorKind value when failed.
        error_message: one line about the failure.
        answer: the whole analysis as JSON data, when there is one.
        judge_note: the judge's reason, when it judged.
    """

    item_id: int
    status: str
    expected: str = ""
    predicted: str = ""
    correct: bool | None = None
    judged: bool = False
    override: bool | None = None
    latency_ms: float = 0.0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_tokens: int = 0
    cache_read_tokens: int = 0
    cost_usd: float = 0.0
    error_kind: str = ""
    error_message: str = ""
    answer: Mapping[str, Any] | None = None
    judge_note: str = ""

    @property
    def ok(self) -> bool:
        """Whether the model answered."""
        return self.status == "ok"

    @property
    def verdict(self) -> bool | None:
        """The verdict that counts: the reader's override, else the automatic one."""
        return self.override if self.override is not None else self.correct


@dataclass(frozen=True, slots=True)
class DatasetReport:
    """What a dataset file gave.

    Attributes:
        items: the usable rows, in file order.
        problems: one "line N: why" for each row that could not be used.
        columns: the columns (CSV header, or JSON keys in order of appearance).
    """

    items: list[EvalItem] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    columns: tuple[str, ...] = ()


class DatasetError(ReaderError):
    """A dataset that cannot be read at all: missing, not text, or without a mapped column."""


def items_from_pairs(
    pairs: Iterable[tuple[str, ...]],
) -> list[EvalItem]:
    """Build items from (text, expected) or (text, expected, context) tuples.

    Surrounding white space is dropped; pairs with an empty text or label are skipped,
    because an item without either cannot be scored.

    Args:
        pairs: the passages and their right labels (and optionally their context).

    Returns:
        The items, in the order given.
    """
    items: list[EvalItem] = []
    for pair in pairs:
        text, expected = pair[0].strip(), pair[1].strip()
        context = pair[2].strip() if len(pair) > 2 else ""
        if text and expected:
            items.append(EvalItem(text, expected, context))
    return items


def read_dataset(
    path: Path,
    text_column: str,
    label_column: str,
    context_column: str | None = None,
    limit: int | None = None,
) -> DatasetReport:
    """Read an evaluation set from a CSV, TSV, JSONL or JSON file.

    The format follows the suffix: ``.jsonl``/``.ndjson`` one JSON object per line,
    ``.json`` an array of objects (or JSON lines), ``.tsv`` tab-separated, anything else
    CSV with a header row. A UTF-8 byte-order mark is accepted. Numbers and booleans in
    JSON become text; a list of labels becomes one ``;``-separated label (alternatives,
    any of which counts as right).

    Lines are read one at a time and reading stops once ``limit`` usable rows are in, so
    the first rows of a huge file cost no more than a small file (a JSON array is the
    exception: it is one value, read whole, up to :data:`MAX_JSON_ARRAY_BYTES`). Only a
    regular file is read: a FIFO or a device is refused, never waited on.

    Args:
        path: the file.
        text_column: the column with the passage.
        label_column: the column with the expected label.
        context_column: a column with text around the passage, if any.
        limit: stop after this many usable rows.

    Returns:
        The usable items, and a "line N: why" for each row that was left out (at most
        :data:`MAX_PROBLEMS`, then one line saying how many more).

    Raises:
        DatasetError: the file is missing, not a regular file or unreadable, not UTF-8,
            not of its format, has a line longer than :data:`MAX_LINE_BYTES`, or lacks
            one of the mapped columns (the message names the columns it has).
    """
    wanted = [text_column, label_column] + ([context_column] if context_column else [])
    suffix = path.suffix.lower()
    fd = open_regular(path, DatasetError)
    with os.fdopen(fd, "rb") as handle:
        lines = _Lines(path.name, handle)
        rows: Iterator[tuple[int, dict[str, Any] | str]]
        columns: dict[str, None] = {}
        if suffix in (*JSONL_SUFFIXES, ".json"):
            if suffix == ".json" and lines.first_text().lstrip().startswith("["):
                rows = _json_array(path.name, lines, columns)
            else:
                rows = _jsonl_rows(lines, columns)
        else:
            rows, header = _csv_rows(path.name, lines, "\t" if suffix == ".tsv" else ",")
            _check_columns(path.name, wanted, header)
            columns = dict.fromkeys(header)
        report = _collect(rows, text_column, label_column, context_column, limit)
        if suffix in (*JSONL_SUFFIXES, ".json") and not report.items and columns:
            # No usable row, and objects were seen: say which column they all lack.
            _check_columns(path.name, wanted, list(columns))
    return DatasetReport(report.items, report.problems, tuple(columns))


def _collect(
    rows: Iterator[tuple[int, dict[str, Any] | str]],
    text_column: str,
    label_column: str,
    context_column: str | None,
    limit: int | None,
) -> DatasetReport:
    """Turn rows into items until ``limit`` usable ones are in."""
    report = DatasetReport()
    more = 0
    if limit is not None and limit <= 0:
        return report
    for number, row in rows:
        if isinstance(row, str):
            why = row
        else:
            item, why = _item(row, text_column, label_column, context_column)
            if item is not None:
                report.items.append(item)
                if limit is not None and len(report.items) >= limit:
                    break  # not a line more is read
                continue
        if len(report.problems) < MAX_PROBLEMS:
            report.problems.append(f"line {number}: {why}")
        else:
            more += 1
    if more:
        report.problems.append(f"and {more} more rows that could not be used")
    return report


class _Lines:
    """The file's lines as (line number, text with its line end), decoded one at a time."""

    def __init__(self, name: str, handle: BinaryIO) -> None:
        self._name = name
        self._handle = handle
        self._numbers = itertools.count(1)
        self._ahead: list[tuple[int, str]] = []

    def __iter__(self) -> Iterator[tuple[int, str]]:
        return self

    def __next__(self) -> tuple[int, str]:
        """The next line.

        Raises:
            DatasetError: it is not UTF-8, or longer than MAX_LINE_BYTES.
        """
        if self._ahead:
            return self._ahead.pop()
        number = next(self._numbers)
        try:
            raw = self._handle.readline(MAX_LINE_BYTES + 1)
        except OSError as exc:
            raise DatasetError(f"{self._name} could not be read ({exc.strerror or exc}).") from exc
        if not raw:
            raise StopIteration
        if len(raw) > MAX_LINE_BYTES:
            raise DatasetError(
                f"Line {number} of {self._name} is longer than {MAX_LINE_BYTES >> 20} MB;"
                " it is not a dataset of passages."
            )
        try:
            return number, raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            raise DatasetError(
                f"{self._name} is not UTF-8 text (a bad byte on line {number}).",
                "Save it as UTF-8 and try again.",
            ) from exc

    def first_text(self) -> str:
        """The first line that is not blank ("" if none), left to be read again."""
        for number, text in self:
            if text.strip():
                self._ahead.append((number, text))
                return text
        return ""


def _check_columns(name: str, wanted: list[str], columns: list[str]) -> None:
    """Raise a DatasetError naming the first mapped column the file lacks."""
    for column in wanted:
        if column not in columns:
            have = ", ".join(columns) if columns else "none"
            raise DatasetError(f"{name} has no column “{column}”; its columns are: {have}.")


def _csv_rows(
    name: str, lines: Iterable[tuple[int, str]], delimiter: str
) -> tuple[Iterator[tuple[int, dict[str, Any] | str]], list[str]]:
    """The rows of a CSV file, each (line number, fields or why not), and its header.

    Raises:
        DatasetError: the file is empty or its header row is not CSV.
    """
    reader = csv.reader((text for _number, text in lines), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise DatasetError(f"{name} is empty.") from None
    except csv.Error as exc:
        raise DatasetError(f"The header row of {name} is not valid CSV ({exc}).") from exc

    def rows() -> Iterator[tuple[int, dict[str, Any] | str]]:
        start = reader.line_num + 1  # the physical line where the next record begins
        while True:
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield start, f"not valid CSV ({exc})"
                start = reader.line_num + 1
                continue
            number, start = start, reader.line_num + 1
            if not values or (len(values) == 1 and not values[0].strip()):
                continue  # a blank line holds no row (a row of empty fields is reported)
            if len(values) != len(header):
                yield number, f"{len(values)} fields where the header has {len(header)}"
                continue
            yield number, dict(zip(header, values, strict=True))

    return rows(), header


def _jsonl_rows(
    lines: Iterable[tuple[int, str]], columns: dict[str, None]
) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """The objects of a JSON-lines file; their keys are added to ``columns`` as seen."""
    for number, line in lines:
        if not line.strip():
            continue
        try:
            value = jsonsafe.loads(line)
        except json.JSONDecodeError as exc:
            yield number, f"not valid JSON ({exc.msg})"
            continue
        if isinstance(value, dict):
            columns.update(dict.fromkeys(str(k) for k in value))
            yield number, value
        else:
            yield number, "not a JSON object"


def _json_array(
    name: str, lines: Iterable[tuple[int, str]], columns: dict[str, None]
) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """The objects of a file holding one JSON array, read whole (it is one value).

    Raises:
        DatasetError: the file is larger than MAX_JSON_ARRAY_BYTES, or not JSON.
    """
    parts: list[str] = []
    size = 0
    for _number, text in lines:
        size += len(text)
        if size > MAX_JSON_ARRAY_BYTES:
            raise DatasetError(
                f"{name} is one JSON array larger than {MAX_JSON_ARRAY_BYTES >> 20} MB;"
                " save it as JSON lines (.jsonl), which is read a line at a time."
            )
        parts.append(text)
    try:
        data = jsonsafe.loads("".join(parts))
    except json.JSONDecodeError as exc:
        raise DatasetError(f"{name} is not valid JSON (line {exc.lineno}: {exc.msg}).") from exc
    # An array has no line per object; the position in the array is the next best thing.
    values = data if isinstance(data, list) else [data]
    for value in values:
        if isinstance(value, dict):
            columns.update(dict.fromkeys(str(k) for k in value))
    for position, value in enumerate(values, start=1):
        yield position, value if isinstance(value, dict) else "not a JSON object"


def _item(
    row: dict[str, Any], text_column: str, label_column: str, context_column: str | None
) -> tuple[EvalItem | None, str]:
    """The item of one row, or None and why not."""
    text, why = _cell(row, text_column)
    if text is None:
        return None, why
    expected, why = _cell(row, label_column)
    if expected is None:
        return None, why
    context = ""
    if context_column:
        found, why = _cell(row, context_column, required=False)
        if found is None:
            return None, why
        context = found
    return EvalItem(text, expected, context), ""


def _cell(row: dict[str, Any], column: str, *, required: bool = True) -> tuple[str | None, str]:
    """One field as text, or None and why it is not usable."""
    if column not in row or row[column] is None:
        if required:
            return None, f"no “{column}” value"
        return "", ""
    value = row[column]
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        value = ";".join(str(v) for v in value)
    if isinstance(value, bool):
        value = "true" if value else "false"
    if isinstance(value, dict | list):
        return None, f"“{column}” is not text"
    text = str(value).strip()
    if required and not text:
        return None, f"“{column}” is empty"
    return text, ""
