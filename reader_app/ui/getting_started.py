"""Help → Getting Started: the three things to do, each with a button that does it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from reader_app import APP_NAME
from reader_app.ui.connect_card import RoundedPanel
from reader_app.ui.screen_fit import fit_on_show

if TYPE_CHECKING:
    from collections.abc import Callable

_BADGE = 30


class GettingStartedDialog(QDialog):
    """A short guide: open a book; select a passage and press A; keep and export notes.

    Each step has a button that does it (or sets it up): Open a Book…, Set Up Claude
    Key… (the Connect Claude card) and Export Annotations…. Pressing one closes the guide.
    """

    def __init__(
        self,
        open_book: Callable[[], None],
        set_up_key: Callable[[], None],
        export_notes: Callable[[], None],
        parent: QWidget | None = None,
    ) -> None:
        """The guide; the three callables are what its buttons do."""
        super().__init__(parent)
        self.setObjectName("gettingStarted")
        self.setWindowTitle(self.tr("Getting Started"))
        fit_on_show(self)
        title = QLabel(self.tr("Welcome to {app}").format(app=APP_NAME), self)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        title.setFont(font)
        intro = self._text(
            self.tr("Read a book, and ask Claude how any passage of it sounds. Three steps:")
        )
        self.steps: list[tuple[QFrame, QPushButton]] = []
        self.open_button = self._step(
            1,
            self.tr("Open a book"),
            self.tr(
                "File → Open (Ctrl+O), or drop an EPUB, text, HTML or Markdown file on the"
                " window. Next time, the book opens where you left it."
            ),
            self.tr("Open a Book…"),
            open_book,
        )
        self.key_button = self._step(
            2,
            self.tr("Select a passage and press A"),
            self.tr(
                "Claude reads it with the text around it. The Tone panel on the right shows"
                " its tone, its emotions and the words that carry them, explained at your"
                " level. This needs your Anthropic API key, once."
            ),
            self.tr("Set Up Claude Key…"),
            set_up_key,
        )
        self.export_button = self._step(
            3,
            self.tr("Keep and export your notes"),
            self.tr(
                "Every highlight and answer is kept. H highlights, N adds a note, and the"
                " Highlights panel (F10) lists them all. File → Export Annotations"
                " (Ctrl+Shift+S) saves them for your notes app, Readwise or Anki."
            ),
            self.tr("Export Annotations…"),
            export_notes,
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 18, 22, 14)
        layout.setSpacing(10)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addSpacing(4)
        for frame, _button in self.steps:
            layout.addWidget(frame)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)
        # As tall as the wrapped text needs at this width (the plain size hint overshoots).
        width = max(560, self.sizeHint().width())
        height = self.heightForWidth(width)
        self.resize(width, height if height > 0 else self.sizeHint().height())

    def _text(self, text: str, parent: QWidget | None = None) -> QLabel:
        label = QLabel(text, parent or self)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        return label

    def _step(
        self, number: int, heading: str, text: str, action: str, do: Callable[[], None]
    ) -> QPushButton:
        """One numbered step in a frame, with its button; returns the button."""
        frame = RoundedPanel(self)
        frame.setObjectName(f"step{number}")
        badge = QLabel(str(number), frame)
        badge.setFixedSize(_BADGE, _BADGE)
        badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        badge.setStyleSheet(
            f"background: palette(highlight); color: palette(highlighted-text);"
            f" border-radius: {_BADGE // 2}px; font-weight: bold;"
        )
        name = QLabel(heading, frame)
        bold = name.font()
        bold.setBold(True)
        bold.setPointSizeF(bold.pointSizeF() * 1.1)
        name.setFont(bold)
        body = self._text(text, frame)
        button = QPushButton(action, frame)

        def act() -> None:
            self.accept()
            do()

        button.clicked.connect(act)
        grid = QGridLayout(frame)
        grid.setContentsMargins(12, 10, 12, 10)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(4)
        grid.addWidget(badge, 0, 0, 2, 1, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(name, 0, 1)
        grid.addWidget(body, 1, 1)
        grid.addWidget(button, 2, 1, Qt.AlignmentFlag.AlignLeft)
        grid.setColumnStretch(1, 1)
        self.steps.append((frame, button))
        return button
