"""An AZW3 book through the command line: inspected, a passage analysed and saved, exported.

A real process, the real SDK and the fake API, as in test_cli_analyze.py.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.cli_run import run_cli
from tests.fake_api import VALID_KEY, FakeAnthropic

ROOT = Path(__file__).resolve().parents[1]
AZW3 = ROOT / "tests" / "data" / "mobi" / "pride-and-prejudice.azw3"
OLD_MOBI = ROOT / "tests" / "data" / "mobi" / "pride-and-prejudice.mobi"
EPUB = ROOT.parent / "shared" / "corpus" / "books" / "pride-and-prejudice_pg1342_epub2.epub"
PASSAGE = (
    "It is a truth universally acknowledged, that a single man in possession of a good"
    " fortune, must be in want of a wife."
)
ANSWER = {
    "tone": "Ironic and Playful",
    "polarity": "mixed",
    "emotions": [{"name": "joy", "intensity": 0.6}],
    "evidence": [{"quote": "universally acknowledged", "why": "a grand claim about gossip"}],
    "explanation": "A solemn maxim that mocks the neighbours who believe it.",
    "confidence": 0.8,
}


def run(
    fake: FakeAnthropic, profile: Path, command: str, *args: str
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    env.update(ANTHROPIC_BASE_URL=fake.base_url, NO_PROXY="127.0.0.1,localhost")
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    env["ANTHROPIC_API_KEY"] = VALID_KEY
    return subprocess.run(
        [sys.executable, "-m", "reader_app", "--profile-dir", str(profile), command, *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.mark.parametrize("book", [AZW3, OLD_MOBI], ids=["azw3", "mobi6"])
def test_a_passage_of_a_kindle_book_is_analysed_saved_and_exported(
    fake_api: FakeAnthropic, tmp_path: Path, book: Path
) -> None:
    fake_api.reply_json(ANSWER)
    result = run(fake_api, tmp_path, "analyze", str(book), "--find", PASSAGE, "--json", "--save")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["passage"] == PASSAGE
    assert report["tone"] == "Ironic and Playful"
    assert report["highlight_id"] == 1
    # The passage was found in the chapter the contents calls "Chapter 1".
    inspected = json.loads(run_cli(tmp_path, "inspect", str(book), "--json").stdout)
    assert inspected["chapters"][report["chapter"]]["title"] == "Chapter 1"
    (request,) = fake_api.requests_to("/v1/messages")
    assert f"<passage>\n{PASSAGE}\n</passage>" in request.body["messages"][0]["content"]
    with sqlite3.connect(tmp_path / "data" / "library.sqlite3") as conn:
        quote, color = conn.execute("SELECT quote, color FROM highlights").fetchone()
        tone, status = conn.execute("SELECT tone, status FROM analyses").fetchone()
    assert (quote, color, tone, status) == (PASSAGE, "joy", "Ironic and Playful", "ok")

    markdown = tmp_path / "notes.md"
    exported = run(fake_api, tmp_path, "export", str(book), "--format", "md", "-o", str(markdown))
    assert exported.returncode == 0, exported.stderr
    text = markdown.read_text("utf-8")
    assert "Pride and Prejudice" in text
    assert "Jane Austen" in text
    assert PASSAGE in text
    assert "Ironic and Playful" in text
    annotations = tmp_path / "notes.json"
    exported = run(
        fake_api, tmp_path, "export", str(book), "--format", "json", "-o", str(annotations)
    )
    assert exported.returncode == 0, exported.stderr
    assert PASSAGE in annotations.read_text("utf-8")


def _shape(value: Any) -> Any:
    """The JSON's structure: keys and types, with the values left out."""
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    return type(value).__name__


def test_inspect_json_has_the_epubs_shape(tmp_path: Path) -> None:
    shapes = []
    for book in (EPUB, AZW3, OLD_MOBI):
        result = run_cli(tmp_path, "inspect", str(book), "--json")
        assert result.returncode == 0, result.stderr
        shapes.append(_shape(json.loads(result.stdout)))
    assert shapes[1] == shapes[0]
    assert shapes[2] == shapes[0]
    mobi = json.loads(run_cli(tmp_path, "inspect", str(OLD_MOBI), "--json").stdout)
    assert mobi["format"] == "MOBI"
    assert mobi["title"] == "Pride and Prejudice"
    assert mobi["authors"] == ["Jane Austen"]
    assert mobi["language"] == "en"
    assert [e["title"] for e in mobi["toc"]][1:3] == ["Chapter 1", "Chapter 2"]


def test_inspect_refuses_a_protected_book_in_one_line(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "inspect", str(AZW3.with_name("minimal-drm.azw3")))
    assert result.returncode == 2
    assert result.stderr == (
        "tone-reader: “minimal-drm.azw3” is protected by DRM; Tone Reader can only open"
        " books without it.\n"
    )
