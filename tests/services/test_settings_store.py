"""One owner for the settings: every change is saved, announced, and read by all."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reader_app.config.settings import Settings, load_settings, save_settings
from reader_app.services.settings_store import SettingsStore

if TYPE_CHECKING:
    from pathlib import Path

    from pytestqt.qtbot import QtBot


def test_a_change_is_saved_and_announced(qtbot: QtBot, tmp_path: Path) -> None:
    file = tmp_path / "settings.json"
    store = SettingsStore(Settings(), lambda s: save_settings(file, s))
    with qtbot.waitSignal(store.changed) as announced:
        store.update(font_size=17, theme="dark")
    assert announced.args == [store.current]
    assert (store.current.font_size, store.current.theme) == (17, "dark")
    saved, warning = load_settings(file)
    assert warning is None or warning == ""
    assert (saved.font_size, saved.theme) == (17, "dark")


def test_a_failed_save_says_why_and_keeps_the_settings_for_the_session(qtbot: QtBot) -> None:
    def full_disk(_settings: Settings) -> None:
        raise OSError(28, "No space left on device")

    store = SettingsStore(Settings(), full_disk)
    with qtbot.waitSignals([store.save_failed, store.changed]):
        store.update(font_size=19)
    assert store.current.font_size == 19
