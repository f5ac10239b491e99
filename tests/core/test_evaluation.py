"""Label matching and run metrics: pure functions, checked against known values."""

from __future__ import annotations

import pytest

from reader_app.core.eval_data import EvalAnswer
from reader_app.core.evaluation import (
    canonical_label,
    compare_runs,
    confusion,
    match_label,
    normalise_label,
    percentile,
    summarise_run,
    tone_words,
    wilson_interval,
)


# -- Wilson interval ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("correct", "n", "low", "high"),
    [
        (8, 10, 0.4902, 0.9433),
        (7, 10, 0.3968, 0.8922),
        (0, 10, 0.0, 0.2775),
        (10, 10, 0.7225, 1.0),
        (50, 100, 0.4038, 0.5962),
        (1, 1, 0.2065, 1.0),
    ],
)
def test_wilson_interval_known_values(correct: int, n: int, low: float, high: float) -> None:
    got = wilson_interval(correct, n)
    assert (round(got[0], 4), round(got[1], 4)) == (low, high)


def test_wilson_interval_of_nothing_is_zero() -> None:
    assert wilson_interval(0, 0) == (0.0, 0.0)


def test_wilson_interval_narrows_with_z() -> None:
    wide = wilson_interval(8, 10, z=2.576)
    narrow = wilson_interval(8, 10, z=1.0)
    assert wide[0] < narrow[0] < 0.8 < narrow[1] < wide[1]


# -- matching ----------------------------------------------------------------------------------
def test_normalise_label() -> None:
    assert normalise_label("  Scornful & Disapproving! ") == "scornful disapproving"
    assert normalise_label("no_impact") == "no impact"
    assert normalise_label("Matter-of-fact") == "matter of fact"
    assert normalise_label("ＪＯＹ") == "joy"  # full-width letters (NFKC)


@pytest.mark.parametrize(
    ("predicted", "expected"),
    [
        ("neutral", "no_impact"),
        ("neutral", "none"),
        ("positive", "pos"),
        ("negative", "NEG"),
        ("mixed", "mixed"),
        ("negative", "positive;negative"),  # alternatives
    ],
)
def test_polarity_matches_dataset_labels(predicted: str, expected: str) -> None:
    assert match_label(predicted, expected, "polarity")


@pytest.mark.parametrize(
    ("predicted", "expected"),
    [("positive", "no_impact"), ("neutral", "negative"), ("mixed", "positive"), ("", "")],
)
def test_polarity_mismatches(predicted: str, expected: str) -> None:
    assert not match_label(predicted, expected, "polarity")


@pytest.mark.parametrize(
    ("predicted", "expected"),
    [
        ("joy", "happiness"),
        ("joy", "Joyful"),
        ("sadness", "grief"),
        ("sadness", "sorrow"),
        ("fear", "scared"),
        ("anger", "annoyance"),
        ("anger", "rage"),
        ("disgust", "disgusted"),
        ("surprise", "amazement"),
        ("trust", "admiration"),
        ("trust", "approval"),
        ("anticipation", "optimism"),
        ("anticipation", "curiosity"),
        ("sadness", "neutral;grief"),  # a GoEmotions multi-label row
    ],
)
def test_emotion_synonyms(predicted: str, expected: str) -> None:
    assert match_label(predicted, expected, "emotion")


def test_emotion_mismatches_and_unknown_labels() -> None:
    assert not match_label("joy", "sadness", "emotion")
    assert not match_label("fear", "neutral", "emotion")  # not a Plutchik emotion
    assert match_label("neutral", "Neutral", "emotion")  # unknown labels: normalised text
    assert canonical_label("happiness", "emotion") == "joy"
    assert canonical_label("no_impact", "polarity") == "neutral"
    assert canonical_label("Something Else", "emotion") == "something else"


@pytest.mark.parametrize(
    ("predicted", "expected"),
    [
        ("Scornful and Disapproving", "disapproving"),
        ("Scornful and Disapproving", "Scornful and Disapproving"),
        ("Sarcastic", "Ironic"),
        ("Mocking and Bitter", "sardonic"),
        ("Critical", "disapproval"),  # a synonym in another form
        ("Wistful and Tender", "nostalgic"),
        ("Gentle", "gentleness"),
        ("Joyful and Light", "Happy"),
        ("Slightly melancholy tone", "sad"),
        ("not hopeful", "Not hopeful"),
    ],
)
def test_tone_labels_that_match(predicted: str, expected: str) -> None:
    assert match_label(predicted, expected, "tone")


@pytest.mark.parametrize(
    ("predicted", "expected"),
    [
        ("Calm and Reflective", "Angry"),
        ("hopeless", "hopeful"),  # "less" is never stripped
        ("not hopeful", "hopeful"),  # negation keeps them apart
        ("Slightly ironic", "Slightly angry"),  # hedges are not content words
        ("", "Calm"),
    ],
)
def test_tone_labels_that_do_not_match(predicted: str, expected: str) -> None:
    assert not match_label(predicted, expected, "tone")


def test_tone_words_drop_joining_words_and_group_synonyms() -> None:
    assert tone_words("Scornful and Disapproving") == {"scornful", "disapproving"}
    assert tone_words("sarcastic") == tone_words("ironic") == {"ironic"}
    assert tone_words("a very somber tone") == {"sad"}


def test_unknown_field_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown field"):
        match_label("a", "a", "colour")


# -- confusion and percentiles -----------------------------------------------------------------
def test_confusion_counts_and_keeps_unknown_labels() -> None:
    pairs = [("negative", "negative"), ("negative", "neutral"), ("positive", "positive"),
             ("weird", "positive")]  # fmt: skip
    table = confusion(pairs, ["negative", "neutral", "positive"])
    assert list(table) == ["negative", "neutral", "positive", "weird"]
    assert table["negative"] == {"negative": 1, "neutral": 1, "positive": 0, "weird": 0}
    assert table["weird"]["positive"] == 1
    assert sum(sum(row.values()) for row in table.values()) == len(pairs)


def test_percentile_interpolates_like_numpy() -> None:
    values = [15.0, 20.0, 35.0, 40.0, 50.0]
    assert percentile(values, 50) == 35.0
    assert percentile(values, 0) == 15.0
    assert percentile(values, 100) == 50.0
    assert percentile(values, 40) == pytest.approx(29.0)  # numpy.percentile(values, 40)
    assert percentile(list(range(1, 101)), 95) == pytest.approx(95.05)
    assert percentile([], 50) == 0.0
    assert percentile([7.0], 95) == 7.0


# -- run reports -------------------------------------------------------------------------------
def ok(item_id: int, expected: str, predicted: str, correct: bool, **kw: object) -> EvalAnswer:
    base: dict[str, object] = {"latency_ms": 100.0 * item_id, "input_tokens": 10,
                               "output_tokens": 5, "cache_read_tokens": 100, "cost_usd": 0.001}  # fmt: skip
    base.update(kw)
    return EvalAnswer(item_id, "ok", expected, predicted, correct, **base)


def failed(item_id: int, expected: str) -> EvalAnswer:
    return EvalAnswer(item_id, "failed", expected, latency_ms=5000.0, error_kind="rate_limited",
                      error_message="Too many requests right now (429).")  # fmt: skip


def test_summarise_run_counts_failed_apart() -> None:
    answers = [
        *(ok(i, "positive", "positive", True) for i in range(1, 8)),
        *(ok(i, "negative", "neutral", False) for i in range(8, 11)),
        failed(11, "positive"),
        failed(12, "no_impact"),
    ]
    report = summarise_run(answers, "polarity")
    assert (report.labelled, report.correct, report.failed) == (10, 7, 2)
    assert report.accuracy == 0.7
    assert (round(report.ci_low, 4), round(report.ci_high, 4)) == (0.3968, 0.8922)
    assert report.input_tokens == 100
    assert report.cache_read_tokens == 1000
    assert report.cost_usd == pytest.approx(0.01)
    # Latency percentiles are over answered items: the failed 5 s waits do not count.
    assert report.p50_latency_ms == 550.0
    assert report.p95_latency_ms == pytest.approx(955.0)
    assert report.confusion is not None
    assert report.confusion["positive"]["positive"] == 7
    assert report.confusion["negative"]["neutral"] == 3
    assert set(report.confusion) == {"negative", "neutral", "positive", "mixed"}


def test_summarise_run_overrides_win_and_judged_are_counted() -> None:
    answers = [
        ok(1, "Calm", "Serene", True),
        ok(2, "Calm", "Brooding", False, override=True),
        ok(3, "Angry", "Angry", True, override=False),
        ok(4, "Uneasy", "Restless", True, judged=True),
    ]
    report = summarise_run(answers, "tone", total_seconds=1.5)
    assert (report.correct, report.overridden, report.judged) == (3, 2, 1)
    assert report.confusion is None
    assert report.total_seconds == 1.5
    assert report.as_dict()["accuracy"] == 0.75


def test_summarise_empty_run() -> None:
    report = summarise_run([], "emotion")
    assert (report.labelled, report.accuracy, report.ci_low, report.ci_high) == (0, 0.0, 0.0, 0.0)
    assert report.confusion is not None
    assert list(report.confusion) == ["joy", "trust", "fear", "surprise", "sadness", "disgust",
                                      "anger", "anticipation"]  # fmt: skip


def test_confusion_uses_the_alternative_that_was_hit() -> None:
    report = summarise_run([ok(1, "neutral;grief", "sadness", True)], "emotion")
    assert report.confusion is not None
    assert report.confusion["sadness"]["sadness"] == 1


def test_compare_runs_gives_deltas_and_changed_items() -> None:
    a = [ok(1, "joy", "joy", True), ok(2, "fear", "sadness", False), ok(3, "anger", "anger", True),
         failed(4, "trust")]  # fmt: skip
    b = [ok(1, "joy", "happiness", True), ok(2, "fear", "fear", True),
         ok(3, "anger", "disgust", False), ok(4, "trust", "trust", True)]  # fmt: skip
    result = compare_runs(a, b, "emotion")
    assert result.a.accuracy == pytest.approx(2 / 3)
    assert result.b.accuracy == 0.75
    assert result.deltas["accuracy"] == pytest.approx(0.75 - 2 / 3)
    assert result.deltas["failed"] == -1
    assert result.deltas["labelled"] == 1
    # Item 1 only changed its wording ("happiness" is joy): not a change.
    assert [c.item_id for c in result.changed] == [2, 3, 4]
    two = result.changed[0]
    assert (two.predicted_a, two.predicted_b, two.correct_a, two.correct_b) == (
        "sadness", "fear", False, True)  # fmt: skip
    four = result.changed[2]
    assert (four.predicted_a, four.correct_a, four.expected) == (None, None, "trust")


def test_compare_runs_with_an_item_in_one_run_only() -> None:
    result = compare_runs([ok(1, "Calm", "Calm", True)], [], "tone")
    (change,) = result.changed
    assert (change.item_id, change.predicted_a, change.predicted_b) == (1, "Calm", None)
