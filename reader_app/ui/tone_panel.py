"""The side panel that shows how a passage sounds, streaming while Claude writes.

Everything that comes from the model is shown as plain text: the passage view is built
from escaped text with only our own <b> tags around the evidence, and nothing is ever
loaded from a URL.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from reader_app.ai.errors import CONSOLE_LINKS
from reader_app.ai.models import model_to_use
from reader_app.ai.prompt import DEFAULT_OBJECTIVE, OBJECTIVE_PRESETS, cache_summary
from reader_app.core.tone_result import ToneResult, speaker_text
from reader_app.ui.details_line import DetailsLine
from reader_app.ui.emotion_bars import EmotionBars
from reader_app.usecases.cost import shown_cost

if TYPE_CHECKING:
    from collections.abc import Sequence

    from reader_app.config.settings import Settings
    from reader_app.core.records import AnalysisRecord
    from reader_app.ui.connect_card import ConnectCard

_POLARITY = {"negative": "Negative", "neutral": "Neutral", "positive": "Positive", "mixed": "Mixed"}


def passage_html(passage: str, quotes: Sequence[str]) -> str:
    """The passage as safe HTML with the evidence words in bold."""
    spans: list[tuple[int, int]] = []
    for quote in quotes:
        start = passage.find(quote) if quote else -1
        if start >= 0:
            spans.append((start, start + len(quote)))
    spans.sort()
    parts: list[str] = []
    pos = 0
    for start, end in spans:
        if start < pos:  # overlapping evidence: bold the rest only
            start = pos
        if start >= end:
            continue
        parts.append(html.escape(passage[pos:start]))
        parts.append(f"<b>{html.escape(passage[start:end])}</b>")
        pos = end
    parts.append(html.escape(passage[pos:]))
    return "".join(parts).replace("\n", "<br>")


def _fit(view: QTextBrowser, limit: int) -> None:
    """Make a text box as tall as its text, up to a limit (then it scrolls)."""
    doc = view.document()
    doc.setTextWidth(max(80, view.viewport().width()))
    margins = view.contentsMargins()
    height = int(doc.size().height()) + margins.top() + margins.bottom() + 4
    view.setFixedHeight(max(36, min(limit, height)))


def _plain(widget: QLabel) -> QLabel:
    widget.setTextFormat(Qt.TextFormat.PlainText)
    widget.setWordWrap(True)
    widget.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return widget


class TonePanel(QWidget):
    """Shows one highlight's analysis, or the analysis being written.

    Signals:
        analyse_requested(): analyse (or re-analyse) the current highlight.
        cancel_requested(): stop the running analysis.
        history_chosen(int): show an older analysis (its id).
        correct_requested(bool): correct the answer shown; True to also keep it as an example.
        key_setup_requested(): the reader pressed "Set up key…" beside a key failure.
    """

    analyse_requested = Signal()
    cancel_requested = Signal()
    history_chosen = Signal(int)
    correct_requested = Signal(bool)
    key_setup_requested = Signal()

    def __init__(self, parent: QWidget | None = None, key_card: ConnectCard | None = None) -> None:
        """The panel; ``key_card`` (Connect Claude) sits at its top while it is needed."""
        super().__init__(parent)
        self.setObjectName("tonePanel")
        self.profile = _plain(QLabel(self))
        self.profile.setObjectName("toneProfile")
        self.passage = QTextBrowser(self)
        self.passage.setOpenLinks(False)
        self.passage.setAccessibleName(self.tr("Passage"))
        # Fitted once per turn of the event loop, however often the text changes in it:
        # queuing fifty analyses set and cleared these boxes a hundred times in one go.
        self._refit = QTimer(self, singleShot=True, interval=0)
        self._refit.timeout.connect(self._fit_boxes)
        self.passage.document().contentsChanged.connect(self._refit.start)
        self.tone = _plain(QLabel(self))
        self.tone.setObjectName("toneLabel")
        font = self.tone.font()
        font.setPointSizeF(font.pointSizeF() * 1.45)
        font.setBold(True)
        self.tone.setFont(font)
        self.facts = _plain(QLabel(self))
        self.emotions = EmotionBars(self)
        self.explanation = QTextBrowser(self)
        self.explanation.setAccessibleName(self.tr("Explanation"))
        self.explanation.setOpenLinks(False)
        self.explanation.document().contentsChanged.connect(self._refit.start)
        self.evidence = _plain(QLabel(self))
        self.evidence.setObjectName("evidence")
        self.answered_by = _plain(QLabel(self))
        self.answered_by.setObjectName("answeredBy")
        # Tokens, cost, cache and timings: behind "Details", out of the reading text.
        self.details = DetailsLine(self)
        self.meta = self.details.body
        # The cached share of this session's analyses (read, all input tokens, answers),
        # counted from the API's usage of each answer this panel waited for.
        self._session_cache = [0, 0, 0]
        self._counted: set[int] = set()
        self._waiting_for = ""
        self.status = _plain(QLabel(self))
        self.status.setObjectName("toneStatus")
        # Only our own link to the Anthropic console (spend limit, billing), never the API's.
        self.console_link = QLabel(self)
        self.console_link.setObjectName("toneConsoleLink")
        self.console_link.setTextFormat(Qt.TextFormat.RichText)
        self.console_link.setOpenExternalLinks(True)
        self.console_link.hide()
        self.history = QComboBox(self)
        self.history.setAccessibleName(self.tr("Earlier analyses"))
        self.analyse_button = QPushButton(self.tr("Analyse Tone"), self)
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        self.copy_button = QPushButton(self.tr("Copy"), self)
        self.guess_first = QCheckBox(self.tr("Guess first"), self)
        self.guess_first.setToolTip(
            self.tr("Practice: make your own guess before Claude's answer is shown")
        )
        self.correct_button = QPushButton(self.tr("Correct…"), self)
        self.correct_button.setToolTip(self.tr("Fix the tone, emotions or explanation"))
        self.example_button = QPushButton(self.tr("Save as Example"), self)
        self.example_button.setToolTip(
            self.tr("Keep this passage and answer as an example for later answers")
        )
        self.corrected_note = _plain(QLabel(self))
        self.corrected_note.setObjectName("correctedNote")
        self.analyse_button.setToolTip(self.tr("Ask Claude how this passage sounds (A)"))
        self.key_card = key_card
        self.key_button = QPushButton(self.tr("Set up key…"), self)
        self.key_button.setToolTip(self.tr("Paste, test and keep your Anthropic API key"))
        self.key_button.hide()

        buttons = QHBoxLayout()
        buttons.addWidget(self.analyse_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.copy_button)
        body = QWidget(self)
        column = QVBoxLayout(body)
        column.setContentsMargins(10, 8, 10, 8)
        column.setSpacing(8)
        for widget in (self.profile, self.passage, self.status, self.console_link,
                       self.corrected_note, self.tone,
                       self.facts,
                       self.emotions, self.explanation, self.evidence, self.answered_by,
                       self.details):  # fmt: skip
            column.addWidget(widget)
        left = Qt.AlignmentFlag.AlignLeft
        column.insertWidget(column.indexOf(self.console_link) + 1, self.key_button, 0, left)
        # On a line of its own: beside the buttons it made the panel, and so the window's
        # narrowest width, wider.
        column.insertWidget(column.indexOf(self.profile) + 1, self.guess_first, 0, left)
        if key_card is not None:
            key_card.hide()
            column.insertWidget(0, key_card)
        self._column = column
        column.addWidget(self.history)
        column.addLayout(buttons)
        feedback = QHBoxLayout()
        feedback.addWidget(self.correct_button)
        feedback.addWidget(self.example_button)
        feedback.addStretch(1)
        column.addLayout(feedback)
        column.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)
        self._scroll = scroll
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        # Never narrower than its buttons: text squeezed past them would run off the side.
        bar = scroll.verticalScrollBar().sizeHint().width()
        self.setMinimumWidth(body.minimumSizeHint().width() + bar)

        self.analyse_button.clicked.connect(self.analyse_requested)
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.key_button.clicked.connect(self.key_setup_requested)
        self.copy_button.clicked.connect(self._copy)
        self.correct_button.clicked.connect(lambda: self.correct_requested.emit(False))
        self.example_button.clicked.connect(lambda: self.correct_requested.emit(True))
        self.history.activated.connect(self._on_history)
        self._countdown = QTimer(self, interval=1000)
        self._countdown.timeout.connect(self._tick)
        self._wait_left = 0
        self._wait_message = ""
        self._history_ids: list[int] = []
        self.show_idle()

    def add_card(self, card: QWidget) -> None:
        """Put a card (the guess) under the passage, above the answer."""
        self._column.insertWidget(self._column.indexOf(self.status) + 1, card)

    # -- states ---------------------------------------------------------------------------

    def set_profile(self, text: str) -> None:
        """The objective, level and model in force, as one line."""
        self.profile.setText(text)

    def _clear_answer(self) -> None:
        self.tone.clear()
        self.facts.clear()
        self.emotions.set_emotions([])
        self.explanation.clear()
        self.evidence.clear()
        self.meta.clear()
        self.answered_by.clear()
        self.corrected_note.hide()
        self.correct_button.setEnabled(False)
        self.example_button.setEnabled(False)
        self._countdown.stop()
        for widget in (self.tone, self.facts, self.emotions, self.explanation, self.evidence,
                       self.answered_by, self.details):  # fmt: skip
            widget.hide()

    def show_idle(self) -> None:
        """Nothing selected."""
        self._clear_answer()
        self.passage.hide()
        self.history.hide()
        self.status.setText(
            self.tr("Select a passage and press A to hear how it sounds: its tone, its"
                    " emotions and the words that carry them.")
        )  # fmt: skip
        self.status.show()
        self.analyse_button.setEnabled(False)
        self.cancel_button.hide()
        self.key_button.hide()
        self.copy_button.setEnabled(False)

    def show_passage(self, passage: str, analysed: bool) -> None:
        """A highlight is selected; ``analysed`` says whether an answer will follow."""
        self._waiting_for = ""
        self._clear_answer()
        self.passage.setHtml(passage_html(passage, []))
        self.passage.show()
        self.status.setText("" if analysed else self.tr("Not analysed yet."))
        self.status.setVisible(not analysed)
        self.console_link.hide()
        self.key_button.hide()
        self.analyse_button.setText(self.tr("Analyse Tone"))
        self.analyse_button.setEnabled(True)
        self.cancel_button.hide()
        self.copy_button.setEnabled(False)

    def show_pending(self, passage: str, note: str = "") -> None:
        """The request is on its way; the explanation will stream in."""
        self.show_passage(passage, analysed=True)
        self._waiting_for = passage
        self.status.setText(self.tr("Analysing…") + (f" {note}" if note else ""))
        self.status.show()
        self.explanation.show()
        self.analyse_button.setEnabled(False)
        self.cancel_button.show()

    def show_partial(self, data: dict[str, object]) -> None:
        """The answer so far: the tone label and the explanation as they are written."""
        tone = data.get("tone")
        if isinstance(tone, str) and tone:
            self.tone.setText(tone)
            self.tone.show()
        explanation = data.get("explanation")
        if isinstance(explanation, str) and explanation != self.explanation.toPlainText():
            self.explanation.setPlainText(explanation)
            self.explanation.show()

    def show_record(
        self, passage: str, record: AnalysisRecord, corrected: dict[str, Any] | None = None
    ) -> None:
        """A stored analysis, or the reader's correction of it."""
        answer = ToneResult.load(corrected or record.result)
        self._clear_answer()
        self.passage.setHtml(passage_html(passage, [e.quote for e in answer.evidence]))
        self.passage.show()
        self.status.hide()
        self.tone.setText(answer.tone or record.tone)
        polarity = _POLARITY.get(answer.polarity, answer.polarity)
        facts = self.tr("{polarity} · confidence {confidence}%").format(
            polarity=polarity, confidence=round(answer.confidence * 100)
        )
        speaker = speaker_text(answer)
        if speaker:
            facts += "\n" + self.tr("Spoken by {speaker}").format(speaker=speaker)
        self.facts.setText(facts)
        self.emotions.set_emotions([(e.name, e.intensity) for e in answer.emotions])
        self.explanation.setPlainText(answer.explanation)
        lines = [f"“{e.quote}” — {e.why}" for e in answer.evidence]
        if record.dropped_evidence:
            lines.append(
                self.tr("({n} quoted phrase(s) not found in the passage were left out.)").format(
                    n=record.dropped_evidence
                )
            )
        if record.adjusted:
            lines.append(
                self.tr("(The answer was adjusted to fit: {notes}.)").format(
                    notes="; ".join(record.adjusted)
                )
            )
        self.evidence.setText("\n".join(lines))
        self.answered_by.setText(
            self.tr("Answered by {model}").format(model=record.model or self.tr("an unknown model"))
        )
        self.meta.setText("\n".join(self._detail_lines(record, passage)))
        for widget in (self.tone, self.facts, self.emotions, self.explanation, self.answered_by,
                       self.details):  # fmt: skip
            widget.show()
        self.evidence.setVisible(bool(lines))
        self.analyse_button.setText(self.tr("Re-analyse"))
        self.analyse_button.setEnabled(True)
        self.cancel_button.hide()
        self.copy_button.setEnabled(True)
        self.correct_button.setEnabled(True)
        self.example_button.setEnabled(True)
        if corrected:
            self.corrected_note.setText(
                self.tr("Corrected by you. Claude's answer was “{tone}”.").format(
                    tone=ToneResult.load(record.result).tone or record.tone
                )
            )
            self.corrected_note.show()

    def _detail_lines(self, record: AnalysisRecord, passage: str) -> list[str]:
        """What the Details line shows, one short figure a line: tokens, cost, timings, cache."""
        tokens = record.input_tokens + record.cache_creation_tokens + record.cache_read_tokens
        return [
            self.tr("Tokens: {inp:,} in / {out:,} out").format(
                inp=tokens, out=record.output_tokens
            ),
            self._cost_text(record),
            self.tr("First words: {seconds:.1f} s").format(seconds=record.ttft_ms / 1000),
            self.tr("Whole answer: {seconds:.1f} s").format(seconds=record.total_ms / 1000),
            *self._cache_text(record, passage),
        ]

    def _cache_text(self, record: AnalysisRecord, passage: str) -> list[str]:
        """The answer's cached share from the API's usage, or why nothing was cached.

        Then, on a line of its own, the share over this session's analyses: each answer
        this panel waited for counts once.
        """
        read, written = record.cache_read_tokens, record.cache_creation_tokens
        total = record.input_tokens + written + read
        if passage == self._waiting_for and record.id not in self._counted:
            self._counted.add(record.id)
            tally = self._session_cache
            tally[0], tally[1], tally[2] = tally[0] + read, tally[1] + total, tally[2] + 1
        self._waiting_for = ""
        share, _note = cache_summary(record.input_tokens, written, read)
        if share is None:
            text = self.tr("Cache: prefix too short to cache")
        elif read:
            text = self.tr("Cache: {read:,} read, {share:.0%} of the input").format(
                read=read, share=share
            )
        else:  # the first answer with this prefix writes it; the next ones read it
            text = self.tr("Cache: {written:,} saved for next time").format(written=written)
        lines = [text]
        session_read, session_total, answers = self._session_cache
        if answers and session_total:
            session = (
                self.tr("Session: {share:.0%} from cache (1 answer)")
                if answers == 1
                else self.tr("Session: {share:.0%} from cache ({n} answers)")
            )
            lines.append(session.format(share=session_read / session_total, n=answers))
        return lines

    def _cost_text(self, record: AnalysisRecord) -> str:
        """The answer's estimated cost, or "cost unknown" (never $0) for a model with no price."""
        cost = shown_cost(record.model, record.cost_usd)
        if cost is None:
            return self.tr("Cost unknown (no price for this model)")
        if 0 < cost < 0.00005:  # would read "$0.0000", as if free
            return self.tr("Cost: under $0.0001 (estimate)")
        return self.tr("Cost: ${cost:.4f} (estimate)").format(cost=cost)

    def offer_key_setup(self, missing: bool) -> None:
        """Offer "Set up key…" beside a key failure; with no key at all, show the card too."""
        self.key_button.show()
        if missing:
            self.show_key_card(True)

    def show_key_card(self, shown: bool) -> None:
        """Show the Connect Claude card at the top of the panel, or put it away."""
        if self.key_card is None:
            return
        self.key_card.setVisible(shown)
        if shown:
            self._scroll.verticalScrollBar().setValue(0)

    def show_error(self, passage: str, message: str, retry_after: float | None) -> None:
        """A failed analysis: what happened, and a Retry (after the wait, if one was asked)."""
        self.show_passage(passage, analysed=False)
        self.status.setText(message + " " + self.tr("The highlight is kept, not analysed."))
        self.status.show()
        link = next((url for url in CONSOLE_LINKS.values() if url in message), "")
        if link:
            anchor = html.escape(link, quote=True)
            label = html.escape(self.tr("Open the Anthropic console"))
            self.console_link.setText(f'<a href="{anchor}">{label}</a>')
            self.console_link.show()
        self.analyse_button.setText(self.tr("Retry"))
        if retry_after and retry_after > 0:
            self._wait_left = int(retry_after + 0.999)
            self._wait_message = message
            self.analyse_button.setEnabled(False)
            self._tick_text()
            self._countdown.start()

    def _tick(self) -> None:
        self._wait_left -= 1
        if self._wait_left <= 0:
            self._countdown.stop()
            self.analyse_button.setEnabled(True)
            self.analyse_button.setText(self.tr("Retry"))
            self.status.setText(
                self._wait_message
                + " "
                + self.tr("You can try again now; the highlight is kept, not analysed.")
            )
            return
        self._tick_text()

    def _tick_text(self) -> None:
        self.analyse_button.setText(self.tr("Retry in {n} s").format(n=self._wait_left))
        self.status.setText(
            self._wait_message
            + " "
            + self.tr("The API asked to wait {n} s.").format(n=self._wait_left)
            + " "
            + self.tr("The highlight is kept, not analysed.")
        )

    def set_history(self, records: Sequence[AnalysisRecord], current: int | None) -> None:
        """Earlier answers for this highlight (newest first)."""
        self.history.clear()
        self._history_ids = []
        ok = [r for r in records if r.status == "ok"]
        for record in ok:
            self.history.addItem(f"{record.created_at[:16].replace('T', ' ')} — {record.tone}")
            self._history_ids.append(record.id)
        if current in self._history_ids:
            self.history.setCurrentIndex(self._history_ids.index(current))
        self.history.setVisible(len(ok) > 1)

    def _on_history(self, index: int) -> None:
        if 0 <= index < len(self._history_ids):
            self.history_chosen.emit(self._history_ids[index])

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Fit the passage and explanation to the new width (a narrower panel: taller text)."""
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._fit_boxes()

    def _fit_boxes(self) -> None:
        _fit(self.passage, 160)
        _fit(self.explanation, 360)

    def _copy(self) -> None:
        parts = [self.tone.text(), self.facts.text()]
        parts += [f"{name}: {round(value * 100)}%" for name, value in self.emotions.rows]
        parts += [self.explanation.toPlainText(), self.evidence.text()]
        QGuiApplication.clipboard().setText("\n".join(p for p in parts if p))


def profile_line(settings: Settings, default_model: str | None = None) -> str:
    """The panel's header: the objective, level and language, then the model that will answer.

    Args:
        settings: the settings in force.
        default_model: the default the API listed (the model a request goes to when the
            reader chose none), when it is known; else the built-in default is named.
    """
    objective = settings.objective or DEFAULT_OBJECTIVE
    name = next((n for n, text in OBJECTIVE_PRESETS.items() if text == objective), "Own objective")
    model = model_to_use(settings.model, default_model)
    line = f"{name} · {settings.level} · {settings.language}\n"
    line += QCoreApplication.translate("TonePanel", "Next analysis: {model}").format(model=model)
    if settings.think_more:
        line += " · " + QCoreApplication.translate("TonePanel", "Think more")
    return line
