"""One passage is one highlight: analysing it again adds to its history, in every export.

``tone-reader analyze --save`` runs as a real process, with the real SDK, against the fake
Messages API; then ``tone-reader export`` writes each format, read back as its consumer would.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import subprocess
import sys
import zipfile
from typing import TYPE_CHECKING

from tests.fake_api import VALID_KEY, FakeAnthropic
from tests.test_cli_analyze import ANSWER, BALLADS, ROOT, run

if TYPE_CHECKING:
    from pathlib import Path

SECOND = {**ANSWER, "tone": "Scornful", "emotions": [{"name": "anger", "intensity": 0.8}]}
PASSAGE = "We murder to dissect."


def _export(profile: Path, fmt: str, out: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    return subprocess.run(
        [sys.executable, "-m", "reader_app", "--profile-dir", str(profile), "export", "--all",
         "--format", fmt, "-o", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_analysing_a_passage_twice_keeps_one_highlight_with_two_analyses(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    profile = tmp_path / "profile"
    fake_api.reply_json(ANSWER)
    fake_api.reply_json(SECOND)
    reports = []
    for _ in range(2):
        result = run(fake_api, profile, str(BALLADS), "--find", PASSAGE, "--json", "--save")
        assert result.returncode == 0, result.stderr
        reports.append(json.loads(result.stdout))
    assert [r["tone"] for r in reports] == ["Harsh and Condemning", "Scornful"]
    assert reports[0]["highlight_id"] == reports[1]["highlight_id"]
    assert len(fake_api.requests_to("/v1/messages")) == 2

    with sqlite3.connect(profile / "data" / "library.sqlite3") as conn:
        highlights = conn.execute("SELECT id, quote, color FROM highlights").fetchall()
        analyses = conn.execute(
            "SELECT highlight_id, tone FROM analyses WHERE status = 'ok' ORDER BY id"
        ).fetchall()
    assert highlights == [(reports[0]["highlight_id"], PASSAGE, "anger")]  # the latest colour
    hid = highlights[0][0]
    assert analyses == [(hid, "Harsh and Condemning"), (hid, "Scornful")]

    # Every export has one entry for the passage, showing its latest analysis.
    rows = _read_csv(profile, tmp_path / "out.csv")
    assert [(r["Highlight"], r["Note"].split(" —")[0]) for r in rows] == [
        (PASSAGE, "Tone: Scornful (anger 80%)")
    ]
    markdown = _write(profile, "md", tmp_path / "out.md").read_text(encoding="utf-8")
    assert markdown.count("> We murder to dissect.") == 1
    assert "**Tone:** Scornful" in markdown
    annotations = json.loads(_write(profile, "json", tmp_path / "out.json").read_text())
    assert annotations["total"] == 1
    with zipfile.ZipFile(_write(profile, "anki", tmp_path / "out.apkg")) as archive:
        collection = archive.read("collection.anki2")
    conn = sqlite3.connect(":memory:")
    try:
        conn.deserialize(collection)
        (notes,) = conn.execute("SELECT COUNT(*) FROM notes").fetchone()
    finally:
        conn.close()
    assert notes == 1
    assert VALID_KEY not in markdown


def _write(profile: Path, fmt: str, out: Path) -> Path:
    result = _export(profile, fmt, out)
    assert result.returncode == 0, result.stderr
    return out


def _read_csv(profile: Path, out: Path) -> list[dict[str, str]]:
    text = _write(profile, "csv", out).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))
