"""F9: the left side panel area, put away whole and brought back as it was.

Hiding only the Contents dock let the Search dock, tabbed with it, take its place: the page
never got the room. Here the whole left area goes: every dock docked there is hidden, and
the ones that were open, with the tab that was in front, come back on the next F9.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from shiboken6 import isValid

if TYPE_CHECKING:
    from collections.abc import Sequence

    from PySide6.QtWidgets import QDockWidget, QMainWindow

LEFT = Qt.DockWidgetArea.LeftDockWidgetArea


class SidePanel(QObject):
    """The checkable "Side Panel" command (F9) over the docks of the window's left area.

    Attributes:
        action: the command, checked while any dock is open in the left area.
    """

    def __init__(
        self, window: QMainWindow, docks: Sequence[QDockWidget], default: QDockWidget
    ) -> None:
        """Toggle those of ``docks`` that sit in the left area; ``default`` opens when none was."""
        super().__init__(window)
        self._window = window
        self._docks = list(docks)
        self._default = default
        self._put_away: list[QDockWidget] = []
        self._in_front: QDockWidget | None = None
        self.action = QAction(self.tr("Side &Panel"), window)
        self.action.setCheckable(True)
        self.action.setShortcut(QKeySequence("F9"))
        self.action.setToolTip(self.tr("Hide or show the side panel, to give the page the room"))
        self.action.triggered.connect(self._toggle)
        window.addAction(self.action)  # F9 works with the menu bar hidden, too
        for dock in self._docks:
            dock.visibilityChanged.connect(self._sync)
        self._sync()

    def open_docks(self) -> list[QDockWidget]:
        """The docks open in the left area now (floating ones are windows of their own)."""
        return [
            dock
            for dock in self._docks
            if not dock.isHidden()
            and not dock.isFloating()
            and self._window.dockWidgetArea(dock) == LEFT
        ]

    def _toggle(self) -> None:
        open_now = self.open_docks()
        if open_now:
            # The tab in front is the one whose contents can be seen.
            seen = [dock for dock in open_now if not dock.visibleRegion().isEmpty()]
            self._in_front = seen[0] if seen else open_now[0]
            self._put_away = open_now
            for dock in open_now:
                dock.hide()
        else:
            kept = [d for d in self._put_away if self._window.dockWidgetArea(d) == LEFT]
            docks = kept or [self._default]
            for dock in docks:
                dock.show()
            front = self._in_front if self._in_front in docks else docks[0]
            front.raise_()
            self._put_away = []
        self._sync()

    def _sync(self, *_visible: object) -> None:
        # The docks hide as the window is taken down, after its C++ side is gone.
        if not (isValid(self._window) and isValid(self.action)):
            return
        self.action.setChecked(bool(self.open_docks()))
