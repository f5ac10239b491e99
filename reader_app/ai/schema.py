"""The shape of a tone analysis (DESIGN.md §6), its JSON schema, and its validation."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from reader_app.ai.output_schema import output_schema  # noqa: F401 - part of this API
from reader_app.core import jsonsafe
from reader_app.core.tone_result import EmotionScore, strongest_first

Polarity = Literal["negative", "neutral", "positive", "mixed"]
EmotionName = Literal[
    "joy", "trust", "fear", "surprise", "sadness", "disgust", "anger", "anticipation"
]  # fmt: skip


class Emotion(BaseModel):
    """One of Plutchik's eight emotions and how strongly the passage carries it."""

    model_config = ConfigDict(extra="forbid")
    name: EmotionName
    intensity: float = Field(ge=0.0, le=1.0)


class Evidence(BaseModel):
    """Words of the passage that carry the tone, and why."""

    model_config = ConfigDict(extra="forbid")
    quote: str = Field(min_length=1)
    why: str


class ToneAnalysis(BaseModel):
    """A validated answer."""

    model_config = ConfigDict(extra="forbid")
    tone: str = Field(min_length=1, max_length=120)
    polarity: Polarity
    emotions: list[Emotion] = Field(min_length=1, max_length=3)
    evidence: list[Evidence]
    explanation: str = Field(min_length=1)
    confidence: float = Field(ge=0.0, le=1.0)

    @field_validator("emotions")
    @classmethod
    def _strongest_first(cls, value: list[Emotion]) -> list[Emotion]:
        return sorted(value, key=lambda e: -e.intensity)

    @property
    def dominant_emotion(self) -> str:
        """The strongest emotion's name, as every stored analysis is read (core.tone_result)."""
        scores = (EmotionScore(e.name, e.intensity) for e in self.emotions)
        return strongest_first(scores)[0].name


class SchemaMismatch(ValueError):
    """The model's answer is not valid JSON of the expected shape."""


@dataclass(frozen=True, slots=True)
class CheckedAnalysis:
    """A validated analysis and how many evidence quotes were dropped."""

    analysis: ToneAnalysis
    dropped_evidence: int


def validate_answer(text: str, passage: str) -> CheckedAnalysis:
    """Parse and check an answer; evidence not found word for word in the passage is dropped.

    Raises:
        SchemaMismatch: the text is not JSON, or not of the schema's shape.
    """
    try:
        data = jsonsafe.loads(text)
    except json.JSONDecodeError as exc:
        raise SchemaMismatch(f"the answer is not JSON ({exc.msg})") from exc
    try:
        analysis = ToneAnalysis.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise SchemaMismatch(f"the answer has the wrong shape at {where or 'top'}") from exc
    kept = [e for e in analysis.evidence if e.quote in passage]
    dropped = len(analysis.evidence) - len(kept)
    if dropped:
        analysis = analysis.model_copy(update={"evidence": kept})
    return CheckedAnalysis(analysis, dropped)
