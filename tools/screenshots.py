"""Take screenshots of the real app on the current X display (e.g. under Xvfb).

    Xvfb :99 -screen 0 1400x900x24 & DISPLAY=:99 .venv/bin/python tools/screenshots.py OUT_DIR

Runs a fresh profile, opens books, highlights and searches as a reader would, and grabs
the whole screen after each step.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reader_app.app import ReaderApp  # noqa: E402
from reader_app.config.paths import AppPaths  # noqa: E402
from reader_app.config.secrets import ApiKeys, KeyringSecretStore  # noqa: E402
from reader_app.config.settings import Settings  # noqa: E402
from reader_app.storage.db import open_database  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "books"


ANSWER = {
    "tone": "Harsh and Condemning",
    "polarity": "negative",
    "emotions": [
        {"name": "disgust", "intensity": 0.75},
        {"name": "anger", "intensity": 0.55},
        {"name": "sadness", "intensity": 0.2},
    ],
    "evidence": [
        {"quote": "murder", "why": "a violent word for calm study: it shocks"},
        {"quote": "dissect", "why": "cutting apart to study, cold and clinical"},
    ],
    "explanation": (
        "This is a short, hard sentence, and it sounds angry. The speaker says that when we "
        'cut nature apart to study it, we kill what is alive in it. The word "murder" is '
        "much stronger than we expect, so the line judges science very harshly."
    ),
    "confidence": 0.84,
}


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    # The tone panel is shown with an answer from the fake API the tests use.
    from tests.fake_api import VALID_KEY, FakeAnthropic

    fake = FakeAnthropic().start()
    fake.default_reply = fake.reply_json(ANSWER, chunk_delay=0.01)
    os.environ.update(ANTHROPIC_BASE_URL=fake.base_url, ANTHROPIC_API_KEY=VALID_KEY,
                      NO_PROXY="127.0.0.1,localhost")  # fmt: skip
    qt_app = QApplication(sys.argv[:1])
    qt_app.setStyle("Fusion")
    profile = AppPaths.for_profile(Path(tempfile.mkdtemp(prefix="tone-shots-")))
    profile.ensure()
    keys = ApiKeys(KeyringSecretStore(), os.environ)
    app = ReaderApp(
        profile, open_database(profile.database), Settings(theme="light"), api_keys=keys
    )
    window = app.window
    window.resize(1280, 820)
    window.move(0, 0)
    steps: list[tuple[str, Callable[[], None]]] = []

    def shot(name: str) -> Callable[[], None]:
        def take() -> None:
            screen = qt_app.primaryScreen()
            screen.grabWindow(0, 0, 0, 1280, 820).save(str(out / f"{name}.png"))

        return take

    def tables_turned() -> None:
        items = window.toc.findItems("The Tables Turned", Qt.MatchFlag.MatchRecursive)
        window.toc.itemClicked.emit(items[0], 0)
        text = window.pane.view.text
        start = text.index("We murder to dissect.")
        app.highlights.add(window.pane.chapter, start, start + len("We murder to dissect."), "pink")
        start = text.index("Sweet is the lore which Nature brings;")
        app.highlights.add(
            window.pane.chapter, start, start + len("Sweet is the lore which Nature brings;")
        )
        window.pane.go_to(window.pane.chapter, text.index("And hark! how blithe"))
        start = text.index("We murder to dissect.")
        window.pane.view.select_range(start, start + len("We murder to dissect."))
        window.tone.analyse_selection()

    def close_dialogs() -> None:
        for widget in qt_app.topLevelWidgets():
            if widget is not window and widget.isVisible():
                widget.close()

    def import_clippings() -> None:
        book = window.pane.book
        assert book is not None
        assert window.annotations is not None
        lines = [" ".join(line.split()) for line in window.pane.view.text.splitlines()]
        quote = next(line for line in lines if len(line) > 30)
        record = "{} ({})\n- Your Highlight on page 3 | Location 40-41 | Added on {}\n\n{}\n"
        clippings = Path(tempfile.mkdtemp(prefix="tone-shots-import-")) / "My Clippings.txt"
        clippings.write_text(
            record.format(book.title, "; ".join(book.authors), "Monday, April 21, 2014", quote)
            + "==========\nA record Kindle cut short\n==========\n",
            "utf-8",
        )
        window.annotations.choose_import_file = lambda: clippings
        window.import_annotations()

    def search() -> None:
        window.show_search()
        window.search.query.setText("nature")
        window.search.query.returnPressed.emit()

    def first_hit() -> None:
        window.search.step(1)

    def about_tab(index: int) -> None:
        from reader_app.ui.about_dialog import AboutDialog

        dialog = window.findChild(AboutDialog)
        if dialog is not None:
            dialog.tabs.setCurrentIndex(index)

    def crash() -> None:
        # The real hook, as a bug in a slot would reach it; the key in the message must not show.
        from reader_app.app import _install_excepthook

        _install_excepthook(app)
        try:
            raise RuntimeError("request failed for key sk-ant-api03-EXAMPLEONLY0000")
        except RuntimeError as exc:
            sys.excepthook(type(exc), exc, exc.__traceback__)

    steps += [
        ("", lambda: app.start(None)),
        ("01-first-start-light", lambda: None),
        ("", tables_turned),
        ("02-highlights-light", lambda: None),
        ("", window.tone.show_examples),
        ("10-examples-light", lambda: None),
        ("", close_dialogs),
        ("", lambda: window.tone_panel.correct_requested.emit(True)),
        ("11-correction-light", lambda: None),
        ("", close_dialogs),
        ("", window.show_annotations),
        ("14-annotations-light", lambda: None),
        ("", lambda: window.annotations.browser.tabs.setCurrentIndex(1)),
        ("15-arc-light", lambda: None),
        ("", close_dialogs),
        ("", window.export_annotations),
        ("16-export-light", lambda: None),
        ("", close_dialogs),
        ("", import_clippings),
        ("", lambda: None),
        ("17-import-light", lambda: None),
        ("", close_dialogs),
        ("", search),
        ("", first_hit),
        ("03-search-light", lambda: None),
        ("", lambda: window.update_settings(theme="dark")),
        ("04-search-dark", lambda: None),
        ("", window.open_settings),
        ("09-settings-dark", lambda: None),
        ("", close_dialogs),
        ("", window.show_annotations),
        ("", lambda: window.annotations.browser.tabs.setCurrentIndex(0)),
        ("18-annotations-dark", lambda: None),
        ("", lambda: window.annotations.browser.tabs.setCurrentIndex(1)),
        ("19-arc-dark", lambda: None),
        ("", lambda: window.annotations.browser.tabs.setCurrentIndex(0)),
        ("", close_dialogs),
        ("", lambda: window.toc_dock.raise_()),
        ("", lambda: window.open_path(CORPUS / "moby-dick_idpf_epub3.epub")),
        ("05-moby-dark", lambda: None),
        ("", lambda: window.update_settings(theme="sepia")),
        ("06-moby-sepia", lambda: None),
        ("", lambda: window.open_path(CORPUS / "war-and-peace_pg2600_utf8-bom.txt")),
        ("", lambda: window.update_settings(theme="light")),
        ("07-war-and-peace-light", lambda: None),
        ("", window.tone.show_evaluation),
        ("", lambda: window.tone.eval_window.sample_button.click()),
        ("", lambda: window.tone.eval_window.run_button.click()),
        ("", lambda: None),
        ("", lambda: None),
        ("12-evaluate-light", lambda: None),
        (
            "",
            lambda: window.replace_settings(
                dataclasses.replace(window.settings, level="C1", theme="dark")
            ),
        ),
        ("", lambda: window.tone.eval_window.run_button.click()),
        ("", lambda: None),
        ("", lambda: None),
        ("", lambda: window.tone.eval_window.runs.selectAll()),
        ("", lambda: window.tone.eval_window.compare()),
        ("13-compare-dark", lambda: None),
        ("", close_dialogs),
        ("", lambda: window.update_settings(theme="light")),
        ("", window.show_library),
        ("08-library", lambda: None),
        ("", close_dialogs),
        ("", window.actions_.about.trigger),
        ("20-about", lambda: None),
        ("", lambda: about_tab(1)),
        ("21-about-licences", lambda: None),
        ("", close_dialogs),
        ("", crash),
        ("22-crash", lambda: None),
        ("", close_dialogs),
    ]

    def run(index: int = 0) -> None:
        if index >= len(steps):
            window.close()
            qt_app.quit()
            return
        name, action = steps[index]
        action()
        if name:
            shot(name)()
        QTimer.singleShot(700, lambda: run(index + 1))

    window.show()
    QTimer.singleShot(500, run)
    qt_app.exec()
    app.shutdown()
    fake.stop()


if __name__ == "__main__":
    main()
