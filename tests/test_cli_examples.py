"""``tone-reader examples``: the real command line, in a subprocess, on a throw-away profile."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from reader_app.core.examples import example_from_dict
from reader_app.core.examples_io import read_examples
from reader_app.usecases.examples import shipped_examples
from tests.cli_run import assert_one_error_line, run_cli

if TYPE_CHECKING:
    import subprocess
    from pathlib import Path


SHIPPED = len(shipped_examples() or [])
"""The shipped examples a fresh profile starts with (the Wordsworth pairs and the library)."""


def _run(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(profile, "examples", *args)


def _listed(profile: Path) -> list[dict[str, Any]]:
    result = _run(profile, "list", "--json")
    assert result.returncode == 0, result.stderr
    items = json.loads(result.stdout)
    assert isinstance(items, list)
    return items


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    return tmp_path / "profile"


def test_a_fresh_profile_lists_the_shipped_examples(profile: Path) -> None:
    result = _run(profile, "list")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["ID", "Tone", "Emotions", "Tags", "Excerpt"]
    assert "Scornful and Disapproving" in lines[1]
    assert "disgust 80%, anger 40%" in lines[1]
    assert lines[-1] == f"{SHIPPED} examples."
    items = _listed(profile)
    assert [item["id"] for item in items] == list(range(1, SHIPPED + 1))
    assert items[0]["tone"] == "Scornful and Disapproving"
    assert items[0]["emotions"][0] == {"name": "disgust", "intensity": 0.8}
    assert "seed" in items[0]["tags"]
    # The shipped examples are loaded once, not again on every run.
    assert len(_listed(profile)) == SHIPPED


def test_add_then_list(profile: Path) -> None:
    result = _run(
        profile, "add", "--excerpt", "He said <no>.\nThen left.", "--tone", "Curt",
        "--emotion", "anger:0.3", "--emotion", "sadness:60%", "--explanation", "Few words.",
        "--tags", "dialogue, endings", "--source", "A Book", "--speaker", "the stranger",
        "--addressee", "Elizabeth",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"Added example {SHIPPED + 1}.\n"
    added = _listed(profile)[-1]
    assert added == {
        "id": SHIPPED + 1,
        "excerpt": "He said <no>.\nThen left.",
        "tone": "Curt",
        "emotions": [
            {"name": "sadness", "intensity": 0.6},
            {"name": "anger", "intensity": 0.3},
        ],
        "explanation": "Few words.",
        "source": "A Book",
        "tags": ["dialogue", "endings"],
        "speaker": "the stranger",
        "addressee": "Elizabeth",
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--excerpt", "x", "--tone", "Calm", "--emotion", "happy:0.4"], "unknown emotion"),
        (["--excerpt", "x", "--tone", "Calm", "--emotion", "joy:4"], "between 0 and 1"),
        (["--excerpt", "  ", "--tone", "Calm"], "excerpt"),
        (["--excerpt", "x"], "--tone"),
    ],
)
def test_add_refuses_bad_input_in_one_line(profile: Path, args: list[str], message: str) -> None:
    result = _run(profile, "add", *args)
    assert result.returncode == 2
    assert_one_error_line(result)
    assert message in result.stderr
    assert len(_listed(profile)) == SHIPPED


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_export_writes_every_example(profile: Path, tmp_path: Path, suffix: str) -> None:
    assert _run(profile, "add", "--excerpt", "Quiet, now.", "--tone", "Hushed").returncode == 0
    out = tmp_path / f"all{suffix}"
    result = _run(profile, "export", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"Exported {SHIPPED + 1} examples to {out}.\n"
    report = read_examples(out)
    assert report.problems == []
    listed = [example_from_dict(item) for item in _listed(profile)]
    assert report.examples == listed


def test_export_to_a_missing_folder_fails_in_one_line(profile: Path, tmp_path: Path) -> None:
    result = _run(profile, "export", str(tmp_path / "no" / "such" / "dir.csv"))
    assert result.returncode == 2
    assert_one_error_line(result)


def test_import_with_a_bad_row_keeps_the_good_rows_and_exits_2(
    profile: Path, tmp_path: Path
) -> None:
    source = tmp_path / "mine.csv"
    source.write_text(
        "excerpt,tone,emotions,explanation,tags\n"
        '"Two\nlines",Wistful,sadness:0.5,,mine\n'
        "Bad row,Angry,rage:0.5,,mine\n"
        "Good row,Warm,joy:0.7;trust:0.2,Kind words.,mine;warm\n",
        encoding="utf-8",
    )
    result = _run(profile, "import", str(source))
    assert result.returncode == 2
    assert result.stdout == "Imported 2 examples.\n"
    assert result.stderr.splitlines() == [
        f"{source}: line 4: unknown emotion “rage” (use joy, trust, fear, surprise, sadness,"
        " disgust, anger, anticipation)"
    ]
    items = _listed(profile)
    assert [item["tone"] for item in items[SHIPPED:]] == ["Wistful", "Warm"]
    assert items[SHIPPED]["excerpt"] == "Two\nlines"
    assert items[SHIPPED + 1]["tags"] == ["mine", "warm"]


def test_a_clean_import_exits_0(profile: Path, tmp_path: Path) -> None:
    source = tmp_path / "clean.jsonl"
    source.write_text(
        json.dumps({"excerpt": "A", "tone": "Calm"})
        + "\n"
        + json.dumps({"excerpt": "B", "tone": "Warm"}),
        encoding="utf-8",
    )
    result = _run(profile, "import", str(source))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Imported 2 examples.\n"
    assert result.stderr == ""
    assert len(_listed(profile)) == SHIPPED + 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "does not exist"),
        (b"", "holds no examples"),
        (b"\x00\x01\x02binary\x00\xff\xfe", "binary"),
        (b"text,label\nHello,Calm\n", "excerpt and tone"),
    ],
)
def test_import_of_a_bad_file_exits_2_in_one_line(
    profile: Path, tmp_path: Path, content: bytes | None, message: str
) -> None:
    source = tmp_path / "bad.csv"
    if content is not None:
        source.write_bytes(content)
    result = _run(profile, "import", str(source))
    assert result.returncode == 2
    assert_one_error_line(result)
    assert message in result.stderr
    assert len(_listed(profile)) == SHIPPED


def test_an_unknown_action_is_bad_input(profile: Path) -> None:
    result = _run(profile, "remove")
    assert result.returncode == 2
    assert_one_error_line(result)
    assert result.stderr.startswith("tone-reader examples: error:")
