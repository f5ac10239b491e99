"""A tone analysis as every layer reads it: typed, and loaded tolerantly from stored JSON.

The AI layer validates the model's answer strictly (``ai/schema.py``). What is stored,
exported or imported may come from older versions, other tools or hand edits, so this
reader takes whatever part of it makes sense and never raises.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping


@dataclass(frozen=True, slots=True)
class EmotionScore:
    """One emotion and how strongly the passage carries it (0 to 1)."""

    name: str
    intensity: float


@dataclass(frozen=True, slots=True)
class EvidenceQuote:
    """Words of the passage that carry the tone, and why."""

    quote: str
    why: str


@dataclass(frozen=True, slots=True)
class ToneResult:
    """The tone, the emotions (strongest first), the words that carry them, and why.

    Attributes:
        tone: the tone label ("Scornful and Disapproving"), or "".
        polarity: "negative", "neutral", "positive", "mixed", or "" when unknown.
        emotions: strongest first.
        evidence: the quotes that carry the tone.
        explanation: the plain explanation, or "".
        confidence: 0 to 1; 0 when unknown.
        speaker: who says the passage (a name, "narrator" or "unknown"); "" when the
            analysis predates speakers.
        addressee: to whom; "" when it cannot be told.
    """

    tone: str = ""
    polarity: str = ""
    emotions: tuple[EmotionScore, ...] = ()
    evidence: tuple[EvidenceQuote, ...] = ()
    explanation: str = ""
    confidence: float = 0.0
    speaker: str = ""
    addressee: str = ""

    @property
    def dominant_emotion(self) -> str:
        """The strongest emotion's name, or "" when there is none."""
        return self.emotions[0].name if self.emotions else ""

    @classmethod
    def load(cls, data: object) -> ToneResult:
        """Read a stored or imported analysis; parts of the wrong shape are left out.

        Args:
            data: the analysis as decoded JSON (normally a dict); anything else gives an
                empty result.
        """
        if not isinstance(data, dict):
            return cls()
        return cls(
            tone=_text(data.get("tone")),
            polarity=_text(data.get("polarity")),
            emotions=strongest_first(_emotions(data.get("emotions"))),
            evidence=tuple(_evidence(data.get("evidence"))),
            explanation=_text(data.get("explanation")),
            confidence=_fraction(data.get("confidence")),
            speaker=_text(data.get("speaker")),
            addressee=_text(data.get("addressee")),
        )


def speaker_text(result: ToneResult) -> str:
    """Who speaks, and to whom: "Mr. Darcy → Elizabeth"; "" when unknown or not asked."""
    if not result.speaker or result.speaker == "unknown":
        return ""
    return f"{result.speaker} → {result.addressee}" if result.addressee else result.speaker


def strongest_first(emotions: Iterable[EmotionScore]) -> tuple[EmotionScore, ...]:
    """The emotions from strongest to weakest; equal ones keep their order."""
    return tuple(sorted(emotions, key=lambda e: -e.intensity))


def dominant_emotion(analysis: Mapping[str, object] | None) -> str:
    """The strongest emotion's name in a stored analysis, or ""."""
    return ToneResult.load(analysis).dominant_emotion if analysis else ""


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _fraction(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0.0
    return min(1.0, max(0.0, float(value)))


def _emotions(value: object) -> Iterable[EmotionScore]:
    for item in value if isinstance(value, list) else []:
        if isinstance(item, dict) and _text(item.get("name")):
            yield EmotionScore(_text(item.get("name")), _fraction(item.get("intensity")))


def _evidence(value: object) -> Iterable[EvidenceQuote]:
    for item in value if isinstance(value, list) else []:
        if isinstance(item, dict) and _text(item.get("quote")):
            yield EvidenceQuote(_text(item.get("quote")), _text(item.get("why")))
