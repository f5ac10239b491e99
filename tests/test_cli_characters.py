"""Speakers end to end: analyze names them, characters gathers them, exports carry them.

A real process, the real SDK and the fake API (tests/test_cli_analyze.py). Four lines of
Pride and Prejudice's first chapter are analysed and saved; the fake model names their
speakers as a real one does, in different forms for the same person.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from typing import TYPE_CHECKING

from tests.cli_run import run_cli
from tests.test_cli_mobi import EPUB, run

if TYPE_CHECKING:
    from pathlib import Path

    from tests.fake_api import FakeAnthropic

LINES = [
    ("have you heard that Netherfield Park is let at last?", "Mrs. Bennet", "Mr. Bennet",
     "Eager and Gossipy", "anticipation"),
    ("You want to tell me, and I have no objection to hearing it.", "Mr Bennet", "his wife",
     "Dry and Teasing", "joy"),
    ("how can you be so tiresome!", "Mrs Bennet", "Mr. Bennet", "Exasperated and Impatient",
     "anger"),
    ("Is that his design in settling here?", "Mr. Bennet", "Mrs. Bennet", "Dry and Teasing",
     "joy"),
]  # fmt: skip


def _answer(speaker: str, addressee: str, tone: str, emotion: str) -> dict[str, object]:
    return {
        "tone": tone,
        "polarity": "mixed",
        "emotions": [{"name": emotion, "intensity": 0.7}],
        "evidence": [],
        "explanation": "How the line sounds.",
        "confidence": 0.8,
        "speaker": speaker,
        "addressee": addressee,
    }


def _analyse_all(fake: FakeAnthropic, profile: Path) -> list[dict[str, object]]:
    reports = []
    for passage, speaker, addressee, tone, emotion in LINES:
        fake.reply_json(_answer(speaker, addressee, tone, emotion))
        result = run(fake, profile, "analyze", str(EPUB), "--find", passage, "--json", "--save")
        assert result.returncode == 0, result.stderr
        reports.append(json.loads(result.stdout))
    return reports


def test_speakers_are_printed_gathered_and_exported(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    reports = _analyse_all(fake_api, tmp_path)
    assert [(r["speaker"], r["addressee"]) for r in reports] == [
        (speaker, addressee) for _, speaker, addressee, _, _ in LINES
    ]
    # The request asks for them.
    request = fake_api.requests_to("/v1/messages")[0].body
    schema = request["output_config"]["format"]["schema"]
    assert {"speaker", "addressee"} <= set(schema["required"])
    assert '"speaker" is who says the passage' in "".join(b["text"] for b in request["system"])

    listed = run_cli(tmp_path, "characters", str(EPUB), "--json")
    assert listed.returncode == 0, listed.stderr
    characters = {c["name"]: c for c in json.loads(listed.stdout)["characters"]}
    # "Mr Bennet" and "Mr. Bennet" are one person, "Mrs Bennet" and "Mrs. Bennet" another.
    assert set(characters) == {"Mr. Bennet", "Mrs. Bennet"}
    husband, wife = characters["Mr. Bennet"], characters["Mrs. Bennet"]
    assert (husband["passages"], wife["passages"]) == (2, 2)
    assert husband["aliases"] == ["Mr Bennet"]
    assert husband["dominant_emotion"] == "joy"
    assert husband["tones"] == [{"tone": "Dry and Teasing", "count": 2}]
    assert {a["name"] for a in wife["addressees"]} == {"Mr. Bennet"}
    assert wife["emotions"][0]["name"] in ("anger", "anticipation")
    chapters = {p["chapter"] for p in wife["passages_by_chapter"]}
    assert len(chapters) == 1

    # A rename made in the Characters window is what the command line lists too.
    book_id = hashlib.sha256(EPUB.read_bytes()).hexdigest()
    with sqlite3.connect(tmp_path / "data" / "library.sqlite3") as conn:
        conn.executemany(
            "INSERT INTO speaker_names (book_id, name, character) VALUES (?, ?, ?)",
            [(book_id, "Mrs. Bennet", "Mrs. Bennet, the mother"),
             (book_id, "Mrs Bennet", "Mrs. Bennet, the mother")],
        )  # fmt: skip
    renamed = json.loads(run_cli(tmp_path, "characters", str(EPUB), "--json").stdout)
    assert {c["name"] for c in renamed["characters"]} == {"Mr. Bennet", "Mrs. Bennet, the mother"}
    with sqlite3.connect(tmp_path / "data" / "library.sqlite3") as conn:
        conn.execute("DELETE FROM speaker_names")

    text = run_cli(tmp_path, "characters", str(EPUB))
    assert text.returncode == 0, text.stderr
    assert "Mr. Bennet (also Mr Bennet): 2 passages" in text.stdout
    assert "tones:    Dry and Teasing (2)" in text.stdout

    markdown = tmp_path / "notes.md"
    exported = run(fake_api, tmp_path, "export", str(EPUB), "--format", "md", "-o", str(markdown))
    assert exported.returncode == 0, exported.stderr
    assert "- **Speaker:** Mrs. Bennet → Mr. Bennet" in markdown.read_text("utf-8")
    csv = tmp_path / "notes.csv"
    exported = run(fake_api, tmp_path, "export", str(EPUB), "--format", "csv", "-o", str(csv))
    assert exported.returncode == 0, exported.stderr
    assert "speaker: Mr Bennet → his wife" in csv.read_text("utf-8")


def test_a_book_with_no_saved_analyses_has_no_speakers(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "characters", str(EPUB))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{EPUB.name}: no analysed passages yet, so no speakers.\n"


def test_an_unreadable_book_is_one_line(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "characters", str(tmp_path / "missing.epub"))
    assert result.returncode == 2
    assert result.stderr.endswith("missing.epub” does not exist.\n")
    assert result.stderr.count("\n") == 1
