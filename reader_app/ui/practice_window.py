"""The Practice window: how the learner's guesses agree with Claude's answers, over time.

The figures at the top are the share of guesses with Claude's polarity, the share of
guessed emotions Claude also named, and the mean score of the first and the latest ten
guesses (is the learner getting closer?). Each emotion guessed has its own line; the list
below holds every guess beside the answer, newest first, and says which the learner
insisted on (those became corrections, which evaluations can use).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reader_app.core.guesses import RECENT, compare, practice_figures
from reader_app.core.tone_result import ToneResult

if TYPE_CHECKING:
    from reader_app.ui.ports import GuessStore

_ROLE_HIGHLIGHT = Qt.ItemDataRole.UserRole


class PracticeWindow(QWidget):
    """Agreement figures, per emotion, and every guess.

    Signals:
        jump_requested(int): show the passage (highlight id) of a guess.
    """

    jump_requested = Signal(int)

    def __init__(self, guesses: GuessStore, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("practiceWindow")
        self.setWindowTitle(self.tr("Practice — Your Guesses"))
        self._guesses = guesses
        self.resize(820, 560)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.by_emotion = QTreeWidget(self)
        self.by_emotion.setHeaderLabels([self.tr("Emotion you guessed"), self.tr("Times"),
                                         self.tr("Claude agreed")])  # fmt: skip
        self.by_emotion.setRootIsDecorated(False)
        self.by_emotion.setMaximumHeight(190)
        # The first column as wide as its heading ("Emotion you guessed"), not cut off.
        self.by_emotion.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.list = QTreeWidget(self)
        self.list.setObjectName("guessList")
        self.list.setHeaderLabels([self.tr("When"), self.tr("Passage"), self.tr("You"),
                                   self.tr("Claude"), self.tr("Score")])  # fmt: skip
        self.list.setRootIsDecorated(False)
        self.list.header().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.list.itemActivated.connect(
            lambda item, _c: self.jump_requested.emit(int(item.data(0, _ROLE_HIGHLIGHT)))
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.by_emotion)
        layout.addWidget(self.list, 1)
        self.reload()

    def reload(self) -> None:
        """Read the guesses again."""
        stored = self._guesses.all()
        pairs = [(g.guess, compare(g.guess, ToneResult.load(g.answer))) for g in stored]
        figures = practice_figures(pairs)
        if not figures.guesses:
            self.summary.setText(self.tr(
                "No guesses yet. Tick “Guess first” in the Tone panel, select a passage and"
                " press A: you guess the polarity and emotions, then see Claude's answer."
            ))  # fmt: skip
        else:
            count = (
                self.tr("One guess.")
                if figures.guesses == 1
                else self.tr("{n} guesses.").format(n=figures.guesses)
            )
            agreement = self.tr(
                "Polarity: you agreed with Claude {polarity:.0%} of the time."
                " Emotions: Claude named {emotions:.0%} of those you guessed."
            ).format(polarity=figures.polarity, emotions=figures.emotions)
            if figures.guesses == 1:
                score = self.tr("Its score: {first:.0%}.").format(first=figures.first)
            else:
                score = self.tr(
                    "Score of your first {recent}: {first:.0%}; of your latest {recent}:"
                    " {latest:.0%}."
                ).format(
                    recent=min(RECENT, figures.guesses),
                    first=figures.first,
                    latest=figures.recent,
                )
            self.summary.setText(f"{count} {agreement} {score}")
        self.by_emotion.clear()
        for emotion, times, share in figures.by_emotion:
            self.by_emotion.addTopLevelItem(QTreeWidgetItem([emotion, str(times), f"{share:.0%}"]))
        self.list.clear()
        for item, (guess, match) in reversed(list(zip(stored, pairs, strict=True))):
            answer = ToneResult.load(item.answer)
            you = ", ".join(filter(None, (guess.polarity, *guess.emotions, guess.tone)))
            claude = ", ".join(filter(None, (answer.polarity, *(e.name for e in answer.emotions))))
            score = f"{match.score(guess):.0%}"
            if item.correction_id is not None:
                score += " " + self.tr("(insisted)")
            row = QTreeWidgetItem([item.created_at[:10], item.quote, you, claude, score])
            row.setToolTip(1, item.quote)
            row.setData(0, _ROLE_HIGHLIGHT, item.highlight_id)
            self.list.addTopLevelItem(row)
