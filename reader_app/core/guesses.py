"""Guess first: the learner's reading of a passage beside Claude's, and how they agree.

A guess is a polarity, up to two of Plutchik's emotions, and optionally a tone word. It
matches an answer where the polarity is the same, where its emotions are among the
answer's, and where the tone word is one of the answer's tone words. Practice figures
are the share of guesses whose polarity matched, the share of guessed emotions Claude
also named, each emotion's own share, and how the latest guesses compare with the
earliest.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reader_app.core.tone_words import tone_words

if TYPE_CHECKING:
    from collections.abc import Sequence

    from reader_app.core.tone_result import ToneResult

MAX_GUESSED_EMOTIONS = 2
RECENT = 10  # guesses in the "lately" figure


@dataclass(frozen=True, slots=True)
class Guess:
    """What the learner said before seeing the answer."""

    polarity: str
    emotions: tuple[str, ...]
    tone: str = ""


@dataclass(frozen=True, slots=True)
class StoredGuess:
    """A guess with where it belongs.

    Attributes:
        id: its row id.
        highlight_id: the passage guessed about.
        analysis_id: the answer it was compared with (None once that answer is deleted).
        created_at: when (UTC ISO 8601).
        guess: what the learner said.
        correction_id: the correction made when the learner insisted, or None.
        quote: the passage.
        answer: the answer's stored result ({} when it is gone).
    """

    id: int
    highlight_id: int
    analysis_id: int | None
    created_at: str
    guess: Guess
    correction_id: int | None
    quote: str
    answer: dict[str, object]


@dataclass(frozen=True, slots=True)
class GuessMatch:
    """How a guess agrees with an answer.

    Attributes:
        polarity: the polarities are the same.
        emotions: the guessed emotions Claude also named, in the guess's order.
        tone: the guessed tone word is one of the answer's tone words ("" guessed: False).
    """

    polarity: bool
    emotions: tuple[str, ...]
    tone: bool

    def score(self, guess: Guess) -> float:
        """0..1: the polarity counts half, the emotions the other half."""
        emotions = len(self.emotions) / len(guess.emotions) if guess.emotions else 0.0
        return 0.5 * self.polarity + 0.5 * emotions


def compare(guess: Guess, answer: ToneResult) -> GuessMatch:
    """How a guess agrees with Claude's answer."""
    named = {e.name for e in answer.emotions}
    words = set(tone_words(answer.tone))
    guessed_words = tone_words(guess.tone)
    return GuessMatch(
        polarity=bool(guess.polarity) and guess.polarity == answer.polarity,
        emotions=tuple(e for e in guess.emotions if e in named),
        tone=bool(guessed_words) and any(w in words for w in guessed_words),
    )


@dataclass(frozen=True, slots=True)
class PracticeFigures:
    """The learner's agreement with the answers.

    Attributes:
        guesses: how many guesses were compared.
        polarity: share of guesses with the answer's polarity.
        emotions: share of guessed emotions the answer also named.
        recent: the mean score of the latest RECENT guesses; ``first`` of the earliest.
        by_emotion: for each emotion guessed, (times guessed, share the answer named it).
    """

    guesses: int
    polarity: float
    emotions: float
    first: float
    recent: float
    by_emotion: tuple[tuple[str, int, float], ...]


def practice_figures(pairs: Sequence[tuple[Guess, GuessMatch]]) -> PracticeFigures:
    """Figures over the guesses in the order they were made."""
    if not pairs:
        return PracticeFigures(0, 0.0, 0.0, 0.0, 0.0, ())
    guessed = sum(len(g.emotions) for g, _m in pairs)
    matched = sum(len(m.emotions) for _g, m in pairs)
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for guess, match in pairs:
        for emotion in guess.emotions:
            counts[emotion][0] += 1
            counts[emotion][1] += emotion in match.emotions
    scores = [m.score(g) for g, m in pairs]
    return PracticeFigures(
        guesses=len(pairs),
        polarity=sum(m.polarity for _g, m in pairs) / len(pairs),
        emotions=matched / guessed if guessed else 0.0,
        first=sum(scores[:RECENT]) / len(scores[:RECENT]),
        recent=sum(scores[-RECENT:]) / len(scores[-RECENT:]),
        by_emotion=tuple(
            (e, n, hit / n) for e, (n, hit) in sorted(counts.items(), key=lambda p: -p[1][0])
        ),
    )


def insisted_answer(answer: dict[str, object], guess: Guess) -> dict[str, object]:
    """The answer as the learner reads it: their polarity, emotions and tone word.

    The rest (evidence, explanation, speaker) stays Claude's; the emotions keep Claude's
    intensity where Claude named them, else a middling 0.5.
    """
    given: dict[str, object] = {}
    emotions = answer.get("emotions")
    for item in emotions if isinstance(emotions, list) else []:
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            given[item["name"]] = item.get("intensity", 0.5)
    corrected = dict(answer)
    if guess.polarity:
        corrected["polarity"] = guess.polarity
    if guess.emotions:
        corrected["emotions"] = [
            {"name": e, "intensity": given.get(e, 0.5)} for e in guess.emotions
        ]
    if guess.tone.strip():
        corrected["tone"] = guess.tone.strip()
    return corrected
