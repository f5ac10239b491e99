"""The Tone panel's cache lines (in its Details): the answer's cached share from the API's usage,
or "prefix too short to cache" when nothing was cached, and the share over the session's analyses,
each on a line of its own."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reader_app.core.records import AnalysisRecord
from reader_app.ui.tone_panel import TonePanel

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

RESULT = {
    "tone": "Harsh", "polarity": "negative",
    "emotions": [{"name": "disgust", "intensity": 0.7}],
    "evidence": [{"quote": "murder", "why": "a violent word"}],
    "explanation": "Hard.", "confidence": 0.9,
}  # fmt: skip
PASSAGE = "We murder to dissect."


def _record(record_id: int, uncached: int, written: int, read: int) -> AnalysisRecord:
    return AnalysisRecord(
        highlight_id=1, status="ok", model="claude-haiku-5-5", result=RESULT, id=record_id,
        input_tokens=uncached, cache_creation_tokens=written, cache_read_tokens=read,
        output_tokens=300, cost_usd=0.001,
    )  # fmt: skip


def _answer(panel: TonePanel, record: AnalysisRecord, passage: str = PASSAGE) -> str:
    """An analysis the panel waited for, then its answer."""
    panel.show_pending(passage)
    panel.show_record(passage, record)
    return panel.meta.text()


def test_the_share_of_each_answer_and_of_the_session(qtbot: QtBot) -> None:
    panel = TonePanel()
    qtbot.addWidget(panel)
    first = _answer(panel, _record(1, 200, 9_000, 0))
    assert "9,200 in / 300 out" in first
    assert first.splitlines()[-2:] == [
        "Cache: 9,000 saved for next time",
        "Session: 0% from cache (1 answer)",
    ]
    second = _answer(panel, _record(2, 200, 0, 9_000))
    assert second.splitlines()[-2:] == [
        "Cache: 9,000 read, 98% of the input",
        "Session: 49% from cache (2 answers)",
    ]
    # Showing a stored answer again does not count it twice.
    panel.show_record(PASSAGE, _record(2, 200, 0, 9_000))
    assert panel.meta.text().endswith("Session: 49% from cache (2 answers)")


def test_nothing_cached_says_the_prefix_is_too_short(qtbot: QtBot) -> None:
    panel = TonePanel()
    qtbot.addWidget(panel)
    meta = _answer(panel, _record(1, 1_500, 0, 0))
    assert "1,500 in / 300 out" in meta
    assert meta.splitlines()[-2:] == [
        "Cache: prefix too short to cache",
        "Session: 0% from cache (1 answer)",
    ]
    assert "saved" not in meta


def test_an_answer_not_waited_for_is_not_counted(qtbot: QtBot) -> None:
    panel = TonePanel()
    qtbot.addWidget(panel)
    panel.show_record(PASSAGE, _record(7, 200, 0, 9_000))  # a stored answer, shown again
    assert "Session" not in panel.meta.text()
    assert panel.meta.text().endswith("Cache: 9,000 read, 98% of the input")
