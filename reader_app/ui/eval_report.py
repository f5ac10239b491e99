"""One run's report: the figures, the confusion table, and every answer (with overrides)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reader_app.usecases.cost import cost_text, shown_cost

if TYPE_CHECKING:
    from collections.abc import Sequence

    from reader_app.core.eval_data import EvalAnswer, EvalItem
    from reader_app.core.evaluation import RunReport

_ITEM = Qt.ItemDataRole.UserRole
# What a figure reads while there is nothing to compute it from.
NO_FIGURE = "—"
COST_UNKNOWN = "cost unknown"
FIGURE_ROWS = 4


def verdict(answer: EvalAnswer) -> tuple[str, bool | None]:
    """How an answer counts, in words, and the verdict in force (None: failed)."""
    if answer.status != "ok":
        return f"failed ({answer.error_kind or 'error'})", None
    if answer.override is not None:
        return (
            "right (your verdict)" if answer.override else "wrong (your verdict)"
        ), answer.override
    word = "right" if answer.correct else "wrong"
    return (f"{word} (judged)" if answer.judged else word), answer.correct


def figures(report: RunReport, model: str = "") -> list[tuple[str, str]]:
    """The report as (name, value) rows (``model``: the run's, to tell an unknown price).

    Before any answer counts (a run just started), the figures that need one read "—",
    not "0.0%" or "0.00 s".
    """
    counted = report.labelled > 0
    answered = report.labelled + report.failed > 0
    return [
        ("Labelled", f"{report.labelled}"),
        ("Correct", f"{report.correct}"),
        ("Accuracy", f"{report.accuracy:.1%}" if counted else NO_FIGURE),
        (
            "95% interval (Wilson)",
            f"{report.ci_low:.1%} – {report.ci_high:.1%}" if counted else NO_FIGURE,
        ),
        ("Failed (not counted)", f"{report.failed}"),
        ("Judged by Claude", f"{report.judged}"),
        ("Your overrides", f"{report.overridden}"),
        (
            "Latency p50 / p95",
            f"{report.p50_latency_ms / 1000:.2f} s / {report.p95_latency_ms / 1000:.2f} s"
            if answered
            else NO_FIGURE,
        ),
        ("Total time", f"{report.total_seconds:.1f} s" if answered else NO_FIGURE),
        ("Tokens in / out", f"{report.input_tokens:,} / {report.output_tokens:,}"),
        (
            "Cache read / written",
            f"{report.cache_read_tokens:,} / {report.cache_creation_tokens:,}",
        ),
        ("Cost (estimate)", _cost(model, report.cost_usd) if answered else NO_FIGURE),
    ]


def _cost(model: str, usd: float) -> str:
    """As the Tone panel says it: "cost unknown" without a price, never a free-looking $0."""
    cost = shown_cost(model, usd)
    if cost is None:
        return COST_UNKNOWN
    return cost_text(cost) if cost == 0 or cost >= 0.0001 else "under $0.0001"


class RunReportView(QWidget):
    """The report of one run.

    Signals:
        override_requested(int, object): item id and True, False, or None (clear).
    """

    override_requested = Signal(int, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel(self)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(18)
        self.confusion = QTableWidget(self)
        self.confusion.setAccessibleName(self.tr("Confusion table"))
        self.confusion.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.answers = QTableWidget(0, 4, self)
        self.answers.setAccessibleName(self.tr("Answers"))
        self.answers.setHorizontalHeaderLabels(
            [self.tr("Passage"), self.tr("Expected"), self.tr("Answer"), self.tr("Counts as")]
        )
        self.answers.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.answers.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.answers.verticalHeader().hide()
        self.answers.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.answers.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.answers.customContextMenuRequested.connect(self._menu)
        hint = QLabel(self.tr("Right-click an answer to mark it right or wrong yourself."), self)
        hint.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addLayout(self.grid)
        layout.addWidget(self.confusion)
        layout.addWidget(self.answers, 1)
        layout.addWidget(hint)

    def show_report(
        self,
        report: RunReport,
        answers: Sequence[EvalAnswer],
        items: dict[int, EvalItem],
        summary: str,
        model: str = "",
    ) -> None:
        """Fill the view (``model``: the run's; an unpriced one shows "cost unknown")."""
        self.summary.setText(summary)
        while self.grid.count():
            taken = self.grid.takeAt(0)
            widget = taken.widget() if taken is not None else None
            if widget is not None:
                widget.deleteLater()
        for row, (name, value) in enumerate(figures(report, model)):
            label = QLabel(self.tr(name), self)
            shown = QLabel(value, self)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            shown.setObjectName(f"figure{row}")
            # Three pairs of columns, four rows: the answers keep the room on a short screen.
            self.grid.addWidget(label, row % FIGURE_ROWS, (row // FIGURE_ROWS) * 2)
            self.grid.addWidget(shown, row % FIGURE_ROWS, (row // FIGURE_ROWS) * 2 + 1)
        self._fill_confusion(report)
        self.answers.setRowCount(len(answers))
        for row, answer in enumerate(answers):
            item = items.get(answer.item_id)
            words, counted = verdict(answer)
            cells = [item.text if item else "", answer.expected, answer.predicted or "—", words]
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(" ".join(text.split()))
                cell.setData(_ITEM, answer.item_id)
                cell.setToolTip(text if column == 0 else answer.error_message or text)
                if column == 3 and counted is not None:
                    # Mid-tone green and red read on light and dark pages alike.
                    cell.setForeground(QColor("#43a047" if counted else "#e53935"))
                self.answers.setItem(row, column, cell)
        self.answers.resizeColumnsToContents()
        self.answers.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)

    def _fill_confusion(self, report: RunReport) -> None:
        table = report.confusion
        if not table or not report.labelled:  # an empty table says nothing yet
            self.confusion.hide()
            return
        labels = sorted({*table, *(p for row in table.values() for p in row)})
        self.confusion.setRowCount(len(labels))
        self.confusion.setColumnCount(len(labels))
        self.confusion.setHorizontalHeaderLabels([f"answered {label}" for label in labels])
        self.confusion.setVerticalHeaderLabels([f"expected {label}" for label in labels])
        for r, expected in enumerate(labels):
            for c, predicted in enumerate(labels):
                count = table.get(expected, {}).get(predicted, 0)
                cell = QTableWidgetItem(str(count) if count else "")
                cell.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.confusion.setItem(r, c, cell)
        self.confusion.resizeColumnsToContents()
        height = self.confusion.horizontalHeader().height() + 4
        height += sum(self.confusion.rowHeight(r) for r in range(len(labels)))
        self.confusion.setFixedHeight(min(height, 220))
        self.confusion.show()

    def _menu(self, pos: QPoint) -> None:
        cell = self.answers.itemAt(pos)
        if cell is None:
            return
        item_id = int(cell.data(_ITEM))
        menu = QMenu(self)
        menu.addAction(self.tr("Mark Right"), lambda: self.override_requested.emit(item_id, True))
        menu.addAction(self.tr("Mark Wrong"), lambda: self.override_requested.emit(item_id, False))
        menu.addAction(
            self.tr("Clear My Verdict"), lambda: self.override_requested.emit(item_id, None)
        )
        menu.exec(self.answers.viewport().mapToGlobal(pos))
