"""The analysis controllers without a window: what they tell the panel, through signals.

A real library and book, the real tone service on a worker pool, and the real SDK talking
to the fake Messages API over HTTP. No widget is built: the controllers own none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest
from PySide6.QtCore import QThreadPool

from reader_app.ai.client import ClaudeToneAnalyzer
from reader_app.config.secrets import ApiKeys, MemorySecretStore
from reader_app.config.settings import Settings
from reader_app.services.analysis_controller import AnalysisController
from reader_app.services.analyzer_provider import AnalyzerProvider
from reader_app.services.group_analysis import GroupAnalysis
from reader_app.services.highlights import HighlightController
from reader_app.services.tone_service import ToneService
from reader_app.storage.books import BookRepository
from tests.fake_api import VALID_KEY, FakeAnthropic
from tests.usecases.analysis_library import (
    MEDDLING,
    MURDER,
    SWEET,
    Library,
    ballads,
    open_library,
    place_in,
)

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from pytestqt.qtbot import QtBot

    from reader_app.core.records import AnalysisRecord

POEM = "The Tables Turned"
WAIT_MS = 10_000
ANSWER: dict[str, Any] = {
    "tone": "Harsh and Condemning",
    "polarity": "negative",
    "emotions": [{"name": "disgust", "intensity": 0.75}, {"name": "anger", "intensity": 0.55}],
    "evidence": [{"quote": "murder", "why": "a violent word"}],
    "explanation": "This is a short, hard sentence: taking nature apart kills it.",
    "confidence": 0.82,
}
SHOWN = ("show_idle", "show_passage", "show_pending", "show_partial", "show_record",
         "show_error", "show_history", "show_status", "correction_wanted", "message")  # fmt: skip


@dataclass
class Panel:
    """What the controller told the panel, in order: (signal name, arguments)."""

    calls: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)

    def listen(self, controller: AnalysisController) -> None:
        for name in SHOWN:
            getattr(controller, name).connect(
                lambda *args, name=name: self.calls.append((name, args))
            )

    def names(self) -> list[str]:
        return [name for name, _args in self.calls]

    def last(self, name: str) -> tuple[Any, ...]:
        return next(args for n, args in reversed(self.calls) if n == name)


@dataclass
class Reader:
    """The controllers with the open book's highlights, and what the reader selected."""

    library: Library
    highlights: HighlightController
    controller: AnalysisController
    group: GroupAnalysis
    service: ToneService
    panel: Panel
    selection: tuple[int, int, int] | None = None

    def select(self, text: str) -> None:
        self.selection = place_in(ballads(), text, POEM)


@pytest.fixture
def reader(qtbot: QtBot, tmp_path: Path, fake_api: FakeAnthropic) -> Iterator[Reader]:
    library = open_library(tmp_path / "library.sqlite3")
    library.seed_examples()
    library.settings = Settings(prices=(("claude-haiku", 1.0, 5.0),))
    book = ballads()
    BookRepository(library.conn).record_opened(
        book.book_id, book.path, book.title, book.authors, book.language,
        book.format.value, len(book.chapters), book.char_count,
    )  # fmt: skip
    highlights = HighlightController(library.highlights)
    highlights.open_book(book)

    def make(key: str) -> ClaudeToneAnalyzer:
        return ClaudeToneAnalyzer(key, base_url=fake_api.base_url, max_retries=0, timeout=5.0)

    pool = QThreadPool()
    provider = AnalyzerProvider(ApiKeys(MemorySecretStore(VALID_KEY), {}), make)
    service = ToneService(pool, provider)
    controller = AnalysisController(
        highlights,
        library.analyses,
        library.examples,
        service,
        library.corrections,
        library.current,
    )
    group = GroupAnalysis(
        highlights, library.analyses, library.examples, service,
        library.current, lambda: "claude-haiku-4-5",
    )  # fmt: skip
    panel = Panel()
    panel.listen(controller)
    made = Reader(library, highlights, controller, group, service, panel)
    yield made
    service.cancel_all()
    pool.waitForDone(5000)
    provider.close()
    library.conn.close()


def _analyse_selection(qtbot: QtBot, reader: Reader, text: str) -> int:
    reader.select(text)
    with qtbot.waitSignal(reader.controller.analysed, timeout=WAIT_MS) as done:
        reader.controller.analyse_selection(reader.selection)
    return int(done.args[0])


def test_an_analysis_streams_into_the_panel_and_is_kept(
    qtbot: QtBot, reader: Reader, fake_api: FakeAnthropic
) -> None:
    fake_api.reply_json(ANSWER, chunk_size=12)
    highlight_id = _analyse_selection(qtbot, reader, MURDER)
    (item,) = reader.highlights.highlights
    assert (item.id, item.quote, item.color) == (highlight_id, MURDER, "disgust")
    names = reader.panel.names()
    assert names[0] == "show_pending"
    assert reader.panel.calls[0][1] == (MURDER, "")
    assert "show_partial" in names
    partial = reader.panel.last("show_partial")[0]
    assert isinstance(partial, dict)
    assert names[-2:] == ["show_record", "show_history"]
    quote, record, corrected = reader.panel.last("show_record")
    assert (quote, record.tone, corrected) == (MURDER, ANSWER["tone"], None)
    history, current = reader.panel.last("show_history")
    assert [r.id for r in history] == [current] == [record.id]
    assert reader.controller.current_highlight == highlight_id
    assert reader.library.analyses.history(highlight_id)[0].cost_usd > 0


def test_nothing_selected_and_nothing_shown_says_what_to_do(reader: Reader) -> None:
    reader.controller.analyse_selection(reader.selection)
    assert reader.panel.calls == [("message", ("Select a passage first, then press A.",))]
    assert reader.highlights.highlights == []


def test_a_failure_shows_why_and_when_to_retry(
    qtbot: QtBot, reader: Reader, fake_api: FakeAnthropic
) -> None:
    fake_api.reply_error(429, "rate_limit_error", "slow down", headers={"retry-after": "42"})
    reader.select(MURDER)
    with qtbot.waitSignal(reader.controller.show_error, timeout=WAIT_MS) as shown:
        reader.controller.analyse_selection(reader.selection)
    quote, message, wait = shown.args
    assert (quote, wait) == (MURDER, 42.0)
    assert "Too many requests" in message
    (item,) = reader.highlights.highlights
    (failed,) = reader.library.analyses.history(item.id)
    assert (failed.status, failed.error_kind) == ("failed", "rate_limited")
    # Shown again later, the highlight says why it has no analysis.
    reader.controller.show_highlight(item.id)
    assert reader.panel.last("show_error") == (MURDER, failed.error_message, None)
    assert reader.panel.last("show_history") == ([failed], None)


def test_cancelling_keeps_the_highlight_not_analysed(
    qtbot: QtBot, reader: Reader, fake_api: FakeAnthropic
) -> None:
    fake_api.reply_json(ANSWER, chunk_size=4, chunk_delay=0.05)
    reader.select(MURDER)
    reader.controller.analyse_selection(reader.selection)
    qtbot.waitUntil(lambda: "show_partial" in reader.panel.names(), timeout=WAIT_MS)
    with qtbot.waitSignal(reader.controller.show_status, timeout=WAIT_MS) as status:
        reader.controller.cancel_current()
    assert status.args == ["Cancelled. The highlight is kept, not analysed."]
    assert reader.panel.last("show_passage") == (MURDER, False)
    (item,) = reader.highlights.highlights
    assert reader.library.analyses.history(item.id) == []


def test_the_panel_buttons_go_to_the_highlight_it_shows(
    qtbot: QtBot, reader: Reader, fake_api: FakeAnthropic
) -> None:
    fake_api.reply_json(ANSWER)
    first = _analyse_selection(qtbot, reader, MURDER)
    fake_api.reply_json({**ANSWER, "tone": "Scornful"})
    reader.selection = None  # Re-analyse: the panel's button, no selection
    with qtbot.waitSignal(reader.controller.analysed, timeout=WAIT_MS):
        reader.controller.analyse_current()
    newer, older = reader.library.analyses.history(first)
    assert (newer.tone, older.tone) == ("Scornful", ANSWER["tone"])
    reader.controller.show_history_item(older.id)
    assert reader.panel.last("show_record")[1] == older
    reader.controller.show_highlight(None)
    assert reader.panel.names()[-1] == "show_idle"
    assert reader.controller.current_highlight is None
    reader.controller.analyse_current()  # nothing shown: nothing to do
    assert reader.service.running == 0


def test_a_correction_is_asked_for_then_kept_and_shown(
    qtbot: QtBot, reader: Reader, fake_api: FakeAnthropic
) -> None:
    fake_api.reply_json(ANSWER)
    highlight_id = _analyse_selection(qtbot, reader, MURDER)
    reader.controller.correct(True)
    item_id, analysis_id, quote, start, as_example = reader.panel.last("correction_wanted")
    record: AnalysisRecord = reader.library.analyses.history(highlight_id)[0]
    assert (item_id, analysis_id, quote, as_example) == (highlight_id, record.id, MURDER, True)
    assert start == record.result
    corrected = {**start, "tone": "Bitter and Accusing",
                 "emotions": [{"name": "anger", "intensity": 0.9}]}  # fmt: skip
    reader.controller.save_correction(item_id, analysis_id, corrected, True)
    assert reader.panel.last("message") == ("Your correction is saved, and kept as an example.",)
    assert reader.panel.last("show_record") == (MURDER, record, corrected)
    assert reader.highlights.get(highlight_id).color == "anger"  # type: ignore[union-attr]
    assert "Bitter and Accusing" in [s.example.tone for s in reader.library.examples.all()]
    # A second correction starts from the first.
    reader.controller.correct(False)
    assert reader.panel.last("correction_wanted")[3:] == (corrected, False)


def test_a_correction_for_a_deleted_highlight_is_dropped(
    qtbot: QtBot, reader: Reader, fake_api: FakeAnthropic
) -> None:
    fake_api.reply_json(ANSWER)
    highlight_id = _analyse_selection(qtbot, reader, MURDER)
    record = reader.library.analyses.history(highlight_id)[0]
    reader.highlights.delete(highlight_id)
    reader.controller.save_correction(highlight_id, record.id, dict(ANSWER), False)
    assert reader.library.corrections.latest_for_analysis(record.id) is None


def test_a_batch_job_gets_what_the_panel_would_send(
    qtbot: QtBot, reader: Reader, fake_api: FakeAnthropic
) -> None:
    fake_api.reply_json(ANSWER)
    _analyse_selection(qtbot, reader, SWEET)
    reader.select(MURDER)
    item = reader.highlights.add(*place_in(ballads(), MURDER, POEM))
    assert item is not None
    request = reader.controller.compose_for(item)
    assert f"“{SWEET}” → Harsh and Condemning (disgust)" in str(request.messages[0]["content"])


def test_a_group_is_labelled_in_one_request(
    qtbot: QtBot, reader: Reader, fake_api: FakeAnthropic
) -> None:
    ids = []
    for text in (MURDER, SWEET, MEDDLING):
        made = reader.highlights.add(*place_in(ballads(), text, POEM))
        assert made is not None
        ids.append(made.id)
    chapter = place_in(ballads(), SWEET, POEM)[0]
    murder, sweet, meddling = ids
    assert reader.group.unanalysed_in_chapter(chapter) == [sweet, meddling, murder]
    items = [
        {**ANSWER, "passage": 1, "evidence": [], "tone": "Gentle"},
        {**ANSWER, "passage": 2, "evidence": [], "tone": ""},  # no tone: cannot be repaired
        {**ANSWER, "passage": 3},
    ]
    fake_api.reply_json({"items": items}, chunk_size=30)
    progress: list[tuple[int, int]] = []
    reader.group.progress.connect(lambda done, total: progress.append((done, total)))
    with qtbot.waitSignal(reader.group.finished, timeout=WAIT_MS) as finished:
        assert len(reader.group.analyse(ids)) == 1
    assert finished.args[0] == (
        "Labelled 2 of 3 passages in one request."
        " The others are kept, not analysed; try them again."
    )
    assert progress == [(0, 3), (1, 3), (2, 3)]
    # In reading order: Sweet, meddling, murder.
    tones = {h.quote: [r.tone or r.status for r in reader.library.analyses.history(h.id)]
             for h in reader.highlights.highlights}  # fmt: skip
    assert tones == {SWEET: ["Gentle"], MEDDLING: ["failed"], MURDER: ["Harsh and Condemning"]}
    assert reader.group.unanalysed_in_chapter(chapter) == [meddling]
    assert reader.group.analyse([9999]) == []  # no such highlight: nothing is sent
