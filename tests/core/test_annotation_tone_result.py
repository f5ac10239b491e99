"""An annotation reads its stored analysis once, tolerantly, and every exporter uses that."""

from __future__ import annotations

import dataclasses
import io
import json
import sqlite3
import zipfile
from typing import TYPE_CHECKING, Any

import pytest

from reader_app.core.annotations import Annotation, Provenance
from reader_app.core.exporters import EXPORTERS
from reader_app.core.tone_result import EmotionScore, EvidenceQuote, ToneResult

if TYPE_CHECKING:
    from collections.abc import Callable

KW = {"generated_at": "2024-06-01T09:30:00Z", "app_version": "0.1.0"}
ANALYSIS = {
    "tone": "Wistful",
    "polarity": "mixed",
    "emotions": [{"name": "sadness", "intensity": 0.7}, {"name": "joy", "intensity": 0.2}],
    "evidence": [{"quote": "grey", "why": "a dull colour"}],
    "explanation": "Longing for what is gone.",
    "confidence": 0.8,
}
# Every part of the wrong shape: a number for a label, a string for a list, items that
# are not objects or have no name, a list for the explanation.
MALFORMED: dict[str, Any] = {
    "tone": 5,
    "polarity": None,
    "emotions": [None, "anger", {"intensity": 0.9}, {"name": 3}],
    "evidence": "grey",
    "explanation": ["not", "text"],
    "confidence": "high",
}


def _annotation(analysis: dict[str, Any] | None, **kw: Any) -> Annotation:
    fields: dict[str, Any] = {
        "highlight_id": 1,
        "book_id": "3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b",
        "book_title": "Lyrical Ballads",
        "book_authors": ("William Wordsworth",),
        "chapter": 0,
        "section": "Expostulation and Reply",
        "start": 10,
        "end": 40,
        "quote": "the sea was calm and grey",
        "created_at": "2024-05-01T12:00:00.000Z",
        "analysis": analysis,
        "provenance": Provenance(model="claude-haiku-4-5") if analysis else Provenance(),
    }
    return Annotation(**{**fields, **kw})


def test_the_typed_result_is_read_once_and_kept() -> None:
    a = _annotation(ANALYSIS)
    assert a.tone_result is a.tone_result
    assert a.tone_result == ToneResult.load(ANALYSIS)
    assert (a.tone, a.polarity, a.dominant_emotion) == ("Wistful", "mixed", "sadness")
    assert a.tone_result.emotions[0] == EmotionScore("sadness", 0.7)
    assert a.tone_result.evidence == (EvidenceQuote("grey", "a dull colour"),)


def test_the_typed_result_is_not_an_argument_nor_part_of_equality_or_repr() -> None:
    a = _annotation(ANALYSIS)
    assert a == _annotation(dict(ANALYSIS))
    assert "tone_result" not in repr(a)
    with pytest.raises(TypeError):
        _annotation(ANALYSIS, tone_result=ToneResult())


def test_a_copy_with_another_analysis_reads_the_new_one() -> None:
    changed = dataclasses.replace(_annotation(ANALYSIS), analysis={"tone": "Joyful"})
    assert changed.tone == "Joyful"
    assert changed.dominant_emotion == ""


def test_no_analysis_gives_an_empty_result() -> None:
    a = _annotation(None)
    assert a.tone_result == ToneResult()
    assert (a.tone, a.polarity, a.dominant_emotion) == ("", "", "")


def test_exporters_parse_nothing_themselves(monkeypatch: pytest.MonkeyPatch) -> None:
    annotations = [_annotation(ANALYSIS), _annotation(MALFORMED, highlight_id=2, start=50)]
    calls: list[object] = []
    load: Callable[[object], ToneResult] = ToneResult.load

    def counting(data: object) -> ToneResult:
        calls.append(data)
        return load(data)

    monkeypatch.setattr(ToneResult, "load", staticmethod(counting))
    for fmt in EXPORTERS.values():
        fmt.export(annotations, **KW)
    assert calls == []


def test_a_malformed_analysis_exports_as_empty_fields_without_error() -> None:
    a = _annotation(MALFORMED, note="a note")
    assert a.tone_result == ToneResult()
    outputs = {key: fmt.export([a], **KW) for key, fmt in EXPORTERS.items()}
    markdown = str(outputs["md"])
    assert "- **Tone:** (no label)\n" in markdown
    assert "**Emotions:**" not in markdown
    assert "**Explanation:**" not in markdown
    assert "**Evidence:**" not in markdown
    page = str(outputs["html"])
    assert "<strong>(no label)</strong></p>" in page
    assert 'class="emotions"' not in page
    assert 'class="evidence"' not in page
    assert "Tone: (no label)\n\n(claude-haiku-4-5)" in str(outputs["csv"])
    item = json.loads(str(outputs["json"]))["first"]["items"][0]
    describing, commenting = item["body"]  # no tagging bodies: no emotion was readable
    assert describing["value"] == "Tone: (no label)"
    assert describing["tone:analysis"] == MALFORMED  # exported as stored, for the importer
    assert commenting["value"] == "a note"
    assert _anki_fields(outputs["anki"]) == [
        ["the sea was calm and grey", "(no label)", "", "<p><b>Note:</b> a note</p>",
         "Lyrical Ballads — William Wordsworth", "Expostulation and Reply", "claude-haiku-4-5"]
    ]  # fmt: skip


def _anki_fields(package: str | bytes) -> list[list[str]]:
    assert isinstance(package, bytes)
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        collection = archive.read("collection.anki2")
    conn = sqlite3.connect(":memory:")
    try:
        conn.deserialize(collection)
        return [str(flds).split("\x1f") for (flds,) in conn.execute("SELECT flds FROM notes")]
    finally:
        conn.close()
