"""Under load: fifty analyses queued at once keep the window responsive and all end.

The real app, the real SDK and the fake Messages API over HTTP: every answer takes a
while to stream, every tenth passage is answered "overloaded", and the fake counts how
many requests it serves at once.
"""

from __future__ import annotations

import gc
import re
import sqlite3
import time
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import Qt, QTimer

from tests.fake_api import VALID_KEY, FakeAnthropic, RecordedRequest, Reply
from tests.ui.conftest import CORPUS, MakeApp, wait_for_book

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from reader_app.config.paths import AppPaths

COUNT = 50
MAX_GAP_MS = 200  # a frame or two late is fine; a frozen window is not
TICK_MS = 10


@pytest.fixture
def api(fake_api: FakeAnthropic, monkeypatch: pytest.MonkeyPatch) -> FakeAnthropic:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_api.base_url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", VALID_KEY)
    return fake_api


def _passage(request: RecordedRequest) -> str:
    turn = request.body["messages"][0]["content"]
    if isinstance(turn, list):
        turn = "".join(part.get("text", "") for part in turn)
    return str(turn).split("<passage>\n", 1)[1].split("\n</passage>", 1)[0]


def test_fifty_analyses_at_once(
    qtbot: QtBot, make_app: MakeApp, api: FakeAnthropic, profile: AppPaths
) -> None:
    app = make_app()
    app.window.show()
    app.window.open_path(CORPUS / "books" / "frankenstein_pg84_ascii.txt")
    wait_for_book(qtbot, app, "Frankenstein")
    book = app.window.pane.book
    assert book is not None
    chapter = max(range(len(book.chapters)), key=lambda i: len(book.chapters[i].text))
    app.window.pane.go_to(chapter, 0)
    text = app.window.pane.view.text

    ranges: list[tuple[int, int]] = []
    seen: set[str] = set()
    for match in re.finditer(r"[A-Z][^.!?]{40,240}[.!?]", text):
        if match.group() not in seen and "\n\n" not in match.group():
            seen.add(match.group())
            ranges.append(match.span())
        if len(ranges) == COUNT:
            break
    assert len(ranges) == COUNT
    failing = {text[s:e] for s, e in ranges[9::10]}  # every tenth passage

    def respond(request: RecordedRequest) -> Reply | None:
        if _passage(request) in failing:
            # Overloaded every time, so the SDK's own retries end in a clear failure too.
            return Reply("error", status=529, error_type="overloaded_error",
                         message="Overloaded", headers={"retry-after-ms": "20"})  # fmt: skip
        # About 150 ms to stream each answer.
        return Reply("stream", text=api.default_reply.text, chunk_size=64, chunk_delay=0.03)

    api.responder = respond

    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append((now - last[0]) * 1000)
        last[0] = now

    timer = QTimer(interval=TICK_MS)
    timer.timeout.connect(tick)
    timer.start()
    qtbot.wait(50)
    started = time.perf_counter()
    # As a reader does it, as fast as keys can be pressed: select a passage, press A; each
    # press is its own event, while the answers to the earlier ones stream in.
    view = app.window.pane.view
    view.setFocus()
    presses: list[float] = []
    for start, end in ranges:
        view.select_range(start, end)
        pressed = time.perf_counter()
        qtbot.keyClick(view, Qt.Key.Key_A)
        presses.append((time.perf_counter() - pressed) * 1000)
        qtbot.wait(1)
    queued_ms = (time.perf_counter() - started) * 1000
    ids = [h.id for h in app.highlights.highlights if (h.chapter, h.start, h.end) in
           {(chapter, s, e) for s, e in ranges}]  # fmt: skip
    assert len(ids) == COUNT
    qtbot.waitUntil(lambda: app.tone_service.running == 0, timeout=60_000)
    qtbot.wait(50)
    timer.stop()
    elapsed = time.perf_counter() - started

    limit = app.ai_pool.maxThreadCount()
    max_gap = max(gaps)
    print(
        f"\n{COUNT} analyses in {elapsed:.1f} s; max event-loop gap {max_gap:.0f} ms "
        f"over {len(gaps)} ticks (50 presses of A took {queued_ms:.0f} ms, the slowest {max(presses):.0f} ms); "
        f"max in flight {api.max_in_flight} (limit {limit})"
    )
    assert max_gap < MAX_GAP_MS
    assert 2 <= api.max_in_flight <= limit  # they did run side by side, never more
    assert limit <= 4
    assert gc.get_freeze_count() == 0  # what was set aside during the run is collectable again

    with sqlite3.connect(profile.database) as conn:
        rows = conn.execute(
            "SELECT highlight_id, status, error_kind, error_message, tone FROM analyses"
        ).fetchall()
    by_highlight: dict[int, list[tuple[str, str | None, str | None, str | None]]] = {}
    for hid, status, kind, message, tone in rows:
        by_highlight.setdefault(hid, []).append((status, kind, message, tone))
    assert sorted(by_highlight) == sorted(ids)  # none lost
    stored = [h for h in ids if [r[0] for r in by_highlight[h]] == ["ok"]]
    failed = [h for h in ids if by_highlight[h][0][0] == "failed"]
    print(f"stored {len(stored)}, failed {len(failed)}")
    assert len(stored) == COUNT - len(failing)
    assert len(failed) == len(failing)
    for hid in failed:
        ((status, kind, message, _tone),) = by_highlight[hid]
        assert kind == "overloaded"
        assert message
        assert "\n" not in message
        assert app.highlights.get(hid) is not None  # the highlight is kept
    for hid in stored:
        assert by_highlight[hid][0][3]  # a tone was kept
