"""The API key never reaches a file, a stream or the clipboard, whatever the app goes through.

A recognisable key drives the GUI (analysis, API errors that echo the key, settings,
every export format, a crash dialog and its Copy Details, DEBUG logging) and the command
line (analyze, eval, export, key status, all with ``--verbose``). Then every file the app
wrote is read back and searched for the key and for its tail: partial echoes count too.
One key has the Anthropic shape; the other does not, so matching ``sk-ant-…`` cannot be
the only thing that keeps it out.
"""

from __future__ import annotations

import logging
import os
import secrets
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from reader_app.app import _install_excepthook
from reader_app.config.paths import AppPaths
from reader_app.config.secrets import KEYRING_SERVICE, KEYRING_USERNAME
from reader_app.core.exporters import EXPORTERS
from reader_app.logs import setup_logging
from reader_app.storage.annotations import AnnotationQuery
from reader_app.ui.annotation_commands import export_to
from reader_app.ui.crash_dialog import CrashDialog
from tests.ui.conftest import MakeApp, MemoryKeyring, wait_for_book

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from reader_app.app import ReaderApp
    from tests.fake_api import FakeAnthropic

ROOT = Path(__file__).resolve().parents[2]
BALLADS = ROOT / "resources" / "lyrical-ballads_standardebooks_epub3.epub"
PASSAGE = "We murder to dissect."
OTHER = "Sweet is the lore which Nature brings;"
FORMATS = tuple(EXPORTERS)
# A tail this long is far too specific to turn up by chance, and an echo cut short at the
# front (a truncated header, a masked key that shows too much) still has it.
TAIL = 12


def _anthropic_key() -> str:
    return "sk-ant-api03-" + secrets.token_urlsafe(32)


def _gateway_key() -> str:
    # A proxy's token: nothing about its shape says "secret".
    return "tok-" + secrets.token_hex(20)


KEYS = {"anthropic": _anthropic_key, "gateway": _gateway_key}


def _needles(key: str) -> list[bytes]:
    return [key.encode(), key[-TAIL:].encode()]


def _hits(data: bytes, key: str) -> list[str]:
    """Which forms of the key ``data`` holds: whole, tail, or the tail in UTF-16 (Qt)."""
    found = [n.decode() for n in _needles(key) if n in data]
    if key[-TAIL:].encode("utf-16-le") in data:
        found.append("utf-16 tail")
    return found


def _scan(roots: list[Path], key: str) -> tuple[dict[Path, int], dict[Path, list[str]]]:
    """Every file under ``roots``: its size, and the forms of the key found in it.

    Zip files (the Anki deck) are searched member by member, uncompressed.
    """
    sizes: dict[Path, int] = {}
    leaks: dict[Path, list[str]] = {}
    for root in roots:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            data = path.read_bytes()
            sizes[path] = len(data)
            found = _hits(data, key)
            if zipfile.is_zipfile(path):
                # An Anki deck is a zip: its compressed members hide text from a byte scan.
                with zipfile.ZipFile(path) as archive:
                    for member in archive.namelist():
                        found += [f"{member}: {h}" for h in _hits(archive.read(member), key)]
            if found:
                leaks[path] = found
    return sizes, leaks


def _assert_scan_is_clean(roots: list[Path], key: str, must_have: list[Path]) -> dict[Path, int]:
    sizes, leaks = _scan(roots, key)
    assert leaks == {}, f"the API key was written to: {leaks}"
    for path in must_have:
        # An empty or missing file proves nothing: the scan must have read the real thing.
        assert sizes.get(path, 0) > 0, f"{path} was not written, so it was not checked"
    return sizes


def _select(app: ReaderApp, text: str) -> None:
    view = app.window.pane.view
    start = view.text.index(text)
    view.select_range(start, start + len(text))


def _analyse(qtbot: QtBot, app: ReaderApp, text: str, *, ok: bool) -> None:
    _select(app, text)
    signal = app.analysis.analysed if ok else app.tone_service.analysis_failed
    with qtbot.waitSignal(signal, timeout=10_000):
        app.window.actions_.analyse.trigger()


def _drive_gui(qtbot: QtBot, make_app: MakeApp, api: FakeAnthropic, key: str, out: Path) -> str:
    """Everything the GUI can do with a key in play; returns the copied crash details."""
    app = make_app()
    profile_root = app.paths.data_dir.parent
    app.start(str(BALLADS))
    wait_for_book(qtbot, app, "Lyrical Ballads")
    item = app.window.toc.findItems(
        "The Tables Turned", Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive
    )[0]
    app.window.toc.itemClicked.emit(item, 0)
    logging.getLogger("reader_app.test").debug("driving the GUI with DEBUG logging on")

    _analyse(qtbot, app, PASSAGE, ok=True)
    no_retry = {"x-should-retry": "false"}
    api.reply_error(401, "authentication_error", f"invalid x-api-key: {key}")
    _analyse(qtbot, app, PASSAGE, ok=False)
    api.reply_error(500, "api_error", f"upstream failed for Bearer {key}", no_retry)
    _analyse(qtbot, app, OTHER, ok=False)
    api.reply_truncated('{"tone": "Ha', chunked=True)
    _analyse(qtbot, app, PASSAGE, ok=False)
    api.reply_error(429, "rate_limit_error", f"slow down, {key[-TAIL:]}",
                    {"retry-after": "1", **no_retry})  # fmt: skip
    _analyse(qtbot, app, OTHER, ok=False)

    app.window.update_settings(font_size=app.window.settings.font_size + 1)

    rows = AnnotationQuery(app.conn).all()
    assert rows
    for fmt in FORMATS:
        export_to(rows, fmt, out / f"library{EXPORTERS[fmt].suffix}")

    _install_excepthook(app)
    try:
        raise RuntimeError(f"the gateway refused {key} (tail {key[-TAIL:]})")
    except RuntimeError as exc:
        sys.excepthook(type(exc), exc, exc.__traceback__)
    dialog = app.window.findChild(CrashDialog)
    assert dialog is not None
    assert "the gateway refused" in dialog.details.toPlainText()
    dialog.copy_button.click()
    copied = QGuiApplication.clipboard().text()
    assert "RuntimeError" in copied
    dialog.close()
    # While the library is still open its latest writes may sit in the -wal file only.
    wal = profile_root / "data" / "library.sqlite3-wal"
    assert _scan([profile_root], key)[1] == {}
    assert not wal.exists() or _hits(wal.read_bytes(), key) == []
    app.window.close()
    app.shutdown()
    return copied


@pytest.mark.usefixtures("allow_log_warnings")
@pytest.mark.parametrize("source", ["environment", "keyring"])
@pytest.mark.parametrize("kind", sorted(KEYS))
def test_gui_writes_no_key(
    qtbot: QtBot,
    make_app: MakeApp,
    fake_api: FakeAnthropic,
    profile: AppPaths,
    monkeypatch: pytest.MonkeyPatch,
    memory_keyring: MemoryKeyring,
    capfd: pytest.CaptureFixture[str],
    kind: str,
    source: str,
) -> None:
    key = KEYS[kind]()
    fake_api.valid_key = key
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_api.base_url)
    if source == "environment":
        monkeypatch.setenv("ANTHROPIC_API_KEY", key)
    else:
        memory_keyring.set_password(KEYRING_SERVICE, KEYRING_USERNAME, key)
    root = logging.getLogger()
    before_handlers, before_level = list(root.handlers), root.level
    setup_logging(profile.log_file, verbose=True)
    try:
        exports = profile.data_dir.parent / "exports"
        exports.mkdir()
        copied = _drive_gui(qtbot, make_app, fake_api, key, exports)
    finally:
        for handler in root.handlers[:]:
            if handler not in before_handlers:
                root.removeHandler(handler)
                handler.close()
        root.setLevel(before_level)

    # The key really was used, so the test is not passing because it never came up.
    assert fake_api.requests_to("/v1/messages")[0].headers["authorization"] == f"Bearer {key}"
    assert _hits(copied.encode(), key) == []
    streams = capfd.readouterr()
    assert _hits((streams.out + streams.err).encode(), key) == []
    assert "DEBUG" in profile.log_file.read_text("utf-8")
    must_have = [profile.log_file, profile.database, profile.settings_file]
    must_have += [exports / f"library{EXPORTERS[f].suffix}" for f in FORMATS]
    sizes = _assert_scan_is_clean([profile.data_dir.parent], key, must_have)
    assert len(sizes) >= len(must_have)


def _cli(
    api: FakeAnthropic, profile: Path, key: str, *args: str
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "TONE_"))}
    env.update(ANTHROPIC_BASE_URL=api.base_url, NO_PROXY="127.0.0.1,localhost",
               ANTHROPIC_API_KEY=key, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")  # fmt: skip
    return subprocess.run(
        [sys.executable, "-m", "reader_app", "--profile-dir", str(profile), "--verbose", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


@pytest.mark.parametrize("kind", sorted(KEYS))
def test_cli_writes_no_key(fake_api: FakeAnthropic, tmp_path: Path, kind: str) -> None:
    key = KEYS[kind]()
    fake_api.valid_key = key
    profile = tmp_path / "profile"
    exports = tmp_path / "exports"
    exports.mkdir()
    dataset = tmp_path / "tones.csv"
    dataset.write_text(f"passage,tone\n{PASSAGE},Wistful\n{OTHER},Wistful\n", encoding="utf-8")
    runs = [
        _cli(fake_api, profile, key, "analyze", str(BALLADS), "--find", PASSAGE, "--save"),
    ]
    fake_api.reply_error(401, "authentication_error", f"invalid x-api-key: {key}")
    runs.append(_cli(fake_api, profile, key, "analyze", str(BALLADS), "--find", OTHER, "--save"))
    runs.append(_cli(fake_api, profile, key, "eval", str(dataset), "--text-column", "passage",
                     "--label-column", "tone"))  # fmt: skip
    runs.append(_cli(fake_api, profile, key, "key", "status"))
    for fmt in FORMATS:
        out = exports / f"library{EXPORTERS[fmt].suffix}"
        runs.append(
            _cli(fake_api, profile, key, "export", "--all", "--format", fmt, "-o", str(out))
        )
    codes = [r.returncode for r in runs]
    assert codes == [0, 1, 0, 0] + [0] * len(FORMATS), [r.stderr for r in runs]
    assert "rejected (401)" in runs[1].stderr
    assert "DEBUG" in "".join(r.stderr for r in runs)
    for result in runs:
        assert _hits((result.stdout + result.stderr).encode(), key) == [], result.args

    paths = AppPaths.for_profile(profile)
    must_have = [paths.log_file, paths.database]
    must_have += [exports / f"library{EXPORTERS[f].suffix}" for f in FORMATS]
    sizes = _assert_scan_is_clean([profile, exports], key, must_have)
    assert len(sizes) >= len(must_have)


@pytest.mark.parametrize("kind", sorted(KEYS))
def test_pieces_of_a_key_are_redacted_too(kind: str) -> None:
    from reader_app.ai.sdk_errors import one_line
    from reader_app.core.redaction import redact

    key = KEYS[kind]()
    for echo in (key, key[:20], key[-15:], f"x{key[-30:]}"):
        text = f"the server said {echo}!"
        for cleaned in (redact(text, [key]), one_line(text, key)):
            assert _hits(cleaned.encode(), key) == [], cleaned
            assert key[-TAIL:] not in cleaned
            assert key[:TAIL] not in cleaned
            assert cleaned.startswith("the server said ")
            assert cleaned.endswith("!")
