"""Correct an answer, and keep the correction as an example for the next answers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from reader_app.core.emotions import EMOTIONS
from reader_app.core.tone_result import ToneResult
from reader_app.ui.screen_fit import fit_on_show

if TYPE_CHECKING:
    from collections.abc import Callable


POLARITIES = ("negative", "neutral", "positive", "mixed")


class CorrectionDialog(QDialog):
    """Edit the tone, polarity, emotions, explanation and speaker of an answer.

    Opened by Correct… it corrects the answer (and can keep it as an example too); opened
    by Save as Example it says so in its title and button, and always keeps the example.
    """

    def __init__(
        self,
        passage: str,
        result: dict[str, Any],
        *,
        as_example: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(
            self.tr("Save as Example") if as_example else self.tr("Correct the Answer")
        )
        self.setMinimumWidth(520)
        fit_on_show(self)
        # The dict is kept whole for what the form does not edit (evidence, confidence);
        # the form itself shows the answer as read tolerantly, once.
        self._original = dict(result)
        shown = ToneResult.load(result)
        intro = QLabel(
            self.tr("Check Claude's answer and correct what it got wrong. It is kept as an"
                    " example that later analyses learn from, and as your correction here.")
            if as_example
            else self.tr("Fix what Claude got wrong. Its own answer is kept beside yours."),
            self,
        )  # fmt: skip
        intro.setWordWrap(True)
        quote = QLabel(passage, self)
        quote.setTextFormat(Qt.TextFormat.PlainText)
        quote.setWordWrap(True)
        self.tone = QLineEdit(shown.tone, self)
        self.tone.setAccessibleName(self.tr("Tone"))
        self.polarity = QComboBox(self)
        for value in POLARITIES:
            self.polarity.addItem(self.tr(value.capitalize()), value)
        self.polarity.setCurrentIndex(max(0, self.polarity.findData(shown.polarity)))
        emotions = shown.emotions
        self.emotion_rows: list[tuple[QComboBox, QDoubleSpinBox]] = []
        emotion_box = QVBoxLayout()
        for slot in range(3):
            name = QComboBox(self)
            name.addItem(self.tr("(none)"), "")
            for emotion in EMOTIONS:
                name.addItem(self.tr(emotion.capitalize()), emotion)
            intensity = QDoubleSpinBox(self)
            intensity.setRange(0.0, 1.0)
            intensity.setSingleStep(0.05)
            if slot < len(emotions):
                name.setCurrentIndex(max(0, name.findData(emotions[slot].name)))
                intensity.setValue(emotions[slot].intensity)
            else:
                intensity.setValue(0.5)
            name.setAccessibleName(self.tr("Emotion {n}").format(n=slot + 1))
            intensity.setAccessibleName(self.tr("Intensity {n}").format(n=slot + 1))
            row = QHBoxLayout()
            row.addWidget(name, 1)
            row.addWidget(intensity)
            emotion_box.addLayout(row)
            self.emotion_rows.append((name, intensity))
        self.explanation = QPlainTextEdit(shown.explanation, self)
        self.explanation.setAccessibleName(self.tr("Explanation"))
        self.speaker = QLineEdit(shown.speaker, self)
        self.speaker.setAccessibleName(self.tr("Speaker"))
        self.speaker.setPlaceholderText(self.tr("a name, narrator, or unknown"))
        self.addressee = QLineEdit(shown.addressee, self)
        self.addressee.setAccessibleName(self.tr("Spoken to"))
        self.addressee.setPlaceholderText(self.tr("to whom, if it can be told"))
        self.as_example = QCheckBox(self.tr("Also keep it as an example for later answers"), self)
        self.as_example.setChecked(as_example)
        # Save as Example always keeps the example: the box would only ask again.
        self.as_example.setVisible(not as_example)
        form = QFormLayout()
        form.addRow(self.tr("Passage:"), quote)
        form.addRow(self.tr("Tone:"), self.tone)
        form.addRow(self.tr("Polarity:"), self.polarity)
        form.addRow(self.tr("Emotions:"), emotion_box)
        form.addRow(self.tr("Explanation:"), self.explanation)
        form.addRow(self.tr("Speaker:"), self.speaker)
        form.addRow(self.tr("Spoken to:"), self.addressee)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        if as_example:
            save = buttons.button(QDialogButtonBox.StandardButton.Save)
            if save is not None:
                save.setText(self.tr("Save Example"))
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        self.problem = QLabel(self)
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.as_example)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def corrected(self) -> dict[str, Any]:
        """The answer as corrected (evidence and confidence are kept from the original)."""
        picked = [
            (str(name.currentData()), intensity.value())
            for name, intensity in self.emotion_rows
            if name.currentData()
        ]
        picked.sort(key=lambda e: -e[1])
        emotions = [{"name": name, "intensity": value} for name, value in picked]
        return {
            **self._original,
            "tone": self.tone.text().strip(),
            "polarity": str(self.polarity.currentData()),
            "emotions": emotions,
            "explanation": self.explanation.toPlainText().strip(),
            "speaker": " ".join(self.speaker.text().split()) or "unknown",
            "addressee": " ".join(self.addressee.text().split()),
        }

    def _accept(self) -> None:
        result = self.corrected()
        if not result["tone"]:
            self.problem.setText(self.tr("The tone needs a label."))
            return
        if not result["emotions"]:
            self.problem.setText(self.tr("Choose at least one emotion."))
            return
        self.accept()


class CorrectionForms(QObject):
    """Opens the correction form when the analyses ask for it, and hands the answer back.

    The form is non-modal, so the panel stays usable while it is open; the correction is
    saved for the highlight and analysis it was opened for, even if the panel has moved on.

    Attributes:
        dialog: the form opened last, or None.
    """

    def __init__(
        self, window: QWidget, save: Callable[[int, int, dict[str, Any], bool], object]
    ) -> None:
        """Keep where forms open and where corrections go.

        Args:
            window: the forms' parent window.
            save: called with (highlight id, analysis id, corrected answer, keep it as an
                example) when the reader saves a form.
        """
        super().__init__(window)
        self._window = window
        self._save = save
        self.dialog: CorrectionDialog | None = None

    def open(
        self,
        highlight_id: int,
        analysis_id: int,
        passage: str,
        result: dict[str, Any],
        as_example: bool,
    ) -> None:
        """Open the form for an answer (the arguments of ``correction_wanted``)."""
        dialog = CorrectionDialog(passage, result, as_example=as_example, parent=self._window)
        dialog.accepted.connect(
            lambda: self._save(
                highlight_id, analysis_id, dialog.corrected(), dialog.as_example.isChecked()
            )
        )
        self.dialog = dialog
        dialog.open()
