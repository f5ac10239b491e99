"""The tone glossary end to end: words met in saved analyses, defined once at the reader's
level by Claude (the fake API), listed, and exported to Markdown and Anki."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from typing import TYPE_CHECKING

from reader_app.core.tone_words import tone_words
from tests.cli_run import run_cli
from tests.test_cli_mobi import EPUB, run

if TYPE_CHECKING:
    from pathlib import Path

    from tests.fake_api import FakeAnthropic

PASSAGES = [
    ("It is a truth universally acknowledged", "Ironic and Playful"),
    ("You want to tell me, and I have no objection to hearing it.", "Dry and slightly Playful"),
]
DEFINED = {
    "playful": "Light and joking, not serious.",
    "ironic": "Saying one thing but meaning the opposite, often to be funny.",
    "dry": "Funny in a quiet way, without showing feeling.",
}


def _save(fake: FakeAnthropic, profile: Path) -> None:
    for passage, tone in PASSAGES:
        fake.reply_json({
            "tone": tone, "polarity": "positive", "emotions": [{"name": "joy", "intensity": 0.5}],
            "evidence": [], "explanation": "x", "confidence": 0.8, "speaker": "narrator",
            "addressee": "",
        })  # fmt: skip
        result = run(fake, profile, "analyze", str(EPUB), "--find", passage, "--save")
        assert result.returncode == 0, result.stderr


def test_tone_words_leave_out_the_joining_words() -> None:
    assert tone_words("Dry and slightly Playful") == ["dry", "playful"]
    assert tone_words("Scornful, Self-Pitying and with a hint of Menace") == [
        "scornful", "self-pitying", "menace"
    ]  # fmt: skip
    assert tone_words("") == []


def test_words_are_met_defined_once_at_the_level_listed_and_exported(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    _save(fake_api, tmp_path)
    listed = json.loads(run_cli(tmp_path, "glossary", "--json").stdout)
    assert (listed["level"], listed["language"]) == ("B1", "English")
    words = {w["word"]: w for w in listed["words"]}
    assert list(words) == ["playful", "dry", "ironic"]  # most met first, then a to z
    assert words["playful"]["count"] == 2
    assert words["playful"]["quote"].startswith("It is a truth universally acknowledged")
    assert all(w["definition"] == "" for w in words.values())

    fake_api.reply_json({"definitions": [{"word": w, "definition": d} for w, d in DEFINED.items()]})
    defined = run(fake_api, tmp_path, "glossary", "--define")
    assert defined.returncode == 0, defined.stderr
    assert "Defining 3 new tone words" in defined.stderr
    (request,) = fake_api.requests_to("/v1/messages")[2:]
    body = request.body
    assert "CEFR level B1" in body["system"]
    assert "<words>\nplayful\ndry\nironic\n</words>" in body["messages"][0]["content"]
    assert body["output_config"]["format"]["type"] == "json_schema"

    # Defined once: asking again sends nothing.
    again = run(fake_api, tmp_path, "glossary", "--define")
    assert again.returncode == 0, again.stderr
    assert len(fake_api.requests_to("/v1/messages")) == 3
    text = run_cli(tmp_path, "glossary").stdout
    assert "ironic: Saying one thing but meaning the opposite" in text
    assert "met 2×, first in “Ironic and Playful”" in text

    markdown = tmp_path / "words.md"
    result = run_cli(tmp_path, "glossary", "--export", "md", "-o", str(markdown))
    assert result.returncode == 0, result.stderr
    assert "## playful\n\nLight and joking, not serious." in markdown.read_text("utf-8")

    deck = tmp_path / "words.apkg"
    result = run_cli(tmp_path, "glossary", "--export", "anki", "-o", str(deck))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"Exported 3 tone words to {deck}.\n"
    with zipfile.ZipFile(deck) as archive:
        (tmp_path / "collection.anki2").write_bytes(archive.read("collection.anki2"))
    with sqlite3.connect(tmp_path / "collection.anki2") as conn:
        fields = [row[0].split("\x1f") for row in conn.execute("SELECT flds FROM notes")]
    assert sorted(f[0] for f in fields) == ["dry", "ironic", "playful"]
    playful = next(f for f in fields if f[0] == "playful")
    assert playful[1] == "Light and joking, not serious."
    assert playful[2].startswith("It is a truth universally acknowledged")


def test_define_with_no_key_is_one_line_and_exit_3(fake_api: FakeAnthropic, tmp_path: Path) -> None:
    _save(fake_api, tmp_path)
    result = run_cli(tmp_path, "glossary", "--define")
    assert result.returncode == 3
    assert result.stderr.count("\n") == 1


def test_an_empty_glossary_says_how_to_fill_it(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "glossary")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("No tone words yet")
