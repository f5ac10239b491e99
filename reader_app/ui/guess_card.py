"""Guess first: the learner reads the passage before Claude's answer is shown.

With "Guess first" on, pressing A still sends the request at once (the answer is ready
sooner), but the Tone panel holds the answer back behind a card: the learner picks the
polarity, up to two emotions and, if they like, a tone word. Showing the answer puts the
two side by side and says what matched. The guess is kept beside the answer; "Insist on
My Reading" turns it into a correction of the answer (and so into evaluation data).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFrame,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from reader_app.core.emotions import EMOTIONS
from reader_app.core.errors import StorageError
from reader_app.core.evaluation import POLARITIES
from reader_app.core.guesses import MAX_GUESSED_EMOTIONS, Guess, compare, insisted_answer
from reader_app.core.tone_result import ToneResult

if TYPE_CHECKING:
    from collections.abc import Callable

    from reader_app.core.records import AnalysisRecord
    from reader_app.ui.ports import GuessStore
    from reader_app.ui.tone_panel import TonePanel


class GuessCard(QFrame):
    """The learner's guess: polarity, up to two emotions, a tone word; then the comparison.

    Signals:
        submitted(object): the learner showed the answer with this :class:`Guess`.
        insist_requested(): the learner keeps their own reading.
    """

    submitted = Signal(object)
    insist_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("guessCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel(self.tr("<b>Your guess first</b>"), self)
        self.hint = QLabel(self.tr("How does the passage sound to you?"), self)
        self.hint.setWordWrap(True)
        self.polarity = QButtonGroup(self)
        # Two by two, like the emotions: four in a row made the Tone dock scroll sideways.
        polarity_row = QGridLayout()
        for index, name in enumerate(POLARITIES):
            button = QRadioButton(self.tr(name), self)
            button.setObjectName(f"guess-{name}")
            self.polarity.addButton(button)
            polarity_row.addWidget(button, index // 2, index % 2)
        self.emotion_boxes: dict[str, QCheckBox] = {}
        grid = QGridLayout()
        for index, name in enumerate(EMOTIONS):
            box = QCheckBox(self.tr(name), self)
            box.toggled.connect(self._limit_emotions)
            self.emotion_boxes[name] = box
            grid.addWidget(box, index // 2, index % 2)  # two columns fit a narrow panel
        self.tone_word = QLineEdit(self)
        self.tone_word.setPlaceholderText(self.tr("A tone word, if one comes to mind (optional)"))
        self.tone_word.setAccessibleName(self.tr("Your tone word"))
        self.show_button = QPushButton(self.tr("Show Claude's Answer"), self)
        self.show_button.setDefault(True)
        self.show_button.clicked.connect(self._submit)
        self.result = QLabel(self)
        self.result.setWordWrap(True)
        self.insist_button = QPushButton(self.tr("Insist on My Reading"), self)
        self.insist_button.setToolTip(
            self.tr("Keep your reading as a correction of Claude's answer")
        )
        self.insist_button.clicked.connect(self.insist_requested)
        layout = QVBoxLayout(self)
        for widget in (self.title, self.hint):
            layout.addWidget(widget)
        layout.addLayout(polarity_row)
        layout.addLayout(grid)
        layout.addWidget(self.tone_word)
        layout.addWidget(self.show_button)
        layout.addWidget(self.result)
        layout.addWidget(self.insist_button)
        self.hide()

    def start(self) -> None:
        """A new passage: an empty guess."""
        self.polarity.setExclusive(False)
        for button in self.polarity.buttons():
            button.setChecked(False)
        self.polarity.setExclusive(True)
        for box in self.emotion_boxes.values():
            box.setChecked(False)
        self.tone_word.clear()
        self._set_guessing(True)
        self.result.hide()
        self.insist_button.hide()
        self.show()

    def guess(self) -> Guess:
        """What is picked now."""
        checked = self.polarity.checkedButton()
        polarity = checked.objectName().removeprefix("guess-") if checked is not None else ""
        emotions = tuple(n for n, box in self.emotion_boxes.items() if box.isChecked())
        return Guess(polarity, emotions, self.tone_word.text().strip())

    def show_comparison(self, text: str, can_insist: bool) -> None:
        """What matched, after the answer is shown."""
        self._set_guessing(False)
        self.result.setText(text)
        self.result.show()
        self.insist_button.setVisible(can_insist)
        self.insist_button.setEnabled(True)

    def _set_guessing(self, guessing: bool) -> None:
        for widget in (*self.polarity.buttons(), *self.emotion_boxes.values(), self.tone_word,
                       self.show_button):  # fmt: skip
            widget.setEnabled(guessing)
        self.show_button.setVisible(guessing)
        self.hint.setVisible(guessing)

    def _limit_emotions(self) -> None:
        chosen = sum(box.isChecked() for box in self.emotion_boxes.values())
        for box in self.emotion_boxes.values():
            box.setEnabled(box.isChecked() or chosen < MAX_GUESSED_EMOTIONS)

    def _submit(self) -> None:
        self.submitted.emit(self.guess())


class GuessGate(QObject):
    """Holds the answer back from the Tone panel until the learner has guessed.

    It stands between the analysis controller and the panel for the answer's signals;
    with practice mode off it passes everything straight through.
    """

    def __init__(
        self,
        panel: TonePanel,
        card: GuessCard,
        enabled: Callable[[], bool],
        guesses: GuessStore,
        save_correction: Callable[[int, int, dict[str, Any]], int | None],
        current_highlight: Callable[[], int | None],
        colour: tuple[Callable[[int], None], Callable[[int], None]] | None = None,
    ) -> None:
        super().__init__(panel)
        self._panel = panel
        self._card = card
        self._enabled = enabled
        self._guesses = guesses
        self._save_correction = save_correction
        self._current = current_highlight
        # Hold and release a highlight's colour: it would tell the answer's emotion.
        self._hold_colour, self._release_colour = colour or (_nothing, _nothing)
        self._holding = False
        self._held_history: tuple[object, object] | None = None
        self._held: tuple[str, AnalysisRecord, dict[str, Any] | None] | None = None
        self._made: tuple[int, Guess] | None = None  # (guess id, guess) once stored
        self._shown: AnalysisRecord | None = None
        self._highlight: int | None = None  # the passage the card is about
        card.submitted.connect(self._on_guess)
        card.insist_requested.connect(self._insist)

    def pending(self, passage: str, note: str) -> None:
        """An analysis started: with practice mode on, the guess comes first."""
        self._panel.show_pending(passage, note)
        if self._enabled():
            self._holding, self._held, self._made = True, None, None
            self._highlight = self._current()
            if self._highlight is not None:
                self._hold_colour(self._highlight)
            self._panel.explanation.hide()
            self._panel.history.hide()  # an earlier answer's label would tell
            self._card.start()
            self._panel.status.setText(
                self.tr("Claude is reading too. Make your guess, then see the answer.")
            )
        else:
            self._reset()

    def partial(self, data: object) -> None:
        """Part of the answer: shown at once unless the learner is still guessing."""
        if not self._holding:
            assert isinstance(data, dict)
            self._panel.show_partial(data)

    def record(self, passage: str, record: AnalysisRecord, corrected: object) -> None:
        """A stored answer: held while the learner guesses."""
        fixed = corrected if isinstance(corrected, dict) else None
        if self._holding:
            self._held = (passage, record, fixed)
            if self._made is not None:
                self._reveal()
            return
        self._panel.show_record(passage, record, fixed)

    def history(self, records: object, current: object) -> None:
        """The list of earlier answers: held with the answer, as its labels would tell."""
        if self._holding:
            self._held_history = (records, current)
            return
        self._panel.set_history(records, current)  # type: ignore[arg-type]

    def other(self, *_args: object) -> None:
        """The panel turned to another passage, or to none: the card goes."""
        if self._current() != self._highlight:
            self._reset()

    def failed(self, *_args: object) -> None:
        """The analysis failed: there is no answer to guess against."""
        self._reset()

    def _reset(self) -> None:
        if self._highlight is not None:
            self._release_colour(self._highlight)
        self._held_history = None
        self._holding, self._held, self._made, self._shown = False, None, None, None
        self._highlight = None
        self._card.hide()

    def _on_guess(self, guess: Guess) -> None:
        highlight = self._current()
        if highlight is None:
            self._reset()
            return
        self._made = (0, guess)
        if self._held is not None:
            self._reveal()
        else:
            self._card.show_comparison(self.tr("Waiting for Claude's answer…"), False)

    def _reveal(self) -> None:
        assert self._held is not None
        assert self._made is not None
        passage, record, corrected = self._held
        guess = self._made[1]
        self._holding = False
        self._release_colour(record.highlight_id)
        self._panel.show_record(passage, record, corrected)
        if self._held_history is not None:
            self._panel.set_history(*self._held_history)  # type: ignore[arg-type]
            self._held_history = None
        self._shown = record
        try:
            guess_id = self._guesses.add(record.highlight_id, record.id or None, guess)
        except StorageError as exc:
            self._panel.status.setText(exc.message)
            guess_id = 0
        self._made = (guess_id, guess)
        answer = ToneResult.load(corrected or record.result)
        self._card.show_comparison(_comparison(guess, answer), bool(guess_id))

    def _insist(self) -> None:
        if self._made is None or self._shown is None or not self._made[0]:
            return
        guess_id, guess = self._made
        record = self._shown
        correction = self._save_correction(
            record.highlight_id, record.id, insisted_answer(dict(record.result or {}), guess)
        )
        if correction is not None:
            try:
                self._guesses.set_correction(guess_id, correction)
            except StorageError as exc:
                self._panel.status.setText(exc.message)
                return
            self._card.insist_button.setEnabled(False)
            self._card.result.setText(
                self._card.result.text()
                + "\n"
                + self.tr("Kept as your correction: evaluations can use it.")
            )


def _nothing(_highlight_id: int) -> None:
    """No colour to hold (a gate without a controller, in tests of its own)."""


def _comparison(guess: Guess, answer: ToneResult) -> str:
    # Spelled out in full (not through an alias) so that lupdate finds each string in its
    # context, the card's.
    match = compare(guess, answer)
    lines = []
    said = guess.polarity or QCoreApplication.translate("GuessCard", "(none)")
    polarity = QCoreApplication.translate(
        "GuessCard", "{mark} Polarity: you said {you}, Claude {claude}."
    )
    lines.append(polarity.format(
        mark="✓" if match.polarity else "✗", you=said, claude=answer.polarity or "?"))  # fmt: skip
    claude_emotions = ", ".join(e.name for e in answer.emotions)
    claude_emotions = claude_emotions or QCoreApplication.translate("GuessCard", "none")
    if guess.emotions:
        matched = QCoreApplication.translate(
            "GuessCard", "{hits} of {n} emotions matched: you {you}; Claude {claude}."
        )
        lines.append(matched.format(
            hits=len(match.emotions), n=len(guess.emotions), you=", ".join(guess.emotions),
            claude=claude_emotions))  # fmt: skip
    else:
        theirs = QCoreApplication.translate("GuessCard", "Claude's emotions: {claude}.")
        lines.append(theirs.format(claude=claude_emotions))
    if guess.tone:
        tone = QCoreApplication.translate(
            "GuessCard", "{mark} Tone: you “{you}”, Claude “{claude}”."
        )
        lines.append(tone.format(
            mark="✓" if match.tone else "✗", you=guess.tone, claude=answer.tone))  # fmt: skip
    return "\n".join(lines)
