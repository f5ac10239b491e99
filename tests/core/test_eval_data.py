"""Reading evaluation sets from CSV and JSONL files with a column mapping."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reader_app.core.eval_data import (
    DatasetError,
    EvalItem,
    items_from_pairs,
    read_dataset,
)

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "resources" / "eval" / "poem_sentiment_sample.csv"
CORPUS_EVAL = ROOT.parent / "shared" / "corpus" / "eval"


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_the_shipped_sample_is_balanced_and_clean() -> None:
    report = read_dataset(SAMPLE, "verse_text", "label")
    assert report.problems == []
    assert len(report.items) == 40
    labels = [item.expected for item in report.items]
    assert {label: labels.count(label) for label in set(labels)} == {
        "negative": 10, "positive": 10, "no_impact": 10, "mixed": 10}  # fmt: skip
    assert report.columns == ("split", "id", "verse_text", "label", "label_raw")
    assert (ROOT / "resources" / "eval" / "README.md").read_text("utf-8").count("CC BY 4.0") >= 1


def test_csv_mapping_with_context_and_bom(tmp_path: Path) -> None:
    path = write(tmp_path / "set.csv", "\ufeffpassage,gold,before\n"
                 '"Hello, world",Cheerful,A greeting\n'
                 '"Line one\nline two",Sad,\n')  # fmt: skip
    report = read_dataset(path, "passage", "gold", context_column="before")
    assert report.problems == []
    assert report.items == [
        EvalItem("Hello, world", "Cheerful", "A greeting"),
        EvalItem("Line one\nline two", "Sad", ""),
    ]
    assert report.columns == ("passage", "gold", "before")  # the BOM is not in the name


def test_bad_rows_are_reported_with_their_line_numbers(tmp_path: Path) -> None:
    path = write(tmp_path / "set.csv", "text,label\n"
                 "good one,calm\n"            # line 2
                 ",angry\n"                   # line 3: no text
                 '"two\nlines",\n'            # lines 4-5: no label
                 "too,many,fields\n"          # line 6
                 "\n"                         # line 7: blank, holds nothing
                 "good two,sad\n")  # fmt: skip
    report = read_dataset(path, "text", "label")
    assert [i.text for i in report.items] == ["good one", "good two"]
    assert report.problems == [
        "line 3: “text” is empty",
        "line 4: “label” is empty",
        "line 6: 3 fields where the header has 2",
    ]


def test_missing_column_names_the_columns_that_exist(tmp_path: Path) -> None:
    path = write(tmp_path / "set.csv", "split,id,verse_text,label\ntest,0,x,positive\n")
    with pytest.raises(DatasetError) as info:
        read_dataset(path, "text", "label")
    message = str(info.value)
    assert "“text”" in message
    assert "split, id, verse_text, label" in message
    assert "\n" not in message
    with pytest.raises(DatasetError, match="“context”"):
        read_dataset(path, "verse_text", "label", context_column="context")


def test_limit_stops_after_n_usable_rows(tmp_path: Path) -> None:
    path = write(tmp_path / "set.csv", "text,label\na,x\n,x\nb,y\nc,z\nd,w\n")
    report = read_dataset(path, "text", "label", limit=2)
    assert [i.text for i in report.items] == ["a", "b"]
    assert report.problems == ["line 3: “text” is empty"]


def test_jsonl_mapping_and_bad_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps({"text": "I wandered lonely", "label": "Wistful", "ctx": "A poem"}),
        "{not json",
        json.dumps(["a", "list"]),
        json.dumps({"text": "No label here"}),
        "",
        json.dumps({"text": "Scores", "label": 1}),
        json.dumps({"text": "Many", "label": ["joy", "admiration"]}),
        json.dumps({"text": "Nested", "label": {"a": 1}}),
    ]
    path = write(tmp_path / "set.jsonl", "\ufeff" + "\n".join(lines) + "\n")
    report = read_dataset(path, "text", "label", context_column="ctx")
    assert report.items == [
        EvalItem("I wandered lonely", "Wistful", "A poem"),
        EvalItem("Scores", "1"),
        EvalItem("Many", "joy;admiration"),
    ]
    assert report.problems[0].startswith("line 2: not valid JSON")
    assert report.problems[1:] == [
        "line 3: not a JSON object",
        "line 4: no “label” value",
        "line 8: “label” is not text",
    ]


def test_jsonl_missing_column(tmp_path: Path) -> None:
    path = write(tmp_path / "set.jsonl", json.dumps({"excerpt": "x", "tone": "Calm"}) + "\n")
    with pytest.raises(DatasetError, match="its columns are: excerpt, tone"):
        read_dataset(path, "text", "tone")


def test_json_array_and_tsv(tmp_path: Path) -> None:
    array = write(tmp_path / "set.json", json.dumps([{"t": "a", "l": "x"}, 5]))
    report = read_dataset(array, "t", "l")
    assert report.items == [EvalItem("a", "x")]
    assert report.problems == ["line 2: not a JSON object"]
    tsv = write(tmp_path / "set.tsv", "t\tl\nhello, there\tcalm\n")
    assert read_dataset(tsv, "t", "l").items == [EvalItem("hello, there", "calm")]


def test_unreadable_files_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="does not exist"):
        read_dataset(tmp_path / "missing.csv", "t", "l")
    with pytest.raises(DatasetError, match="is a folder"):
        read_dataset(tmp_path, "t", "l")
    latin = write(tmp_path / "latin.csv", "t,l\ncaf\xe9,x\n", encoding="latin-1")
    with pytest.raises(DatasetError, match="not UTF-8"):
        read_dataset(latin, "t", "l")
    with pytest.raises(DatasetError, match="is empty"):
        read_dataset(write(tmp_path / "empty.csv", ""), "t", "l")
    broken = write(tmp_path / "broken.json", "[{")
    with pytest.raises(DatasetError, match="not valid JSON"):
        read_dataset(broken, "t", "l")


def test_corpus_goemotions_multi_labels() -> None:
    path = CORPUS_EVAL / "goemotions_test.csv"
    if not path.is_file():
        pytest.fail("the shared corpus is missing goemotions_test.csv")
    report = read_dataset(path, "text", "labels", limit=50)
    assert report.problems == []
    assert len(report.items) == 50
    assert any(";" in item.expected for item in report.items)


def test_items_from_pairs() -> None:
    items = items_from_pairs([(" A passage ", "Calm"), ("", "Angry"), ("B", " "),
                              ("C", "Sad", "before")])  # fmt: skip
    assert items == [EvalItem("A passage", "Calm"), EvalItem("C", "Sad", "before")]


# -- reading only what is needed, and only regular files ---------------------------------------
def test_limit_reads_only_the_first_rows_of_a_huge_file(tmp_path: Path) -> None:
    """``eval --limit 1`` on a 1 GB CSV read all of it (4.2 GB of RAM); now a few lines."""
    import tracemalloc

    path = tmp_path / "huge.csv"
    row = "a passage of a fair length repeated for the size of it,calm\n"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("text,label\n")
        block = row * 10_000
        for _ in range(120):  # about 70 MB
            handle.write(block)
    assert path.stat().st_size > 64 << 20
    tracemalloc.start()
    try:
        report = read_dataset(path, "text", "label", limit=1)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(report.items) == 1
    assert peak < 1 << 20  # under 1 MB, for a file of 70 MB


def test_limit_stops_reading_jsonl_early(tmp_path: Path) -> None:
    path = tmp_path / "set.jsonl"
    good = (json.dumps({"t": "x", "l": "calm"}) + "\n").encode()
    # Past the first rows, the file is not even UTF-8: reading it would fail.
    path.write_bytes(good * 3 + b"\xff\xfe" * 1000)
    assert len(read_dataset(path, "t", "l", limit=3).items) == 3
    with pytest.raises(DatasetError, match="not UTF-8 text \\(a bad byte on line 4\\)"):
        read_dataset(path, "t", "l")


def test_a_line_too_long_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_bytes(b"t,l\n" + b"x" * (17 << 20) + b",calm\n")
    with pytest.raises(DatasetError, match=r"Line 2 of long\.csv is longer than 16 MB"):
        read_dataset(path, "t", "l")


def test_json_nested_too_deeply_is_a_bad_row_or_file(tmp_path: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    lines = write(tmp_path / "deep.jsonl", deep + "\n" + json.dumps({"t": "x", "l": "y"}) + "\n")
    report = read_dataset(lines, "t", "l")
    assert report.items == [EvalItem("x", "y")]
    assert report.problems == ["line 1: not valid JSON (it is nested too deeply)"]
    array = write(tmp_path / "deep.json", deep)
    with pytest.raises(DatasetError, match=r"not valid JSON .*nested too deeply"):
        read_dataset(array, "t", "l")


def test_many_bad_rows_are_counted_past_a_thousand(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.csv", "t,l\n" + ",x\n" * 1500 + "ok,calm\n")
    report = read_dataset(path, "t", "l")
    assert report.items == [EvalItem("ok", "calm")]
    assert len(report.problems) == 1001
    assert report.problems[-1] == "and 500 more rows that could not be used"


def test_a_fifo_is_refused_not_waited_on(tmp_path: Path) -> None:
    """Reading a named pipe with no writer would block for ever; run it in a child process."""
    import os
    import subprocess
    import sys

    fifo = tmp_path / "set.csv"
    os.mkfifo(fifo)
    code = (
        "import sys; from pathlib import Path\n"
        "from reader_app.core.eval_data import DatasetError, read_dataset\n"
        "try:\n"
        "    read_dataset(Path(sys.argv[1]), 't', 'l')\n"
        "except DatasetError as exc:\n"
        "    print(exc)\n"
    )
    result = subprocess.run([sys.executable, "-c", code, str(fifo)], cwd=ROOT,
                            capture_output=True, text=True, timeout=20, check=True)  # fmt: skip
    assert result.stdout == "“set.csv” is not a regular file (a pipe, a device or a system file).\n"
