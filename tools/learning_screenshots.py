"""Screenshots of the learning views: the voice map, Characters, the glossary, guess first.

    Xvfb :99 -screen 0 1366x768x24 & DISPLAY=:99 openbox &
    DISPLAY=:99 .venv/bin/python tools/learning_screenshots.py OUT_DIR

A fresh profile opens Pride and Prejudice at Chapter 1, maps its voices, opens the
Characters and Tone Glossary windows, and makes a guess in practice mode, in the light
theme and then the dark one. Claude is the fake API the tests use: it names the speaker
of each line from its dialogue tag, as the real model is asked to.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reader_app.app import ReaderApp  # noqa: E402
from reader_app.config.paths import AppPaths  # noqa: E402
from reader_app.config.secrets import ApiKeys, KeyringSecretStore  # noqa: E402
from reader_app.config.settings import Settings  # noqa: E402
from reader_app.storage.db import open_database  # noqa: E402
from tests.fake_api import VALID_KEY, FakeAnthropic, RecordedRequest, Reply  # noqa: E402

BOOK = ROOT.parent / "shared" / "corpus" / "books" / "pride-and-prejudice_pg1342_epub2.epub"
WIFE = re.compile(r"his (lady|wife)|Mrs\. Bennet|cried she|returned she|said she", re.I)
HUSBAND = re.compile(r"Mr\. Bennet (replied|said)|said he|he continued|cried he", re.I)
TONES = {
    "Mrs. Bennet": ("Eager and Gossipy", "anticipation", "Mr. Bennet"),
    "Mr. Bennet": ("Dry and Teasing", "joy", "Mrs. Bennet"),
}
DEFINITIONS = {
    "eager": "Wanting something very much, and showing it.",
    "gossipy": "Liking to talk about other people's news.",
    "dry": "Funny in a quiet way, without showing feeling.",
    "teasing": "Joking to annoy someone a little, in a friendly way.",
    "exasperated": "Annoyed because something goes on and on.",
    "impatient": "Not wanting to wait any longer.",
    "harsh": "Hard and unkind.",
    "condemning": "Saying strongly that something is wrong.",
}


def _respond(request: RecordedRequest) -> Reply | None:
    body = request.body
    system = body.get("system")
    text = system if isinstance(system, str) else ""
    content = body["messages"][0]["content"]
    if "learner's dictionary" in text:
        words = content.split("<words>\n", 1)[1].split("\n</words>", 1)[0].split("\n")
        items = [{"word": w, "definition": DEFINITIONS.get(w, "A word for how a text sounds.")}
                 for w in words]  # fmt: skip
        return Reply("stream", text=json.dumps({"definitions": items}))
    passages = re.findall(r'<passage id="(\d+)">\n(.*?)\n</passage>', content, re.S)
    if passages:
        items = []
        last = "Mr. Bennet"
        for number, passage in passages:
            speaker = "Mrs. Bennet" if WIFE.search(passage) else "Mr. Bennet" if HUSBAND.search(
                passage) else ("Mrs. Bennet" if last == "Mr. Bennet" else "Mr. Bennet")  # fmt: skip
            last = speaker
            tone, emotion, addressee = TONES[speaker]
            if "tiresome" in passage:
                tone, emotion = "Exasperated and Impatient", "anger"
            items.append({
                "passage": int(number), "tone": tone, "polarity": "mixed",
                "emotions": [{"name": emotion, "intensity": 0.55 + 0.05 * (int(number) % 6)}],
                "evidence": [], "explanation": "How the line sounds.", "confidence": 0.8,
                "speaker": speaker, "addressee": addressee,
            })  # fmt: skip
        # Slow enough for a picture of the run in progress (about 3 s for 20 lines).
        return Reply("stream", text=json.dumps({"items": items}), chunk_delay=0.01)
    answer = {
        "tone": "Harsh and Condemning", "polarity": "negative",
        "emotions": [{"name": "disgust", "intensity": 0.7}, {"name": "anger", "intensity": 0.4}],
        "evidence": [], "explanation": "Short, hard words.", "confidence": 0.8,
        "speaker": "Mrs. Bennet", "addressee": "Mr. Bennet",
    }  # fmt: skip
    return Reply("stream", text=json.dumps(answer))


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    fake = FakeAnthropic().start()
    fake.responder = _respond
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
    learning = window.learning

    def shot(name: str) -> Callable[[], None]:
        def take() -> None:
            qt_app.primaryScreen().grabWindow(0).save(str(out / f"{name}.png"))

        return take

    def chapter(title: str) -> Callable[[], None]:
        def go() -> None:
            item = window.toc.findItems(title, Qt.MatchFlag.MatchRecursive)[0]
            window.toc.itemClicked.emit(item, 0)

        return go

    def accept_prompt() -> None:
        prompt = learning.prompt
        assert prompt is not None
        go = next(b for b in prompt.buttons()
                  if prompt.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole)  # fmt: skip
        go.click()

    def close_windows() -> None:
        for widget in qt_app.topLevelWidgets():
            if widget is not window and widget.isVisible():
                widget.close()

    def guess() -> None:
        window.tone_panel.guess_first.setChecked(True)
        view = window.pane.view
        passage = "I am sick of Mr. Bingley,"
        start = view.text.index(passage)
        view.select_range(start, start + len(passage))
        window.tone.analyse_selection()

    def pick() -> None:
        card = window.tone.guess_card
        assert card is not None
        card.findChild(type(card.polarity.buttons()[0]), "guess-negative").setChecked(True)
        card.emotion_boxes["anger"].setChecked(True)
        card.emotion_boxes["sadness"].setChecked(True)
        card.tone_word.setText("irritated")

    def reveal() -> None:
        card = window.tone.guess_card
        assert card is not None
        card.show_button.click()

    def one_speaker() -> None:
        window.highlights_dock.raise_()
        box = window.highlights_area.speaker
        box.refresh()
        box.setCurrentIndex(1)  # the character with the most lines

    def glossary() -> None:
        learning.show_glossary()
        window_ = learning.glossary_window
        assert window_ is not None
        window_.move(40, 30)
        window_.define_new_words()

    steps: list[tuple[str, Callable[[], None]]] = [
        ("", lambda: app.start(str(BOOK))),
        ("", chapter("Chapter 1")),
        ("", window.actions_.map_voices.trigger),
        ("30-map-voices-prompt-light", lambda: None),
        ("", accept_prompt),
        ("30b-voices-mapping-light", lambda: None),  # the Stop button in the status bar
        *[("", lambda: None)] * 6,  # the answers stream in
        ("31-voices-mapped-light", lambda: None),
        ("", one_speaker),
        ("31b-highlights-of-one-speaker-light", lambda: None),
        ("", lambda: window.highlights_area.speaker.setCurrentIndex(0)),
        ("", window.learning.characters_dock.raise_),
        ("31c-characters-dock-light", lambda: None),
        ("", window.tone_dock.raise_),
        ("", window.actions_.characters.trigger),
        ("", lambda: learning.characters_window.move(40, 30)),  # type: ignore[union-attr]
        ("32-characters-light", lambda: None),
        ("", close_windows),
        ("", glossary),
        ("", lambda: None),
        ("", lambda: None),
        ("33-glossary-light", lambda: None),
        ("", close_windows),
        ("", guess),
        ("", lambda: None),
        ("", pick),
        ("34-guess-first-light", lambda: None),
        ("", reveal),
        ("35-guess-compared-light", lambda: None),
        ("", window.actions_.practice.trigger),
        ("", lambda: learning.practice_window.move(60, 40)),  # type: ignore[union-attr]
        ("36-practice-light", lambda: None),
        ("", close_windows),
        ("", lambda: window.update_settings(theme="dark")),
        ("", window.actions_.characters.trigger),
        ("37-characters-dark", lambda: None),
        ("", close_windows),
        ("", glossary),
        ("38-glossary-dark", lambda: None),
        ("", close_windows),
        ("", guess),
        ("", pick),
        ("39-guess-first-dark", lambda: None),
        ("", reveal),
        ("40-guess-compared-dark", lambda: None),
        ("", window.actions_.practice.trigger),
        ("41-practice-dark", lambda: None),
        ("", close_windows),
        ("", chapter("Chapter 2")),  # Chapter 1 is mapped: asked again, it says so
        ("", window.actions_.map_voices.trigger),
        ("42-map-voices-prompt-dark", lambda: None),
        ("", close_windows),
    ]

    def run(index: int = 0) -> None:
        if index >= len(steps):
            window.close()
            qt_app.quit()
            return
        name, action = steps[index]
        action()
        if name:
            QTimer.singleShot(300, shot(name))
        QTimer.singleShot(1200, lambda: run(index + 1))

    window.show()
    QTimer.singleShot(800, run)
    qt_app.exec()
    app.shutdown()
    fake.stop()


if __name__ == "__main__":
    main()
