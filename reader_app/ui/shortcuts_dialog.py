"""Help → Keyboard Shortcuts: every key of the window, grouped as a reader looks for them.

The list is read from the menus themselves (and the window's own actions), so a command
added to a menu with a key shows up here without anyone remembering to list it. Each
command shows its main key only, as its menu does (not Qt's alternates such as
"Ctrl+Z, F14, Undo").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMenu,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reader_app.ui.screen_fit import fit_on_show

if TYPE_CHECKING:
    from collections.abc import Iterator

    from PySide6.QtWidgets import QMenuBar

FILE = str(QT_TRANSLATE_NOOP("ShortcutsDialog", "File"))
READING = str(QT_TRANSLATE_NOOP("ShortcutsDialog", "Reading and navigation"))
NOTES = str(QT_TRANSLATE_NOOP("ShortcutsDialog", "Highlights and notes"))
TONE = str(QT_TRANSLATE_NOOP("ShortcutsDialog", "Tone analysis"))
VIEW = str(QT_TRANSLATE_NOOP("ShortcutsDialog", "View"))
HELP = str(QT_TRANSLATE_NOOP("ShortcutsDialog", "Help"))
GROUPS = (FILE, READING, NOTES, TONE, VIEW, HELP)

# Where a top-level menu's commands go (the menus' own titles, as WindowActions names them).
_MENU_GROUPS = {"&File": FILE, "&Edit": READING, "&View": VIEW, "&Go": READING,
                "H&ighlights": NOTES, "&Help": HELP}  # fmt: skip
# Commands that belong with others than their menu's (WindowActions' attribute names).
_ACTION_GROUPS = {
    "undo": NOTES,
    "analyse": TONE,
    "analyse_together": TONE,
    "analyse_chapter": TONE,
    "map_voices": TONE,
    "characters": TONE,
    "glossary": TONE,
    "practice": TONE,
    "send_batch": TONE,
    "examples": TONE,
    "evaluate": TONE,
    "preferences": TONE,
}


@dataclass(frozen=True)
class Shortcut:
    """One line of the list.

    Attributes:
        group: the heading it is listed under (one of GROUPS, or a menu's title).
        command: what the key does, as the menu says it.
        key: the key, as the menu shows it ("Ctrl+Shift+A").
        action: the command's action; None for keys of the page itself (Space).
    """

    group: str
    command: str
    key: str
    action: QAction | None = None


def plain(text: str) -> str:
    """A menu text without its mnemonic marks ("&Open…" → "Open…", "&&" → "&")."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def key_text(action: QAction) -> str:
    """The action's main key, as menus show it; "" for none."""
    return action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)


def _menu_actions(menu: QMenu, path: str = "") -> Iterator[tuple[str, QAction]]:
    """Each command of a menu and its submenus, named with its submenu ("Colour → Yellow")."""
    for action in menu.actions():
        if action.isSeparator():
            continue
        sub = action.menu()
        name = plain(action.text())
        if isinstance(sub, QMenu):
            yield from _menu_actions(sub, f"{path}{name} → ")
        else:
            yield f"{path}{name}", action


def shortcut_list(actions: QObject, menu_bar: QMenuBar, window: QWidget) -> list[Shortcut]:
    """Every key of the window, in GROUPS order and menu order within a group.

    ``actions`` is the window's WindowActions; the menus of ``menu_bar`` come first, then
    any action of ``window`` with a key that no menu holds, then the page's own keys.
    """
    menu_groups = {
        plain(QCoreApplication.translate("WindowActions", title)): group
        for title, group in _MENU_GROUPS.items()
    }
    special = {
        id(value): _ACTION_GROUPS[name]
        for name, value in vars(actions).items()
        if name in _ACTION_GROUPS and isinstance(value, QAction)
    }
    rows: list[Shortcut] = []
    seen: set[int] = set()
    for top in menu_bar.actions():
        menu = top.menu()
        if not isinstance(menu, QMenu):
            continue
        title = plain(top.text())
        for name, action in _menu_actions(menu):
            key = key_text(action)
            if not key or id(action) in seen:
                continue
            seen.add(id(action))
            group = special.get(id(action), menu_groups.get(title, title))
            rows.append(Shortcut(group, name, key, action))
    for action in window.actions():
        key = key_text(action)
        if key and id(action) not in seen:
            seen.add(id(action))
            rows.append(Shortcut(special.get(id(action), VIEW), plain(action.text()), key, action))
    native = QKeySequence.SequenceFormat.NativeText
    page_keys = (
        (
            READING,
            QCoreApplication.translate("ShortcutsDialog", "Next page (on into the next chapter)"),
            "Space",
        ),
        (READING, QCoreApplication.translate("ShortcutsDialog", "Previous page"), "Shift+Space"),
        (
            NOTES,
            QCoreApplication.translate(
                "ShortcutsDialog", "Delete the highlight chosen in the Highlights list"
            ),
            "Del",
        ),
    )
    rows += [
        Shortcut(group, what, QKeySequence(key).toString(native)) for group, what, key in page_keys
    ]
    order = {group: n for n, group in enumerate(GROUPS)}
    return sorted(rows, key=lambda r: order.get(r.group, len(GROUPS)))


class ShortcutsDialog(QDialog):
    """The keys, in a table under headings; it scrolls when the screen is small."""

    def __init__(self, actions: QObject, menu_bar: QMenuBar, parent: QWidget) -> None:
        """The keys of ``parent``'s menus (``actions``: its WindowActions)."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Keyboard Shortcuts"))
        self.shortcuts = shortcut_list(actions, menu_bar, parent)
        self.table = QTreeWidget(self)
        self.table.setAccessibleName(self.tr("Keyboard shortcuts"))
        self.table.setColumnCount(2)
        self.table.setHeaderLabels([self.tr("Command"), self.tr("Key")])
        self.table.setRootIsDecorated(False)
        self.table.setItemsExpandable(False)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._fill()
        header = self.table.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        note = QLabel(self.tr("The same keys are shown beside each command in the menus."), self)
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(note)
        layout.addWidget(buttons)
        width = self.table.sizeHintForColumn(0) + self.table.sizeHintForColumn(1) + 80
        rows = self.table.topLevelItemCount() + len(self.shortcuts)
        height = rows * max(self.table.sizeHintForRow(0), 18) + 140
        self.resize(max(width, 460), height)
        fit_on_show(self)

    def _fill(self) -> None:
        heading_font = self.table.font()
        heading_font.setBold(True)
        groups: dict[str, QTreeWidgetItem] = {}
        self._lines: list[tuple[QTreeWidgetItem, QTreeWidgetItem]] = []
        for row in self.shortcuts:
            heading = groups.get(row.group)
            if heading is None:
                heading = QTreeWidgetItem(self.table, [self.tr(row.group)])
                heading.setFirstColumnSpanned(True)
                heading.setFont(0, heading_font)
                heading.setFlags(Qt.ItemFlag.ItemIsEnabled)
                groups[row.group] = heading
            item = QTreeWidgetItem(heading, [row.command, row.key])
            item.setFont(1, heading_font)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self._lines.append((heading, item))
        self.table.expandAll()

    def listed(self) -> list[tuple[str, str, str]]:
        """What the table shows: (heading, command, key) for each line."""
        return [(heading.text(0), item.text(0), item.text(1)) for heading, item in self._lines]
