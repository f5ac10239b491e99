"""The app finds the API key through the key finder it is handed, never one of its own."""

from __future__ import annotations

import contextlib
import secrets
from typing import TYPE_CHECKING

import keyring
from keyring.backends import fail
from PySide6.QtCore import Qt

from reader_app.config.secrets import ApiKeys
from tests.ui.conftest import MakeApp, wait_for_book

if TYPE_CHECKING:
    from collections.abc import Iterator

    import pytest
    from pytestqt.qtbot import QtBot

    from tests.fake_api import FakeAnthropic

PASSAGE = "We murder to dissect."


class HeldKey:
    """A SecretStore that keeps the key in this object and counts who asked."""

    def __init__(self, key: str | None) -> None:
        self.key = key
        self.reads = 0

    def get(self) -> str | None:
        self.reads += 1
        return self.key

    def set(self, value: str) -> None:
        self.key = value

    def delete(self) -> bool:
        had, self.key = self.key is not None, None
        return had


@contextlib.contextmanager
def _no_os_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())  # any use of the OS keyring would fail loudly
    try:
        yield
    finally:
        keyring.set_keyring(previous)


def test_an_analysis_sends_the_key_from_the_store_the_app_was_given(
    qtbot: QtBot,
    make_app: MakeApp,
    fake_api: FakeAnthropic,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = "sk-ant-api03-" + secrets.token_urlsafe(32)
    fake_api.valid_key = key
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_api.base_url)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    store = HeldKey(key)
    with _no_os_keyring():
        app = make_app(ApiKeys(store, {}))
        app.start(None)
        wait_for_book(qtbot, app, "Lyrical Ballads")
        item = app.window.toc.findItems(
            "The Tables Turned", Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive
        )[0]
        app.window.toc.itemClicked.emit(item, 0)
        view = app.window.pane.view
        start = view.text.index(PASSAGE)
        view.select_range(start, start + len(PASSAGE))
        view.setFocus()
        with qtbot.waitSignal(app.analysis.analysed, timeout=15_000):
            qtbot.keyClick(view, Qt.Key.Key_A)
    assert store.reads >= 1
    request = fake_api.requests_to("/v1/messages")[0]
    assert request.headers["authorization"] == f"Bearer {key}"


def test_without_a_key_in_the_given_store_the_panel_says_so_and_nothing_is_sent(
    qtbot: QtBot,
    make_app: MakeApp,
    fake_api: FakeAnthropic,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_api.base_url)
    store = HeldKey(None)
    # The environment the app was handed has no key, whatever the process's has.
    monkeypatch.setenv("ANTHROPIC_API_KEY", "process-environment-value")
    app = make_app(ApiKeys(store, {}))
    app.start(None)
    wait_for_book(qtbot, app, "Lyrical Ballads")
    app.window.pane.view.select_range(0, 40)
    app.window.actions_.analyse.trigger()
    panel = app.window.tone_panel
    qtbot.waitUntil(lambda: "key" in panel.status.text().lower(), timeout=5000)
    assert store.reads >= 1
    assert fake_api.requests_to("/v1/messages") == []
