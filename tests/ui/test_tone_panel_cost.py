"""What the reader is shown as a cost: a price, or "cost unknown", never $0 for an unpriced model."""

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


def _meta(qtbot: QtBot, model: str, cost: float) -> str:
    panel = TonePanel()
    qtbot.addWidget(panel)
    record = AnalysisRecord(highlight_id=1, status="ok", model=model, result=RESULT,
                            input_tokens=1200, output_tokens=300, cost_usd=cost)  # fmt: skip
    panel.show_record("We murder to dissect.", record)
    return panel.meta.text()


def test_an_unpriced_model_shows_cost_unknown(qtbot: QtBot) -> None:
    meta = _meta(qtbot, "claude-mystery-7", 0.0)
    assert "Cost unknown (no price for this model)" in meta.splitlines()
    assert "$" not in meta


def test_a_priced_model_shows_its_cost(qtbot: QtBot) -> None:
    meta = _meta(qtbot, "claude-haiku-5-5", 0.00027)
    assert "Cost: $0.0003 (estimate)" in meta.splitlines()
    assert "unknown" not in meta


def test_a_cost_too_small_for_four_places_does_not_read_as_free(qtbot: QtBot) -> None:
    meta = _meta(qtbot, "claude-haiku-5-5", 0.00002)
    assert "Cost: under $0.0001 (estimate)" in meta.splitlines()
    assert "$0.0000" not in meta


def test_an_eval_report_of_an_unpriced_model_says_cost_unknown() -> None:
    from reader_app.core.eval_data import EvalAnswer
    from reader_app.core.evaluation import summarise_run
    from reader_app.ui.eval_report import figures

    nothing_yet = summarise_run([], "polarity")
    assert dict(figures(nothing_yet, "claude-haiku-5-5"))["Cost (estimate)"] == "—"
    unpriced = EvalAnswer(1, "ok", "positive", "positive", True, input_tokens=900)
    report = summarise_run([unpriced], "polarity")  # no price: 0.0 stored
    assert dict(figures(report, "claude-mystery-7"))["Cost (estimate)"] == "cost unknown"
    priced = EvalAnswer(1, "ok", "positive", "positive", True, input_tokens=900, cost_usd=0.0012)
    report = summarise_run([priced], "polarity")
    assert dict(figures(report, "claude-haiku-5-5"))["Cost (estimate)"] == "$0.0012"
