"""The library of recently read books."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reader_app.ui.screen_fit import fit_on_show

if TYPE_CHECKING:
    from collections.abc import Sequence

    from reader_app.core.records import BookRecord

_PATH = Qt.ItemDataRole.UserRole


def _when(stamp: str | None) -> str:
    if not stamp:
        return ""
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone()
    except ValueError:
        return stamp
    return moment.strftime("%d %b %Y, %H:%M")


class LibraryDialog(QDialog):
    """Recent books with their progress; open one, or take it off the list.

    Signals:
        open_requested(str): the path of the book to open.
        forget_requested(str): the id of the book to take off the list.
    """

    open_requested = Signal(str)
    forget_requested = Signal(str)

    def __init__(self, records: Sequence[BookRecord], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Library"))
        self.resize(760, 420)
        fit_on_show(self)
        self.table = QTableWidget(0, 5, self)
        self.table.setHorizontalHeaderLabels(
            [self.tr("Title"), self.tr("Author"), self.tr("Format"), self.tr("Read"),
             self.tr("Last opened")]
        )  # fmt: skip
        self.table.setAccessibleName(self.tr("Recent books"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, 5):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self._ids: list[str] = []
        for record in records:
            self._add(record)
        empty = QLabel(self.tr("Books you open appear here."), self)
        empty.setVisible(not records)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.open_button = QPushButton(self.tr("&Open"), self)
        self.forget_button = QPushButton(self.tr("&Remove from List"), self)
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.forget_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.open_button.clicked.connect(self._open)
        self.forget_button.clicked.connect(self._forget)
        self.table.doubleClicked.connect(lambda _i: self._open())
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(empty)
        layout.addWidget(buttons)
        if records:
            self.table.selectRow(0)

    def _add(self, record: BookRecord) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        exists = Path(record.path).exists()
        title = (
            record.title if exists else self.tr("{title} (file missing)").format(title=record.title)
        )
        cells = [
            title,
            ", ".join(record.authors),
            record.format,
            f"{round(record.progress * 100)}%",
            _when(record.last_opened_at),
        ]
        for column, text in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setData(_PATH, record.path)
            item.setToolTip(record.path)
            if not exists:
                item.setForeground(self.palette().placeholderText())
            self.table.setItem(row, column, item)
        self._ids.append(record.id)

    def _open(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            item = self.table.item(row, 0)
            if item is not None:
                self.open_requested.emit(str(item.data(_PATH)))
            self.accept()

    def _forget(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.forget_requested.emit(self._ids.pop(row))
            self.table.removeRow(row)
