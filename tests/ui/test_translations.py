"""The translation source is current enough to translate from, and translations keep placeholders."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

from reader_app import app as app_module

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

I18N = Path(__file__).resolve().parents[2] / "resources" / "i18n"
SOURCE_TS = I18N / "tone_reader_en.ts"
PLACEHOLDER = re.compile(r"\{[a-z_]*\}")


def _messages(path: Path) -> list[tuple[str, str, str]]:
    root = ET.parse(path).getroot()
    return [
        (context.findtext("name") or "", message.findtext("source") or "",
         message.findtext("translation") or "")
        for context in root.iter("context")
        for message in context.iter("message")
    ]  # fmt: skip


def test_source_file_holds_known_strings() -> None:
    sources = {(context, source) for context, source, _ in _messages(SOURCE_TS)}
    for expected in [
        ("WindowActions", "&Export Annotations…"),
        ("WindowActions", "&Keyboard Shortcuts"),
        ("AboutDialog", "&Licences"),
        ("CrashDialog", "&Copy Details"),
        ("SettingsDialog", "Prices per model"),
    ]:
        assert expected in sources


@pytest.mark.parametrize("path", sorted(I18N.glob("tone_reader_*.ts")), ids=lambda p: p.name)
def test_translations_keep_placeholders(path: Path) -> None:
    for _context, source, translation in _messages(path):
        if translation:
            assert sorted(PLACEHOLDER.findall(translation)) == sorted(
                PLACEHOLDER.findall(source)
            ), source


def test_translation_for_the_system_locale_is_loaded(
    qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PySide6 ships lrelease beside the interpreter; tools/update_translations.py needs it too.
    lrelease = Path(sys.executable).parent / "pyside6-lrelease"
    assert lrelease.exists(), "pyside6-lrelease is missing from the environment"
    language = QLocale().name()
    ts = tmp_path / f"tone_reader_{language}.ts"
    ts.write_text(
        '<?xml version="1.0" encoding="utf-8"?><!DOCTYPE TS><TS version="2.1">'
        "<context><name>WindowActions</name><message><source>&amp;Quit</source>"
        "<translation>&amp;Leave</translation></message></context></TS>",
        "utf-8",
    )
    subprocess.run([str(lrelease), "-silent", str(ts)], check=True)
    monkeypatch.setattr(app_module, "resource_path", lambda name: tmp_path)
    app_module._install_translator(qapp)
    translator = qapp.findChild(QTranslator)
    assert translator is not None
    try:
        assert QCoreApplication.translate("WindowActions", "&Quit") == "&Leave"
    finally:
        qapp.removeTranslator(translator)
        translator.deleteLater()
