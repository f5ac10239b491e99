"""BatchService: each batch created once, jobs split to the limits, polling that ends.

Real SDK over real HTTP to the fake Message Batches API, a real library on disk, a real
thread pool (the fixtures of tests/services/test_batch_service.py).
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from reader_app.ai.batch_limits import MAX_REQUESTS, RESULTS_GONE
from reader_app.ai.batches import BatchClient
from reader_app.ai.client import ClaudeToneAnalyzer
from tests.fake_api import BATCHES, GOOD_ANSWER, VALID_KEY
from tests.services import test_batch_service as base
from tests.services.test_batch_service import (
    BOOK,
    POLL_MS,
    Library,
    items_for,
    wait_for_status,
)

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from tests.fake_api import FakeAnthropic


# The fixtures of the service's main tests: a library on disk, highlights, a pool, services.
db_path = base.db_path
library = base.library
highlight_ids = base.highlight_ids
pool = base.pool
make_service = base.make_service


def creates(fake: FakeAnthropic) -> int:
    return sum(1 for r in fake.requests_to(BATCHES) if r.method == "POST")


def retrieves(fake: FakeAnthropic) -> int:
    return sum(len(fake.requests_to(f"{BATCHES}/{batch_id}")) for batch_id in fake.batches)


def retrying_factory(fake: FakeAnthropic, made: list[ClaudeToneAnalyzer]):  # type: ignore[no-untyped-def]
    """Clients as the app builds them: the SDK's own retries on (2)."""

    def factory() -> BatchClient:
        analyzer = ClaudeToneAnalyzer(VALID_KEY, base_url=fake.base_url, timeout=5.0)
        made.append(analyzer)
        return BatchClient(analyzer)

    return factory


def test_a_create_that_fails_after_landing_makes_one_batch_and_the_job_completes(
    qtbot: QtBot,
    fake_api: FakeAnthropic,
    library: Library,
    highlight_ids: list[int],
    make_service,
) -> None:
    fake_api.batch_fail_after_create = (500,)  # created, then the answer is lost
    made: list[ClaudeToneAnalyzer] = []
    try:
        service, seen = make_service(library, factory=retrying_factory(fake_api, made))
        ids = highlight_ids[:3]
        job_id = service.submit(BOOK, items_for(ids))

        job = wait_for_status(qtbot, library, job_id, "done")

        assert len(fake_api.batches) == 1  # billed once
        assert creates(fake_api) == 1
        assert job.remote_id == next(iter(fake_api.batches))
        assert all(item["saved"] for item in job.items)
        for hid in ids:
            (record,) = library.history(hid)
            assert record.tone == GOOD_ANSWER["tone"]
        assert seen.failed == []
    finally:
        for analyzer in made:
            analyzer.close()


def test_a_job_is_split_at_the_request_limit_and_done_when_every_part_is(
    qtbot: QtBot,
    fake_api: FakeAnthropic,
    library: Library,
    highlight_ids: list[int],
    make_service,
    monkeypatch,
) -> None:
    from reader_app.services import batch_service

    real_init = batch_service.BatchService.__init__

    def small_limits(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs["limits"] = (2, 10_000_000)
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(batch_service.BatchService, "__init__", small_limits)
    fake_api.batch_polls_in_progress = 2
    service, seen = make_service(library)
    ids = highlight_ids[:5]

    job_id = service.submit(BOOK, items_for(ids))
    job = wait_for_status(qtbot, library, job_id, "done")

    sent = [r for r in fake_api.requests_to(BATCHES) if r.method == "POST"]
    assert [len(r.body["requests"]) for r in sent] == [2, 2, 1]
    assert job.remote_id.split(",") == sorted(fake_api.batches)
    assert job.counts["succeeded"] == 5
    parts = library.jobs.parts(job_id)
    assert [p["status"] for p in parts] == ["ended"] * 3
    # Every request of a part carries the part's marker, and the job's marker is shared.
    for request, part in zip(sent, parts, strict=True):
        assert all(r["custom_id"].startswith(part["marker"]) for r in request.body["requests"])
    assert len({p["marker"].split("-")[0] for p in parts}) == 1
    assert sorted(hid for hid, _ in seen.saved) == sorted(ids)
    assert all(len(library.history(hid)) == 1 for hid in ids)


def test_a_job_is_split_at_the_byte_limit(
    qtbot: QtBot,
    fake_api: FakeAnthropic,
    library: Library,
    highlight_ids: list[int],
    make_service,
    monkeypatch,
) -> None:
    from reader_app.ai.batch_limits import request_bytes
    from reader_app.services import batch_service

    one = request_bytes("x" * 64, base.request_for("x" * 80).api_kwargs())
    real_init = batch_service.BatchService.__init__

    def small_limits(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs["limits"] = (MAX_REQUESTS, 3 * one + 100)  # three requests fit, not four
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(batch_service.BatchService, "__init__", small_limits)
    fake_api.batch_body_limit = 3 * one + 100  # and the fake refuses a larger body (413)
    service, _seen = make_service(library)
    ids = highlight_ids[:6]

    job_id = service.submit(BOOK, items_for(ids))
    wait_for_status(qtbot, library, job_id, "done")

    sent = [r for r in fake_api.requests_to(BATCHES) if r.method == "POST"]
    assert [len(r.body["requests"]) for r in sent] == [3, 3]
    assert all(len(r.raw) <= 3 * one + 100 for r in sent)
    assert all(len(library.history(hid)) == 1 for hid in ids)


def test_archived_results_end_the_job_with_a_message(
    qtbot: QtBot, fake_api: FakeAnthropic, library: Library, highlight_ids: list[int], make_service
) -> None:
    fake_api.batch_archived = True
    service, seen = make_service(library)
    job_id = service.submit(BOOK, items_for(highlight_ids[:2]))

    job = wait_for_status(qtbot, library, job_id, "failed")

    assert job.error == RESULTS_GONE
    assert seen.failed == [(job_id, RESULTS_GONE)]
    polls = retrieves(fake_api)
    qtbot.wait(POLL_MS * 6)
    assert retrieves(fake_api) == polls  # no endless polling
    assert all(library.history(hid) == [] for hid in highlight_ids[:2])


def test_the_spend_limit_stops_polling_with_one_line(
    qtbot: QtBot, fake_api: FakeAnthropic, library: Library, highlight_ids: list[int], make_service
) -> None:
    fake_api.batch_spend_limited = True
    service, seen = make_service(library)
    job_id = service.submit(BOOK, items_for(highlight_ids[:2]))

    job = wait_for_status(qtbot, library, job_id, "failed")

    assert "spend limit" in job.error.lower()
    assert "\n" not in job.error
    assert seen.failed == [(job_id, job.error)]
    assert retrieves(fake_api) == 1
    qtbot.wait(POLL_MS * 6)
    assert retrieves(fake_api) == 1


def test_transient_poll_failures_back_off_and_heal(
    qtbot: QtBot, fake_api: FakeAnthropic, library: Library, highlight_ids: list[int], make_service
) -> None:
    service, seen = make_service(library)
    path = f"{BATCHES}/msgbatch_fake0001"
    fake_api.reply_error(500, "api_error", "Internal", path=path, times=3)
    job_id = service.submit(BOOK, items_for(highlight_ids[:1]))

    job = wait_for_status(qtbot, library, job_id, "done")

    times = [r.received_at for r in fake_api.requests_to(path)]
    gaps = [b - a for a, b in itertools.pairwise(times)][:3]
    # Twice as long each time (2, 4, then 8 poll intervals), not at every tick.
    interval = POLL_MS / 1000
    assert len(gaps) == 3
    assert gaps[0] >= 2 * interval * 0.95
    assert gaps[1] >= 4 * interval * 0.95
    assert gaps[2] >= 8 * interval * 0.95
    assert job.error == ""
    assert seen.failed == []


def test_a_restart_adopts_the_batch_a_cut_off_send_made(
    qtbot: QtBot,
    fake_api: FakeAnthropic,
    library: Library,
    highlight_ids: list[int],
    make_service,
) -> None:
    # The app closed while sending: the job is "submitting", its marker and the time it
    # was sent are stored, and the API did create the batch.
    from reader_app.ai.batch_limits import plan

    ids = highlight_ids[:2]
    laid_out = plan(items_for(ids))
    job = library.jobs.add(BOOK, laid_out.records, laid_out.parts)
    sent_at = datetime.now(UTC) - timedelta(seconds=5)
    library.jobs.update_part(job.id, 0, sent_at=sent_at.isoformat())
    analyzer = ClaudeToneAnalyzer(VALID_KEY, base_url=fake_api.base_url, max_retries=0)
    try:
        made = BatchClient(analyzer).submit(laid_out.requests[0])
    finally:
        analyzer.close()
    # Another job's batch of the same size, already held by the library: never adopted.
    other = library.jobs.add(BOOK, [{"custom_id": "x", "highlight_id": ids[0], "saved": True}])
    library.jobs.update(other.id, remote_id="msgbatch_fake9999", status="done")

    service, seen = make_service(library)
    service.resume()

    done = wait_for_status(qtbot, library, job.id, "done")
    assert done.remote_id == made
    assert creates(fake_api) == 1  # found, not sent again
    assert all(len(library.history(hid)) == 1 for hid in ids)
    assert seen.failed == []


def test_a_restart_with_nothing_on_the_server_fails_the_job(
    qtbot: QtBot,
    fake_api: FakeAnthropic,
    library: Library,
    highlight_ids: list[int],
    make_service,
) -> None:
    from reader_app.ai.batch_limits import plan

    laid_out = plan(items_for(highlight_ids[:2]))
    job = library.jobs.add(BOOK, laid_out.records, laid_out.parts)
    library.jobs.update_part(job.id, 0, sent_at=datetime.now(UTC).isoformat())
    service, seen = make_service(library)

    service.resume()

    failed = wait_for_status(qtbot, library, job.id, "failed")
    assert "closed while this batch was being sent" in failed.error
    assert seen.failed == [(job.id, failed.error)]
    assert creates(fake_api) == 0
    assert len([r for r in fake_api.requests_to(BATCHES) if r.method == "GET"]) == 1
