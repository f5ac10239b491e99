"""The shape of a tone analysis (DESIGN.md §6), its JSON schema, and its validation.

Structured outputs enforce only part of the shape (``output_schema.py``: no numeric
bounds, no string lengths, no ``maxItems``). What the schema cannot enforce is repaired
here, not failed: intensities and confidence are clamped to 0–1, more
than three emotions become the three strongest, an over-long label is trimmed at a word,
and so on. Each repair is recorded in :attr:`ToneAnalysis.adjusted`, which is stored
with the answer and shown with it. Only an answer that is not JSON, not an object, or
has no tone at all fails.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    ValidationError,
    field_validator,
    model_serializer,
)

from reader_app.ai.output_schema import output_schema
from reader_app.core import jsonsafe
from reader_app.core.emotions import EMOTIONS
from reader_app.core.tone_result import EmotionScore, strongest_first

__all__ = [
    "CheckedAnalysis", "Emotion", "Evidence", "SchemaMismatch", "ToneAnalysis",
    "output_schema", "repair_answer", "validate_answer",
]  # fmt: skip

MAX_TONE = 120  # characters; a longer label is trimmed at a word
MAX_EMOTIONS = 3
POLARITIES = ("negative", "neutral", "positive", "mixed")
FIELDS = (
    "tone", "polarity", "emotions", "evidence", "explanation", "confidence", "speaker", "addressee",
)  # fmt: skip
MAX_NAME = 80  # characters of a speaker's or addressee's name
NARRATOR = "narrator"
UNKNOWN_SPEAKER = "unknown"
# Plutchik's emotions by polarity, to infer a polarity the answer did not give usably.
_POSITIVE = frozenset({"joy", "trust"})
_NEGATIVE = frozenset({"fear", "sadness", "disgust", "anger"})

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
    """A validated answer.

    ``adjusted`` says what was repaired in the model's answer (empty when nothing was);
    it is left out of :meth:`model_dump` when empty, so an answer that needed nothing
    is stored and printed exactly as before.
    """

    model_config = ConfigDict(extra="forbid")
    tone: str = Field(min_length=1, max_length=120)
    polarity: Polarity
    emotions: list[Emotion] = Field(max_length=3)
    evidence: list[Evidence]
    explanation: str
    confidence: float = Field(ge=0.0, le=1.0)
    speaker: str = UNKNOWN_SPEAKER
    addressee: str = ""
    adjusted: list[str] = Field(default_factory=list)

    @field_validator("emotions")
    @classmethod
    def _strongest_first(cls, value: list[Emotion]) -> list[Emotion]:
        return sorted(value, key=lambda e: -e.intensity)

    @model_serializer(mode="wrap")
    def _without_empty_adjusted(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if not data.get("adjusted"):
            data.pop("adjusted", None)
        return data

    @property
    def dominant_emotion(self) -> str:
        """The strongest emotion's name, or "" when the answer named none."""
        scores = strongest_first(EmotionScore(e.name, e.intensity) for e in self.emotions)
        return scores[0].name if scores else ""


class SchemaMismatch(ValueError):
    """The model's answer cannot be read as a tone analysis, even repaired."""


@dataclass(frozen=True, slots=True)
class CheckedAnalysis:
    """A validated analysis and how many evidence quotes were dropped."""

    analysis: ToneAnalysis
    dropped_evidence: int

    @property
    def adjusted(self) -> list[str]:
        """What was repaired in the answer, one short phrase each."""
        return self.analysis.adjusted


def validate_answer(text: str, passage: str) -> CheckedAnalysis:
    """Parse, repair and check an answer.

    Evidence not found word for word in the passage is dropped (and counted, not listed
    as a repair).

    Raises:
        SchemaMismatch: the text is not JSON, not an object, or has no tone.
    """
    try:
        data = jsonsafe.loads(text)
    except json.JSONDecodeError as exc:
        raise SchemaMismatch(f"the answer is not JSON ({exc.msg})") from exc
    repaired, adjusted = repair_answer(data)
    try:
        analysis = ToneAnalysis.model_validate({**repaired, "adjusted": adjusted})
    except ValidationError as exc:  # the repairs leave nothing to fail: a bug if reached
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise SchemaMismatch(f"the answer has the wrong shape at {where or 'top'}") from exc
    kept = [e for e in analysis.evidence if e.quote in passage]
    dropped = len(analysis.evidence) - len(kept)
    if dropped:
        analysis = analysis.model_copy(update={"evidence": kept})
    return CheckedAnalysis(analysis, dropped)


def repair_answer(data: object) -> tuple[dict[str, Any], list[str]]:
    """The answer made to fit the schema's bounds, and what was changed (one phrase each).

    Raises:
        SchemaMismatch: ``data`` is not an object, or has no tone (a non-empty string).
    """
    if not isinstance(data, dict):
        raise SchemaMismatch("the answer is not a JSON object")
    notes: list[str] = []
    tone = _tone(data.get("tone"), notes)
    emotions = _emotions(data.get("emotions"), notes)
    repaired = {
        "tone": tone,
        "polarity": _polarity(data.get("polarity"), emotions, notes),
        "emotions": emotions,
        "evidence": _evidence(data.get("evidence"), notes),
        "explanation": _explanation(data.get("explanation"), notes),
        "confidence": _confidence(data.get("confidence"), notes),
        "speaker": _name(data.get("speaker"), notes, "speaker") or UNKNOWN_SPEAKER,
        "addressee": _name(data.get("addressee"), notes, "addressee"),
    }
    unknown = sorted(str(key) for key in data if key not in FIELDS)
    if unknown:
        notes.append(f"unknown field(s) left out: {', '.join(unknown)}")
    return repaired, notes


def _tone(value: object, notes: list[str]) -> str:
    tone = " ".join(value.split()) if isinstance(value, str) else ""
    if not tone:
        raise SchemaMismatch("the answer has no tone")
    if len(tone) <= MAX_TONE:
        return tone
    cut = tone[: MAX_TONE + 1]
    cut = cut.rsplit(" ", 1)[0] if " " in cut else cut[:MAX_TONE]
    cut = cut[:MAX_TONE].rstrip(" ,;:-–—")
    notes.append(f"tone label of {len(tone)} characters trimmed to {len(cut)}")
    return cut


def _number(value: object) -> float | None:
    """A finite number, or None (bools, text and NaN are not numbers here)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return None if number != number else number  # NaN


def _clamped(number: float) -> float:
    return min(1.0, max(0.0, number))


def _shown(number: float) -> str:
    return f"{number:g}"


def _confidence(value: object, notes: list[str]) -> float:
    number = _number(value)
    if number is None:
        notes.append("no usable confidence: set to 0")
        return 0.0
    if _clamped(number) != number:
        notes.append(f"confidence {_shown(number)} clamped to {_shown(_clamped(number))}")
    return _clamped(number)


def _emotions(value: object, notes: list[str]) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        notes.append("the emotions were not a list: none kept")
        return []
    strongest: dict[str, float] = {}
    for item in value:
        raw_name = item.get("name") if isinstance(item, dict) else None
        name = raw_name.strip().lower() if isinstance(raw_name, str) else ""
        if name not in EMOTIONS:
            notes.append(f"emotion {raw_name!r} is not one of Plutchik's eight: left out")
            continue
        number = _number(item.get("intensity"))
        if number is None:
            notes.append(f"{name} had no usable intensity: left out")
            continue
        if _clamped(number) != number:
            notes.append(f"{name} intensity {_shown(number)} clamped to {_shown(_clamped(number))}")
            number = _clamped(number)
        if name in strongest:
            notes.append(f"{name} named twice: the stronger kept")
        strongest[name] = max(number, strongest.get(name, 0.0))
    ranked = sorted(strongest.items(), key=lambda pair: -pair[1])  # stable: ties keep order
    if len(ranked) > MAX_EMOTIONS:
        notes.append(f"{len(ranked)} emotions: the {MAX_EMOTIONS} strongest kept")
        ranked = ranked[:MAX_EMOTIONS]
    if not ranked:
        notes.append("no emotion named")
    return [{"name": name, "intensity": intensity} for name, intensity in ranked]


def _polarity(value: object, emotions: list[dict[str, Any]], notes: list[str]) -> str:
    polarity = value.strip().lower() if isinstance(value, str) else ""
    if polarity in POLARITIES:
        if polarity != value:
            notes.append(f"polarity {value!r} read as {polarity!r}")
        return polarity
    names = {e["name"] for e in emotions}
    good, bad = bool(names & _POSITIVE), bool(names & _NEGATIVE)
    inferred = "mixed" if good and bad else "positive" if good else "negative" if bad else "neutral"
    notes.append(
        f"polarity {value!r} is not one of {', '.join(POLARITIES)}: {inferred} (from the emotions)"
    )
    return inferred


def _evidence(value: object, notes: list[str]) -> list[dict[str, str]]:
    if not isinstance(value, list):
        if value is not None:
            notes.append("the evidence was not a list: none kept")
        return []
    kept: list[dict[str, str]] = []
    for item in value:
        quote = item.get("quote") if isinstance(item, dict) else None
        if not isinstance(quote, str) or not quote.strip():
            notes.append("an evidence item without a quote left out")
            continue
        why = item.get("why")
        if not isinstance(why, str):
            notes.append(f"no reason given for the quote {quote.strip()[:40]!r}")
            why = ""
        kept.append({"quote": quote.strip(), "why": why.strip()})
    return kept


def _explanation(value: object, notes: list[str]) -> str:
    explanation = value.strip() if isinstance(value, str) else ""
    if not explanation:
        notes.append("no explanation given")
    return explanation


def _name(value: object, notes: list[str], role: str) -> str:
    """A speaker's or addressee's name on one line; "narrator" and "unknown" in lower case.

    An answer from a prompt that asked for no speaker has none: that reads as unknown,
    without a note.
    """
    name = " ".join(value.split()) if isinstance(value, str) else ""
    if name.casefold() in (NARRATOR, UNKNOWN_SPEAKER, "none", "n/a"):
        return "" if name.casefold() in ("none", "n/a") else name.casefold()
    if len(name) > MAX_NAME:
        notes.append(f"{role} name of {len(name)} characters trimmed to {MAX_NAME}")
        name = name[:MAX_NAME].rstrip()
    return name
