"""``tone-reader key`` without a real keyring: exit codes, messages, and no key in the output.

The subprocess tests run the real command line with keyring's "fail" backend, which is
what a headless Linux machine without a Secret Service gets. The in-process tests call
``cmd_key`` with an in-memory store. The real Secret Service is in
tests/config/test_real_keyring.py.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reader_app.cli.key import cmd_key
from reader_app.config.secrets import KeyringUnavailable, MemorySecretStore

REPO = Path(__file__).resolve().parents[1]
KEY = "sk-ant-api03-command-line-test-key-Jk56"
FAIL_BACKEND = "keyring.backends.fail.Keyring"


def _run(
    tmp_path: Path, *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    base = {
        key: value
        for key, value in os.environ.items()
        if key not in ("ANTHROPIC_API_KEY", "TONE_READER_HOME")
    }
    # The fail backend unless a test says otherwise: these tests must never reach a real
    # keyring, even when one is running.
    base["PYTHON_KEYRING_BACKEND"] = FAIL_BACKEND
    base.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "reader_app", "--profile-dir", str(tmp_path / "p"), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=base,
        cwd=REPO,
        timeout=60,
        check=False,
    )


def _assert_one_error_line(result: subprocess.CompletedProcess[str]) -> None:
    assert result.stderr.startswith("tone-reader")
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


# --- the real command line, in a subprocess ------------------------------------------------


def test_status_without_a_keyring_exits_3_with_one_line(tmp_path: Path) -> None:
    result = _run(tmp_path, "key", "status")
    assert result.returncode == 3
    assert result.stdout == ""
    _assert_one_error_line(result)
    assert "No system keyring was found" in result.stderr
    assert "ANTHROPIC_API_KEY" in result.stderr


@pytest.mark.parametrize("action", ["set", "delete"])
def test_set_and_delete_without_a_keyring_exit_3(tmp_path: Path, action: str) -> None:
    result = _run(tmp_path, "key", action, stdin=f"{KEY}\n")
    assert result.returncode == 3
    assert result.stdout == ""
    _assert_one_error_line(result)
    assert KEY not in result.stderr


def test_status_reports_the_environment_key_masked(tmp_path: Path) -> None:
    result = _run(tmp_path, "key", "status", env={"ANTHROPIC_API_KEY": KEY})
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        "API key: sk-ant-…Jk56 (from environment)\n",
        "",
    )
    log_dir = tmp_path / "p" / "logs"
    for path in log_dir.rglob("*"):
        assert KEY.encode() not in path.read_bytes()


@pytest.mark.parametrize("stdin", ["", "\n", "   \n"])
def test_set_with_an_empty_key_exits_2(tmp_path: Path, stdin: str) -> None:
    result = _run(tmp_path, "key", "set", stdin=stdin)
    assert result.returncode == 2
    assert result.stdout == ""
    _assert_one_error_line(result)
    assert "empty" in result.stderr


def test_key_needs_an_action(tmp_path: Path) -> None:
    result = _run(tmp_path, "key")
    assert result.returncode == 2
    _assert_one_error_line(result)
    assert result.stderr.startswith("tone-reader key: error:")


def test_the_global_help_lists_the_key_command(tmp_path: Path) -> None:
    result = _run(tmp_path, "--help")
    assert result.returncode == 0
    # argparse wraps the line at the terminal's width.
    assert (
        "Commands: inspect, analyze, characters, examples, eval, export, glossary, import, key."
        in " ".join(result.stdout.split())
    )


# --- cmd_key in process, with an in-memory store --------------------------------------------


class _FakeTty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_set_reads_one_line_from_a_pipe(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{KEY}\nsecond line is ignored\n"))
    store = MemorySecretStore()
    assert cmd_key(["set"], store=store, environ={}) == 0
    assert store.get() == KEY
    out, err = capsys.readouterr()
    assert out == "Saved the API key in the system keyring.\n"
    assert err == ""


def test_set_on_a_terminal_uses_getpass(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    prompts: list[str] = []

    def fake_getpass(prompt: str = "Password: ") -> str:
        prompts.append(prompt)
        return KEY

    monkeypatch.setattr(sys, "stdin", _FakeTty("this must not be read\n"))
    monkeypatch.setattr("getpass.getpass", fake_getpass)
    store = MemorySecretStore()
    assert cmd_key(["set"], store=store, environ={}) == 0
    assert prompts == ["API key: "]
    assert store.get() == KEY
    assert KEY not in "".join(capsys.readouterr())


def test_ctrl_d_at_the_prompt_is_an_empty_key(monkeypatch: pytest.MonkeyPatch) -> None:
    def eof(prompt: str = "") -> str:
        raise EOFError

    monkeypatch.setattr(sys, "stdin", _FakeTty())
    monkeypatch.setattr("getpass.getpass", eof)
    assert cmd_key(["set"], store=MemorySecretStore(), environ={}) == 2


def test_set_rejects_a_key_with_spaces_without_echoing_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("sk-ant-secret part2\n"))
    store = MemorySecretStore()
    assert cmd_key(["set"], store=store, environ={}) == 2
    assert store.get() is None
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert "spaces" in err
    assert "secret" not in err


def test_set_notes_that_the_environment_wins(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{KEY}\n"))
    assert cmd_key(["set"], store=MemorySecretStore(), environ={"ANTHROPIC_API_KEY": "x"}) == 0
    assert "ANTHROPIC_API_KEY is set" in capsys.readouterr().err


def test_status_and_delete_with_a_stored_key(capsys: pytest.CaptureFixture[str]) -> None:
    store = MemorySecretStore(KEY)
    assert cmd_key(["status"], store=store, environ={}) == 0
    assert capsys.readouterr().out == "API key: sk-ant-…Jk56 (stored in the system keyring)\n"
    assert cmd_key(["delete"], store=store, environ={}) == 0
    assert capsys.readouterr().out == "Removed the API key from the system keyring.\n"
    assert cmd_key(["delete"], store=store, environ={}) == 0
    assert capsys.readouterr().out == "There was no API key in the system keyring.\n"
    assert cmd_key(["status"], store=store, environ={}) == 3
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("tone-reader: No API key set.")


def test_status_with_a_locked_keyring(capsys: pytest.CaptureFixture[str]) -> None:
    store = MemorySecretStore(error=KeyringUnavailable("The system keyring is locked."))
    assert cmd_key(["status"], store=store, environ={}) == 3
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("tone-reader: The system keyring is locked. ")
    assert err.count("\n") == 1


def test_an_unknown_action_exits_2() -> None:
    with pytest.raises(SystemExit) as caught:
        cmd_key(["show"], store=MemorySecretStore(), environ={})
    assert caught.value.code == 2
