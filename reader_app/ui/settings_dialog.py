"""Settings for tone analysis: the API key (keyring only), model, objective, level, prices.

Everything that may wait (the keyring over D-Bus, the API) runs on the task runner; the
dialog stays responsive and shows what happened in one line.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from reader_app.ai.errors import AiError
from reader_app.ai.models import FALLBACK_MODELS, model_to_use
from reader_app.ai.pricing import price_rows_kept, price_rows_shown
from reader_app.ai.prompt import DEFAULT_OBJECTIVE, LEVELS, OBJECTIVE_PRESETS
from reader_app.config.secrets import ApiKeySource
from reader_app.ui.screen_fit import fit_on_show
from reader_app.usecases.api_key import api_key

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from reader_app.config.secrets import ApiKeys
    from reader_app.config.settings import Settings
    from reader_app.services.tasks import TaskRunner


class SettingsDialog(QDialog):
    """The Claude settings.

    Signals:
        settings_accepted(object): the new Settings, when OK is pressed.
    """

    settings_accepted = Signal(object)

    def __init__(
        self,
        settings: Settings,
        keys: ApiKeys,
        tasks: TaskRunner,
        analyzer_for: Callable[[str], Any],
        parent: QWidget | None = None,
        set_names: Sequence[str] = (),
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Tone Analysis Settings"))
        self.setMinimumWidth(620)
        fit_on_show(self)
        self._settings = settings
        self._keys = keys
        self._tasks = tasks
        self._analyzer_for = analyzer_for
        self._set_names = list(set_names)
        tabs = QTabWidget(self)
        tabs.addTab(self._claude_tab(), self.tr("Claude"))
        tabs.addTab(self._reader_tab(), self.tr("Objective"))
        tabs.addTab(self._prices_tab(), self.tr("Prices"))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        layout.addWidget(buttons)
        self.refresh_key_status()

    # -- the key --------------------------------------------------------------------------

    def _claude_tab(self) -> QWidget:
        page = QWidget(self)
        key_box = QGroupBox(self.tr("API key"), page)
        self.key_status = QLabel(key_box)
        self.key_status.setWordWrap(True)
        self.key_status.setTextFormat(Qt.TextFormat.PlainText)
        self.key_edit = QLineEdit(key_box)
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setPlaceholderText(self.tr("Paste a new key (sk-ant-…)"))
        self.key_edit.setAccessibleName(self.tr("New API key"))
        self.save_key_button = QPushButton(self.tr("Check and Save"), key_box)
        self.remove_key_button = QPushButton(self.tr("Remove"), key_box)
        self.key_feedback = QLabel(key_box)
        self.key_feedback.setWordWrap(True)
        self.key_feedback.setTextFormat(Qt.TextFormat.PlainText)
        row = QHBoxLayout()
        row.addWidget(self.key_edit, 1)
        row.addWidget(self.save_key_button)
        row.addWidget(self.remove_key_button)
        note = QLabel(
            self.tr("The key is kept only in your system keyring, never in a file."), key_box
        )
        note.setWordWrap(True)
        box_layout = QVBoxLayout(key_box)
        box_layout.addWidget(self.key_status)
        box_layout.addLayout(row)
        box_layout.addWidget(self.key_feedback)
        box_layout.addWidget(note)
        self.save_key_button.clicked.connect(self._check_and_save)
        self.remove_key_button.clicked.connect(self._remove_key)
        self.key_edit.returnPressed.connect(self._check_and_save)

        self.model = QComboBox(page)
        self.model.setEditable(True)
        self.model.setAccessibleName(self.tr("Model"))
        current = model_to_use(self._settings.model)
        for model in dict.fromkeys([current, *FALLBACK_MODELS]):
            self.model.addItem(model, model)
        self.model.setCurrentText(current)
        self.refresh_models_button = QPushButton(self.tr("Fetch Available Models"), page)
        self.refresh_models_button.clicked.connect(self._refresh_models)
        model_row = QHBoxLayout()
        model_row.addWidget(self.model, 1)
        model_row.addWidget(self.refresh_models_button)
        form = QFormLayout()
        form.addRow(self.tr("Model:"), model_row)
        self.think_more = QCheckBox(self.tr("Think more (for harder passages)"), page)
        self.think_more.setChecked(self._settings.think_more)
        self.think_more.setToolTip(
            self.tr(
                "Off: the model answers at its lowest effort, without thinking where it"
                " can, which is quick and cheap. On: it may think first at a higher effort,"
                " which takes longer and costs more."
            )
        )
        form.addRow("", self.think_more)
        layout = QVBoxLayout(page)
        layout.addWidget(key_box)
        layout.addLayout(form)
        layout.addStretch(1)
        return page

    def refresh_key_status(self) -> None:
        """Say where the key comes from, without showing it."""
        self._tasks.submit(self._keys.status, self._show_status, self._show_status_error)

    def _show_status(self, status: object) -> None:
        source = getattr(status, "source", ApiKeySource.NONE)
        masked = getattr(status, "masked", "")
        problem = getattr(status, "keyring_error", "")
        if source is ApiKeySource.ENVIRONMENT:
            text = self.tr("Using {key} from the ANTHROPIC_API_KEY environment variable.").format(
                key=masked
            )
        elif source is ApiKeySource.KEYRING:
            text = self.tr("Using {key}, stored in the system keyring.").format(key=masked)
        elif source is ApiKeySource.SESSION:
            text = self.tr(
                "Using {key} for this session only: it is kept in memory until you quit."
            ).format(key=masked)
        elif problem:
            text = problem
        else:
            text = self.tr("No API key yet. Paste one below; it is checked before it is saved.")
        self.key_status.setText(text)
        self.remove_key_button.setEnabled(source in (ApiKeySource.KEYRING, ApiKeySource.SESSION))

    def _show_status_error(self, error: BaseException) -> None:
        self.key_status.setText(str(error))

    def _check_and_save(self) -> None:
        key = self.key_edit.text().strip()
        if not key or any(c.isspace() for c in key):
            self.key_feedback.setText(self.tr("That does not look like an API key."))
            return
        self.save_key_button.setEnabled(False)
        self.key_feedback.setText(self.tr("Checking the key with Anthropic…"))

        def work() -> None:
            analyzer = self._analyzer_for(key)
            try:
                analyzer.check_key()
            finally:
                analyzer.close()
            self._keys.save(key)

        self._tasks.submit(work, self._key_saved, self._key_failed)

    def _key_saved(self, _result: object) -> None:
        self.save_key_button.setEnabled(True)
        self.key_edit.clear()
        self.key_feedback.setText(self.tr("The key works and is saved in the system keyring."))
        self.refresh_key_status()

    def _key_failed(self, error: BaseException) -> None:
        self.save_key_button.setEnabled(True)
        message = str(error) if isinstance(error, AiError | ValueError) else ""
        self.key_feedback.setText(
            message or self.tr("The key could not be saved: {error}").format(error=error)
        )

    def _remove_key(self) -> None:
        self._tasks.submit(self._keys.delete, self._key_removed, self._key_failed)

    def _key_removed(self, _result: object) -> None:
        self.key_feedback.setText(self.tr("The key was removed from the system keyring."))
        self.refresh_key_status()

    def _refresh_models(self) -> None:
        self.refresh_models_button.setEnabled(False)

        def work() -> list[Any]:
            key = api_key(self._keys)
            analyzer = self._analyzer_for(key)
            try:
                return list(analyzer.list_models())
            finally:
                analyzer.close()

        self._tasks.submit(work, self._models_loaded, self._models_failed)

    def _models_loaded(self, models: object) -> None:
        self.refresh_models_button.setEnabled(True)
        current = self.model.currentText()
        self.model.clear()
        for choice in models if isinstance(models, list) else []:
            self.model.addItem(f"{choice.display_name} ({choice.id})", choice.id)
        self.model.setCurrentIndex(max(0, self.model.findData(current)))
        self.key_feedback.setText(self.tr("{n} models available.").format(n=self.model.count()))

    def _models_failed(self, error: BaseException) -> None:
        self.refresh_models_button.setEnabled(True)
        self.key_feedback.setText(
            str(error) + " " + self.tr("The built-in list of models is shown instead.")
        )

    # -- the reader -----------------------------------------------------------------------

    def _reader_tab(self) -> QWidget:
        page = QWidget(self)
        self.preset = QComboBox(page)
        self.preset.addItem(self.tr("Choose a preset…"), "")
        for name, text in OBJECTIVE_PRESETS.items():
            self.preset.addItem(self.tr(name), text)
        self.objective = QPlainTextEdit(page)
        self.objective.setPlainText(self._settings.objective or DEFAULT_OBJECTIVE)
        self.objective.setAccessibleName(self.tr("Objective"))
        self.preset.activated.connect(self._apply_preset)
        self.level = QComboBox(page)
        for level in LEVELS:
            self.level.addItem(level, level)
        self.level.setCurrentIndex(LEVELS.index(self._settings.level))
        self.language = QLineEdit(self._settings.language, page)
        self.context = QSpinBox(page)
        self.context.setRange(0, 20)
        self.context.setValue(self._settings.context_paragraphs)
        self.context.setSuffix(self.tr(" paragraphs each side"))
        self.strategy = QComboBox(page)
        self.strategy.setAccessibleName(self.tr("Examples sent"))
        choices = (
            (self.tr("All examples (cached; best for a small library)"), "all"),
            (self.tr("The most similar examples"), "similar"),
            (self.tr("A fixed set"), "fixed"),
        )
        for label, value in choices:
            self.strategy.addItem(label, value)
        self.strategy.setCurrentIndex(
            max(0, self.strategy.findData(self._settings.example_strategy))
        )
        self.example_k = QSpinBox(page)
        self.example_k.setRange(1, 50)
        self.example_k.setValue(self._settings.example_k)
        self.example_k.setSuffix(self.tr(" examples"))
        self.fixed_set = QComboBox(page)
        self.fixed_set.addItem(self.tr("(the examples in use)"), "")
        for name in self._set_names:
            self.fixed_set.addItem(name, name)
        self.fixed_set.setCurrentIndex(max(0, self.fixed_set.findData(self._settings.fixed_set)))
        self.strategy.currentIndexChanged.connect(self._strategy_changed)
        self._strategy_changed()
        form = QFormLayout(page)
        form.addRow(self.tr("Preset:"), self.preset)
        form.addRow(self.tr("Your objective:"), self.objective)
        form.addRow(self.tr("Explanation level (CEFR):"), self.level)
        form.addRow(self.tr("Explain in:"), self.language)
        form.addRow(self.tr("Context:"), self.context)
        form.addRow(self.tr("Examples sent:"), self.strategy)
        form.addRow(self.tr("How many similar:"), self.example_k)
        form.addRow(self.tr("Fixed set:"), self.fixed_set)
        return page

    def _strategy_changed(self) -> None:
        strategy = self.strategy.currentData()
        self.example_k.setEnabled(strategy == "similar")
        self.fixed_set.setEnabled(strategy == "fixed")

    def _apply_preset(self, index: int) -> None:
        text = self.preset.itemData(index)
        if text:
            self.objective.setPlainText(str(text))

    # -- prices ---------------------------------------------------------------------------

    def _prices_tab(self) -> QWidget:
        page = QWidget(self)
        self.prices = QTableWidget(0, 3, page)
        self.prices.setHorizontalHeaderLabels(
            [self.tr("Model (prefix)"), self.tr("Input $/M tokens"), self.tr("Output $/M tokens")]
        )
        self.prices.setAccessibleName(self.tr("Prices per model"))
        header = self.prices.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        # The price columns as wide as their headers ("Input $/M tokens") and numbers.
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.prices.verticalHeader().hide()  # row numbers mean nothing here
        for prefix, input_price, output_price in price_rows_shown(self._settings.prices):
            self._add_price_row(prefix, input_price, output_price)
        add = QPushButton(self.tr("Add Row"), page)
        add.clicked.connect(lambda: self._add_price_row("claude-", 0.0, 0.0))
        remove = QPushButton(self.tr("Remove Row"), page)
        remove.clicked.connect(lambda: self.prices.removeRow(self.prices.currentRow()))
        note = QLabel(
            self.tr("Costs are estimates. The built-in prices come from the model catalogue;"
                    " a row here sets the input and output price of the models it names (the"
                    " longest matching prefix wins). Cache writes (1.25× input for 5 minutes,"
                    " 2× for an hour), cache reads (a share of input that depends on the model)"
                    " and the Message Batches discount (50 %) follow from these prices. A model"
                    " with no known price shows \"cost unknown\", never $0."), page
        )  # fmt: skip
        note.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(add)
        row.addWidget(remove)
        row.addStretch(1)
        layout = QVBoxLayout(page)
        layout.addWidget(self.prices)
        layout.addLayout(row)
        layout.addWidget(note)
        return page

    def _add_price_row(self, prefix: str, input_price: float, output_price: float) -> None:
        row = self.prices.rowCount()
        self.prices.insertRow(row)
        self.prices.setItem(row, 0, QTableWidgetItem(prefix))
        for column, value in ((1, input_price), (2, output_price)):
            spin = QDoubleSpinBox(self.prices)
            spin.setRange(0, 1000)
            spin.setDecimals(3)
            spin.setValue(value)
            spin.setAccessibleName(
                self.tr("Input price, dollars per million tokens")
                if column == 1
                else self.tr("Output price, dollars per million tokens")
            )
            self.prices.setCellWidget(row, column, spin)

    def _price_rows(self) -> tuple[tuple[str, float, float], ...]:
        rows: list[tuple[str, float, float]] = []
        for row in range(self.prices.rowCount()):
            item = self.prices.item(row, 0)
            prefix = item.text().strip() if item is not None else ""
            spins = [self.prices.cellWidget(row, c) for c in (1, 2)]
            values = [s.value() for s in spins if isinstance(s, QDoubleSpinBox)]
            if prefix and len(values) == 2:
                rows.append((prefix, values[0], values[1]))
        return tuple(rows)

    # -- done -----------------------------------------------------------------------------

    def result_settings(self) -> Settings:
        """The settings as the dialog shows them."""
        index = self.model.currentIndex()
        typed = self.model.currentText().strip()
        # An edited entry has no data of its own: take what was typed.
        picked = index >= 0 and self.model.itemText(index) == self.model.currentText()
        model = self.model.itemData(index) if picked else typed
        objective = self.objective.toPlainText().strip()
        prices = self._price_rows()
        return dataclasses.replace(
            self._settings,
            model=str(model).strip(),
            objective="" if objective == DEFAULT_OBJECTIVE else objective,
            level=str(self.level.currentData()),
            language=self.language.text().strip() or "English",
            context_paragraphs=self.context.value(),
            example_strategy=str(self.strategy.currentData()),
            example_k=self.example_k.value(),
            fixed_set=str(self.fixed_set.currentData() or ""),
            think_more=self.think_more.isChecked(),
            prices=price_rows_kept(prices),
        )

    def _accept(self) -> None:
        self.settings_accepted.emit(self.result_settings())
        self.accept()
