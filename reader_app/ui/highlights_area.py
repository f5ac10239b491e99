"""The Highlights dock: the list of the open book's highlights, narrowed to one speaker.

The speakers are the characters of the book's analysed passages (see core.characters),
with the reader's own renames and merges. Working them out reads every analysis of the
book, so it is done when the reader opens the list of speakers, and again as the list
changes only while one speaker is chosen; never for each highlight added or deleted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QComboBox, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from reader_app.core.characters import Character
    from reader_app.core.records import Highlight
    from reader_app.ui.highlights_panel import HighlightsPanel


class SpeakerFilter(QComboBox):
    """A choice of speaker: all, or one character of the open book (with their passages).

    Signals:
        changed(): another speaker was chosen.
    """

    changed = Signal()

    def __init__(
        self, characters: Callable[[], Sequence[Character]], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("speakerFilter")
        self.setAccessibleName(self.tr("Show highlights spoken by"))
        self.setToolTip(self.tr("Show only the passages a character speaks (from their analyses)."))
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(12)
        self._characters = characters
        self._ids: dict[str, frozenset[int]] = {}
        self.addItem(self.tr("All speakers"), "")
        self.currentIndexChanged.connect(lambda _index: self.changed.emit())

    def showPopup(self) -> None:
        """The speakers as they are now, then the list."""
        self.refresh()
        super().showPopup()

    def refresh(self) -> None:
        """Read the characters again, keeping the one chosen while they still speak."""
        chosen = self.chosen()
        self.blockSignals(True)
        while self.count() > 1:
            self.removeItem(1)
        self._ids = {}
        for character in self._characters():
            self.addItem(f"{character.name} ({character.passages})", character.name)
            self._ids[character.name] = frozenset(p.highlight_id for p in character.points)
        if not self._ids:
            self.addItem(self.tr("No speakers yet: analyse passages or map voices"), None)
            model = self.model()
            if isinstance(model, QStandardItemModel):
                item = model.item(1)
                if item is not None:
                    item.setEnabled(False)
        self.setCurrentIndex(max(0, self.findData(chosen)) if chosen else 0)
        self.blockSignals(False)
        if chosen and self.chosen() != chosen:
            self.changed.emit()  # the chosen speaker no longer speaks: all are shown

    def reset(self) -> None:
        """Back to all speakers (another book is open)."""
        self.blockSignals(True)
        self.setCurrentIndex(0)
        while self.count() > 1:
            self.removeItem(1)
        self._ids = {}
        self.blockSignals(False)

    def chosen(self) -> str:
        """The character chosen, or "" for all."""
        value = self.currentData()
        return value if isinstance(value, str) else ""

    def ids(self) -> frozenset[int] | None:
        """The highlights the chosen character speaks; None when all are shown."""
        chosen = self.chosen()
        return self._ids.get(chosen, frozenset()) if chosen else None


class HighlightsArea(QWidget):
    """The speaker filter above the highlights list; what the Highlights dock holds."""

    def __init__(
        self,
        panel: HighlightsPanel,
        characters: Callable[[], Sequence[Character]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("highlightsArea")
        self.panel = panel
        self.speaker = SpeakerFilter(characters, self)
        self._items: Sequence[Highlight] = []
        self._where: Callable[[Highlight], str] = lambda _item: ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.speaker)
        layout.addWidget(panel, 1)
        self._empty_hint = panel.empty_hint.text()
        self.speaker.changed.connect(self._show)

    def show_highlights(
        self, items: Sequence[Highlight], where: Callable[[Highlight], str]
    ) -> None:
        """The book's highlights; ``where`` names the place of each."""
        self._items, self._where = items, where
        if self.speaker.chosen():
            self.speaker.refresh()  # a new answer may name the speaker of another line
        self._show()

    def _show(self) -> None:
        ids = self.speaker.ids()
        shown = self._items if ids is None else [h for h in self._items if h.id in ids]
        self.panel.empty_hint.setText(
            self._empty_hint
            if ids is None
            else self.tr("No highlight of {name}'s lines.").format(name=self.speaker.chosen())
        )
        self.panel.set_highlights(shown, self._where)
