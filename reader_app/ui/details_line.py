"""A "Details" line that folds away the figures a learner does not read for the meaning.

Tokens, cost, the cache and the timings of an answer matter to whoever watches the bill or
the speed, not to whoever reads the explanation; they sit behind one click, each figure
on its own line so nothing wraps in the middle of a number at the panel's usual width.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QSizePolicy, QToolButton, QVBoxLayout, QWidget


class DetailsLine(QWidget):
    """A toggle ("▸ Details") and the text it shows when open; closed at first.

    Signals:
        toggled(bool): the reader opened (True) or closed (False) the details.
    """

    toggled = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.toggle = QToolButton(self)
        self.toggle.setObjectName("detailsToggle")
        self.toggle.setText(self.tr("Details"))
        # Not a checkable button: a checked one is drawn pressed, like a stuck key.
        self.toggle.setAutoRaise(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.toggle.setToolTip(self.tr("Tokens, cost, cache and timings of this answer"))
        self.body = QLabel(self)
        self.body.setObjectName("analysisMeta")
        self.body.setTextFormat(Qt.TextFormat.PlainText)
        self.body.setWordWrap(True)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.body.setContentsMargins(18, 0, 0, 0)  # under the word "Details", not the arrow
        small = self.body.font()
        small.setPointSizeF(small.pointSizeF() * 0.92)
        self.body.setFont(small)
        self.body.hide()
        self._open = False
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(self.toggle, 0, Qt.AlignmentFlag.AlignLeft)
        column.addWidget(self.body)
        self.toggle.clicked.connect(self._on_clicked)

    def is_open(self) -> bool:
        """Whether the details are shown."""
        return self._open

    def set_open(self, shown: bool) -> None:
        """Open or close the details without saying so (restoring the reader's choice)."""
        self._open = shown
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
        self.toggle.setAccessibleDescription(self.tr("expanded") if shown else self.tr("collapsed"))
        self.body.setVisible(shown)

    def _on_clicked(self) -> None:
        self.set_open(not self._open)
        self.toggled.emit(self._open)
