"""The reader corrects an answer, and may keep it as an example (no Qt, a real library)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from reader_app.core.records import NewAnalysis
from reader_app.usecases.analysis import AnalysisComposer, place_of
from reader_app.usecases.correction import (
    CORRECTED_TAG,
    example_from,
    example_source,
    keep_correction,
)
from tests.usecases.analysis_library import (
    MURDER,
    SWEET,
    Library,
    ballads,
    open_library,
    pride,
)

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from reader_app.core.records import AnalysisRecord, Highlight

POEM = "The Tables Turned"
ORIGINAL: dict[str, Any] = {
    "tone": "Harsh and Condemning",
    "polarity": "negative",
    "emotions": [{"name": "disgust", "intensity": 0.75}],
    "evidence": [{"quote": "murder", "why": "a violent word"}],
    "explanation": "Hard.",
    "confidence": 0.8,
}
CORRECTED: dict[str, Any] = {
    **ORIGINAL,
    "tone": "Bitter and Accusing",
    "emotions": [{"name": "anger", "intensity": 0.9}, {"name": "disgust", "intensity": 0.4}],
    "explanation": "He blames science in one bitter line.",
}


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    made = open_library(tmp_path / "library.sqlite3")
    made.seed_examples()
    yield made
    made.conn.close()


def _analysed(library: Library) -> tuple[Highlight, AnalysisRecord]:
    item = library.highlight(ballads(), MURDER, POEM)
    record = library.analyses.add(
        NewAnalysis(item.id, "ok", tone=ORIGINAL["tone"], dominant_emotion="disgust",
                    result=ORIGINAL)
    )  # fmt: skip
    return item, record


def test_a_correction_sits_beside_the_answer(library: Library) -> None:
    item, record = _analysed(library)
    before = len(library.examples.all())
    kept = keep_correction(
        library.corrections, library.examples, item, record.id, CORRECTED, as_example=False
    )
    assert kept.example_id is None
    assert kept.dominant_emotion == "anger"
    stored = library.corrections.latest_for_analysis(record.id)
    assert stored is not None
    assert (stored.id, stored.tone, stored.result) == (kept.correction_id, CORRECTED["tone"],
                                                       CORRECTED)  # fmt: skip
    assert library.analyses.history(item.id) == [record]  # the model's answer is kept
    assert len(library.examples.all()) == before


def test_a_correction_kept_as_an_example_feeds_the_next_request(library: Library) -> None:
    item, record = _analysed(library)
    book = ballads()
    kept = keep_correction(
        library.corrections, library.examples, item, record.id, CORRECTED,
        as_example=True, source=example_source(book, item),
    )  # fmt: skip
    assert kept.example_id is not None
    example = library.examples.get(kept.example_id)
    assert example is not None
    assert example.example.excerpt == MURDER
    assert example.example.tone == "Bitter and Accusing"
    assert example.example.emotions == (("anger", 0.9), ("disgust", 0.4))
    assert example.example.source == "Lyrical Ballads, The Tables Turned"
    assert example.example.tags == (CORRECTED_TAG,)
    stored = library.corrections.latest_for_analysis(record.id)
    assert stored is not None
    assert stored.example_id == kept.example_id
    # The next request, for another passage, carries it in its cached examples.
    other = library.highlight(book, SWEET, POEM)
    composer = AnalysisComposer(library.examples, library.current, analyses=library.analyses)
    request = composer.for_passage(book, place_of(other))
    assert "Bitter and Accusing" in str(request.system[-1]["text"])


def test_an_example_names_its_source_only_from_its_own_book(library: Library) -> None:
    item, _record = _analysed(library)
    assert example_source(ballads(), item) == "Lyrical Ballads, The Tables Turned"
    assert example_source(pride(), item) == ""
    assert example_source(None, item) == ""
    example = example_from(item, {"tone": "Flat", "emotions": []}, "")
    assert (example.tone, example.emotions, example.explanation) == ("Flat", (), "")
