"""A newcomer connects Claude from the Tone panel, as a user does it: click, type, press A.

The app is built as tone-reader builds it, on a fresh profile; the key is tested and used
over real HTTP against the fake Messages API; "Save Key" goes through a real Secret Service
(gnome-keyring on the test's own session bus); "Use for This Session Only" keeps the key in
memory, and afterwards no file of the profile holds it.
"""

from __future__ import annotations

import contextlib
import secrets
from typing import TYPE_CHECKING

import keyring
import pytest
from keyring.backends import fail
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QLineEdit, QMenu

from reader_app.config.secrets import KEYRING_SERVICE, KEYRING_USERNAME
from reader_app.ui.connect_card import KEYS_PAGE
from reader_app.ui.getting_started import GettingStartedDialog
from tests.config.test_real_keyring import (  # noqa: F401  (fixtures used by name)
    _items_in_secret_service,
    gnome_keyring,
    secret_service,
)
from tests.ui.conftest import wait_for_book

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from pytestqt.qtbot import QtBot

    from reader_app.app import ReaderApp
    from reader_app.config.paths import AppPaths
    from reader_app.ui.connect_card import ConnectCard
    from tests.fake_api import FakeAnthropic
    from tests.ui.conftest import MakeApp, MemoryKeyring

PASSAGE = "We murder to dissect."
TAIL = 12


def _new_key() -> str:
    return "sk-ant-api03-" + secrets.token_urlsafe(32)


@pytest.fixture
def no_keyring() -> Iterator[None]:
    """No system keyring at all, as on a headless Linux machine."""
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)


class LinkCatcher(QObject):
    """Takes the https links the app hands to the desktop, instead of a browser."""

    def __init__(self) -> None:
        super().__init__()
        self.opened: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.opened.append(url.toString())


@contextlib.contextmanager
def _catch_links() -> Iterator[LinkCatcher]:
    catcher = LinkCatcher()
    QDesktopServices.setUrlHandler("https", catcher, "open")
    try:
        yield catcher
    finally:
        QDesktopServices.unsetUrlHandler("https")


def _start(qtbot: QtBot, make_app: MakeApp) -> ReaderApp:
    app = make_app()
    app.start(None)
    wait_for_book(qtbot, app, "Lyrical Ballads")
    item = app.window.toc.findItems(
        "The Tables Turned", Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive
    )[0]
    app.window.toc.itemClicked.emit(item, 0)
    return app


def _press_a_on(qtbot: QtBot, app: ReaderApp, text: str) -> None:
    view = app.window.pane.view
    start = view.text.index(text)
    view.select_range(start, start + len(text))
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_A)


def _click(qtbot: QtBot, button: object) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # type: ignore[arg-type]


def _files_holding(roots: list[Path], key: str) -> list[Path]:
    needles = (key.encode(), key[-TAIL:].encode(), key[-TAIL:].encode("utf-16-le"))
    return [
        path
        for root in roots
        for path in root.rglob("*")
        if path.is_file() and any(n in path.read_bytes() for n in needles)
    ]


def _card_shown(card: ConnectCard) -> bool:
    return card.isVisible() and card.title.text() == "Connect Claude"


@pytest.mark.usefixtures("no_keyring")
def test_a_fresh_profile_shows_the_card_and_a_session_key_makes_a_work(
    qtbot: QtBot,
    make_app: MakeApp,
    fake_api: FakeAnthropic,
    profile: AppPaths,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = _new_key()
    fake_api.valid_key = key
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_api.base_url)
    app = _start(qtbot, make_app)
    card = app.window.key_card
    qtbot.waitUntil(lambda: _card_shown(card), timeout=5000)
    # What a key is, where to get one, where it will be kept: no keyring here.
    assert "Anthropic API key" in card.intro.text()
    assert f'href="{KEYS_PAGE}"' in card.link.text()
    assert not card.link.openExternalLinks()
    assert card.key_edit.echoMode() is QLineEdit.EchoMode.Password
    assert "No system keyring" in card.kept.text()
    assert card.session_button.isVisible()
    assert not card.save_button.isEnabled()
    with _catch_links() as links:
        card.link.linkActivated.emit(KEYS_PAGE)  # what a click on the link sends
    assert links.opened == [KEYS_PAGE]
    assert fake_api.requests == []  # the console page is never fetched in the app

    qtbot.keyClicks(card.key_edit, key)
    assert card.key_edit.displayText() != key  # dots, not the key
    _click(qtbot, card.test_button)
    qtbot.waitUntil(lambda: card.result.text() == "✓ The key works.", timeout=15_000)
    assert fake_api.requests_to("/v1/models")[-1].headers["authorization"] == f"Bearer {key}"

    _click(qtbot, card.session_button)
    panel = app.window.tone_panel
    assert not card.isVisible()
    assert "connected for this session" in panel.status.text()
    assert card.key_edit.text() == ""

    with qtbot.waitSignal(app.analysis.analysed, timeout=15_000):
        _press_a_on(qtbot, app, PASSAGE)
    assert panel.tone.text()
    request = fake_api.requests_to("/v1/messages")[-1]
    assert request.headers["authorization"] == f"Bearer {key}"
    app.window.close()
    app.shutdown()

    roots = [profile.config_dir, profile.data_dir, profile.cache_dir, profile.log_dir]
    written = [p for root in roots for p in root.rglob("*") if p.is_file()]
    assert profile.database in written
    assert profile.settings_file in written
    assert _files_holding(roots, key) == []


def test_a_rejected_key_offers_set_up_key_and_a_saved_key_works_on_retry(
    qtbot: QtBot,
    make_app: MakeApp,
    fake_api: FakeAnthropic,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    good = _new_key()
    fake_api.valid_key = good
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_api.base_url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-api03-revoked-0000000000000000")
    app = _start(qtbot, make_app)
    panel = app.window.tone_panel
    card = app.window.key_card
    _press_a_on(qtbot, app, PASSAGE)
    qtbot.waitUntil(lambda: "rejected (401)" in panel.status.text(), timeout=15_000)
    assert panel.key_button.isVisible()
    assert panel.key_button.text() == "Set up key…"
    assert not card.isVisible()  # there was a key: the card waited to be asked for

    _click(qtbot, panel.key_button)
    assert _card_shown(card)
    # The keyring by name: here the test's own backend stands in for the system's.
    qtbot.waitUntil(lambda: "MemoryKeyring), never in a file" in card.kept.text(), timeout=5000)

    # A wrong key is rejected, and no network is said as such.
    qtbot.keyClicks(card.key_edit, "sk-ant-api03-typo")
    _click(qtbot, card.test_button)
    qtbot.waitUntil(lambda: card.result.text().startswith("✗ Rejected"), timeout=15_000)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:9")
    _click(qtbot, card.test_button)
    qtbot.waitUntil(lambda: card.result.text().startswith("No network"), timeout=15_000)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_api.base_url)

    card.key_edit.clear()
    qtbot.keyClicks(card.key_edit, good)
    _click(qtbot, card.save_button)
    qtbot.waitUntil(lambda: not card.isVisible(), timeout=5000)
    assert memory_keyring.values[(KEYRING_SERVICE, KEYRING_USERNAME)] == good
    assert "Press Retry" in panel.status.text()
    assert not panel.key_button.isVisible()
    with qtbot.waitSignal(app.analysis.analysed, timeout=15_000):
        _click(qtbot, panel.analyse_button)  # Retry
    # The key just saved is the one used, though the environment still names the old one.
    request = fake_api.requests_to("/v1/messages")[-1]
    assert request.headers["authorization"] == f"Bearer {good}"


@pytest.mark.keyring
def test_save_key_keeps_it_in_the_real_secret_service(
    qtbot: QtBot,
    make_app: MakeApp,
    fake_api: FakeAnthropic,
    profile: AppPaths,
    secret_service: Path,  # noqa: F811  (the fixture imported above)
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = _new_key()
    fake_api.valid_key = key
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_api.base_url)
    app = _start(qtbot, make_app)
    card = app.window.key_card
    qtbot.waitUntil(lambda: _card_shown(card), timeout=10_000)
    assert "your system keyring (Secret Service)" in card.kept.text()
    assert not card.session_button.isVisible()
    qtbot.keyClicks(card.key_edit, key)
    _click(qtbot, card.save_button)
    qtbot.waitUntil(lambda: not card.isVisible(), timeout=10_000)
    assert "saved in your system keyring (Secret Service)" in app.window.tone_panel.status.text()
    assert _items_in_secret_service() == [key.encode()]
    with qtbot.waitSignal(app.analysis.analysed, timeout=15_000):
        _press_a_on(qtbot, app, PASSAGE)
    assert fake_api.requests_to("/v1/messages")[-1].headers["authorization"] == f"Bearer {key}"
    app.window.close()
    app.shutdown()
    assert _files_holding([profile.data_dir.parent, secret_service], key) == []


def test_help_getting_started_names_the_three_steps_and_reaches_the_key(
    qtbot: QtBot,
    make_app: MakeApp,
    fake_api: FakeAnthropic,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_api.base_url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", _new_key())
    app = _start(qtbot, make_app)
    window = app.window
    qtbot.wait(200)  # the check at start found the key: no card
    assert not window.key_card.isVisible()
    help_menu = next(
        a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == "Help"
    )
    assert isinstance(help_menu, QMenu)
    entry = next(a for a in help_menu.actions() if a.text().replace("&", "") == "Getting Started")
    entry.trigger()
    qtbot.waitUntil(
        lambda: any(isinstance(w, GettingStartedDialog) and w.isVisible()
                    for w in QApplication.topLevelWidgets()),
        timeout=3000,
    )  # fmt: skip
    guide = next(w for w in QApplication.topLevelWidgets() if isinstance(w, GettingStartedDialog))
    assert guide.windowTitle() == "Getting Started"
    texts = " | ".join(label.text() for label in guide.findChildren(type(window.key_card.title)))
    for step in ("Open a book", "Select a passage and press A", "Keep and export your notes"):
        assert step in texts
    assert [b.text() for _frame, b in guide.steps] == [
        "Open a Book…",
        "Set Up Claude Key…",
        "Export Annotations…",
    ]
    _click(qtbot, guide.key_button)
    assert not guide.isVisible()
    assert _card_shown(window.key_card)
    assert window.tone_dock.isVisible()


def test_the_evaluate_window_offers_set_up_key_when_a_run_has_no_key(
    qtbot: QtBot,
    make_app: MakeApp,
    fake_api: FakeAnthropic,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_api.base_url)
    app = _start(qtbot, make_app)
    card = app.window.key_card
    qtbot.waitUntil(lambda: _card_shown(card), timeout=5000)
    _click(qtbot, card.later_button)  # "Not Now": the reader goes on without a key
    assert not card.isVisible()
    app.window.actions_.evaluate.trigger()
    window = app.window.tone.eval_window
    assert window is not None
    _click(qtbot, window.sample_button)
    assert not window.key_button.isVisible()
    with qtbot.waitSignal(app.eval_service.run_failed, timeout=15_000):
        _click(qtbot, window.run_button)
    assert "No Anthropic API key" in window.status.text()
    assert window.key_button.isVisible()
    _click(qtbot, window.key_button)
    assert _card_shown(card)
    assert fake_api.requests_to("/v1/messages") == []


def test_a_key_saved_in_settings_puts_the_card_away(
    qtbot: QtBot,
    make_app: MakeApp,
    fake_api: FakeAnthropic,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from reader_app.ui.settings_dialog import SettingsDialog

    key = _new_key()
    fake_api.valid_key = key
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_api.base_url)
    app = _start(qtbot, make_app)
    card = app.window.key_card
    qtbot.waitUntil(lambda: _card_shown(card), timeout=5000)
    app.window.actions_.preferences.trigger()
    dialog = app.window.findChild(SettingsDialog)
    assert dialog is not None
    qtbot.keyClicks(dialog.key_edit, key)
    _click(qtbot, dialog.save_key_button)
    qtbot.waitUntil(lambda: "saved" in dialog.key_feedback.text(), timeout=15_000)
    dialog.reject()
    qtbot.waitUntil(lambda: not card.isVisible(), timeout=5000)
    assert keyring.get_password(KEYRING_SERVICE, KEYRING_USERNAME) == key
