"""The Evaluate window: a set, two runs with different settings, a report, an override, A/B."""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING

import pytest

from tests.fake_api import VALID_KEY, FakeAnthropic, Reply
from tests.ui.conftest import MakeApp, wait_for_book

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

ANSWER = {
    "tone": "Gentle",
    "polarity": "positive",
    "emotions": [{"name": "joy", "intensity": 0.6}],
    "evidence": [],
    "explanation": "Calm.",
    "confidence": 0.6,
}


@pytest.fixture
def api(fake_api: FakeAnthropic, monkeypatch: pytest.MonkeyPatch) -> FakeAnthropic:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_api.base_url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", VALID_KEY)
    fake_api.default_reply = Reply("stream", text=json.dumps(ANSWER))
    return fake_api


def test_runs_report_override_and_compare(
    qtbot: QtBot, make_app: MakeApp, api: FakeAnthropic
) -> None:
    app = make_app()
    app.start(None)
    wait_for_book(qtbot, app, "Lyrical Ballads")
    app.window.actions_.evaluate.trigger()
    window = app.window.tone.eval_window
    assert window is not None
    window.sample_button.click()
    assert window.current_set() is not None
    assert "40 items" in window.sets.currentText()
    window.concurrency.setValue(3)
    with qtbot.waitSignal(app.eval_service.run_ended, timeout=30_000):
        window.run_button.click()
    assert len(api.requests_to("/v1/messages")) == 40
    (first,) = window.selected_runs()
    grid = window.report.grid
    figures = {
        grid.itemAtPosition(r, c).widget().text(): grid.itemAtPosition(r, c + 1).widget().text()
        for r in range(grid.rowCount())
        for c in range(0, grid.columnCount(), 2)
        if grid.itemAtPosition(r, c) is not None
    }
    labelled = int(figures["Labelled"])
    assert labelled == 40
    correct = int(figures["Correct"])
    # Every answer says "positive": exactly the items labelled positive are right.
    expected_right = sum(1 for _id, item in app.evals.items(window.current_set()[0])
                         if item.expected == "positive")  # fmt: skip
    assert correct == expected_right
    assert "95% interval" in " ".join(figures)
    assert window.report.confusion.isVisible()
    # The reader overrides one wrong answer.
    wrong_row = next(
        r for r in range(window.report.answers.rowCount())
        if window.report.answers.item(r, 3).text() == "wrong"
    )  # fmt: skip
    item_id = int(window.report.answers.item(wrong_row, 0).data(256))
    window.report.override_requested.emit(item_id, True)
    assert window.report.answers.item(wrong_row, 3).text() == "right (your verdict)"
    # A second run with another level, then A/B.
    app.window.replace_settings(dataclasses.replace(app.window.settings, level="C1"))
    with qtbot.waitSignal(app.eval_service.run_ended, timeout=30_000):
        window.run_button.click()
    assert window.runs.rowCount() == 2
    window.runs.selectAll()
    assert window.compare_button.isEnabled()
    window.compare_button.click()
    dialog = window.compare_dialog
    assert dialog.table.item(0, 0).text() == "Accuracy"
    # The override in run A makes one item differ between the runs.
    assert dialog.changed.rowCount() == 1
    assert first in window.selected_runs()


def test_cancel_and_resume(qtbot: QtBot, make_app: MakeApp, api: FakeAnthropic) -> None:
    api.default_reply = Reply("stream", text=json.dumps(ANSWER), chunk_delay=0.05, chunk_size=40)
    app = make_app()
    app.start(None)
    wait_for_book(qtbot, app, "Lyrical Ballads")
    app.window.actions_.evaluate.trigger()
    window = app.window.tone.eval_window
    window.sample_button.click()
    window.concurrency.setValue(2)
    window.run_button.click()
    qtbot.waitUntil(lambda: window.progress.value() >= 2, timeout=20_000)
    with qtbot.waitSignal(app.eval_service.run_ended, timeout=20_000):
        window.cancel_button.click()
    (run_id,) = window.selected_runs()
    answered = len(app.evals.answers(run_id))
    assert 2 <= answered < 40
    assert app.evals.run(run_id).status == "canceled"
    api.default_reply = Reply("stream", text=json.dumps(ANSWER))
    with qtbot.waitSignal(app.eval_service.run_ended, timeout=30_000):
        window.resume_button.click()
    assert len(app.evals.answers(run_id)) == 40
    assert app.evals.run(run_id).status == "done"
    # Each item was asked once per answer it got: nothing answered twice.
    assert len(api.requests_to("/v1/messages")) <= 40 + 2


def test_judge_decides_tone_labels_the_rules_call_different(
    qtbot: QtBot, make_app: MakeApp, api: FakeAnthropic
) -> None:
    def respond(request):  # type: ignore[no-untyped-def]
        if request.body.get("stream"):
            return None  # the analyses: the default "Gentle" answer
        # The judge: a plain, non-streamed request.
        return Reply("stream", text=json.dumps({"same": True, "why": "close in meaning"}))

    api.responder = respond
    app = make_app()
    app.start(None)
    wait_for_book(qtbot, app, "Lyrical Ballads")
    for stored in app.examples.all()[5:]:  # keep the five Wordsworth pairs of the shipped ones
        app.examples.delete(stored.id)
    app.window.actions_.evaluate.trigger()
    window = app.window.tone.eval_window
    window.examples_button.click()  # the five seed examples, by tone label
    window.judge.setChecked(True)
    with qtbot.waitSignal(app.eval_service.run_ended, timeout=30_000):
        window.run_button.click()
    (run_id,) = window.selected_runs()
    answers = app.evals.answers(run_id)
    assert len(answers) == 5
    # "Gentle" matches "Appreciative and Gentle" by the rules; the judge decides the rest.
    assert sum(a.judged for a in answers) == 4
    assert all(a.verdict for a in answers)
    judge_requests = [r for r in api.requests_to("/v1/messages") if not r.body.get("stream")]
    assert len(judge_requests) == 4
    assert "counts as" not in window.report.answers.item(0, 3).text()
    assert "(judged)" in " ".join(
        window.report.answers.item(r, 3).text() for r in range(window.report.answers.rowCount())
    )
