"""Two runs side by side (A/B): the figures, a chart, and the items whose answer changed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reader_app.ui.screen_fit import fit_on_show

if TYPE_CHECKING:
    from reader_app.core.eval_data import EvalItem
    from reader_app.core.evaluation import RunComparison, RunReport

A_COLOR = "#5b8def"
B_COLOR = "#f0a030"
ROWS = (
    ("Accuracy", "accuracy", "{:.1%}"),
    ("95% interval, low", "ci_low", "{:.1%}"),
    ("95% interval, high", "ci_high", "{:.1%}"),
    ("Labelled", "labelled", "{:.0f}"),
    ("Failed", "failed", "{:.0f}"),
    ("Latency p50 (ms)", "p50_latency_ms", "{:.0f}"),
    ("Latency p95 (ms)", "p95_latency_ms", "{:.0f}"),
    ("Tokens in", "input_tokens", "{:,.0f}"),
    ("Tokens out", "output_tokens", "{:,.0f}"),
    ("Cache read", "cache_read_tokens", "{:,.0f}"),
    ("Cost (USD)", "cost_usd", "{:.4f}"),
)


class ComparisonChart(QWidget):
    """Accuracy with its 95% interval, median latency and cost: A and B side by side."""

    def __init__(self, a: RunReport, b: RunReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._a = a
        self._b = b
        self.setAccessibleName(self.tr("Chart comparing run A and run B"))
        self.setMinimumHeight(190)

    def sizeHint(self) -> QSize:
        """Wide and short."""
        return QSize(560, 200)

    def paintEvent(self, _event: QPaintEvent) -> None:
        """Three groups of two bars, each group scaled to its own largest value."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text = self.palette().windowText().color()
        groups = [
            ("Accuracy", self._a.accuracy, self._b.accuracy, 1.0, "{:.0%}"),
            ("Latency p50", self._a.p50_latency_ms, self._b.p50_latency_ms, None, "{:.0f} ms"),
            ("Cost", self._a.cost_usd, self._b.cost_usd, None, "${:.3f}"),
        ]
        width = self.width() / len(groups)
        bottom = self.height() - 28.0
        top = 18.0
        for n, (name, va, vb, scale, fmt) in enumerate(groups):
            largest = scale or max(va, vb) or 1.0
            left = n * width + width * 0.2
            bar = width * 0.25
            for m, (value, color) in enumerate(((va, A_COLOR), (vb, B_COLOR))):
                height = (bottom - top) * (value / largest)
                rect = QRectF(left + m * (bar + 6), bottom - height, bar, height)
                painter.fillRect(rect, QColor(color))
                painter.setPen(text)
                label_top = rect.top()
                if n == 0:  # above the interval's whisker, not across it
                    report = self._a if m == 0 else self._b
                    label_top = min(label_top, bottom - (bottom - top) * report.ci_high)
                painter.drawText(
                    QRectF(rect.left() - 10, label_top - 16, bar + 20, 14),
                    Qt.AlignmentFlag.AlignCenter,
                    fmt.format(value),
                )
                if n == 0:
                    self._whisker(painter, rect, m, bottom, top)
            painter.setPen(text)
            painter.drawText(
                QRectF(n * width, bottom + 6, width, 18), Qt.AlignmentFlag.AlignCenter, name
            )
        painter.end()

    def _whisker(
        self, painter: QPainter, rect: QRectF, which: int, bottom: float, top: float
    ) -> None:
        report = self._a if which == 0 else self._b
        x = rect.center().x()
        y_low = bottom - (bottom - top) * report.ci_low
        y_high = bottom - (bottom - top) * report.ci_high
        pen = painter.pen()
        pen.setWidthF(1.5)
        painter.setPen(pen)
        painter.drawLine(int(x), int(y_low), int(x), int(y_high))
        painter.drawLine(int(x - 5), int(y_low), int(x + 5), int(y_low))
        painter.drawLine(int(x - 5), int(y_high), int(x + 5), int(y_high))


class CompareDialog(QDialog):
    """Run B against run A."""

    def __init__(
        self,
        comparison: RunComparison,
        labels: tuple[str, str],
        items: dict[int, EvalItem],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Compare Runs"))
        self.resize(760, 640)
        fit_on_show(self)
        legend = QLabel(self.tr("A: {a}\nB: {b}").format(a=labels[0], b=labels[1]), self)
        legend.setTextFormat(Qt.TextFormat.PlainText)
        self.table = QTableWidget(len(ROWS), 4, self)
        self.table.setAccessibleName(self.tr("Figures of run A and run B"))
        self.table.setHorizontalHeaderLabels([self.tr("Figure"), "A", "B", "B − A"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        for row, (name, key, fmt) in enumerate(ROWS):
            a = float(getattr(comparison.a, key))
            b = float(getattr(comparison.b, key))
            delta = comparison.deltas.get(key, b - a)
            for column, text in enumerate(
                (
                    self.tr(name),
                    fmt.format(a),
                    fmt.format(b),
                    ("+" if delta > 0 else "") + fmt.format(delta),
                )
            ):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.chart = ComparisonChart(comparison.a, comparison.b, self)
        changed_label = QLabel(
            self.tr("{n} item(s) answered differently:").format(n=len(comparison.changed)), self
        )
        self.changed = QTableWidget(len(comparison.changed), 4, self)
        self.changed.setAccessibleName(self.tr("Items whose answer changed"))
        self.changed.setHorizontalHeaderLabels(
            [self.tr("Passage"), self.tr("Expected"), self.tr("A answered"), self.tr("B answered")]
        )
        self.changed.verticalHeader().hide()
        self.changed.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        for row, change in enumerate(comparison.changed):
            item = items.get(change.item_id)
            cells = [
                " ".join((item.text if item else "").split()),
                change.expected,
                _answer(change.predicted_a, change.correct_a),
                _answer(change.predicted_b, change.correct_b),
            ]
            for column, text in enumerate(cells):
                self.changed.setItem(row, column, QTableWidgetItem(text))
        self.changed.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(legend)
        layout.addWidget(self.table)
        layout.addWidget(self.chart)
        layout.addWidget(changed_label)
        layout.addWidget(self.changed, 1)
        layout.addWidget(buttons)


def _answer(predicted: str | None, correct: bool | None) -> str:
    if predicted is None:
        return "(no answer)"
    mark = "✓" if correct else "✗" if correct is not None else "?"
    return f"{mark} {predicted}"
