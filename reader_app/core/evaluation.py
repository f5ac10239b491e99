"""Scoring an evaluation run: matching labels, and the numbers a run report shows.

Three fields can be evaluated (DESIGN.md §7):

* ``polarity`` and ``emotion`` have fixed label sets. A dataset's spelling is mapped onto
  ours first (``no_impact`` → ``neutral``, ``happiness`` → ``joy``, …), so the match is
  exact and a confusion table makes sense.
* ``tone`` is free text ("Scornful and Disapproving"). Two tone labels match when, after
  normalising, they share a **content word**, where words of one synonym group count as
  the same word. See :func:`match_label` for the details.

An expected label may list alternatives separated by ``;`` or ``|`` (GoEmotions' multi-
label rows, for example); a prediction that matches any of them is right.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from reader_app.core.characters import character_names
from reader_app.core.emotions import EMOTIONS
from reader_app.core.eval_data import EMOTION_WORDS, POLARITY_WORDS, TONE_GROUPS

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from reader_app.core.eval_data import EvalAnswer

FIELDS = ("tone", "polarity", "emotion", "speaker")
POLARITIES = ("negative", "neutral", "positive", "mixed")
_ALTERNATIVES = re.compile(r"[;|]")
_NOT_WORD = re.compile(r"[^\w]+")
# Words that carry no tone of their own: joining words, hedges, and "tone" itself.
_STOP_TEXT = (
    "a an and but yet or nor with of in to the as at by for from into its it is "
    "slightly very somewhat mildly rather quite bit little more less most mostly mainly "
    "almost highly extremely strongly deeply overall tone tones toned mood voice "
    "feeling sounding undertone undertones hint touch"
)
_STOP_WORDS = frozenset(_STOP_TEXT.split())
_NEGATIONS = frozenset(("not", "no", "never", "non"))

# Longest first. Not a real stemmer: it only needs forms of one adjective to meet
# ("disapproving"/"disapproval", "scornful"/"scorn"). "less" is kept on purpose, so
# that "hopeless" never meets "hopeful".
_SUFFIXES = (
    "fulness", "iveness", "ousness", "ically", "ingly", "fully", "ously", "ively", "ical",
    "ness", "ment", "ity", "ful", "ing", "ous", "ive", "ily", "ly", "ed", "al", "ic", "es",
    "y", "s",
)  # fmt: skip


def normalise_label(text: str) -> str:
    """A label in a comparable form: case-folded, accents kept, punctuation as spaces.

    Args:
        text: a label as a model or a dataset wrote it, e.g. " Scornful & Disapproving!".

    Returns:
        Lower-case words separated by single spaces, e.g. "scornful disapproving"; an
        underscore or hyphen separates words too ("no_impact" → "no impact").
    """
    folded = unicodedata.normalize("NFKC", text).casefold().replace("_", " ")
    return " ".join(_NOT_WORD.sub(" ", folded).split())


def canonical_polarity(label: str) -> str | None:
    """Our polarity for a dataset's polarity label, or None when it is not one."""
    return POLARITY_WORDS.get(normalise_label(label))


def canonical_emotion(label: str) -> str | None:
    """The Plutchik emotion for an emotion word or synonym, or None when there is none."""
    return EMOTION_WORDS.get(normalise_label(label))


def canonical_label(label: str, field: str) -> str:
    """The form in which a label is compared and tabulated for a field.

    Args:
        label: the label.
        field: "tone", "polarity" or "emotion".

    Returns:
        Our polarity or Plutchik name when the label maps onto one, else the normalised label.
    """
    if field == "polarity":
        return canonical_polarity(label) or normalise_label(label)
    if field == "emotion":
        return canonical_emotion(label) or normalise_label(label)
    return normalise_label(label)


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith("ss"):
                break  # "hopeless", "careless": not a plural
            word = word[: -len(suffix)]
            break
    # "gentle"/"gentleness", "disapprove"/"disapproving": a final e is the same word.
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


def _tone_group(word: str) -> str:
    stem = _stem(word)
    return _GROUP_OF.get(stem, stem)


# Each synonym, stemmed, → its group's name: built once from the readable table. Hyphens
# split words when labels are normalised, so "matter-of-fact" is looked up as "fact".
_GROUP_OF = {
    _stem(normalise_label(word).split()[-1]): group
    for group, words in TONE_GROUPS.items()
    for word in (group, *words.split())
}


def tone_words(label: str) -> frozenset[str]:
    """The content words of a tone label, each as its synonym group (or its stem).

    "not" and its kin join the next word ("not angry" → "not anger"), so that a negated
    word never meets the plain one.
    """
    words = normalise_label(label).split()
    keys: set[str] = set()
    negate = False
    for word in words:
        if word in _NEGATIONS:
            negate = True
            continue
        if word in _STOP_WORDS:
            continue
        key = _tone_group(word)
        keys.add(f"not {key}" if negate else key)
        negate = False
    return frozenset(keys)


def match_label(predicted: str, expected: str, field: str) -> bool:
    """Whether a predicted label counts as the expected one.

    Rules by field:

    * ``polarity``: both labels are mapped to negative/neutral/positive/mixed (datasets'
      ``no_impact``, ``none``, ``neutral``, ``pos``, ``neg``, … included) and compared.
    * ``emotion``: both are mapped to Plutchik's eight through a synonym table
      (``happiness`` → joy, ``grief`` → sadness, ``admiration`` → trust, ``curiosity`` →
      anticipation, …) and compared.
    * ``speaker``: the same person, as the Characters view gathers names ("Darcy" is
      "Mr. Darcy" and "Fitzwilliam Darcy"; "Mrs. Bennet" is not "Mr. Bennet").
    * ``tone``: equal after :func:`normalise_label`, or sharing at least one content word
      after dropping joining words and hedges ("and", "slightly", "tone"), stripping
      common suffixes, and reading words of one synonym group as the same word. So
      "Scornful and Disapproving" matches "disapproving", and "Sarcastic" matches "Ironic".
      A negated word ("not hopeful") only matches the same negation.

    For the fixed fields, a label outside the set is compared by its normalised text. An
    expected label may list alternatives separated by ``;`` or ``|``.

    Args:
        predicted: the model's label.
        expected: the dataset's (or the reader's) label.
        field: "tone", "polarity" or "emotion".

    Returns:
        True when they match.

    Raises:
        ValueError: ``field`` is not one of :data:`FIELDS`.
    """
    if field not in FIELDS:
        raise ValueError(f"unknown field {field!r}")
    options = [o for o in _ALTERNATIVES.split(expected) if o.strip()] or [expected]
    return any(_match_one(predicted, option, field) for option in options)


def _match_one(predicted: str, expected: str, field: str) -> bool:
    if not predicted.strip():
        return False
    if field == "speaker":
        # One person under several names ("Darcy", "Mr. Darcy") is the same speaker.
        names = character_names([predicted, expected])
        return names[" ".join(predicted.split())] == names[" ".join(expected.split())]
    if field != "tone":
        return canonical_label(predicted, field) == canonical_label(expected, field)
    if normalise_label(predicted) == normalise_label(expected):
        return True
    return bool(tone_words(predicted) & tone_words(expected))


def wilson_interval(correct: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval for a proportion (95 % with the default ``z``).

    Args:
        correct: successes.
        n: trials.
        z: the normal quantile of the confidence level.

    Returns:
        (low, high), within [0, 1]; (0.0, 0.0) when ``n`` is 0.
    """
    if n <= 0:
        return 0.0, 0.0
    p = correct / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile with linear interpolation between ranks (numpy's default).

    Args:
        values: the sample, in any order.
        p: 0 to 100.

    Returns:
        The percentile, or 0.0 for an empty sample.
    """
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = min(max(p, 0.0), 100.0) / 100 * (len(ordered) - 1)
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def confusion(pairs: Iterable[tuple[str, str]], labels: Sequence[str]) -> dict[str, dict[str, int]]:
    """A confusion table: rows are expected labels, columns predicted ones.

    Args:
        pairs: (expected, predicted) labels, already in canonical form.
        labels: the label set, in display order. Labels seen in ``pairs`` but not in
            ``labels`` get rows and columns of their own after them, so nothing is lost.

    Returns:
        ``table[expected][predicted]`` counts, with every row holding every column.
    """
    seen = list(pairs)
    extra = sorted({label for pair in seen for label in pair} - set(labels))
    order = [*labels, *extra]
    table = {row: dict.fromkeys(order, 0) for row in order}
    for expected, predicted in seen:
        table[expected][predicted] += 1
    return table


@dataclass(frozen=True, slots=True)
class RunReport:
    """The numbers of one run (DESIGN.md §7).

    Failed items are counted apart: they are neither right nor wrong, and not in the
    accuracy. Latency percentiles are over the answered items.
    """

    field: str
    labelled: int
    correct: int
    accuracy: float
    ci_low: float
    ci_high: float
    failed: int
    judged: int
    overridden: int
    p50_latency_ms: float
    p95_latency_ms: float
    total_seconds: float
    input_tokens: int
    output_tokens: int
    cache_read_tokens: int
    cache_creation_tokens: int
    cost_usd: float
    confusion: Mapping[str, Mapping[str, int]] | None = None

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON data (the ``tone-reader eval --json`` keys)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _expected_key(answer: EvalAnswer, field: str) -> str:
    """The expected label's row in the confusion table: the alternative that was hit, if any."""
    options = [o for o in _ALTERNATIVES.split(answer.expected) if o.strip()] or [answer.expected]
    hit = [o for o in options if _match_one(answer.predicted, o, field)]
    return canonical_label((hit or options)[0], field)


def summarise_run(
    answers: Sequence[EvalAnswer], field: str, *, total_seconds: float | None = None
) -> RunReport:
    """Score a run from its answers.

    Args:
        answers: one per item answered so far (items not yet answered are not counted).
        field: the evaluated field; polarity and emotion get a confusion table.
        total_seconds: the run's wall-clock time when known; else the time spent in
            requests, which overstates it when requests ran side by side.

    Returns:
        The report.
    """
    ok = [a for a in answers if a.ok]
    correct = sum(1 for a in ok if a.verdict)
    low, high = wilson_interval(correct, len(ok))
    latencies = [a.latency_ms for a in ok]
    table = None
    if field in ("polarity", "emotion"):
        labels = POLARITIES if field == "polarity" else EMOTIONS
        pairs = ((_expected_key(a, field), canonical_label(a.predicted, field)) for a in ok)
        table = confusion(pairs, labels)
    if total_seconds is None:
        total_seconds = sum(a.latency_ms for a in answers) / 1000
    return RunReport(
        field=field,
        labelled=len(ok),
        correct=correct,
        accuracy=correct / len(ok) if ok else 0.0,
        ci_low=low,
        ci_high=high,
        failed=len(answers) - len(ok),
        judged=sum(1 for a in ok if a.judged),
        overridden=sum(1 for a in ok if a.override is not None),
        p50_latency_ms=percentile(latencies, 50),
        p95_latency_ms=percentile(latencies, 95),
        total_seconds=total_seconds,
        input_tokens=sum(a.input_tokens for a in answers),
        output_tokens=sum(a.output_tokens for a in answers),
        cache_read_tokens=sum(a.cache_read_tokens for a in answers),
        cache_creation_tokens=sum(a.cache_creation_tokens for a in answers),
        cost_usd=sum(a.cost_usd for a in answers),
        confusion=table,
    )


@dataclass(frozen=True, slots=True)
class ItemChange:
    """An item whose label or verdict differs between two runs (None: no answer)."""

    item_id: int
    expected: str
    predicted_a: str | None
    predicted_b: str | None
    correct_a: bool | None
    correct_b: bool | None


@dataclass(frozen=True, slots=True)
class RunComparison:
    """Run B against run A: both reports, B − A for each number, and the changed items."""

    a: RunReport
    b: RunReport
    deltas: Mapping[str, float]
    changed: tuple[ItemChange, ...]


_DELTA_FIELDS = (
    "labelled", "correct", "accuracy", "ci_low", "ci_high", "failed", "judged",
    "p50_latency_ms", "p95_latency_ms", "total_seconds", "input_tokens", "output_tokens",
    "cache_read_tokens", "cache_creation_tokens", "cost_usd",
)  # fmt: skip


def compare_runs(a: Sequence[EvalAnswer], b: Sequence[EvalAnswer], field: str) -> RunComparison:
    """Compare two runs over the same set (A/B).

    Args:
        a: the answers of run A.
        b: the answers of run B.
        field: the evaluated field.

    Returns:
        The reports, their differences (B − A), and the items whose predicted label
        (compared in canonical form) or verdict changed, in item order. An item answered
        in one run only, or failed in one, counts as changed.
    """
    report_a, report_b = summarise_run(a, field), summarise_run(b, field)
    deltas = {n: float(getattr(report_b, n)) - float(getattr(report_a, n)) for n in _DELTA_FIELDS}
    by_a = {x.item_id: x for x in a}
    by_b = {x.item_id: x for x in b}
    changed: list[ItemChange] = []
    for item_id in sorted(by_a.keys() | by_b.keys()):
        one, two = by_a.get(item_id), by_b.get(item_id)
        label_a = one.predicted if one is not None and one.ok else None
        label_b = two.predicted if two is not None and two.ok else None
        verdict_a = one.verdict if one is not None and one.ok else None
        verdict_b = two.verdict if two is not None and two.ok else None
        same_label = (label_a is None and label_b is None) or (
            label_a is not None
            and label_b is not None
            and canonical_label(label_a, field) == canonical_label(label_b, field)
        )
        if same_label and verdict_a == verdict_b:
            continue
        expected = one.expected if one is not None else two.expected if two is not None else ""
        changed.append(ItemChange(item_id, expected, label_a, label_b, verdict_a, verdict_b))
    return RunComparison(report_a, report_b, deltas, tuple(changed))
