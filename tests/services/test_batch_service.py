"""BatchService: real SDK ↔ fake Message Batches API, a real library on disk, a real pool."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from PySide6.QtCore import QThreadPool

from reader_app.ai.batches import BatchClient
from reader_app.ai.client import ClaudeToneAnalyzer
from reader_app.ai.errors import AiError, AiErrorKind
from reader_app.ai.pricing import estimate_cost
from reader_app.ai.prompt import PassageContext, PromptSettings, compose
from reader_app.ai.request import Usage
from reader_app.core.records import NewAnalysis, NewHighlight
from reader_app.services.batch_service import BatchService
from reader_app.storage.analyses import AnalysisRepository
from reader_app.storage.batch_jobs import BatchJobRepository
from reader_app.storage.books import BookRepository
from reader_app.storage.db import open_database
from reader_app.storage.highlights import HighlightRepository
from reader_app.usecases.cost import BATCH_PRICE_FACTOR
from tests.fake_api import (
    BATCH_BAD_JSON,
    BATCH_ERROR,
    BATCH_EXPIRED,
    BATCH_REFUSAL,
    BATCHES,
    GOOD_ANSWER,
    VALID_KEY,
)

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Callable, Iterator

    from pytestqt.qtbot import QtBot

    from reader_app.ai.request import ToneRequest
    from reader_app.core.records import BatchJob
    from tests.fake_api import FakeAnthropic

ROOT = Path(__file__).resolve().parents[2]
BOOK = "d" * 64
POLL_MS = 50
WAIT_MS = 10_000
PASSAGES = [
    "I wandered lonely as a cloud That floats on high o'er vales and hills",
    "When all at once I saw a crowd, A host, of golden daffodils",
    "Beside the lake, beneath the trees, Fluttering and dancing in the breeze.",
    "Continuous as the stars that shine And twinkle on the milky way",
    "Ten thousand saw I at a glance, Tossing their heads in sprightly dance.",
    "The waves beside them danced; but they Out-did the sparkling waves in glee",
]


class Library:
    """The repositories on one connection, as the app wires them."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.jobs = BatchJobRepository(conn)
        self.analyses = AnalysisRepository(conn)
        self.highlights = HighlightRepository(conn)

    def history(self, highlight_id: int) -> list[Any]:
        return self.analyses.history(highlight_id)

    def job(self, job_id: int) -> BatchJob:
        job = self.jobs.get(job_id)
        assert job is not None
        return job


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "library.sqlite3"


@pytest.fixture
def library(db_path: Path) -> Iterator[Library]:
    conn = open_database(db_path)
    BookRepository(conn).record_opened(
        BOOK, "/books/poems.epub", "Poems, in Two Volumes", ["William Wordsworth"], "en",
        "EPUB 3", 12, 40_000,
    )  # fmt: skip
    yield Library(conn)
    conn.close()


@pytest.fixture
def highlight_ids(library: Library) -> list[int]:
    ids = []
    for i, passage in enumerate(PASSAGES):
        new = NewHighlight(BOOK, chapter=0, chapter_key="ch0", start=i * 100,
                           end=i * 100 + len(passage), quote=passage)  # fmt: skip
        ids.append(library.highlights.add(new).id)
    return ids


def request_for(passage: str) -> ToneRequest:
    ctx = PassageContext("Poems, in Two Volumes", "William Wordsworth", "Daffodils", passage)
    return compose(PromptSettings(model="claude-haiku-4-5"), [], ctx)


def items_for(ids: list[int]) -> list[tuple[int, ToneRequest]]:
    return [(hid, request_for(PASSAGES[i])) for i, hid in enumerate(ids)]


def answer(tone: str, emotion: str) -> dict[str, Any]:
    return {**GOOD_ANSWER, "tone": tone, "emotions": [{"name": emotion, "intensity": 0.7}],
            "evidence": []}  # fmt: skip


@pytest.fixture
def pool() -> Iterator[QThreadPool]:
    pool = QThreadPool()
    pool.setMaxThreadCount(2)
    yield pool
    pool.waitForDone(WAIT_MS)


class Recorder:
    """Everything a service announced, in order."""

    def __init__(self, service: BatchService) -> None:
        self.jobs: list[BatchJob] = []
        self.saved: list[tuple[int, str]] = []
        self.failed: list[tuple[int, str]] = []
        self.hook: list[tuple[int, str | None]] = []
        service.job_changed.connect(self.jobs.append)
        service.result_saved.connect(lambda hid, emotion: self.saved.append((hid, emotion)))
        service.job_failed.connect(lambda job_id, msg: self.failed.append((job_id, msg)))

    def statuses(self, job_id: int) -> list[str]:
        seen: list[str] = []
        for job in self.jobs:
            if job.id == job_id and (not seen or seen[-1] != job.status):
                seen.append(job.status)
        return seen


@pytest.fixture
def make_service(
    fake_api: FakeAnthropic, pool: QThreadPool
) -> Iterator[Callable[..., tuple[BatchService, Recorder]]]:
    """Services wired to the fake; stopped, drained and closed after the test."""
    made: list[BatchService] = []
    analyzers: list[ClaudeToneAnalyzer] = []

    def make(
        library: Library, *, key: str = VALID_KEY, factory: Callable[[], BatchClient] | None = None
    ) -> tuple[BatchService, Recorder]:
        analyzer = ClaudeToneAnalyzer(key, base_url=fake_api.base_url, max_retries=0, timeout=5.0)
        analyzers.append(analyzer)
        hook: list[tuple[int, str | None]] = []
        service = BatchService(
            pool,
            factory or (lambda: BatchClient(analyzer)),
            library.jobs,
            library.analyses,
            on_result=lambda hid, emotion: hook.append((hid, emotion)),
            poll_interval_ms=POLL_MS,
            prices=lambda: [("claude-haiku", 1.0, 5.0)],
        )
        recorder = Recorder(service)
        recorder.hook = hook
        made.append(service)
        return service, recorder

    yield make
    for service in made:
        service.stop()
    pool.waitForDone(WAIT_MS)
    for analyzer in analyzers:
        analyzer.close()


def wait_for_status(qtbot: QtBot, library: Library, job_id: int, status: str) -> BatchJob:
    qtbot.waitUntil(lambda: library.job(job_id).status == status, timeout=WAIT_MS)
    return library.job(job_id)


# -- the happy path -------------------------------------------------------------------------
def test_submit_poll_and_save_every_item(
    qtbot: QtBot, fake_api: FakeAnthropic, library: Library, highlight_ids: list[int], make_service
) -> None:
    fake_api.batch_polls_in_progress = 2
    service, seen = make_service(library)
    ids = highlight_ids[:3]

    job_id = service.submit(BOOK, items_for(ids))

    # Recorded before anything went out, so a crash while sending is visible.
    assert library.job(job_id).status in ("submitting", "in_progress")
    job = wait_for_status(qtbot, library, job_id, "done")
    assert seen.statuses(job_id) == ["submitting", "in_progress", "ended", "done"]
    assert job.remote_id.startswith("msgbatch_")
    assert job.counts == {"processing": 0, "succeeded": 3, "errored": 0, "canceled": 0,
                          "expired": 0}  # fmt: skip
    assert all(item["saved"] for item in job.items)
    assert [item["highlight_id"] for item in job.items] == ids
    usage = Usage(input_tokens=30, output_tokens=90, cache_read_input_tokens=1500)
    cost = estimate_cost("claude-haiku-4-5", usage, [("claude-haiku", 1.0, 5.0)])
    for hid, passage in zip(ids, PASSAGES, strict=False):
        (record,) = library.history(hid)
        assert record.status == "ok"
        assert record.tone == GOOD_ANSWER["tone"]
        assert record.dominant_emotion == "sadness"
        assert record.model == "claude-haiku-4-5"
        assert record.prompt_version == request_for(passage).prompt_version
        assert (record.input_tokens, record.output_tokens) == (30, 90)
        assert record.cache_read_tokens == 1500
        assert record.cost_usd == pytest.approx(cost * BATCH_PRICE_FACTOR)
        assert record.request_id.startswith(f"msg_{job.remote_id}_")
        assert record.result is not None
        assert record.result["explanation"] == GOOD_ANSWER["explanation"]
    assert sorted(seen.saved) == sorted((hid, "sadness") for hid in ids)
    assert sorted(seen.hook) == sorted((hid, "sadness") for hid in ids)
    assert seen.failed == []
    # Nothing left to poll: the timer stops rather than ticking for ever.
    qtbot.waitUntil(lambda: not service.polling, timeout=WAIT_MS)
    assert [j.id for j in service.jobs()] == [job_id]


def test_batch_request_carries_cached_system_and_json_schema(
    qtbot: QtBot, fake_api: FakeAnthropic, library: Library, highlight_ids: list[int], make_service
) -> None:
    service, _seen = make_service(library)
    job_id = service.submit(BOOK, items_for(highlight_ids[:2]))
    wait_for_status(qtbot, library, job_id, "done")

    (sent,) = fake_api.requests_to(BATCHES)
    requests = sent.body["requests"]
    assert [r["custom_id"] for r in requests] == [i["custom_id"] for i in library.job(job_id).items]
    for request in requests:
        params = request["params"]
        assert "stream" not in params
        # Requests of a batch run far apart: the prefix is cached for an hour.
        assert params["system"][-1]["cache_control"] == {"type": "ephemeral", "ttl": "1h"}
        assert params["system"][0]["text"].startswith("You help a reader")
        output_format = params["output_config"]["format"]
        assert output_format["type"] == "json_schema"
        assert set(output_format["schema"]["required"]) >= {"tone", "emotions", "evidence"}


def test_results_out_of_order_go_to_the_right_highlight(
    qtbot: QtBot, fake_api: FakeAnthropic, library: Library, highlight_ids: list[int], make_service
) -> None:
    emotions = ["joy", "trust", "fear", "surprise", "anger", "disgust"]
    service, seen = make_service(library)
    job_id = service.submit(BOOK, items_for(highlight_ids))
    # The custom ids are known as soon as the job is recorded; the fake answers each its own.
    for n, item in enumerate(library.job(job_id).items):
        fake_api.batch_answers[item["custom_id"]] = answer(f"Tone of {n}", emotions[n])

    job = wait_for_status(qtbot, library, job_id, "done")

    served = [line["custom_id"] for line in fake_api.batch_results(job.remote_id)]
    assert served != [item["custom_id"] for item in job.items]  # really out of order
    for n, hid in enumerate(highlight_ids):
        (record,) = library.history(hid)
        assert (record.tone, record.dominant_emotion) == (f"Tone of {n}", emotions[n])
    assert sorted(seen.saved) == sorted(zip(highlight_ids, emotions, strict=True))


def test_partial_failure_stores_good_and_bad_and_loses_nothing(
    qtbot: QtBot, fake_api: FakeAnthropic, library: Library, highlight_ids: list[int], make_service
) -> None:
    service, seen = make_service(library)
    job_id = service.submit(BOOK, items_for(highlight_ids))
    scripts = {1: BATCH_ERROR, 2: BATCH_EXPIRED, 3: BATCH_BAD_JSON, 4: BATCH_REFUSAL}
    for n, item in enumerate(library.job(job_id).items):
        if n in scripts:
            fake_api.batch_answers[item["custom_id"]] = scripts[n]

    job = wait_for_status(qtbot, library, job_id, "done")

    assert job.counts["succeeded"] == 4  # bad JSON and refusals are "succeeded" to the API
    assert (job.counts["errored"], job.counts["expired"]) == (1, 1)
    assert all(item["saved"] for item in job.items)
    records = [library.history(hid) for hid in highlight_ids]
    assert all(len(r) == 1 for r in records)  # one row each: nothing lost, nothing twice
    statuses = [(r[0].status, r[0].error_kind) for r in records]
    assert statuses == [
        ("ok", ""),
        ("failed", AiErrorKind.SERVER.value),
        ("failed", AiErrorKind.TIMEOUT.value),
        ("failed", AiErrorKind.SCHEMA.value),
        ("failed", AiErrorKind.REFUSAL.value),
        ("ok", ""),
    ]
    failed = records[1][0]
    assert failed.error_message == AiError(AiErrorKind.SERVER).message
    assert failed.model == "claude-haiku-4-5"
    assert failed.prompt_version == request_for(PASSAGES[1]).prompt_version
    assert failed.cost_usd == 0.0
    emotions = dict(seen.saved)
    assert emotions == {
        hid: ("sadness" if n in (0, 5) else "") for n, hid in enumerate(highlight_ids)
    }
    assert dict(seen.hook) == {hid: (e or None) for hid, e in emotions.items()}
    assert seen.failed == []


# -- restart, cancel, failures ----------------------------------------------------------------
def test_resume_after_a_restart_finishes_and_never_stores_twice(
    qtbot: QtBot,
    fake_api: FakeAnthropic,
    library: Library,
    highlight_ids: list[int],
    make_service,
    db_path: Path,
    pool: QThreadPool,
) -> None:
    fake_api.batch_polls_in_progress = 1000  # still running when the app "closes"
    first, _ = make_service(library)
    job_id = first.submit(BOOK, items_for(highlight_ids[:4]))
    wait_for_status(qtbot, library, job_id, "in_progress")
    first.stop()
    pool.waitForDone(WAIT_MS)
    del first
    # A crash half-way through saving: one item was stored and marked, the rest were not.
    before = library.job(job_id)
    stored_first = before.items[0]
    saved = library.jobs.save_item(
        job_id,
        stored_first["custom_id"],
        lambda: library.analyses.add(
            NewAnalysis(stored_first["highlight_id"], "ok", tone="Stored before the crash")
        ),
    )
    assert saved
    # Marked items are skipped, even when asked again.
    assert not library.jobs.save_item(job_id, stored_first["custom_id"], pytest.fail)
    library.conn.close()

    # The next start: a new connection, new repositories, a new service.
    restarted = Library(open_database(db_path))
    try:
        stuck = restarted.jobs.add(BOOK, [{"custom_id": "h1-0", "highlight_id": highlight_ids[0],
                                           "saved": False}])  # fmt: skip
        fake_api.batch_polls_in_progress = 0
        service, seen = make_service(restarted)
        service.resume()

        job = wait_for_status(qtbot, restarted, job_id, "done")
        assert all(item["saved"] for item in job.items)
        (kept,) = restarted.history(stored_first["highlight_id"])
        assert kept.tone == "Stored before the crash"
        for hid in highlight_ids[1:4]:
            (record,) = restarted.history(hid)
            assert record.tone == GOOD_ANSWER["tone"]
        assert sorted(seen.saved) == sorted((hid, "sadness") for hid in highlight_ids[1:4])
        # A job cut off while being sent has no batch id: it can never be found again.
        failed = restarted.job(stuck.id)
        assert failed.status == "failed"
        assert "closed while this batch was being sent" in failed.error
        assert (stuck.id, failed.error) in seen.failed
        assert [j.id for j in restarted.jobs.open_jobs()] == []
        # Quiet before the connection closes: a poll due now would run on a closed one.
        service.stop()
        pool.waitForDone(WAIT_MS)
    finally:
        restarted.conn.close()


def test_cancel_saves_what_finished_and_ends_canceled(
    qtbot: QtBot, fake_api: FakeAnthropic, library: Library, highlight_ids: list[int], make_service
) -> None:
    fake_api.batch_polls_in_progress = 1000
    fake_api.batch_finished_on_cancel = 1
    service, seen = make_service(library)
    ids = highlight_ids[:3]
    job_id = service.submit(BOOK, items_for(ids))
    wait_for_status(qtbot, library, job_id, "in_progress")

    service.cancel(job_id)

    job = wait_for_status(qtbot, library, job_id, "canceled")
    assert seen.statuses(job_id)[-3:] == ["canceling", "ended", "canceled"]
    assert job.counts["canceled"] == 2
    assert [library.history(hid)[0].status for hid in ids] == ["ok", "failed", "failed"]
    assert library.history(ids[2])[0].error_kind == AiErrorKind.CANCELLED.value
    assert len(fake_api.requests_to(f"{BATCHES}/{job.remote_id}/cancel")) == 1
    assert all(len(library.history(hid)) == 1 for hid in ids)
    # Cancelling a finished job does nothing.
    service.cancel(job_id)
    assert library.job(job_id).status == "canceled"


def test_cancel_while_sending_cancels_once_sent(
    qtbot: QtBot, fake_api: FakeAnthropic, library: Library, highlight_ids: list[int], make_service
) -> None:
    fake_api.batch_polls_in_progress = 1000
    service, _seen = make_service(library)
    job_id = service.submit(BOOK, items_for(highlight_ids[:2]))
    service.cancel(job_id)  # before the API has given the batch an id

    job = wait_for_status(qtbot, library, job_id, "canceled")
    assert len(fake_api.requests_to(f"{BATCHES}/{job.remote_id}/cancel")) == 1


@pytest.mark.parametrize("how", ["empty key", "factory raises"])
def test_no_key_fails_the_job_with_one_line(
    qtbot: QtBot,
    fake_api: FakeAnthropic,
    library: Library,
    highlight_ids: list[int],
    make_service,
    how: str,
) -> None:
    def no_key() -> BatchClient:
        raise AiError(AiErrorKind.NO_KEY)  # as the key provider does

    if how == "empty key":
        service, seen = make_service(library, key="")
    else:
        service, seen = make_service(library, factory=no_key)

    job_id = service.submit(BOOK, items_for(highlight_ids[:2]))

    job = wait_for_status(qtbot, library, job_id, "failed")
    message = AiError(AiErrorKind.NO_KEY).message
    assert job.error == message
    assert "\n" not in message
    assert seen.failed == [(job_id, message)]
    assert seen.statuses(job_id) == ["submitting", "failed"]
    assert fake_api.requests == []
    assert all(library.history(hid) == [] for hid in highlight_ids)  # highlights untouched


def test_a_failed_poll_waits_for_the_next_tick(
    qtbot: QtBot, fake_api: FakeAnthropic, library: Library, highlight_ids: list[int], make_service
) -> None:
    service, seen = make_service(library)
    # Batch ids are numbered from 1 by the fake: the first poll of this one is overloaded.
    fake_api.reply_error(529, "overloaded_error", "Overloaded", path=f"{BATCHES}/msgbatch_fake0001")
    job_id = service.submit(BOOK, items_for(highlight_ids[:1]))

    job = wait_for_status(qtbot, library, job_id, "done")

    assert job.error == ""  # cleared by the next good poll
    assert any(AiError(AiErrorKind.OVERLOADED).message in j.error for j in seen.jobs)
    assert seen.failed == []
    assert len(library.history(highlight_ids[0])) == 1


def test_a_batch_gone_from_the_server_fails_the_job(
    qtbot: QtBot, fake_api: FakeAnthropic, library: Library, highlight_ids: list[int], make_service
) -> None:
    job = library.jobs.add(BOOK, [{"custom_id": "h1-0", "highlight_id": highlight_ids[0],
                                   "passage": PASSAGES[0], "saved": False}])  # fmt: skip
    library.jobs.update(job.id, remote_id="msgbatch_gone", status="in_progress")
    service, seen = make_service(library)

    service.resume()

    failed = wait_for_status(qtbot, library, job.id, "failed")
    assert "no longer on the Anthropic server" in failed.error
    assert seen.failed == [(job.id, failed.error)]


def test_importing_the_service_loads_neither_the_sdk_nor_pydantic() -> None:
    code = (
        "import reader_app.services.batch_service, sys;"
        " print('anthropic' in sys.modules, 'pydantic' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False False"
