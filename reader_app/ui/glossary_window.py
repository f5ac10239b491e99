"""The Tone Glossary window: the tone words met, defined at the reader's level.

Searchable; each word shows its definition, how often it came up and the passage it was
first met in, and can be marked known (known words can be hidden). Define New Words asks
Claude for the definitions still missing; the glossary exports to Markdown and to Anki.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from reader_app.services.glossary_service import GlossaryService
    from reader_app.usecases.glossary import GlossaryEntry

_ROLE_WORD = Qt.ItemDataRole.UserRole
_ROLE_HIGHLIGHT = Qt.ItemDataRole.UserRole + 1


class GlossaryWindow(QWidget):
    """The glossary, with search, "known" marks, defining and exports.

    Signals:
        jump_requested(int): show the passage (highlight id) a word was first met in.
    """

    jump_requested = Signal(int)

    def __init__(self, service: GlossaryService, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("glossaryWindow")
        self._service = service
        self._entries: list[GlossaryEntry] = []
        # Tests answer the file question here instead of through a native dialog.
        self.choose_export_file: Callable[[str, str], Path | None] = self._choose_export_file
        self.resize(860, 560)

        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.tr("Search words and definitions"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._fill)
        self.hide_known = QCheckBox(self.tr("Hide known words"), self)
        self.hide_known.toggled.connect(self._fill)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.hide_known)

        self.list = QTreeWidget(self)
        self.list.setObjectName("glossaryList")
        self.list.setHeaderLabels(
            [self.tr("Word"), self.tr("Means"), self.tr("Met"), self.tr("First met in")]
        )
        self.list.setRootIsDecorated(False)
        self.list.setWordWrap(True)
        self.list.setUniformRowHeights(False)
        header = self.list.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.resizeSection(3, 260)
        self.list.itemChanged.connect(self._on_item_changed)
        self.list.itemActivated.connect(self._on_activated)

        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.define_button = QPushButton(self.tr("Define New Words"), self)
        self.define_button.clicked.connect(self.define_new_words)
        self.markdown_button = QPushButton(self.tr("Export Markdown…"), self)
        self.markdown_button.clicked.connect(lambda: self.export("md"))
        self.anki_button = QPushButton(self.tr("Export to Anki…"), self)
        self.anki_button.clicked.connect(lambda: self.export("anki"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.define_button)
        buttons.addWidget(self.markdown_button)
        buttons.addWidget(self.anki_button)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        service.changed.connect(self.reload)
        service.failed.connect(self._on_failed)
        self.reload()

    @property
    def entries(self) -> list[GlossaryEntry]:
        """The words the glossary holds."""
        return list(self._entries)

    def reload(self) -> None:
        """Read the glossary again."""
        level, language = self._service.level()
        self.setWindowTitle(
            self.tr("Tone Glossary — {level}, {language}").format(level=level, language=language)
        )
        self._entries = self._service.entries()
        self._fill()

    def _fill(self) -> None:
        needle = self.search.text().strip().casefold()
        hide = self.hide_known.isChecked()
        self.list.blockSignals(True)
        self.list.clear()
        for entry in self._entries:
            if hide and entry.known:
                continue
            if needle and needle not in f"{entry.word} {entry.definition}".casefold():
                continue
            means = entry.definition or self.tr("(not defined yet)")
            met = entry.met
            where = f"“{met.label}” — {met.book_title}"
            item = QTreeWidgetItem([entry.word, means, f"{met.count}×", where])
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(0, Qt.CheckState.Checked if entry.known else Qt.CheckState.Unchecked)
            item.setToolTip(0, self.tr("Tick when you know this word."))
            item.setToolTip(3, met.quote)
            item.setData(0, _ROLE_WORD, entry.word)
            item.setData(0, _ROLE_HIGHLIGHT, met.highlight_id)
            self.list.addTopLevelItem(item)
        self.list.blockSignals(False)
        self._show_status()

    def _show_status(self) -> None:
        if self._service.busy:
            self.status.setText(self.tr("Asking Claude for definitions…"))
        elif not self._entries:
            self.status.setText(self.tr(
                "No tone words yet. Analyse a passage (select it and press A): the words of"
                " its tone come here, to be defined at your level."
            ))  # fmt: skip
        else:
            missing = sum(1 for e in self._entries if not e.definition)
            known = sum(1 for e in self._entries if e.known)
            self.status.setText(
                self.tr("{words} words, {known} known, {missing} not defined yet.").format(
                    words=len(self._entries), known=known, missing=missing
                )
            )
        self.define_button.setEnabled(
            not self._service.busy and any(not e.definition for e in self._entries)
        )
        self.anki_button.setEnabled(any(e.definition for e in self._entries))
        self.markdown_button.setEnabled(bool(self._entries))

    def define_new_words(self) -> None:
        """Ask Claude for the definitions still missing."""
        if self._service.define_missing():
            self._show_status()

    def _on_failed(self, message: str) -> None:
        self._show_status()
        self.status.setText(message)

    def _on_item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        if column == 0:
            word = str(item.data(0, _ROLE_WORD))
            self._service.set_known(word, item.checkState(0) == Qt.CheckState.Checked)

    def _on_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        self.jump_requested.emit(int(item.data(0, _ROLE_HIGHLIGHT)))

    def export(self, kind: str) -> None:
        """Write the glossary as Markdown or as an Anki deck, to a file the reader chooses."""
        from reader_app.core.exporters import ExportError, write_export
        from reader_app.core.exporters.glossary import glossary_anki, glossary_markdown

        suffix = ".apkg" if kind == "anki" else ".md"
        path = self.choose_export_file(kind, "tone-glossary" + suffix)
        if path is None:
            return
        level, language = self._service.level()
        pairs = [(e.met, e.definition) for e in self._entries]
        data = glossary_anki if kind == "anki" else glossary_markdown
        try:
            write_export(path, data(pairs, level, language))
        except ExportError as exc:
            self.status.setText(str(exc))
            return
        self.status.setText(self.tr("Exported the glossary to {path}.").format(path=path))

    def _choose_export_file(self, kind: str, name: str) -> Path | None:
        filters = self.tr("Anki deck (*.apkg)") if kind == "anki" else self.tr("Markdown (*.md)")
        chosen, _filter = QFileDialog.getSaveFileName(
            self, self.tr("Export the Glossary"), str(Path.home() / name), filters
        )
        return Path(chosen) if chosen else None
