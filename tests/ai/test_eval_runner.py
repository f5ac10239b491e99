"""EvalRunner and the LLM judge: the real SDK against the fake Messages API, over HTTP.

The fake answers each request by the passage it asks about, so which items are right is
known in advance, and the accuracy and its Wilson interval are exact.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter
from typing import TYPE_CHECKING

import pytest

from reader_app.ai.client import ClaudeToneAnalyzer
from reader_app.ai.errors import AiError, AiErrorKind
from reader_app.ai.eval_runner import EVAL_BOOK_TITLE, EvalRunner, predicted_label
from reader_app.ai.judge import JUDGE_SCHEMA, Verdict, judge_labels
from reader_app.ai.prompt import PromptSettings
from reader_app.ai.schema import ToneAnalysis
from reader_app.core.eval_data import EvalAnswer, EvalItem
from reader_app.core.evaluation import summarise_run
from reader_app.core.examples import Example
from reader_app.storage.db import open_database
from reader_app.storage.evals import EvalRepository
from tests.fake_api import GOOD_ANSWER, MESSAGES, VALID_KEY, RecordedRequest, Reply

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from tests.fake_api import FakeAnthropic

SETTINGS = PromptSettings(model="claude-haiku-4-5")
ITEMS = [
    EvalItem("with pale blue berries. in these peaceful shades--", "positive"),
    EvalItem("and that is why, the lonesome day,", "negative"),
    EvalItem("it flows so long as falls the rain,", "no_impact"),
    EvalItem("and be glad in the summer morning", "positive", "the riders came home"),
    EvalItem("she sought for flowers", "no_impact"),
    EvalItem("the grave is cold and dark", "negative"),
    EvalItem("i do not envy the generals,", "mixed"),
    EvalItem("my canoe to make more steady,", "no_impact"),
    EvalItem("o happy day of sun and song", "positive"),
    EvalItem("the bitter wind of sorrow blew", "negative"),
]
RIGHT = {"positive": "positive", "negative": "negative", "no_impact": "neutral", "mixed": "mixed"}
WRONG = {"positive": "negative", "negative": "positive", "no_impact": "mixed", "mixed": "neutral"}
_PASSAGE = re.compile(r"<passage>\n(.*?)\n</passage>", re.DOTALL)


def passage_of(request: RecordedRequest) -> str:
    found = _PASSAGE.search(request.body["messages"][0]["content"])
    return found.group(1) if found else ""


def analysis(polarity: str, tone: str = "Wistful and Tender", emotion: str = "sadness") -> str:
    return json.dumps({**GOOD_ANSWER, "tone": tone, "polarity": polarity,
                       "emotions": [{"name": emotion, "intensity": 0.7}]})  # fmt: skip


def scripted(
    right: int, *, delay: float = 0.0, errors: dict[int, Reply] | None = None
) -> Callable[[RecordedRequest], Reply | None]:
    """A responder: the first ``right`` items get their label, the rest a wrong one."""
    by_text = {item.text: (n, item) for n, item in enumerate(ITEMS)}

    def reply(request: RecordedRequest) -> Reply | None:
        n, item = by_text[passage_of(request)]
        if errors and n in errors:
            return errors[n]
        label = (RIGHT if n < right else WRONG)[item.expected]
        # 25 input tokens each, as scripted: the report's sum is checked below.
        return Reply("stream", text=analysis(label), chunk_size=64, chunk_delay=delay,
                     usage={"input_tokens": 25})  # fmt: skip

    return reply


@pytest.fixture
def analyzer(fake_api: FakeAnthropic) -> Iterator[ClaudeToneAnalyzer]:
    # The SDK's own retries are on (2), as in the app: x-should-retry decides.
    made = ClaudeToneAnalyzer(VALID_KEY, base_url=fake_api.base_url, timeout=5.0, max_retries=2)
    yield made
    made.close()


def numbered(items: list[EvalItem] = ITEMS) -> list[tuple[int, EvalItem]]:
    return [(n + 1, item) for n, item in enumerate(items)]


class Collected:
    """on_answer that keeps every call (always on the caller's thread)."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, EvalAnswer]] = []
        self.threads: set[int] = set()

    def __call__(self, item_id: int, answer: EvalAnswer) -> None:
        self.calls.append((item_id, answer))
        self.threads.add(threading.get_ident())

    @property
    def answers(self) -> list[EvalAnswer]:
        return [a for _i, a in self.calls]


def test_accuracy_and_wilson_interval_are_exact(fake_api: FakeAnthropic, analyzer) -> None:
    fake_api.responder = scripted(right=7)
    collected = Collected()
    runner = EvalRunner(lambda: analyzer, SETTINGS, field="polarity", concurrency=4)
    runner.run(numbered(), collected, threading.Event())

    assert sorted(i for i, _a in collected.calls) == list(range(1, 11))
    assert collected.threads == {threading.get_ident()}
    report = summarise_run(collected.answers, "polarity")
    assert (report.labelled, report.correct, report.failed) == (10, 7, 0)
    assert report.accuracy == 0.7
    assert (round(report.ci_low, 4), round(report.ci_high, 4)) == (0.3968, 0.8922)
    assert report.cost_usd > 0
    assert report.input_tokens == 250  # the scripted 25 a request
    by_id = dict(collected.calls)
    assert by_id[3].predicted == "neutral"  # "no_impact" in the dataset
    assert by_id[3].correct is True
    assert by_id[8].predicted == "mixed"
    assert by_id[8].correct is False
    assert by_id[1].answer is not None
    assert by_id[1].answer["polarity"] == "positive"
    assert report.confusion is not None
    assert report.confusion["neutral"]["mixed"] == 1  # item 8, "my canoe"
    assert len(fake_api.requests_to(MESSAGES)) == 10


def test_requests_are_composed_like_a_book_passage(fake_api: FakeAnthropic, analyzer) -> None:
    pool = [Example("We murder to dissect.", "Harsh and Condemning")]
    runner = EvalRunner(lambda: analyzer, SETTINGS, pool=pool, field="tone", concurrency=1)
    runner.run(numbered(ITEMS[3:4]), Collected(), threading.Event())
    (request,) = fake_api.requests_to(MESSAGES)
    content = request.body["messages"][0]["content"]
    assert content.startswith(f"Book: {EVAL_BOOK_TITLE}\n")
    assert "<context_before>\nthe riders came home\n</context_before>" in content
    assert passage_of(request) == "and be glad in the summer morning"
    assert "We murder to dissect." in json.dumps(request.body["system"])
    assert request.body["system"][-1]["cache_control"] == {"type": "ephemeral"}
    config = runner.config()
    assert config["prompt_version"] == runner.request_for(ITEMS[0]).prompt_version
    assert (config["model"], config["strategy"], config["examples"]) == (
        "claude-haiku-4-5", "all", 1)  # fmt: skip


def test_failed_items_are_counted_apart(fake_api: FakeAnthropic, analyzer) -> None:
    no_retry = {"x-should-retry": "false"}
    errors = {
        2: Reply("error", status=429, error_type="rate_limit_error", message="slow down",
                 headers=no_retry),
        5: Reply("error", status=429, error_type="rate_limit_error", message="slow down",
                 headers=no_retry),
        9: Reply("error", status=400, error_type="invalid_request_error", message="bad"),
    }  # fmt: skip
    fake_api.responder = scripted(right=10, errors=errors)
    collected = Collected()
    EvalRunner(lambda: analyzer, SETTINGS, field="polarity").run(
        numbered(), collected, threading.Event()
    )
    report = summarise_run(collected.answers, "polarity")
    assert (report.labelled, report.correct, report.failed) == (7, 7, 3)
    assert report.accuracy == 1.0  # failures are neither right nor wrong
    failed = {i: a for i, a in collected.calls if not a.ok}
    assert sorted(failed) == [3, 6, 10]
    assert failed[3].error_kind == "rate_limited"
    assert "429" in failed[3].error_message
    assert failed[10].error_kind == "bad_request"
    assert failed[3].correct is None
    # x-should-retry: false and a 400 are not retried: one request each.
    sent = Counter(passage_of(r) for r in fake_api.requests_to(MESSAGES))
    assert set(sent.values()) == {1}


@pytest.mark.parametrize("limit", [1, 3])
def test_concurrency_never_exceeds_the_limit(fake_api: FakeAnthropic, analyzer, limit: int) -> None:
    fake_api.responder = scripted(right=10, delay=0.015)
    EvalRunner(lambda: analyzer, SETTINGS, field="polarity", concurrency=limit).run(
        numbered(), Collected(), threading.Event()
    )
    assert len(fake_api.requests_to(MESSAGES)) == 10
    assert 1 <= fake_api.max_in_flight <= limit
    if limit == 1:
        assert fake_api.max_in_flight == 1
    else:
        assert fake_api.max_in_flight >= 2  # they did run side by side
    assert fake_api.in_flight == 0


def test_cancel_stops_new_items_and_ends_promptly(fake_api: FakeAnthropic, analyzer) -> None:
    fake_api.responder = scripted(right=10, delay=0.05)
    cancelled = threading.Event()
    collected = Collected()

    def on_answer(item_id: int, answer: EvalAnswer) -> None:
        collected(item_id, answer)
        if len(collected.calls) == 2:
            cancelled.set()

    items = numbered(ITEMS * 3)  # 30 items
    started = time.perf_counter()
    EvalRunner(lambda: analyzer, SETTINGS, field="polarity", concurrency=2).run(
        items, on_answer, cancelled
    )
    assert time.perf_counter() - started < 1.5  # well inside the 2 s grace: streams stopped
    answered = [i for i, _a in collected.calls]
    assert 2 <= len(answered) <= 4
    assert len(set(answered)) == len(answered)
    assert all(a.ok for a in collected.answers)  # cancelled items are not "failed"
    time.sleep(0.3)
    assert len(fake_api.requests_to(MESSAGES)) <= 4  # nothing new was started


def test_a_cancelled_run_resumes_with_the_unanswered_items(
    fake_api: FakeAnthropic, analyzer, tmp_path: Path
) -> None:
    fake_api.responder = scripted(right=7, delay=0.02)
    conn = open_database(tmp_path / "library.sqlite3")
    try:
        repo = EvalRepository(conn)
        set_id = repo.create_set("Poems", "test", "polarity", ITEMS)
        runner = EvalRunner(lambda: analyzer, SETTINGS, field="polarity", concurrency=2)
        run_id = repo.create_run(set_id, "polarity", runner.config())
        stop = threading.Event()
        calls: list[int] = []

        def save(item_id: int, answer: EvalAnswer) -> None:
            calls.append(item_id)
            repo.save_answer(run_id, answer)
            if len(calls) == 5:
                stop.set()  # "kill" the run halfway

        runner.run(repo.items(set_id), save, stop)
        first = len(calls)
        assert 5 <= first < 10
        rest = repo.unanswered(run_id)
        assert len(rest) == 10 - first
        # A fresh runner, as after a restart, runs only what is missing.
        fresh = EvalRunner(lambda: analyzer, SETTINGS, field="polarity", concurrency=2)
        fresh.run(rest, save, threading.Event())
        repo.finish_run(run_id, "done")
        assert sorted(calls) == sorted(i for i, _item in repo.items(set_id))  # each once
        assert repo.unanswered(run_id) == []
        report = summarise_run(repo.answers(run_id), "polarity")
        assert (report.labelled, report.correct) == (10, 7)
    finally:
        conn.close()


def test_an_on_answer_failure_stops_the_run(fake_api: FakeAnthropic, analyzer) -> None:
    fake_api.responder = scripted(right=10, delay=0.02)

    def explode(item_id: int, answer: EvalAnswer) -> None:
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError, match="disk on fire"):
        EvalRunner(lambda: analyzer, SETTINGS, field="polarity", concurrency=2).run(
            numbered(ITEMS * 2), explode, threading.Event()
        )
    time.sleep(0.3)
    assert len(fake_api.requests_to(MESSAGES)) < 20


def test_predicted_label_per_field() -> None:
    answer = ToneAnalysis.model_validate(json.loads(analysis("mixed", "Bitter", "anger")))
    assert predicted_label(answer, "tone") == "Bitter"
    assert predicted_label(answer, "polarity") == "mixed"
    assert predicted_label(answer, "emotion") == "anger"
    with pytest.raises(ValueError, match="unknown field"):
        EvalRunner(lambda: None, SETTINGS, field="colour")  # type: ignore[arg-type, return-value]
    with pytest.raises(ValueError, match="concurrency"):
        EvalRunner(lambda: None, SETTINGS, concurrency=0)  # type: ignore[arg-type, return-value]


# -- the judge ---------------------------------------------------------------------------------
def judge_or_tone(verdicts: dict[str, bool]) -> Callable[[RecordedRequest], Reply | None]:
    """Tone answers "Restless" for every passage; the judge says what ``verdicts`` says."""

    def reply(request: RecordedRequest) -> Reply | None:
        if request.body.get("stream") is True:
            return Reply("stream", text=analysis("negative", tone="Restless"),
                         usage={"input_tokens": 25})  # fmt: skip
        expected = re.search(r"<expected>(.*?)</expected>", request.body["messages"][0]["content"])
        assert expected is not None
        same = verdicts[expected.group(1)]
        text = json.dumps({"same": same, "why": "Both mean unsettled." if same else "No."})
        return Reply("stream", text=text, usage={"input_tokens": 60, "output_tokens": 12})

    return reply


def test_judge_decides_labels_the_rules_cannot(fake_api: FakeAnthropic, analyzer) -> None:
    items = [EvalItem("a", "Uneasy"), EvalItem("b", "Calm"), EvalItem("c", "restless")]
    fake_api.responder = judge_or_tone({"Uneasy": True, "Calm": False})

    def judge(predicted: str, expected: str) -> Verdict:
        return judge_labels(analyzer, predicted, expected, model="claude-haiku-4-5")

    collected = Collected()
    EvalRunner(lambda: analyzer, SETTINGS, field="tone", judge=judge).run(
        numbered(items), collected, threading.Event()
    )
    by_id = dict(collected.calls)
    assert (by_id[1].correct, by_id[1].judged, by_id[1].judge_note) == (
        True, True, "Both mean unsettled.")  # fmt: skip
    assert (by_id[2].correct, by_id[2].judged) == (False, True)
    assert (by_id[3].correct, by_id[3].judged) == (True, False)  # the rules matched: no judge
    assert by_id[1].input_tokens == 25 + 60  # the judge's tokens are part of the item's
    report = summarise_run(collected.answers, "tone")
    assert (report.correct, report.judged) == (2, 2)
    judge_requests = [r for r in fake_api.requests_to(MESSAGES) if r.body.get("stream") is not True]
    assert len(judge_requests) == 2
    body = judge_requests[0].body
    assert body["output_config"]["format"] == {"type": "json_schema", "schema": JUDGE_SCHEMA}
    assert body["model"] == "claude-haiku-4-5"


def test_judge_failures_are_ai_errors(fake_api: FakeAnthropic, analyzer) -> None:
    fake_api.reply_error(500, "api_error", "boom", {"x-should-retry": "false"})
    with pytest.raises(AiError) as info:
        judge_labels(analyzer, "Restless", "Uneasy")
    assert info.value.kind is AiErrorKind.SERVER
    fake_api.reply_json("not json")
    with pytest.raises(AiError) as info:
        judge_labels(analyzer, "Restless", "Uneasy")
    assert info.value.kind is AiErrorKind.SCHEMA
    fake_api.reply_json({"same": "yes", "why": 1})
    with pytest.raises(AiError) as info:
        judge_labels(analyzer, "Restless", "Uneasy")
    assert info.value.kind is AiErrorKind.SCHEMA
    fake_api.reply_refusal()
    with pytest.raises(AiError) as info:
        judge_labels(analyzer, "Restless", "Uneasy")
    assert info.value.kind is AiErrorKind.REFUSAL
    fake_api.reply_json({"same": False, "why": "  Opposite\nmoods. "})
    verdict = judge_labels(analyzer.sdk(), "Calm", "Angry")  # a bare SDK client works too
    assert (verdict.same, verdict.why, verdict.model) == (
        False,
        "Opposite moods.",
        "claude-haiku-5-5",  # the default model: the catalogue's newest Haiku
    )


def test_a_failing_judge_leaves_the_rules_verdict(fake_api: FakeAnthropic, analyzer) -> None:
    fake_api.responder = judge_or_tone({})

    def judge(predicted: str, expected: str) -> Verdict:
        raise AiError(AiErrorKind.OFFLINE)

    collected = Collected()
    EvalRunner(lambda: analyzer, SETTINGS, field="tone", judge=judge).run(
        numbered([EvalItem("a", "Calm")]), collected, threading.Event()
    )
    (answer,) = collected.answers
    assert (answer.ok, answer.correct, answer.judged) == (True, False, False)
    assert answer.judge_note.startswith("judge failed:")
