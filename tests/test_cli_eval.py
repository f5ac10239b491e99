"""``tone-reader eval`` end to end: a real process, the real SDK, the fake API."""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.fake_api import GOOD_ANSWER, MESSAGES, VALID_KEY, FakeAnthropic, RecordedRequest, Reply

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "resources" / "eval" / "poem_sentiment_sample.csv"
JSON_KEYS = {
    "labelled", "correct", "accuracy", "ci_low", "ci_high", "failed", "judged",
    "p50_latency_ms", "p95_latency_ms", "total_seconds", "input_tokens", "output_tokens",
    "cache_read_tokens", "cache_creation_tokens", "cost_usd", "field", "model",
    "prompt_version", "run_id", "confusion",
}  # fmt: skip
POLARITY = {
    "positive": "positive",
    "negative": "negative",
    "no_impact": "neutral",
    "mixed": "mixed",
}


def run(fake: FakeAnthropic, profile: Path, *args: str, key: str | None = VALID_KEY):  # type: ignore[no-untyped-def]
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    env.update(ANTHROPIC_BASE_URL=fake.base_url, NO_PROXY="127.0.0.1,localhost")
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    if key is not None:
        env["ANTHROPIC_API_KEY"] = key
    return subprocess.run(
        [sys.executable, "-m", "reader_app", "--profile-dir", str(profile), "eval", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def sample_labels() -> dict[str, str]:
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        return {row["verse_text"]: row["label"] for row in csv.DictReader(handle)}


def right_for_all_but(wrong: set[str]):  # type: ignore[no-untyped-def]
    """A responder that answers each verse with its polarity, except the ``wrong`` ones."""
    labels = sample_labels()

    def reply(request: RecordedRequest) -> Reply | None:
        content = request.body["messages"][0]["content"]
        verse = content.split("<passage>\n", 1)[1].split("\n</passage>", 1)[0]
        polarity = POLARITY[labels[verse]]
        if verse in wrong:
            polarity = "mixed" if polarity != "mixed" else "positive"
        answer = json.dumps({**GOOD_ANSWER, "polarity": polarity})
        return Reply("stream", text=answer, usage={"input_tokens": 25})  # 25 each, as scripted

    return reply


def test_eval_json_report_on_the_sample(fake_api: FakeAnthropic, tmp_path: Path) -> None:
    verses = list(sample_labels())
    fake_api.responder = right_for_all_but(set(verses[:2]))
    result = run(fake_api, tmp_path, str(SAMPLE), "--text-column", "verse_text",
                 "--label-column", "label", "--field", "polarity", "--limit", "10", "--json")  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report) >= JSON_KEYS
    assert (report["labelled"], report["correct"], report["failed"]) == (10, 8, 0)
    assert (report["accuracy"], report["ci_low"], report["ci_high"]) == (0.8, 0.4902, 0.9433)
    assert report["field"] == "polarity"
    assert report["model"] == "claude-haiku-5-5"  # the default: the newest Haiku
    assert report["input_tokens"] == 250
    assert sum(sum(row.values()) for row in report["confusion"].values()) == 10
    assert len(fake_api.requests_to(MESSAGES)) == 10
    with sqlite3.connect(tmp_path / "data" / "library.sqlite3") as conn:
        status, config = conn.execute("SELECT status, config_json FROM eval_runs").fetchone()
        assert status == "done"
        assert json.loads(config)["prompt_version"] == report["prompt_version"]
        assert conn.execute("SELECT COUNT(*) FROM eval_answers").fetchone()[0] == 10
    # The same rows again reuse the set, so the two runs can be compared.
    again = run(fake_api, tmp_path, str(SAMPLE), "--text-column", "verse_text",
                "--label-column", "label", "--field", "polarity", "--limit", "10", "--json")  # fmt: skip
    assert again.returncode == 0, again.stderr
    second = json.loads(again.stdout)
    assert second["set_id"] == report["set_id"]
    assert second["run_id"] == report["run_id"] + 1


def test_eval_text_report_and_bad_rows(fake_api: FakeAnthropic, tmp_path: Path) -> None:
    dataset = tmp_path / "tones.csv"
    dataset.write_text("passage,tone\nWe murder to dissect.,Scornful\n,Calm\n"
                       "Sweet is the lore,Wistful\n", encoding="utf-8")  # fmt: skip
    result = run(fake_api, tmp_path, str(dataset), "--text-column", "passage",
                 "--label-column", "tone")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"{dataset}: line 3: “passage” is empty\n" in result.stderr
    # The fake answers "Wistful and Tender": right for one passage, wrong for the other.
    assert "Labelled:  2" in result.stdout
    assert "Correct:   1" in result.stdout
    assert "Accuracy:  50.0%" in result.stdout
    assert "Confusion" not in result.stdout


def test_failed_items_are_reported_and_not_wrong(fake_api: FakeAnthropic, tmp_path: Path) -> None:
    dataset = tmp_path / "set.jsonl"
    dataset.write_text("".join(json.dumps({"t": f"passage {n}", "l": "Wistful"}) + "\n"
                               for n in range(4)), encoding="utf-8")  # fmt: skip

    def reply(request: RecordedRequest) -> Reply | None:
        if "passage 2" in request.body["messages"][0]["content"]:
            return Reply("error", status=400, error_type="invalid_request_error", message="bad")
        return None  # the default answer, "Wistful and Tender"

    fake_api.responder = reply
    result = run(fake_api, tmp_path, str(dataset), "--text-column", "t", "--label-column", "l",
                 "--json", "--concurrency", "2")  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["labelled"], report["correct"], report["failed"]) == (3, 3, 1)
    assert report["confusion"] is None
    assert "1 item(s) failed (bad_request)" in result.stderr


def test_every_item_failing_exits_1(fake_api: FakeAnthropic, tmp_path: Path) -> None:
    fake_api.responder = lambda _request: Reply(
        "error", status=429, error_type="rate_limit_error", message="slow down",
        headers={"x-should-retry": "false"},
    )  # fmt: skip
    result = run(fake_api, tmp_path, str(SAMPLE), "--text-column", "verse_text",
                 "--label-column", "label", "--limit", "3", "--json")  # fmt: skip
    assert result.returncode == 1
    assert json.loads(result.stdout)["failed"] == 3
    assert "every item failed" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_input_and_no_key(fake_api: FakeAnthropic, tmp_path: Path) -> None:
    missing = run(fake_api, tmp_path, str(SAMPLE), "--text-column", "text",
                  "--label-column", "label")  # fmt: skip
    assert missing.returncode == 2
    assert missing.stderr.count("\n") == 1
    assert "“text”" in missing.stderr
    assert "split, id, verse_text, label, label_raw" in missing.stderr
    empty = tmp_path / "empty.csv"
    empty.write_text("text,label\n,x\n", encoding="utf-8")
    nothing = run(
        fake_api, tmp_path, str(empty), "--text-column", "text", "--label-column", "label"
    )
    assert nothing.returncode == 2
    assert "no usable rows" in nothing.stderr
    absent = run(fake_api, tmp_path, str(tmp_path / "nope.csv"), "--text-column", "a",
                 "--label-column", "b")  # fmt: skip
    assert absent.returncode == 2
    judge = run(fake_api, tmp_path, str(SAMPLE), "--text-column", "verse_text",
                "--label-column", "label", "--field", "polarity", "--judge")  # fmt: skip
    assert judge.returncode == 2
    no_key = run(fake_api, tmp_path, str(SAMPLE), "--text-column", "verse_text",
                 "--label-column", "label", key=None)  # fmt: skip
    assert no_key.returncode == 3
    assert "Traceback" not in no_key.stderr
    assert fake_api.requests_to(MESSAGES) == []


def test_eval_is_listed_in_the_help() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    result = subprocess.run([sys.executable, "-m", "reader_app", "--help"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60, check=True)  # fmt: skip
    assert "eval" in result.stdout.split("Commands:", 1)[1].split(".", 1)[0]


def test_speaker_attribution_is_scored_with_names_gathered(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    # A set with a speaker column; the model names "Darcy" where the set says "Mr. Darcy"
    # (the same man) and "Mr. Bennet" where it says "Mrs. Bennet" (not the same).
    rows = [
        ("“You are too generous to trifle with me.”", "Mr. Darcy", "Darcy"),
        ("“I have a high respect for your nerves.”", "Mr. Bennet", "Mr. Bennet"),
        ("“You take delight in vexing me.”", "Mrs. Bennet", "Mr. Bennet"),
        ("It is a truth universally acknowledged.", "narrator", "Narrator"),
    ]
    data = tmp_path / "speakers.csv"
    with data.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "speaker"])
        writer.writerows((text, expected) for text, expected, _said in rows)
    said = {text: name for text, _expected, name in rows}

    def reply(request: RecordedRequest) -> Reply | None:
        content = request.body["messages"][0]["content"]
        passage = content.split("<passage>\n", 1)[1].split("\n</passage>", 1)[0]
        answer = json.dumps({**GOOD_ANSWER, "speaker": said[passage], "addressee": ""})
        return Reply("stream", text=answer)

    fake_api.responder = reply
    result = run(fake_api, tmp_path, str(data), "--text-column", "text", "--label-column",
                 "speaker", "--field", "speaker", "--json", "--concurrency", "1")  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["field"] == "speaker"
    assert (report["labelled"], report["correct"]) == (4, 3)
