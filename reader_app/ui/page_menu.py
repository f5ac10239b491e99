"""What the page's right-click menu offers beyond Copy and Select All."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMenu

from reader_app.ui.highlights_panel import swatch
from reader_app.ui.themes import HIGHLIGHT_COLORS

if TYPE_CHECKING:
    from collections.abc import Callable

    from PySide6.QtGui import QAction

    from reader_app.core.records import Highlight
    from reader_app.ui.actions import WindowActions
    from reader_app.ui.tone_commands import ToneCommands


def extend_page_menu(
    menu: QMenu,
    *,
    selected: bool,
    existing: Highlight | None,
    actions: WindowActions,
    tone: ToneCommands,
    mark: Callable[[str], None],
    edit_note: Callable[[int], None],
    delete: Callable[[int], None],
) -> None:
    """Put the reader's entries first in ``menu``.

    Args:
        menu: the page's own menu (Copy, Select All), extended in place.
        selected: text is selected: Analyse, Highlight and the colours are offered.
        existing: the highlight under the click: its tone entries, note and delete.
        actions: the window's actions, Analyse and Highlight among them.
        tone: offers the tone entries for a highlight.
        mark: highlights the selection in a colour.
        edit_note: opens the note of a highlight.
        delete: deletes a highlight.
    """
    first = menu.actions()[0] if menu.actions() else None
    added: list[QAction] = []
    colors: QMenu | None = None
    if selected:
        added.extend([actions.analyse, actions.highlight])
        colors = QMenu(QCoreApplication.translate("PageMenu", "Highlight in Colour"), menu)
        for name in HIGHLIGHT_COLORS:
            label = QCoreApplication.translate("PageMenu", name.capitalize())
            colors.addAction(swatch(name), label, lambda n=name: mark(n))
    if existing is not None:
        hid = existing.id
        added.extend(tone.highlight_menu_actions(menu, hid, reanalyse=not selected))
        note = QCoreApplication.translate("PageMenu", "Edit Note…")
        added.append(menu.addAction(note, lambda: edit_note(hid)))
        remove = QCoreApplication.translate("PageMenu", "Delete Highlight")
        added.append(menu.addAction(remove, lambda: delete(hid)))
    for action in added:
        menu.insertAction(first, action) if first else menu.addAction(action)
        if colors is not None and action is actions.highlight:
            menu.insertMenu(first, colors) if first else menu.addMenu(colors)
    if added and first is not None:
        menu.insertSeparator(first)
