"""What the answer's schema cannot enforce is repaired, recorded, and never fails the analysis."""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING, Any

import pytest

from reader_app.ai.output_schema import output_schema
from reader_app.ai.schema import MAX_TONE, SchemaMismatch, ToneAnalysis, validate_answer
from reader_app.core.records import AnalysisRecord
from tests.test_cli_analyze import ANSWER, BALLADS, run

if TYPE_CHECKING:
    from pathlib import Path

    from pytestqt.qtbot import QtBot

    from tests.fake_api import FakeAnthropic

PASSAGE = "We murder to dissect. Enough of Science and of Art."
VALID: dict[str, Any] = {
    "tone": "Harsh and Condemning",
    "polarity": "negative",
    "emotions": [{"name": "disgust", "intensity": 0.7}, {"name": "anger", "intensity": 0.5}],
    "evidence": [{"quote": "murder", "why": "a violent word for study"}],
    "explanation": "The poet says that taking nature apart to study it kills it.",
    "confidence": 0.8,
}


def check(**changes: Any) -> tuple[ToneAnalysis, list[str]]:
    answer = {**VALID, **changes}
    checked = validate_answer(json.dumps(answer), PASSAGE)
    assert checked.adjusted == checked.analysis.adjusted
    return checked.analysis, checked.adjusted


def test_a_valid_answer_needs_no_repair_and_is_stored_as_before() -> None:
    analysis, adjusted = check()
    assert adjusted == []
    assert "adjusted" not in analysis.model_dump()
    assert analysis.model_dump()["tone"] == "Harsh and Condemning"


@pytest.mark.parametrize(("value", "clamped"), [(1.4, 1.0), (-0.2, 0.0), (7, 1.0)])
def test_confidence_outside_0_to_1_is_clamped(value: float, clamped: float) -> None:
    analysis, adjusted = check(confidence=value)
    assert analysis.confidence == clamped
    assert adjusted == [f"confidence {value:g} clamped to {clamped:g}"]


def test_intensities_outside_0_to_1_are_clamped() -> None:
    emotions = [{"name": "anger", "intensity": 1.6}, {"name": "fear", "intensity": -0.3}]
    analysis, adjusted = check(emotions=emotions)
    assert [(e.name, e.intensity) for e in analysis.emotions] == [("anger", 1.0), ("fear", 0.0)]
    assert adjusted == ["anger intensity 1.6 clamped to 1", "fear intensity -0.3 clamped to 0"]


def test_more_than_three_emotions_keep_the_three_strongest() -> None:
    emotions = [
        {"name": "fear", "intensity": 0.2},
        {"name": "disgust", "intensity": 0.9},
        {"name": "sadness", "intensity": 0.4},
        {"name": "anger", "intensity": 0.6},
    ]
    analysis, adjusted = check(emotions=emotions)
    assert [e.name for e in analysis.emotions] == ["disgust", "anger", "sadness"]
    assert analysis.dominant_emotion == "disgust"
    assert adjusted == ["4 emotions: the 3 strongest kept"]


def test_no_emotion_is_allowed_and_noted() -> None:
    # DESIGN.md §6 asks for 1-3; none cannot be repaired without inventing one.
    analysis, adjusted = check(emotions=[])
    assert analysis.emotions == []
    assert analysis.dominant_emotion == ""
    assert adjusted == ["no emotion named"]


def test_unknown_and_repeated_emotions() -> None:
    emotions = [
        {"name": "Envy", "intensity": 0.9},
        {"name": " Anger ", "intensity": 0.3},
        {"name": "anger", "intensity": 0.6},
        {"name": "joy", "intensity": "a lot"},
    ]
    analysis, adjusted = check(emotions=emotions)
    assert [(e.name, e.intensity) for e in analysis.emotions] == [("anger", 0.6)]
    assert adjusted == [
        "emotion 'Envy' is not one of Plutchik's eight: left out",
        "anger named twice: the stronger kept",
        "joy had no usable intensity: left out",
    ]


def test_an_over_long_label_is_trimmed_at_a_word_boundary() -> None:
    long_tone = "Scornful, " + " ".join(["bitterly disapproving"] * 12)
    analysis, adjusted = check(tone=long_tone)
    assert len(analysis.tone) <= MAX_TONE
    assert long_tone.startswith(analysis.tone)
    assert long_tone[len(analysis.tone)] == " "  # cut between words, not inside one
    assert adjusted == [
        f"tone label of {len(long_tone)} characters trimmed to {len(analysis.tone)}"
    ]


def test_a_label_of_one_long_word_is_cut_at_the_limit() -> None:
    analysis, adjusted = check(tone="x" * 300)
    assert analysis.tone == "x" * MAX_TONE
    assert adjusted == [f"tone label of 300 characters trimmed to {MAX_TONE}"]


def test_polarity_is_normalised_or_inferred_from_the_emotions() -> None:
    analysis, adjusted = check(polarity=" Negative")
    assert (analysis.polarity, adjusted) == (
        "negative",
        ["polarity ' Negative' read as 'negative'"],
    )
    emotions = [{"name": "joy", "intensity": 0.5}, {"name": "sadness", "intensity": 0.4}]
    analysis, adjusted = check(polarity="bittersweet", emotions=emotions)
    assert analysis.polarity == "mixed"
    assert adjusted == [
        "polarity 'bittersweet' is not one of negative, neutral, positive, mixed: mixed (from the emotions)"
    ]


def test_unknown_fields_missing_parts_and_empty_quotes_are_repaired() -> None:
    answer = {k: v for k, v in VALID.items() if k not in ("confidence", "explanation")}
    answer["evidence"] = [{"quote": "", "why": "nothing"}, {"quote": "dissect"}]
    answer["speaker"] = "the poet"
    answer["mood"] = "grim"
    checked = validate_answer(json.dumps(answer), PASSAGE)
    analysis = checked.analysis
    assert (analysis.confidence, analysis.explanation) == (0.0, "")
    assert [(e.quote, e.why) for e in analysis.evidence] == [("dissect", "")]
    assert checked.dropped_evidence == 0
    assert checked.adjusted == [
        "an evidence item without a quote left out",
        "no reason given for the quote 'dissect'",
        "no explanation given",
        "no usable confidence: set to 0",
        "unknown field(s) left out: mood",
    ]


def test_quotes_not_in_the_passage_are_still_dropped_and_counted_not_noted() -> None:
    evidence = [{"quote": "murder", "why": "w"}, {"quote": "not there", "why": "w"}]
    checked = validate_answer(json.dumps({**VALID, "evidence": evidence}), PASSAGE)
    assert [e.quote for e in checked.analysis.evidence] == ["murder"]
    assert (checked.dropped_evidence, checked.adjusted) == (1, [])


def test_the_adjustments_are_stored_in_the_result_and_read_back() -> None:
    analysis, adjusted = check(confidence=2)
    stored = json.loads(json.dumps(analysis.model_dump()))
    assert stored["adjusted"] == adjusted == ["confidence 2 clamped to 1"]
    record = AnalysisRecord(highlight_id=1, status="ok", result=stored)
    assert record.adjusted == ("confidence 2 clamped to 1",)
    assert AnalysisRecord(highlight_id=1, status="ok", result={"adjusted": "x"}).adjusted == ()


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("not json", "not JSON"),
        ("[1, 2]", "not a JSON object"),
        (json.dumps({k: v for k, v in VALID.items() if k != "tone"}), "no tone"),
        (json.dumps({**VALID, "tone": "   "}), "no tone"),
        (json.dumps({**VALID, "tone": 7}), "no tone"),
    ],
)
def test_only_what_cannot_be_repaired_fails(text: str, why: str) -> None:
    with pytest.raises(SchemaMismatch, match=why):
        validate_answer(text, PASSAGE)


def test_the_schema_states_what_it_can_and_nothing_the_api_refuses() -> None:
    schema = output_schema()
    assert schema["properties"]["emotions"]["minItems"] == 1
    text = json.dumps(schema)
    for keyword in ("minimum", "maximum", "minLength", "maxLength", "maxItems", "multipleOf"):
        assert f'"{keyword}"' not in text


def test_an_analysis_whose_answer_needs_repairs_succeeds_and_says_so(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    # End to end: the CLI, the real SDK over HTTP, the stricter fake, the library on disk.
    emotions = [{"name": n, "intensity": i} for n, i in
                (("anger", 0.4), ("disgust", 1.3), ("fear", 0.1), ("sadness", 0.2))]  # fmt: skip
    fake_api.reply_json({**ANSWER, "emotions": emotions, "confidence": 1.2})
    result = run(fake_api, tmp_path, str(BALLADS), "--find", "We murder to dissect.", "--json",
                 "--save")  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["confidence"] == 1.0
    assert [e["name"] for e in report["emotions"]] == ["disgust", "anger", "sadness"]
    assert report["adjusted"] == [
        "disgust intensity 1.3 clamped to 1",
        "4 emotions: the 3 strongest kept",
        "confidence 1.2 clamped to 1",
    ]
    with sqlite3.connect(tmp_path / "data" / "library.sqlite3") as conn:
        status, stored = conn.execute("SELECT status, result_json FROM analyses").fetchone()
    assert status == "ok"
    assert json.loads(stored)["adjusted"] == report["adjusted"]


def test_the_tone_panel_shows_what_was_adjusted(qtbot: QtBot) -> None:
    from reader_app.ui.tone_panel import TonePanel

    analysis, adjusted = check(confidence=2)
    panel = TonePanel()
    qtbot.addWidget(panel)
    record = AnalysisRecord(highlight_id=1, status="ok", model="claude-haiku-5-5",
                            result=analysis.model_dump())  # fmt: skip
    panel.show_record(PASSAGE, record)
    assert "(The answer was adjusted to fit: confidence 2 clamped to 1.)" in panel.evidence.text()
    assert adjusted == ["confidence 2 clamped to 1"]


@pytest.mark.parametrize(
    ("speaker", "addressee", "expected"),
    [
        ("  Mr.   Darcy ", "Elizabeth", ("Mr. Darcy", "Elizabeth")),
        ("Narrator", "Reader", ("narrator", "Reader")),
        ("", "none", ("unknown", "")),
        (None, None, ("unknown", "")),
        (42, ["x"], ("unknown", "")),
        ("UNKNOWN", "N/A", ("unknown", "")),
    ],
)
def test_speaker_and_addressee_are_read_on_one_line(
    speaker: object, addressee: object, expected: tuple[str, str]
) -> None:
    answer = {**VALID, "speaker": speaker, "addressee": addressee}
    analysis = validate_answer(json.dumps(answer), PASSAGE).analysis
    assert (analysis.speaker, analysis.addressee) == expected
    assert analysis.model_dump()["speaker"] == expected[0]


def test_an_over_long_speaker_name_is_trimmed_with_a_note() -> None:
    answer = {**VALID, "speaker": "A " * 100, "addressee": ""}
    checked = validate_answer(json.dumps(answer), PASSAGE)
    assert len(checked.analysis.speaker) <= 80
    assert any(note.startswith("speaker name of") for note in checked.adjusted)
