"""A real application object on a throw-away profile, driven by pytest-qt."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import keyring
import pytest
import shiboken6
from keyring.backend import KeyringBackend
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent

from reader_app.app import ReaderApp
from reader_app.config.paths import AppPaths
from reader_app.config.secrets import ApiKeys, KeyringSecretStore
from reader_app.config.settings import load_settings
from reader_app.storage.db import open_database

if TYPE_CHECKING:
    from collections.abc import Iterator

    from PySide6.QtWidgets import QWidget
    from pytestqt.qtbot import QtBot

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"


class MakeApp(Protocol):
    """Builds the app; with ``api_keys``, it finds the key there instead."""

    def __call__(self, api_keys: ApiKeys | None = None) -> ReaderApp: ...


@pytest.fixture
def profile(tmp_path: Path) -> AppPaths:
    paths = AppPaths.for_profile(tmp_path / "profile")
    paths.ensure()
    return paths


@pytest.fixture
def make_app(qtbot: QtBot, profile: AppPaths) -> Iterator[MakeApp]:
    """Build the app as tone-reader does; every app made is shut down after the test."""
    made: list[ReaderApp] = []

    def make(api_keys: ApiKeys | None = None) -> ReaderApp:
        settings, _warning = load_settings(profile.settings_file)
        app = ReaderApp(
            profile,
            open_database(profile.database),
            settings,
            # What tone-reader passes, unless the test hands in its own.
            api_keys=api_keys or ApiKeys(KeyringSecretStore(), os.environ),
        )
        # Not handed to qtbot: shutdown() below destroys the window, as the app's own does.
        made.append(app)
        return app

    yield make
    for app in made:
        if not shiboken6.isValid(app.window):
            continue  # the test shut it down itself
        if app.window.isVisible():
            app.window.close()
        app.shutdown()


def wait_for_book(qtbot: QtBot, app: ReaderApp, title: str | None = None) -> None:
    def loaded() -> None:
        book = app.window.pane.book
        assert book is not None
        assert not app.book_service.busy
        assert not app.highlights.busy  # its highlights are placed in the background
        if title is not None:
            assert book.title == title

    qtbot.waitUntil(loaded, timeout=10_000)


def drop_file(window: QWidget, path: Path) -> None:
    """Drop a file on ``window`` as a file manager does."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(
        QPoint(10, 10).toPointF(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)


class MemoryKeyring(KeyringBackend):
    """A keyring that keeps its passwords in this process only; it starts empty."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.values: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.values.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.values[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.values.pop((service, username), None)


@pytest.fixture(autouse=True)
def no_system_keyring_unasked() -> Iterator[None]:
    """An empty in-process keyring unless the test sets another (the app looks at start).

    The window checks for a key as it opens; without this, every test that sets no key
    would reach the developer's own keyring over D-Bus (and start a daemon for it).
    """
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    """The process's keyring is a :class:`MemoryKeyring` for the test (no D-Bus left open)."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)
