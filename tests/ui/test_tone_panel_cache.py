"""The Tone panel's cache line: the answer's cached share from the API's usage, or "prefix too
short to cache" when nothing was cached, and the share over the session's analyses."""

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
    assert "Cache: 9,000 written for the next analyses" in first
    assert "this session 0% read from the cache (1 analysis)" in first
    second = _answer(panel, _record(2, 200, 0, 9_000))
    assert "Cache: 9,000 read, 98% of the input" in second
    assert "this session 49% read from the cache (2 analyses)" in second
    # Showing a stored answer again does not count it twice.
    panel.show_record(PASSAGE, _record(2, 200, 0, 9_000))
    assert "this session 49% read from the cache (2 analyses)" in panel.meta.text()


def test_nothing_cached_says_the_prefix_is_too_short(qtbot: QtBot) -> None:
    panel = TonePanel()
    qtbot.addWidget(panel)
    meta = _answer(panel, _record(1, 1_500, 0, 0))
    assert "1,500 in / 300 out" in meta
    assert "Cache: prefix too short to cache · this session 0% read from the cache" in meta
    assert "written" not in meta


def test_an_answer_not_waited_for_is_not_counted(qtbot: QtBot) -> None:
    panel = TonePanel()
    qtbot.addWidget(panel)
    panel.show_record(PASSAGE, _record(7, 200, 0, 9_000))  # a stored answer, shown again
    assert panel.meta.text().count("this session") == 0
    assert panel.meta.text().endswith("Cache: 9,000 read, 98% of the input")
