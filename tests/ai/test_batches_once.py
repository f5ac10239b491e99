"""Message Batches created once, split to the limits, and ended cleanly (real SDK, fake API).

The fake behaves as the API reference describes (tests/fake_batches.py): a create can
fail *after* the batch was made, the list comes in pages, archived batches have no
results_url, and the spend limit is a 429 that never heals.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from reader_app.ai import batch_limits, batches
from reader_app.ai.batch_limits import (
    MAX_BODY_BYTES,
    MAX_REQUESTS,
    RESULTS_GONE,
    BatchStopped,
    part_prefix,
    plan,
    request_bytes,
    split,
)
from reader_app.ai.batches import BatchClient
from reader_app.ai.client import ClaudeToneAnalyzer
from reader_app.ai.errors import AiError, AiErrorKind
from reader_app.ai.prompt import PassageContext, PromptSettings, compose
from tests.fake_api import BATCHES, GOOD_ANSWER, VALID_KEY

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from reader_app.ai.request import ToneRequest
    from tests.fake_api import FakeAnthropic

PASSAGES = [
    "I wandered lonely as a cloud That floats on high o'er vales and hills",
    "When all at once I saw a crowd, A host, of golden daffodils",
    "Beside the lake, beneath the trees, Fluttering and dancing in the breeze.",
]


def request_for(passage: str) -> ToneRequest:
    ctx = PassageContext("Poems, in Two Volumes", "William Wordsworth", "Daffodils", passage)
    return compose(PromptSettings(model="claude-haiku-4-5"), [], ctx)


@pytest.fixture
def make_client(fake_api: FakeAnthropic) -> Iterator[Callable[..., BatchClient]]:
    analyzers: list[ClaudeToneAnalyzer] = []

    def make(**kwargs: Any) -> BatchClient:
        kwargs.setdefault("base_url", fake_api.base_url)
        kwargs.setdefault("timeout", 5.0)
        analyzer = ClaudeToneAnalyzer(VALID_KEY, **kwargs)
        analyzers.append(analyzer)
        return BatchClient(analyzer)

    yield make
    for analyzer in analyzers:
        analyzer.close()


def part_items(prefix: str, n: int = 2) -> list[tuple[str, ToneRequest]]:
    return [(f"{prefix}h{i}-{i}", request_for(PASSAGES[i])) for i in range(n)]


def creates(fake: FakeAnthropic) -> int:
    return sum(1 for r in fake.requests_to(BATCHES) if r.method == "POST")


def lists(fake: FakeAnthropic) -> list[Any]:
    return [r for r in fake.requests_to(BATCHES) if r.method == "GET"]


def no_sleep(_seconds: float) -> None:
    return None


# -- created once ---------------------------------------------------------------------------
@pytest.mark.parametrize("status", [500, 503, 529])
def test_a_create_that_failed_after_landing_is_not_sent_again_by_the_sdk(
    fake_api: FakeAnthropic, make_client, status: int
) -> None:
    # The analyzer's client retries 5xx twice; the create must not be among them.
    client = make_client(max_retries=2)
    fake_api.batch_fail_after_create = (status,)
    with pytest.raises(AiError) as info:
        client.submit(part_items("trabc-0-"))
    assert info.value.kind in (AiErrorKind.SERVER, AiErrorKind.OVERLOADED)
    assert creates(fake_api) == 1
    assert len(fake_api.batches) == 1  # the server made one, and only one


def test_submit_once_adopts_the_batch_a_failed_create_made(
    fake_api: FakeAnthropic, make_client
) -> None:
    client = make_client(max_retries=2)
    fake_api.batch_fail_after_create = (500,)
    fake_api.batch_polls_in_progress = 0
    prefix = part_prefix(batch_limits.new_marker(), 0)
    items = part_items(prefix)

    batch_id = client.submit_once(items, prefix, datetime.now(UTC), sleep=no_sleep)

    assert list(fake_api.batches) == [batch_id]  # exactly one batch, and it is this one
    assert creates(fake_api) == 1
    assert len(lists(fake_api)) == 1  # looked before sending again
    assert client.status(batch_id).ended
    passages = {cid: r.passage for cid, r in items}
    results = client.results(batch_id, passages, {})
    assert all(r.ok for r in results.values())
    assert {r.outcome.analysis.tone for r in results.values() if r.outcome} == {GOOD_ANSWER["tone"]}


def test_submit_once_sends_again_when_nothing_landed(fake_api: FakeAnthropic, make_client) -> None:
    client = make_client(max_retries=2)
    # Refused before creating: nothing to find, so the part is sent again (once).
    fake_api.reply_error(503, "overloaded_error", "Overloaded", path=BATCHES)
    prefix = part_prefix(batch_limits.new_marker(), 0)
    waits: list[float] = []

    batch_id = client.submit_once(part_items(prefix), prefix, datetime.now(UTC), sleep=waits.append)

    assert list(fake_api.batches) == [batch_id]
    assert creates(fake_api) == 2
    assert len(lists(fake_api)) == 1
    assert waits == [1.0]


def test_submit_once_looks_first_after_a_restart(fake_api: FakeAnthropic, make_client) -> None:
    client = make_client(max_retries=0)
    prefix = part_prefix(batch_limits.new_marker(), 0)
    since = datetime.now(UTC)
    first = client.submit(part_items(prefix))  # sent by an earlier session

    again = client.submit_once(part_items(prefix), prefix, since, look_first=True)

    assert again == first
    assert creates(fake_api) == 1


def test_find_pages_through_the_list_newest_first(
    fake_api: FakeAnthropic, make_client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batches, "_LIST_PAGE", 3)
    fake_api.batch_polls_in_progress = 0
    client = make_client(max_retries=0)
    since = datetime.now(UTC)
    prefix = part_prefix(batch_limits.new_marker(), 0)
    ours = client.submit(part_items(prefix))
    client.status(ours)  # ended: its custom_ids can be read
    for n in range(7):  # newer batches, of other jobs and of another size
        client.submit(part_items(part_prefix(f"tr{n:010d}", 0), 1))

    assert client.find(prefix, 2, since) == ours

    pages = lists(fake_api)
    assert len(pages) == 3  # 3 + 3 + 2 batches, newest first
    assert [p.query.get("limit") for p in pages] == [["3"]] * 3
    assert "after_id" not in pages[0].query
    assert pages[1].query["after_id"] == ["msgbatch_fake0006"]


def test_find_matches_an_ended_batch_by_its_custom_ids(
    fake_api: FakeAnthropic, make_client
) -> None:
    fake_api.batch_polls_in_progress = 0
    client = make_client(max_retries=0)
    since = datetime.now(UTC)
    mine, theirs = part_prefix("tr0000000001", 0), part_prefix("tr0000000002", 0)
    other = client.submit(part_items(theirs))
    client.status(other)  # ended, same size, another job's marker
    assert client.find(mine, 2, since) is None
    assert client.find(theirs, 2, since) == other
    # Excluded (another part holds it), of another size, or too old: never taken.
    assert client.find(theirs, 2, since, exclude={other}) is None
    assert client.find(theirs, 3, since) is None
    assert client.find(theirs, 2, since + timedelta(hours=1)) is None


def test_find_takes_a_running_batch_by_time_and_size(fake_api: FakeAnthropic, make_client) -> None:
    fake_api.batch_polls_in_progress = 1000
    client = make_client(max_retries=0)
    since = datetime.now(UTC)
    prefix = part_prefix(batch_limits.new_marker(), 0)
    running = client.submit(part_items(prefix))
    client.submit(part_items(part_prefix("tr0000000009", 0), 1))
    # Custom_ids of a running batch cannot be read: creation time and size decide.
    assert client.find(prefix, 2, since) == running


def test_submit_once_refuses_ids_without_the_marker(fake_api: FakeAnthropic, make_client) -> None:
    with pytest.raises(ValueError, match="must start with"):
        make_client().submit_once(part_items("trx-0-"), "try-0-", datetime.now(UTC))
    assert fake_api.requests == []


# -- polling that ends ------------------------------------------------------------------------
def test_archived_results_stop_with_a_message(fake_api: FakeAnthropic, make_client) -> None:
    fake_api.batch_polls_in_progress = 0
    fake_api.batch_archived = True
    client = make_client(max_retries=0)
    items = part_items("trq-0-")
    batch_id = client.submit(items)

    status = client.status(batch_id)
    assert status.ended
    assert status.results_gone
    with pytest.raises(BatchStopped) as info:
        client.results(batch_id, {cid: r.passage for cid, r in items}, {})
    assert str(info.value) == RESULTS_GONE
    assert not info.value.retryable
    assert fake_api.requests_to(f"{BATCHES}/{batch_id}/results") == []


def test_spend_limit_on_retrieve_stops(fake_api: FakeAnthropic, make_client) -> None:
    client = make_client(max_retries=0)
    batch_id = client.submit(part_items("trs-0-"))
    fake_api.batch_spend_limited = True
    with pytest.raises(BatchStopped) as info:
        client.status(batch_id)
    assert not info.value.retryable
    assert "\n" not in str(info.value)
    assert "enforced_spend_limit_reached" not in str(info.value)  # a line for people
    assert len(fake_api.requests_to(f"{BATCHES}/{batch_id}")) == 1


@pytest.mark.parametrize(
    ("status", "error_type"),
    [(401, "authentication_error"), (402, "billing_error"), (403, "permission_error"),
     (404, "not_found_error")],
)  # fmt: skip
def test_errors_that_never_heal_stop_polling(
    fake_api: FakeAnthropic, make_client, status: int, error_type: str
) -> None:
    client = make_client(max_retries=0)
    batch_id = client.submit(part_items("tre-0-"))
    fake_api.reply_error(status, error_type, "no", path=f"{BATCHES}/{batch_id}")
    with pytest.raises(BatchStopped) as info:
        client.status(batch_id)
    assert not info.value.retryable
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("status", "error_type"),
    [(500, "api_error"), (529, "overloaded_error"), (429, "rate_limit_error")],
)
def test_transient_poll_errors_are_not_stopped(
    fake_api: FakeAnthropic, make_client, status: int, error_type: str
) -> None:
    client = make_client(max_retries=0)
    batch_id = client.submit(part_items("trt-0-"))
    fake_api.reply_error(status, error_type, "later", path=f"{BATCHES}/{batch_id}")
    with pytest.raises(AiError) as info:
        client.status(batch_id)
    assert not isinstance(info.value, BatchStopped)
    assert client.status(batch_id).processing_status in ("in_progress", "ended")


# -- thinking -----------------------------------------------------------------------------------
def test_a_thinking_block_is_never_read_as_the_answer(fake_api: FakeAnthropic, make_client) -> None:
    fake_api.batch_polls_in_progress = 0
    fake_api.batch_thinking = True
    client = make_client(max_retries=0)
    items = part_items("trk-0-")
    batch_id = client.submit(items)
    client.status(batch_id)

    results = client.results(batch_id, {cid: r.passage for cid, r in items}, {})

    (line, *_) = fake_api.batch_results(batch_id)
    assert line["result"]["message"]["content"][0]["type"] == "thinking"
    for result in results.values():
        assert result.outcome is not None
        assert result.outcome.analysis.tone == GOOD_ANSWER["tone"]
        assert "not this" not in result.outcome.raw_text


# -- the limits ---------------------------------------------------------------------------------
def test_the_real_limits_split_by_count() -> None:
    parts = split([100] * (MAX_REQUESTS + 1))
    assert [len(p) for p in parts] == [MAX_REQUESTS, 1]
    assert parts[1] == range(MAX_REQUESTS, MAX_REQUESTS + 1)


def test_the_real_limits_split_by_bytes() -> None:
    # Three requests of 100 MB: two fit in 256 MB (with the envelope and a comma), three not.
    big = 100 * 1000 * 1000
    assert [list(p) for p in split([big] * 3)] == [[0, 1], [2]]
    # A body of exactly the limit is allowed, one byte more is not.
    envelope, separator = len(b'{"requests": []}'), len(b", ")
    exact = MAX_BODY_BYTES - envelope - separator - 10
    assert [len(p) for p in split([10, exact])] == [2]
    assert [len(p) for p in split([10, exact + 1])] == [1, 1]
    with pytest.raises(ValueError, match="more than a batch may hold"):
        split([MAX_BODY_BYTES])
    with pytest.raises(ValueError, match="at least one"):
        split([])


def test_request_bytes_is_the_json_length() -> None:
    params = {"model": "claude-haiku-4-5", "text": "café"}
    size = request_bytes("trx-0-h1-0", params)
    assert size == len(
        b'{"custom_id": "trx-0-h1-0", "params": {"model": "claude-haiku-4-5", "text": "caf\\u00e9"}}'
    )


def test_a_plan_marks_every_custom_id_with_its_part() -> None:
    items = [(hid, request_for(PASSAGES[hid % 3])) for hid in range(5)]
    laid_out = plan(items, max_requests=2)
    assert [p["size"] for p in laid_out.parts] == [2, 2, 1]
    for record in laid_out.records:
        prefix = laid_out.parts[record["part"]]["marker"]
        assert record["custom_id"].startswith(prefix)
        assert len(record["custom_id"]) <= 64
    markers = {p["marker"].rsplit("-", 2)[0] for p in laid_out.parts}
    assert len(markers) == 1  # one job, one marker
    assert [cid for cid, _ in laid_out.requests[2]] == [laid_out.records[4]["custom_id"]]
