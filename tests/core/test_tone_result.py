"""One typed tone result, read tolerantly from whatever was stored, exported or imported."""

from __future__ import annotations

import pytest

from reader_app.ai.schema import ToneAnalysis
from reader_app.core.tone_result import EmotionScore, ToneResult, dominant_emotion

ANSWER = {
    "tone": "Scornful and Disapproving",
    "polarity": "negative",
    "emotions": [{"name": "anger", "intensity": 0.4}, {"name": "disgust", "intensity": 0.8}],
    "evidence": [{"quote": "murder", "why": "a shocking word"}],
    "explanation": "The speaker despises the scholars.",
    "confidence": 0.9,
}


def test_a_full_answer_is_read_with_the_strongest_emotion_first() -> None:
    result = ToneResult.load(ANSWER)
    assert result.tone == "Scornful and Disapproving"
    assert result.emotions == (EmotionScore("disgust", 0.8), EmotionScore("anger", 0.4))
    assert result.dominant_emotion == "disgust"
    assert result.evidence[0].quote == "murder"
    assert result.confidence == 0.9


@pytest.mark.parametrize(
    "stored",
    [None, [], "text", {}, {"emotions": "anger"}, {"emotions": [None, {"intensity": 2}]}],
)
def test_anything_malformed_gives_an_empty_part_not_an_error(stored: object) -> None:
    result = ToneResult.load(stored)
    assert result.dominant_emotion == ""
    assert result.emotions == ()


def test_odd_values_are_clamped_or_dropped() -> None:
    result = ToneResult.load(
        {"tone": 7, "confidence": True, "emotions": [{"name": " joy ", "intensity": 3}]}
    )
    assert (result.tone, result.confidence) == ("", 0.0)
    assert result.emotions == (EmotionScore("joy", 1.0),)


def test_the_validated_answer_and_the_stored_one_agree_on_the_dominant_emotion() -> None:
    validated = ToneAnalysis.model_validate(ANSWER)
    assert validated.dominant_emotion == dominant_emotion(ANSWER) == "disgust"
    assert dominant_emotion(None) == ""
