"""``tone-reader analyze`` end to end: a real process, the real SDK, the fake API."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fake_api import VALID_KEY, FakeAnthropic

ROOT = Path(__file__).resolve().parents[1]
BALLADS = ROOT / "resources" / "lyrical-ballads_standardebooks_epub3.epub"
ANSWER = {
    "tone": "Harsh and Condemning",
    "polarity": "negative",
    "emotions": [{"name": "disgust", "intensity": 0.7}, {"name": "anger", "intensity": 0.5}],
    "evidence": [{"quote": "murder", "why": "a violent word for study"}],
    "explanation": "A short, hard sentence that accuses science of killing what it studies.",
    "confidence": 0.85,
}


def run(fake: FakeAnthropic, profile: Path, *args: str, key: str | None = VALID_KEY):  # type: ignore[no-untyped-def]
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    env.update(ANTHROPIC_BASE_URL=fake.base_url, NO_PROXY="127.0.0.1,localhost")
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    if key is not None:
        env["ANTHROPIC_API_KEY"] = key
    return subprocess.run(
        [sys.executable, "-m", "reader_app", "--profile-dir", str(profile), "analyze", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_analyze_json_and_save(fake_api: FakeAnthropic, tmp_path: Path) -> None:
    fake_api.reply_json(ANSWER)
    result = run(fake_api, tmp_path, str(BALLADS), "--find", "We murder to dissect.", "--json",
                 "--save", "--context-paragraphs", "2")  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["tone"] == "Harsh and Condemning"
    assert report["passage"] == "We murder to dissect."
    assert report["evidence"] == ANSWER["evidence"]
    assert report["dropped_evidence"] == 0
    assert set(report) >= {"usage", "cost_usd", "model", "prompt_version", "request_id",
                           "ttft_ms", "total_ms", "chapter", "start", "end", "highlight_id"}  # fmt: skip
    assert report["highlight_id"] == 1
    (request,) = fake_api.requests_to("/v1/messages")
    assert request.headers["authorization"] == f"Bearer {VALID_KEY}"
    body = request.body
    assert "<passage>\nWe murder to dissect.\n</passage>" in body["messages"][0]["content"]
    assert body["system"][-1]["cache_control"] == {"type": "ephemeral"}
    assert body["output_config"]["format"]["type"] == "json_schema"
    with sqlite3.connect(tmp_path / "data" / "library.sqlite3") as conn:
        quote, color = conn.execute("SELECT quote, color FROM highlights").fetchone()
        tone, status = conn.execute("SELECT tone, status FROM analyses").fetchone()
    assert (quote, color, tone, status) == (
        "We murder to dissect.",
        "disgust",
        ANSWER["tone"],
        "ok",
    )
    assert VALID_KEY not in result.stdout + result.stderr


def test_analyze_text_report(fake_api: FakeAnthropic, tmp_path: Path) -> None:
    fake_api.reply_json(ANSWER)
    result = run(fake_api, tmp_path, str(BALLADS), "--find", "We murder to dissect.")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Tone:        Harsh and Condemning\n")
    assert "“murder” — a violent word for study" in result.stdout


def test_analyze_failures_have_exit_codes(fake_api: FakeAnthropic, tmp_path: Path) -> None:
    missing = run(fake_api, tmp_path, str(BALLADS), "--find", "not in this book at all")
    assert missing.returncode == 2
    assert missing.stderr.count("\n") == 1
    assert "does not occur" in missing.stderr
    no_key = run(fake_api, tmp_path, str(BALLADS), "--find", "We murder", key=None)
    assert no_key.returncode == 3
    assert "Traceback" not in no_key.stderr
    fake_api.reply_error(401, "authentication_error", "invalid x-api-key")
    rejected = run(fake_api, tmp_path, str(BALLADS), "--find", "We murder")
    assert rejected.returncode == 1
    assert "rejected (401)" in rejected.stderr
    assert rejected.stderr.count("\n") == 1
    broken = run(fake_api, tmp_path, str(tmp_path), "--find", "x")
    assert broken.returncode == 2


def test_several_passages_in_one_request(fake_api: FakeAnthropic, tmp_path: Path) -> None:
    items = [
        {**ANSWER, "passage": 1},
        {**ANSWER, "passage": 2, "tone": "Appreciative and Gentle",
         "evidence": [{"quote": "Sweet", "why": "soft"}]},
    ]  # fmt: skip
    fake_api.reply_json({"items": items})
    result = run(fake_api, tmp_path, str(BALLADS), "--find", "We murder to dissect.",
                 "--find", "Sweet is the lore which Nature brings;", "--json", "--save")  # fmt: skip
    assert result.returncode == 0, result.stderr
    reports = json.loads(result.stdout)
    assert [r["tone"] for r in reports] == ["Harsh and Condemning", "Appreciative and Gentle"]
    assert [r["passage"] for r in reports] == ["We murder to dissect.",
                                                "Sweet is the lore which Nature brings;"]  # fmt: skip
    assert len(fake_api.requests_to("/v1/messages")) == 1
    content = fake_api.requests_to("/v1/messages")[0].body["messages"][0]["content"]
    assert content.count("<passage id=") == 2
    with sqlite3.connect(tmp_path / "data" / "library.sqlite3") as conn:
        assert conn.execute("SELECT COUNT(*) FROM analyses").fetchone()[0] == 2


def test_one_bad_passage_does_not_lose_the_others(fake_api: FakeAnthropic, tmp_path: Path) -> None:
    items = [{**ANSWER, "passage": 1}, {**ANSWER, "passage": 2, "tone": ""}]  # no tone
    fake_api.reply_json({"items": items})
    result = run(fake_api, tmp_path, str(BALLADS), "--find", "We murder to dissect.",
                 "--find", "Sweet is the lore", "--json")  # fmt: skip
    assert result.returncode == 1
    reports = json.loads(result.stdout)
    assert reports[0]["tone"] == "Harsh and Condemning"
    assert "no tone" in reports[1]["error"]
    assert "1 of 2 passages got no valid analysis" in result.stderr


def test_batch_api_waits_and_prints_every_result(fake_api: FakeAnthropic, tmp_path: Path) -> None:
    fake_api.batch_default_answer = ANSWER
    fake_api.batch_polls_in_progress = 2
    result = run(fake_api, tmp_path, str(BALLADS), "--find", "We murder to dissect.",
                 "--find", "We murder", "--batch-api", "--poll-interval", "0.01", "--json",
                 "--save")  # fmt: skip
    assert result.returncode == 0, result.stderr
    reports = json.loads(result.stdout)
    assert [r["tone"] for r in reports] == ["Harsh and Condemning"] * 2
    assert "sent; waiting" in result.stderr
    assert len(fake_api.requests_to("/v1/messages/batches")) == 1
    assert fake_api.requests_to("/v1/messages") == []  # nothing went the expensive way
    with sqlite3.connect(tmp_path / "data" / "library.sqlite3") as conn:
        assert conn.execute("SELECT COUNT(*) FROM analyses WHERE status = 'ok'").fetchone()[0] == 2


# Claude Haiku 5.5's published prices, USD per million tokens (prompts up to 100k tokens):
# input, output, cache read; Message Batches cost half.
HAIKU_5_5 = (0.10, 0.50, 0.01)


def test_a_fresh_profile_uses_haiku_5_5_and_prices_it(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    usage = {"input_tokens": 1_200, "cache_creation_input_tokens": 0,
             "cache_read_input_tokens": 4_800, "output_tokens": 350}  # fmt: skip
    fake_api.reply_json(ANSWER, usage=usage)
    result = run(fake_api, tmp_path, str(BALLADS), "--find", "We murder to dissect.", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    (request,) = fake_api.requests_to("/v1/messages")
    assert request.body["model"] == "claude-haiku-5-5"
    per_input, per_output, read = HAIKU_5_5
    expected = (1_200 * per_input + 4_800 * read + 350 * per_output) / 1e6
    assert report["cost_usd"] == pytest.approx(expected, rel=0.01)


def test_batch_api_results_are_priced_at_the_batch_rate(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    fake_api.batch_default_answer = ANSWER
    fake_api.batch_usage = {"input_tokens": 1_000, "output_tokens": 400,
                            "cache_creation_input_tokens": 0, "cache_read_input_tokens": 6_000}  # fmt: skip
    result = run(fake_api, tmp_path, str(BALLADS), "--find", "We murder to dissect.",
                 "--batch-api", "--poll-interval", "0.01", "--json", "--save")  # fmt: skip
    assert result.returncode == 0, result.stderr
    (report,) = json.loads(result.stdout)
    per_input, per_output, read = HAIKU_5_5
    full = (1_000 * per_input + 6_000 * read + 400 * per_output) / 1e6
    assert report["cost_usd"] == pytest.approx(full * 0.5, rel=0.01)
    with sqlite3.connect(tmp_path / "data" / "library.sqlite3") as conn:
        (stored,) = conn.execute("SELECT cost_usd FROM analyses").fetchone()
    assert stored == pytest.approx(full * 0.5, rel=0.01)


def test_a_model_without_a_known_price_says_so(fake_api: FakeAnthropic, tmp_path: Path) -> None:
    fake_api.reply_json(ANSWER, times=2)
    args = (str(BALLADS), "--find", "We murder to dissect.", "--model", "claude-mystery-7")
    result = run(fake_api, tmp_path, *args, "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["cost_usd"] is None
    text = run(fake_api, tmp_path, *args)
    assert text.returncode == 0, text.stderr
    assert "price unknown" in text.stdout
    assert "$0.0000" not in text.stdout


@pytest.mark.parametrize(
    "emotions",
    [[], [{"name": "wistfulness", "intensity": 0.6}]],
    ids=["none", "outside-the-eight"],
)
def test_an_answer_naming_no_known_emotion_is_saved_and_keeps_the_colour(
    fake_api: FakeAnthropic, tmp_path: Path, emotions: list[dict[str, object]]
) -> None:
    fake_api.reply_json({**ANSWER, "emotions": emotions})
    result = run(fake_api, tmp_path, str(BALLADS), "--find", "We murder to dissect.", "--json",
                 "--save")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["tone"] == "Harsh and Condemning"
    with sqlite3.connect(tmp_path / "data" / "library.sqlite3") as conn:
        (color,) = conn.execute("SELECT color FROM highlights").fetchone()
        (tone,) = conn.execute("SELECT tone FROM analyses").fetchone()
    assert color == "yellow"
    assert tone == "Harsh and Condemning"
