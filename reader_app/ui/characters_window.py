"""The Characters window: who speaks in the open book, how they sound, and to whom.

The list is read from the book's saved analyses (core/characters.py gathers the speaker
names into characters). Choosing characters draws their voices across the book, one lane
each; "Toward whom" breaks the first chosen character's voice down by addressee. Clicking
a passage, in the timeline or in the breakdown, shows it on the page.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reader_app.core.characters import Character, characters_of
from reader_app.core.emotions import PLUTCHIK_COLORS
from reader_app.ui.voice_timeline import TimelineDot, VoiceTimeline

if TYPE_CHECKING:
    from collections.abc import Callable

    from reader_app.core.book import Book
    from reader_app.ui.ports import AnnotationSource, SpeakerNames

_ROLE_NAME = Qt.ItemDataRole.UserRole
_FIRST_SHOWN = 3  # characters drawn when the window opens


def _names_of(character: Character) -> set[str]:
    return {character.name, *character.aliases}


def _swatch(emotion: str) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(QColor(PLUTCHIK_COLORS.get(emotion, "#9e9e9e")))
    return QIcon(pixmap)


class CharactersWindow(QWidget):
    """Each character of the open book, their voices on a timeline, and to whom they speak.

    Signals:
        jump_requested(int): show this highlight on the page.
        map_requested(): the reader asked to map the voices of the section being read.
    """

    jump_requested = Signal(int)
    map_requested = Signal()

    def __init__(
        self,
        query: AnnotationSource,
        book: Callable[[], Book | None],
        parent: QWidget | None = None,
        names: SpeakerNames | None = None,
        *,
        docked: bool = False,
    ) -> None:
        # Docked, it is one panel among the window's: the parts stack up, not side by side.
        super().__init__(parent, Qt.WindowType.Widget if docked else Qt.WindowType.Window)
        self.setObjectName("charactersWindow")
        self._query = query
        self._book = book
        self._names = names
        # Tests answer the name question here instead of through a dialog.
        self.ask_name: Callable[[str], str | None] = self._ask_name
        self._characters: list[Character] = []
        self._docked = docked
        if not docked:
            self.resize(900, 560)

        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.map_button = QPushButton(self.tr("Map Voices of This Section…"), self)
        self.map_button.clicked.connect(self.map_requested)
        top = QVBoxLayout() if docked else QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.map_button, 0, Qt.AlignmentFlag.AlignLeft)

        self.list = QTreeWidget(self)
        self.list.setObjectName("charactersList")
        self.list.setHeaderLabels(
            [self.tr("Character"), self.tr("Passages"), self.tr("Mostly"), self.tr("Tones")]
        )
        self.list.setRootIsDecorated(False)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.itemSelectionChanged.connect(self._show_chosen)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._menu)
        header = self.list.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)

        self.timeline = VoiceTimeline(self)
        self.timeline.dot_clicked.connect(self.jump_requested)
        self.toward_label = QLabel(self)
        self.toward = QTreeWidget(self)
        self.toward.setObjectName("towardWhom")
        self.toward.setHeaderLabels(
            [self.tr("To"), self.tr("Passages"), self.tr("Mostly"), self.tr("Tones")]
        )
        self.toward.setRootIsDecorated(False)
        self.toward.header().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)

        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.timeline, 3)
        right_layout.addWidget(self.toward_label)
        right_layout.addWidget(self.toward, 2)
        splitter = QSplitter(Qt.Orientation.Vertical if docked else Qt.Orientation.Horizontal)
        splitter.setParent(self)
        splitter.addWidget(self.list)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        if not docked:
            splitter.setSizes([400, 500])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        self.reload()

    def sizeHint(self) -> QSize:
        """Docked, as narrow as the other side panels: the page keeps its room."""
        return QSize(320, 520) if self._docked else super().sizeHint()

    @property
    def characters(self) -> list[Character]:
        """The characters listed."""
        return list(self._characters)

    def reload(self) -> None:
        """Read the open book's analyses again."""
        book = self._book()
        title = book.title if book is not None else ""
        self.setWindowTitle(
            self.tr("Characters — {title}").format(title=title) if title else self.tr("Characters")
        )
        annotations = self._query.for_book(book.book_id) if book is not None else []
        mine = self._names.for_book(book.book_id) if book is not None and self._names else {}
        self._characters = characters_of(annotations, mine)
        chosen = {item.data(0, _ROLE_NAME) for item in self.list.selectedItems()}
        self.list.blockSignals(True)
        self.list.clear()
        for character in self._characters:
            tones = ", ".join(f"{tone} ({count})" for tone, count in character.tones)
            item = QTreeWidgetItem(
                [character.name, str(character.passages), character.dominant_emotion, tones]
            )
            item.setData(0, _ROLE_NAME, character.name)
            item.setIcon(2, _swatch(character.dominant_emotion))
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if character.aliases:
                item.setToolTip(0, self.tr("Also named: {names}").format(
                    names=", ".join(character.aliases)))  # fmt: skip
            self.list.addTopLevelItem(item)
        self.list.blockSignals(False)
        self._reselect(chosen)
        self.summary.setText(self._summary_text(book is not None, len(annotations)))

    # -- the reader's own grouping ------------------------------------------------------------

    def _menu(self, position: QPoint) -> None:
        chosen = self._chosen()
        if not chosen or self._names is None:
            return
        menu = QMenu(self)
        if len(chosen) == 1:
            menu.addAction(self.tr("Rename…"), lambda: self.rename(chosen[0]))
            if chosen[0].aliases:
                menu.addAction(self.tr("Split Its Names Apart"), lambda: self.split(chosen[0]))
        else:
            menu.addAction(self.tr("Merge Into One Character"), lambda: self.merge(chosen))
        menu.addSeparator()
        menu.addAction(self.tr("Undo My Changes to This Book's Characters"), self.forget)
        menu.popup(self.list.viewport().mapToGlobal(position))

    def rename(self, character: Character) -> None:
        """Give a character another name; every name of theirs goes with them."""
        name = self.ask_name(character.name)
        if name and " ".join(name.split()):
            self._assign(_names_of(character), " ".join(name.split()))

    def merge(self, characters: list[Character]) -> None:
        """One character from several (the one with most passages gives the name)."""
        names = {n for c in characters for n in _names_of(c)}
        self._assign(names, max(characters, key=lambda c: c.passages).name)

    def split(self, character: Character) -> None:
        """Each name of a character becomes a character of its own."""
        book = self._book()
        if book is None or self._names is None:
            return
        for name in _names_of(character):
            self._names.assign(book.book_id, [name], name)
        self.reload()

    def forget(self) -> None:
        """Back to the automatic grouping of names for this book."""
        book = self._book()
        if book is not None and self._names is not None:
            self._names.forget(book.book_id)
            self.reload()

    def _assign(self, names: set[str], character: str) -> None:
        book = self._book()
        if book is None or self._names is None:
            return
        self._names.assign(book.book_id, sorted(names), character)
        self.reload()

    def _ask_name(self, current: str) -> str | None:
        name, ok = QInputDialog.getText(
            self, self.tr("Rename Character"), self.tr("Name:"), text=current
        )
        return name if ok else None

    def _summary_text(self, has_book: bool, annotations: int) -> str:
        if not has_book:
            return self.tr("Open a book to see who speaks in it.")
        if not self._characters:
            return self.tr(
                "No speakers yet. Analyse passages with dialogue (press A on a selection), or"
                " map the voices of the section you are reading: every spoken line is labelled"
                " with who says it and how it sounds."
            )
        passages = sum(c.passages for c in self._characters)
        return self.tr(
            "{characters} speakers in {passages} of {annotations} highlighted passages."
            " Choose several to compare them; click a dot to read the passage; right-click"
            " to rename, merge or split."
        ).format(characters=len(self._characters), passages=passages, annotations=annotations)

    def _reselect(self, chosen: set[object]) -> None:
        count = self.list.topLevelItemCount()
        items = [item for i in range(count) if (item := self.list.topLevelItem(i)) is not None]
        keep = [item for item in items if item.data(0, _ROLE_NAME) in chosen]
        for item in keep or items[:_FIRST_SHOWN]:
            item.setSelected(True)
        self._show_chosen()

    def _chosen(self) -> list[Character]:
        names = {item.data(0, _ROLE_NAME) for item in self.list.selectedItems()}
        return [c for c in self._characters if c.name in names]

    def _show_chosen(self) -> None:
        chosen = self._chosen()
        book = self._book()
        steps = book.steps() if book is not None else None
        lanes = []
        for character in chosen:
            dots = [
                TimelineDot(
                    p.highlight_id,
                    steps.progress(p.chapter, p.start) if steps is not None else 0.0,
                    p.emotion,
                    p.intensity,
                    p.tone,
                    p.quote,
                    p.addressee,
                    p.section,
                )
                for p in character.points
            ]
            lanes.append((character.name, dots))
        self.timeline.set_lanes(lanes)
        self._show_toward(chosen[0] if chosen else None)

    def _show_toward(self, character: Character | None) -> None:
        self.toward.clear()
        if character is None:
            self.toward_label.setText(self.tr("Toward whom: choose a character."))
            return
        self.toward_label.setText(
            self.tr("Toward whom {name} speaks, and how:").format(name=character.name)
        )
        by_whom: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for point in character.points:
            by_whom[point.addressee or self.tr("(not said)")].append((point.emotion, point.tone))
        for whom, heard in sorted(by_whom.items(), key=lambda pair: -len(pair[1])):
            emotion = Counter(e for e, _ in heard if e).most_common(1)
            mostly = emotion[0][0] if emotion else ""
            tones = ", ".join(
                f"{t} ({n})" for t, n in Counter(t for _, t in heard if t).most_common(3)
            )
            item = QTreeWidgetItem([whom, str(len(heard)), mostly, tones])
            item.setIcon(2, _swatch(mostly))
            self.toward.addTopLevelItem(item)
