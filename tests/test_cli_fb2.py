"""FictionBook through the command line: inspected, a passage analysed and saved, exported.

A real process, the real SDK and the fake API, as in test_cli_analyze.py. The novel is
calibre's FB2 of the corpus EPUB, zipped as ``.fb2.zip`` the way FB2 libraries hand them
out; the Russian book is written in windows-1251 and in KOI8-R.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.cli_run import assert_one_error_line, run_cli
from tests.test_cli_mobi import ANSWER, EPUB, PASSAGE, run

if TYPE_CHECKING:
    from tests.fake_api import FakeAnthropic

ROOT = Path(__file__).resolve().parents[1]
FB2 = ROOT / "tests" / "data" / "fb2"
NOVEL = FB2 / "pride-and-prejudice_calibre.fb2"
ZIPPED = FB2 / "pride-and-prejudice_calibre-toc.fb2.zip"


def test_a_passage_of_a_zipped_fb2_is_analysed_saved_and_exported(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    fake_api.reply_json(ANSWER)
    result = run(fake_api, tmp_path, "analyze", str(ZIPPED), "--find", PASSAGE, "--json", "--save")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["passage"] == PASSAGE
    assert report["highlight_id"] == 1
    inspected = json.loads(run_cli(tmp_path, "inspect", str(ZIPPED), "--json").stdout)
    assert inspected["chapters"][report["chapter"]]["title"] == "Chapter 1"
    (request,) = fake_api.requests_to("/v1/messages")
    content = request.body["messages"][0]["content"]
    assert f"<passage>\n{PASSAGE}\n</passage>" in content
    with sqlite3.connect(tmp_path / "data" / "library.sqlite3") as conn:
        row = conn.execute("SELECT quote, color, section FROM highlights").fetchone()
    assert row == (PASSAGE, "joy", "Chapter 1")

    markdown = tmp_path / "notes.md"
    exported = run(fake_api, tmp_path, "export", str(ZIPPED), "--format", "md", "-o", str(markdown))
    assert exported.returncode == 0, exported.stderr
    text = markdown.read_text("utf-8")
    assert "Pride and Prejudice" in text
    assert "Jane Austen" in text
    assert PASSAGE in text
    assert "Ironic and Playful" in text


def test_the_same_passage_in_the_unzipped_book_is_the_same_book_text(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    # The plain and the zipped file are one book's text: the passage sits at the same place.
    fake_api.reply_json(ANSWER)
    places = []
    for book in (NOVEL, ZIPPED):
        result = run(fake_api, tmp_path / book.name, "analyze", str(book), "--find", PASSAGE,
                     "--json")  # fmt: skip
        assert result.returncode == 0, result.stderr
        report = json.loads(result.stdout)
        places.append((report["chapter"], report["start"], report["end"]))
    assert places[0] == places[1]


def _shape(value: Any) -> Any:
    """The JSON's structure: keys and types, with the values left out."""
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    return type(value).__name__


def test_inspect_json_has_the_epubs_shape(tmp_path: Path) -> None:
    epub = json.loads(run_cli(tmp_path, "inspect", str(EPUB), "--json").stdout)
    result = run_cli(tmp_path, "inspect", str(NOVEL), "--json")
    assert result.returncode == 0, result.stderr
    fb2 = json.loads(result.stdout)
    assert _shape(fb2) == _shape(epub)
    assert fb2["format"] == "FB2"
    assert (fb2["title"], fb2["authors"], fb2["language"]) == (
        "Pride and Prejudice", ["Jane Austen"], "en"
    )  # fmt: skip
    chapters = [c["title"] for c in fb2["chapters"]]
    assert chapters.count("Chapter 1") == 1
    assert "Chapter 61" in chapters


@pytest.mark.parametrize("name", ["russian-library.fb2", "russian-library-koi8.fb2",
                                  "russian-library.fb2.zip"])  # fmt: skip
def test_a_russian_book_reads_the_same_in_each_encoding(tmp_path: Path, name: str) -> None:
    result = run_cli(tmp_path, "inspect", str(FB2 / name), "--json")
    assert result.returncode == 0, result.stderr
    book = json.loads(result.stdout)
    assert book["title"] == "Чудное мгновенье"
    assert book["language"] == "ru"
    assert book["authors"][0] == "Александр Сергеевич Пушкин"
    assert [c["title"] for c in book["chapters"]][1:3] == ["Глава 1 Встреча", "Глава 2 Письмо"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("external-entity.fb2", "declares XML entities"),
        ("zip-bomb.fb2.zip", "(a “zip bomb”); it was not opened"),
        ("not-fictionbook.fb2", "“not-fictionbook.fb2”"),
    ],
)
def test_hostile_and_broken_files_are_refused_in_one_line(
    tmp_path: Path, name: str, message: str
) -> None:
    result = run_cli(tmp_path, "inspect", str(FB2 / name))
    assert result.returncode == 2
    assert_one_error_line(result)
    assert message in result.stderr
