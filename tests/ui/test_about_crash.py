"""The About dialog and the crash dialog: what they show, and that no key ever shows."""

from __future__ import annotations

import importlib.metadata
import sys
from typing import TYPE_CHECKING

import pytest
from PySide6.QtGui import QGuiApplication

from reader_app import __version__
from reader_app.app import _install_excepthook, app_icon
from reader_app.ui.about_dialog import COMPONENTS, AboutDialog
from reader_app.ui.crash_dialog import CrashDialog

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from tests.ui.conftest import MakeApp

FAKE_KEY = "sk-ant-api03-" + "Zx9" * 20


def _declared_licence(distribution: str) -> str:
    meta = importlib.metadata.metadata(distribution)
    expression = meta.get("License-Expression")
    if expression:
        return expression
    classifiers = " ".join(meta.get_all("Classifier") or [])
    return classifiers + " " + (meta.get("License") or "")


@pytest.mark.parametrize("component", COMPONENTS, ids=lambda c: c.name)
def test_listed_licences_match_the_installed_metadata(component: object) -> None:
    from reader_app.ui.about_dialog import Component

    assert isinstance(component, Component)
    declared = _declared_licence(component.distribution)
    spdx_to_classifier = {
        "MIT": "MIT License",
        "Apache-2.0": "Apache Software License",
        "BSD-3-Clause": "BSD License",
    }
    assert component.licence in declared or spdx_to_classifier[component.licence] in declared


def test_about_shows_versions_paths_and_the_qt_notice(make_app: MakeApp, qtbot: QtBot) -> None:
    app = make_app()
    app.window.actions_.about.trigger()
    dialog = app.window.findChild(AboutDialog)
    assert dialog is not None
    about = dialog.about_text.toPlainText()
    assert __version__ in about
    assert str(app.paths.database) in about
    assert str(app.paths.log_file) in about
    licences = dialog.licences_text.toPlainText()
    for needle in ("LGPL-3.0", "https://download.qt.io/", "https://code.qt.io/", "keyring"):
        assert needle in licences
    assert not dialog.licences_text.openExternalLinks()
    dialog.close()


@pytest.mark.usefixtures("allow_log_warnings")
def test_crash_dialog_details_and_clipboard_are_key_free(
    make_app: MakeApp, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app()
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    _install_excepthook(app)
    try:
        raise RuntimeError(f"the server refused {FAKE_KEY}")
    except RuntimeError as exc:
        sys.excepthook(type(exc), exc, exc.__traceback__)
    dialog = app.window.findChild(CrashDialog)
    assert dialog is not None
    assert dialog.isVisible()
    assert not dialog.isModal()
    details = dialog.details.toPlainText()
    assert "RuntimeError" in details
    assert "the server refused" in details
    assert "Traceback" in details
    assert "Python" in details
    assert FAKE_KEY not in details
    assert "sk-ant-api03-Zx9" not in details
    dialog.copy_button.click()
    copied = QGuiApplication.clipboard().text()
    assert copied == details
    assert FAKE_KEY not in copied
    assert str(app.paths.log_file) in " ".join(
        label.text() for label in dialog.findChildren(type(dialog.summary))
    )


@pytest.mark.usefixtures("allow_log_warnings")
def test_repeated_errors_reuse_one_dialog(
    make_app: MakeApp, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app()
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    _install_excepthook(app)
    for message in ("first", "second"):
        try:
            raise ValueError(message)
        except ValueError as exc:
            sys.excepthook(type(exc), exc, exc.__traceback__)
    dialogs = app.window.findChildren(CrashDialog)
    assert len(dialogs) == 1
    assert dialogs[0].count == 2
    assert "2 errors" in dialogs[0].summary.text()
    details = dialogs[0].details.toPlainText()
    assert details.index("second") < details.index("first")


def test_window_icon_is_scalable() -> None:
    icon = app_icon()
    # Without the shipped SVG the theme may have no icon at all; with it, big sizes are sharp.
    if not icon.isNull():
        assert icon.pixmap(256, 256).width() >= 128
