"""A real application object on a throw-away profile, driven by pytest-qt."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import shiboken6

from reader_app.app import ReaderApp
from reader_app.config.paths import AppPaths
from reader_app.config.settings import load_settings
from reader_app.storage.db import open_database

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"

MakeApp = Callable[[], ReaderApp]


@pytest.fixture
def profile(tmp_path: Path) -> AppPaths:
    paths = AppPaths.for_profile(tmp_path / "profile")
    paths.ensure()
    return paths


@pytest.fixture
def make_app(qtbot: QtBot, profile: AppPaths) -> Iterator[MakeApp]:
    """Build the app as tone-reader does; every app made is shut down after the test."""
    made: list[ReaderApp] = []

    def make() -> ReaderApp:
        settings, _warning = load_settings(profile.settings_file)
        app = ReaderApp(profile, open_database(profile.database), settings)
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
