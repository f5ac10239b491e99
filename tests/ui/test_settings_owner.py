"""The settings have one owner: a change from the menus is in force everywhere and saved."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reader_app.config.settings import load_settings

if TYPE_CHECKING:
    from reader_app.config.paths import AppPaths
    from tests.ui.conftest import MakeApp


def test_a_menu_change_reaches_the_owner_the_window_and_the_file(
    make_app: MakeApp, profile: AppPaths
) -> None:
    app = make_app()
    app.window.show()
    before = app.settings.current.font_size
    app.window.actions_.larger.trigger()  # View → Bigger Text
    assert app.settings.current.font_size == before + 1
    assert app.window.settings is app.settings.current
    saved, _warning = load_settings(profile.settings_file)
    assert saved.font_size == before + 1
