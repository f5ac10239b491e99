"""Evaluate and iterate: label a set, measure the answers, change the prompt, compare."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reader_app.ai.errors import AiError, AiErrorKind
from reader_app.core.errors import ReaderError
from reader_app.core.evaluation import compare_runs, summarise_run
from reader_app.ui.eval_compare import CompareDialog
from reader_app.ui.eval_import import ImportSetDialog
from reader_app.ui.eval_report import RunReportView
from reader_app.ui.screen_fit import fit_on_show

if TYPE_CHECKING:
    from collections.abc import Callable

    from reader_app.core.eval_data import EvalItem
    from reader_app.core.records import EvalRunInfo
    from reader_app.services.eval_service import EvalService
    from reader_app.ui.ports import EvalLibrary

FIELD_NAMES = {
    "tone": "tone label", "polarity": "polarity", "emotion": "dominant emotion",
    "speaker": "speaker",
}  # fmt: skip
_RUN = Qt.ItemDataRole.UserRole


def peek_columns(path: Path) -> list[str]:
    """The column names of a CSV or JSONL file (its header, or its first object's keys)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        if path.suffix.lower() in (".jsonl", ".json", ".ndjson"):
            for line in handle:
                if line.strip():
                    data = json.loads(line)
                    return list(data) if isinstance(data, dict) else []
            return []
        return next(csv.reader(handle), [])


# Failures the reader fixes with a key: none found, no keyring, rejected (401 / 403).
_KEY_KINDS = (AiErrorKind.NO_KEY, AiErrorKind.NO_KEYRING, AiErrorKind.AUTH, AiErrorKind.PERMISSION)
_KEY_MESSAGES = tuple(str(AiError(kind)) for kind in _KEY_KINDS)


class EvalWindow(QDialog):
    """Sets, runs, a run's report, and comparisons of two runs.

    Signals:
        key_setup_requested(): the reader pressed "Set up key…" beside a key failure.
    """

    key_setup_requested = Signal()

    def __init__(
        self,
        repo: EvalLibrary,
        service: EvalService,
        sources: Callable[[str, str], list[EvalItem]],
        sample: Path | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Evaluate Answers"))
        self.resize(1000, 720)
        fit_on_show(self)
        self._repo = repo
        self._service = service
        self._sources = sources
        self._sample = sample
        self.choose_file: Callable[[], Path | None] = self._choose_file
        self.sets = QComboBox(self)
        self.sets.setAccessibleName(self.tr("Evaluation set"))
        self.import_button = QPushButton(self.tr("Import File…"), self)
        self.corrections_button = QPushButton(self.tr("From My Corrections"), self)
        self.examples_button = QPushButton(self.tr("From My Examples"), self)
        self.sample_button = QPushButton(self.tr("Add Sample Set"), self)
        self.sample_button.setToolTip(self.tr("40 lines of verse labelled by polarity (CC BY 4.0)"))
        self.sample_button.setEnabled(sample is not None)
        self.runs = QTableWidget(0, 8, self)
        self.runs.setAccessibleName(self.tr("Runs of this set"))
        self.runs.setHorizontalHeaderLabels([
            self.tr("Run"), self.tr("Started"), self.tr("Model"), self.tr("Prompt"),
            self.tr("Examples"), self.tr("Accuracy (95% interval)"), self.tr("Failed"),
            self.tr("Status"),
        ])  # fmt: skip
        self.runs.verticalHeader().hide()
        self.runs.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.runs.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.runs.horizontalHeader().setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.concurrency = QSpinBox(self)
        self.concurrency.setRange(1, 16)
        self.concurrency.setAccessibleName(self.tr("Requests at once"))
        self.concurrency.setValue(4)
        self.concurrency.setPrefix(self.tr("at most "))
        self.concurrency.setSuffix(self.tr(" at once"))
        self.judge = QCheckBox(
            self.tr("Let Claude judge tone labels the rules call different"), self
        )
        self.judge.setToolTip(
            self.tr("Its verdicts are marked as judged; you can still override them.")
        )
        self.run_button = QPushButton(self.tr("Run with Current Settings"), self)
        self.cancel_button = QPushButton(self.tr("Cancel Run"), self)
        self.resume_button = QPushButton(self.tr("Resume"), self)
        self.compare_button = QPushButton(self.tr("Compare Two Runs"), self)
        self.compare_button.setToolTip(self.tr("Select two runs (Ctrl+click), then compare"))
        self.progress = QProgressBar(self)
        self.status = QLabel(self)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.report = RunReportView(self)
        # What to do, in place of the runs table while there is no set or no run yet.
        self.empty_state = QLabel(self)
        self.empty_state.setObjectName("evalEmptyState")
        self.empty_state.setTextFormat(Qt.TextFormat.PlainText)
        self.empty_state.setWordWrap(True)
        self.empty_state.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.empty_state.setMargin(12)
        self._set_sizes: dict[int, int] = {}
        self._runs: dict[int, EvalRunInfo] = {}
        self._lay_out()
        self._connect()
        self.reload_sets()

    def _lay_out(self) -> None:
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Set:"), self))
        top.addWidget(self.sets, 1)
        for button in (self.import_button, self.corrections_button, self.examples_button,
                       self.sample_button):  # fmt: skip
            top.addWidget(button)
        actions = QHBoxLayout()
        actions.addWidget(self.run_button)
        actions.addWidget(self.concurrency)
        actions.addWidget(self.judge)
        actions.addWidget(self.cancel_button)
        actions.addWidget(self.resume_button)
        actions.addStretch(1)
        actions.addWidget(self.compare_button)
        upper = QWidget(self)
        upper_layout = QVBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        upper_layout.addWidget(self.runs)
        upper_layout.addWidget(self.empty_state)
        upper_layout.addLayout(actions)
        upper_layout.addWidget(self.progress)
        upper_layout.addWidget(self.status)
        self.key_button = QPushButton(self.tr("Set up key…"), upper)
        self.key_button.setToolTip(self.tr("Paste, test and keep your Anthropic API key"))
        self.key_button.hide()
        self.key_button.clicked.connect(self.key_setup_requested)
        upper_layout.addWidget(self.key_button, 0, Qt.AlignmentFlag.AlignLeft)
        # Below the buttons, the room the runs table takes once there is a run.
        self._filler = QWidget(upper)
        self._filler.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        upper_layout.addWidget(self._filler, 1)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(upper)
        split.addWidget(self.report)
        split.setSizes([220, 500])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)

    def _connect(self) -> None:
        self.sets.currentIndexChanged.connect(lambda _i: self.reload_runs())
        self.import_button.clicked.connect(self.import_file)
        self.corrections_button.clicked.connect(lambda: self.add_from("corrections"))
        self.examples_button.clicked.connect(lambda: self.add_from("examples"))
        self.sample_button.clicked.connect(self.add_sample)
        self.run_button.clicked.connect(self.start_run)
        self.cancel_button.clicked.connect(self._cancel)
        self.resume_button.clicked.connect(self._resume)
        self.compare_button.clicked.connect(self.compare)
        self.runs.itemSelectionChanged.connect(self._selection_changed)
        self.report.override_requested.connect(self._override)
        self._service.answer_saved.connect(self._on_progress)
        self._service.run_ended.connect(lambda run_id, _s: self._refresh(run_id))
        self._service.run_failed.connect(self._on_failed)

    # -- sets ---------------------------------------------------------------------------

    def current_set(self) -> tuple[int, str] | None:
        """(set id, field) of the chosen set."""
        data = self.sets.currentData()
        return (int(data[0]), str(data[1])) if data else None

    def reload_sets(self, select: int | None = None) -> None:
        """Refill the set list."""
        self.sets.blockSignals(True)
        self.sets.clear()
        self._set_sizes = {}
        for info in self._repo.sets():
            self._set_sizes[info.id] = info.size
            label = self.tr("{name} · {field} · {n} items").format(
                name=info.name, field=FIELD_NAMES.get(info.field, info.field), n=info.size
            )
            self.sets.addItem(label, (info.id, info.field))
            if info.id == select:
                self.sets.setCurrentIndex(self.sets.count() - 1)
        self.sets.blockSignals(False)
        self.reload_runs()

    def add_from(self, source: str) -> None:
        """A set from the reader's corrections (tone) or examples (tone)."""
        items = self._sources(source, "tone")
        if not items:
            what = self.tr("corrected answers") if source == "corrections" else self.tr("examples")
            self.status.setText(self.tr("There are no {what} to test with yet.").format(what=what))
            return
        name = self.tr("My corrections") if source == "corrections" else self.tr("My examples")
        self._store_set(name, source, "tone", items)

    def add_sample(self) -> None:
        """The shipped sample: verse lines labelled by polarity."""
        if self._sample is None:
            return
        from reader_app.core.eval_data import read_dataset

        report = read_dataset(self._sample, "verse_text", "label")
        self._store_set(self.tr("Poem sentiment sample"), str(self._sample.name), "polarity",
                        report.items)  # fmt: skip

    def import_file(self) -> None:
        """A set from a CSV or JSONL file, with its columns mapped."""
        path = self.choose_file()
        if path is None:
            return
        try:
            columns = peek_columns(path)
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            self.status.setText(
                self.tr("“{name}” cannot be read: {why}").format(name=path.name, why=exc)
            )
            return
        dialog = ImportSetDialog(path, columns, self)
        self.import_dialog = dialog
        dialog.accepted.connect(lambda: self._import(path, dialog))
        dialog.open()

    def _import(self, path: Path, dialog: ImportSetDialog) -> None:
        from reader_app.core.eval_data import read_dataset

        text, label, context, field = dialog.mapping()
        try:
            report = read_dataset(path, text, label, context or None)
        except ReaderError as exc:
            self.status.setText(str(exc))
            return
        if not report.items:
            self.status.setText(self.tr("No usable rows: {problems}").format(
                problems="; ".join(report.problems[:3])))  # fmt: skip
            return
        self._store_set(path.stem, str(path), field, report.items)
        if report.problems:
            self.status.setText(
                self.tr("{n} rows were left out: {first}").format(
                    n=len(report.problems), first="; ".join(report.problems[:3])
                )
            )

    def _store_set(self, name: str, source: str, field: str, items: list[EvalItem]) -> None:
        try:
            existing = self._repo.find_set(name, field, items)
            set_id = (
                existing
                if existing is not None
                else self._repo.create_set(name, source, field, items)
            )
        except ReaderError as exc:
            self.status.setText(str(exc))
            return
        self.status.setText(
            self.tr("The set “{name}” has {n} items.").format(name=name, n=len(items))
        )
        self.reload_sets(select=set_id)

    # -- runs -----------------------------------------------------------------------------

    def reload_runs(self, select: int | None = None) -> None:
        """Refill the runs of the chosen set."""
        current = self.current_set()
        runs = self._repo.runs(current[0]) if current else []
        self._runs = {r.id: r for r in runs}
        self.runs.setRowCount(len(runs))
        for row, info in enumerate(runs):
            for column, text in enumerate(self._row_cells(info)):
                cell = QTableWidgetItem(text)
                cell.setData(_RUN, info.id)
                self.runs.setItem(row, column, cell)
            if info.id == select:
                self.runs.selectRow(row)
        self.runs.resizeColumnsToContents()
        self.runs.horizontalHeader().setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        if runs and not self.runs.selectedItems():
            self.runs.selectRow(0)
        self._show_empty_state(current, bool(runs))
        self._update_buttons()

    def _row_cells(self, info: EvalRunInfo) -> list[str]:
        report = summarise_run(self._repo.answers(info.id), info.field)
        config = info.config
        # No answer counted yet (a run just started): no figure to show, not "0.0%".
        accuracy = (
            f"{report.accuracy:.1%}  ({report.ci_low:.1%} – {report.ci_high:.1%}),"
            f" {report.correct} of {report.labelled}"
            if report.labelled
            else "—"
        )
        return [
            f"#{info.id}", info.created_at[:16].replace("T", " "), str(config.get("model", "")),
            str(config.get("prompt_version", "")),
            f"{config.get('strategy', '')} ({config.get('examples', 0)})", accuracy,
            str(report.failed), self._status_text(info),
        ]  # fmt: skip

    def _update_row(self, run_id: int) -> None:
        """The figures of a run in progress, as its answers come in."""
        info = self._repo.run(run_id)
        if info is None:
            return
        self._runs[run_id] = info
        for row in range(self.runs.rowCount()):
            first = self.runs.item(row, 0)
            if first is not None and first.data(_RUN) == run_id:
                for column, text in enumerate(self._row_cells(info)):
                    cell = self.runs.item(row, column)
                    if cell is not None:
                        cell.setText(text)
        self.runs.resizeColumnToContents(7)  # "running, 9 of 40" grows

    def _status_text(self, info: EvalRunInfo) -> str:
        size = self._set_sizes.get(info.set_id, 0)
        if info.id in self._service.running or info.status == "running":
            running = info.id in self._service.running
            word = self.tr("running") if running else self.tr("stopped")
            return self.tr("{state}, {done} of {total}").format(
                state=word, done=info.answered, total=size
            )
        if info.status == "canceled":
            return self.tr("cancelled, {done} of {total}").format(done=info.answered, total=size)
        return self.tr("done") if info.status == "done" else info.status

    def _show_empty_state(self, current: tuple[int, str] | None, has_runs: bool) -> None:
        """Say what to do while there is nothing to show; the runs and report otherwise."""
        if current is None:
            ways = [
                self.tr("• Add Sample Set: 40 lines of verse, each labelled positive, negative,"
                        " neutral or mixed. Ready to try.") if self._sample is not None else "",
                self.tr("• Import File…: a CSV or JSONL file with a column of passages and a"
                        " column of the labels you expect."),
                self.tr("• From My Corrections or From My Examples: the answers you corrected,"
                        " or the examples you keep."),
            ]  # fmt: skip
            text = "\n".join([
                self.tr("No evaluation set yet."),
                self.tr("An evaluation set is a list of passages with the answer you expect for"
                        " each. Claude labels every passage and you see how often it is right."),
                "", self.tr("Add one with the buttons above:"), *[w for w in ways if w], "",
                self.tr("Then press Run with Current Settings."),
            ])  # fmt: skip
        elif not has_runs:
            size = self._set_sizes.get(current[0], 0)
            text = self.tr(
                "No run of this set yet. Press Run with Current Settings: Claude labels each of"
                " its {n} passages with your current settings (model, objective, level and"
                " examples), and the report below shows how many it got right. Change a setting"
                " and run again to compare the two runs."
            ).format(n=size)
        else:
            text = ""
        self.empty_state.setText(text)
        self.empty_state.setVisible(bool(text))
        self._filler.setVisible(bool(text))
        self.runs.setVisible(has_runs)
        self.report.setVisible(has_runs)

    def selected_runs(self) -> list[int]:
        """The ids of the selected runs, newest first."""
        rows = sorted({i.row() for i in self.runs.selectedIndexes()})
        cells = [self.runs.item(r, 0) for r in rows]
        return [int(c.data(_RUN)) for c in cells if c is not None]

    def start_run(self) -> None:
        """Label every item of the set with the settings in force."""
        current = self.current_set()
        if current is None:
            self.status.setText(self.tr("Add a set first."))
            return
        self._service_concurrency(self.concurrency.value())
        self._service.judge = self.judge.isChecked() and current[1] == "tone"
        try:
            run_id = self._service.start(*current)
        except (ReaderError, ValueError) as exc:
            self.status.setText(str(exc))
            return
        self.progress.setRange(0, 0)
        self.status.setText(self.tr("Run #{id} started.").format(id=run_id))
        self.reload_runs(select=run_id)

    def _service_concurrency(self, value: int) -> None:
        setter = getattr(self._service, "set_concurrency", None)
        if callable(setter):
            setter(value)

    def _cancel(self) -> None:
        running = self._service.running
        chosen = [r for r in self.selected_runs() if r in running]
        for run_id in chosen or running:
            self._service.cancel(run_id)
        self.status.setText(self.tr("Cancelling: the answers already saved are kept."))

    def _resume(self) -> None:
        for run_id in self.selected_runs()[:1]:
            if self._service.resume(run_id):
                self.progress.setRange(0, 0)
                self.status.setText(self.tr("Run #{id} resumed.").format(id=run_id))
            else:
                self.status.setText(self.tr("Run #{id} has nothing left to do.").format(id=run_id))
            self.reload_runs(select=run_id)

    def _on_progress(self, run_id: int, done: int, total: int) -> None:
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(done)
        self.status.setText(self.tr("Run #{id}: {done} of {total} answered.").format(
            id=run_id, done=done, total=total))  # fmt: skip
        self._update_row(run_id)
        if run_id in self.selected_runs():
            self._show_report(run_id)

    def _on_failed(self, run_id: int, message: str) -> None:
        self.progress.setRange(0, 1)
        self.status.setText(
            self.tr("Run #{id} stopped: {why} It can be resumed.").format(id=run_id, why=message)
        )
        self.key_button.setVisible(message.startswith(_KEY_MESSAGES))
        self.reload_runs(select=run_id)

    def _refresh(self, run_id: int) -> None:
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        info = self._repo.run(run_id)
        if info is not None:
            answers = self._repo.answers(run_id)
            # Answers refused for the key (401, 403): a new key is what helps.
            keys = {kind.value for kind in _KEY_KINDS}
            self.key_button.setVisible(any(a.error_kind in keys for a in answers))
            report = summarise_run(answers, info.field)
            self.status.setText(
                self.tr("Run #{id} {status}: {correct} of {labelled} right ({accuracy:.1%}),"
                        " {failed} failed.").format(
                    id=run_id, status=info.status, correct=report.correct,
                    labelled=report.labelled, accuracy=report.accuracy, failed=report.failed,
                )
            )  # fmt: skip
        self.reload_runs(select=run_id)

    def _selection_changed(self) -> None:
        chosen = self.selected_runs()
        if chosen:
            self._show_report(chosen[0])
        self._update_buttons()

    def _update_buttons(self) -> None:
        """Run and Resume while nothing runs; Cancel only while something does."""
        chosen = self.selected_runs()
        busy = bool(self._service.running)
        self.compare_button.setEnabled(len(chosen) == 2)
        self.resume_button.setEnabled(not busy and len(chosen) == 1 and self._resumable(chosen[0]))
        self.run_button.setEnabled(not busy and self.current_set() is not None)
        self.cancel_button.setEnabled(busy)
        self.progress.setVisible(busy)

    def _resumable(self, run_id: int) -> bool:
        """A run that stopped before every item had an answer."""
        info = self._runs.get(run_id)
        if info is None or info.status == "done":
            return False
        return info.answered < self._set_sizes.get(info.set_id, 0)

    def _show_report(self, run_id: int) -> None:
        info = self._repo.run(run_id)
        if info is None:
            return
        answers = self._repo.answers(run_id)
        items = dict(self._repo.items(info.set_id))
        report = summarise_run(answers, info.field)
        model = str(info.config.get("model", ""))
        self.report.show_report(report, answers, items, self._describe(info), model)

    def _describe(self, info: EvalRunInfo) -> str:
        config = info.config
        return self.tr(
            "Run #{id}: {field} · {model} · prompt {version} · {level} · examples: {strategy}"
        ).format(
            id=info.id, field=FIELD_NAMES.get(info.field, info.field),
            model=config.get("model", ""), version=config.get("prompt_version", ""),
            level=config.get("level", ""), strategy=config.get("strategy", ""),
        )  # fmt: skip

    def _override(self, item_id: int, correct: object) -> None:
        chosen = self.selected_runs()
        if not chosen:
            return
        value = correct if isinstance(correct, bool) else None
        try:
            self._repo.set_override(chosen[0], item_id, value)
        except ReaderError as exc:
            self.status.setText(str(exc))
            return
        self._show_report(chosen[0])
        self.reload_runs(select=chosen[0])

    def compare(self) -> None:
        """The A/B comparison of the two selected runs (the older is A)."""
        chosen = sorted(self.selected_runs())
        if len(chosen) != 2:
            return
        a, b = (self._repo.run(r) for r in chosen)
        if a is None or b is None:
            return
        comparison = compare_runs(self._repo.answers(a.id), self._repo.answers(b.id), a.field)
        items = dict(self._repo.items(a.set_id))
        self.compare_dialog = CompareDialog(
            comparison, (self._describe(a), self._describe(b)), items, self
        )
        self.compare_dialog.open()

    def _choose_file(self) -> Path | None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Import an Evaluation Set"), "",
            self.tr("Labelled passages (*.csv *.jsonl *.json);;All files (*)"),
        )  # fmt: skip
        return Path(path) if path else None
